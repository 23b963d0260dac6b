"""Forms for events and planned absences. Forms check shape; careleavers.services decides."""

from django import forms
from django.utils import timezone

from careleavers.models import AbsenceReason, EventKind
from core.forms import DateInput


class EventForm(forms.Form):
    kind = forms.ChoiceField(label="What happened", choices=[("", "Choose")] + list(EventKind.choices))
    date = forms.DateField(label="Date it happened", widget=DateInput(), help_text="Not in the future.")
    notes = forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class AbsenceForm(forms.Form):
    start = forms.DateField(label="First day", widget=DateInput())
    end = forms.DateField(label="Last day", widget=DateInput())
    reason = forms.ChoiceField(label="Reason", choices=[("", "Choose")] + list(AbsenceReason.choices))
