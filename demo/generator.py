"""A realistic synthetic leaving-care service at national scale (issue 6), for benchmarks and demos.

England has about 90 000 care leavers aged 17 to 25, so a shared service or a national view can
hold 100 000 young people with millions of contacts. `generate_caseload` writes such a service:
teams of 8 Personal Advisers with about 25 young people each, a Team Leader per team, a Service
Leader per few teams and a Head of Service; every circumstance and arrangement; allocations,
cover, interval overrides, events, signed-off pathway plan versions with their decisions,
arrangements with their decisions, case notes and about 50 contacts per young person over two
years. It ends with a full `compliance.engine.recompute()`.

Speed matters more here than anywhere else, so rows are written in bulk, never through save():
on PostgreSQL with COPY (psycopg 3 `cursor.copy()`), elsewhere with bulk_create. Consequences,
all deliberate:
- No django-simple-history rows are written: generated data has no history to keep.
- `YoungPerson.save()` does not run, so the derived birthday columns are filled here from
  `core.dates.service_birthdays`.
- Columns this module does not know (added later by another app) get their model default, so a
  new field with a default does not break the generator.
Generated records are recognisable: teams, staff and young people have refs starting `syn-` /
`SYN-`, and running the generator again adds a further service beside them.
"""

import datetime as dt
import json
import math
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from approvals.models import (
    Arrangement,
    ArrangementDecision,
    ArrangementKind,
    ArrangementState,
    Decision,
    Step,
)
from careleavers.models import (
    AbsenceReason,
    Accommodation,
    Allocation,
    CaseNote,
    CaseNoteKind,
    Circumstance,
    Cover,
    Event,
    EventKind,
    IntervalOverride,
    LegalStatus,
    PlannedAbsence,
    Role,
    Staff,
    Team,
    YoungPerson,
)
from compliance.engine import recompute as engine_recompute
from compliance.packs import ensure_packs
from contacts.models import Contact, Method, Outcome, Purpose, With
from core.dates import service_birthdays
from pathway.models import PathwayPlan, PlanAction, PlanDecision, PlanKind, PlanState

YOUNG_PEOPLE_PER_PA = 25
PAS_PER_TEAM = 8
TEAMS_PER_SERVICE_LEADER = 6
CONTACTS_PER_YOUNG_PERSON = 50  # on average, over the two years below
HISTORY_DAYS = 730
CHUNK = 4000  # young people per transaction: bounded memory, and progress that survives an interrupt

YP_PREFIX = "SYN-"
STAFF_PREFIX = "syn-"

NULL = "\\N"  # COPY's text-format NULL; also the generator's NULL marker for the bulk_create path

FIRST_NAMES = ["Aaliyah", "Aaron", "Abdul", "Adam", "Aisha", "Alfie", "Amelia", "Amir", "Ava", "Ayesha", "Bailey", "Ben", "Bethany", "Callum", "Chloe", "Connor", "Daisy", "Daniel", "Demi", "Dylan", "Ella", "Ellie", "Emily", "Ethan", "Evie", "Faith", "Finley", "Freya", "George", "Grace", "Hamza", "Harry", "Holly", "Ibrahim", "Imogen", "Isaac", "Isla", "Jack", "Jade", "Jamal", "Jayden", "Jessica", "Joel", "Josh", "Kai", "Kayla", "Keira", "Kian", "Leah", "Leo", "Liam", "Lily", "Logan", "Lucy", "Maisie", "Mason", "Megan", "Mia", "Mohammed", "Molly", "Nathan", "Niamh", "Noah", "Olivia", "Oscar", "Paige", "Reece", "Riley", "Rosie", "Ryan", "Sam", "Sana", "Scarlett", "Sophie", "Summer", "Tegan", "Theo", "Tyler", "Yusuf", "Zac", "Zara", "Zoe"]
LAST_NAMES = ["Ahmed", "Ali", "Allen", "Bailey", "Baker", "Begum", "Bell", "Brown", "Campbell", "Carter", "Clarke", "Cooper", "Davies", "Edwards", "Evans", "Fisher", "Green", "Griffiths", "Hall", "Harris", "Hill", "Hughes", "Hussain", "Jackson", "James", "Johnson", "Jones", "Kaur", "Khan", "King", "Lee", "Lewis", "Martin", "Mitchell", "Moore", "Morgan", "Murphy", "Nelson", "Owen", "Palmer", "Parker", "Patel", "Phillips", "Price", "Roberts", "Robinson", "Rose", "Scott", "Shah", "Singh", "Smith", "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young"]
AREAS = (
    "North", "South", "East", "West", "Central", "Riverside", "Hillside", "Harbour", "Valley", "Forest",
    "Castle", "Bridge", "Market", "Park", "Meadow", "Coast",
)
ETHNICITIES = ("WBRI", "WBRI", "WBRI", "WBRI", "WIRI", "WOTH", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
               "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT")
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"

