"""`python manage.py seed_demo [--if-empty] [--pack KEY] [--seed N]`: a believable demo service.

Three teams with their PAs and Team Leaders, a Service Leader, a Head of Service and duty admin;
about 60 young people across every circumstance and arrangement, a year of contacts (some
overdue, some unanswered), events, signed-off and open pathway plans, active arrangements with
their decision chains and pending requests, planned absences and notifications. Dates are
relative to today and the random choices seeded, so the same day gives the same service.

issue 15, item 8: all of it (staff and young people aside) is written through the domain services, each act on its
own day (Seeder.step, run_steps), so every rule, case note, audit row, notification and recompute happens as in real
use; the clock stamps the services write are then moved to the day of the act (Seeder.restamp).
The engine is run once at the end (compliance.engine.recompute) for everyone.
"""

import bisect
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models import F, Q
from django.test.utils import override_settings
from django.utils import timezone

from approvals.models import ArrangementKind, StepBackItem
from approvals.services import arrangement_agree, arrangement_approve, arrangement_request, step_back_item_record
from careleavers.models import (
    AbsenceReason,
    Accommodation,
    Allocation,
    Circumstance,
    EventKind,
    LegalStatus,
    Notification,
    Role,
    Staff,
    Team,
    YoungPerson,
)
from careleavers.services import absence_add
from compliance.engine import recompute
from compliance.models import PolicyPack, RequirementCode
from compliance.packs import DEFAULT_PACK, ensure_packs, pack_keys
from compliance.selectors import pack_intervals_for
from compliance.services import event_record, interval_override_set
from contacts.codes import ALWAYS_UNSUITABLE
from contacts.models import Condition, EscalationStep, Method, Outcome, Purpose, Trend, With
from contacts.services import contact_log, escalation_record
from core.dates import birthday
from demo import seed_allocation, seed_case_record, seed_documents, seed_notes, seed_plans
from oversight.models import NightlyRun, RunState
from oversight.services import nightly_run, snapshot_take
from pathway.models import PathwayPlan, SharedHow
from pathway.selectors import visit_before_review
from pathway.services import plan_record_shared, plan_sign_off, plan_start, plan_submit, plan_update, sections_for
from pathway.structure import PATTERN, governing_arrangement
from returns.computed import returns_compute, years_due
from returns.dfe import check_problems
from returns.services import in_touch_check_record

#: issue 15, item 8: the features' demo modules (demo/seed_<feature>.py), each
#: `seed(*, today, staff_by_role_and_team, young_people) -> dict[str, int] | None`, called in this order after the base
#: data (Seeder.seed_features). Add one line per feature.
FEATURE_SEEDS: list[Callable[..., dict[str, int] | None]] = [
    seed_allocation.seed,  # issue 11: referrals waiting for a PA (one overdue), a case on cover
    seed_case_record.seed,  # issue 11: addresses, accommodation and EET histories, key professionals, flags
    seed_plans.seed,  # issue 13: a structured signed-off plan, a reduced-visits request on a plan
    seed_documents.seed,  # issue 12: documents, a corrected contact and key event, a PA on duty today
    seed_notes.seed,  # issue 12: notes (one restricted), supervision (T4), a dashboard review, an overdue answer
]

DEMO_PASSWORD = "leaving-care-demo"  # printed on purpose: demo data only, never production
YOUNG_PEOPLE = 60
DEFAULT_SEED = 2026

TEAMS = [("north", "North Team"), ("south", "South Team"), ("east", "East Team")]
FIRST = ["Jamie", "Alex", "Sam", "Jordan", "Casey", "Riley", "Morgan", "Taylor", "Charlie", "Kai", "Aisha", "Bilal",
         "Chloe", "Deji", "Ellie", "Farah", "Grace", "Hassan", "Imani", "Jake", "Kiera", "Liam", "Maya", "Nathan",
         "Olivia", "Priya", "Reece", "Sophie", "Tyler", "Zara", "Amir", "Bethany", "Connor", "Demi", "Ethan", "Faith"]
LAST = ["Smith", "Jones", "Patel", "Khan", "Williams", "Brown", "Ahmed", "Taylor", "Davies", "Evans", "Hussain",
        "Wilson", "Okafor", "Thomas", "Roberts", "Walker", "Wright", "Hall", "Green", "Begum", "Clarke", "Lewis",
        "Mensah", "Ali", "Hughes", "Edwards", "Kowalski", "Nowak", "Murphy", "O'Brien"]
#: issue 15, item 8: the order of the acts of one day (Seeder.step): contacts, then what follows from them, then
#: decisions, then the plan reviewed that day (after the visit before it, reg 8(2)(b)).
ORDER_CONTACT, ORDER_AFTER_CONTACT, ORDER_DECISION, ORDER_PLAN = range(4)
#: Days from an arrangement's request to the day it is active (the Team Leader decides in between).
ARRANGEMENT_DAYS = 10

