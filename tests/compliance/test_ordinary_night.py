"""Issue 16, item 3: the ordinary night recomputes only the young people whose results can move
(compliance.engine.recompute_night, ResultHorizon), and leaves exactly what a full recompute would.

A varied service (every circumstance, every arrangement kind, interval overrides, events, plans, E3 streaks, and for
every date the engine compares with the day someone whose result that date moves during the walk: 16th, 21st, 21
years and 1 month and 25th birthdays, allocation, registration, closing, reopening, the standard pattern's restart,
a legal status change, arrangements starting and ending, a contact, a plan review and an event dated ahead) is
walked night by night (90 nights under two packs, 35 under the others: NIGHTS), with writes through the incremental
path on some days (as the services make them). After every ordinary night each stored Requirement row, the caseload
summary and the team summary are compared with a full recompute and full summary rebuilds of the same day (rolled
back), and with the engine's computation as of that day. The weekly safety net is turned off during the walk, so the
full recompute never repairs what an ordinary night missed; and `test_every_date_driven_input_is_needed` drops each
of the engine's date-driven inputs in turn and checks that the walk then finds a difference.
"""

import datetime as dt

import pytest
from django.db import transaction

from approvals.models import Arrangement, ArrangementState
from careleavers.models import Circumstance, Event, IntervalOverride, LegalStatus, LegalStatusChange, YoungPerson
from compliance import engine, team_summary
from compliance.engine import recompute, recompute_night, recompute_young_person, refresh_summary, requirements_as_of
from compliance.models import (
    CaseloadSummary,
    PolicyPack,
    Requirement,
    ResultHorizon,
    SummaryDate,
    TeamSummary,
    TeamSummaryDate,
    TeamSummaryItem,
)
from contacts.models import Contact, Method, Outcome, With
from pathway.models import PathwayPlan, PlanState
from tests.factories import StaffFactory, TeamFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 3, 1)
PACKS = ["england", "pcc", "tct2", "tower_hamlets", "derbyshire", "buckinghamshire"]


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def born(years: int, days: int = 0) -> dt.date:
    """The date of birth of someone whose `years`th birthday is `days` after START."""
    when = day(days)
    return when.replace(year=when.year - years)


class Rollback(Exception):
    pass


def _activate(pack: str) -> None:
    PolicyPack.objects.filter(is_active=True).exclude(key=pack).update(is_active=False)
    PolicyPack.objects.filter(key=pack).update(is_active=True)