# (circumstance, weight, minimum age). The first young people of a run take each circumstance
# and each arrangement in turn, so even a tiny service has every one.
CIRCUMSTANCES = (
    (Circumstance.STANDARD, 40, 16),
    (Circumstance.SETTLED, 18, 18),
    (Circumstance.NOT_SETTLED, 12, 18),
    (Circumstance.ON_LICENCE, 4, 17),
    (Circumstance.HIGHER_EDUCATION, 10, 18),
    (Circumstance.CUSTODY, 5, 16),
    (Circumstance.EMERGENCY_ACCOMMODATION, 6, 16),
)
ARRANGEMENT_KINDS = (ArrangementKind.REDUCED_VISITS, ArrangementKind.STEP_BACK, ArrangementKind.DIFFERENT_NEEDS)
ARRANGEMENT_SHARE = {  # of young people aged 18 and over (R1: reduced visits only from 18)
    ArrangementKind.REDUCED_VISITS: 0.09,
    ArrangementKind.STEP_BACK: 0.06,
    ArrangementKind.DIFFERENT_NEEDS: 0.03,
}
ACCOMMODATION_BY_CIRCUMSTANCE = {
    Circumstance.CUSTODY: (Accommodation.CUSTODY,),
    Circumstance.EMERGENCY_ACCOMMODATION: (Accommodation.BED_AND_BREAKFAST, Accommodation.HOSTEL),
    Circumstance.HIGHER_EDUCATION: (Accommodation.STUDENT, Accommodation.STUDENT, Accommodation.OWN_TENANCY),
}
GENERAL_ACCOMMODATION = (
    Accommodation.OWN_TENANCY, Accommodation.SUPPORTED, Accommodation.SUPPORTED, Accommodation.STAYING_PUT,
    Accommodation.FAMILY, Accommodation.OTHER, Accommodation.UNKNOWN,
)

NOTES = {
    Method.HOME_VISIT: "Home visit. Flat clean and warm; talked about budgeting and college.",
    Method.OFFICE_VISIT: "Met at the office to go through the pathway plan actions.",
    Method.FACE_TO_FACE: "Met in town for lunch; talked about work and friends.",
    Method.UNANNOUNCED_VISIT: "Called round unannounced after missed contacts.",
    Method.PHONE: "Phone call to check in; no new concerns.",
    Method.TEXT: "Messages about the next appointment.",
    Method.EMAIL: "Emailed the housing application and the Local Offer.",
    Method.LETTER: "Letter offering a visit with a date and time.",
    Method.CARD: "Birthday card sent.",
    Method.VOICEMAIL: "Left a voicemail asking for a call back.",
}
THIRD_PARTIES = ("Key worker", "Probation officer", "Support worker", "Housing officer", "College tutor")
TIMES = (NULL, NULL, NULL, NULL, "09:30:00", "10:00:00", "11:15:00", "13:00:00", "14:30:00", "15:45:00", "16:30:00")

V, Y = "visit", With.YOUNG_PERSON
# Contact profiles: ((method, with, purpose), weight) by arrangement; visits are completed
# face-to-face contacts with the young person (C2).
_STANDARD_MIX = (
    ((Method.HOME_VISIT, Y, ""), 22), ((Method.OFFICE_VISIT, Y, ""), 6), ((Method.FACE_TO_FACE, Y, ""), 8),
    ((Method.UNANNOUNCED_VISIT, Y, ""), 1), ((Method.PHONE, Y, ""), 24), ((Method.TEXT, Y, ""), 20),
    ((Method.EMAIL, Y, ""), 5), ((Method.LETTER, Y, ""), 2), ((Method.CARD, Y, ""), 2), ((Method.VOICEMAIL, Y, ""), 3),
    ((Method.PHONE, With.THIRD_PARTY, ""), 3), ((Method.PHONE, With.LEAD_SOCIAL_WORKER, ""), 2),
    ((Method.PHONE, With.FAMILY, ""), 2),
)
_ON_LICENCE_MIX = (((Method.HOME_VISIT, Y, ""), 40), *_STANDARD_MIX[4:])  # T2: home visits
_REDUCED_MIX = (
    ((Method.HOME_VISIT, Y, ""), 4), ((Method.FACE_TO_FACE, Y, ""), 3), ((Method.PHONE, Y, ""), 35),
    ((Method.TEXT, Y, ""), 40), ((Method.EMAIL, Y, ""), 8), ((Method.CARD, Y, ""), 4), ((Method.VOICEMAIL, Y, ""), 6),
)
_STEP_BACK_MIX = (
    ((Method.LETTER, Y, Purpose.KIT_OFFER), 20), ((Method.TEXT, Y, Purpose.KIT_OFFER), 20),
    ((Method.EMAIL, Y, Purpose.KIT_OFFER), 10), ((Method.TEXT, Y, ""), 25), ((Method.PHONE, Y, ""), 10),
    ((Method.CARD, Y, ""), 5), ((Method.PHONE, With.THIRD_PARTY, ""), 10),
)
_DIFFERENT_NEEDS_MIX = (
    ((Method.PHONE, With.LEAD_SOCIAL_WORKER, ""), 20), ((Method.EMAIL, With.LEAD_SOCIAL_WORKER, ""), 10),
    ((Method.FACE_TO_FACE, With.LEAD_SOCIAL_WORKER, ""), 5), ((Method.PHONE, With.FAMILY, ""), 15),
    ((Method.HOME_VISIT, With.FAMILY, ""), 5), ((Method.HOME_VISIT, Y, ""), 25), ((Method.CARD, Y, ""), 5),
    ((Method.PHONE, Y, ""), 15),
)
OUTCOMES = (
    (Outcome.COMPLETED, 82), (Outcome.NO_RESPONSE, 10), (Outcome.CANCELLED_BY_YP, 4),
    (Outcome.CANCELLED_BY_PA, 2), (Outcome.DECLINED, 2),
)
STEP_BACK_OUTCOMES = ((Outcome.COMPLETED, 35), (Outcome.NO_RESPONSE, 55), (Outcome.DECLINED, 10))