#: What a demo pathway plan says (P5 and issue 13's structure; S4 for a step-back plan). Each version takes the
#: sections its kind holds (pathway.services.sections_for); the contact arrangements follow the arrangement in force.
PLAN_CONTENT = {
    "participation": "took_part",
    "young_persons_voice": "I want to stay near my friends and finish my course.",
    "health_words": "I'm fine; I go to the GP if I need to.", "health": "Registered with a GP.",
    "education_employment": "College, level 2.", "money": "Budgeting with the PA.",
    "relationships": "Sees family most weekends.",
    "contingency_plan": "If the accommodation breaks down, call the duty team the same day.",  # T7
    "contact_arrangements": "As agreed with the young person; texts in between.",
    "attempts_to_engage": "Visits, calls, letters and cards over six months.",
    "offer_shared": "A visit offered every three months, with a date and time.",  # S5
    "status_and_entitlements": "Former relevant: a PA and a pathway plan to 21, or 25 on request.",
    "advocacy_offered": "Advocacy offered by letter.", "known_plans": "Working; living with a partner.",
    "open_door": "The door is always open: the duty number and the PA's email are in the letter.",
}
#: The kind-specific record of each arrangement (R2 conversation, S1 attempts, D1 criteria, D2 agreement, D3).
ACTIVE_DETAILS = {
    ArrangementKind.REDUCED_VISITS: {
        "asked_for_it": True, "low_support_needs": True,
        "wish_and_reasons": "Settled and working full time; visits feel intrusive.",
        "understands_contact_continues": True, "agrees_to_respond": True, "agrees_to_report_changes": True,
        "knows_can_contact_service": True},
    ArrangementKind.STEP_BACK: {"attempts_to_engage": "Visits, calls, letters and cards over six months."},
    ArrangementKind.DIFFERENT_NEEDS: {
        "would_not_understand_pa_role": True, "lives_in_specialist_home": True,
        "no_unaddressed_independence_needs": True, "agreed_by": "The home's manager, the lead social worker and mum.",
        "family_given_local_offer": True, "family_given_contact_details": True,
        "family_told_can_ask_for_more_support": True},
}
PENDING_DETAILS = {
    **ACTIVE_DETAILS,
    ArrangementKind.REDUCED_VISITS: {**ACTIVE_DETAILS[ArrangementKind.REDUCED_VISITS],
                                     "wish_and_reasons": "Asked for less frequent visits."},
    ArrangementKind.STEP_BACK: {"attempts_to_engage": "Asked for less contact; visits and calls offered since spring."},
}

STAFF_NAMES = ["Sam Patel", "Jo Reid", "Priya Shah", "Tom Ellis", "Grace Obi", "Dan Moore", "Nadia Karim",
               "Lucy Ford", "Owen Price", "Ruth Adeyemi", "Ben Carter", "Hannah Lee", "Marcus Boyd", "Emma Stone"]


def login_rows() -> list[tuple[str, str, str]]:
    """(username, role, team) of the demo logins, in the order they are printed."""
    rows = [("head-of-service", "Head of Service", "whole service"), ("service-leader", "Service Leader", "whole service")]
    for ref, name in TEAMS:
        rows.append((f"tl-{ref}", "Team Leader", name))
        rows += [(f"pa-{ref}-{n}", "Personal Adviser", name) for n in (1, 2, 3)]
    rows.append(("duty-admin", "Duty admin", "—"))
    return rows


