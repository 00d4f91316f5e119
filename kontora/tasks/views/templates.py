"""Task templates pages: my templates with their recurrence, the template form, and setting a task from one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_ALT, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from kontora.core.errors import Invalid, KontoraError, NotFound
from kontora.tasks import cards, selectors
from kontora.tasks.choices import Priority
from kontora.tasks.forms import html_to_text, text_to_html
from kontora.tasks.models import TaskTemplate
from kontora.tasks.services import templates as service
from kontora.tasks.views.nav import tabs

HOUR = 3600
DAY = 24 * HOUR
RULE_FIELDS = ("frequency", "interval", "weekdays", "day", "month", "time", "start", "until", "count")


def describe(rule: dict | None) -> str:
    """The rule in words: "Every 2 weeks on Mon, Thu at 09:00, 5 times"."""
    if not rule:
        return ""
    interval = rule.get("interval") or 1
    frequency = rule["frequency"]
    if frequency == "daily":
        text = _("Every day") if interval == 1 else ngettext(
            "Every %(count)s day", "Every %(count)s days", interval
        ) % {"count": interval}  # fmt: skip
    elif frequency == "weekly":
        every = _("Every week") if interval == 1 else ngettext(
            "Every %(count)s week", "Every %(count)s weeks", interval
        ) % {"count": interval}  # fmt: skip
        days = ", ".join(str(WEEKDAYS_ABBR[day]) for day in rule.get("weekdays") or [])
        text = _("%(every)s on %(days)s") % {"every": every, "days": days}
    elif frequency == "monthly":
        every = _("Every month") if interval == 1 else ngettext(
            "Every %(count)s month", "Every %(count)s months", interval
        ) % {"count": interval}  # fmt: skip
        text = _("%(every)s on day %(day)s") % {"every": every, "day": rule["day"]}
    else:
        every = _("Every year") if interval == 1 else ngettext(
            "Every %(count)s year", "Every %(count)s years", interval
        ) % {"count": interval}  # fmt: skip
        text = _("%(every)s on %(day)s %(month)s") % {
            "every": every, "day": rule["day"], "month": MONTHS_ALT[rule["month"]],
        }  # fmt: skip
    text = _("%(when)s at %(time)s") % {"when": text, "time": rule["time"]}
    if rule.get("until"):
        text = _("%(when)s, until %(date)s") % {"when": text, "date": rule["until"]}
    elif rule.get("count"):
        text = ngettext("%(when)s, %(count)s time", "%(when)s, %(count)s times", rule["count"]) % {
            "when": text, "count": rule["count"],
        }  # fmt: skip
    return text


def checklist_to_text(groups: list[dict]) -> str:
    lines = []
    for group in groups or []:
        lines.append(f"# {group.get('title') or ''}".rstrip())
        lines.extend(item["title"] for item in group.get("items") or [])
    return "\n".join(lines)


def text_to_checklist(text: str, old: list[dict]) -> list[dict]:
    """One item a line; "# Name" starts a checklist. Items keep the responsible they had under the same title."""
    responsible = {item["title"]: item.get("responsible") for group in old or [] for item in group.get("items") or []}
    groups: list[dict] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith("#"):
            groups.append({"title": line.lstrip("#").strip(), "items": []})
        elif line:
            if not groups:
                groups.append({"title": "", "items": []})
            groups[-1]["items"].append({"title": line, "responsible": responsible.get(line)})
    return groups


class DateInput(forms.DateInput):
    input_type = "date"


class TemplateForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), max_length=255)
    description = forms.CharField(
        label=gettext_lazy("description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    responsible = forms.ModelChoiceField(label=gettext_lazy("responsible"), queryset=None)
    accomplices = forms.ModelMultipleChoiceField(label=gettext_lazy("co-executors"), queryset=None, required=False)
    auditors = forms.ModelMultipleChoiceField(label=gettext_lazy("observers"), queryset=None, required=False)
    priority = forms.TypedChoiceField(
        label=gettext_lazy("priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    deadline_amount = forms.IntegerField(
        label=gettext_lazy("deadline after"), min_value=0, max_value=100000, required=False
    )
    deadline_unit = forms.ChoiceField(
        label=gettext_lazy("unit"), choices=[("hours", gettext_lazy("hours")), ("days", gettext_lazy("days"))],
        initial="days",
    )  # fmt: skip
    requires_control = forms.BooleanField(label=gettext_lazy("accept the work after it is finished"), required=False)
    checklist = forms.CharField(
        label=gettext_lazy("checklist"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One item a line; a line starting with # begins a new checklist."),
    )  # fmt: skip
    project = forms.ModelChoiceField(label=gettext_lazy("project"), queryset=None, required=False)
    tags = forms.CharField(
        label=gettext_lazy("tags"), required=False, help_text=gettext_lazy("Separate them with commas.")
    )
    # recurrence
    frequency = forms.ChoiceField(
        label=gettext_lazy("repeat"), required=False,
        choices=[("", gettext_lazy("Do not repeat")), ("daily", gettext_lazy("Daily")),
                 ("weekly", gettext_lazy("Weekly")), ("monthly", gettext_lazy("Monthly")),
                 ("yearly", gettext_lazy("Yearly"))],
    )  # fmt: skip
    interval = forms.IntegerField(label=gettext_lazy("every"), min_value=1, max_value=1000, initial=1, required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("on days"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(number, WEEKDAYS_ABBR[number]) for number in WEEKDAYS],
    )  # fmt: skip
    day = forms.IntegerField(label=gettext_lazy("day of the month"), min_value=1, max_value=31, required=False)
    month = forms.TypedChoiceField(
        label=gettext_lazy("month"), coerce=int, required=False, empty_value=None,
        choices=[("", "—"), *MONTHS.items()],
    )  # fmt: skip
    time = forms.TimeField(label=gettext_lazy("time"), initial="09:00", required=False, widget=forms.TimeInput(
        format="%H:%M", attrs={"type": "time"}))  # fmt: skip
    start = forms.DateField(label=gettext_lazy("starting"), required=False, widget=DateInput())
    end = forms.ChoiceField(
        label=gettext_lazy("ends"), initial="never",
        choices=[("never", gettext_lazy("never")), ("until", gettext_lazy("on a date")),
                 ("count", gettext_lazy("after a number of times"))],
    )  # fmt: skip
    until = forms.DateField(label=gettext_lazy("end date"), required=False, widget=DateInput())
    count = forms.IntegerField(label=gettext_lazy("times"), min_value=1, max_value=10000, required=False)

    def __init__(self, *args, user, recurring: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = cards.active_users()
        for name in ("responsible", "accomplices", "auditors"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = lambda person: person.full_name
        self.fields["project"].queryset = selectors.my_projects(user)
        if not recurring:
            for name in (*RULE_FIELDS, "end"):
                del self.fields[name]
        else:
            self.fields["frequency"].widget.attrs["x-model"] = "frequency"
            self.fields["end"].widget.attrs["x-model"] = "end"

    def task_fields(self, template: TaskTemplate | None) -> dict:
        data = self.cleaned_data
        amount = data.get("deadline_amount")
        return {
            "title": data["title"],
            "description": text_to_html(data["description"]),
            "responsible": data["responsible"],
            "accomplices": [person.pk for person in data["accomplices"]],
            "auditors": [person.pk for person in data["auditors"]],
            "priority": data["priority"],
            "deadline_after": amount * (DAY if data["deadline_unit"] == "days" else HOUR) if amount else None,
            "requires_control": data["requires_control"],
            "checklist": text_to_checklist(data["checklist"], template.checklist if template else []),
            "project": data["project"],
            "tags": [tag.strip() for tag in data["tags"].split(",") if tag.strip()],
        }

    def rule(self) -> dict | None:
        data = self.cleaned_data
        if "frequency" not in self.fields or not data.get("frequency"):
            return None
        rule = {name: data.get(name) for name in RULE_FIELDS}
        rule["start"] = rule["start"] or timezone.localdate()
        rule["time"] = rule["time"] or "09:00"
        rule["interval"] = rule["interval"] or 1
        if data["end"] != "until":
            rule["until"] = None
        if data["end"] != "count":
            rule["count"] = None
        elif not rule["count"]:
            raise Invalid("REQUIRED", "count", _("Say how many times."))
        if data["end"] == "until" and not rule["until"]:
            raise Invalid("REQUIRED", "until", _("Choose the last day."))
        return rule


def initial_for(template: TaskTemplate) -> dict:
    after = template.deadline_after or 0
    in_days = after and after % DAY == 0
    rule = template.rule or {}
    return {
        "title": template.title,
        "description": html_to_text(template.description),
        "responsible": template.responsible_id,
        "accomplices": template.accomplices,
        "auditors": template.auditors,
        "priority": template.priority,
        "deadline_amount": (after // DAY if in_days else after // HOUR) or None,
        "deadline_unit": "days" if in_days or not after else "hours",
        "requires_control": template.requires_control,
        "checklist": checklist_to_text(template.checklist),
        "project": template.project_id,
        "tags": ", ".join(template.tags or []),
        **{name: rule.get(name) for name in RULE_FIELDS if rule.get(name) is not None},
        "end": "until" if rule.get("until") else "count" if rule.get("count") else "never",
    }


def _template_or_404(user, pk: int) -> TaskTemplate:
    try:
        return service.get_template(user, pk)
    except NotFound as error:
        raise Http404 from error


def _back(template: TaskTemplate):
    """After saving or deleting: a sub-template's parent, or the list."""
    return redirect("tasks:template_edit", pk=template.parent_id) if template.parent_id else redirect("tasks:templates")


