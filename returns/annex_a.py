"""Ofsted ILACS Annex A list 9 (X2) as at any date: the day an inspection is announced.

`annex_a_as_at(day)` lists everyone in service that day, whatever their legal status (eligible,
relevant, former relevant, qualifying with a PA service: whoever has a requirement that day in
compliance.engine.requirements_as_of, as returns.in_service reads it), with what was known on the day: the
legal status in force, the latest signed-off pathway plan review, the latest completed contact with the young person and
the latest in-touch check (so the current accommodation, activity and in-touch status). A section 24
young person without a PA service (T9) is not in service, so not listed. The wording
of the coded columns is the collection year's (returns.labels). Eight queries, whatever the number of
young people. The accommodation and activity are the case record's in force on the day (issue 11), else
the latest in-touch check's.

`annex_a_row` is the one way a row is written; the 31 March file of build_returns uses it too.
"""

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Expression, Max, OuterRef, QuerySet, Subquery

from careleavers.models import AccommodationPeriod, ActivityPeriod, LegalStatus, LegalStatusChange, YoungPerson
from careleavers.selectors import periods_in_force
from contacts.models import Contact, InTouchCheck, Outcome, With
from core.dates import age_on
from pathway.models import PathwayPlan, PlanState

from .files import csv_text, dmy
from .in_service import in_service_on
from .labels import AnnexALabels, annex_a_labels_on


class ReturnPerson(NamedTuple):
    """What the returns read of a young person, with their PA's and team's names: a row, not a model instance
    (issue 16: tens of thousands of them at national scale)."""

    pk: int
    ref: str
    sex: str
    ethnicity: str
    upn: str
    date_of_birth: dt.date
    uasc: bool
    disability: bool
    legal_status: str
    pa_id: int | None
    pa_name: str | None
    team_name: str | None


PERSON_COLUMNS = ("pk", "ref", "sex", "ethnicity", "upn", "date_of_birth", "uasc", "disability", "legal_status", "pa_id",
                  "pa__name", "pa__team__name")


def person_rows(people: QuerySet[YoungPerson]) -> QuerySet:
    """`people` as the values of ReturnPerson, in ref order (ReturnPerson._make each)."""
    return people.order_by("ref").values_list(*PERSON_COLUMNS)


class CheckRow(NamedTuple):
    """What the returns read of an in-touch check."""

    young_person_id: int
    date: dt.date
    in_touch: str
    activity: str
    accommodation: str


CHECK_COLUMNS = ("young_person_id", "date", "in_touch", "activity", "accommodation")


def annex_a_row(*, labels: AnnexALabels, young_person: ReturnPerson, on: dt.date, legal_status: str,
                last_review: dt.date | None, last_contact: dt.date | None, check: CheckRow | InTouchCheck | None,
                accommodation: AccommodationPeriod | None = None,
                activity: ActivityPeriod | None = None) -> dict[str, str]:
    """One young person's Annex A list 9 row as at `on`, in the wording of `labels`. Issue 11, items 3 and 4:
    the accommodation (with its suitability) and the activity in force on `on` in the case record's histories,
    else what the latest in-touch check recorded."""
    yp = young_person
    accommodation_code = accommodation.return_code if accommodation else (check.accommodation if check else "")
    activity_code = activity.code if activity else (check.activity if check else "")
    accommodation_type, suitability = labels.accommodation(accommodation_code)
    pa_name, team_name = yp.pa_name or "", yp.team_name or ""
    return {
        "Child Unique ID": yp.ref,
        "Gender": labels.sex(yp.sex),
        "Ethnicity": labels.ethnic(yp.ethnicity),
        "Date of Birth": dmy(yp.date_of_birth),
        "Age": str(age_on(yp.date_of_birth, on)),
        "UASC": labels.yes(value=yp.uasc),
        "Disability": labels.yes(value=yp.disability),
        "Allocated Team": team_name,
        # The worker allocated by a leaving-care service is the Personal Adviser.
        "Allocated Worker": pa_name,
        "Allocated Personal Advisor": pa_name,
        "Eligibility Category": labels.eligibility.get(legal_status, ""),
        "Latest Pathway Plan Review Date": dmy(last_review),
        "LA in Touch": labels.in_touch.get(check.in_touch, "") if check else "",
        "Latest Date of Contact": dmy(last_contact),
        "Type of Accommodation": accommodation_type,
        "Suitability of Accommodation": suitability,
        "Activity Status": labels.activity_status(activity_code),
    }


