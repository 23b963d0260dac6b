"""The caseload list: filters, search, the counts at the top and the "coming up" list (V2, V4, V5).

Every query starts from careleavers.selectors.young_people_visible_to, so no filter can widen
what a member of staff sees. Status filters read the stored requirement rows (due,
due_soon_from), whose windows come from the active policy pack: no interval is written here.
"""

import copy
import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache, lru_cache

import django_filters
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.base import DEFERRED
from django.db.models.expressions import OrderBy, RawSQL
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django_filters.filters import FilterMethod

from approvals.models import Arrangement, ArrangementKind, ArrangementState
from careleavers.models import Circumstance, PlannedAbsence, Staff, Team, YoungPerson
from careleavers.selectors import open_cases, personal_advisers_visible_to, staff_for
from compliance.checkpoints import SORT_INDEX, page_ids_params, page_ids_sql
from compliance.engine import ensure_summary, refresh_summary, summary_date
from compliance.models import Requirement, RequirementCode, Status
from compliance.selectors import URGENCY_SORT, most_urgent, open_summaries, order_by_urgency, summary_day
from compliance.status import needs_attention_q, status_for, status_q
from core.dates import age_on
from core.prepared import DATE, INT, Ids, Prepared
from core.rules import (
    is_pa,
    is_service_wide,
    personal_advisers_among,
    team_staff,
    visibility_of,
    young_people_seen_as,
)
from pathway.selectors import plan_not_shared
from returns.selectors import birthday_checks_due_among

NOTHING_DUE = "none"
STATUS_CHOICES = [*Status.choices, (NOTHING_DUE, "Nothing due")]


def in_absence(staff_field: str, day_field: str) -> Exists:
    """V5: the PA has a planned absence covering the day."""
    return Exists(PlannedAbsence.objects.filter(
        staff=OuterRef(staff_field), start__lte=OuterRef(day_field), end__gte=OuterRef(day_field)))


@lru_cache(maxsize=32)
def _options(choices: tuple[tuple[str, str], ...], chosen: str) -> SafeString:
    """A select's options, the chosen one selected. Kept for the same choices and choice (issue 16: the whole
    service's 500 teams, escaped one by one, were the largest part of a Service Leader's page after the rows; the
    options are the same on every page until a team is added or renamed, which changes the key)."""
    return format_html_join("", '<option value="{}"{}>{}</option>', (
        (option, " selected" if option == chosen else "", label) for option, label in choices))


@lru_cache(maxsize=1)
def _teams() -> Prepared:
    """Every team by name, as (id, name): the whole service's team filter (issue 16: prepared once per process)."""
    return Prepared(lambda: Team.objects.order_by("name").values_list("pk", "name"))


