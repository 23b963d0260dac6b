"""Reads for the oversight dashboards (O1). Each reads the stored requirement rows and the
nightly snapshots, never recomputing anyone, and runs a fixed number of queries however many
young people there are. Who may see what comes from careleavers.selectors.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, partial
from operator import itemgetter
from typing import NamedTuple

from django.db import connection, router, transaction
from django.db.models import CharField, Count, IntegerField, JSONField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.functions import JSONObject
from django.db.models.query import ModelIterable
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from approvals.models import PENDING_STATES, Arrangement, ArrangementKind, ArrangementState
from careleavers.models import Staff, Team, YoungPerson
from careleavers.selectors import personal_advisers_of_team, young_people_visible_to
from compliance import team_summary
from compliance.models import Requirement, RequirementCode, Status
from compliance.status import days_overdue_expression, needs_attention_q, status_expression, status_q
from core.prepared import DATE, INT, Prepared
from core.rules import is_service_wide, sees_whole_team, teams_seen_as, visibility_of, young_people_seen_as
from pathway.models import PathwayPlan, PlanState

from .charts import Chart, Series
from .models import NightlyRun, OverdueByCode, OverdueByTeam, OverdueUpdate, RunState, Snapshot
from .schedule import NIGHTLY_SCHEDULE
from .tables import REQUESTED_BY, WAITING_FIELDS

CODES = list(RequirementCode.choices)
NO_TEAM = "No team (unallocated)"
ALL_TEAMS = "All teams"


Visibility = tuple[str, int | None]  # core.rules.visibility_of


def seen(visibility: Visibility, *, today: dt.date, field: str = "young_person_id") -> Q:
    """`field` (a young person's id) among the young people seen under `visibility` (core.rules.visibility_of): the
    rule of core.rules.young_people_seen_as, whose visibility is compiled once per process (core.prepared; issue 16).
    Whoever sees everyone gets no filter: a semi-join of the rows with all 100 000 young people filters nothing."""
    kind, _ = visibility
    if kind == "service":
        return Q()
    if kind == "none":
        return Q(**{f"{field}__in": []})  # Django answers it with no rows, without asking the database
    return Q(**{f"{field}__in": young_people_seen_as(YoungPerson.objects.all(), visibility, today=today).values("pk")})


def seen_in_team(visibility: Visibility, *, team_id: int, today: dt.date, field: str = "young_person_id") -> Q:
    """As `seen`, for a query of the cases of one team: no filter when the reader sees that whole team
    (core.rules.sees_whole_team: the Team Leader of the team, the whole service's readers)."""
    if sees_whole_team(visibility, team_id=team_id):
        return Q()
    return seen(visibility, today=today, field=field)


def requirements_visible_to(user, *, today: dt.date | None = None) -> QuerySet[Requirement]:
    return Requirement.objects.filter(seen(visibility_of(user), today=today or timezone.localdate()))


class _WithLatestUpdate(ModelIterable):
    """Requirements with the PA's latest update spread onto update_reason, update_plan, update_on and update_by."""

    def __iter__(self):
        for requirement in super().__iter__():
            found = requirement.__dict__.pop("latest_update", None) or {}
            requirement.update_reason, requirement.update_plan = found.get("reason"), found.get("plan")
            requirement.update_on = dt.date.fromisoformat(found["on"]) if found.get("on") else None
            requirement.update_by = found.get("by")
            yield requirement


def with_latest_update(requirements: QuerySet[Requirement]) -> QuerySet[Requirement]:
    """The PA's latest update on each item (O1, V4), as columns of the same query: one correlated subquery giving
    the update's four values as one JSON object (issue 16: four subqueries cost 7-13 ms to compile and four index
    probes a row), spread back onto the update_* attributes as the rows are read."""
    latest = OverdueUpdate.objects.filter(
        young_person=OuterRef("young_person"), requirement=OuterRef("code"), due=OuterRef("due")
    ).order_by("-version")
    values = JSONObject(reason="reason", plan="plan", on="recorded_on", by="author__name")
    requirements = requirements.annotate(
        latest_update=Subquery(latest.annotate(latest_update=values).values("latest_update")[:1],
                               output_field=JSONField()))
    requirements._iterable_class = _WithLatestUpdate  # noqa: SLF001  (kept by every later filter, only and order_by)
    return requirements


@dataclass
class Filters:
    team: Team | None = None
    pa_id: int | None = None
    pa_name: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


# --- what every dashboard reads: its teams, a team's PAs, the ledger's latest night (issue 16: prepared) -------

#: A team as the dashboards read it: the lists, charts and options use only its pk and name.
class TeamRef(NamedTuple):
    pk: int
    ref: str
    name: str


@cache
def _prepared_teams(kind: str) -> Prepared:
    """The teams whose dashboards are read under a visibility of this kind (core.rules.teams_seen_as), by name."""
    if kind == "team":
        return Prepared(lambda team_id: teams_seen_as(Team.objects.all(), (kind, team_id))
                        .values_list(*TeamRef._fields), team_id=INT)
    return Prepared(lambda: teams_seen_as(Team.objects.all(), (kind, None)).values_list(*TeamRef._fields))


def dashboard_teams(user) -> list[TeamRef]:
    """Teams whose dashboards the user may read (careleavers.selectors.teams_visible_to), as (pk, ref, name) rows:
    a service's hundreds of teams, not Team instances. One query (none for who may read none)."""
    kind, key = visibility_of(user)
    if kind not in ("service", "team"):
        return []  # teams_seen_as: none
    using = router.db_for_read(Team)
    rows = _prepared_teams(kind).rows(using, team_id=key) if kind == "team" else _prepared_teams(kind).rows(using)
    return list(map(_TEAM_REF, rows))  # issue 16: made in C, 500 of them (TeamRef._make is a Python call each)


_TEAM_REF = partial(tuple.__new__, TeamRef)


@cache
def _prepared_team_pas() -> Prepared:
    return Prepared(lambda team_id: personal_advisers_of_team(Team(pk=team_id)).values_list("pk", "name"),
                    team_id=INT)


def team_pas(team: Team) -> list[tuple[int, str]]:
    """The team's Personal Advisers by name (careleavers.selectors.personal_advisers_of_team), as (pk, name)."""
    return _prepared_team_pas().rows(router.db_for_read(Staff), team_id=team.pk)


def made(model, using: str, **values):
    """A `model` instance of these column values (attnames), as the ORM makes one from a row (`Model.from_db`); the
    others deferred. For the rows of a prepared query (core.prepared). Issue 16: made without Model.__init__ (7 us an
    instance, a hundred a page) when that is all __init__ would do: the values set as attributes, no pre_init or
    post_init receiver and no field whose attribute is set through a descriptor of its own; else by `from_db`."""
    if not _plain(model) or pre_init.has_listeners(model) or post_init.has_listeners(model):
        names = _field_order(model, frozenset(values))
        return model.from_db(using, names, [values[name] for name in names])
    instance = model.__new__(model)
    state = instance._state = ModelState()  # noqa: SLF001  (as Model.__init__ makes it)
    state.adding, state.db = False, using  # as from_db leaves them
    instance.__dict__.update(values)
    return instance


@cache
def _plain(model) -> bool:
    """Whether Model.__init__ sets each concrete field's value as a plain attribute: no data descriptor but a foreign
    key's id (ForeignKeyDeferredAttribute, whose __set__ only forgets a cached related object, of which a new
    instance has none, and sets the value)."""
    return not any(hasattr(kind, "__set__") and kind is not ForeignKeyDeferredAttribute
                   for kind in (type(getattr(model, f.attname, None)) for f in model._meta.concrete_fields))


@cache
def _field_order(model, names: frozenset) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in names)


# --- Team Leader, weekly ----------------------------------------------------------------------
# Each read of the team dashboard is built by one builder from the team's id, today and the filters asked for, with
# the visibility rule as a filter of its own (`seen_in_team`). The selectors below give it as a queryset (the
# downloads, the tests); the page reads it through a query prepared once per process and shape of filters
# (core.prepared; issue 16: building and compiling the page's queries was most of its Python) whenever the reader sees
# the whole team, which is everyone who may open it (core.rules.sees_whole_team), so no value but those is in the SQL.


def _in_team(rows: QuerySet, *, team_id: int, date_from: dt.date | None = None,
             date_to: dt.date | None = None) -> QuerySet:
    rows = rows.filter(young_person__pa__team_id=team_id)
    if date_from:
        rows = rows.filter(due__gte=date_from)
    if date_to:
        rows = rows.filter(due__lte=date_to)
    return rows


def _team_items(rows: QuerySet[Requirement], *, team_id: int, today: dt.date, pa_id: int | None = None,
                date_from: dt.date | None = None, date_to: dt.date | None = None) -> QuerySet[Requirement]:
    items = _in_team(rows.filter(needs_attention_q(today)), team_id=team_id, date_from=date_from, date_to=date_to)
    if pa_id is not None:
        items = items.filter(young_person__pa_id=pa_id)
    return (
        with_latest_update(items.annotate(status=status_expression(today), days_overdue=days_overdue_expression(today)))
        .select_related("young_person", "young_person__pa")
        .order_by("young_person__pa__name", "due", "young_person__ref", "code")
    )


def team_items(*, user, team: Team, today: dt.date, filters: Filters) -> QuerySet[Requirement]:
    """The team's overdue and due-soon items, by PA, with each PA's latest update."""
    rows = Requirement.objects.filter(seen_in_team(visibility_of(user), team_id=team.pk, today=today))
    return _team_items(rows, team_id=team.pk, today=today, pa_id=filters.pa_id, date_from=filters.date_from,
                       date_to=filters.date_to)


def _team_pa_summary(rows: QuerySet[Requirement], *, team_id: int, today: dt.date, date_from: dt.date | None = None,
                     date_to: dt.date | None = None) -> QuerySet:
    return (
        _in_team(rows, team_id=team_id, date_from=date_from, date_to=date_to)
        .order_by()
        .values("young_person__pa", "young_person__pa__name")
        .annotate(
            people=Count("young_person", distinct=True),
            overdue=Count("pk", filter=status_q(Status.OVERDUE, today)),
            due_soon=Count("pk", filter=status_q(Status.DUE_SOON, today)),
        )
        .order_by("young_person__pa__name")
    )


#: The columns of `team_pa_summary`'s rows, in order.
PA_SUMMARY_KEYS = ("young_person__pa", "young_person__pa__name", "people", "overdue", "due_soon")


def team_pa_summary(*, user, team: Team, today: dt.date, filters: Filters) -> list[dict]:
    """Per PA: young people in service, items overdue and due soon. One aggregate query."""
    visibility = visibility_of(user)
    if sees_whole_team(visibility, team_id=team.pk):
        kinds = _filter_kinds(filters, pa=False)
        rows = _prepared_team_read("summary", tuple(kinds.items())).rows(
            router.db_for_read(Requirement), team_id=team.pk, today=today,
            **{name: getattr(filters, name) for name in kinds})
        return [dict(zip(PA_SUMMARY_KEYS, row, strict=True)) for row in rows]
    visible = Requirement.objects.filter(seen(visibility, today=today))
    return list(_team_pa_summary(visible, team_id=team.pk, today=today, date_from=filters.date_from,
                                 date_to=filters.date_to))


def team_items_count(summary: list[dict], *, filters: Filters) -> int:
    """How many items `team_items` lists, from `team_pa_summary` over the same rows (issue 16: the page's count
    without a COUNT query): an item is overdue or due soon, never both (V4, V2: a due-soon window opens on or
    before its due date, so every overdue row's window has opened), and the summary counts both per PA."""
    return sum(s["overdue"] + s["due_soon"] for s in summary
               if filters.pa_id is None or s["young_person__pa"] == filters.pa_id)


def _plans_awaiting_sign_off(plans: QuerySet[PathwayPlan], *, team_id: int | None) -> QuerySet[PathwayPlan]:
    plans = plans.filter(state=PlanState.SUBMITTED)
    if team_id is not None:
        plans = plans.filter(young_person__pa__team_id=team_id)
    return plans.select_related("young_person", "young_person__pa").order_by("review_due", "submitted_at", "pk")


def _seen_on_dashboard(user, team: Team | None) -> Q:
    """The rows of the young people `user` sees today on a dashboard of `team` (`seen_in_team`), or of the service."""
    visibility, today = visibility_of(user), timezone.localdate()
    if team is None:
        return seen(visibility, today=today)
    return seen_in_team(visibility, team_id=team.pk, today=today)


def plans_awaiting_sign_off(*, user, team: Team | None) -> QuerySet[PathwayPlan]:
    return _plans_awaiting_sign_off(PathwayPlan.objects.filter(_seen_on_dashboard(user, team)),
                                    team_id=team.pk if team else None)


def _arrangements_awaiting_decision(arrangements: QuerySet[Arrangement], *, team_id: int | None, kinds=None,
                                    states=PENDING_STATES) -> QuerySet[Arrangement]:
    arrangements = arrangements.filter(state__in=states)
    if team_id is not None:
        arrangements = arrangements.filter(young_person__pa__team_id=team_id)
    if kinds:
        arrangements = arrangements.filter(kind__in=kinds)
    return arrangements.select_related("young_person", "young_person__pa", "requested_by").order_by("requested_at", "pk")


def arrangements_awaiting_decision(*, user, team: Team | None, kinds=None,
                                   states=PENDING_STATES) -> QuerySet[Arrangement]:
    return _arrangements_awaiting_decision(Arrangement.objects.filter(_seen_on_dashboard(user, team)),
                                           team_id=team.pk if team else None, kinds=kinds, states=states)


def _filter_kinds(filters: Filters, *, pa: bool = True) -> dict[str, str]:
    """The filters asked for, as the values of a prepared query (core.prepared): each shape has its own SQL."""
    kinds = {"pa_id": INT} if pa and filters.pa_id is not None else {}
    return kinds | {name: DATE for name in ("date_from", "date_to") if getattr(filters, name)}


#: What the team page reads of each item, plan and arrangement (oversight.views: the tables and lists show these).
ITEM_COLUMNS = ("pk", "young_person_id", "code", "due", "status", "latest_update", "young_person__name", "young_person__ref",
                "young_person__pa_id", "young_person__pa__name")
PLAN_COLUMNS = ("pk", "young_person_id", "submitted_at", "review_due", "young_person__name", "young_person__pa_id",
                "young_person__pa__name")
ARRANGEMENT_COLUMNS = ("pk", "young_person_id", "kind", "state", "requested_at", "young_person__name",
                       "young_person__pa_id", "young_person__pa__name")


@cache
def _prepared_team_read(read: str, kinds: tuple[tuple[str, str], ...]) -> Prepared:
    """One of the team page's reads (`read`) for a reader who sees the whole team, with the filters `kinds`
    (`_filter_kinds`, as pairs), compiled once per process (issue 16)."""
    def build(team_id, today=None, **filters):
        if read == "summary":
            return _team_pa_summary(Requirement.objects.all(), team_id=team_id, today=today, **filters).values_list(
                *PA_SUMMARY_KEYS)
        if read == "items":
            return _team_items(Requirement.objects.all(), team_id=team_id, today=today, **filters).values_list(
                *ITEM_COLUMNS)
        if read == "plans":
            return _plans_awaiting_sign_off(PathwayPlan.objects.all(), team_id=team_id).values_list(*PLAN_COLUMNS)
        return _arrangements_awaiting_decision(Arrangement.objects.all(), team_id=team_id).values_list(
            *ARRANGEMENT_COLUMNS)

    values = {"team_id": INT} | ({} if read in ("plans", "arrangements") else {"today": DATE})
    return Prepared(build, **values, **dict(kinds))


class TeamItems:
    """The team's items (`team_items`) as a list the paginator pages (oversight.views): each page is one prepared
    query (issue 16), its rows made the Requirement, YoungPerson and Staff instances the tables read, with the PA's
    latest update on update_* as `with_latest_update` sets it."""

    def __init__(self, *, team: Team, today: dt.date, filters: Filters):
        self.kinds = tuple(_filter_kinds(filters).items())
        self.values = {"team_id": team.pk, "today": today} | {name: getattr(filters, name) for name, _ in self.kinds}

    def __getitem__(self, page: slice) -> list[Requirement]:
        if page.stop <= page.start:
            return []  # as an empty slice of a queryset: no query
        using = router.db_for_read(Requirement)
        rows = _prepared_team_read("items", self.kinds).rows(using, limit=page.stop - page.start, offset=page.start,
                                                             **self.values)
        return [_item(row, using) for row in rows]


#: What the page's items read when the reader does not see the whole team (`team_item_pages`): what the tables show.
TEAM_ITEM_FIELDS = ("code", "due", "young_person__name", "young_person__ref", "young_person__pa__name")


def team_item_pages(*, user, team: Team, today: dt.date, filters: Filters):
    """`team_items` as the team page pages it: prepared (`TeamItems`) for whoever sees the whole team, else the
    queryset with only the columns shown."""
    if sees_whole_team(visibility_of(user), team_id=team.pk):
        return TeamItems(team=team, today=today, filters=filters)
    return team_items(user=user, team=team, today=today, filters=filters).only(*TEAM_ITEM_FIELDS)


def _item(row: tuple, using: str) -> Requirement:
    pk, young_person_id, code, due, status, latest, name, ref, pa_id, pa_name = row
    requirement = made(Requirement, using, id=pk, young_person_id=young_person_id, code=code, due=due)
    person = made(YoungPerson, using, id=young_person_id, ref=ref, name=name, pa_id=pa_id)
    person.pa = None if pa_id is None else made(Staff, using, id=pa_id, name=pa_name)
    requirement.young_person, requirement.status = person, status
    found = latest or {}
    requirement.update_reason, requirement.update_plan = found.get("reason"), found.get("plan")
    requirement.update_on = dt.date.fromisoformat(found["on"]) if found.get("on") else None
    requirement.update_by = found.get("by")
    return requirement


def team_plans(*, user, team: Team) -> list[PathwayPlan]:
    """The team page's plans awaiting sign-off (`plans_awaiting_sign_off`), with only what it shows."""
    if not sees_whole_team(visibility_of(user), team_id=team.pk):
        return list(plans_awaiting_sign_off(user=user, team=team).only(*PLAN_COLUMNS[1:4], "young_person__name",
                                                                        "young_person__pa__name"))
    using = router.db_for_read(PathwayPlan)
    rows = _prepared_team_read("plans", ()).rows(using, team_id=team.pk)
    return [_with_person(made(PathwayPlan, using, id=pk, young_person_id=young_person_id, submitted_at=submitted_at,
                               review_due=review_due), person, using)
            for pk, young_person_id, submitted_at, review_due, *person in rows]


def team_arrangements(*, user, team: Team) -> list[Arrangement]:
    """The team page's arrangements awaiting a decision (`arrangements_awaiting_decision`), with only what it shows."""
    if not sees_whole_team(visibility_of(user), team_id=team.pk):
        return list(arrangements_awaiting_decision(user=user, team=team).select_related(None)
                    .select_related("young_person__pa").only(*ARRANGEMENT_COLUMNS[1:5], "young_person__name",
                                                              "young_person__pa__name"))
    using = router.db_for_read(Arrangement)
    rows = _prepared_team_read("arrangements", ()).rows(using, team_id=team.pk)
    return [_with_person(made(Arrangement, using, id=pk, young_person_id=young_person_id, kind=kind, state=state,
                               requested_at=requested_at), person, using)
            for pk, young_person_id, kind, state, requested_at, *person in rows]


def _with_person(record, person: list, using: str):
    name, pa_id, pa_name = person
    young_person = made(YoungPerson, using, id=record.young_person_id, name=name, pa_id=pa_id)
    young_person.pa = None if pa_id is None else made(Staff, using, id=pa_id, name=pa_name)
    record.young_person = young_person
    return record


# --- Service Leader, weekly -------------------------------------------------------------------

class TeamRow(tuple):
    """One team's figures side by side (`team_rows`): overdue and due soon now, and by requirement in the order of
    CODES. Issue 16: a service has hundreds of teams, so a row is a tuple made as the summary's row per team comes
    (team id, name, overdue, due soon, overdue for each requirement, then due soon for each), read by name."""

    __slots__ = ()

    def __new__(cls, team_id: int | None, name: str, overdue: int = 0, due_soon: int = 0, *, overdue_cells=None,
                due_soon_cells=None):
        return tuple.__new__(cls, (team_id, name, overdue, due_soon, *(overdue_cells or _NOUGHTS),
                                   *(due_soon_cells or _NOUGHTS)))

    team_id = property(itemgetter(0))
    name = property(itemgetter(1))
    overdue = property(itemgetter(2))
    due_soon = property(itemgetter(3))

    @property
    def overdue_cells(self) -> list[int]:
        return list(self[4:4 + len(CODES)])

    @property
    def due_soon_cells(self) -> list[int]:
        return list(self[4 + len(CODES):])

    @property
    def overdue_by_code(self) -> dict[str, int]:
        """Overdue by requirement, for each requirement with something overdue or due soon in the team."""
        return {code: overdue for code, overdue, due_soon in zip(_CODE_KEYS, self.overdue_cells, self.due_soon_cells,
                                                                  strict=True) if overdue or due_soon}

    def __repr__(self) -> str:
        return f"TeamRow({self.team_id!r}, {self.name!r}, overdue={self.overdue}, due_soon={self.due_soon})"


_CODE_KEYS = [code for code, _ in CODES]
_CODE_INDEX = {code: i for i, code in enumerate(_CODE_KEYS)}
_NOUGHTS = (0,) * len(CODES)
_NO_FIGURES = (0, 0, *_NOUGHTS, *_NOUGHTS)


def team_rows(*, user, teams: list, today: dt.date, team: Team | None = None) -> list[TeamRow]:
    """Every team side by side: overdue and due soon now, overdue by requirement. One query.

    For whoever sees the whole service (the Service Leader, the Head of Service) the figures are the engine's
    per-team summary (compliance.team_summary, issue 16), kept with the requirement rows; anyone else gets the same
    aggregate of the rows they may see. A team with nothing overdue or due soon still gets its row of noughts from
    `teams`. Issue 16: the (team, requirement) rows are added up per team in lists (`_pivoted`) and each team's row
    made a tuple in C. Pivoting in the summary's query instead cost the database 1-1.5 ms a request, more than it
    saved the Python."""
    if is_service_wide(user):
        counts = team_summary.counts_by_team(today=today, team_id=team.pk if team is not None else None)
    else:
        counts = _team_counts(user=user, today=today, team=team)
    sums = _pivoted(counts)
    figures = {row[0]: row[1:] for row in sums}
    make, nothing = tuple.__new__, _NO_FIGURES
    rows = [make(TeamRow, (t.pk, t.name, *figures.pop(t.pk, nothing))) for t in teams if team is None or t.pk == team.pk]
    # Figures for no team of `teams`: the young people with no PA (or a PA with no team).
    rows += [make(TeamRow, (team_id, NO_TEAM, *values)) for team_id, values in figures.items()]
    return sorted(rows, key=_TEAM_ORDER)


def _TEAM_ORDER(row: TeamRow) -> tuple[bool, str]:  # noqa: N802
    return (row[0] is None, row[1])


def _pivoted(counts) -> list[tuple]:
    """(team, requirement, overdue, due soon) rows added up per team: (team, overdue, due soon, overdue for each of
    CODES in turn, then due soon for each)."""
    width = len(CODES)
    by_team: dict[int | None, list[int]] = {}
    for team_id, code, overdue, due_soon in counts:
        row = by_team.setdefault(team_id, [0] * (2 + 2 * width))
        at = _CODE_INDEX[code]  # every requirement code is one of CODES (Requirement.code's choices)
        row[0] += overdue
        row[1] += due_soon
        row[2 + at] += overdue
        row[2 + width + at] += due_soon
    return [(team_id, *row) for team_id, row in by_team.items()]


def _team_counts(*, user, today: dt.date, team: Team | None) -> list[tuple[int | None, str, int, int]]:
    """(team, requirement, overdue, due soon) from the requirement rows the user may see. Only rows already in
    their due-soon window can be overdue or due soon (an overdue row's window opened before its due date), so the
    aggregate reads those alone; it starts from the young people the user may see, so the visibility filter
    applies to them directly rather than as a semi-join on every requirement row."""
    people = young_people_visible_to(user)
    if team is not None:
        people = people.filter(pa__team=team)
    return [
        (c["pa__team"], c["requirements__code"], c["overdue"], c["due_soon"])
        for c in people.filter(needs_attention_q(today, "requirements__"))
        .order_by()
        .values("pa__team", "requirements__code")
        .annotate(overdue=Count("requirements", filter=status_q(Status.OVERDUE, today, "requirements__")),
                  due_soon=Count("requirements", filter=status_q(Status.DUE_SOON, today, "requirements__")))
    ]


def _points(sums: dict, team_id, nights: list, with_figures: set, noughts: list) -> list[int | None]:
    """A team's figure at each night (None: no run that period; 0: nothing counted). Most of a service's hundreds of
    teams have no figures at all in a period, and their points are a copy of the same noughts (`_noughts`, worked out
    once a chart: issue 16)."""
    if team_id not in with_figures:
        return noughts[:]
    return [sums.get((n, team_id), 0) if n else None for n in nights]


def _noughts(nights: list) -> list[int | None]:
    return [0 if n else None for n in nights]


def _team_names(teams: list) -> dict:
    return {t.pk: t.name for t in teams} | {None: NO_TEAM}


def top_teams(rows: list[TeamRow], *, limit: int) -> list[TeamRow]:
    """The `limit` teams with most overdue now (then most due soon, then by name), for a chart
    that stays readable however many teams the service has."""
    return sorted(rows, key=_MOST_OVERDUE)[:limit]


def _MOST_OVERDUE(row: TeamRow) -> tuple:  # noqa: N802
    return (-row[2], -row[3], row[0] is None, row[1])  # overdue, due soon, team id, name


def _done_nights(*, date_from: dt.date, date_to: dt.date) -> QuerySet:
    return (NightlyRun.objects.filter(state=RunState.DONE, night__range=(date_from, date_to))
            .order_by("night").values_list("night"))


@cache
def _prepared_done_nights() -> Prepared:
    return Prepared(_done_nights, date_from=DATE, date_to=DATE)


def done_nights(*, date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """The nights with a completed run in the range (one query, prepared once per process: issue 16)."""
    rows = _prepared_done_nights().rows(router.db_for_read(NightlyRun), date_from=date_from, date_to=date_to)
    return [night for (night,) in rows]


def week_buckets(*, date_from: dt.date, date_to: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Seven-day weeks ending on date_to, going back to cover date_from (at most 52)."""
    weeks = min(max(((date_to - date_from).days // 7) + 1, 1), 52)
    return [(date_to - dt.timedelta(days=7 * k + 6), date_to - dt.timedelta(days=7 * k)) for k in reversed(range(weeks))]


MAX_MONTHS = 36  # a chart of three years stays readable


def month_buckets(*, date_from: dt.date, date_to: dt.date) -> list[tuple[dt.date, dt.date]]:
    months: list[tuple[dt.date, dt.date]] = []
    start = date_from.replace(day=1)
    while start <= date_to and len(months) < MAX_MONTHS:
        following = (start + dt.timedelta(days=32)).replace(day=1)
        months.append((start, min(following - dt.timedelta(days=1), date_to)))
        start = following
    return months


def _latest_night_in(buckets, nights: list[dt.date]) -> list[dt.date | None]:
    chosen = []
    for start, end in buckets:
        inside = [n for n in nights if start <= n <= end]
        chosen.append(inside[-1] if inside else None)
    return chosen


class _Trend(NamedTuple):
    """A trend by team as read (issue 16: its series made only for the teams shown): the night chosen for each
    period (None: no run), the overdue figures by (night, team), the chart's arguments but its series, the teams'
    names, the teams with figures, the teams of its series in their order, and the points of a team with none."""

    nights: list
    sums: dict
    chart: dict
    names: dict
    with_figures: set
    team_ids: list
    noughts: list  # a team's points with no figures (`_points`)


def weekly_trend(*, teams: list, date_from: dt.date, date_to: dt.date, team: Team | None = None) -> Chart:
    """Overdue items by team, from the last snapshot of each week, with every team's total when there is more than
    one team (the service-trend download). Two queries."""
    return _chart(_weekly(teams=teams, date_from=date_from, date_to=date_to, team=team), with_total=team is None)


def weekly_trend_split(*, teams: list, date_from: dt.date, date_to: dt.date, team: Team | None = None,
                       top: int) -> tuple[Chart, Chart | None]:
    """The service dashboard's two trend charts (`split_top_teams` of the weekly trend). Two queries."""
    trend = _weekly(teams=teams, date_from=date_from, date_to=date_to, team=team)
    return split_top_teams(trend, top=top, with_total=team is None)


def _weekly(*, teams: list, date_from: dt.date, date_to: dt.date, team: Team | None) -> _Trend:
    buckets = week_buckets(date_from=date_from, date_to=date_to)
    nights = _latest_night_in(buckets, done_nights(date_from=buckets[0][0], date_to=buckets[-1][1]))
    chosen = [n for n in nights if n]
    sums: defaultdict[tuple, int] = defaultdict(int)
    rows: QuerySet
    if team is None:
        # Issue 16: the nights' sums by team as written with each snapshot (OverdueByTeam), a year of nights by a
        # service's 500 teams, not the snapshot's rows summed per request.
        rows = OverdueByTeam.objects.filter(night__in=chosen).order_by().values_list("night", "team", "count")
    else:
        rows = (Snapshot.objects.filter(night__in=chosen, status=Status.OVERDUE, team=team).order_by()
                .values("night", "team").annotate(n=Sum("count")).values_list("night", "team", "n"))
    for night, team_id, n in rows:  # tuples, not a dict per row (issue 16)
        sums[(night, team_id)] += n
    chart = {"title": "Overdue items, week by week", "x_title": "Week ending", "x_labels": [end for _, end in buckets],
             "x_notes": nights}
    return _trend(nights=nights, sums=sums, chart=chart, teams=teams, team=team)


def _chart(trend: _Trend, *, with_total: bool = False) -> Chart:
    """The trend's chart, a series per team; `with_total`: and, when there is more than one, every team's total."""
    series = [_series(trend, t) for t in trend.team_ids]
    if with_total and len(series) > 1:
        # Every team counted is among team_ids, so a night's total is the sum of all its figures.
        series.append(Series(ALL_TEAMS, _night_totals(trend)))
    return Chart(**trend.chart, series=series)


def _trend(*, nights: list, sums: dict, chart: dict, teams: list, team: Team | None) -> _Trend:
    """The teams of the trend's series: the one team, else every team of `teams` and every team with figures, by
    name (the unallocated last)."""
    names = _team_names(teams)
    with_figures = {t for _, t in sums}
    team_ids = [team.pk] if team is not None else sorted(
        with_figures | {t.pk for t in teams}, key=lambda t: (t is None, names.get(t, ""))
    )
    return _Trend(nights, sums, chart, names, with_figures, team_ids, _noughts(nights))


def _series(trend: _Trend, team_id) -> Series:
    return Series(_name(trend, team_id), _points(trend.sums, team_id, trend.nights, trend.with_figures, trend.noughts))


def _name(trend: _Trend, team_id) -> str:
    return trend.names.get(team_id, NO_TEAM)


def _night_totals(trend: _Trend) -> list[int | None]:
    totals: defaultdict[dt.date, int] = defaultdict(int)
    for (night, _), n in trend.sums.items():
        totals[night] += n
    return [totals[n] if n else None for n in trend.nights]


def split_top_teams(trend: _Trend, *, top: int, with_total: bool = False) -> tuple[Chart, Chart | None]:
    """A trend of hundreds of teams as two readable charts: the `top` teams with most overdue at the last night with
    a run (ties, and a trend with no run at all, in their order), in their order; and every team's total at each
    night, None where there was no run (on its own axis: a total in the thousands beside teams in the tens flattens
    them). A trend of `top` teams or fewer comes back whole (`_chart`, with the total if `with_total`).

    Issue 16: only the series shown are made, from the sums, not a service's 500 series and their points. A team
    named as the total ("All teams") is not one of the teams ranked or counted, and its own series is the total's
    chart, as the chart-level split has always done (tests/oversight/test_trend_split.py keeps it, the reference)."""
    teams = [t for t in trend.team_ids if _name(trend, t) != ALL_TEAMS]
    if len(teams) <= top:
        return _chart(trend, with_total=with_total), None
    sums = trend.sums
    latest = next((n for n in reversed(trend.nights) if n), None)
    keys = [-sums.get((latest, t), 0) for t in teams] if latest is not None else [0] * len(teams)
    ranked = sorted(sorted(range(len(teams)), key=keys.__getitem__)[:top])  # stable: ties in their order
    named = [t for t in trend.team_ids if _name(trend, t) == ALL_TEAMS]
    total = _series(trend, named[0]) if named else Series(ALL_TEAMS, _night_totals(trend))
    title = trend.chart["title"]
    return (
        Chart(**trend.chart | {"title": f"{title}: the {top} teams with most overdue"},
              series=[_series(trend, teams[i]) for i in ranked]),
        Chart(**trend.chart | {"title": f"{title}: all {len(teams)} teams together"}, series=[total]),
    )


# --- Head of Service, monthly -----------------------------------------------------------------

def monthly_charts(*, teams: list, date_from: dt.date, date_to: dt.date, team: Team | None = None) -> tuple[Chart, Chart]:
    """Month on month, from the last snapshot of each month: by team and by requirement (the head-by-team and
    head-by-requirement downloads). Two queries."""
    trend, code_chart = _monthly(teams=teams, date_from=date_from, date_to=date_to, team=team)
    return _chart(trend), code_chart


def monthly_charts_split(*, teams: list, date_from: dt.date, date_to: dt.date, team: Team | None = None,
                         top: int) -> tuple[Chart, Chart | None, Chart]:
    """The Head of Service's charts: `split_top_teams` of the trend by team, and by requirement. Two queries."""
    trend, code_chart = _monthly(teams=teams, date_from=date_from, date_to=date_to, team=team)
    return (*split_top_teams(trend, top=top), code_chart)


def _monthly(*, teams: list, date_from: dt.date, date_to: dt.date, team: Team | None) -> tuple[_Trend, Chart]:
    buckets = month_buckets(date_from=date_from, date_to=date_to)
    nights = _latest_night_in(buckets, done_nights(date_from=buckets[0][0], date_to=buckets[-1][1]))
    chosen = [n for n in nights if n]
    by_team: defaultdict[tuple, int] = defaultdict(int)
    by_code: defaultdict[tuple, int] = defaultdict(int)
    if team is None:
        # Issue 16: the nights' sums as written with each snapshot, by team (OverdueByTeam: no requirement) and by
        # requirement (OverdueByCode: no team), in one query.
        rows = OverdueByTeam.objects.filter(night__in=chosen).order_by().values_list(
            "night", "team", Value(None, output_field=CharField()), "count").union(
            OverdueByCode.objects.filter(night__in=chosen).order_by().values_list(
                "night", Value(None, output_field=IntegerField()), "requirement", "count"), all=True)
        for night, team_id, code, n in rows:
            if code is None:
                by_team[(night, team_id)] += n
            else:
                by_code[(night, code)] += n
    else:
        for night, team_id, code, n in (
                Snapshot.objects.filter(night__in=chosen, status=Status.OVERDUE, team=team).order_by()
                .values("night", "team", "requirement").annotate(n=Sum("count"))
                .values_list("night", "team", "requirement", "n")):  # issue 16: tuples, not a dict per row
            by_team[(night, team_id)] += n
            by_code[(night, code)] += n
    labels = [start for start, _ in buckets]
    chart = {"title": "Overdue items by team, month on month", "x_title": "Month", "x_labels": labels,
             "x_notes": nights, "x_format": "M Y", "x_short_format": "M y"}
    code_series = [Series(label, [by_code.get((n, code), 0) if n else None for n in nights]) for code, label in CODES]
    code_chart = Chart(
        title="Overdue items by requirement, month on month", x_title="Month", x_labels=labels, x_notes=nights,
        x_format="M Y", x_short_format="M y",
        # Requirements with nothing overdue all period are left out of picture and table alike.
        series=[s for s in code_series if any(s.values)] or code_series[:1],
    )
    return _trend(nights=nights, sums=by_team, chart=chart, teams=teams, team=team), code_chart


def _longest_overdue(rows: QuerySet[Requirement], *, today: dt.date, team_id: int | None = None) -> QuerySet[Requirement]:
    rows = rows.filter(status_q(Status.OVERDUE, today))
    if team_id is not None:
        rows = rows.filter(young_person__pa__team_id=team_id)
    return (
        with_latest_update(rows.annotate(status=status_expression(today), days_overdue=days_overdue_expression(today)))
        .select_related("young_person", "young_person__pa", "young_person__pa__team")
        .order_by("due", "young_person__ref", "code")
    )


def longest_overdue(*, user, today: dt.date, team: Team | None = None) -> QuerySet[Requirement]:
    return _longest_overdue(requirements_visible_to(user, today=today), today=today,
                            team_id=team.pk if team is not None else None)


#: What the Head of Service's table reads of each item (as ITEM_COLUMNS, with the PA's team).
LONGEST_COLUMNS = (*ITEM_COLUMNS, "young_person__pa__team_id", "young_person__pa__team__name")
#: The same, read as a queryset (`longest_overdue_top` for whoever does not see the whole service).
LONGEST_FIELDS = ("code", "due", "young_person__name", "young_person__ref", "young_person__pa__name",
                  "young_person__pa__team__name")


@cache
def _prepared_longest(*, of_team: bool, limit: int) -> Prepared:
    """Issue 16: the whole service's `limit` longest overdue items (of one team or all), compiled once per process."""
    if of_team:
        return Prepared(lambda today, team_id: _longest_overdue(Requirement.objects.all(), today=today, team_id=team_id)
                        .values_list(*LONGEST_COLUMNS)[:limit], today=DATE, team_id=INT)
    return Prepared(lambda today: _longest_overdue(Requirement.objects.all(), today=today)
                    .values_list(*LONGEST_COLUMNS)[:limit], today=DATE)


def _sees_everyone(user) -> bool:
    return visibility_of(user)[0] == "service"


def longest_overdue_top(*, user, today: dt.date, team: Team | None, limit: int) -> list[Requirement]:
    """The first `limit` rows of `longest_overdue`, made the instances the Head of Service's table reads (the young
    person, their PA and the PA's team, the latest update on update_*): prepared for whoever sees the whole service,
    which is everyone who may open the dashboard (core.rules: view_head_dashboard)."""
    if not _sees_everyone(user):
        return list(longest_overdue(user=user, today=today, team=team).only(*LONGEST_FIELDS)[:limit])
    using = router.db_for_read(Requirement)
    prepared = _prepared_longest(of_team=team is not None, limit=limit)
    rows = prepared.rows(using, today=today, team_id=team.pk) if team is not None else prepared.rows(using, today=today)
    items = []
    for *row, team_id, team_name in rows:
        item = _item(tuple(row), using)
        if item.young_person.pa is not None:
            item.young_person.pa.team = None if team_id is None else made(Team, using, id=team_id, name=team_name)
        items.append(item)
    return items


#: R4/R5: what waits for the Service Leader's agreement.
WAITING_FOR_SERVICE_LEADER = {"kinds": [ArrangementKind.REDUCED_VISITS], "states": [ArrangementState.TEAM_LEADER_APPROVED]}


def reduced_visits_awaiting_service_leader(*, user, team: Team | None) -> QuerySet[Arrangement]:
    """R4/R5: agreed by the Team Leader, waiting for the Service Leader."""
    return arrangements_awaiting_decision(user=user, team=team, **WAITING_FOR_SERVICE_LEADER)


def _waiting_rows(arrangements: QuerySet[Arrangement]) -> QuerySet:
    return arrangements.annotate(requested_by_name=REQUESTED_BY).values_list(*WAITING_FIELDS)


@cache
def _prepared_waiting(*, of_team: bool) -> Prepared:
    """Issue 16: the whole service's reduced visits waiting (of one team or all), compiled once per process."""
    if of_team:
        return Prepared(lambda team_id: _waiting_rows(_arrangements_awaiting_decision(
            Arrangement.objects.all(), team_id=team_id, **WAITING_FOR_SERVICE_LEADER)), team_id=INT)
    return Prepared(lambda: _waiting_rows(_arrangements_awaiting_decision(
        Arrangement.objects.all(), team_id=None, **WAITING_FOR_SERVICE_LEADER)))


def reduced_visits_waiting_rows(*, user, team: Team | None) -> list[tuple]:
    """`reduced_visits_awaiting_service_leader` as the service dashboard lists them (oversight.tables.WAITING_FIELDS
    tuples): prepared for whoever sees the whole service, which is everyone who may open it."""
    if not _sees_everyone(user):
        return list(_waiting_rows(reduced_visits_awaiting_service_leader(user=user, team=team)))
    using = router.db_for_read(Arrangement)
    if team is not None:
        return _prepared_waiting(of_team=True).rows(using, team_id=team.pk)
    return _prepared_waiting(of_team=False).rows(using)


@cache
def _prepared_last_run() -> Prepared:
    return Prepared(lambda: NightlyRun.objects.order_by("-night").values_list(*_RUN_FIELDS)[:1])


_RUN_FIELDS = tuple(f.attname for f in NightlyRun._meta.concrete_fields)


def last_run() -> NightlyRun | None:
    """The ledger's latest night (one query, prepared once per process: issue 16)."""
    using = router.db_for_read(NightlyRun)
    rows = _prepared_last_run().rows(using)
    return NightlyRun.from_db(using, _RUN_FIELDS, rows[0]) if rows else None


#: issue 15, item 8: how long after its scheduled time (oversight.schedule) a night's run may take before the
#: dashboards call it late.
NIGHTLY_GRACE = dt.timedelta(hours=1)


def expected_night(*, now: dt.datetime) -> dt.date:
    """The latest night whose run should have finished by `now` (local time): today once the schedule's hour
    and the grace period have passed, otherwise yesterday."""
    local = timezone.localtime(now)
    due = local.replace(hour=NIGHTLY_SCHEDULE.hour, minute=NIGHTLY_SCHEDULE.minute, second=0, microsecond=0)
    return local.date() if local >= due + NIGHTLY_GRACE else local.date() - dt.timedelta(days=1)


def nightly_status(*, now: dt.datetime | None = None) -> dict:
    """The dashboards' line about the ledger (one query): the latest run, and whether it is late: no completed run
    for the night that should be done by now, so the counts and trends may be out of date (issue 15, item 8)."""
    run = last_run()
    expected = expected_night(now=now or timezone.now())
    late = run is None or run.night < expected or (run.night == expected and run.state != RunState.DONE)
    return {"last_run": run, "nightly_late": late, "nightly_expected": expected}


# --- issue 16: the longest overdue list for an export, read a chunk at a time ---

#: Rows read per query when the longest overdue list is streamed: memory stays flat whatever its length.
EXPORT_CHUNK = 2000
#: Rows of the first chunk: the first rows follow the header line in tens of milliseconds, not the few hundred a
#: whole chunk's read, audit and rows take (issue 16, item 2).
EXPORT_FIRST_CHUNK = 200


def longest_overdue_chunks(*, user, today: dt.date, team: Team | None = None, size: int = EXPORT_CHUNK,
                           first: int = EXPORT_FIRST_CHUNK):
    """The longest overdue list (as `longest_overdue`: due, then ref, then code), a list of rows at a time
    (`first` rows, at most `size`, then `size` at a time): each chunk is one keyset query after the last row of
    the one before (no offset, no per-row subquery), plus one query for the chunk's latest updates (O1), set on
    each row as `update_*` like `with_latest_update`. On PostgreSQL JIT is off for these queries: compiling them
    cost seconds and saved nothing on an index range (issue 16)."""
    rows = requirements_visible_to(user).filter(status_q(Status.OVERDUE, today))
    if team is not None:
        rows = rows.filter(young_person__pa__team=team)
    rows = rows.select_related("young_person", "young_person__pa", "young_person__pa__team").order_by(
        "due", "young_person__ref", "code")
    after: tuple | None = None
    limit = min(first, size)
    while True:
        page = rows
        if after is not None:
            due, ref, code = after
            page = rows.filter(Q(due__gt=due) | Q(due=due, young_person__ref__gt=ref)
                               | Q(due=due, young_person__ref=ref, code__gt=code))
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
            chunk = list(page[:limit])
            latest: dict[tuple, OverdueUpdate] = {}
            for update in OverdueUpdate.objects.filter(
                    young_person_id__in={r.young_person_id for r in chunk}).select_related("author").order_by("version"):
                latest[(update.young_person_id, update.requirement, update.due)] = update
        for row in chunk:
            found = latest.get((row.young_person_id, row.code, row.due))
            columns = {"status": Status.OVERDUE, "days_overdue": max((today - row.due).days, 0),
                       "update_reason": found.reason if found else None, "update_plan": found.plan if found else None,
                       "update_on": found.recorded_on if found else None,
                       "update_by": found.author.name if found else None}
            for key, value in columns.items():
                setattr(row, key, value)
        if chunk:
            yield chunk
        if len(chunk) < limit:
            return
        last = chunk[-1]
        after, limit = (last.due, last.young_person.ref, last.code), size
