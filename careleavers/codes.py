"""DfE SSDA903 care leaver code lists held low, so the case record (careleavers), the engine's pack
data (compliance) and the returns all read one list. contacts.codes re-exports them for the in-touch
check (X1)."""

from django.db import models

#: ACTIV (X1): what the young person is doing.
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

#: ACCOM (X1): the type of accommodation, a letter; the return adds 1 (suitable) or 2 (unsuitable).
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

#: Staying put (living on with former foster carers after 18) is the 903's Z.
STAYING_PUT = "Z"


class ContactPreference(models.TextChoices):
    """Issue 11, item 2: how the young person would like to be contacted."""

    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    MESSAGING_APP = "messaging_app", "WhatsApp or another messaging app"
    EMAIL = "email", "E-mail"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"
