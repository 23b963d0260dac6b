"""The caseload list: filters, search, the counts at the top and the "coming up" list (V2, V4, V5).

Every query starts from careleavers.selectors.young_people_visible_to, so no filter can widen
what a member of staff sees. Status filters read the stored requirement rows (due,
due_soon_from), whose windows come from the active policy pack: no interval is written here.
"""

import datetime as dt

import django_filters
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from approvals.models import Arrangement, ArrangementKind, ArrangementState
from compliance.models import Requirement, RequirementCode, Status
from compliance.selectors import status_expression

from .models import Circumstance, PlannedAbsence, Role, YoungPerson
from .selectors import staff_for, staff_visible_to

NOTHING_DUE = "none"
STATUS_CHOICES = [*Status.choices, (NOTHING_DUE, "Nothing due")]


def requirement_status_q(status: str, today: dt.date, prefix: str = "") -> Q:
    """A requirement row's status on `today` as a filter (the SQL twin of engine.status_for)."""
    if status == Status.OVERDUE:
        return Q(**{f"{prefix}due__lt": today})
    if status == Status.DUE_SOON:
        return Q(**{f"{prefix}due__gte": today, f"{prefix}due_soon_from__lte": today})
    return Q(**{f"{prefix}due_soon_from__gt": today})


def in_absence(staff_field: str, day_field: str) -> Exists:
    """V5: the PA has a planned absence covering the day."""
    return Exists(PlannedAbsence.objects.filter(
        staff=OuterRef(staff_field), start__lte=OuterRef(day_field), end__gte=OuterRef(day_field)))


class CaseloadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name or reference", method="search")
    status = django_filters.ChoiceFilter(label="Status", choices=STATUS_CHOICES, method="noop", empty_label="Any status")
    requirement = django_filters.ChoiceFilter(
        label="Requirement", choices=RequirementCode.choices, method="noop", empty_label="Any requirement")
    circumstance = django_filters.ChoiceFilter(label="Circumstance", choices=Circumstance.choices, empty_label="Any")
    arrangement = django_filters.ChoiceFilter(
        label="Arrangement", choices=ArrangementKind.choices, method="by_arrangement", empty_label="Any")
    pa = django_filters.ModelChoiceFilter(label="Personal Adviser", queryset=None, empty_label="Any PA")

    class Meta:
        model = YoungPerson
        fields = ["q", "status", "requirement", "circumstance", "arrangement", "pa"]

    def __init__(self, *args, user=None, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        staff = staff_for(user)
        if staff is None or staff.role == Role.PA:
            del self.filters["pa"]  # a PA sees their own caseload (and cover cases)
        else:
            self.filters["pa"].queryset = staff_visible_to(user).filter(role=Role.PA).order_by("name")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(ref__icontains=value)) if value else queryset

    def noop(self, queryset, name, value):
        return queryset  # status and requirement combine, so they are applied together in filter_queryset

    def by_arrangement(self, queryset, name, value):
        active = Arrangement.objects.filter(young_person=OuterRef("pk"), state=ArrangementState.ACTIVE)
        if value == ArrangementKind.STANDARD:
            return queryset.filter(~Exists(active))
        return queryset.filter(Exists(active.filter(kind=value)))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        status = self.form.cleaned_data.get("status")
        code = self.form.cleaned_data.get("requirement")
        if not status and not code:
            return queryset
        rows = Requirement.objects.filter(young_person=OuterRef("pk"))
        if code:
            rows = rows.filter(code=code)
        if status == NOTHING_DUE:
            return queryset.filter(~Exists(rows))
        if status == Status.OK:
            # On track: nothing (of that requirement) overdue or due soon, and something applies.
            return queryset.filter(Exists(rows)).exclude(Exists(rows.filter(due_soon_from__lte=self.today)))
        if status:
            rows = rows.filter(requirement_status_q(status, self.today))
        return queryset.filter(Exists(rows))


def caseload_counts(people: QuerySet[YoungPerson], *, today: dt.date) -> dict:
    """Overdue and due-soon requirements on the caseload, in one query (V2, V4)."""
    rows = Requirement.objects.filter(young_person__in=people.values("pk"))
    return rows.aggregate(
        overdue=Count("pk", filter=requirement_status_q(Status.OVERDUE, today)),
        due_soon=Count("pk", filter=requirement_status_q(Status.DUE_SOON, today)),
        overdue_people=Count("young_person", filter=requirement_status_q(Status.OVERDUE, today), distinct=True),
    )


def coming_up(people: QuerySet[YoungPerson], *, today: dt.date, limit: int = 20) -> list[Requirement]:
    """V2: requirements not yet overdue whose scheduling window (the pack's due-soon rows, stored
    as due_soon_from) has opened: visits and contacts two weeks ahead, reviews a month ahead.
    Flags those due inside the PA's planned absence (V5). One query."""
    rows = (
        Requirement.objects.filter(young_person__in=people.values("pk"))
        .filter(requirement_status_q(Status.DUE_SOON, today))
        .select_related("young_person", "young_person__pa")
        .annotate(status=status_expression(today), in_absence=in_absence("young_person__pa", "due"))
        .order_by("due", "young_person__ref", "code")
    )
    return list(rows[:limit])
