"""Words inside a sentence: "PA allocated" stays "PA allocated" where `|lower` made it "pa allocated"."""

from django import template

register = template.Library()


@register.filter
def midsentence(label: object) -> str:
    """A label as it reads inside a sentence: its first letter lower case, unless the first word is an acronym
    ("PA allocated", "UPN not recorded"); the rest as written."""
    text = str(label or "")
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[:2].isupper():
        return text
    return text[:1].lower() + text[1:]
