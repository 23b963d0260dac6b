"""`python manage.py seed_demo [--if-empty] [--pack KEY] [--seed N]`: a believable demo service.

Three teams with their PAs and Team Leaders, a Service Leader, a Head of Service and duty admin;
about 60 young people across every circumstance and arrangement, a year of contacts (some
overdue, some unanswered), events, signed-off and open pathway plans, active arrangements with
their decision chains and pending requests, planned absences and notifications. Dates are
relative to today and the random choices seeded, so the same day gives the same service.
The engine is run once at the end (compliance.engine.recompute) for everyone.
"""

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from approvals.models import Arrangement, ArrangementDecision, ArrangementKind, ArrangementState, Decision, Step
from careleavers.models import (
    AbsenceReason,
    Accommodation,
    Allocation,
    CaseNote,
    CaseNoteKind,
    Circumstance,
    Event,
    EventKind,
    IntervalOverride,
    LegalStatus,
    Notification,
    PlannedAbsence,
    Role,
    Staff,
    Team,
    YoungPerson,
)
from compliance.engine import recompute
from compliance.models import PolicyPack, Requirement, RequirementCode
from compliance.packs import DEFAULT_PACK, ensure_packs, pack_keys
from contacts.codes import ALWAYS_UNSUITABLE
from contacts.models import (
    Condition,
    Contact,
    Escalation,
    EscalationStep,
    InTouchCheck,
    Method,
    Outcome,
    Purpose,
    Trend,
    VisitCheck,
    With,
)
from core.dates import birthday
from demo import seed_allocation, seed_case_record, seed_documents, seed_notes, seed_plans
from oversight.models import NightlyRun, RunState
from oversight.services import nightly_run, snapshot_take
from pathway.models import PathwayPlan, PlanAction, PlanDecision, PlanState
from pathway.services import plan_with_team_leader_days
from returns.computed import returns_compute, years_due
from returns.dfe import check_problems

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
        self.create_pending_work(people)
        self.create_absences()
        self.create_trend()
        self.seed_features(people)
        recompute(self.today)  # once, for everyone (the nightly path)
        self.open_plans_review_due()
        return dict(self.counts)

    def open_plans_review_due(self) -> None:
        """issue 15, item 8: plan review dates agree everywhere. A submitted plan carries the review due date of the
        young person's pathway_review requirement, as plan_submit records it (P2); a draft has none until submitted."""
        due = dict(Requirement.objects.filter(code=RequirementCode.PATHWAY_REVIEW).values_list("young_person_id", "due"))
        window = dt.timedelta(days=plan_with_team_leader_days())
        for plan in PathwayPlan.objects.filter(state__in=(PlanState.SUBMITTED, PlanState.DRAFT)):
            plan.review_due = due.get(plan.young_person_id) if plan.state == PlanState.SUBMITTED else None
            plan.late_to_team_leader = plan.review_due is not None and self.today > plan.review_due - window
            plan.save(update_fields=["review_due", "late_to_team_leader"])

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
        rng = self.rng
        pa = yp.pa
        leader = self.leaders[pa.team_id]
        kind = self.arrangement_for(yp)
        start = max(yp.allocated_on, self.today - dt.timedelta(days=365))
        active_from = None
        if kind != ArrangementKind.STANDARD:
            active_from = max(start + dt.timedelta(days=rng.randint(20, 120)), yp.allocated_on)
            active_from = min(active_from, self.today - dt.timedelta(days=30))
            self.active_arrangement(yp, kind, active_from, leader)
        if kind == ArrangementKind.DIFFERENT_NEEDS:
            yp.accommodation = Accommodation.SPECIALIST_HOME
            yp.save()

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
                    Escalation.objects.create(young_person=yp, step=EscalationStep.PHONE_CALL,
                                              date=tail_day + dt.timedelta(days=1), contact=contact, recorded_by=pa,
                                              note="Called after the missed visit; no answer, voicemail left.")
                    note = CaseNote.objects.create(young_person=yp, author=pa, kind=CaseNoteKind.ESCALATION,
                                                   subject="Phone call after a missed contact",
                                                   text="Called after the missed visit; no answer, voicemail left.")
                    CaseNote.objects.filter(pk=note.pk).update(created_at=self.at(tail_day + dt.timedelta(days=1)))
                    self.counts["escalation steps"] += 1
                tail_day += dt.timedelta(days=rng.randint(3, 6))
                if tail_day > self.today:
                    break

        self.events(yp)
        self.plans(yp, leader)
        if yp.circumstance == Circumstance.NOT_SETTLED and rng.random() < 0.6:
            IntervalOverride.objects.create(young_person=yp, requirement="visit", interval_days=28, agreed_by=leader,
                                            reason="Agreed in supervision while not settled.")
            self.counts["interval overrides"] += 1

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

    def contact(self, yp, day, method, outcome, *, with_whom=With.YOUNG_PERSON, purpose="", note="") -> Contact:
        day = min(day, self.today)
        contact = Contact.objects.create(
            young_person=yp, date=day, time=dt.time(self.rng.randint(9, 16), self.rng.choice([0, 15, 30, 45])),
            method=method, with_whom=with_whom, outcome=outcome, purpose=purpose, note=note, recorded_by=yp.pa,
            third_party_name="")
        self.counts["contacts"] += 1
        if method == Method.HOME_VISIT and outcome == Outcome.COMPLETED and with_whom == With.YOUNG_PERSON:
            short_term = yp.accommodation in (Accommodation.BED_AND_BREAKFAST, Accommodation.HOSTEL)
            good = [Condition.GOOD, Condition.GOOD, Condition.ADEQUATE, Condition.CONCERN]
            VisitCheck.objects.create(
                contact=contact, health_and_safety=self.rng.choice(good), furnishings_and_kitchen=self.rng.choice(good),
                occupancy=Condition.GOOD, trend=self.rng.choice([Trend.SAME, Trend.SAME, Trend.IMPROVED, Trend.DETERIORATED]),
                cooking=self.rng.choice(good) if short_term else "", laundry=self.rng.choice(good) if short_term else "",
                house_rules=Condition.ADEQUATE if short_term else "",
                overall_suitability=self.rng.choice(["suitable", "suitable", "unsuitable"]) if short_term else "",
            )
        if outcome == Outcome.COMPLETED and with_whom == With.YOUNG_PERSON:
            self.in_touch_check(yp, contact)
        return contact

    def in_touch_check(self, yp: YoungPerson, contact: Contact) -> None:
        """X1: the in-touch check recorded at a contact around a birthday (3 months before to 1 after)."""
        for age in range(17, 22):
            day = birthday(yp.date_of_birth, age)
            if day - dt.timedelta(days=90) <= contact.date <= day + dt.timedelta(days=30):
                if not InTouchCheck.objects.filter(young_person=yp, date__gte=day - dt.timedelta(days=90),
                                                   date__lte=day + dt.timedelta(days=30)).exists():
                    letter = {Accommodation.CUSTODY: "X", Accommodation.BED_AND_BREAKFAST: "W", Accommodation.HOSTEL: "T",
                              Accommodation.STAYING_PUT: "Z", Accommodation.FAMILY: "B"}.get(yp.accommodation, "U")
                    suitable = letter not in ("W", *ALWAYS_UNSUITABLE)
                    activity = self.rng.choice(["F2", "F4", "G5", "P4", "F1" if yp.extended_support else "F2"])
                    # Demo data must pass the DfE rules too (e.g. no foyer or former foster carers at 17).
                    accommodation = next(
                        code for code in (f"{letter}{1 if suitable else 2}", "D1")
                        if not check_problems(in_touch="YES", activity=activity, accommodation=code, age=age)
                    )
                    InTouchCheck.objects.create(
                        young_person=yp, contact=contact, date=contact.date, in_touch="YES",
                        activity=activity, accommodation=accommodation, recorded_by=yp.pa)
                    self.counts["in-touch checks"] += 1
                return

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
        Event.objects.create(young_person=yp, kind=kind, date=day, notes=notes, recorded_by=yp.pa)
        self.counts["events"] += 1

    def plans(self, yp: YoungPerson, leader: Staff) -> None:
        """Signed-off reviews every ~6 months (some late), each with its decisions (P3, O2)."""
        rng = self.rng
        # Most reviews are in date (P1); about one in eight is late.
        latest = self.days_ago(20, 170) if rng.random() < 0.88 else self.days_ago(190, 260)
        reviews = [latest]
        while reviews[-1] - dt.timedelta(days=182) >= max(yp.allocated_on, self.today - dt.timedelta(days=600)):
            reviews.append(reviews[-1] - dt.timedelta(days=rng.randint(150, 182)))
        reviews = [day for day in reversed(reviews) if day >= yp.allocated_on]
        for version, review in enumerate(reviews, start=1):
            plan = PathwayPlan.objects.create(
                young_person=yp, version=version, state=PlanState.SIGNED_OFF, created_by=yp.pa,
                young_persons_voice="I want to stay near my friends and finish my course.",
                health="Registered with a GP.", education_employment="College, level 2.",
                accommodation=yp.get_accommodation_display(), money="Budgeting with the PA.",
                contact_arrangements="Visits every eight weeks; text in between.",
                review_due=review, submitted_at=timezone.now(), signed_off_at=timezone.now(), signed_off_by=leader,
                review_date=review, shared_with_young_person_on=min(review + dt.timedelta(days=3), self.today))
            PlanDecision.objects.create(plan=plan, action=PlanAction.SUBMITTED, actor=yp.pa)
            PlanDecision.objects.create(plan=plan, action=PlanAction.SIGNED_OFF, actor=leader,
                                        comments="Clear actions; the young person's voice is recorded.")
            self.counts["signed-off plans"] += 1

    def active_arrangement(self, yp: YoungPerson, kind: str, active_from: dt.date, leader: Staff) -> None:
        """An arrangement made active through its chain: PA request, Team Leader, Service Leader (R3-R5)."""
        details = {
            ArrangementKind.REDUCED_VISITS: {"wish_and_reasons": "Settled and working full time; visits feel intrusive.",
                                             "understands_contact_continues": True, "agrees_to_respond": True},
            ArrangementKind.STEP_BACK: {"attempts_to_engage": "Visits, calls, letters and cards over six months."},
            ArrangementKind.DIFFERENT_NEEDS: {"specialist_home": True, "would_not_understand_pa_role": True},
        }[kind]
        arrangement = Arrangement.objects.create(
            young_person=yp, kind=kind, state=ArrangementState.ACTIVE, requested_by=yp.pa, details=details,
            keeping_in_touch="Text or phone every eight weeks." if kind == ArrangementKind.REDUCED_VISITS else "",
            active_from=active_from)
        label = ArrangementKind(kind).label
        for step, decision, actor, why in (
            (Step.REQUEST, Decision.REQUESTED, yp.pa, "The young person asked for this; conversation recorded."),
            (Step.TEAM_LEADER, Decision.APPROVED, leader, "Criteria met; plan updated with the rationale."),
            (Step.SERVICE_LEADER, Decision.AGREED, self.service_leader, "Agreed."),
        ):
            ArrangementDecision.objects.create(arrangement=arrangement, step=step, decision=decision, actor=actor,
                                               rationale=why)
            note = CaseNote.objects.create(young_person=yp, author=actor, kind=CaseNoteKind.ARRANGEMENT,
                                           subject=f"{label}: {Decision(decision).label.lower()}", text=why)
            # Back-date the note to when the decision was made (case notes are not audited rows).
            CaseNote.objects.filter(pk=note.pk).update(created_at=self.at(active_from))
        self.counts["active arrangements"] += 1

    # --- work waiting for managers --------------------------------------------------------------

    def create_pending_work(self, people: list[YoungPerson]) -> None:
        rng = self.rng
        standard = [yp for yp in people if not yp.arrangements.exists()]
        rng.shuffle(standard)
        # Open plans: drafts with PAs and plans submitted to Team Leaders (P2, P3).
        for n, yp in enumerate(standard[:14]):
            leader = self.leaders[yp.pa.team_id]
            version = (yp.plans.order_by("-version").values_list("version", flat=True).first() or 0) + 1
            submitted = n % 2 == 0
            plan = PathwayPlan.objects.create(
                young_person=yp, version=version, state=PlanState.SUBMITTED if submitted else PlanState.DRAFT,
                created_by=yp.pa, young_persons_voice="I'd like help finding a job.", health="No concerns.",
                review_due=self.today + dt.timedelta(days=rng.randint(5, 30)),
                submitted_at=timezone.now() if submitted else None)
            if submitted:
                PlanDecision.objects.create(plan=plan, action=PlanAction.SUBMITTED, actor=yp.pa)
                self.notify(leader, yp, "plan_submitted", f"{yp.pa.name} submitted a pathway plan for {yp.name} ({yp.ref}).")
                self.counts["plans submitted"] += 1
            else:
                self.counts["draft plans"] += 1
        # Arrangement requests waiting for a Team Leader or the Service Leader (R3-R5, S3, D2).
        for n, yp in enumerate(standard[14:21]):
            kind = [ArrangementKind.REDUCED_VISITS, ArrangementKind.STEP_BACK, ArrangementKind.DIFFERENT_NEEDS][n % 3]
            if kind == ArrangementKind.REDUCED_VISITS and not self.reduced_visits_fit(yp):
                kind = ArrangementKind.STEP_BACK  # issue 15, item 8: R1 (18+, never vulnerable) holds for requests too
            state = ArrangementState.REQUESTED if n < 4 else ArrangementState.TEAM_LEADER_APPROVED
            leader = self.leaders[yp.pa.team_id]
            arrangement = Arrangement.objects.create(
                young_person=yp, kind=kind, state=state, requested_by=yp.pa,
                details={"wish_and_reasons": "Asked for less frequent visits."})
            ArrangementDecision.objects.create(arrangement=arrangement, step=Step.REQUEST, decision=Decision.REQUESTED,
                                               actor=yp.pa, rationale="Conversation recorded with the young person.")
            if state == ArrangementState.TEAM_LEADER_APPROVED:
                ArrangementDecision.objects.create(arrangement=arrangement, step=Step.TEAM_LEADER,
                                                   decision=Decision.APPROVED, actor=leader, rationale="Criteria met.")
                self.notify(self.service_leader, yp, "arrangement_tl_approved",
                            f"{leader.name} approved {ArrangementKind(kind).label.lower()} for {yp.name}: "
                            "your agreement is needed.")
            else:
                self.notify(leader, yp, "arrangement_requested",
                            f"{yp.pa.name} requested {ArrangementKind(kind).label.lower()} for {yp.name} ({yp.ref}).")
            self.counts["pending arrangement requests"] += 1

    def reduced_visits_fit(self, yp: YoungPerson) -> bool:
        """R1: reduced visits only for an adult who is not vulnerable (and not in custody, T6)."""
        return (birthday(yp.date_of_birth, 18) <= self.today and not yp.vulnerable
                and yp.circumstance != Circumstance.CUSTODY)

    def notify(self, recipient: Staff, yp: YoungPerson, kind: str, message: str) -> None:
        Notification.objects.create(recipient=recipient, young_person=yp, kind=kind, message=message,
                                    url=reverse("young_person", args=[yp.pk]))
        self.counts["notifications"] += 1

    def create_absences(self) -> None:
        """V5: two PAs have leave coming up, so some due dates fall inside it."""
        for n, pa in enumerate(self.pas[:2]):
            start = self.today + dt.timedelta(days=5 + 4 * n)
            PlannedAbsence.objects.create(staff=pa, start=start, end=start + dt.timedelta(days=9),
                                          reason=[AbsenceReason.ANNUAL_LEAVE, AbsenceReason.TRAINING][n])
            self.counts["planned absences"] += 1
