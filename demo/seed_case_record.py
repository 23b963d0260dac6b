"""Demo data for issue 11 (items 2-4, 7): addresses, accommodation and EET histories, key professionals,
contact details and a few flags, consistent with what seed_demo already recorded (the current address,
YoungPerson.accommodation, .vulnerable and .circumstance are left as they are: the histories end where the
record stands). Written directly, not through the services, so no move raises a second event.

seed_demo calls `seed(today=..., staff_by_role_and_team=..., young_people=[...])` (FEATURE_SEEDS) after the young
people exist; the histories start at allocation, so referrals still waiting for a PA (no `allocated_on`) are skipped.
"""

import datetime as dt
import random

from careleavers.models import (
    Accommodation,
    AccommodationPeriod,
    ActivityPeriod,
    AddressPeriod,
    Circumstance,
    Flag,
    FlagKind,
    KeyProfessional,
    YoungPerson,
)

#: The 903 type that matches the record's coarse accommodation (careleavers.models.ACCOMMODATION_KIND reversed).
_TYPE_FOR = {
    Accommodation.OWN_TENANCY: "U", Accommodation.SUPPORTED: "D", Accommodation.STAYING_PUT: "Z",
    Accommodation.FAMILY: "B", Accommodation.SPECIALIST_HOME: "C", Accommodation.BED_AND_BREAKFAST: "W",
    Accommodation.HOSTEL: "T", Accommodation.CUSTODY: "X", Accommodation.STUDENT: "Y", Accommodation.OTHER: "Y",
}
_ACTIVITY_FOR = {Circumstance.HIGHER_EDUCATION: "F1", Circumstance.CUSTODY: "G5"}
_PROVIDERS = ["City College", "Northgate Training", "Corner Bakery", "Leeds Warehouse", "Apprenticeships Hub"]
_GPS = [("Dr A. Patel", "Park Surgery"), ("Dr R. Owen", "Riverside Medical Centre"), ("Dr S. Khan", "The Health Hub")]


def seed(*, today: dt.date, young_people: list[YoungPerson], staff_by_role_and_team: object = None,
         rng: random.Random | None = None) -> dict[str, int]:
    rng = rng or random.Random(11)  # seeded: the same day gives the same demo
    counts = {"addresses": 0, "accommodation periods": 0, "activity periods": 0, "key professionals": 0, "flags": 0}
    for i, yp in enumerate(young_people):
        if yp.allocated_on is None:  # an unallocated referral: no history to fill yet
            continue
        moved = max(yp.allocated_on + dt.timedelta(days=rng.randint(30, 200)), today - dt.timedelta(days=500))
        moved = min(moved, today - dt.timedelta(days=7))
        if moved > yp.allocated_on:
            AddressPeriod.objects.create(young_person=yp, address=f"{rng.randint(1, 90)} Mill Lane", start=yp.allocated_on,
                                         end=moved)
            AccommodationPeriod.objects.create(young_person=yp, code=rng.choice("DEZ"), start=yp.allocated_on, end=moved,
                                               council_provided=True, suitable=True, provider="Leaving care housing")
            counts["addresses"] += 1
            counts["accommodation periods"] += 1
        start = moved if moved > yp.allocated_on else yp.allocated_on
        if yp.address:
            AddressPeriod.objects.create(young_person=yp, address=yp.address, start=start)
            counts["addresses"] += 1
        code = _TYPE_FOR.get(yp.accommodation, "Y") if yp.accommodation else "R"
        suitable = code not in ("S", "X") and rng.random() > 0.15
        AccommodationPeriod.objects.create(
            young_person=yp, code=code, start=start, address=yp.address, staying_put=code == "Z",
            council_provided=code in ("D", "W", "T"), suitable=suitable,
            unsuitable_reason="" if suitable else rng.choice(["Too far from college.", "Overcrowded.",
                                                              "Not safe: exploitation risk nearby."]),
            provider=rng.choice(["", "Leeds Homes", "Foyer Trust", "Station Hotel"]))
        counts["accommodation periods"] += 1
        activity = _ACTIVITY_FOR.get(yp.circumstance) or rng.choice(["F2", "F2", "F5", "P5", "F4", "G5", "G6"])
        ActivityPeriod.objects.create(young_person=yp, code=activity, start=start,
                                      provider="" if activity.startswith("G") else rng.choice(_PROVIDERS))
        counts["activity periods"] += 1
        yp.phone = f"07700 900{100 + i:03d}"
        yp.preferred_contact = rng.choice(["phone", "text", "messaging_app", "email"])
        yp.first_language = "English" if not yp.uasc else rng.choice(["Tigrinya", "Arabic", "Pashto", "Kurdish"])
        yp.interpreter_needed = yp.uasc and rng.random() < 0.5
        yp.save()
        gp, practice = rng.choice(_GPS)
        KeyProfessional.objects.create(young_person=yp, role="gp", name=gp, organisation=practice, phone="0113 496 0000")
        counts["key professionals"] += 1
        if rng.random() < 0.4:
            KeyProfessional.objects.create(young_person=yp, role="lead_social_worker", name=f"Social worker {i + 1}",
                                           organisation="Children's social care", email="socialcare@example.gov.uk")
            counts["key professionals"] += 1
        if yp.vulnerable:  # YoungPerson.vulnerable is derived from these flags
            Flag.objects.create(young_person=yp, kind=FlagKind.VULNERABLE, set_on=start, set_by=yp.pa,
                                reason="Vulnerable: agreed at the last supervision.")
            counts["flags"] += 1
        if i % 9 == 0:
            Flag.objects.create(young_person=yp, kind=FlagKind.HAZARD, set_on=start, set_by=yp.pa,
                                reason="Lone-working warning: visit in pairs.")
            counts["flags"] += 1
    return counts
