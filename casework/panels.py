"""The young person's page: the case panel of issue 11 (items 6 and 8): who holds the case, cover, closures
and reopenings, and the actions for those who may take them. Two queries (cover, closures); the permissions
read attributes only."""

import rules

from careleavers.models import CaseClosure, Cover

ACTIONS = (
    ("careleavers.allocate", "allocate"),
    ("careleavers.set_cover", "cover"),
    ("careleavers.close_case", "close"),
    ("careleavers.reopen_case", "reopen"),
    ("careleavers.record_extended_support", "s3"),
)


def case_panel(*, request, young_person, today):
    can = {key: rules.has_perm(perm, request.user, young_person) for perm, key in ACTIONS}
    closed = young_person.closed_on is not None
    return {
        "yp": young_person,
        "today": today,
        "closed": closed,
        "can_allocate": can["allocate"] and not closed,
        "can_cover": can["cover"] and not closed and young_person.pa_id is not None,
        "can_close": can["close"] and not closed,
        "can_reopen": can["reopen"] and closed,
        "can_s3": can["s3"] and not closed and not young_person.extended_support_requested_on,
        "covers": list(Cover.objects.filter(young_person=young_person, end__gte=today).select_related("pa")
                       .order_by("start")),
        "closures": list(CaseClosure.objects.filter(young_person=young_person)
                         .select_related("closed_by", "reopened_by").order_by("-closed_on", "-id")),
    }
