"""Forms of issue 11 (items 1, 6, 8): registration, allocation and cover, closing and reopening. Forms check
shape; compliance.services decides (a refusal is shown next to its field with core.forms.add_service_error)."""

from django import forms
from django.utils import timezone

from careleavers.models import AbsenceReason, ClosureReason, LegalStatus
from core.forms import DateInput, PlainForm
from core.idempotency import OnceFormMixin


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.team.name})" if obj.team_id else obj.name


class RegisterForm(OnceFormMixin):
    """Issue 11, item 1: a referral."""

    required_messages = {  # issue 15, item 3
        "name": "Give the young person's full name.",
        "date_of_birth": "Give the date of birth.",
        "legal_status": "Choose the young person's legal status.",
        "legal_status_from": "Give the date the legal status has been in force from.",
        "referring_team": "Choose the team the referral is for.",
    }

    name = forms.CharField(label="Full name", max_length=200)
    preferred_name = forms.CharField(label="Preferred name", max_length=200, required=False,
                                     help_text="What they like to be called, if not their first name.")
    date_of_birth = forms.DateField(label="Date of birth", widget=DateInput(),
                                    help_text="Not in the future; they are 14 or over.")
    legal_status = forms.ChoiceField(label="Legal status", choices=[("", "Choose"), *list(LegalStatus.choices)])
    legal_status_from = forms.DateField(label="Legal status in force from", widget=DateInput())
    ceased_looked_after_on = forms.DateField(label="Date they ceased to be looked after", widget=DateInput(),
                                             required=False, help_text="Leave empty if they are still looked after.")
    referring_team = forms.ModelChoiceField(label="Team the referral is for", queryset=None, empty_label="Choose")

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referring_team"].queryset = teams


class AllocateForm(PlainForm):
    pa = StaffChoiceField(label="Personal Adviser", queryset=None, empty_label="Choose")
    start = forms.DateField(label="From", widget=DateInput(), help_text="Not in the future.")
    reason = forms.CharField(label="Reason", required=False, max_length=200,
                             help_text="For a reallocation: why the case moves.")
    #: Who held the case when the form was drawn (empty: no one): a change by someone else meanwhile is refused.
    holder = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, advisers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pa"].queryset = advisers
        self.fields["start"].initial = timezone.localdate()


class CoverForm(OnceFormMixin):
    pa = StaffChoiceField(label="Covering Personal Adviser", queryset=None, empty_label="Choose")
    start = forms.DateField(label="First day of cover", widget=DateInput())
    end = forms.DateField(label="Last day of cover", widget=DateInput())
    reason = forms.CharField(label="Reason", required=False, max_length=200, help_text="For example: annual leave.")

    def __init__(self, *args, advisers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pa"].queryset = advisers


class TeamAbsenceForm(OnceFormMixin):
    """V5: a Team Leader enters a PA's planned absence."""

    staff = StaffChoiceField(label="Personal Adviser", queryset=None, empty_label="Choose")
    start = forms.DateField(label="First day", widget=DateInput())
    end = forms.DateField(label="Last day", widget=DateInput())
    reason = forms.ChoiceField(label="Reason", choices=[("", "Choose"), *list(AbsenceReason.choices)])

    def __init__(self, *args, advisers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = advisers


class CloseForm(PlainForm):
    closed_on = forms.DateField(label="Closed from", widget=DateInput(), help_text="Not in the future.")
    reason = forms.ChoiceField(label="Why the case is closing", choices=[("", "Choose"), *list(ClosureReason.choices)])
    details = forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Needed for “Other”.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()


class ReopenForm(PlainForm):
    reopened_on = forms.DateField(label="Reopened from", widget=DateInput(),
                                  help_text="The contact pattern starts again from this day.")
    pa = StaffChoiceField(label="Personal Adviser", queryset=None, empty_label="Choose")
    extended_support_requested_on = forms.DateField(
        label="Asked for support to 25 on", widget=DateInput(), required=False,
        help_text="After 21: the date of their request (CSWA 2017, s3). Empty: the reopening date.")
    reason = forms.CharField(label="Why the case is reopening", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, advisers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pa"].queryset = advisers
        self.fields["reopened_on"].initial = timezone.localdate()


class ExtendedSupportForm(PlainForm):
    requested_on = forms.DateField(label="Asked for support to 25 on", widget=DateInput(),
                                   help_text="CSWA 2017, s3. Not in the future.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_on"].initial = timezone.localdate()
