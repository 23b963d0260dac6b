"""DfE and Ofsted vocabularies and checks for the returns (X1, X2) that do not need the database.

The SSDA903 code lists themselves live in contacts.codes (the in-touch check stores them); this
module adds what the returns need on top: the UPN format and the consistency of one in-touch check
(the DfE 903 validation rules a single check can break). The Ofsted Annex A list 9 wording is data,
one file per collection year (returns/codes/, read by returns.labels).
"""

import re

from contacts import codes

#: A UPN (letter, 11 digits, then a digit or a letter; no I, O or S first), or a DfE "unknown" code
#: (903 rule 168). Not UN1 (under 6, no UPN yet): a care leaver is of school age (903 rule 209).
UPN_PATTERN = re.compile(r"^(?:(?![IOS])[A-Z]\d{11}[0-9A-Z]|UN[2-5])$")

UPN_UNKNOWN_CODES = {
    "UN2": "Child has never attended an educational setting",
    "UN3": "Child is educated outside England",
    "UN4": "Child newly entered care and UPN not yet obtained",
    "UN5": "Sources collating UPNs reflect discrepancy",
}

SEX_CODES = {"M": "Male", "F": "Female", "U": "Unknown"}

#: X1: the ages whose birthday makes a young person part of the OC3 cohort (always), and the
#: ages after the service's end at 21 that count only when the young person is in touch.
OC3_AGES = (17, 18, 19, 20, 21)
OC3_IN_TOUCH_ONLY_AGES = (22, 23, 24, 25)
#: The check that counts for a birthday is recorded from 3 months before it to 1 month after it.
WINDOW_MONTHS_BEFORE = 3
WINDOW_MONTHS_AFTER = 1

NOT_IN_TOUCH = ("NO", "REFU", "NREQ")
NOTHING_TO_RECORD = ("DIED", "RHOM")


def upn_is_valid(value: str) -> bool:
    return bool(UPN_PATTERN.match(value))


#: The one care-leaver age under 18 in the returns (17th birthday), where some accommodation codes are refused.
MINOR_AGE = 17


def check_problems(  # noqa: C901  (one check per DfE rule, each with its message)
    *, in_touch: str, activity: str, accommodation: str, age: int | None = None,
) -> dict[str, str]:
    """What is wrong with one in-touch check, by field, in words a PA understands (empty when valid).

    Each message follows a DfE 903 validation rule: 131/132/133 (codes), 345 (in touch: activity and
    accommodation are known), 344 (died or returned home: both 0), 3001 (never with former foster
    carers at the 17th birthday), 347 (no foyer under 18)."""
    problems: dict[str, str] = {}
    if in_touch not in codes.IN_TOUCH:
        problems["in_touch"] = f"{in_touch!r} is not a DfE in-touch code."
    if activity not in codes.ACTIVITY:
        problems["activity"] = f"{activity!r} is not a DfE activity code."
    if accommodation not in codes.ACCOMMODATION:
        problems["accommodation"] = (
            f"{accommodation!r} is not a DfE accommodation code (homeless and custody are always unsuitable).")
    if problems:
        return problems
    if in_touch == "YES":
        if activity == "0":
            problems["activity"] = "When the young person is in touch, record what they are doing (not 0)."
        if accommodation == "0":
            problems["accommodation"] = "When the young person is in touch, record where they live (not 0)."
    if in_touch in NOTHING_TO_RECORD:
        if activity != "0":
            problems["activity"] = "When the young person has died or returned home, activity is 0."
        if accommodation != "0":
            problems["accommodation"] = "When the young person has died or returned home, accommodation is 0."
    if age == MINOR_AGE and accommodation[:1] == "Z":
        problems["accommodation"] = "At 17 a young person cannot be recorded as living with former foster carers (Z)."
    if age == MINOR_AGE and accommodation[:1] == "T":
        problems["accommodation"] = "A care leaver under 18 cannot be accommodated in a foyer (T) (903 rule 347)."
    return problems
