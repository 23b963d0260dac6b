from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    """The top layer's pages: the caseload and the young person's record, composed from the
    registries (core.registry) that the apps below fill. Its tables are the careleavers app's."""

    name = "casework"
    verbose_name = "Casework pages"

    def ready(self) -> None:
        from core.registry import NavEntry, register_decision_context, register_nav

        from .decision_context import decision_context_for

        register_decision_context(decision_context_for)  # issue 15, item 5

        register_nav(NavEntry("Caseload", "caseload", "careleavers.nav_caseload", order=10))
        register_nav(NavEntry("My absences", "absences", "careleavers.plan_absence", order=80))
        register_nav(NavEntry("Cards", "cards", "careleavers.send_cards", order=85))  # T9: the duty admin's list
        # issue 15, item 6: the unread count beside Notifications, fetched by htmx (no query on every page).
        register_nav(NavEntry("Notifications", "notifications", None, order=90, badge_url_name="notifications_unread"))
        # Issue 14, items 7 and 9: the Service Leader's audit log and retention review.
        register_nav(NavEntry("Audit log", "audit_log", "core.view_audit_log", order=92))
        register_nav(NavEntry("Retention", "retention_review", "careleavers.review_retention", order=94))
