"""The product catalogue pages: sections in a sidebar, search, and the add/edit forms for those who keep it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.crm import products
from kontora.crm.models import Product, ProductSection
from kontora.crm.services import products as services


def _section_choices(exclude: ProductSection | None = None) -> list[tuple[str, str]]:
    """Sections indented by depth; `exclude` drops a section and everything under it (no cycles offered)."""
    hidden = set(products.section_and_below(exclude)) if exclude is not None else set()
    return [
        (str(node.section.pk), f"{'— ' * node.depth}{node.section.name}")
        for node in products.section_tree()
        if node.section.pk not in hidden
    ]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": gettext_lazy("Search products")}),
    )
    section = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    inactive = forms.BooleanField(label=gettext_lazy("Show inactive"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", ""), *_section_choices()]
        self.fields["q"].widget.attrs["aria-label"] = self.fields["q"].label


class ProductForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=255)
    section = forms.TypedChoiceField(label=gettext_lazy("section"), required=False, coerce=int, empty_value=None)
    price = forms.DecimalField(label=gettext_lazy("price"), max_digits=18, decimal_places=2, initial=0)
    currency = forms.CharField(label=gettext_lazy("currency"), max_length=3, initial="RUB")
    vat_rate = forms.DecimalField(label=gettext_lazy("VAT, %"), max_digits=5, decimal_places=2, required=False)
    vat_included = forms.BooleanField(label=gettext_lazy("VAT included in price"), required=False, initial=True)
    unit = forms.CharField(label=gettext_lazy("unit"), max_length=30, initial="шт")
    description = forms.CharField(
        label=gettext_lazy("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("No section")), *_section_choices()]


class SectionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=200)
    parent = forms.TypedChoiceField(label=gettext_lazy("parent section"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, section: ProductSection | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("Top level")), *_section_choices(exclude=section)]


def _require_manager(request) -> None:
    if not products.can_manage(request.user):
        raise Http404


def _section_or_none(pk: int | None) -> ProductSection | None:
    if pk is None:
        return None
    try:
        return products.section(pk)
    except NotFound as error:
        raise Http404 from error


@login_required
def product_list(request):
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    section = _section_or_none(data.get("section"))
    can_manage = products.can_manage(request.user)
    inactive = bool(data.get("inactive")) and can_manage
    found = products.catalogue(request.user, section=section, query=data.get("q") or "", inactive=inactive)
    params = request.GET.copy()
    params.pop("section", None)
    query_rest = params.urlencode()
    context = {
        "form": form,
        "section": section,
        "tree": products.section_tree(),
        "products": found[:500],
        "total": found.count(),
        "query_rest": query_rest,
        "can_manage": can_manage,
        "inactive": inactive,
        "list_url": reverse("crm:products"),
    }
    template = "crm/products.html#catalogue" if request.htmx and not request.htmx.boosted else "crm/products.html"
    return render(request, template, context)


def _product_initial(product: Product) -> dict:
    return {
        "name": product.name,
        "section": product.section_id,
        "price": product.price,
        "currency": product.currency,
        "vat_rate": product.vat_rate,
        "vat_included": product.vat_included,
        "unit": product.unit,
        "description": product.description,
    }


@login_required
def product_edit(request, pk: int | None = None):
    _require_manager(request)
    product = None
    if pk is not None:
        try:
            product = products.product(request.user, pk)
        except NotFound as error:
            raise Http404 from error
    action = request.POST.get("action", "save")
    if request.method == "POST" and product is not None and action in ("deactivate", "activate"):
        change = services.deactivate_product if action == "deactivate" else services.activate_product
        change(product, by=request.user)
        if action == "deactivate":
            messages.success(request, _("The product was taken out of the catalogue."))
        else:
            messages.success(request, _("The product is back in the catalogue."))
        return redirect("crm:product_edit", pk=product.pk)
    form = ProductForm(request.POST or None, initial=_product_initial(product) if product else None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["section"] = _section_or_none(fields["section"])
        try:
            if product is None:
                product = services.create_product(by=request.user, **fields)
            else:
                services.update_product(product, by=request.user, **fields)
        except Invalid as error:
            error.add_to_form(form)
        except Forbidden as error:
            raise Http404 from error
        else:
            messages.success(request, _("Product saved."))
            return redirect(
                f"{reverse('crm:products')}?section={product.section_id}" if product.section_id else "crm:products"
            )
    title = product.name if product else _("New product")
    return render(request, "crm/products_form.html", {"form": form, "title": title, "product": product})


@login_required
def section_edit(request, pk: int | None = None):
    _require_manager(request)
    section = _section_or_none(pk)
    if request.method == "POST" and section is not None and request.POST.get("action") == "delete":
        try:
            services.delete_section(section, by=request.user)
        except Invalid as error:
            messages.error(request, error.message)
            return redirect("crm:product_section_edit", pk=section.pk)
        messages.success(request, _("Section deleted."))
        return redirect("crm:products")
    initial = {"name": section.name, "parent": section.parent_id} if section else None
    form = SectionForm(request.POST or None, initial=initial, section=section)
    if request.method == "POST" and form.is_valid():
        parent = _section_or_none(form.cleaned_data["parent"])
        try:
            if section is None:
                section = services.create_section(by=request.user, name=form.cleaned_data["name"], parent=parent)
            else:
                services.update_section(section, by=request.user, name=form.cleaned_data["name"], parent=parent)
        except Invalid as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("Section saved."))
            return redirect(f"{reverse('crm:products')}?section={section.pk}")
    title = section.name if section else _("New section")
    return render(request, "crm/products_section_form.html", {"form": form, "title": title, "section": section})


urlpatterns = [
    path("products/", product_list, name="products"),
    path("products/add/", product_edit, name="product_add"),
    path("products/<int:pk>/", product_edit, name="product_edit"),
    path("products/sections/add/", section_edit, name="product_section_add"),
    path("products/sections/<int:pk>/", section_edit, name="product_section_edit"),
]