def seed() -> dict[str, YoungPerson]:
    """The walk's service, as records (no services, as a bundle or the demo's generator writes them); the first night
    recomputes everyone. Day numbers are days after START."""
    north, south = TeamFactory(ref="north"), TeamFactory(ref="south")
    pas = [StaffFactory(team=north), StaffFactory(team=north), StaffFactory(team=south)]
    people: dict[str, YoungPerson] = {}

    def yp(key: str, n: int, **fields) -> YoungPerson:
        fields.setdefault("date_of_birth", born(19, -7 * n))
        fields.setdefault("allocated_on", day(-300 - n))
        people[key] = YoungPersonFactory(pa=fields.pop("pa", pas[n % 3]), **fields)
        return people[key]

    def contact(person: YoungPerson, n: int, **fields) -> None:
        fields = {"method": Method.HOME_VISIT, "with_whom": With.YOUNG_PERSON, "outcome": Outcome.COMPLETED, **fields}
        Contact.objects.create(young_person=person, date=day(n), **fields)

    # Every circumstance, with visits and phone contacts whose due dates pass during the walk (the summaries move).
    for i, circumstance in enumerate(Circumstance.values):
        person = yp(f"circumstance-{circumstance}", i, circumstance=circumstance,
                    date_of_birth=born(22 if circumstance == Circumstance.HIGHER_EDUCATION else 19, -50 * i),
                    extended_support=circumstance == Circumstance.HIGHER_EDUCATION)
        contact(person, -40 - 3 * i)
        contact(person, -20 - i, method=Method.PHONE)
        PathwayPlan.objects.create(young_person=person, version=1, state=PlanState.SIGNED_OFF, review_date=day(-150 - i))
    # Every arrangement kind, active since before the walk, with an override and an event in the past.
    for i, kind in enumerate(["reduced_visits", "step_back", "different_needs"]):
        person = yp(f"arrangement-{kind}", 10 + i)
        Arrangement.objects.create(young_person=person, kind=kind, state=ArrangementState.ACTIVE, active_from=day(-90))
        contact(person, -70 + 10 * i, method=Method.PHONE)
        contact(person, -60, purpose="kit_offer", outcome=Outcome.NO_RESPONSE, method=Method.LETTER)
    IntervalOverride.objects.create(young_person=people["circumstance-standard"], requirement="visit", interval_days=30)
    IntervalOverride.objects.create(young_person=people["circumstance-settled"], requirement="contact",
                                    interval_days=10)
    Event.objects.create(young_person=people["circumstance-custody"], kind="custody_start", date=day(-10))
    Event.objects.create(young_person=people["circumstance-standard"], kind="significant_change", date=day(-5))

    # Each date-driven input, moving during the walk.
    yp("turns-16", 20, date_of_birth=born(16, 2), allocated_on=day(-30))
    yp("turns-21", 21, date_of_birth=born(21, 3))
    yp("turns-21-higher-education", 22, date_of_birth=born(21, 4), circumstance=Circumstance.HIGHER_EDUCATION,
       extended_support=True)
    yp("turns-25", 23, date_of_birth=born(25, 5), extended_support=True)
    different_needs = yp("different-needs-to-21-and-1-month", 24, date_of_birth=born(21, -25))  # 21y 1m: day 3
    Arrangement.objects.create(young_person=different_needs, kind="different_needs", state=ArrangementState.ACTIVE,
                               active_from=day(-200))
    yp("allocated-ahead", 25, allocated_on=day(6), referred_on=day(-3))
    yp("referred-ahead", 26, allocated_on=None, pa=None, referred_on=day(7), referring_team=north)
    yp("closes-ahead", 27, closed_on=day(8))
    yp("reopens-ahead", 28, reopened_on=day(9))
    yp("standard-pattern-ahead", 29, standard_pattern_from=day(10))
    for key, n, status, pa_service in (("qualifying-ahead", 30, LegalStatus.QUALIFYING, False),
                                       ("qualifying-with-pa-ahead", 31, LegalStatus.QUALIFYING, True)):
        person = yp(key, n)
        LegalStatusChange.objects.create(young_person=person, status=LegalStatus.FORMER_RELEVANT, from_date=day(-300))
        LegalStatusChange.objects.create(young_person=person, status=status, from_date=day(11 + n - 30))
        person.pa_service = pa_service
        person.save()
    Arrangement.objects.create(young_person=yp("arrangement-starts-ahead", 32), kind="reduced_visits",
                               state=ArrangementState.ACTIVE, active_from=day(13))
    Arrangement.objects.create(young_person=yp("arrangement-ends-ahead", 33), kind="step_back",
                               state=ArrangementState.ENDED, active_from=day(-120), ended_on=day(14))
    contact(yp("contact-ahead", 34), 15)
    PathwayPlan.objects.create(young_person=yp("plan-review-ahead", 35), version=1, state=PlanState.SIGNED_OFF,
                               review_date=day(16))
    event_ahead = yp("event-ahead", 36)
    contact(event_ahead, -5)  # so that the event's window (T6: 28 days) ends before the next visit is due
    Event.objects.create(young_person=event_ahead, kind="custody_start", date=day(17))
    # E3: under reduced visits, the third unanswered contact in a row is dated ahead.
    streak = yp("escalation-ahead", 37)
    Arrangement.objects.create(young_person=streak, kind="reduced_visits", state=ArrangementState.ACTIVE,
                               active_from=day(-100))
    for n in (-20, -10, 18):
        contact(streak, n, method=Method.PHONE, outcome=Outcome.NO_RESPONSE)
    return people


def writes(n: int, people: dict[str, YoungPerson]) -> None:
    """What the services write on some days of the walk, each recomputing its young person in its transaction (the
    incremental path); some of them with a date ahead, which the night must then pick up on its day."""
    today = day(n)
    changed = None
    if n == 3:
        changed = people["circumstance-standard"]
        Contact.objects.create(young_person=changed, date=today, method=Method.HOME_VISIT, outcome=Outcome.COMPLETED,
                               with_whom=With.YOUNG_PERSON)
    elif n == 10:  # an arrangement ended, from a date ahead
        changed = people["arrangement-step_back"]
        Arrangement.objects.filter(young_person=changed, state=ArrangementState.ACTIVE).update(
            state=ArrangementState.ENDED, ended_on=day(20))
    elif n == 18:
        changed = people["circumstance-on_licence"]
        Event.objects.create(young_person=changed, kind="emergency_placement", date=today)
    elif n == 24:
        changed = people["circumstance-settled"]
        changed.circumstance = Circumstance.NOT_SETTLED
        changed.save()
    elif n == 30:  # a plan signed off with a review date ahead
        changed = people["circumstance-not_settled"]
        PathwayPlan.objects.create(young_person=changed, version=2, state=PlanState.SIGNED_OFF, review_date=day(33))
    if changed is not None:
        recompute_young_person(changed, as_of=today)


