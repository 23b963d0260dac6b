"""DfE SSDA903 OC3 code lists for the in-touch check (X1)."""

from careleavers import codes as _codes

IN_TOUCH = {
    "YES": "In touch",
    "NO": "Not in touch",
    "DIED": "Died",
    "REFU": "Refuses contact",
    "NREQ": "No longer requires services",
    "RHOM": "Returned home to parents or others with parental responsibility",
}

# ACTIVITY, ACCOMMODATION_TYPES and ALWAYS_UNSUITABLE are held in careleavers.codes (issue 11, items 3 and 4:
# the case record's accommodation and activity histories use the same lists).
ACTIVITY = _codes.ACTIVITY
ACCOMMODATION_TYPES = _codes.ACCOMMODATION_TYPES
ALWAYS_UNSUITABLE = _codes.ALWAYS_UNSUITABLE

#: ACCOM: letter + 1 (suitable) or 2 (unsuitable), or 0 when there is nothing to record.
ACCOMMODATION = {
    **{f"{letter}{n}": f"{label} ({'suitable' if n == 1 else 'unsuitable'})"
       for letter, label in ACCOMMODATION_TYPES.items() for n in (1, 2)
       if not (n == 1 and letter in ALWAYS_UNSUITABLE)},
    "0": "Not known / not applicable",
}


#: DfE ethnicity codes (SSDA903 ETHNIC, Ofsted Annex A).
ETHNICITY = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background",
    "WROM": "Gypsy or Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}


def choices(codes: dict[str, str]) -> list[tuple[str, str]]:
    return [(code, f"{code}: {label}") for code, label in codes.items()]
