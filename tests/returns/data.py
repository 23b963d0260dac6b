"""Realistic returns data for the collection year 2025-26 (1 Apr 2025 to 31 Mar 2026)."""

import datetime as dt

from careleavers.models import LegalStatus
from contacts.models import InTouchCheck
from tests.factories import ContactFactory, SignedOffPlanFactory, YoungPersonFactory

D = dt.date
YEAR = 2025


def check(yp, day, in_touch="YES", activity="F2", accommodation="U1"):
    return InTouchCheck.objects.create(young_person=yp, date=day, in_touch=in_touch, activity=activity,
                                       accommodation=accommodation)


def person(ref, dob, *, pa, sex="F", ethnicity="WBRI", upn="", **kwargs):
    return YoungPersonFactory(ref=ref, date_of_birth=dob, pa=pa, sex=sex, ethnicity=ethnicity, upn=upn,
                              allocated_on=kwargs.pop("allocated_on", D(2023, 1, 1)), **kwargs)


def realistic_caseload(pa, other_pa):
    """Young people of every kind the return meets; returns them by ref."""
    p = {}
    # 17th-21st birthdays in the year: always in oc3.csv.
    p["YP-A"] = person("YP-A", D(2007, 6, 15), pa=pa, upn="A123456789012", uasc=True)  # 18, in touch
    check(p["YP-A"], D(2025, 6, 20), "YES", "F2", "E1")
    check(p["YP-A"], D(2025, 4, 1), "YES", "G5", "V2")                                # further from the birthday
    p["YP-B"] = person("YP-B", D(2008, 9, 3), pa=pa, sex="M", ethnicity="BAFR", upn="UN2")  # 17, no check
    p["YP-C"] = person("YP-C", D(2006, 11, 30), pa=pa, sex="M", ethnicity="AIND",      # 19, died
                       closed_on=D(2025, 12, 2), closure_reason="Died")
    check(p["YP-C"], D(2025, 12, 1), "DIED", "0", "0")
    p["YP-D"] = person("YP-D", D(2005, 1, 31), pa=other_pa, ethnicity="MWBC", upn="UN4", extended_support=True)  # 21
    check(p["YP-D"], D(2025, 11, 2), "REFU", "0", "0")                                  # refused
    p["YP-E"] = person("YP-E", D(2005, 4, 1), pa=other_pa, sex="M", ethnicity="OOTH")  # 20 on 1 Apr 2025
    check(p["YP-E"], D(2025, 2, 10), "NREQ", "0", "0")
    p["YP-F"] = person("YP-F", D(2007, 3, 31), pa=pa, sex="M", ethnicity="WIRT")       # 19 on 31 Mar 2026
    check(p["YP-F"], D(2026, 3, 20), "RHOM", "0", "0")
    p["YP-G"] = person("YP-G", D(2008, 2, 29), pa=pa, ethnicity="CHNE", disability=True,
                       legal_status=LegalStatus.RELEVANT)                              # 17 on 1 Mar 2026
    check(p["YP-G"], D(2026, 1, 5), "YES", "F4", "B1")
    p["YP-H"] = person("YP-H", D(2007, 8, 10), pa=pa, sex="M", ethnicity="WOTH")       # 18, check outside window only
    check(p["YP-H"], D(2025, 2, 1), "YES", "F5", "D1")
    p["YP-I"] = person("YP-I", D(2006, 5, 20), pa=pa, ethnicity="REFU", legal_status=LegalStatus.QUALIFYING)  # 19
    check(p["YP-I"], D(2025, 5, 19), "NO", "0", "0")
    p["YP-J"] = person("YP-J", D(2007, 10, 1), pa=other_pa, sex="M", ethnicity="BCRB")  # 18, in touch, NEET, unsuitable
    check(p["YP-J"], D(2025, 10, 1), "YES", "G6", "W2")
    p["YP-K"] = person("YP-K", D(2006, 12, 25), pa=other_pa, ethnicity="APKN")         # 19, custody
    check(p["YP-K"], D(2026, 1, 2), "YES", "G5", "X2")
    # 22nd-25th birthdays: only those in touch.
    p["YP-L"] = person("YP-L", D(2003, 7, 7), pa=pa, sex="M", ethnicity="WBRI", extended_support=True)  # 22, in touch
    check(p["YP-L"], D(2025, 7, 1), "YES", "F1", "U1")
    p["YP-M"] = person("YP-M", D(2002, 9, 9), pa=pa, ethnicity="MOTH", extended_support=True)  # 23, not in touch
    check(p["YP-M"], D(2025, 9, 9), "NO", "0", "0")
    p["YP-N"] = person("YP-N", D(2001, 3, 1), pa=other_pa, sex="M", ethnicity="BOTH", extended_support=True)  # 25, in touch
    check(p["YP-N"], D(2026, 3, 1), "YES", "P5", "Z1")
    p["YP-O"] = person("YP-O", D(2001, 10, 10), pa=other_pa, sex="M", ethnicity="NOBT", extended_support=True)  # 24
    # Outside the cohort: 16 this year, 26 this year.
    p["YP-P"] = person("YP-P", D(2009, 5, 5), pa=pa, sex="M", ethnicity="WROM")
    p["YP-Q"] = person("YP-Q", D(2000, 1, 1), pa=pa, ethnicity="WBRI", extended_support=True)
    for yp in p.values():
        if not yp.closed_on:
            ContactFactory(young_person=yp, date=D(2026, 2, 2))
        SignedOffPlanFactory(young_person=yp, review_date=D(2025, 12, 1))
    return p
