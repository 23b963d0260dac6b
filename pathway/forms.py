import datetime as dt

from django import forms
from django.utils import timezone

from core.forms import DateInput

from .models import PathwayPlan
from .services import sections_for, version_token

HELP = {
    "young_persons_voice": "In their own words: their wishes, feelings and views. If they cancelled or were unavailable, "
                           "write what is known and how (P4).",
    "contact_arrangements": "How and how often you will keep in touch.",
    "attempts_to_engage": "Every attempt made, with dates (S1, S4).",
    "offer_shared": "When the offer of support was shared with the young person (S4).",
}


class PlanForm(forms.Form):
    """The sections of a plan of its kind (P5; S4 for a step-back plan; the brief plan of D3), and the
    version they were read at (`read_at`, hidden: a save over someone else's later save is refused)."""

    read_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, plan: PathwayPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["read_at"].initial = version_token(plan)
        for name in sections_for(plan.kind):
            field = PathwayPlan._meta.get_field(name).formfield(required=False)
            field.widget = forms.Textarea(attrs={"rows": 3})
            field.label = field.label[:1].upper() + field.label[1:]
            field.help_text = HELP.get(name, "")
            field.initial = getattr(plan, name)
            self.fields[name] = field

    def clean_read_at(self) -> dt.datetime | None:
        value = self.cleaned_data["read_at"]
        if not value:  # a form from before versions were carried: saved as before
            return None
        try:
            read_at = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise forms.ValidationError("The page was not read properly: open the plan again.") from exc
        return read_at if timezone.is_aware(read_at) else None

    def content(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.fields if name != "read_at"}


class _Distinct(forms.Form):
    """Several small forms share the plan page: give each its own element ids."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)


class ReturnForm(_Distinct):
    comments = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Comments for the Personal Adviser")


class SignOffForm(_Distinct):
    comments = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Sign-off comments (optional)")
    no_visit_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False,
        label="Why the plan is signed off without a visit since the previous review",
        help_text="Only if no visit was made: the Personal Adviser visits before each review (reg 8(2)(b)).")


class SharedForm(_Distinct):
    shared_on = forms.DateField(label="Date shared with the young person", widget=DateInput(past=True))  # issue 15, item 2

    def clean_shared_on(self):
        value = self.cleaned_data["shared_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return value
