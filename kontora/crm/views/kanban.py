"""CRM kanban boards: deals per pipeline and leads by status, with drag-and-drop moves and quick add."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kontora.accounts.models import Level
from kontora.core.errors import Forbidden, Invalid, KontoraError
from kontora.crm import kanban, services
from kontora.crm.choices import Semantics
from kontora.crm.models import Category

DEALS = "crm/kanban_deals.html"
LEADS = "crm/kanban_leads.html"


class QuickDealForm(forms.Form):
    """The inline form at the top of a column: the title is checked by the service, the amount here."""

    title = forms.CharField(
        label=gettext_lazy("Deal name"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Deal name"), "x-ref": "title"}),
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        required=False,
        max_digits=18,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Amount"), "inputmode": "decimal"}),
    )


def _after(request) -> int | None:
    try:
        return int(request.GET.get("after", ""))
    except ValueError:
        return None


def _stage_pk(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _failure(error: KontoraError | str, status: int) -> HttpResponse:
    """What a refused move sends back: the reason, for the board to show while it puts the card back."""
    message = error.message if isinstance(error, KontoraError) else error
    return HttpResponse(format_html('<p class="error" role="alert">{}</p>', message), status=status)


def _pipeline(visible: list[Category], category_id: int | None) -> Category:
    """The pipeline asked for, or the default one (id 0) when none is, among those the user may read."""
    wanted = 0 if category_id is None else category_id
    category = next((item for item in visible if item.pk == wanted), None)
    if category is None and category_id is None and visible:
        category = visible[0]
    if category is None:
        raise Http404
    return category


@login_required
def deal_kanban(request, category_id: int | None = None):
    """The deal board of one pipeline; an HTMX request with ?stage=&after= gets the next page of a column."""
    visible = kanban.pipelines(request.user)
    category = _pipeline(visible, category_id)
    stage = kanban.deal_stage_by_pk(category, _stage_pk(request.GET.get("stage"))) if request.htmx else None
    if stage is not None:
        column = {"stage": stage, **kanban.deal_page(request.user, stage, after_id=_after(request))}
        return render(request, f"{DEALS}#page", {"category": category, "column": column})
    return render(
        request,
        DEALS,
        {
            "category": category,
            "pipelines": visible,
            "columns": kanban.deal_columns(request.user, category),
            "can_add": kanban.pipeline_level(request.user, category, "add") != Level.NONE,
            "can_move": kanban.pipeline_level(request.user, category, "update") != Level.NONE,
            "loss_reasons": kanban.loss_reasons(),
            "quick_form": QuickDealForm(auto_id=False),
        },
    )


@login_required
@require_POST
def deal_move(request, pk: int):
    """Drop a card on another column: move_deal, then the new column heads and the card as it is now."""
    deal = kanban.visible_deal(request.user, pk, "update")
    if deal is None:
        raise Http404
    stage = kanban.deal_stage(deal.category, request.POST.get("stage", ""))
    if stage is None:
        return _failure(_("This stage belongs to another pipeline."), 400)
    reason = kanban.loss_reason(request.POST.get("loss_reason")) if stage.semantics == Semantics.FAILURE else None
    try:
        services.move_deal(
            deal, stage, by=request.user, loss_reason=reason, loss_comment=request.POST.get("loss_comment", "")
        )
    except Invalid as error:
        return _failure(error, 400)
    except Forbidden as error:
        return _failure(error, 403)
    return render(
        request,
        f"{DEALS}#moved",
        {
            "category": deal.category,
            "columns": kanban.deal_columns(request.user, deal.category, stages_with_cards=False),
            "deal": kanban.deal_card(request.user, deal),
        },
    )


@login_required
@require_POST
def deal_quick_add(request, category_id: int):
    """The inline form of a column: create_deal in that stage; the new card goes on top of the column."""
    category = kanban.pipeline(request.user, category_id)
    stage = kanban.deal_stage_by_pk(category, _stage_pk(request.POST.get("stage"))) if category else None
    if stage is None or stage.semantics != Semantics.PROCESS:
        raise Http404
    form = QuickDealForm(request.POST, auto_id=False)
    deal = None
    if form.is_valid():
        data = form.cleaned_data
        fields = {"amount": data["amount"]} if data["amount"] is not None else {}
        try:
            deal = services.create_deal(by=request.user, title=data["title"], category=category, stage=stage, **fields)
        except (Invalid, Forbidden) as error:
            if isinstance(error, Invalid) and error.field in form.fields:
                error.add_to_form(form)
            else:
                form.add_error(None, error.message)
    if not request.htmx:
        if deal is None:
            messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect("crm:deal_kanban_category", category.pk)
    column = {"stage": stage, "colour": kanban.colour_of(stage)}
    if deal is None:
        return render(request, f"{DEALS}#quick_add", {"category": category, "column": column, "quick_form": form})
    return render(
        request,
        f"{DEALS}#added",
        {
            "category": category,
            "column": column,
            "quick_form": QuickDealForm(auto_id=False),
            "quick_open": True,
            "deal": kanban.deal_card(request.user, deal),
            "columns": kanban.deal_columns(request.user, category, stages_with_cards=False),
        },
    )


@login_required
def lead_kanban(request):
    """The lead board: a column per lead status; an HTMX request with ?stage=&after= gets the next page."""
    status = kanban.lead_status_by_pk(_stage_pk(request.GET.get("stage"))) if request.htmx else None
    if status is not None:
        column = {"stage": status, **kanban.lead_page(request.user, status, after_id=_after(request))}
        return render(request, f"{LEADS}#page", {"column": column})
    return render(
        request,
        LEADS,
        {
            "columns": kanban.lead_columns(request.user),
            "can_move": kanban.lead_level(request.user, "update") != Level.NONE,
        },
    )


@login_required
@require_POST
def lead_move(request, pk: int):
    """Drop a lead card on another status: update_lead, then the new column heads and the card."""
    lead = kanban.visible_lead(request.user, pk, "update")
    if lead is None:
        raise Http404
    status = kanban.lead_status(request.POST.get("stage", ""))
    if status is None:
        return _failure(_("This value does not belong here."), 400)
    try:
        services.update_lead(lead, by=request.user, status=status)
    except Invalid as error:
        return _failure(error, 400)
    except Forbidden as error:
        return _failure(error, 403)
    return render(
        request,
        f"{LEADS}#moved",
        {"columns": kanban.lead_columns(request.user, with_cards=False), "lead": kanban.lead_card(request.user, lead)},
    )


urlpatterns = [
    path("deals/kanban/", deal_kanban, name="deal_kanban"),
    path("deals/kanban/<int:category_id>/", deal_kanban, name="deal_kanban_category"),
    path("deals/kanban/<int:category_id>/add/", deal_quick_add, name="deal_quick_add"),
    path("deals/<int:pk>/move/", deal_move, name="deal_move"),
    path("leads/kanban/", lead_kanban, name="lead_kanban"),
    path("leads/<int:pk>/move/", lead_move, name="lead_move"),
]