@dataclass
class AnnexA:
    """Annex A list 9 as at `day`: its rows, in the wording of the day's collection year."""

    day: dt.date
    labels: AnnexALabels
    rows: list[dict[str, str]] = field(default_factory=list)
    #: Who the rows are about (issue 14, item 7: a download is logged against each of them).
    young_person_ids: list[int] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return f"annex_a_list9_as_at_{self.day:%Y-%m-%d}.csv"

    def csv(self) -> str:
        return csv_text(self.labels.columns, self.rows)


class IdList(Expression):
    """Ids as one query parameter, for `young_person__in=IdList(ids)`: an array on PostgreSQL (unnest), a JSON
    array on SQLite (json_each). Issue 16: an IN list of tens of thousands of placeholders cost seconds to build
    and to quote, in Django and in psycopg, before the database saw the query."""

    def __init__(self, ids: Sequence[int]):
        super().__init__()
        self.ids = list(ids)

    def as_sql(self, compiler, connection):
        return "SELECT value FROM json_each(%s)", [json.dumps(self.ids)]

    def as_postgresql(self, compiler, connection):
        # The array as its text ('{1,2,3}'): one string to quote, not a list adapted element by element.
        return "SELECT unnest(%s::bigint[])", ["{" + ",".join(map(str, self.ids)) + "}"]


#: Who a per-table query is about: the ids, or an IdList of them.
Ids = list[int] | IdList


def latest_in_touch_checks(ids: Ids, day: dt.date) -> dict[int, CheckRow]:
    """Each young person's newest in-touch check on or before `day` (one query)."""
    latest: dict[int, CheckRow] = {}
    for row in (InTouchCheck.objects.filter(young_person__in=ids, date__lte=day).order_by("young_person", "date", "id")
                .values_list(*CHECK_COLUMNS)):
        latest[row[0]] = CheckRow._make(row)  # ordered by date: the last one wins
    return latest


def latest_completed_contacts(ids: Ids, day: dt.date) -> dict[int, dt.date]:
    """Each young person's newest completed contact with them on or before `day` (one query): for each, one
    backward probe of the (young person, date) index that stops at the first match, not all their contacts
    grouped (issue 16: about a third less of the database's time at national scale)."""
    newest = (Contact.objects.filter(young_person=OuterRef("pk"), date__lte=day, voided_at__isnull=True,
                                     outcome=Outcome.COMPLETED, with_whom=With.YOUNG_PERSON)
              .order_by("-date").values("date")[:1])
    return {pk: last for pk, last in YoungPerson.objects.filter(pk__in=ids).annotate(last=Subquery(newest))
            .values_list("pk", "last") if last is not None}


def annex_a_as_at(day: dt.date, people: QuerySet[YoungPerson] | None = None) -> AnnexA:
    """Annex A list 9 as at `day` for `people` (default everyone; the page passes who the viewer may see).

    Queries: the requirements as of the day, the people, their legal status changes, latest completed
    contacts, latest in-touch checks and latest signed-off reviews, the accommodation and activity in force:
    eight."""
    people = YoungPerson.objects.all() if people is None else people
    result = AnnexA(day=day, labels=annex_a_labels_on(day))
    in_service, _reviews = in_service_on(day)
    annex_people = [ReturnPerson._make(row) for row in person_rows(people) if row[0] in in_service]
    result.young_person_ids = [yp.pk for yp in annex_people]
    ids = IdList(result.young_person_ids)
    # The legal status in force on the day: the newest change on or before it, else the current one.
    status_on: dict[int, str] = dict(
        LegalStatusChange.objects.filter(young_person__in=ids, from_date__lte=day)
        .order_by("young_person", "from_date").values_list("young_person", "status"),
    )
    last_contacts = latest_completed_contacts(ids, day)
    checks = latest_in_touch_checks(ids, day)
    accommodation = periods_in_force(AccommodationPeriod, ids, day)
    activity = periods_in_force(ActivityPeriod, ids, day)
    reviews = dict(
        PathwayPlan.objects.filter(young_person__in=ids, state=PlanState.SIGNED_OFF, review_date__lte=day)
        .values("young_person").annotate(last=Max("review_date")).values_list("young_person", "last"),
    )
    for yp in annex_people:
        status = status_on.get(yp.pk, yp.legal_status)
        # A qualifying (section 24) young person has no pathway plan duty: the review date stays blank,
        # as in the 31 March file (no pathway_review requirement).
        review = None if status == LegalStatus.QUALIFYING else reviews.get(yp.pk)
        result.rows.append(annex_a_row(labels=result.labels, young_person=yp, on=day, legal_status=status,
                                       last_review=review, last_contact=last_contacts.get(yp.pk), check=checks.get(yp.pk),
                                       accommodation=accommodation.get(yp.pk), activity=activity.get(yp.pk)))
    return result
