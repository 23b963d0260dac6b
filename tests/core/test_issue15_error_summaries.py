"""issue 15, item 3: crispy no longer shows non-field errors, so every template that posts a form shows the error
summary (`includes/error_summary.html`, `pathway/_error_summary.html`, or its own `id="error-summary"` box), or
says in a `{# no error summary: why #}` comment why it needs none (a single button; a form whose view answers on
a page with the summary)."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
POSTS = re.compile(r"<form\b[^>]*\bmethod=[\"']post[\"']", re.I)
SUMMARY = re.compile(r"error_summary\.html|id=\"error-summary\"")
EXEMPT = re.compile(r"\{#\s*no error summary:\s*\S[^#]*#\}")


def missing_summary(text: str) -> str | None:
    """Why this template breaks the rule, or None."""
    if not POSTS.search(text) or SUMMARY.search(text):
        return None
    if not EXEMPT.search(text):
        return "posts a form without the error summary (or a {# no error summary: why #} comment)"
    return None


def test_every_template_that_posts_a_form_shows_the_error_summary():
    broken = {str(p.relative_to(TEMPLATES)): why for p in sorted(TEMPLATES.rglob("*.html"))
              if (why := missing_summary(p.read_text()))}
    assert broken == {}


def test_the_check_fails_for_a_form_without_a_summary():
    assert missing_summary('<form method="post">{% csrf_token %}{{ form|crispy }}</form>')
    assert missing_summary('<form class="x" method="POST"><input name="date"></form>')
    assert missing_summary('{% include "includes/error_summary.html" %}<form method="post"></form>') is None
    assert missing_summary('{# no error summary: a single button #}<form method="post"><button>Go</button></form>') is None
    assert missing_summary('<form method="get"><input name="q"></form>') is None