@lru_cache(maxsize=1)
def _team_pas() -> Prepared:
    """A team's PAs by name, as (id, name): a Team Leader's PA filter (issue 16: prepared once per process)."""
    return Prepared(lambda team_id: personal_advisers_among(team_staff(Staff.objects.all(), team_id=team_id))
                    .order_by("name").values_list("pk", "name"), team_id=INT)


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
        super().__init__(*args, **kwargs)  # each filter copied by _copied, not deep-copied (_EachCopied)
        self.today = today
        self.user = user
        staff = staff_for(user)
        self.service_wide = is_service_wide(user)
        kind, key = visibility_of(user)
        self.team_leader_of = key if kind == "team" else None  # the Team Leader's team
        if staff is None or is_pa(user):
            del self.filters["pa"]  # a PA sees their own caseload (and cover cases)
        else:
            # Built only when the form is (a callable queryset, django-filter's QuerySetRequestMixin) or pa_choices
            # lists PAs from it: not on an unfiltered page (issue 16).
            self.filters["pa"].queryset = self._pa_queryset
        if self.service_wide:
            # A national service has thousands of PAs: choose the team first, then its PAs.
            team = _copied(_team_filter())
            team.model, team.parent = self.queryset.model, self
            self.filters["team"] = team
            self.filters = {k: self.filters[k] for k in [*(k for k in self.filters if k != "pa"), "pa"]}

    @cached_property
    def _pas(self) -> QuerySet[Staff]:
        """The PAs this member of staff may filter by (careleavers.selectors.personal_advisers_visible_to), by name."""
        return personal_advisers_visible_to(self.user).order_by("name")

    def _pa_queryset(self, request=None) -> QuerySet[Staff]:
        """The PA filter's queryset as django-filter asks for a callable one (QuerySetRequestMixin): _pas."""
        return self._pas

    @property
    def narrows(self) -> bool:
        """Some filter or search is applied (a value that is valid; django-filter ignores the others)."""
        if not self.is_bound:
            return False
        if not any(self.data.get(name) for name in self.filters):
            return False  # nothing asked for (issue 16: no form to clean on the unfiltered page)
        self.form.is_valid()  # cleans the form once: cleaned_data holds the valid values
        return any(value not in (None, "", [], ()) for value in self.form.cleaned_data.values())

    @property
    def pa_choices(self) -> list[tuple[str, str]]:
        """The PA options to show: a Team Leader's team; for the whole service, the chosen team's PAs
        (and the PA already chosen), so the page never lists every PA in the country."""
        if "pa" not in self.filters:
            return []
        if self.service_wide:
            team, pa = self.data.get("team"), self.data.get("pa")
            team_id = int(team) if team and str(team).isdigit() else None
            pa_id = int(pa) if pa and str(pa).isdigit() else None
            if team_id is None and pa_id is None:
                return [("", "Any PA")]  # no team chosen: no PA to list (and no query or Q to build, issue 16)
            wanted = Q(pk__in=[])
            if team_id is not None:
                wanted |= Q(team_id=team_id)
            if pa_id is not None:
                wanted |= Q(pk=pa_id)
            people = self._pa_queryset().filter(wanted)
        elif self.team_leader_of is not None:
            # Issue 16: a Team Leader's PAs (core.rules.visible_staff), from a query prepared once per process.
            return [("", "Any PA"), *((str(pk), name) for pk, name in _team_pas().rows(team_id=self.team_leader_of))]
        else:
            people = self._pa_queryset()
        return [("", "Any PA"), *((str(s.pk), s.name) for s in people)]

    def form_fields(self) -> list[dict]:
        """The filter form's fields as _caseload_results.html writes them, each select's options written in one
        pass (issue 16: the whole service's 500 teams were 500 template loops and a count, every page): the team
        options from one query of (id, name), the PAs' from pa_choices, the rest from their fixed choices. When the
        request names no filter at all, every field is empty and no form is built for it (issue 16: django-filter
        builds a form class and its fields, their choices normalised, on every request; the same entries,
        tests/casework/test_filters.py)."""
        if not any(name in self.data for name in self.filters):
            return self._empty_form_fields()
        return self._bound_form_fields()

    def _options_of(self, name: str, choices, value) -> SafeString:
        if name == "team":  # issue 16: the rows as read are the key; they are made text only when not kept yet
            return _team_options(tuple(_teams().rows()), str(value))
        if name == "pa":
            choices = self.pa_choices
        return _options(_as_text(choices), str(value))

    def _empty_form_fields(self) -> list[dict]:
        fixed = _fixed_choices()
        fields = []
        for name, filter_ in self.filters.items():
            entry = {"name": name, "id": f"id_{name}", "label": filter_.label, "search": name == "q", "value": ""}
            if name in fixed:  # issue 16: their options' text made once per process
                entry["options"] = _options(fixed[name], str(None))
            elif name != "q":
                entry["options"] = self._options_of(name, (), None)
            fields.append(entry)
        return fields

    def _bound_form_fields(self) -> list[dict]:
        fields = []
        for name, field in self.form.fields.items():
            bound = self.form[name]
            value = bound.value()
            entry = {"name": name, "id": bound.auto_id, "label": bound.label, "search": name == "q",
                     "value": "" if value is None else value}
            if name != "q":
                entry["options"] = self._options_of(name, () if name in ("pa", "team") else field.choices, value)
            fields.append(entry)
        return fields

    def search(self, queryset, name, value):
        """Every word in the name, in any order ("Hussain Maya" finds Maya Hussain), or the ref (issue 15, item 6)."""
        words = value.split()
        if not words:
            return queryset
        in_name = Q()
        for word in words:
            in_name &= Q(name__icontains=word)
        return queryset.filter(in_name | Q(ref__icontains=value.strip()))

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
            return queryset.filter(Exists(rows)).exclude(Exists(rows.filter(needs_attention_q(self.today))))
        if status:
            rows = rows.filter(status_q(status, self.today))
        return queryset.filter(Exists(rows))


