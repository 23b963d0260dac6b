"""Issue 14 item 12: the access matrix. Every URL pattern in the URLconf (walked from
django.urls.get_resolver, into every include, so a new page is covered without anyone listing it),
filled with the ids of South's records, requested with GET and with a plausible POST by every persona.

It fails on any 500; and, for the personas who may not see South's young person (anonymous, a PA and
a Team Leader of North, the duty admin), on any 200 whose body shows his name or any request that
changes what is recorded (row counts, South's records, the audit log). The Service Leader and the
Head of Service see everyone: for them it checks that nothing gives a 500 (what they may write is
pinned by the tests of each app).
"""

import datetime as dt
import functools
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from approvals.models import Arrangement, ArrangementDecision
from careleavers.documents import document_upload
from careleavers.models import (
    AccommodationPeriod,
    ActivityPeriod,
    AddressPeriod,
    BreakGlassGrant,
    CaseNote,
    Document,
    DutyDay,
    Event,
    Flag,
    KeyEvent,
    KeyProfessional,
    Notification,
    PlannedAbsence,
    Role,
    SupervisionSession,
    YoungPerson,
)
from contacts.models import Contact, ContactCorrection, Escalation, InTouchCheck, OversightItem
from core.models import AuditEvent
from oversight.models import DashboardReview, OverdueAnswer, OverdueUpdate
from pathway.models import PathwayPlan, PlanDecision, PlanState
from tests.factories import ArrangementFactory, ContactFactory, StaffFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

SECRET_NAME = "Zebedee Quartermaine"
COUNTED = [YoungPerson, Contact, Escalation, InTouchCheck, OversightItem, Event, PlannedAbsence, CaseNote, Notification,
           Arrangement, ArrangementDecision, PathwayPlan, PlanDecision, OverdueUpdate, AuditEvent,
           SupervisionSession, OverdueAnswer, DashboardReview,  # issue 12 (items 1-3)
           Document, ContactCorrection, KeyEvent, DutyDay, BreakGlassGrant,  # issue 12 (items 4-7)
           AddressPeriod, KeyProfessional, AccommodationPeriod, ActivityPeriod, Flag]  # issue 11
# Pages outside the app's records: Django's admin (staff users only, none of the personas) and its catch-all.
SKIPPED_PREFIXES = ("admin/",)


def walk(patterns, prefix: str = "", namespace: str = ""):
    """(route, name, converters) for every URL pattern, recursing into includes."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if not isinstance(entry.pattern, RoutePattern):
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name or ''}"


@pytest.fixture
def south_records(charlie, trent, settings, tmp_path):
    """South's young person with one of each record a URL can name."""
    settings.MEDIA_ROOT = tmp_path  # issue 12, item 4: a stored document
    today = timezone.localdate()
    yp = YoungPersonFactory(name=SECRET_NAME, pa=charlie, date_of_birth=today - dt.timedelta(days=365 * 19))
    contact = ContactFactory(young_person=yp, date=today - dt.timedelta(days=3))
    plan = PathwayPlan.objects.create(young_person=yp, version=1, state=PlanState.SUBMITTED, young_persons_voice="x",
                                      contact_arrangements="x")
    arrangement = ArrangementFactory(young_person=yp, state="requested", active_from=None)
    item = OversightItem.objects.create(young_person=yp, kind="kit_declines", opened_on=today, reason="Declined.")
    notification = Notification.objects.create(recipient=charlie, young_person=yp, kind="x", message=SECRET_NAME)
    absence = PlannedAbsence.objects.create(staff=charlie, start=today + dt.timedelta(days=2),
                                            end=today + dt.timedelta(days=4), reason="training")  # issue 11, item 6
    # issue 12 (items 1-3): a case note, a PA's update on an overdue item, a supervision session
    note = CaseNote.objects.create(young_person=yp, author=charlie, subject=SECRET_NAME, text=SECRET_NAME)
    update = OverdueUpdate.objects.create(young_person=yp, requirement="visit", due=today, version=1, reason="x",
                                          plan="x", author=charlie, recorded_on=today)
    session = SupervisionSession.objects.create(pa=charlie, supervisor=trent, held_on=today, summary=SECRET_NAME)
    document = document_upload(young_person=yp, actor=charlie, kind="letter", title="Letter", dated=today,
                               upload=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 matrix"))
    # issue 11: a key professional and a flag (the URLs that end or clear one name it)
    professional = KeyProfessional.objects.create(young_person=yp, role="gp", name="Dr Matrix")
    flag = Flag.objects.create(young_person=yp, kind="hazard", reason="Matrix.", set_on=today)
    return {"yp": yp, "contact": contact, "plan": plan, "arrangement": arrangement, "item": item,
            "notification": notification, "absence": absence, "note": note, "update": update,
            "supervision": session, "document": document, "professional": professional, "flag": flag}


def fill(route: str, records: dict) -> str:
    """The route with South's ids in its converters: the segment before `<int:pk>` names the record."""
    ids = {
        "young-people": records["yp"].pk, "cards": records["yp"].pk, "plans": records["plan"].pk,
        "arrangements": records["arrangement"].pk, "oversight-items": records["item"].pk,
        "notifications": records["notification"].pk, "contacts": records["contact"].pk, "unlocks": 1,
        "absences": records["absence"].pk,
        "notes": records["note"].pk, "overdue-updates": records["update"].pk, "supervision": records["supervision"].pk,
        "professionals": records["professional"].pk, "flags": records["flag"].pk,  # issue 11
    }
    named = {"yp_pk": records["yp"].pk, "contact_pk": records["contact"].pk, "document_pk": records["document"].pk}
    text = {"kind": "reduced_visits", "code": "visit", "name": "team-items", "fmt": "csv", "uidb64": "MQ", "token": "x-y",
            "ids": "V1"}  # issue 15, item 3: the rule explained

    def value(match) -> str:
        conv, name = match.group(1), match.group(2)
        if conv == "int":
            if name in named:
                return str(named[name])
            before = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            assert before in ids, f"{route}: the access matrix has no record for <int:{name}> after {before!r}: add one"
            return str(ids[before])
        assert name in text, f"{route}: the access matrix has no value for <{conv}:{name}>: add one"
        return text[name]

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: value(m) if m.group(1) else value_str(m, text), route)


