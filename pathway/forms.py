import datetime as dt

from django import forms
from django.utils import timezone

from careleavers.selectors import personal_advisers_of_team
from core.forms import DateInput, PlainForm

from .models import STEP_BACK_SECTIONS, ActionStatus, Dimension, PathwayPlan, SharedHow
from .services import sections_for, version_token
from .structure import DIMENSION_FIELDS, ENTITLEMENTS

HELP = {
    "young_persons_voice": "In their own words: their wishes, feelings and views on the plan. If they declined or "
                           "were unavailable, write what is known and how.",  # P4
    "contact_arrangements": "Anything else about keeping in touch: where, who else, what works for them.",
    "contact_every_weeks": "It must agree with the arrangement in force: the page says why if it does not.",
    "contingency_plan": "What happens if things go wrong (a tenancy fails, a course ends, they go missing), "
                        "and who to call.",
    "attempts_to_engage": "Every attempt made, with dates.",  # S1, S4
    "offer_shared": "When the offer of support was shared with the young person.",  # S4
    "arrangement_reasons": "Why they want fewer visits, in their words.",  # R2, R3
    "arrangement_assessment": "Their support needs and why reduced visits are right for them.",  # R1, R3
}
#: Labels on the form: per dimension, whose words each box holds (issue 13, item 1).
DIMENSION_LABELS = {
    **{words: f"{Dimension(d).label}: in their own words" for d, (_, words) in DIMENSION_FIELDS.items()},
    **{assessment: f"{Dimension(d).label}: the Personal Adviser's assessment"
       for d, (assessment, _) in DIMENSION_FIELDS.items()},
}
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(PlainForm):
    """The sections of a plan of its kind (P5; S4 for a step-back plan; the brief plan of D3), and the
    version they were read at (`read_at`, hidden: a save over someone else's later save is refused)."""

    read_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, plan: PathwayPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["read_at"].initial = version_token(plan)
        carries = plan.arrangement_id is not None and plan.arrangement.approved_by_plan_sign_off
        for name in sections_for(plan.kind, carries_request=carries):
            model_field = PathwayPlan._meta.get_field(name)
            if name == "pa":
                team_id = plan.young_person.pa.team_id if plan.young_person.pa_id else None
                field = forms.ModelChoiceField(personal_advisers_of_team(team_id), required=False,
                                               label="The Personal Adviser named in the plan")
                field.initial = plan.pa_id
            elif name == "contact_every_weeks":
                field = forms.IntegerField(required=False, min_value=1, max_value=26, label="How often: every … weeks")
                field.initial = plan.contact_every_weeks
            elif model_field.choices:
                field = model_field.formfield(required=False)
                field.initial = getattr(plan, name)
            elif isinstance(model_field, type(PathwayPlan._meta.get_field("local_offer_shared_on"))):
                field = forms.DateField(required=False, widget=DATE_WIDGET, label=ENTITLEMENTS[name])
                field.initial = getattr(plan, name)
            else:
                field = model_field.formfield(required=False)
                field.widget = forms.Textarea(attrs={"rows": 3})
                field.initial = getattr(plan, name)
            field.label = DIMENSION_LABELS.get(name) or field.label[:1].upper() + field.label[1:]
            field.help_text = HELP.get(name, "")
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

    def content(self) -> dict:
        """The fields posted (a field the form did not send is left as it is: an older form, or a test)."""
        return {name: self.cleaned_data[name] for name in self.fields
                if name != "read_at" and self.add_prefix(name) in self.data}

    def dimension_rows(self):
        """Per dimension of this plan: (label, the young person's words field, the PA's assessment field)."""
        return [(Dimension(d).label, self[words], self[assessment])
                for d, (assessment, words) in DIMENSION_FIELDS.items() if words in self.fields]

    def group(self, *names):
        return [self[name] for name in names if name in self.fields]

    # The form's parts, in the order the page shows them (templates cannot pass arguments).
    def general(self):
        return self.group("pa", "participation", "young_persons_voice")

    def contingency(self):
        return self.group("contingency_plan")

    def contact(self):
        return self.group("contact_method", "contact_every_weeks", "contact_arrangements")

    def entitlements(self):
        return self.group(*ENTITLEMENTS)

    def step_back(self):
        return self.group(*STEP_BACK_SECTIONS)

    def request(self):
        return self.group("arrangement_reasons", "arrangement_assessment")


class ActionForm(PlainForm):
    """One action (issue 13, item 1): what, who, by when, status; `id` names an action of this version."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    what = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="What will be done")
    who = forms.CharField(max_length=200, required=False, label="Who does it")
    by_when = forms.DateField(required=False, widget=DATE_WIDGET, label="By when")
    dimension = forms.ChoiceField(choices=[("", "Any need"), *Dimension.choices], required=False, label="Need")
    status = forms.ChoiceField(choices=ActionStatus.choices, initial=ActionStatus.NOT_STARTED, label="Status")

    def clean(self):
        data = super().clean()
        if self.has_changed() and (data.get("what") or data.get("who")):
            if not (data.get("what") or "").strip():
                self.add_error("what", "Say what will be done.")
            if not (data.get("who") or "").strip():
                self.add_error("who", "Say who will do it.")
        return data


ActionFormSet = forms.formset_factory(ActionForm, extra=2, max_num=60, validate_max=True)


def action_rows(formset) -> list[dict]:
    """The rows to save: every existing action, and each new row that was filled in."""
    rows = []
    for form in formset:
        data = form.cleaned_data
        if data.get("id") or (data.get("what") or "").strip():
            rows.append({k: data.get(k) for k in ("id", "dimension", "what", "who", "by_when", "status")})
    return rows


def action_initial(plan: PathwayPlan) -> list[dict]:
    return [{"id": a.pk, "what": a.what, "who": a.who, "by_when": a.by_when, "dimension": a.dimension,
             "status": a.status} for a in plan.actions.all()]


class _Distinct(PlainForm):
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
    how = forms.ChoiceField(choices=[("", "Choose how"), *SharedHow.choices], label="How it was shared")

    def clean_shared_on(self):
        value = self.cleaned_data["shared_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return value


class ApproveOnPlanForm(PlainForm):
    required_messages = {"rationale": "Write your rationale: it is kept on the record with your decision."}
    """Issue 13, item 3: the approvals page's approval of a request made on a plan (its sign-off, R4)."""

    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Rationale")
    no_visit_reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                      label="Why the plan is signed off without a visit since the previous review")