def _copied(filter_: django_filters.Filter) -> django_filters.Filter:
    """A filter of CaseloadFilter.base_filters for one filter set, as the deep copy django-filter makes: its own
    attributes and `extra` (the field's arguments, where ModelChoiceFilter puts the queryset it builds the field with),
    the choices and querysets shared (neither is changed in place: the form's field copies its choices, and a
    ModelChoiceField clones its queryset), and a `method` filter's FilterMethod pointing at the copy (it finds the
    method on the copy's parent). The base filters never build a field (_fixed_choices deep-copies first), so no
    field is shared."""
    new = copy.copy(filter_)
    new.extra = dict(filter_.extra)
    if isinstance(filter_.__dict__.get("filter"), FilterMethod):
        new.filter = FilterMethod(new)
    return new


class _EachCopied(OrderedDict):
    """CaseloadFilter.base_filters, whose deep copy (django-filter's FilterSet.__init__ makes one for every filter
    set) is each filter copied by _copied: the deep copy of the six filters, their choices and querysets was about
    600 Python calls on every caseload request (issue 16)."""

    def __deepcopy__(self, memo) -> OrderedDict:
        return OrderedDict((name, _copied(filter_)) for name, filter_ in self.items())


CaseloadFilter.base_filters = _EachCopied(CaseloadFilter.base_filters)


@lru_cache(maxsize=1)
def _team_filter() -> django_filters.ModelChoiceFilter:
    """The whole service's team filter, made once per process and copied for each filter set (_copied)."""
    return django_filters.ModelChoiceFilter(
        label="Team", field_name="pa__team", queryset=Team.objects.order_by("name"), empty_label="Any team")


def _as_text(choices) -> tuple[tuple[str, str], ...]:
    return tuple((str(option), str(label)) for option, label in choices)


@lru_cache(maxsize=32)
def _team_options(rows: tuple[tuple[int, str], ...], chosen: str) -> SafeString:
    """The team filter's options for the teams as read, (id, name) by name, "Any team" first (_options)."""
    return _options(_as_text([("", "Any team"), *rows]), chosen)


@lru_cache(maxsize=1)
def _fixed_choices() -> dict[str, tuple[tuple[str, str], ...]]:
    """The choices of the filters whose choices are fixed, as their form fields give them (the empty one first), as
    text (_options' key)."""
    return {name: _as_text(copy.deepcopy(CaseloadFilter.base_filters[name]).field.choices)
            for name in ("status", "requirement", "circumstance", "arrangement")}


def requirements_of(people: QuerySet[YoungPerson], *, whole_service: bool = False,
                    today: dt.date | None = None) -> QuerySet[Requirement]:
    """The requirement rows of these people. The whole service's open cases need no semi-join over 100 000
    people: every row belongs to a young person, so the open cases are a condition on the row's own young
    person (the join the caller's select_related makes anyway)."""
    if whole_service:
        return Requirement.objects.filter(Q(young_person__closed_on__isnull=True) | Q(young_person__closed_on__gt=today))
    return Requirement.objects.filter(young_person__in=people.values("pk"))


