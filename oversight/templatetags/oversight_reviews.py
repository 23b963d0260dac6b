"""Issue 12, item 2 (O1): on every dashboard, when it was last reviewed and by whom, and the form to record a
review (`{% dashboard_review "team" team %}`). One query."""

import rules
from django import template

from oversight.models import Dashboard
from oversight.reviews import DashboardReviewForm, latest_review

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
        "form": DashboardReviewForm(initial={"dashboard": dashboard, "team": team.pk if team else None,
                                             "period": "monthly" if dashboard == Dashboard.HEAD else "weekly"},
                                    auto_id=f"review-{dashboard}-%s"),
        "next": request.get_full_path(),
        "dashboard": dashboard,
    }