def stored() -> dict[str, object]:
    def rows(model, *fields):
        return sorted(model.objects.values_list(*fields), key=repr)

    return {
        "requirements": rows(Requirement, "young_person", "code", "last_met", "due", "due_soon_from", "interval_days",
                             "basis", "ref"),
        "caseload summary": rows(CaseloadSummary, "young_person", "ref", "urgency", "next_due", "overdue", "due_soon",
                                 "closed", "name", "date_of_birth"),
        "summary day": rows(SummaryDate, "as_of"),
        "team summary": [r for r in rows(TeamSummary, "pa", "code", "overdue", "due_soon") if r[2] or r[3]],
        "team summary items": rows(TeamSummaryItem, "young_person", "code", "pa", "overdue", "due_soon"),
        "team summary day": rows(TeamSummaryDate, "as_of"),
    }


def full_recompute(on: dt.date) -> dict[str, object]:
    """What a full recompute and full rebuilds of both summaries leave for `on`, rolled back."""
    try:
        with transaction.atomic():
            recompute(on)
            refresh_summary(on, full=True)
            team_summary.refresh(as_of=on, full=True)
            found = stored()
            raise Rollback
    except Rollback:
        return found


def computed(on: dt.date) -> list[tuple]:
    return sorted(((r.young_person_id, r.code, r.last_met, r.due, r.due_soon_from, r.interval_days, r.basis, r.ref)
                   for r in requirements_as_of(on)), key=repr)


def walk(pack: str, nights: int = 90) -> list[str]:
    """Walk the seeded service `nights` nights under `pack`; after each ordinary night compare everything stored with
    a full recompute. Returns the differences found, as "night n: what" (the first night's at most)."""
    _activate(pack)
    people = seed()
    assert recompute_night(START) == "full"  # the first night
    ordinary = 0
    for n in range(1, nights + 1):
        writes(n, people)
        assert recompute_night(day(n)) == "ordinary"
        ordinary += 1
        now = stored()
        expected = full_recompute(day(n))
        differences = [f"night {n}: {what}" for what in now if now[what] != expected[what]]
        if now["requirements"] != computed(day(n)):
            differences.append(f"night {n}: requirements against the computation")
        if differences:
            return differences
        assert not ResultHorizon.objects.filter(stable_until__lte=day(n)).exists()
    assert ordinary == nights
    return []


@pytest.fixture
def no_weekly_full(monkeypatch):
    """The weekly full recompute would repair what an ordinary night missed: the walk does without it."""
    monkeypatch.setattr(engine, "FULL_RECOMPUTE_DAYS", 10_000)


#: Nights walked per pack: 90 under the two packs whose rules read most dates (D4's 21 years and 1 month, E3's
#: streaks under reduced visits); the others differ only in their rows, and every date above moves in 35 nights.
NIGHTS = {"derbyshire": 90, "tct2": 90}


@pytest.mark.parametrize("pack", PACKS)
def test_every_ordinary_night_leaves_what_a_full_recompute_does(no_weekly_full, pack):
    assert walk(pack, nights=NIGHTS.get(pack, 35)) == []


def test_the_walk_moves_every_kind_of_result(no_weekly_full):
    """The walk is worth running: its ordinary nights recompute some people and not others, and change requirement
    rows (new, changed and gone) and summary rows on the way."""
    _activate("derbyshire")
    people = seed()
    recompute_night(START)
    first = stored()
    recomputed = []
    for n in range(1, 36):
        writes(n, people)
        before = {h.pk: h.computed_for for h in ResultHorizon.objects.all()}
        recompute_night(day(n))
        recomputed.append(sum(1 for h in ResultHorizon.objects.all() if h.computed_for != before[h.pk]))
    last = stored()
    assert 0 < max(recomputed) < len(people) and 0 in recomputed
    gone = {r[:2] for r in first["requirements"]} - {r[:2] for r in last["requirements"]}
    new = {r[:2] for r in last["requirements"]} - {r[:2] for r in first["requirements"]}
    assert gone and new and first["caseload summary"] != last["caseload summary"]
    keys = {(people["turns-21"].pk, "visit"), (people["closes-ahead"].pk, "visit"),
            (people["different-needs-to-21-and-1-month"].pk, "lead_worker_contact")}
    assert keys <= gone  # 21, closing, and D4's extension to 21 years and 1 month, in the first 35 nights
    assert (people["turns-16"].pk, "visit") in new and (people["event-ahead"].pk, "visit") in {
        r[:2] for r in last["requirements"] if r[6] == "event"}


