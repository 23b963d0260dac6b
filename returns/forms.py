import datetime as dt

from django import forms
from django.utils import timezone

from contacts import codes
from contacts.models import Contact
from core.forms import DateInput, PlainForm
from core.idempotency import OnceFormMixin

from . import dfe
from .services import birthday_age_for
from .windows import collection_year_of


def _blank(label: str, options: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", label), *options]


class InTouchCheckForm(OnceFormMixin):
    date = forms.DateField(label="Date of the check", widget=DateInput(past=True))  # issue 15, item 2
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(), required=False, label="Contact it was made at (optional)",
        help_text="The contact around the birthday when you asked.",
    )
    in_touch = forms.ChoiceField(label="In touch", choices=_blank("Choose…", codes.choices(codes.IN_TOUCH)))
    activity = forms.ChoiceField(label="Activity", choices=_blank("Choose…", codes.choices(codes.ACTIVITY)))
    accommodation = forms.ChoiceField(
        label="Accommodation and its suitability", choices=_blank("Choose…", codes.choices(codes.ACCOMMODATION)),
        help_text="The letter is the type of accommodation; 1 means suitable, 2 unsuitable.",
    )

    def __init__(self, *args, young_person, **kwargs):
        super().__init__(*args, **kwargs)
        self.young_person = young_person
        self.fields["contact"].queryset = Contact.objects.filter(
            young_person=young_person, voided_at__isnull=True).order_by("-date", "-id")

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        if day < self.young_person.date_of_birth:
            raise forms.ValidationError("The date cannot be before the young person was born.")
        return day

    def clean(self):
        data = super().clean()
        if all(data.get(k) for k in ("in_touch", "activity", "accommodation")):
            age = birthday_age_for(self.young_person, data["date"]) if data.get("date") else None
            for field, message in dfe.check_problems(in_touch=data["in_touch"], activity=data["activity"],
                                                     accommodation=data["accommodation"], age=age).items():
                self.add_error(field, message)
        contact = data.get("contact")
        if contact and data.get("date") and contact.date != data["date"]:
            self.add_error("contact", "The contact must be on the same date as the check.")
        return data


class ReturnsDetailsForm(PlainForm):
    sex = forms.ChoiceField(label="Sex", required=False, choices=_blank("Not recorded", list(dfe.SEX_CODES.items())))
    ethnicity = forms.ChoiceField(label="Ethnicity", required=False,
                                  choices=_blank("Not recorded", codes.choices(codes.ETHNICITY)))
    upn = forms.CharField(
        label="Unique Pupil Number (UPN)", required=False, max_length=13,
        help_text="13 characters, or a DfE unknown code: " + "; ".join(f"{k} {v}" for k, v in dfe.UPN_UNKNOWN_CODES.items()),
    )
    uasc = forms.BooleanField(label="Unaccompanied asylum-seeking child (now or formerly)", required=False)
    disability = forms.BooleanField(label="Disability", required=False)
    read_version = forms.CharField(widget=forms.HiddenInput, required=False)  # issue 14, item 5: no lost updates

    def clean_upn(self):
        upn = self.cleaned_data["upn"].strip().upper()
        if upn and not dfe.upn_is_valid(upn):
            raise forms.ValidationError("A UPN is a letter, 11 digits and a digit or letter, or one of UN2 to UN5.")
        return upn


def year_choices(today: dt.date) -> list[tuple[int, str]]:
    current = collection_year_of(today)
    return [(y, f"{y}-{str(y + 1)[2:]} (1 Apr {y} to 31 Mar {y + 1})") for y in range(current, current - 6, -1)]


class YearForm(PlainForm):
    year = forms.TypedChoiceField(label="Collection year", coerce=int)

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(today)


class AnnexAAsAtForm(PlainForm):
    """X2: the day Annex A list 9 is produced as at (the day an inspection is announced): today at the latest."""

    as_at = forms.DateField(label="Annex A list 9 as at", help_text="The day the inspection is announced; today at the latest.")

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["as_at"].widget = DateInput(attrs={"max": today.isoformat(), "class": "form-control"})
        self.fields["as_at"].initial = today

    def clean_as_at(self):
        day = self.cleaned_data["as_at"]
        if day > self.today:
            raise forms.ValidationError("Annex A is produced as at today or an earlier day, not a future one.")
        return day