def _cumulative(pairs):
    values, total, cum = [], 0, []
    for value, weight in pairs:
        total += weight
        values.append(value)
        cum.append(total)
    return tuple(values), tuple(cum)


CONTACT_MIXES = {
    "standard": _cumulative(_STANDARD_MIX),
    "on_licence": _cumulative(_ON_LICENCE_MIX),
    ArrangementKind.REDUCED_VISITS: _cumulative(_REDUCED_MIX),
    ArrangementKind.STEP_BACK: _cumulative(_STEP_BACK_MIX),
    ArrangementKind.DIFFERENT_NEEDS: _cumulative(_DIFFERENT_NEEDS_MIX),
}
_VISITS = ((Method.HOME_VISIT, Y, ""), (Method.HOME_VISIT, Y, ""), (Method.OFFICE_VISIT, Y, ""), (Method.FACE_TO_FACE, Y, ""))
#: Planned contacts: (kinds, shortest gap, longest gap) in days; the gaps straddle the usual
#: intervals, so most requirements are met on time and some run late.
SCHEDULES = {
    "standard": ((_VISITS, 20, 62),),
    "on_licence": ((((Method.HOME_VISIT, Y, ""),), 20, 48),),
    ArrangementKind.REDUCED_VISITS: ((((Method.PHONE, Y, ""), (Method.TEXT, Y, "")), 20, 62),),
    ArrangementKind.STEP_BACK: ((((Method.LETTER, Y, Purpose.KIT_OFFER), (Method.TEXT, Y, Purpose.KIT_OFFER)), 40, 100),),
    ArrangementKind.DIFFERENT_NEEDS: (
        (((Method.PHONE, With.LEAD_SOCIAL_WORKER, ""),), 30, 92), (((Method.PHONE, With.FAMILY, ""),), 60, 195),
    ),
}
OUTCOME_MIXES = {"default": _cumulative(OUTCOMES), ArrangementKind.STEP_BACK: _cumulative(STEP_BACK_OUTCOMES)}
CIRCUMSTANCE_MIX = _cumulative((c, w) for c, w, _ in CIRCUMSTANCES)
MIN_AGE = {c: age for c, _, age in CIRCUMSTANCES}