INPUTS = [("column", c) for c in engine.HORIZON_COLUMNS] + [("record", r) for r in engine.HORIZON_RECORDS]


@pytest.mark.parametrize(("kind", "date"), INPUTS, ids=[f"{k}:{d}" for k, d in INPUTS])
def test_every_date_driven_input_is_needed(no_weekly_full, monkeypatch, kind, date):
    """Drop one of the dates the horizon reads and the walk finds a night that leaves a wrong row."""
    if kind == "column":
        monkeypatch.setattr(engine, "HORIZON_COLUMNS", tuple(c for c in engine.HORIZON_COLUMNS if c != date))
    else:
        monkeypatch.setattr(engine, "HORIZON_RECORDS", tuple(r for r in engine.HORIZON_RECORDS if r != date))
    # Under derbyshire every input moves someone's rows (D4 extends different needs to 21 years and 1 month).
    assert walk("derbyshire", nights=20)


def test_the_night_recomputes_everyone_on_a_first_night_a_pack_change_and_weekly(monkeypatch):
    _activate("england")
    seed()
    assert recompute_night(START) == "full"
    assert recompute_night(day(1)) == "ordinary"
    assert recompute_night(day(engine.FULL_RECOMPUTE_DAYS)) == "full"  # the weekly safety net
    assert recompute_night(day(engine.FULL_RECOMPUTE_DAYS + 1)) == "ordinary"
    assert recompute_night(day(3)) == "full"  # a night before the last full recompute
    _activate("tct2")  # switched without pack_activate (which recomputes everyone at once)
    assert recompute_night(day(4)) == "full"
    assert recompute_night(day(5)) == "ordinary"


def test_a_write_the_night_did_not_see_is_right_by_the_next_full_recompute(monkeypatch):
    """A write that does not recompute its young person (a fix in the database) is the weekly net's to catch: the
    ordinary night leaves it, the full recompute brings it in."""
    _activate("england")
    people = seed()
    recompute_night(START)
    person = people["circumstance-standard"]
    Contact.objects.create(young_person=person, date=day(1), method=Method.HOME_VISIT, outcome=Outcome.COMPLETED,
                           with_whom=With.YOUNG_PERSON)
    assert recompute_night(day(2)) == "ordinary"
    assert Requirement.objects.get(young_person=person, code="visit").last_met != day(1)
    assert recompute_night(day(engine.FULL_RECOMPUTE_DAYS)) == "full"
    assert Requirement.objects.get(young_person=person, code="visit").last_met == day(1)


def test_the_summaries_reach_the_records_the_night_recomputes_and_the_weekly_net_the_rest(monkeypatch):
    """Issue 16: an ordinary night's summary refresh reaches the people it recomputed instead of checking every
    record against its row: a young person recorded without a recompute (no horizon yet, and here no requirement
    rows: a closed case) gets their rows that night; a record changed around the services (a rename in the database)
    is the weekly full night's to catch, as its requirement rows are."""
    _activate("england")
    people = seed()
    recompute_night(START)
    closed = YoungPersonFactory(pa=None, allocated_on=None, closed_on=day(-30), name="Closed Before")
    renamed = people["circumstance-standard"]
    YoungPerson.objects.filter(pk=renamed.pk).update(name="Renamed Around")
    assert recompute_night(day(1)) == "ordinary"
    assert not Requirement.objects.filter(young_person=closed).exists()
    assert CaseloadSummary.objects.filter(young_person=closed, closed=True, name="Closed Before").exists()
    assert CaseloadSummary.objects.get(young_person=renamed).name != "Renamed Around"
    assert recompute_night(day(engine.FULL_RECOMPUTE_DAYS)) == "full"
    assert CaseloadSummary.objects.get(young_person=renamed).name == "Renamed Around"