def value_str(match, text: dict) -> str:
    return text.get(match.group(2), "x")


@functools.cache
def _counts_query() -> tuple[str, tuple]:
    """One SELECT of every COUNTED model's row count, each counted over its default manager's own query (what
    `model.objects.count()` counts), so that a fingerprint is one query for the counts rather than one per model
    (written once: the managers' queries take no parameter that changes)."""
    parts, params = [], []
    for model in COUNTED:
        sql, model_params = model.objects.all().query.get_compiler(using="default").as_sql()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")  # noqa: S608  (the ORM's own SQL, its parameters apart)
        params.extend(model_params)
    return "SELECT " + ", ".join(parts), tuple(params)


def fingerprint(records: dict) -> tuple:
    sql, params = _counts_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = tuple(cursor.fetchone())
    yp = records["yp"]
    rows = (
        tuple(YoungPerson.objects.filter(pk=yp.pk).values().first().items()),
        tuple(PathwayPlan.objects.filter(pk=records["plan"].pk).values().first().items()),
        tuple(Arrangement.objects.filter(pk=records["arrangement"].pk).values().first().items()),
        tuple(Contact.objects.filter(pk=records["contact"].pk).values().first().items()),
        tuple(OversightItem.objects.filter(pk=records["item"].pk).values().first().items()),
        tuple(Notification.objects.filter(pk=records["notification"].pk).values().first().items()),
    )
    return counts, rows


def post_data() -> dict:
    """A form that would succeed for someone allowed: every field name the create and decision forms use."""
    today = timezone.localdate()
    day = (today - dt.timedelta(days=1)).isoformat()
    return {
        "date": day, "time": "10:00", "method": "home_visit", "with_whom": "young_person", "outcome": "completed",
        "note": "Matrix", "notes": "Matrix", "reason": "Matrix", "plan": "Matrix", "comments": "Matrix",
        "answer": "Matrix", "step": "phone_call", "kind": "custody_start", "in_touch": "YES", "activity": "F5",
        "accommodation": "D1", "start": (today + dt.timedelta(days=5)).isoformat(),
        "end": (today + dt.timedelta(days=6)).isoformat(), "shared_on": day, "from_date": day, "status": "relevant",
        "young_persons_voice": "Matrix", "contact_arrangements": "Matrix", "health": "Matrix", "submit": "",
        "no_visit_reason": "Matrix", "visit": "56", "interval_days": "56", "sex": "M", "ethnicity": "WBRI",
        "check-health_and_safety": "good", "check-furnishings_and_kitchen": "adequate", "check-occupancy": "good",
        "check-trend": "improved", "sent_on": day, "card": "birthday",
        "subject": "Matrix", "text": "Matrix", "actions": "Matrix", "period": "weekly", "held_on": day,  # issue 12
    }


#: The personas, each its own test (so that the workers share them out); the two who see everyone in one, in the order
#: they always ran (what the first writes, the second meets).
PERSONAS = ["anonymous", "pa_of_another_team", "team_leader_of_another_team", "duty_admin", "service_wide"]


@pytest.mark.parametrize("personas", PERSONAS)
def test_access_matrix_every_url_every_persona(personas, alice, tess, sol, hana, south_records):
    duty = StaffFactory(ref="dora", name="Dora Duty", role=Role.DUTY_ADMIN, team=None)
    restricted = {"anonymous": None, "pa_of_another_team": alice, "team_leader_of_another_team": tess,
                  "duty_admin": duty}
    service_wide = {"service_leader": sol, "head_of_service": hana}
    walked = {name: {name: staff} for name, staff in restricted.items()} | {"service_wide": service_wide}
    routes = [(route, name) for route, name in walk(get_resolver().url_patterns)
              if not route.startswith(SKIPPED_PREFIXES)]
    assert len(routes) > 40, "the walk found the app's pages"
    urls = sorted({fill(route, south_records) for route, _ in routes})
    failures: list[str] = []
    client = Client(raise_request_exception=False)
    data = post_data()
    for persona, staff in walked[personas].items():
        for url in urls:
            for method in ("get", "post"):
                client.logout()
                if staff is not None:
                    client.force_login(staff.user)
                before = fingerprint(south_records) if persona in restricted else None
                response = getattr(client, method)(url, data) if method == "post" else client.get(url)
                where = f"{persona} {method.upper()} {url} -> {response.status_code}"
                if response.status_code >= 500:
                    failures.append(f"{where}: server error")
                    continue
                if persona not in restricted:
                    continue
                body = response.content.decode(errors="replace") if response.status_code == 200 else ""
                if SECRET_NAME in body:
                    failures.append(f"{where}: shows South's young person")
                if fingerprint(south_records) != before:
                    failures.append(f"{where}: changed what is recorded")
    assert not failures, "\n".join(failures)