def _counts(people: QuerySet[YoungPerson]) -> QuerySet:
    # One row of aggregates (a constant's GROUP BY is dropped: an aggregate over everyone, as aggregate() writes it),
    # and the summary's day (issue 16: not a query of its own on every page; an aggregate over nobody gives none).
    return (people.order_by().annotate(all=Value(1)).values("all").annotate(
        people=Count("pk"), overdue_rows=Sum("caseload_summary__overdue"), due_soon_rows=Sum("caseload_summary__due_soon"),
        overdue_people=Count("pk", filter=Q(caseload_summary__overdue__gt=0)),
        as_of=Max(summary_day()))
        .values_list("overdue_rows", "due_soon_rows", "overdue_people", "people", "as_of"))


@cache
def _prepared_counts(kind: str) -> Prepared:
    """Issue 16: the counts at the top for a PA's and a Team Leader's caseload, compiled once per process."""
    return Prepared(lambda key, today: _counts(open_cases(young_people_seen_as(
        YoungPerson.objects.all(), (kind, key), today=today), today=today)), key=INT, today=DATE)


def caseload_counts(visibility: tuple[str, int | None], *, today: dt.date) -> dict:
    """Overdue and due-soon requirements on the caseload of the open cases seen under `visibility`
    (core.rules.visibility_of) and how many people it holds (`people`, the unfiltered list's count, so the
    paginator need not count them again), in one query over the people joined to their summary rows (V2, V4;
    issue 16: not every requirement row of the service on every page). The whole service's are
    compliance.selectors.open_case_totals. The summary is first brought up to date for `today`, as
    engine.ensure_summary does: the day it is true for is read with the counts (issue 16: one query, not two) and
    only when the calendar has moved past it is the summary refreshed and the counts read again."""
    kind, key = visibility
    if kind == "none":
        ensure_summary(today)
        return dict.fromkeys(("overdue", "due_soon", "overdue_people", "people"), 0)
    *row, as_of = _prepared_counts(kind).rows(key=key, today=today)[0]
    if not row[3]:
        as_of = summary_date()  # nobody's row to read it beside
    if as_of != today:
        refresh_summary(today, previous=as_of)  # engine.ensure_summary, with the day already read
        *row, _as_of = _prepared_counts(kind).rows(key=key, today=today)[0]
    return {name: value or 0 for name, value in zip(("overdue", "due_soon", "overdue_people", "people"), row,
                                                    strict=True)}


def _coming_up_rows(people: QuerySet[YoungPerson], *, today: dt.date, limit: int, whole_service: bool) -> QuerySet:
    return (
        requirements_of(people, whole_service=whole_service, today=today)
        .filter(status_q(Status.DUE_SOON, today))
        .annotate(in_absence=in_absence("young_person__pa", "due"))
        # The row's own copy of its young person's ref (issue 16): the first rows in this order straight from the
        # requirement_due_ref index, not every row of the first due dates with its young person, sorted.
        .order_by("due", "ref", "code")
        .values_list("young_person_id", "young_person__name", "code", "due", "in_absence")
    )[:limit]


@dataclass(frozen=True, slots=True)
class ComingUp:
    """One entry of "coming up": a requirement not yet overdue whose scheduling window has opened (V2)."""

    young_person_id: int
    name: str
    code: str
    due: dt.date
    in_absence: bool  # V5

    def get_code_display(self) -> str:
        return _CODE_LABELS().get(self.code, self.code)  # as Requirement.get_code_display


@lru_cache(maxsize=1)
def _CODE_LABELS() -> dict[str, str]:  # noqa: N802
    return {str(code): str(label) for code, label in Requirement._meta.get_field("code").flatchoices}


@cache
def _prepared_coming_up(kind: str, limit: int) -> Prepared:
    """Issue 16: "coming up" for each kind of visibility (core.rules.visibility_of), compiled once per process."""
    if kind == "service":
        return Prepared(lambda today: _coming_up_rows(
            YoungPerson.objects.all(), today=today, limit=limit, whole_service=True), today=DATE)
    return Prepared(lambda key, today: _coming_up_rows(
        open_cases(young_people_seen_as(YoungPerson.objects.all(), (kind, key), today=today), today=today),
        today=today, limit=limit, whole_service=False), key=INT, today=DATE)


