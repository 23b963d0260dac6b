"""Forms of the case record pages (issue 11, items 2-4 and 7): details, addresses, key professionals,
accommodation, education/employment/training and flags. Forms validate the shape; services decide."""

from django import forms
from django.utils import timezone

from careleavers.codes import ACCOMMODATION_TYPES, ACTIVITY
from careleavers.models import ContactPreference, FlagKind, ProfessionalRole
from core.forms import DateInput, PlainForm
from core.idempotency import OnceFormMixin

_NOT_FUTURE = "Not in the future."


class DetailsForm(PlainForm):
    """Item 2: identity and contact details. Carries the version it was read at (no lost updates)."""

    phone = forms.CharField(label="Phone", max_length=40, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    email = forms.EmailField(label="E-mail", required=False)
    preferred_contact = forms.ChoiceField(label="Preferred way to be contacted", required=False,
                                          choices=[("", "Not recorded"), *ContactPreference.choices])
    ni_number = forms.CharField(label="National Insurance number", max_length=13, required=False,
                                help_text="Two letters, six digits and A, B, C or D, e.g. AB 12 34 56 C.")
    first_language = forms.CharField(label="First language", max_length=100, required=False)
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)
    religion = forms.CharField(label="Religion", max_length=100, required=False)
    immigration_status = forms.CharField(label="Immigration status", max_length=200, required=False)
    uasc_details = forms.CharField(label="UASC details", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text="Unaccompanied asylum-seeking child: arrival, claim, leave to remain.")
    read_version = forms.CharField(widget=forms.HiddenInput, required=False)


class _PeriodForm(OnceFormMixin):
    start = forms.DateField(label="From", widget=DateInput(), help_text=_NOT_FUTURE)
    end = forms.DateField(label="To", widget=DateInput(), required=False,
                          help_text="Leave empty for where things stand now: the current one then ends on the "
                                    "day this starts. Give it for a past period.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].initial = timezone.localdate()


class AddressForm(_PeriodForm):
    address = forms.CharField(label="Address", widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}))
    field_order = ["address", "start", "end"]


class ProfessionalForm(OnceFormMixin):
    role = forms.ChoiceField(label="Role", choices=[("", "Choose"), *ProfessionalRole.choices])
    name = forms.CharField(label="Name", max_length=200)
    organisation = forms.CharField(label="Organisation or practice", max_length=200, required=False)
    phone = forms.CharField(label="Phone", max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(label="E-mail", required=False)
    notes = forms.CharField(label="Notes", max_length=500, required=False)


class ProfessionalEndForm(PlainForm):
    ended_on = forms.DateField(label="No longer involved from", widget=DateInput(), help_text=_NOT_FUTURE)


class AccommodationForm(_PeriodForm):
    code = forms.ChoiceField(label="Type of accommodation (SSDA903)",
                             choices=[("", "Choose"), *[(k, f"{k}: {v}") for k, v in ACCOMMODATION_TYPES.items()]])
    address = forms.CharField(label="Address", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="For where they live now, it is added to the address history too.")
    provider = forms.CharField(label="Provider or landlord", max_length=200, required=False)
    council_provided = forms.BooleanField(label="Provided by the council", required=False)
    staying_put = forms.BooleanField(label="Staying put with former foster carers", required=False)
    suitable = forms.BooleanField(label="Suitable", required=False, initial=True,
                                  help_text="Reg 9 and Schedule 2. Untick when it is not, and say why.")
    unsuitable_reason = forms.CharField(label="Why it is not suitable", required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["code", "start", "end", "address", "provider", "council_provided", "staying_put", "suitable",
                   "unsuitable_reason"]


class ActivityForm(_PeriodForm):
    code = forms.ChoiceField(label="Activity (SSDA903)",
                             choices=[("", "Choose"), *[(k, f"{k}: {v}") for k, v in ACTIVITY.items() if k != "0"]])
    provider = forms.CharField(label="Provider or employer", max_length=200, required=False)
    field_order = ["code", "start", "end", "provider"]


class FlagForm(OnceFormMixin):
    kind = forms.ChoiceField(label="Flag", choices=[("", "Choose"), *FlagKind.choices])
    set_on = forms.DateField(label="From", widget=DateInput(), help_text=_NOT_FUTURE)
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["set_on"].initial = timezone.localdate()


class FlagClearForm(PlainForm):
    cleared_on = forms.DateField(label="Cleared from", widget=DateInput(), help_text=_NOT_FUTURE)
    reason = forms.CharField(label="Why it no longer applies", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cleared_on"].initial = timezone.localdate()
