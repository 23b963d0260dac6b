"""Issue 12, item 2 (O1): on every dashboard, when it was last reviewed and by whom, and the form to record a
review (`{% dashboard_review "team" team %}`). One query."""

from functools import lru_cache

import rules
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.utils.safestring import SafeString

from core.idempotency import new_token
from oversight.models import Dashboard
from oversight.reviews import DashboardReviewForm, latest_review

#: Stands for the form's one-time token in the cached markup (a token is never this: token_urlsafe gives no spaces).
ONCE_MARK = "once mark here"

register = template.Library()


@register.inclusion_tag("oversight/_dashboard_review.html", takes_context=True)
def dashboard_review(context, dashboard: str, team=None):
    request = context["request"]
    team = team if dashboard == Dashboard.TEAM else None
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "review": latest_review(dashboard=dashboard, team=team),
        "can_review": rules.has_perm("oversight.record_dashboard_review", request.user, team),
        "form_html": SafeString(_form_html(dashboard, team.pk if team else None).replace(  # nosec B703  (crispy's)
            ONCE_MARK, new_token())),
        "next": request.get_full_path(),
        "dashboard": dashboard,
    }


@lru_cache(maxsize=1024)
def _form_html(dashboard: str, team_pk: int | None) -> str:
    """The empty review form as crispy writes it, once per dashboard (and team) a process shows: the same markup on
    every visit but for its one-time token, put in afresh each time. Crispy's templates cost more than the rest of
    the panel (issue 16)."""
    form = DashboardReviewForm(initial={"dashboard": dashboard, "team": team_pk, "once_token": ONCE_MARK,
                                        "period": "monthly" if dashboard == Dashboard.HEAD else "weekly"},
                               auto_id=f"review-{dashboard}-%s")
    return str(as_crispy_form(form))
