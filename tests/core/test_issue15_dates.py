"""Issue 15, item 2: every date input carries an ISO value (or the browser shows it blank), dates that cannot be in
the future carry `max`, and dates read "1 Dec 2026" everywhere."""

import datetime as dt

import pytest
import time_machine
from django import forms

from approvals.forms import StepBackItemForm
from casework.forms import AbsenceForm, EventForm
from contacts.forms import ContactForm, EscalationForm
from core.dates import british
from core.forms import DateInput
from pathway.forms import SharedForm

DAY = dt.date(2026, 12, 1)


@time_machine.travel(dt.datetime(2026, 12, 1, 12, 0), tick=False)
@pytest.mark.parametrize("form, field", [
    (lambda: SharedForm(initial={"shared_on": DAY}), "shared_on"),  # P4
    (lambda: StepBackItemForm(initial={"given_on": DAY}), "given_on"),  # S2
    (EventForm, "date"),
    (EscalationForm, "date"),
])
def test_date_default_is_iso_with_max_today(form, field):
    html = str(form()[field])
    assert 'type="date"' in html and 'value="2026-12-01"' in html and 'max="2026-12-01"' in html


def test_contact_date_is_iso_and_not_in_the_future(db):
    with time_machine.travel(dt.datetime(2026, 12, 1, 12, 0), tick=False):
        html = str(ContactForm()["date"])
    assert 'value="2026-12-01"' in html and 'max="2026-12-01"' in html


def test_future_dates_have_no_max():
    """A planned absence and an offered visit are in the future."""
    assert "max=" not in str(AbsenceForm(initial={"start": DAY})["start"])


def test_max_is_read_when_drawn_not_when_loaded():
    class F(forms.Form):
        day = forms.DateField(widget=DateInput(past=True))

    with time_machine.travel(dt.datetime(2027, 3, 5, 12, 0), tick=False):
        assert 'max="2027-03-05"' in str(F()["day"])


def test_british_dates_have_no_leading_zero():
    assert british(DAY) == "1 Dec 2026"


def test_in_touch_check_date_defaults_to_today(client, alice):
    from django.urls import reverse

    from tests.careleavers.helpers import young_person
    from tests.conftest import login

    yp = young_person(alice)
    login(client, alice)
    with time_machine.travel(dt.datetime(2026, 12, 1, 12, 0), tick=False):
        body = client.get(reverse("returns:record_check", args=[yp.pk])).content.decode()
    assert 'value="2026-12-01"' in body
