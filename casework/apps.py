from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    """The top layer's pages: the caseload and the young person's record, composed from the
    registries (core.registry) that the apps below fill. Its tables are the careleavers app's."""

    name = "casework"
    verbose_name = "Casework pages"

    def ready(self) -> None:
        from core.registry import NavEntry, register_nav, register_panel, register_timeline

        from .notes import NOTES_PANEL, NOTES_TIMELINE

        register_nav(NavEntry("Caseload", "caseload", None, order=10))
        register_nav(NavEntry("My absences", "absences", "careleavers.plan_absence", order=80))
        register_nav(NavEntry("Cards", "cards", "careleavers.send_cards", order=85))  # T9: the duty admin's list
        register_nav(NavEntry("Notifications", "notifications", None, order=90))
        # Issue 14, items 7 and 9: the Service Leader's audit log and retention review.
        register_nav(NavEntry("Audit log", "audit_log", "core.view_audit_log", order=92))
        register_nav(NavEntry("Retention", "retention_review", "careleavers.review_retention", order=94))
        # Issue 12 (items 1-3): case notes (panel and timeline source), supervision sessions.
        register_panel(NOTES_PANEL)
        register_timeline(NOTES_TIMELINE)
        register_nav(NavEntry("Supervision", "supervisions", "careleavers.view_supervisions", order=75))
