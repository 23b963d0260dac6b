"""Issue 11, items 2-4: the case record section of the young person's page (contact details, the current
accommodation with its suitability, the current activity, the key professionals). Three queries."""

from careleavers.selectors import case_record_summary


def case_record_panel(*, request, young_person, today, reads=None):
    return {"yp": young_person, **case_record_summary(young_person, today=today)}
