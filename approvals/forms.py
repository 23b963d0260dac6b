"""One form per kind of arrangement: each validates its kind's record and gives `details()` for the
Arrangement.details JSON (R1/R2, S1/S6, D1/D2/D3); the decision forms (S2 at activation); marking a young
person vulnerable or at risk (R1); a manager's agreed interval (T4)."""

from django import forms
from django.utils import timezone

from careleavers.models import CaseNote
from compliance.models import RequirementCode
from core.dates import british
from core.forms import DateInput, PlainForm

from .models import ArrangementKind, StepBackItem
from .services import D1_CRITERIA, D3_FAMILY_INFORMED, R2_CONFIRMATIONS


def _text(label: str, *, required: bool = True, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows}))


class ReducedVisitsForm(PlainForm):
    """R1 (eligibility, assessed by the service) and R2 (the conversation)."""

    kind = ArrangementKind.REDUCED_VISITS
    asked_for_it = forms.BooleanField(required=False, label="The young person asked for reduced visits")
    long_term_linked = forms.BooleanField(required=False, label="Was long-term linked and is used to reduced contact")
    at_risk = forms.BooleanField(required=False, label="The young person is vulnerable or at risk")
    low_support_needs = forms.BooleanField(required=False, label="Assessed as having low support needs")
    needs_met_by_community = forms.BooleanField(required=False, label="Needs are met by community resources")
    wish_and_reasons = _text("The young person's wish and their reasons")  # R2
    understands_contact_continues = forms.BooleanField(label=R2_CONFIRMATIONS["understands_contact_continues"].capitalize())
    agrees_to_respond = forms.BooleanField(label=R2_CONFIRMATIONS["agrees_to_respond"].capitalize())
    agrees_to_report_changes = forms.BooleanField(label=R2_CONFIRMATIONS["agrees_to_report_changes"].capitalize())
    knows_can_contact_service = forms.BooleanField(label=R2_CONFIRMATIONS["knows_can_contact_service"].capitalize())
    keeping_in_touch = _text("Keeping-in-touch frequency and method", rows=2,  # R3
                             help_text="For example: phone or WhatsApp every 4 weeks; a visit if three contacts go unanswered.")

    def details(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "keeping_in_touch"}


class StepBackForm(PlainForm):
    """S1 (attempts and the light-touch offer), S3 (the young person's wish) and S6 (a conduit)."""

    kind = ArrangementKind.STEP_BACK
    attempts_to_engage = _text("Attempts made to engage the young person, with dates")  # S1
    light_touch_offer = _text("The light-touch offer made (phone, email, letters, cards, a third party)")  # S1
    young_persons_wish = _text("The young person's wish")  # S3
    conduit_name = forms.CharField(required=False, label="Third party acting as conduit",  # S6
                                   help_text="Only if the young person chose someone to pass messages on.")
    conduit_relationship = forms.CharField(required=False, label="Their relationship to the young person")
    conduit_consent = forms.BooleanField(required=False, label="The young person consents to contact through them")
    keeping_in_touch = _text("Keeping-in-touch offer: how and how often", rows=2,  # S5
                             help_text="A visit is offered at least every 3 months by letter, text, email or message.")

    def clean(self):
        data = super().clean()
        if data.get("conduit_name") and not data.get("conduit_consent"):
            self.add_error("conduit_consent", "Record the young person's consent before contact goes through a third party.")
        return data

    def details(self) -> dict:
        data = self.cleaned_data
        details = {k: data[k] for k in ("attempts_to_engage", "light_touch_offer", "young_persons_wish")}
        if data.get("conduit_name"):
            details["conduit"] = {"name": data["conduit_name"], "relationship": data["conduit_relationship"],
                                  "consent": data["conduit_consent"]}
        return details