@login_required
def template_list(request):
    rows = [{"template": template, "rule": describe(template.rule)} for template in service.my_templates(request.user)]
    return render(request, "tasks/templates/list.html", {"rows": rows, "tabs": tabs("templates")})


def _form_page(request, template: TaskTemplate | None, parent: TaskTemplate | None = None):
    recurring = (template is None and parent is None) or (template is not None and template.parent_id is None)
    initial = initial_for(template) if template else {"responsible": request.user.pk, "start": timezone.localdate()}
    form = TemplateForm(request.POST or None, user=request.user, recurring=recurring, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fields = form.task_fields(template)
            rule = form.rule()
            if template is None:
                template = service.create_template(by=request.user, parent=parent, rule=rule, **fields)
            elif recurring:
                service.update_template(template, by=request.user, rule=rule, **fields)
            else:
                service.update_template(template, by=request.user, **fields)
        except Invalid as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("The template is saved."))
            return _back(template)
    context = {
        "form": form,
        "template": template,
        "parent": parent or (template.parent if template else None),
        "children": service.sub_templates(template) if template else [],
        "upcoming": service.upcoming(template) if template and template.active else [],
        "rule_text": describe(template.rule) if template else "",
        "tabs": tabs("templates"),
    }
    return render(request, "tasks/templates/form.html", context)


