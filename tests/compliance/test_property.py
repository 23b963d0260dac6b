"""Property tests of the compliance engine's incremental path.

After any sequence of writes (contacts added, edited and voided, events, arrangements started and ended,
plans signed off, overrides, circumstance, legal status and allocation changes), each followed by
`recompute_young_person(yp)` as the services do, the stored Requirement rows equal a full computation;
and recomputing one young person never touches another's rows.

Each hypothesis example runs in its own transaction, rolled back at the end, inside pytest-django's
test transaction.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approvals.models import Arrangement, ArrangementState
from careleavers.models import Circumstance, Event, IntervalOverride, LegalStatus, YoungPerson
from compliance.engine import recompute, recompute_young_person, requirements_as_of
from compliance.models import PolicyPack, Requirement
from contacts.models import Contact, Method, Outcome, With
from pathway.models import PathwayPlan, PlanState
from tests.factories import StaffFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

PEOPLE = 3
PACKS = ["england", "tct2", "tower_hamlets", "derbyshire", "buckinghamshire"]
SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

who = st.integers(0, PEOPLE - 1)
offset = st.integers(-200, 10)  # days from today; a few records lie in the future and must be ignored
pick = st.integers(0, 1000)

actions = st.one_of(
    st.tuples(st.just("add_contact"), who, offset, st.sampled_from(Method.values), st.sampled_from(With.values),
              st.sampled_from(Outcome.values), st.booleans()),
    st.tuples(st.just("edit_contact"), pick, offset, st.sampled_from(Method.values), st.sampled_from(Outcome.values)),
    st.tuples(st.just("void_contact"), pick),
    st.tuples(st.just("event"), who, st.sampled_from(["custody_start", "emergency_placement", "significant_change",
                                                      "accommodation_move", "accommodation_provided"]), offset),
    st.tuples(st.just("void_event"), pick),
    st.tuples(st.just("start_arrangement"), who, st.sampled_from(["reduced_visits", "step_back", "different_needs"]),
              offset),
    st.tuples(st.just("end_arrangement"), who, offset),
    st.tuples(st.just("sign_off"), who, offset),
    st.tuples(st.just("override"), who, st.sampled_from(["visit", "contact", "keeping_in_touch", "pathway_review"]),
              st.one_of(st.none(), st.integers(1, 120))),
    st.tuples(st.just("circumstance"), who, st.sampled_from(Circumstance.values)),
    st.tuples(st.just("allocate"), who, offset),
    # CONTRACT v2: legal status drives the rules (qualifying: no pathway_review; without a PA service, out of service).
    st.tuples(st.just("legal_status"), who, st.sampled_from(LegalStatus.values), st.booleans()),
)

#: Dates of birth: one well inside the service, one about to turn 21, one past 21 with extended support.
BIRTHS = [(-19 * 365, False), (-21 * 365 + 5, False), (-23 * 365, True)]


class Rollback(Exception):
    pass


def _people(today: dt.date) -> list[YoungPerson]:
    pa = StaffFactory()
    return [
        YoungPersonFactory(pa=pa, date_of_birth=today + dt.timedelta(days=born), extended_support=extended,
                           allocated_on=today - dt.timedelta(days=300))
        for born, extended in BIRTHS
    ]


def _apply(action: tuple, people: list[YoungPerson], today: dt.date) -> YoungPerson | None:
    """Perform one write the way a service would (save(), never update()); return whose record changed."""
    kind, *args = action
    on = lambda days: today + dt.timedelta(days=days)  # noqa: E731
    if kind == "add_contact":
        i, days, method, with_whom, outcome, kit = args
        Contact.objects.create(young_person=people[i], date=on(days), method=method, with_whom=with_whom,
                               outcome=outcome, purpose="kit_offer" if kit else "")
        return people[i]
    if kind in ("edit_contact", "void_contact"):
        contacts = list(Contact.objects.filter(voided_at__isnull=True).order_by("pk"))
        if not contacts:
            return None
        contact = contacts[args[0] % len(contacts)]
        if kind == "edit_contact":
            contact.date, contact.method, contact.outcome = on(args[1]), args[2], args[3]
        else:
            contact.voided_at, contact.void_reason = timezone.now(), "Recorded in error"
        contact.save()
        return contact.young_person
    if kind == "event":
        i, event_kind, days = args
        Event.objects.create(young_person=people[i], kind=event_kind, date=on(days))
        return people[i]
    if kind == "void_event":
        events = list(Event.objects.filter(voided_at__isnull=True).order_by("pk"))
        if not events:
            return None
        event = events[args[0] % len(events)]
        event.voided_at = timezone.now()
        event.save()
        return event.young_person
    if kind in ("start_arrangement", "end_arrangement"):
        i, *rest = args
        days = rest[-1]
        active = Arrangement.objects.filter(young_person=people[i], state=ArrangementState.ACTIVE).first()
        start = on(days)
        if active:
            active.state, active.ended_on = ArrangementState.ENDED, max(start, active.active_from)
            active.save()
        if kind == "start_arrangement":
            # a new arrangement starts once the previous one has ended (services never overlap them)
            start = max([start, *(a.ended_on for a in Arrangement.objects.filter(young_person=people[i], state="ended"))])
            Arrangement.objects.create(young_person=people[i], kind=rest[0], state=ArrangementState.ACTIVE,
                                       active_from=start)
        return people[i]
    if kind == "sign_off":
        i, days = args
        version = PathwayPlan.objects.filter(young_person=people[i]).count() + 1
        PathwayPlan.objects.create(young_person=people[i], version=version, state=PlanState.SIGNED_OFF,
                                   review_date=on(days))
        return people[i]
    if kind == "override":
        i, code, days = args
        existing = IntervalOverride.objects.filter(young_person=people[i], requirement=code).first()
        if days is None:
            if existing:
                existing.delete()
        elif existing:
            existing.interval_days = days
            existing.save()
        else:
            IntervalOverride.objects.create(young_person=people[i], requirement=code, interval_days=days)
        return people[i]
    if kind == "circumstance":
        i, circumstance = args
        people[i].circumstance = circumstance
        people[i].save()
        return people[i]
    if kind == "legal_status":
        i, status, pa_service = args
        people[i].legal_status, people[i].pa_service = status, pa_service
        people[i].save()
        return people[i]
    if kind == "allocate":
        i, days = args
        people[i].allocated_on = on(days)
        people[i].save()
        return people[i]
    raise AssertionError(kind)


def _stored(ids=None) -> dict:
    rows = Requirement.objects.all() if ids is None else Requirement.objects.filter(young_person_id__in=ids)
    return {
        (r.young_person_id, r.code): (r.last_met, r.due, r.due_soon_from, r.interval_days, r.basis)
        for r in rows
    }


def _computed(today: dt.date, ids=None) -> dict:
    return {
        (r.young_person_id, r.code): (r.last_met, r.due, r.due_soon_from, r.interval_days, r.basis)
        for r in requirements_as_of(today, ids)
    }


def _activate(pack: str) -> None:
    PolicyPack.objects.filter(is_active=True).exclude(key=pack).update(is_active=False)
    PolicyPack.objects.filter(key=pack).update(is_active=True)


@SETTINGS
@given(pack=st.sampled_from(PACKS), steps=st.lists(actions, min_size=1, max_size=25))
def test_incremental_recompute_equals_a_full_recompute(db, pack, steps):
    today = timezone.localdate()
    try:
        with transaction.atomic():
            _activate(pack)
            people = _people(today)
            recompute(today)
            for action in steps:
                changed = _apply(action, people, today)
                if changed is not None:
                    recompute_young_person(changed)
                assert _stored() == _computed(today), action
            # and a nightly full recompute into the same table finds nothing to change
            before = {r.pk: (r.last_met, r.due, r.due_soon_from, r.basis) for r in Requirement.objects.all()}
            recompute(today)
            assert {r.pk: (r.last_met, r.due, r.due_soon_from, r.basis) for r in Requirement.objects.all()} == before
            raise Rollback
    except Rollback:
        pass


def _raw(ids) -> set[tuple]:
    return set(Requirement.objects.filter(young_person_id__in=ids).values_list(
        "pk", "young_person_id", "code", "last_met", "due", "due_soon_from", "interval_days", "basis", "computed_for"))


@SETTINGS
@given(pack=st.sampled_from(PACKS), stale_by=st.integers(1, 120), steps=st.lists(actions, min_size=1, max_size=10))
def test_incremental_recompute_of_one_person_never_touches_another(db, pack, stale_by, steps):
    """Everyone is first computed for an earlier day, so their rows differ from today's: a recompute that
    strayed beyond its young person would rewrite them."""
    today = timezone.localdate()
    try:
        with transaction.atomic():
            _activate(pack)
            people = _people(today)
            recompute(today - dt.timedelta(days=stale_by))
            for action in steps:
                changed = _apply(action, people, today)
                if changed is None:
                    continue
                others = [p.pk for p in people if p.pk != changed.pk]
                before = _raw(others)
                recompute_young_person(changed)
                assert _raw(others) == before, action
                assert _stored([changed.pk]) == _computed(today, [changed.pk]), action
            raise Rollback
    except Rollback:
        pass