class Command(BaseCommand):
    help = "Load a believable demo service (teams, staff, about 60 young people, a year of records) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when young people already exist (still print the logins).")
        parser.add_argument("--pack", default=DEFAULT_PACK, choices=list(pack_keys()),
                            help=f"Policy pack to make active (default {DEFAULT_PACK}).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed (same seed, same service).")

    def handle(self, *args, if_empty: bool, pack: str, seed: int, **options):
        if YoungPerson.objects.exists():
            if not if_empty:
                raise CommandError("Young people already exist: seed_demo only fills an empty database "
                                   "(use --if-empty to skip quietly).")
            self.stdout.write("Young people already exist: demo data not loaded.")
        else:
            today = timezone.localdate()
            # The e-mails the services and tonight's alerts send stay in memory, so the logins are not lost under
            # sixty printed e-mails.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                counts = Seeder(rng=random.Random(seed), today=today, pack=pack).run()
                # issue 15, item 8: tonight's work done as of today, as the schedule would (O1): missed nights
                # filled, snapshots, alerts raised and sent to the PAs and Team Leaders, E3 reviews requested.
                result = nightly_run(as_of=today, worker="seed_demo")
                # issue 16, item 2: the Returns page reads stored returns; work them out now, as the nightly task does.
                for year in years_due(today):
                    returns_compute(year=year, run="seed_demo")
            counts["alerts raised tonight"] = result.alerts_raised
            counts["alerts sent"] = result.alerts_sent
            self.stdout.write(self.style.SUCCESS(
                "Demo service loaded: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + "."))
        self.print_logins()

    def print_logins(self) -> None:
        existing = set(get_user_model().objects.filter(
            username__in=[r[0] for r in login_rows()]).values_list("username", flat=True))
        if not existing:
            self.stdout.write("No demo logins in this database (it was not filled by seed_demo).")
            return
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for username, role, team in login_rows():
            if username in existing:
                self.stdout.write(f"  {username:<18} {role:<18} {team}")
        self.stdout.write("")


class Seeder:
    def __init__(self, *, rng: random.Random, today: dt.date, pack: str) -> None:
        self.rng = rng
        self.today = today
        self.pack = pack
        self.counts: dict[str, int] = defaultdict(int)
        self.started = timezone.now()
        #: young person id -> (day, order, n, act) still to run (Seeder.step); (clock then, moment) per step run.
        self.steps: dict[int, list[tuple[dt.date, int, int, Callable[[dt.date], object]]]] = {}
        self.stamps: list[tuple[dt.datetime, dt.datetime | None]] = []
        self.checked: set[tuple[int, int]] = set()  # (young person, birthday age) with an in-touch check (X1)

    def at(self, day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(11, 0)))

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    @transaction.atomic
    def run(self) -> dict[str, int]:
        ensure_packs()
        PolicyPack.objects.filter(is_active=True).exclude(key=self.pack).update(is_active=False)
        PolicyPack.objects.filter(key=self.pack).update(is_active=True)
        self.create_staff()
        people = [self.create_young_person(i) for i in range(YOUNG_PEOPLE)]
        for yp in people:
            self.create_history(yp)
        self.restamp()  # issue 15, item 8: each act of the history recorded on its own day
        # What the history's acts told people (plan signed off, arrangement approved...) was read when it came; what
        # is unread is today's: the waiting work below and tonight's alerts.
        Notification.objects.filter(read_at__isnull=True).update(read_at=F("created_at"))
        self.create_pending_work(people)
        self.create_absences()
        self.create_trend()
        self.seed_features(people)
        recompute(self.today)  # once, for everyone (the nightly path)
        self.counts["notifications"] = Notification.objects.count()
        return dict(self.counts)

    def staff_by_role_and_team(self) -> dict[tuple[str, str | None], list[Staff]]:
        """Every demo member of staff by (role, team ref), in the order they were made (login_rows: the North team
        first); service-wide roles and duty admin under team None."""
        found: dict[tuple[str, str | None], list[Staff]] = defaultdict(list)
        for member in Staff.objects.select_related("team").order_by("pk"):
            found[(member.role, member.team.ref if member.team else None)].append(member)
        return dict(found)

    def seed_features(self, people: list[YoungPerson]) -> None:
        """issue 15, item 8: each feature's demo data (FEATURE_SEEDS), one call each, in order, after the base data and
        before tonight's recompute and nightly run. Each returns counts to print (or None)."""
        staff = self.staff_by_role_and_team()
        for seed in FEATURE_SEEDS:
            for kind, n in (seed(today=self.today, staff_by_role_and_team=staff, young_people=people) or {}).items():
                self.counts[kind] += n

    def create_trend(self, weeks: int = 12) -> None:
        """Weekly snapshots for the trend charts, each computed as of its own night, so it shows
        what was known then. Recorded as snapshot-only history: no alerts are raised for the past."""

        for back in range(weeks, 0, -1):
            night = self.today - dt.timedelta(weeks=back)
            recompute(night)
            run = NightlyRun.objects.create(
                night=night, state=RunState.DONE, worker="seed_demo (trend history)",
                started_at=self.at(night), finished_at=self.at(night),
            )
            run.snapshot_rows = snapshot_take(run=run, night=night)
            run.save()
            self.counts["weekly snapshots"] += 1

    # --- staff ---------------------------------------------------------------------------------

    def create_staff(self) -> None:
        password = make_password(DEMO_PASSWORD)  # hashed once: the same password for every demo login
        names = iter(STAFF_NAMES)
        self.teams = {ref: Team.objects.create(ref=ref, name=name) for ref, name in TEAMS}
        self.pas: list[Staff] = []
        self.leaders: dict[int, Staff] = {}
        for username, role_label, team_name in login_rows():
            role = {"Head of Service": Role.HEAD_OF_SERVICE, "Service Leader": Role.SERVICE_LEADER,
                    "Team Leader": Role.TEAM_LEADER, "Personal Adviser": Role.PA, "Duty admin": Role.DUTY_ADMIN}[role_label]
            team = next((t for t in self.teams.values() if t.name == team_name), None)
            name = next(names, username)
            user = get_user_model().objects.create(
                username=username, password=password, first_name=name.split()[0], last_name=name.split()[-1],
                email=f"{username}@example.gov.uk")
            staff = Staff.objects.create(user=user, ref=username, name=name, role=role, team=team,
                                         email=f"{username}@example.gov.uk")
            self.counts["staff"] += 1
            if role == Role.PA:
                self.pas.append(staff)
            elif role == Role.TEAM_LEADER:
                self.leaders[team.pk] = staff
            elif role == Role.SERVICE_LEADER:
                self.service_leader = staff

    # --- young people --------------------------------------------------------------------------

    def create_young_person(self, i: int) -> YoungPerson:
        rng = self.rng
        pa = self.pas[i % len(self.pas)]
        circumstance = rng.choices(
            Circumstance.values, weights=[30, 14, 10, 5, 7, 4, 5])[0]
        extended = circumstance == Circumstance.HIGHER_EDUCATION or rng.random() < 0.1
        age_days = rng.randint(16 * 365 + 60, (24 if extended else 20) * 365 + 300)
        if circumstance in (Circumstance.SETTLED, Circumstance.NOT_SETTLED, Circumstance.HIGHER_EDUCATION):
            age_days = max(age_days, 18 * 365 + 30)
        dob = self.today - dt.timedelta(days=age_days)
        birthday_16 = birthday(dob, 16)
        allocated_on = max(birthday_16 - dt.timedelta(days=rng.randint(0, 120)), self.today - dt.timedelta(days=900))
        allocated_on = min(allocated_on, self.today - dt.timedelta(days=rng.randint(40, 200)))
        accommodation = {
            Circumstance.CUSTODY: Accommodation.CUSTODY,
            Circumstance.EMERGENCY_ACCOMMODATION: rng.choice([Accommodation.BED_AND_BREAKFAST, Accommodation.HOSTEL]),
            Circumstance.HIGHER_EDUCATION: Accommodation.STUDENT,
        }.get(circumstance) or rng.choice([
            Accommodation.OWN_TENANCY, Accommodation.SUPPORTED, Accommodation.STAYING_PUT, Accommodation.FAMILY,
            Accommodation.HOSTEL, Accommodation.SUPPORTED])
        yp = YoungPerson.objects.create(
            ref=f"YP-{1001 + i}",
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            date_of_birth=dob,
            legal_status=self.legal_status_for(dob),  # issue 15, item 8: legal status matches age
            upn=self.upn_for(i) if rng.random() < 0.85 else "",  # issue 15, item 8: most have a UPN
            circumstance=circumstance,
            accommodation=accommodation,
            extended_support=extended,
            vulnerable=circumstance == Circumstance.NOT_SETTLED or rng.random() < 0.12,
            pa=pa,
            allocated_on=allocated_on,
            sex=rng.choice(["M", "F"]),
            ethnicity=rng.choice(["WBRI", "WBRI", "BAFR", "ABAN", "MWBC", "WOTH", "AOTH", "BCRB"]),
            uasc=rng.random() < 0.1,
            disability=rng.random() < 0.1,
            address=f"{rng.randint(1, 120)} {rng.choice(['High Street', 'Station Road', 'Church Lane', 'Park Avenue'])}",
        )
        Allocation.objects.create(young_person=yp, pa=pa, start=allocated_on, reason="Allocated at referral")
        self.counts["young people"] += 1
        return yp

    def legal_status_for(self, dob: dt.date) -> str:
        """Legal status that fits the age today: eligible or relevant under 18, former relevant at 18 and over
        (a few qualifying, section 24, at any age from 16)."""
        if self.rng.random() < 0.08:
            return LegalStatus.QUALIFYING
        if birthday(dob, 18) > self.today:
            return self.rng.choice([LegalStatus.ELIGIBLE, LegalStatus.RELEVANT])
        return LegalStatus.FORMER_RELEVANT

    @staticmethod
    def upn_for(i: int) -> str:
        """A well-formed Unique Pupil Number: the DfE check letter, then LA (3 digits), school (4), year (2) and a
        serial (3); the check letter is the weighted sum (weights 2 to 13) modulo 23."""
        digits = f"999{1000 + i % 9000:04d}{10 + i % 10:02d}{i:03d}"
        total = sum(int(d) * weight for d, weight in zip(digits, range(2, 14), strict=True))
        return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23] + digits

    def arrangement_for(self, yp: YoungPerson) -> str:
        """Roughly 60% standard; the rest spread across the arrangements whose criteria fit (R1, S, D1)."""
        roll = self.rng.random()
        adult = birthday(yp.date_of_birth, 18) <= self.today
        if roll < 0.15 and adult and not yp.vulnerable and yp.circumstance != Circumstance.CUSTODY:
            return ArrangementKind.REDUCED_VISITS  # R1: 18+, never vulnerable
        if roll < 0.27 and yp.circumstance not in (Circumstance.CUSTODY, Circumstance.EMERGENCY_ACCOMMODATION):
            return ArrangementKind.STEP_BACK
        if roll < 0.42 and yp.circumstance == Circumstance.STANDARD:
            return ArrangementKind.DIFFERENT_NEEDS
        return ArrangementKind.STANDARD

    # --- a year of records ---------------------------------------------------------------------

    def create_history(self, yp: YoungPerson) -> None:
        """A year of this young person's records, written through the services in the order they happened (issue 15,
        item 8). The random choices are made first (so the same day gives the same story); each act is then a step on its day (Seeder.step), run in date order by run_steps. Each young person's
        choices come from their own generator (seeded from the demo's), so a change to one story leaves the others."""
        main, self.rng = self.rng, random.Random(self.rng.getrandbits(64))
        try:
            self.write_history(yp)
        finally:
            self.rng = main

    def write_history(self, yp: YoungPerson) -> None:
        rng = self.rng
        pa = yp.pa
        leader = self.leaders[pa.team_id]
        kind = self.arrangement_for(yp)
        start = max(yp.allocated_on, self.today - dt.timedelta(days=365))
        active_from = None
        if kind != ArrangementKind.STANDARD:
            active_from = max(start + dt.timedelta(days=rng.randint(20, 120)), yp.allocated_on)
            active_from = min(active_from, self.today - dt.timedelta(days=30))
            if kind == ArrangementKind.REDUCED_VISITS:
                # R1 holds on the day it is asked for: past the 18th birthday by then, or the demo waits for it.
                active_from = max(active_from, birthday(yp.date_of_birth, 18) + dt.timedelta(days=ARRANGEMENT_DAYS + 1))
                if active_from > self.today - dt.timedelta(days=10):
                    kind, active_from = ArrangementKind.STANDARD, None
        if kind != ArrangementKind.STANDARD:
            if kind == ArrangementKind.DIFFERENT_NEEDS:
                # D1: the specialist staffed home is on the record before the pattern is asked for.
                yp.accommodation = Accommodation.SPECIALIST_HOME
                yp.save(update_fields=["accommodation"])
            self.active_arrangement(yp, kind, active_from, leader)

        # Who goes overdue: about a quarter stop being seen some weeks before today.
        stop = self.today - dt.timedelta(days=rng.randint(70, 130)) if rng.random() < 0.15 else self.today
        unanswered_tail = rng.random() < 0.15
        tail_day = self.days_ago(20, 40)
        if unanswered_tail:
            stop = min(stop, tail_day - dt.timedelta(days=10))
        day = start + dt.timedelta(days=rng.randint(3, 20))
        while day <= stop:
            arranged = active_from is not None and day >= active_from
            self.one_contact(yp, day, kind if arranged else ArrangementKind.STANDARD)
            day += dt.timedelta(days=rng.randint(25, 50) if not arranged or kind != ArrangementKind.STEP_BACK
                                else rng.randint(60, 88))
        if unanswered_tail:
            # E1/E2 (and E3 under reduced visits): a run of unanswered contacts, the latest this month.
            attempts = 3 if kind == ArrangementKind.REDUCED_VISITS else rng.randint(1, 3)
            for n in range(attempts):
                contact = self.contact(yp, tail_day, rng.choice([Method.HOME_VISIT, Method.PHONE, Method.TEXT]),
                                       Outcome.NO_RESPONSE if n or rng.random() < 0.7 else Outcome.CANCELLED_BY_YP,
                                       note="No answer.")
                if n == 0 and attempts > 1:
                    self.escalation(yp, tail_day + dt.timedelta(days=1), contact)
                tail_day += dt.timedelta(days=rng.randint(3, 6))
                if tail_day > self.today:
                    break

        self.events(yp)
        self.plans(yp, leader)
        if yp.circumstance == Circumstance.NOT_SETTLED and rng.random() < 0.6 and kind == ArrangementKind.STANDARD:
            # T4: agreed in supervision two months ago (a visit interval applies under the standard pattern only).
            self.step(yp, max(start, self.today - dt.timedelta(days=60)), ORDER_DECISION, lambda day: interval_override_set(
                young_person=yp, requirement=RequirementCode.VISIT, interval_days=28, actor=leader, today=day,
                reason="Agreed in supervision while not settled: a visit every four weeks."))
            self.counts["interval overrides"] += 1
        self.run_steps(yp)

    # --- steps: each act on its own day, through its service ---------------------------------

    def step(self, yp: YoungPerson, day: dt.date, order: int, act: Callable[[dt.date], object]) -> None:
        """`act(day)` is run by run_steps in date order (then `order`, then as added), as of `day`."""
        self.steps.setdefault(yp.pk, []).append((min(day, self.today), order, len(self.steps[yp.pk]), act))

    def run_steps(self, yp: YoungPerson) -> None:
        """Run the young person's steps in the order they happened. Each service checks its rules as of the step's
        day where it takes one (`today=`); the moments the services stamp (created, decided, audited, notified) are
        moved to that day afterwards (restamp), as if each act had been recorded on its day."""
        for seq, (day, _order, _n, act) in enumerate(sorted(self.steps.pop(yp.pk, []), key=lambda s: s[:3])):
            self.stamps.append((timezone.now(), self.moment(day, seq)))
            act(day)
        self.stamps.append((timezone.now(), None))  # what follows keeps the moment it was recorded

    def moment(self, day: dt.date, seq: int) -> dt.datetime:
        """When an act of `day` is recorded: late in the working day, in the order the acts happened, never after
        the seeding began."""
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0))) + dt.timedelta(seconds=seq)
        return min(at, self.started)

    def restamp(self) -> int:
        """Every date-time the services stamped with the clock while the history was written (created_at, at,
        submitted_at, the history rows' history_date...) moved to its step's moment (run_steps). One read and one
        bulk update per table, whatever the number of steps. Returns the rows moved."""
        if not self.stamps:
            return 0
        begin, end = self.stamps[0][0], timezone.now()
        starts = [started for started, _ in self.stamps]
        moved = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]
            if not fields or model._meta.proxy:
                continue
            window = Q()
            for f in fields:
                window |= Q(**{f"{f.name}__gte": begin, f"{f.name}__lt": end})
            manager = model._base_manager  # noqa: SLF001 (Django's documented manager for every row, whatever the default)
            rows = list(manager.filter(window).only(model._meta.pk.name, *(f.name for f in fields)))
            changed = set()
            for row in rows:
                for f in fields:
                    value = getattr(row, f.attname)
                    if value is not None and begin <= value < end:
                        target = self.stamps[bisect.bisect_right(starts, value) - 1][1]
                        if target is not None:
                            setattr(row, f.attname, target)
                            changed.add(f.name)
            if changed:
                manager.bulk_update(rows, sorted(changed), batch_size=500)
                moved += len(rows)
        return moved

    # --- contacts ------------------------------------------------------------------------------

    def one_contact(self, yp: YoungPerson, day: dt.date, kind: str) -> None:
        rng = self.rng
        outcome = rng.choices([Outcome.COMPLETED, Outcome.NO_RESPONSE, Outcome.CANCELLED_BY_YP], weights=[82, 11, 7])[0]
        if kind == ArrangementKind.REDUCED_VISITS:
            self.contact(yp, day, rng.choice([Method.PHONE, Method.TEXT, Method.EMAIL]), outcome,
                         note="Keeping in touch under reduced visits.")
        elif kind == ArrangementKind.STEP_BACK:
            self.contact(yp, day, rng.choice([Method.LETTER, Method.TEXT, Method.EMAIL]),
                         rng.choice([Outcome.NO_RESPONSE, Outcome.DECLINED, Outcome.COMPLETED]),
                         purpose=Purpose.KIT_OFFER, note="Offered a visit with a date and time.")
        elif kind == ArrangementKind.DIFFERENT_NEEDS:
            self.contact(yp, day, rng.choice([Method.PHONE, Method.EMAIL]), Outcome.COMPLETED,
                         with_whom=With.LEAD_SOCIAL_WORKER, note="Update from the lead social worker.")
            if rng.random() < 0.4:
                self.contact(yp, day, Method.FACE_TO_FACE, Outcome.COMPLETED, with_whom=With.FAMILY,
                             note="Met the family; Local Offer and contact details given.")
        elif yp.circumstance == Circumstance.CUSTODY:
            method = rng.choice([Method.FACE_TO_FACE, Method.FACE_TO_FACE, Method.LETTER, Method.PHONE])  # T6: in writing too
            self.contact(yp, day, method, outcome, note="Prison visit booked through the visits hall."
                         if method == Method.FACE_TO_FACE else "Wrote with news and the next visit date.")
        else:
            method = Method.HOME_VISIT if yp.circumstance == Circumstance.ON_LICENCE else rng.choices(
                [Method.HOME_VISIT, Method.OFFICE_VISIT, Method.FACE_TO_FACE], weights=[65, 20, 15])[0]
            self.contact(yp, day, method, outcome, note=self.note_for(method, outcome))
            if outcome != Outcome.COMPLETED:  # E1: re-arranged at once, usually seen within a week or so
                retry = day + dt.timedelta(days=rng.randint(3, 9))
                self.contact(yp, retry, method, Outcome.COMPLETED if rng.random() < 0.85 else Outcome.NO_RESPONSE,
                             note=self.note_for(method, Outcome.COMPLETED))
            if rng.random() < 0.4:  # a call or message in between visits
                between = day + dt.timedelta(days=rng.randint(10, 20))
                self.contact(yp, between, rng.choice([Method.PHONE, Method.TEXT]), Outcome.COMPLETED,
                             note="Quick check-in; all fine.")

    def note_for(self, method: str, outcome: str) -> str:
        if outcome != Outcome.COMPLETED:
            return "Arrived as arranged; no answer. Card left with a new date." if method in (
                Method.HOME_VISIT, Method.FACE_TO_FACE) else "No answer; message left."
        return self.rng.choice([
            "Talked about college and the bus pass. Agreed to chase the bursary.",
            "Flat is tidy; rent up to date. Talked about budgeting for winter.",
            "Low mood this week; GP appointment booked. Will check in next week.",
            "Job interview on Friday; went through questions together.",
            "Discussed the pathway plan; happy with the actions.",
        ])

    def contact(self, yp, day, method, outcome, *, with_whom=With.YOUNG_PERSON, purpose=Purpose.NONE,
                note="") -> dict:
        """A contact logged by the PA through contacts.services.contact_log on its day, with its home-visit checklist
        (C3), the visit a keeping-in-touch offer names (S5) and, around a birthday, the in-touch check (X1). Returns a
        box that holds the Contact once the step has run."""
        day = min(day, self.today)
        time = dt.time(self.rng.randint(9, 16), self.rng.choice([0, 15, 30, 45]))
        if day == self.today:  # recorded today: not later than now (check_record_date)
            time = min(time, timezone.localtime(self.started).time().replace(second=0, microsecond=0))
        check = None
        if method == Method.HOME_VISIT and outcome == Outcome.COMPLETED and with_whom == With.YOUNG_PERSON:
            short_term = yp.accommodation in (Accommodation.BED_AND_BREAKFAST, Accommodation.HOSTEL)
            good = [Condition.GOOD, Condition.GOOD, Condition.ADEQUATE, Condition.CONCERN]
            check = {"health_and_safety": self.rng.choice(good), "furnishings_and_kitchen": self.rng.choice(good),
                     "occupancy": Condition.GOOD,
                     "trend": self.rng.choice([Trend.SAME, Trend.SAME, Trend.IMPROVED, Trend.DETERIORATED])}
            if short_term:
                check |= {"cooking": self.rng.choice(good), "laundry": self.rng.choice(good),
                          "house_rules": Condition.ADEQUATE,
                          "overall_suitability": self.rng.choice(["suitable", "suitable", "unsuitable"])}
        in_touch = self.in_touch_check(yp, day) if outcome == Outcome.COMPLETED and with_whom == With.YOUNG_PERSON else None
        offered = day + dt.timedelta(days=7) if purpose == Purpose.KIT_OFFER else None
        box: dict = {}

        def log(on: dt.date) -> None:
            box["contact"] = contact = contact_log(
                young_person=yp, actor=yp.pa, date=on, time=time, method=method, with_whom=with_whom, outcome=outcome,
                purpose=purpose, note=note, visit_check=check, offered_date=offered,
                offered_time=dt.time(14, 0) if offered else None, today=self.today)
            if in_touch is not None:
                in_touch_check_record(young_person=yp, contact=contact, date=on, in_touch="YES", actor=yp.pa, **in_touch)

        self.step(yp, day, ORDER_CONTACT, log)
        self.counts["contacts"] += 1
        return box

    def in_touch_check(self, yp: YoungPerson, day: dt.date) -> dict | None:
        """X1: the in-touch check recorded at a contact around a birthday (3 months before to 1 after), once per
        birthday: its activity and accommodation codes, chosen to pass the DfE rules (e.g. no foyer or former foster
        carers at 17)."""
        for age in range(17, 22):
            around = birthday(yp.date_of_birth, age)
            if around - dt.timedelta(days=90) <= day <= around + dt.timedelta(days=30):
                if (yp.pk, age) in self.checked:
                    return None
                self.checked.add((yp.pk, age))
                letter = {Accommodation.CUSTODY: "X", Accommodation.BED_AND_BREAKFAST: "W", Accommodation.HOSTEL: "T",
                          Accommodation.STAYING_PUT: "Z", Accommodation.FAMILY: "B"}.get(yp.accommodation, "U")
                suitable = letter not in ("W", *ALWAYS_UNSUITABLE)
                activity = self.rng.choice(["F2", "F4", "G5", "P4", "F1" if yp.extended_support else "F2"])
                accommodation = next(
                    code for code in (f"{letter}{1 if suitable else 2}", "D1")
                    if not check_problems(in_touch="YES", activity=activity, accommodation=code, age=age)
                )
                self.counts["in-touch checks"] += 1
                return {"activity": activity, "accommodation": accommodation}
        return None

    def escalation(self, yp: YoungPerson, day: dt.date, missed: dict) -> None:
        """E1: the phone call after a missed contact, with its case note (contacts.services.escalation_record)."""
        self.step(yp, day, ORDER_AFTER_CONTACT, lambda on: escalation_record(
            young_person=yp, actor=yp.pa, step=EscalationStep.PHONE_CALL, date=on, contact=missed["contact"],
            note="Called after the missed visit; no answer, voicemail left.", today=self.today))
        self.counts["escalation steps"] += 1

    def events(self, yp: YoungPerson) -> None:
        rng = self.rng
        kind = {Circumstance.CUSTODY: EventKind.CUSTODY_START,
                Circumstance.EMERGENCY_ACCOMMODATION: EventKind.EMERGENCY_PLACEMENT}.get(yp.circumstance)
        if kind is None and rng.random() < 0.12:
            kind = rng.choice([EventKind.ACCOMMODATION_MOVE, EventKind.SIGNIFICANT_CHANGE])
        if kind is None:
            return
        day = max(self.days_ago(3, 45), yp.allocated_on)
        notes = {
            EventKind.CUSTODY_START: "Remanded at the magistrates' court.",
            EventKind.EMERGENCY_PLACEMENT: "Placed in emergency accommodation after a tenancy breakdown.",
            EventKind.ACCOMMODATION_MOVE: "Moved from supported accommodation to own flat.",
            EventKind.SIGNIFICANT_CHANGE: "Started a new job; hours affect benefits.",
        }[kind]
        self.step(yp, day, ORDER_AFTER_CONTACT, lambda on: event_record(
            young_person=yp, actor=yp.pa, kind=kind, date=on, notes=notes, today=self.today))
        self.counts["events"] += 1

    # --- pathway plans -------------------------------------------------------------------------

    def plans(self, yp: YoungPerson, leader: Staff) -> None:
        """Signed-off reviews every ~6 months (some late): each version started, written and submitted by the PA and
        signed off by the Team Leader on its review day (P3, O2: its decisions and case notes), then shared with the
        young person a few days later (P4)."""
        rng = self.rng
        # Most reviews are in date (P1); about one in eight is late.
        latest = self.days_ago(20, 170) if rng.random() < 0.88 else self.days_ago(190, 260)
        reviews = [latest]
        while reviews[-1] - dt.timedelta(days=182) >= max(yp.allocated_on, self.today - dt.timedelta(days=600)):
            reviews.append(reviews[-1] - dt.timedelta(days=rng.randint(150, 182)))
        # issue 15, item 8: the reviews of the year on record (its contacts hold the visit before each review).
        reviews = [day for day in reversed(reviews) if day >= max(yp.allocated_on, self.today - dt.timedelta(days=365))]
        for review in reviews:
            self.step(yp, review, ORDER_PLAN, lambda on: self.signed_off_plan(yp, leader, on))
            self.counts["signed-off plans"] += 1

    def signed_off_plan(self, yp: YoungPerson, leader: Staff, day: dt.date) -> None:
        plan = self.written_plan(yp, day, submit=True)
        visit = visit_before_review(plan, today=day)
        plan_sign_off(plan=plan, actor=leader, today=day, comments="Clear actions; the young person's voice is recorded.",
                      no_visit_reason="" if visit.made else "Seen at the office and by phone; a home visit is booked.")
        plan_record_shared(plan=plan, actor=yp.pa, shared_on=min(day + dt.timedelta(days=3), self.today),
                           how=SharedHow.IN_PERSON, today=self.today)

    def written_plan(self, yp: YoungPerson, day: dt.date, *, submit: bool, voice: str = "") -> PathwayPlan:
        """A version started and written by the PA (plan_start, plan_update), with the sections its kind needs and the
        contact arrangements the arrangement in force asks for (P5, S4, D3; V1, R6, S5), submitted if `submit`."""
        plan = plan_start(young_person=yp, actor=yp.pa)
        arrangement = governing_arrangement(plan)
        method, code, _rule = PATTERN[arrangement.kind if arrangement else ArrangementKind.STANDARD]
        interval = pack_intervals_for(yp, on=day, arrangement_kind=arrangement.kind if arrangement else None).get(code)
        content = {**PLAN_CONTENT, "accommodation": yp.get_accommodation_display(), "contact_method": method,
                   "contact_every_weeks": max(1, min(8, (interval or 56) // 7))}
        if voice:
            content["young_persons_voice"] = voice
        allowed = set(sections_for(plan.kind))
        plan_update(plan=plan, actor=yp.pa, content={k: v for k, v in content.items() if k in allowed})
        if submit:
            plan_submit(plan=plan, actor=yp.pa, today=day)
        return plan

    # --- arrangements --------------------------------------------------------------------------

    def active_arrangement(self, yp: YoungPerson, kind: str, active_from: dt.date, leader: Staff) -> None:
        """An arrangement made active through its chain (R3-R5, S1-S3, D1-D3): the PA's request ARRANGEMENT_DAYS
        before it starts, the Team Leader's approval (a step back or different needs is active from then; a step back
        once its S2 items are given), and for reduced visits the Service Leader's agreement on `active_from`."""
        requested = active_from - dt.timedelta(days=ARRANGEMENT_DAYS)
        approved = active_from - dt.timedelta(days=5) if kind == ArrangementKind.REDUCED_VISITS else active_from
        box: dict = {}

        def request(on: dt.date) -> None:
            box["arrangement"] = arrangement_request(
                young_person=yp, kind=kind, details=ACTIVE_DETAILS[kind], actor=yp.pa, today=on,
                keeping_in_touch="Text or phone every eight weeks." if kind == ArrangementKind.REDUCED_VISITS else "")

        def items_given(on: dt.date) -> None:
            for item in StepBackItem.values:
                step_back_item_record(arrangement=box["arrangement"], item=item, given_on=on, actor=yp.pa, today=self.today)

        self.step(yp, requested, ORDER_DECISION, request)
        if kind == ArrangementKind.STEP_BACK:
            self.step(yp, active_from - dt.timedelta(days=3), ORDER_DECISION, items_given)
        self.step(yp, approved, ORDER_DECISION, lambda on: arrangement_approve(
            arrangement=box["arrangement"], actor=leader, today=on,
            rationale="Criteria met; the plan is updated with the rationale."))
        if kind == ArrangementKind.REDUCED_VISITS:
            self.step(yp, active_from, ORDER_DECISION, lambda on: arrangement_agree(
                arrangement=box["arrangement"], actor=self.service_leader, today=on,
                rationale="Agreed: low support needs and a clear keeping-in-touch plan."))
        self.counts["active arrangements"] += 1

    # --- work waiting for managers --------------------------------------------------------------

    def create_pending_work(self, people: list[YoungPerson]) -> None:
        """Open plans and arrangement requests waiting for a decision, made today through the services (which tell
        the Team Leader or Service Leader)."""
        rng = self.rng
        standard = [yp for yp in people if not yp.arrangements.exists()]
        rng.shuffle(standard)
        # Open plans: drafts with PAs and plans submitted to Team Leaders (P2, P3).
        for n, yp in enumerate(standard[:14]):
            submitted = n % 2 == 0
            rng.randint(5, 30)  # drawn as ever (the same story): the review due date is now the requirement's (P2)
            self.written_plan(yp, self.today, submit=submitted, voice="I'd like help finding a job.")
            self.counts["plans submitted" if submitted else "draft plans"] += 1
        # Arrangement requests waiting for a Team Leader (R3, S1, D1) or, for reduced visits, the Service Leader (R5).
        # Each slot takes the first young person left whom its rule fits (R1: 18+, never vulnerable; D1: living in a
        # specialist staffed home), else it is a step back (S1).
        pool = standard[14:21]
        for n in range(len(pool)):
            kind = [ArrangementKind.REDUCED_VISITS, ArrangementKind.STEP_BACK, ArrangementKind.DIFFERENT_NEEDS][n % 3]
            fits = {ArrangementKind.REDUCED_VISITS: self.reduced_visits_fit,
                    ArrangementKind.DIFFERENT_NEEDS: lambda p: p.accommodation == Accommodation.SPECIALIST_HOME}
            yp = next((p for p in pool if fits.get(kind, lambda p: True)(p)), None)
            if yp is None:
                kind, yp = ArrangementKind.STEP_BACK, pool[0]
            pool.remove(yp)
            arrangement = arrangement_request(
                young_person=yp, kind=kind, details=PENDING_DETAILS[kind], actor=yp.pa, today=self.today,
                keeping_in_touch="Texts fortnightly; a call every 8 weeks." if kind == ArrangementKind.REDUCED_VISITS else "")
            if n >= 3 and kind == ArrangementKind.REDUCED_VISITS:  # only reduced visits wait for the Service Leader (R5)
                arrangement_approve(arrangement=arrangement, actor=self.leaders[yp.pa.team_id], today=self.today,
                                    rationale="Criteria met; the Service Leader's agreement is needed.")
            self.counts["pending arrangement requests"] += 1

    def reduced_visits_fit(self, yp: YoungPerson) -> bool:
        """R1: reduced visits only for an adult who is not vulnerable (and not in custody, T6)."""
        return (birthday(yp.date_of_birth, 18) <= self.today and not yp.vulnerable
                and yp.circumstance != Circumstance.CUSTODY)

    def create_absences(self) -> None:
        """V5: two PAs have leave coming up, so some due dates fall inside it (careleavers.services.absence_add)."""
        for n, pa in enumerate(self.pas[:2]):
            start = self.today + dt.timedelta(days=5 + 4 * n)
            absence_add(staff=pa, actor=pa, start=start, end=start + dt.timedelta(days=9),
                        reason=[AbsenceReason.ANNUAL_LEAVE, AbsenceReason.TRAINING][n], today=self.today)
            self.counts["planned absences"] += 1
