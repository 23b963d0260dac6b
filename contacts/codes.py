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
    "F4": "Full-time in training or employment",
    "P4": "Part-time in training or employment",
    "F5": "Full-time in apprenticeship",
    "P5": "Part-time in apprenticeship",
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

#: ACCOM: letter + 1 (suitable) or 2 (unsuitable), or 0 when there is nothing to record.
ACCOMMODATION = {
    **{f"{letter}{n}": f"{label} ({'suitable' if n == 1 else 'unsuitable'})"
       for letter, label in ACCOMMODATION_TYPES.items() for n in (1, 2)},
    "0": "Not known / not applicable",
}


def choices(codes: dict[str, str]) -> list[tuple[str, str]]:
    return [(code, f"{code}: {label}") for code, label in codes.items()]