class DifferentNeedsForm(PlainForm):
    """D1 (all three criteria; the home is checked against the recorded accommodation), D2 (who agreed) and
    D3 (what the family was given and told)."""

    kind = ArrangementKind.DIFFERENT_NEEDS
    would_not_understand_pa_role = forms.BooleanField(label=D1_CRITERIA["would_not_understand_pa_role"].capitalize())
    lives_in_specialist_home = forms.BooleanField(label=D1_CRITERIA["lives_in_specialist_home"].capitalize())
    no_unaddressed_independence_needs = forms.BooleanField(label=D1_CRITERIA["no_unaddressed_independence_needs"].capitalize())
    agreed_professionals = _text("Professionals who agreed", help_text="One per line: name and role.")  # D2
    agreed_family = _text("Family members or carers who agreed", help_text="One per line: name and relationship.")  # D2
    family_given_local_offer = forms.BooleanField(  # D3
        label=D3_FAMILY_INFORMED["family_given_local_offer"].capitalize())
    family_given_contact_details = forms.BooleanField(
        label=D3_FAMILY_INFORMED["family_given_contact_details"].capitalize())  # D3
    family_told_can_ask_for_more_support = forms.BooleanField(
        label=D3_FAMILY_INFORMED["family_told_can_ask_for_more_support"].capitalize())  # D3
    keeping_in_touch = _text("Visiting pattern", rows=2,  # D3
                             help_text="Contact with the lead social worker at least every 12 weeks, family every 6 months.")

    def details(self) -> dict:
        data = self.cleaned_data
        agreed = [
            {"name": line.strip(), "role": role}
            for field, role in (("agreed_professionals", "professional"), ("agreed_family", "family or carer"))
            for line in data[field].splitlines()
            if line.strip()
        ]
        return {**{k: data[k] for k in D1_CRITERIA}, "agreed_by": agreed, **{k: data[k] for k in D3_FAMILY_INFORMED}}


FORMS = {form.kind: form for form in (ReducedVisitsForm, StepBackForm, DifferentNeedsForm)}


class DecisionForm(PlainForm):
    required_messages = {"rationale": "Write your rationale: it is kept on the record with your decision."}
    rationale = forms.CharField(label="Rationale", widget=forms.Textarea(attrs={"rows": 3}),
                                help_text="Kept on the record with your name and the date.")  # O2


class StepBackApproveForm(DecisionForm):
    """The Team Leader's decision on a step back: for each S2 item not recorded as given, why it could not be."""

    def __init__(self, *args, missing: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.missing = missing
        for item in missing:
            self.fields[f"not_given_{item}"] = forms.CharField(
                required=False, label=f"Why {StepBackItem(item).label[:1].lower()}{StepBackItem(item).label[1:]} "
                                      "could not be given",  # S2
                help_text="Only if it was not given: otherwise the Personal Adviser records it as given first.")

    def not_given(self) -> dict[str, str]:
        return {item: self.cleaned_data.get(f"not_given_{item}", "") for item in self.missing}


class VulnerableForm(PlainForm):
    """R1, E2: the young person is (or is no longer) vulnerable or at risk, and why."""

    vulnerable = forms.BooleanField(required=False, label="The young person is vulnerable or at risk")
    reason = _text("Why (what has changed)")


class SupervisionNoteField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        held = obj.supervision.held_on if obj.supervision_id else obj.created_at.date()
        return f"{british(held)}, {obj.author.name if obj.author else 'unknown'}: {obj.text[:60]}"


class IntervalOverrideForm(PlainForm):
    """T4: the interval agreed in supervision for one requirement; longer than the policy's needs the reason."""

    requirement = forms.ChoiceField(label="Requirement")
    interval_days = forms.IntegerField(label="Interval agreed (days)", min_value=1, max_value=3650)
    reason = _text("Reason agreed in supervision", required=False,  # T4
                   help_text="Required when the interval is longer than the policy's.")

    # issue 12 (item 3): the supervision note that agreed it (T4); the override points at it
    supervision_note = SupervisionNoteField(queryset=CaseNote.objects.none(), required=False,
                                            label="Agreed in supervision", empty_label="Not from a supervision note",  # T4
                                            help_text="The supervision case note that agreed this interval: its text is "
                                                      "the reason when none is written.")

    def __init__(self, *args, pack_intervals: dict[str, int], supervision_notes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].choices = [
            (code, f"{RequirementCode(code).label} (policy: every {days} days)")
            for code, days in sorted(pack_intervals.items())
        ]
        if supervision_notes is None:
            del self.fields["supervision_note"]
        else:
            self.fields["supervision_note"].queryset = supervision_notes


class IntervalClearForm(PlainForm):
    requirement = forms.ChoiceField(choices=RequirementCode.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label="Why the agreed interval no longer applies")


class StepBackItemForm(PlainForm):
    item = forms.ChoiceField(choices=StepBackItem.choices, label="What was given")  # S2
    given_on = forms.DateField(label="Date given", widget=DateInput(past=True))  # issue 15, item 2

    def clean_given_on(self):
        value = self.cleaned_data["given_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return value