@login_required
def template_new(request):
    parent_id = request.GET.get("parent", "")
    parent = _template_or_404(request.user, int(parent_id)) if parent_id.isdigit() else None
    return _form_page(request, None, parent)


@login_required
def template_edit(request, pk: int):
    template = _template_or_404(request.user, pk)
    if request.method == "POST" and request.POST.get("action") == "delete":
        service.delete_template(template, by=request.user)
        messages.success(request, _("The template is deleted."))
        return _back(template)
    return _form_page(request, template)


@login_required
@require_POST
def template_from_task(request, pk: int):
    task = selectors.get_task(request.user, pk)
    if task is None:
        raise Http404
    try:
        template = service.save_as_template(task, by=request.user)
    except NotFound as error:
        raise Http404 from error
    except KontoraError as error:
        messages.error(request, error.message)
        return redirect("tasks:card", pk=task.pk)
    messages.success(request, _("The task is saved as a template."))
    return redirect("tasks:template_edit", pk=template.pk)


@login_required
@require_POST
def template_use(request, pk: int):
    template = _template_or_404(request.user, pk)
    try:
        task = service.create_from_template(template, by=request.user)
    except KontoraError as error:
        messages.error(request, error.message)
        return redirect("tasks:template_edit", pk=template.pk)
    messages.success(request, _("The task is set from the template."))
    return redirect("tasks:card", pk=task.pk)


urlpatterns = [
    path("templates/", template_list, name="templates"),
    path("templates/new/", template_new, name="template_new"),
    path("templates/<int:pk>/", template_edit, name="template_edit"),
    path("templates/<int:pk>/use/", template_use, name="template_use"),
    path("<int:pk>/save-as-template/", template_from_task, name="template_from_task"),
]