def coming_up(visibility: tuple[str, int | None], *, today: dt.date, limit: int = 20) -> list[ComingUp]:
    """V2: requirements not yet overdue whose scheduling window (the pack's due-soon rows, stored
    as due_soon_from) has opened: visits and contacts two weeks ahead, reviews a month ahead, of the open cases seen
    under `visibility` (core.rules.visibility_of; the whole service's straight from the rows, no semi-join over
    100 000 people). Flags those due inside the PA's planned absence (V5). One query."""
    kind, key = visibility
    if kind == "none":
        return []
    prepared = _prepared_coming_up(kind, limit)
    rows = prepared.rows(today=today) if kind == "service" else prepared.rows(key=key, today=today)
    return [ComingUp(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class _Due:
    """One requirement row of a person on the page: what the row's most urgent requirement is picked from."""

    code: str
    due: dt.date
    due_soon_from: dt.date
    in_absence: bool  # V5


#: The fields of YoungPerson a prepared page's rows are made with (CaseloadPaginator.ROW_COLUMNS, in order).
_ROW_FIELD_NAMES = ["id", "ref", "name", "date_of_birth", "circumstance", "vulnerable", "closed_on", "pa_id"]


@lru_cache(maxsize=1)
def _row_fields() -> tuple[list, list[int]]:
    """Model.from_db takes a value for every field in the model's order: the deferred marks of the fields a prepared
    page does not read, and where each of _ROW_FIELD_NAMES goes."""
    fields = YoungPerson._meta.concrete_fields
    position = {field.attname: n for n, field in enumerate(fields)}
    return [DEFERRED] * len(fields), [position[name] for name in _ROW_FIELD_NAMES]


@cache
def _page_requirements(per_page: int) -> Prepared:
    """Issue 16: the page's people's requirement rows, compiled once per process (for each page size)."""
    return Prepared(
        lambda ids: Requirement.objects.filter(young_person__in=ids)
        .annotate(in_absence=in_absence("young_person__pa", "due"))
        .values_list("young_person_id", "code", "due", "due_soon_from", "in_absence"), ids=Ids(per_page))


def _ids_sql(sort: str, *, backwards: bool) -> tuple[str, list]:
    """The SQL of the open cases' ids in a caseload order (compliance.selectors.open_summaries), or in that order
    reversed (each key's direction and its nulls' place flipped: the summary's index read from its other end)."""
    summaries = open_summaries(sort)
    sql, params = Prepared(lambda: (summaries.reverse() if backwards else summaries).values("young_person_id")).sql()
    return sql, params


class CaseloadPaginator(Paginator):
    """The caseload, most urgent first (V4), a page at a time, in a fixed number of queries whatever its
    size (issue 16), once the view has brought the summary up to date (compliance.engine.ensure_summary):

    - the count: of the filtered people; for the whole service unfiltered, `open_cases`, which the view has
      from compliance.selectors.open_case_totals with the counts at the top (one query);
    - the page's people with their PA: for the whole service unfiltered, the people whose ids the summary's
      index gives for that page and sort (an index-only scan of the open cases' range: a late page's offset
      skips index entries, not 100 000 people joined and sorted), in the same query; else the filtered people
      joined to their summary rows;
    - their requirement rows, from which each row's most urgent requirement is picked
      (`next_code`, `next_due`, `next_status`) and flagged if due in the PA's planned absence
      (`next_in_absence`, V5);
    - their in-touch checks, for the birthday check badge (X1).
    """

    #: The orders the caseload table offers (casework.tables.CaseloadTable's sortable columns), each
    #: served by an index: by urgency (the status column, and the default), by name, by age, or by the
    #: due date of each person's most urgent requirement. Anything else is most urgent first.
    SORTS: dict[str, tuple[str | OrderBy, ...]] = {
        "status": URGENCY_SORT,
        "-status": (F("urgency").desc(nulls_last=True), F("next_due").desc(nulls_last=True), "-ref"),
        "name": ("name", "ref"),
        "-name": ("-name", "-ref"),
        "age": ("-date_of_birth", "-ref"),  # youngest first
        "-age": ("date_of_birth", "ref"),
        "due": (F("next_due").asc(nulls_last=True), "ref"),
        "-due": (F("next_due").desc(nulls_last=True), "ref"),
    }

    #: What a row shows and its badges read (casework.tables.CaseloadTable, the birthday check): a young person has
    #: forty columns, and reading them all for 25 rows was a fifth of a PA's page (issue 16).
    ROW_FIELDS = ("ref", "name", "date_of_birth", "circumstance", "vulnerable", "closed_on", "pa__name")

    def __init__(self, people: QuerySet[YoungPerson], per_page: int, *, today: dt.date, sort: str | None = None,
                 open_cases: int | None = None, known_count: int | None = None,
                 visibility: tuple[str, int | None] | None = None):
        """`open_cases`: the whole service's open cases, unfiltered, are the list (their number given).
        `known_count`: how many people the list holds, when the caller has counted them already. `visibility`
        (core.rules.visibility_of): the list is everyone so seen, unfiltered, so its page is read by a query prepared
        once per process (issue 16), not built from `people`."""
        super().__init__(people.order_by("ref"), per_page)
        self.today = today
        self.sort = sort if sort in self.SORTS else None
        self.whole_service = open_cases is not None
        self.known_count = open_cases if open_cases is not None else known_count
        self.visibility = visibility

    @cached_property
    def count(self) -> int:
        return self.known_count if self.known_count is not None else super().count

    @classmethod
    def _sorted(cls, people: QuerySet[YoungPerson], *, sort: str, today: dt.date) -> QuerySet[YoungPerson]:
        if sort in ("name", "-name", "age", "-age"):
            return people.order_by(*cls.SORTS[sort])  # no summary needed
        return order_by_urgency(people, today=today).order_by(*cls.SORTS[sort])

    def _ordered(self, people: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
        return self._sorted(people, sort=self.sort or "status", today=self.today)

    #: The columns of a page's rows read as values (the prepared page): ROW_FIELDS, the PA's id and the plan badge.
    ROW_COLUMNS = ("pk", "ref", "name", "date_of_birth", "circumstance", "vulnerable", "closed_on", "pa_id", "pa__name",
                   "plan_not_shared")

    @classmethod
    def rows_of(cls, people: QuerySet[YoungPerson], *, sort: str, today: dt.date) -> QuerySet:
        return (cls._sorted(people, sort=sort, today=today).annotate(plan_not_shared=plan_not_shared(today))
                .values_list(*cls.ROW_COLUMNS))

    def _prepared_page_rows(self, bottom: int) -> list[YoungPerson]:
        db = self.object_list.db
        sort = self.sort or "status"
        if self.whole_service:
            take = min(self.per_page, self.count - bottom)  # a partial last page takes fewer
            if connections[db].vendor == "postgresql":
                # Issue 16: the page's ids from the nearest checkpoint of the sort's index order (a reversed sort's
                # page is the same ids at the mirrored position of the order read forwards).
                _order, reverse = SORT_INDEX[sort]
                start = self.count - bottom - take if reverse else bottom
                rows = _service_page(sort, self.per_page, "checkpoints").rows(
                    using=db, start=start, take=take, today=self.today)
            else:
                after = self.count - bottom - self.per_page  # the open cases after this page
                if after < bottom:  # nearer the end: skip those (before a partial last page, none: take fewer)
                    rows = _service_page(sort, self.per_page, "backwards").rows(
                        using=db, start=max(after, 0), take=take, today=self.today)
                else:
                    rows = _service_page(sort, self.per_page, "forwards").rows(
                        using=db, start=bottom, take=self.per_page, today=self.today)
        else:
            rows = _visible_page(self.visibility[0], sort).rows(
                using=db, limit=self.per_page, offset=bottom, key=self.visibility[1], today=self.today)
        people = []
        blank, positions = _row_fields()
        for *fields, pa_id, pa_name, not_shared in rows:
            values = blank.copy()
            for position, value in zip(positions, (*fields, pa_id), strict=True):
                values[position] = value
            person = YoungPerson.from_db(db, None, values)  # every field given: the others deferred, as only() does
            person.pa = None if pa_id is None else Staff.from_db(db, ["id", "name"], (pa_id, pa_name))
            person.plan_not_shared = not_shared
            people.append(person)
        return people

    def _page_rows(self, bottom: int) -> list[YoungPerson]:
        if self.visibility is not None and self.visibility[0] != "none":
            return self._prepared_page_rows(bottom)
        people = self.object_list
        if self.whole_service:
            # The whole service's open cases: the page's ids from the summary's index for the sort (a subquery),
            # and those 25 people sorted again by the same keys, in one query.
            ids = open_summaries(self.sort or "status").values("young_person_id")[bottom:bottom + self.per_page]
            people = YoungPerson.objects.filter(pk__in=ids)
            bottom = 0
        return list(self._ordered(people).select_related("pa").only(*self.ROW_FIELDS)
                    .annotate(plan_not_shared=plan_not_shared(self.today))[bottom:bottom + self.per_page])

    def page(self, number):
        number = self.validate_number(number)
        rows = self._page_rows((number - 1) * self.per_page)
        ids = [row.pk for row in rows]
        requirements: dict[int, list[_Due]] = {}
        for young_person_id, *due in (_page_requirements(self.per_page).rows(ids=ids) if ids else ()):
            requirements.setdefault(young_person_id, []).append(_Due(*due))
        due_checks = birthday_checks_due_among(rows, today=self.today)
        for row in rows:
            first = most_urgent(requirements.get(row.pk, []), today=self.today)
            row.next_code = first.code if first else None
            row.next_due = first.due if first else None
            row.next_status = status_for(first.due, first.due_soon_from, self.today) if first else None
            row.next_in_absence = bool(first and first.in_absence)
            row.birthday_check_due = row.pk in due_checks
            row.age = age_on(row.date_of_birth, self.today)
        return self._get_page(rows, number, self)


@cache
def _service_page(sort: str, per_page: int, read: str) -> Prepared:
    """Issue 16: a page of the whole service's open cases in a sort, compiled once per process and page size: its
    ids (`take` of them from `start`) from the summary's index for the sort, and those people sorted again by the
    same keys, in one query. `read`: on PostgreSQL "checkpoints", the index read from the nearest checkpoint at or
    before the page (compliance.checkpoints: fewer than a stride's entries skipped at any page); elsewhere
    "forwards", the index's OFFSET from its start, or "backwards", from its end (the order reversed; ref breaks every
    tie, so the same rows), for a page past the middle. The builder uses only its arguments and these (core.prepared:
    a value captured from a request would be compiled in as a constant)."""
    if read == "checkpoints":  # the ids' SQL is compliance.checkpoints'; its values are parameters
        order, _ = SORT_INDEX[sort]
        ids_sql, _ranges = page_ids_sql(order)

        def ids_params(start, take):
            return page_ids_params(order, start=start, take=take)
    else:  # the ids' SQL is the ORM's, compiled here
        index_sql, index_params = _ids_sql(sort, backwards=read == "backwards")
        ids_sql = f"{index_sql} LIMIT %s OFFSET %s"

        def ids_params(start, take):
            return [*index_params, take, start]

    def build(start, take, today):
        ids = RawSQL(ids_sql, ids_params(start, take))  # noqa: S611  # nosec B611
        return CaseloadPaginator.rows_of(YoungPerson.objects.filter(pk__in=ids), sort=sort, today=today)[:per_page]

    return Prepared(build, start=INT, take=INT, today=DATE)


@cache
def _visible_page(kind: str, sort: str) -> Prepared:
    """Issue 16: the unfiltered caseload of a PA or a Team Leader in a sort, compiled once per process (the page's
    limit and offset are parameters)."""
    return Prepared(lambda key, today: CaseloadPaginator.rows_of(open_cases(young_people_seen_as(
        YoungPerson.objects.all(), (kind, key), today=today), today=today), sort=sort, today=today),
        key=INT, today=DATE)
