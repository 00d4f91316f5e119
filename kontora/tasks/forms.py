"""Forms of the task card: they parse and show errors; the services do the checking and writing."""

import html
import re

from django import forms
from django.utils.html import linebreaks
from django.utils.translation import gettext_lazy as _

from kontora.tasks import cards

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
_BREAK = re.compile(r"<br\s*/?>|</p>|</li>|</h\d>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def text_to_html(text: str) -> str:
    """A textarea's text as paragraphs (escaped; the service sanitizes it again)."""
    text = (text or "").strip()
    return linebreaks(text, autoescape=True) if text else ""


def html_to_text(value: str) -> str:
    """Stored HTML back to the textarea's plain text."""
    text = _BREAK.sub("\n", value or "")
    return re.sub(r"\n{3,}", "\n\n", html.unescape(_TAG.sub("", text))).strip()


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME_LOCAL)


def _person(person) -> str:
    return person.full_name


class TaskForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=255)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    responsible = forms.ModelChoiceField(label=_("responsible"), queryset=cards.active_users())
    accomplices = forms.ModelMultipleChoiceField(label=_("co-executors"), queryset=cards.active_users(), required=False)
    auditors = forms.ModelMultipleChoiceField(label=_("observers"), queryset=cards.active_users(), required=False)
    deadline = forms.DateTimeField(label=_("deadline"), required=False, widget=DateTimeLocal())
    start_date_plan = forms.DateTimeField(label=_("planned start"), required=False, widget=DateTimeLocal())
    end_date_plan = forms.DateTimeField(label=_("planned finish"), required=False, widget=DateTimeLocal())
    high_priority = forms.BooleanField(label=_("high priority"), required=False)
    requires_control = forms.BooleanField(label=_("accept the work after it is finished"), required=False)
    allow_change_deadline = forms.BooleanField(label=_("responsible may change the deadline"), required=False)
    estimate_hours = forms.IntegerField(label=_("hours"), min_value=0, max_value=9999, required=False)
    estimate_minutes = forms.IntegerField(label=_("minutes"), min_value=0, max_value=59, required=False)
    project = forms.ModelChoiceField(label=_("project"), queryset=None, required=False)
    parent = forms.IntegerField(label=_("parent task"), required=False, widget=forms.HiddenInput)
    tags = forms.CharField(label=_("tags"), required=False, help_text=_("Separate them with commas."))
    crm = forms.CharField(
        label=_("CRM"), required=False, help_text=_("Codes separated by commas: D_12 deal, L_3 lead, C_4 contact, "
                                                    "CO_5 company."),
    )  # fmt: skip

    def __init__(self, *args, projects, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("responsible", "accomplices", "auditors"):
            self.fields[name].label_from_instance = _person
        self.fields["project"].queryset = projects

    def clean_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]

    def clean_crm(self) -> list[str]:
        return [code.strip().upper() for code in re.split(r"[,\s]+", self.cleaned_data["crm"]) if code.strip()]

    def task_fields(self) -> dict:
        """The cleaned values as the task services take them."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in ("title", "responsible", "deadline", "start_date_plan", "end_date_plan", "requires_control",
                         "allow_change_deadline", "project", "parent", "tags")
        }  # fmt: skip
        fields["description"] = text_to_html(data["description"])
        fields["priority"] = 2 if data["high_priority"] else 1
        fields["time_estimate"] = (data["estimate_hours"] or 0) * 3600 + (data["estimate_minutes"] or 0) * 60
        fields["accomplices"] = list(data["accomplices"])
        fields["auditors"] = list(data["auditors"])
        fields["crm"] = data["crm"]
        return fields


def initial_for(task) -> dict:
    people = cards.members(task)
    return {
        "title": task.title,
        "description": html_to_text(task.description),
        "responsible": task.responsible_id,
        "accomplices": [person.pk for person in people["accomplices"]],
        "auditors": [person.pk for person in people["auditors"]],
        "deadline": task.deadline,
        "start_date_plan": task.start_date_plan,
        "end_date_plan": task.end_date_plan,
        "high_priority": task.priority == 2,
        "requires_control": task.requires_control,
        "allow_change_deadline": task.allow_change_deadline,
        "estimate_hours": task.time_estimate // 3600 or None,
        "estimate_minutes": task.time_estimate % 3600 // 60 or None,
        "project": task.project_id,
        "parent": task.parent_id,
        "tags": ", ".join(task.tags or []),
        "crm": ", ".join(cards.crm_codes(task)),
    }


class CommentForm(forms.Form):
    text = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_result = forms.BooleanField(label=_("this is the result of the task"), required=False)


class TimeForm(forms.Form):
    hours = forms.IntegerField(label=_("hours"), min_value=0, max_value=168, required=False)
    minutes = forms.IntegerField(label=_("minutes"), min_value=0, max_value=59, required=False)
    comment = forms.CharField(label=_("comment"), max_length=1000, required=False)

    def seconds(self) -> int:
        return (self.cleaned_data["hours"] or 0) * 3600 + (self.cleaned_data["minutes"] or 0) * 60


UNITS = {"minutes": 60, "hours": 3600, "days": 86400}


class ReminderForm(forms.Form):
    when = forms.ChoiceField(
        label=_("when"), choices=[("at", _("at a time")), ("before", _("before the deadline"))], initial="at"
    )
    at = forms.DateTimeField(label=_("time"), required=False, widget=DateTimeLocal())
    amount = forms.IntegerField(label=_("how long before"), min_value=1, max_value=999, required=False, initial=1)
    unit = forms.ChoiceField(
        label=_("unit"), choices=[("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))],
        initial="hours",
    )  # fmt: skip
    by_email = forms.BooleanField(label=_("also by email"), required=False)

    def reminder_fields(self) -> dict:
        data = self.cleaned_data
        if data["when"] == "before":
            amount = data["amount"] or 0
            if not amount:
                self.add_error("amount", _("Say how long before the deadline."))
                return {}
            return {"before_deadline": amount * UNITS[data["unit"]], "by_email": data["by_email"]}
        if data["at"] is None:
            self.add_error("at", _("Choose the time."))
            return {}
        return {"at": data["at"], "by_email": data["by_email"]}
