import datetime as dt

from django import forms

from core.forms import PlainForm
from core.idempotency import OnceFormMixin

DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%d %B %Y"]


class DashboardFilterForm(PlainForm):
    """Date range and team filters of a dashboard (GET). Teams come from the visible list the
    view has already read, so validating and rendering cost no query."""

    team = forms.TypedChoiceField(label="Team", required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label="From", required=False, input_formats=DATE_INPUTS,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label="To", required=False, input_formats=DATE_INPUTS,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    pa = forms.TypedChoiceField(label="Personal Adviser", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, teams=(), pas=(), all_teams_label="All teams", past_only_from: dt.date | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.past_only_from = past_only_from  # the trend dashboards: no date after this one (today)
        # Hundreds of teams nationally: a callable, so the choices are only gone through when the form is validated
        # (the view writes the select's options itself: oversight.views._team_options). Issue 16.
        self.fields["team"].choices = lambda: [("", all_teams_label)] + [(t.pk, t.name) for t in teams]
        self.fields["pa"].choices = [("", "All Personal Advisers")] + [(p[0], p[1]) for p in pas]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end of the range must be on or after its start.")
        for name in ("date_from", "date_to"):
            value = data.get(name)
            if value and not dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31):
                self.add_error(name, "Enter a date between 2000 and 2100.")
            elif value and self.past_only_from is not None and value > self.past_only_from:
                # A trend shows the nights that have been: a range into the future has none to show.
                self.add_error(name, "The dashboards show the past: enter a date no later than today.")
        return data


class OverdueUpdateForm(OnceFormMixin):
    """O1: the PA's reason for an overdue item and the plan to put it right."""

    reason = forms.CharField(
        label="Why is it overdue?", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
        help_text="For example: the young person cancelled twice; I was on leave.",
        error_messages={"required": "Say why the item is overdue."},
    )
    plan = forms.CharField(
        label="What will happen, and when?", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
        help_text="For example: home visit booked for 3 March.",
        error_messages={"required": "Say what will happen next, and when."},
    )
