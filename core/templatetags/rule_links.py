"""Issue 15, item 3: rule IDs stay out of everyday text; where a page wants to say which rule is at work it shows a
small "why?" link to that rule explained (`{% why "S2" %}`, `{% why "R4, R5" %}`, `{% why next_step.rule %}`).
The ID itself is only in the link's address and `title`, never in the words on the page."""

import re

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()

#: One rule ID: V1, T3, E2, S5 … (the letters of docs/rules.md).
RULE_ID = re.compile(r"\b[VTRSEPCDOXA]\d{1,2}\b")


def rule_ids(text: object) -> list[str]:
    return list(dict.fromkeys(RULE_ID.findall(str(text or ""))))


@register.simple_tag
def why(rules: object) -> str:
    """A "why?" link to the rules named in `rules` ("R4", "R4, R5", "E1/E2"); nothing when it names none."""
    ids = rule_ids(rules)
    if not ids:
        return ""
    return format_html('<a class="why small" href="{}" title="{}">why?</a>',
                       reverse("rule", args=[",".join(ids)]), f"The rule{'s' if len(ids) > 1 else ''} explained")
