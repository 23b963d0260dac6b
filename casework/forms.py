"""Forms for events and planned absences. Forms check shape; careleavers.services decides."""

from django import forms
from django.utils import timezone

from careleavers.models import AbsenceReason, CardKind, EventKind, LegalStatus
from core.forms import DateInput, PlainForm
from core.idempotency import OnceFormMixin


class EventForm(OnceFormMixin):
    kind = forms.ChoiceField(label="What happened", choices=[("", "Choose"), *list(EventKind.choices)])
    date = forms.DateField(label="Date it happened", widget=DateInput(past=True), help_text="Not in the future.")
    notes = forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class AbsenceForm(OnceFormMixin):
    start = forms.DateField(label="First day", widget=DateInput())
    end = forms.DateField(label="Last day", widget=DateInput())
    reason = forms.ChoiceField(label="Reason", choices=[("", "Choose"), *list(AbsenceReason.choices)])


class LegalStatusForm(PlainForm):
    """T8: a change of legal status from a date, with the reason (careleavers.LegalStatusChange)."""

    status = forms.ChoiceField(label="Legal status", choices=[("", "Choose"), *list(LegalStatus.choices)])
    from_date = forms.DateField(label="In force from", widget=DateInput(past=True), help_text="Not in the future.")
    pa_service = forms.BooleanField(
        label="Has a PA service", required=False, initial=True,
        # T9: the duty admin's cards
        help_text="Qualifying (section 24) only: untick when the council gives no PA service; the duty admin then sends cards.",
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_date"].initial = timezone.localdate()


class CardSentForm(PlainForm):
    """T9: a card sent by the duty admin."""

    kind = forms.ChoiceField(label="Card", choices=list(CardKind.choices))
    date = forms.DateField(label="Sent on", widget=DateInput(past=True), help_text="Not in the future.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
