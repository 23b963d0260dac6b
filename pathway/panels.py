"""The pathway plan section of the young person's page: open version, history, actions.

Fixed queries: one for the versions (with who signed them off), whatever the history's length, and
whether the person may start the next version (core.rules).
"""

import rules
from django.conf import settings
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString

from core.registry import Panel
from core.templatetags.kept_dates import kept_date
from core.templatetags.pk_urls import pk_url_for

from .models import OPEN_PLAN_STATES, PlanState
from .selectors import plans_of


def plan_panel_context(*, request, young_person, today, reads=None):
    plans = reads["plans"] if reads is not None else plans_of(young_person)  # read once a page (PathwayConfig)
    open_plan = next((p for p in plans if p.state in OPEN_PLAN_STATES), None)
    last_signed = next((p for p in plans if p.state == PlanState.SIGNED_OFF), None)
    return {
        "yp": young_person,
        "plans": plans,
        "versions_html": versions_html(plans) if len(plans) > 1 else "",
        "open_plan": open_plan,
        "last_signed": last_signed,
        # P3: one open version at a time.
        "can_start": open_plan is None and rules.has_perm("pathway.start_plan", request.user, young_person),
    }


def versions_html(plans) -> SafeString:
    """The "All versions" list's items, as the panel's template loop wrote them (the same bytes, checked in
    tests/pathway), in one pass: a plan a review, and each item was a dozen template lookups and filters (issue 16)."""
    out = []
    for p in plans:
        number = localize(p.version) if settings.USE_THOUSAND_SEPARATOR else str(p.version)  # as {{ p.version }}
        version = f"v{number}" if p.imported else f'<a href="{pk_url_for("pathway:detail", p.pk)}">v{number}</a>'
        reviewed = f" · reviewed {escape(kept_date(p.review_date, 'j M Y'))}" if p.review_date else ""
        out.append(f"\n      <li>{version}\n        · {escape(p.get_kind_display())} · {escape(p.get_state_display())}"
                   f"{reviewed}{' (imported)' if p.imported else ''}</li>\n      ")
    return SafeString("".join(out))  # nosec B703  (the labels and date are escaped; the URL is reversed)


PLAN_PANEL = Panel(key="pathway", template="pathway/panel.html", context=plan_panel_context, order=20)