@dataclass
class GenerateResult:
    young_people: int = 0
    contacts: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    recompute_seconds: float = 0.0

    def count(self, name: str, n: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + n


# --- Writing rows in bulk ------------------------------------------------------------------------


class BulkWriter:
    """Writes rows given as tuples of text (NULL for null) in the order of `columns` (attnames).

    PostgreSQL: COPY ... FROM STDIN in text format, streamed, so the database ingests while
    Python generates. Elsewhere: bulk_create, which converts the text through each field.
    Columns the caller leaves out get the model field's default (or NULL, or now for
    auto_now fields); a primary key left out is assigned by the database.
    """

    BATCH = 20_000

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        self._plans: dict[tuple, tuple] = {}

    def _plan(self, model: type[models.Model], columns: tuple[str, ...]):
        key = (model, columns)
        if key not in self._plans:
            given = set(columns)
            now = timezone.now()
            extra_columns, extra_text, extra_native = [], [], {}
            for f in model._meta.concrete_fields:
                if f.attname in given or f.primary_key:
                    continue
                if f.has_default():
                    value = f.get_default()
                elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    value = now
                elif f.null:
                    value = None
                elif f.blank and isinstance(f, models.CharField | models.TextField):
                    value = ""
                else:
                    raise ValueError(f"generate_caseload does not know how to fill {model.__name__}.{f.name}")
                extra_columns.append(f.column)
                extra_text.append(_text(value))
                extra_native[f.attname] = value
            db_columns = [model._meta.get_field(name).column for name in columns] + extra_columns
            suffix = "".join("\t" + t for t in extra_text) + "\n"
            self._plans[key] = (db_columns, suffix, extra_native)
        return self._plans[key]

    def write(self, model: type[models.Model], columns: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> int:
        db_columns, suffix, extra_native = self._plan(model, columns)
        n = 0
        if self.pg:
            table = connection.ops.quote_name(model._meta.db_table)
            names = ", ".join(connection.ops.quote_name(c) for c in db_columns)
            with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                buffer: list[str] = []
                for row in rows:
                    buffer.append("\t".join(row) + suffix)
                    if len(buffer) >= self.BATCH:
                        copy.write("".join(buffer))
                        n += len(buffer)
                        buffer.clear()
                if buffer:
                    copy.write("".join(buffer))
                    n += len(buffer)
            return n
        objects = []
        for row in rows:
            values = {name: (None if v == NULL else v) for name, v in zip(columns, row, strict=True)}
            objects.append(model(**values, **extra_native))
        model.objects.bulk_create(objects, batch_size=500)
        return len(objects)

    def next_id(self, model: type[models.Model]) -> int:
        return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1

    def reset_sequences(self, *model_classes: type[models.Model]) -> None:
        """After rows written with explicit ids, so the next save() gets a free one."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _text(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


# --- The service ---------------------------------------------------------------------------------


@dataclass
class _Team:
    id: int
    pa_ids: list[int]
    leader_id: int
    service_leader_id: int


def _iso_dates(start: dt.date, end: dt.date) -> dict[int, str]:
    return {o: dt.date.fromordinal(o).isoformat() for o in range(start.toordinal(), end.toordinal() + 1)}


def _upn(rng: random.Random) -> str:
    """A UPN with a valid check letter (DfE algorithm: weights 2..13 on characters 2-13, mod 23)."""
    digits = f"{rng.randrange(800, 940):03d}{rng.randrange(10**9):09d}"
    total = sum(int(d) * w for d, w in zip(digits, range(2, 14), strict=True))
    return UPN_CHECK_LETTERS[total % 23] + digits


class _Generator:
    def __init__(self, *, young_people: int, seed: int, as_of: dt.date, log) -> None:
        self.n = young_people
        self.seed = seed
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.log = log
        self.writer = BulkWriter()
        self.result = GenerateResult()
        self.today_ord = as_of.toordinal()
        self.iso = _iso_dates(as_of - dt.timedelta(days=27 * 366), as_of + dt.timedelta(days=400))
        self.stamp = {o: f"{d} 12:00:00+00" for o, d in self.iso.items()}
        self.stamp_morning = {o: f"{d} 09:00:00+00" for o, d in self.iso.items()}

    # Staff ---------------------------------------------------------------------------------------

    def _next_number(self, model, field_name: str, prefix: str) -> int:
        last = (
            model.objects.filter(**{f"{field_name}__startswith": prefix})
            .order_by(f"-{field_name}").values_list(field_name, flat=True).first()
        )
        if not last:
            return 1
        tail = last[len(prefix):]
        return int(tail) + 1 if tail.isdigit() else model.objects.filter(**{f"{field_name}__startswith": prefix}).count() + 1

    def _name(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def build_staff(self) -> list[_Team]:
        rng = self.rng
        n_pas = max(1, math.ceil(self.n / YOUNG_PEOPLE_PER_PA))
        n_teams = max(1, math.ceil(n_pas / PAS_PER_TEAM))
        n_leaders = max(1, math.ceil(n_teams / TEAMS_PER_SERVICE_LEADER))
        first_team = self._next_number(Team, "ref", f"{STAFF_PREFIX}t")
        first_pa = self._next_number(Staff, "ref", f"{STAFF_PREFIX}pa")
        first_tl = self._next_number(Staff, "ref", f"{STAFF_PREFIX}tl")
        first_sl = self._next_number(Staff, "ref", f"{STAFF_PREFIX}sl")
        need_head = not Staff.objects.filter(ref__startswith=f"{STAFF_PREFIX}hos", role=Role.HEAD_OF_SERVICE).exists()

        teams = Team.objects.bulk_create(
            Team(ref=f"{STAFF_PREFIX}t{first_team + i:05d}",
                 name=f"{AREAS[(first_team + i) % len(AREAS)]} Team {(first_team + i) // len(AREAS) + 1}")
            for i in range(n_teams)
        )
        teams = list(Team.objects.filter(ref__in=[t.ref for t in teams]).order_by("ref"))

        people: list[tuple[str, str, str | None]] = []  # (ref, role, team ref)
        for i in range(n_leaders):
            people.append((f"{STAFF_PREFIX}sl{first_sl + i:04d}", Role.SERVICE_LEADER, None))
        if need_head:
            people.append((f"{STAFF_PREFIX}hos1", Role.HEAD_OF_SERVICE, None))
            people.append((f"{STAFF_PREFIX}admin1", Role.DUTY_ADMIN, None))
        pa_number = first_pa
        for t, team in enumerate(teams):
            people.append((f"{STAFF_PREFIX}tl{first_tl + t:05d}", Role.TEAM_LEADER, team.ref))
            for _ in range(PAS_PER_TEAM if t < n_teams - 1 else n_pas - PAS_PER_TEAM * (n_teams - 1)):
                people.append((f"{STAFF_PREFIX}pa{pa_number:06d}", Role.PA, team.ref))
                pa_number += 1

        User = get_user_model()
        names = {ref: self._name() for ref, _, _ in people}
        # Generated staff cannot sign in with a password: benchmarks use force_login.
        User.objects.bulk_create(
            User(username=ref, first_name=names[ref][0], last_name=names[ref][1], password=make_password(None),
                 email=f"{ref}@example.gov.uk")
            for ref, _, _ in people
        )
        users = dict(User.objects.filter(username__in=[r for r, _, _ in people]).values_list("username", "pk"))
        team_ids = {t.ref: t.pk for t in teams}
        Staff.objects.bulk_create(
            Staff(user_id=users[ref], ref=ref, name=" ".join(names[ref]), role=role,
                  team_id=team_ids.get(team_ref), email=f"{ref}@example.gov.uk",
                  phone=f"0300 {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}")
            for ref, role, team_ref in people
        )
        staff = list(Staff.objects.filter(ref__in=[r for r, _, _ in people]).values_list("pk", "role", "team_id"))
        self.result.count("staff", len(staff))
        self.result.count("teams", len(teams))
        leaders = sorted(pk for pk, role, _ in staff if role == Role.SERVICE_LEADER)
        by_team: dict[int, _Team] = {}
        for index, team in enumerate(teams):
            by_team[team.pk] = _Team(team.pk, [], 0, leaders[index // TEAMS_PER_SERVICE_LEADER % len(leaders)])
        for pk, role, team_id in sorted(staff):
            if role == Role.PA:
                by_team[team_id].pa_ids.append(pk)
            elif role == Role.TEAM_LEADER:
                by_team[team_id].leader_id = pk

        absences = []
        for team in by_team.values():
            for pa in team.pa_ids:
                if rng.random() < 0.15:  # V5: some PAs have leave or training coming up
                    start = self.today_ord + rng.randrange(3, 60)
                    absences.append((str(pa), self.iso[start], self.iso[start + rng.randrange(0, 10)],
                                     rng.choice(AbsenceReason.values)))
        self.result.count("planned absences", self.writer.write(
            PlannedAbsence, ("staff_id", "start", "end", "reason"), absences))
        return list(by_team.values())

    # Young people --------------------------------------------------------------------------------

    def run(self) -> GenerateResult:
        started = time.monotonic()
        ensure_packs()
        with transaction.atomic():
            teams = self.build_staff()
        self.log(f"{self.result.rows['staff']} staff in {len(teams)} teams")
        # The young people draw from their own sequence, so the first of them are the same
        # whatever the size of the service (benchmarks compare pages across sizes).
        self.rng = random.Random(f"{self.seed}:young-people")
        slots = [(team, pa) for team in teams for pa in team.pa_ids for _ in range(YOUNG_PEOPLE_PER_PA)][: self.n]
        first_ref = self._next_number(YoungPerson, "ref", YP_PREFIX)
        done = 0
        while done < self.n:
            batch = slots[done: done + CHUNK]
            with transaction.atomic():
                self._write_chunk(batch, first_ref + done, done)
            done += len(batch)
            self.log(f"{done} young people, {self.result.contacts} contacts ({time.monotonic() - started:.0f} s)")
        self.writer.reset_sequences(YoungPerson, PathwayPlan, Arrangement)
        self.result.young_people = done
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner; VACUUM also sets the visibility map, without
            # which the engine's index-only scans would visit the table (not possible inside
            # a transaction, as in tests, where ANALYZE alone is enough).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.result.seconds = time.monotonic() - started
        return self.result

    def _age_days(self, index: int) -> int:
        rng = self.rng
        if index < 12:  # the first of a run: in service and 18 or over, so each pattern applies
            return rng.randrange(18 * 365 + 30, 20 * 365)
        if rng.random() < 0.8:
            return rng.randrange(16 * 365 + 5, 21 * 365 - 5)
        return rng.randrange(21 * 365 + 5, 25 * 365 - 5)

    def _write_chunk(self, batch: list[tuple[_Team, int]], first_ref: int, first_index: int) -> None:
        rng, w, iso, stamp = self.rng, self.writer, self.iso, self.stamp
        today = self.today_ord
        yp_id = w.next_id(YoungPerson)
        plan_id = w.next_id(PathwayPlan)
        arrangement_id = w.next_id(Arrangement)
        yp_rows, allocations, covers, overrides, events, notes = [], [], [], [], [], []
        plans, plan_decisions, arrangements, arrangement_decisions = [], [], [], []
        contacts: list[tuple[str, ...]] = []

        for offset, (team, pa) in enumerate(batch):
            index = first_index + offset
            yid, spa = str(yp_id), str(pa)
            stl, ssl = str(team.leader_id), str(team.service_leader_id)
            yp_id += 1
            age_days = self._age_days(index)
            dob = dt.date.fromordinal(today - age_days)
            birthdays = service_birthdays(dob)
            age = age_days // 365
            # Circumstance and arrangement: in turn for the first of a run, then by weight.
            if index < len(CIRCUMSTANCES):
                circumstance = CIRCUMSTANCES[index][0]
            else:
                circumstance = rng.choices(CIRCUMSTANCE_MIX[0], cum_weights=CIRCUMSTANCE_MIX[1])[0]
                if age < MIN_AGE[circumstance]:
                    circumstance = Circumstance.STANDARD
            arrangement = None
            if len(CIRCUMSTANCES) <= index < len(CIRCUMSTANCES) + len(ARRANGEMENT_KINDS):
                arrangement = ARRANGEMENT_KINDS[index - len(CIRCUMSTANCES)]
            elif age >= 18:
                roll = rng.random()
                for kind, share in ARRANGEMENT_SHARE.items():
                    if roll < share:
                        arrangement = kind
                        break
                    roll -= share
            if arrangement == ArrangementKind.DIFFERENT_NEEDS:
                circumstance = Circumstance.STANDARD
            extended = (age >= 21 and rng.random() < 0.75) or (age < 21 and rng.random() < 0.35)
            birthday_16 = birthdays["birthday_16"].toordinal()
            allocated = max(birthday_16 - rng.randrange(0, 90), today - rng.randrange(20, 1460))
            if index < 12:
                allocated = today - rng.randrange(400, 1400)
            closed = None
            if age >= 21 and not extended:  # aged out without wanting support to 25
                closed = max(allocated + 1, min(today - 1, birthdays["birthday_21"].toordinal() + rng.randrange(0, 40)))
            elif index >= 12 and rng.random() < 0.015:
                closed = max(allocated + 1, today - rng.randrange(1, 300))
            if closed is not None and closed > today:
                closed = None
            accommodation = (
                Accommodation.SPECIALIST_HOME if arrangement == ArrangementKind.DIFFERENT_NEEDS
                else rng.choice(ACCOMMODATION_BY_CIRCUMSTANCE.get(circumstance, GENERAL_ACCOMMODATION))
            )
            first, last = self._name()
            legal = (
                LegalStatus.QUALIFYING if rng.random() < 0.06
                else rng.choice((LegalStatus.ELIGIBLE, LegalStatus.RELEVANT)) if age < 18
                else LegalStatus.FORMER_RELEVANT
            )
            vulnerable = circumstance in (Circumstance.NOT_SETTLED, Circumstance.CUSTODY) and rng.random() < 0.5
            yp_rows.append((
                yid, f"{YP_PREFIX}{first_ref + offset:07d}", f"{first} {last}", iso[dob.toordinal()], legal,
                circumstance, accommodation, "t" if extended else "f", "t" if vulnerable else "f", spa,
                iso[allocated], iso[closed] if closed else NULL,
                "Aged out of the service" if closed and age >= 21 and not extended else ("Moved away" if closed else ""),
                rng.choice("MF"), rng.choice(ETHNICITIES), _upn(rng) if rng.random() < 0.7 else "",
                "t" if rng.random() < 0.08 else "f", "t" if rng.random() < 0.1 else "f",
                f"{rng.randrange(1, 200)} {rng.choice(LAST_NAMES)} Road",
                *(birthdays[k].isoformat() for k in ("birthday_16", "birthday_21", "birthday_21_1m", "birthday_25")),
                stamp[allocated],
            ))
            end = closed or today

            # Allocation history: one open allocation; a fifth had another PA first.
            if rng.random() < 0.2 and end - allocated > 60 and len(team.pa_ids) > 1:
                moved = allocated + rng.randrange(30, end - allocated)
                previous = rng.choice([p for p in team.pa_ids if p != pa])
                allocations.append((yid, str(previous), iso[allocated], iso[moved], "Caseload rebalancing"))
                allocations.append((yid, spa, iso[moved], NULL, "Caseload rebalancing"))
            else:
                allocations.append((yid, spa, iso[allocated], NULL, "First allocation"))
            if closed is None and rng.random() < 0.01 and len(team.pa_ids) > 1:
                cover = rng.choice([p for p in team.pa_ids if p != pa])
                covers.append((yid, str(cover), iso[today - rng.randrange(0, 10)], iso[today + rng.randrange(1, 20)],
                               "Annual leave cover"))
            if circumstance == Circumstance.NOT_SETTLED and rng.random() < 0.5:
                overrides.append((yid, "visit", "28", "T4: agreed in supervision", stl, stamp[allocated]))
            elif rng.random() < 0.02:
                overrides.append((yid, "visit", "42", "V1: more often while needs are high", stl, stamp[allocated]))

            # Arrangements (A, R5): the active one approved through its chain; some past ones.
            active_from = None
            if arrangement is not None and end - allocated > 30:
                active_from = max(allocated + 1, end - rng.randrange(20, 600))
                arrangements.append((str(arrangement_id), yid, arrangement, ArrangementState.ACTIVE, spa,
                                     stamp[active_from - 21], iso[active_from], NULL, "",
                                     "Text every four weeks, phone every eight" if arrangement == "reduced_visits" else ""))
                for step, decision, actor, days in (
                    (Step.REQUEST, Decision.REQUESTED, spa, 21), (Step.TEAM_LEADER, Decision.APPROVED, stl, 10),
                    (Step.SERVICE_LEADER, Decision.AGREED, ssl, 1),
                ):
                    arrangement_decisions.append((str(arrangement_id), step, decision, actor, stamp[active_from - days],
                                                  "Agreed with the young person; reviewed at supervision."))
                arrangement_id += 1
            elif arrangement is not None:
                arrangement = None  # allocated too recently for an arrangement to have been agreed
            if arrangement is None and end - allocated > 200 and rng.random() < 0.03:
                started = allocated + rng.randrange(10, 100)
                ended = started + rng.randrange(30, end - allocated - 100)
                arrangements.append((str(arrangement_id), yid, ArrangementKind.REDUCED_VISITS, ArrangementState.ENDED,
                                     spa, stamp[started - 21], iso[started], iso[ended],
                                     "The young person asked for more contact again.", ""))
                arrangement_id += 1
            elif arrangement is None and closed is None and age >= 18 and rng.random() < 0.015:
                state = rng.choice((ArrangementState.REQUESTED, ArrangementState.TEAM_LEADER_APPROVED))
                arrangements.append((str(arrangement_id), yid, rng.choice(ARRANGEMENT_KINDS), state, spa,
                                     stamp[today - rng.randrange(1, 20)], NULL, NULL, "", ""))
                arrangement_decisions.append((str(arrangement_id), Step.REQUEST, Decision.REQUESTED, spa,
                                              stamp[today - 20], "Asked for at the last visit."))
                arrangement_id += 1

            # Events that pull due dates forward (T6, T7, P1).
            if circumstance == Circumstance.CUSTODY or index == 20:
                events.append((yid, EventKind.CUSTODY_START, iso[max(allocated, end - rng.randrange(5, 120))], stamp[end]))
            if circumstance == Circumstance.EMERGENCY_ACCOMMODATION or index == 21:
                events.append((yid, EventKind.EMERGENCY_PLACEMENT, iso[max(allocated, end - rng.randrange(1, 60))],
                               stamp[end]))
            if rng.random() < 0.12 or index == 22:
                kind = rng.choice((EventKind.SIGNIFICANT_CHANGE, EventKind.ACCOMMODATION_MOVE))
                events.append((yid, kind, iso[max(allocated, end - rng.randrange(1, 365))], stamp[end]))

            # Pathway plans (P1, P3): a signed-off version about every six months; some open.
            plan_kind = {ArrangementKind.STEP_BACK: PlanKind.STEP_BACK,
                         ArrangementKind.DIFFERENT_NEEDS: PlanKind.DIFFERENT_NEEDS}.get(arrangement, PlanKind.STANDARD)
            review = allocated + rng.randrange(20, 90)
            stop = end - (rng.randrange(0, 120) if rng.random() < 0.12 else 0)  # some reviews are late
            version = 1
            while review <= stop:
                plans.append((str(plan_id), yid, str(version), plan_kind, PlanState.SIGNED_OFF, spa, stamp[review - 14],
                              iso[review], stamp[review - 10], stamp[review], stl, iso[review],
                              "I want to stay in my flat and start college."))
                plan_decisions.append((str(plan_id), PlanAction.SUBMITTED, spa, stamp[review - 10], ""))
                plan_decisions.append((str(plan_id), PlanAction.SIGNED_OFF, stl, stamp[review], "Good plan; actions clear."))
                plan_id += 1
                version += 1
                review += rng.randrange(150, 185)
            if closed is None and rng.random() < 0.2:
                plans.append((str(plan_id), yid, str(version), plan_kind, PlanState.DRAFT, spa, stamp[today - 3],
                              NULL, NULL, NULL, NULL, NULL, ""))
                plan_id += 1

            for n in range(2):
                on = allocated + rng.randrange(0, max(1, end - allocated))
                notes.append((yid, CaseNoteKind.GENERAL if n else CaseNoteKind.OVERSIGHT, spa if n else stl,
                               self.stamp_morning[on], "Supervision discussion" if not n else "Update from college",
                               "Discussed progress against the plan."))

            contacts.extend(self._contacts(yid, spa, allocated, end, arrangement, circumstance))

        r = self.result
        r.count("young people", w.write(YoungPerson, (
            "id", "ref", "name", "date_of_birth", "legal_status", "circumstance", "accommodation", "extended_support",
            "vulnerable", "pa_id", "allocated_on", "closed_on", "closure_reason", "sex", "ethnicity", "upn", "uasc",
            "disability", "address", "birthday_16", "birthday_21", "birthday_21_1m", "birthday_25", "created_at"),
            yp_rows))
        r.count("allocations", w.write(Allocation, ("young_person_id", "pa_id", "start", "end", "reason"), allocations))
        r.count("covers", w.write(Cover, ("young_person_id", "pa_id", "start", "end", "reason"), covers))
        r.count("interval overrides", w.write(IntervalOverride, (
            "young_person_id", "requirement", "interval_days", "reason", "agreed_by_id", "created_at"), overrides))
        r.count("arrangements", w.write(Arrangement, (
            "id", "young_person_id", "kind", "state", "requested_by_id", "requested_at", "active_from", "ended_on",
            "end_reason", "keeping_in_touch"), arrangements))
        r.count("arrangement decisions", w.write(ArrangementDecision, (
            "arrangement_id", "step", "decision", "actor_id", "at", "rationale"), arrangement_decisions))
        r.count("events", w.write(Event, ("young_person_id", "kind", "date", "created_at"), events))
        r.count("pathway plans", w.write(PathwayPlan, (
            "id", "young_person_id", "version", "kind", "state", "created_by_id", "created_at", "review_due",
            "submitted_at", "signed_off_at", "signed_off_by_id", "review_date", "young_persons_voice"), plans))
        r.count("plan decisions", w.write(PlanDecision, ("plan_id", "action", "actor_id", "at", "comments"),
                                          plan_decisions))
        r.count("case notes", w.write(CaseNote, ("young_person_id", "kind", "author_id", "created_at", "subject", "text"),
                                      notes))
        written = w.write(Contact, CONTACT_COLUMNS, contacts)
        r.count("contacts", written)
        r.contacts += written

    def _contacts(self, yid: str, pa: str, allocated: int, end: int, arrangement, circumstance) -> list[tuple[str, ...]]:
        """About 50 contacts over two years: the planned ones at roughly the pattern's interval
        (a visit every few weeks, or the arrangement's contact), and the rest in between. Some
        young people drift out of touch (so things go overdue) and some under reduced visits
        stop answering (E3)."""
        rng = self.rng
        start = max(allocated, self.today_ord - HISTORY_DAYS)
        if rng.random() < 0.08:
            end = max(start, end - rng.randrange(40, 160))
        span = end - start
        if span < 0:
            return []
        count = max(1, round(rng.uniform(0.9, 1.5) * CONTACTS_PER_YOUNG_PERSON * min(1.0, (span + 1) / 365)))
        profile = arrangement or ("on_licence" if circumstance == Circumstance.ON_LICENCE else "standard")
        planned: list[tuple[int, tuple[str, str, str], str]] = []
        for kinds, low, high in SCHEDULES[profile]:
            day = start + rng.randrange(0, low)
            while day <= end and len(planned) < count:
                outcome = Outcome.COMPLETED if rng.random() < 0.93 else Outcome.CANCELLED_BY_YP
                planned.append((day, rng.choice(kinds), outcome))
                day += rng.randrange(low, high)
        filler = count - len(planned)
        mix = CONTACT_MIXES[profile]
        outcome_mix = OUTCOME_MIXES.get(arrangement, OUTCOME_MIXES["default"])
        planned.extend(zip(
            (start + rng.randrange(span + 1) for _ in range(filler)),
            rng.choices(mix[0], cum_weights=mix[1], k=filler),
            rng.choices(outcome_mix[0], cum_weights=outcome_mix[1], k=filler),
            strict=False,
        ))
        planned.sort(key=lambda item: item[0])
        if arrangement == ArrangementKind.REDUCED_VISITS and rng.random() < 0.3:
            for i in range(max(0, len(planned) - 3), len(planned)):  # E3: three unanswered in a row
                planned[i] = (planned[i][0], (Method.PHONE, With.YOUNG_PERSON, ""), Outcome.NO_RESPONSE)
        times = rng.choices(TIMES, k=len(planned))
        rows = []
        iso, stamp = self.iso, self.stamp
        for (day, (method, whom, purpose), outcome), at in zip(planned, times, strict=True):
            voided = rng.random() < 0.003
            rows.append((
                yid, iso[day], at, method, whom, rng.choice(THIRD_PARTIES) if whom == With.THIRD_PARTY else "",
                outcome, purpose, NOTES[method], pa, stamp[day],
                stamp[day + 1] if voided else NULL, pa if voided else NULL,
                "Recorded on the wrong young person" if voided else "",
            ))
        return rows


CONTACT_COLUMNS = (
    "young_person_id", "date", "time", "method", "with_whom", "third_party_name", "outcome", "purpose", "note",
    "recorded_by_id", "created_at", "voided_at", "voided_by_id", "void_reason",
)


def generate_caseload(*, young_people: int, seed: int = 1, as_of: dt.date | None = None, recompute: bool = True,
                      log=None) -> GenerateResult:
    """Write a synthetic service of `young_people` beside whatever is recorded, then recompute
    everyone's requirements (the engine's nightly path)."""
    if young_people < 1:
        raise ValueError("young_people must be at least 1")
    as_of = as_of or timezone.localdate()
    result = _Generator(young_people=young_people, seed=seed, as_of=as_of, log=log or (lambda message: None)).run()
    if recompute:
        started = time.monotonic()
        with transaction.atomic():
            engine_recompute(as_of)
        result.recompute_seconds = time.monotonic() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE compliance_requirement")
    return result
