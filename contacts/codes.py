"""DfE SSDA903 OC3 code lists for the in-touch check (X1)."""

IN_TOUCH = {
    "YES": "In touch",
    "NO": "Not in touch",
    "DIED": "Died",
    "REFU": "Refuses contact",
    "NREQ": "No longer requires services",
    "RHOM": "Returned home to parents or others with parental responsibility",
}

ACTIVITY = {
    "F1": "Full-time in higher education",
    "P1": "Part-time in higher education",
    "F2": "Full-time in education other than higher education",
    "P2": "Part-time in education other than higher education",
    # DfE SSDA903: 4 is an apprenticeship, 5 training or employment that is not an apprenticeship.
    "F4": "Full-time in an apprenticeship",
    "P4": "Part-time in an apprenticeship",
    "F5": "Full-time in training or employment (not apprenticeship)",
    "P5": "Part-time in training or employment (not apprenticeship)",
    "G4": "Not in education, training or employment: illness or disability",
    "G5": "Not in education, training or employment: other reasons",
    "G6": "Not in education, training or employment: pregnancy or parenting",
    "0": "Not known / not applicable",
}

ACCOMMODATION_TYPES = {
    "B": "With parents or relatives",
    "C": "Community home or other form of residential care",
    "D": "Semi-independent, transitional accommodation and self-contained accommodation",
    "E": "Supported lodgings",
    "G": "Gone abroad",
    "H": "Deported",
    "K": "Ordinary lodgings, without formal support",
    "R": "Residence not known",
    "S": "No fixed abode or homeless",
    "T": "Foyers and similar supported accommodation",
    "U": "Independent living",
    "V": "Emergency accommodation",
    "W": "Bed and breakfast",
    "X": "In custody",
    "Y": "Other accommodation",
    "Z": "With former foster carers",
}

#: Always unsuitable for the DfE: no S1 (homeless) or X1 (custody) (903 validation rule 133).
ALWAYS_UNSUITABLE = ("S", "X")

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
