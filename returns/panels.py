"""The returns section of the young person's page (X1): birthday check wanted, details, checks."""

import rules

from contacts import codes

from . import dfe
from .selectors import birthday_checks_for


def returns_panel(*, request, young_person, today, reads=None):
    # One query, or none on the young person's page, which reads the checks with its other reads (issue 16).
    data = birthday_checks_for(young_person, today=today, checks=reads["in_touch_checks"] if reads is not None else None)
    return {
        "yp": young_person,
        "wanted": data["wanted"],
        "checks": [
            {"check": c, "in_touch": codes.IN_TOUCH.get(c.in_touch, c.in_touch),
             "activity": codes.ACTIVITY.get(c.activity, c.activity),
             "accommodation": codes.ACCOMMODATION.get(c.accommodation, c.accommodation)}
            for c in data["checks"]
        ],
        "sex": dfe.SEX_CODES.get(young_person.sex, ""),
        "ethnicity": codes.ETHNICITY.get(young_person.ethnicity, young_person.ethnicity),
        "can_record": rules.has_perm("returns.record_in_touch_check", request.user, young_person),
    }
