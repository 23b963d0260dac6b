"""Forms for contacts, the home-visit checklist, voiding and escalation steps. Forms check the
shape of the input; contacts.services decides whether it is allowed (dates, checklists, roles)."""

from django import forms
from django.utils import timezone

from core.forms import DateInput, PlainForm, PlainModelForm, TimeInput
from core.idempotency import OnceFormMixin

from .models import Contact, EscalationStep, Method, Outcome, VisitCheck
from .services import SHORT_TERM_CHECK_FIELDS, VISIT_CHECK_FIELDS


class ContactForm(OnceFormMixin, forms.ModelForm):
    required_messages = {  # issue 15, item 3
        "date": "Enter the date of the contact.",
        "method": "Choose how the contact was made.",
        "with_whom": "Choose who the contact was with.",
        "outcome": "Choose the outcome of the contact.",
        "note": "Write the case note: what happened, what was agreed and what happens next.",
    }

    class Meta:
        model = Contact
        fields = ["date", "time", "method", "with_whom", "third_party_name", "outcome", "purpose", "offered_date",
                  "offered_time", "note"]
        widgets = {
            "date": DateInput(past=True),
            "time": TimeInput(),
            "offered_date": DateInput(),
            "offered_time": TimeInput(),
            "method": forms.Select(),
            "note": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {
            "date": "Date of the contact",
            "time": "Time",
            "method": "How",
            "with_whom": "With whom",
            "third_party_name": "Name of the third party",
            "note": "Case note",
        }
        help_texts = {
            "date": "Not in the future.",
            "third_party_name": "Only when the contact was with a third party.",
            "purpose": "Choose the keeping-in-touch offer when you offered a visit with a date and time.",  # S5
            "offered_date": "Keeping-in-touch offers only: the date of the visit you offered.",  # S5
            "offered_time": "Keeping-in-touch offers only: the time of the visit you offered.",  # S5
            "note": "What happened, what was agreed and what happens next (reg 8(1)(g)).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [("", "Choose how"), *Method.choices]
        self.fields["outcome"].choices = [("", "Choose the outcome"), *Outcome.choices]
        self.fields["date"].initial = timezone.localdate()
        self.fields["note"].required = True


class VisitCheckForm(PlainModelForm):
    """The living-environment check of a completed home visit (C3, T6). Every item is optional here:
    the service requires them only when the contact is a completed home visit."""

    class Meta:
        model = VisitCheck
        fields = [*VISIT_CHECK_FIELDS, *SHORT_TERM_CHECK_FIELDS, "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"notes": "Notes on the living environment"}

    def __init__(self, *args, short_term: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not short_term:
            for name in SHORT_TERM_CHECK_FIELDS:
                del self.fields[name]
        for field in self.fields.values():
            field.required = False
            if isinstance(field, forms.ChoiceField):
                field.choices = [("", "Choose")] + [c for c in field.choices if c[0]]

    def _post_clean(self):
        pass  # nothing to validate against the model: the service builds the row

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value}


class VoidContactForm(PlainForm):
    reason = forms.CharField(
        label="Why was this contact recorded in error?", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class EscalationForm(OnceFormMixin):
    step = forms.ChoiceField(label="Step taken", choices=[("", "Choose the step"), *EscalationStep.choices])
    date = forms.DateField(label="Date", widget=DateInput(past=True), help_text="Not in the future.")
    note = forms.CharField(
        label="Case note", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Every step needs a note: who you spoke to, what you did and what happens next.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class OversightAnswerForm(PlainForm):
    answer = forms.CharField(
        label="Your oversight", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you considered, what was decided and what happens next.",  # S5
    )


class CorrectContactForm(PlainForm):
    """Issue 12, item 5: a contact's date, time, method, outcome or note corrected, with a reason; `version` is the
    version the form was read at (a correction by someone else in between is refused, StaleVersion)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    date = forms.DateField(label="Date of the contact", widget=DateInput(), help_text="Not in the future.")
    time = forms.TimeField(label="Time", widget=TimeInput(), required=False)
    method = forms.ChoiceField(label="How", choices=[("", "Choose how"), *Method.choices])
    outcome = forms.ChoiceField(label="Outcome", choices=[("", "Choose the outcome"), *Outcome.choices])
    note = forms.CharField(label="Case note", widget=forms.Textarea(attrs={"rows": 5}))
    reason = forms.CharField(
        label="Why is this being corrected?", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the earlier version, which managers can read.",
    )
