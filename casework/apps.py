from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    """The top layer's pages: the caseload and the young person's record, composed from the
    registries (core.registry) that the apps below fill. Its tables are the careleavers app's."""

    name = "casework"
    verbose_name = "Casework pages"

    def ready(self) -> None:
        from careleavers.selectors import active_flags_read
        from core.batch import read_objects
        from core.registry import (
            NavEntry,
            Panel,
            register_decision_context,
            register_nav,
            register_panel,
            register_reader,
            register_timeline,
        )
        from core.timeline import register_history

        from .case_record_history import SOURCES as CASE_RECORD_HISTORY
        from .case_record_panel import case_record_panel
        from .decision_context import decision_context_for
        from .documents import documents_panel
        from .notes import NOTES_PANEL, NOTES_TIMELINE
        from .panels import ALLOCATION_HISTORY, CLOSURE_HISTORY, COVER_HISTORY, case_panel
        from .young_person_reads import casework_rows

        register_decision_context(decision_context_for)  # issue 15, item 5

        register_nav(NavEntry("Caseload", "caseload", "careleavers.nav_caseload", order=10))
        register_nav(NavEntry("My absences", "absences", "careleavers.plan_absence", order=80))
        register_nav(NavEntry("Cards", "cards", "careleavers.send_cards", order=85))  # T9: the duty admin's list
        # issue 15, item 6: the unread count beside Notifications, fetched by htmx (no query on every page).
        register_nav(NavEntry("Notifications", "notifications", None, order=90, badge_url_name="notifications_unread"))
        # Issue 14, items 7 and 9: the Service Leader's audit log and retention review.
        register_nav(NavEntry("Audit log", "audit_log", "core.view_audit_log", order=92))
        register_nav(NavEntry("Retention", "retention_review", "careleavers.review_retention", order=94))
        # Issue 11 (items 1, 6, 8): registration, the unallocated queue, team absences; the case panel.
        register_nav(NavEntry("Unallocated", "unallocated", "careleavers.view_unallocated", order=15))
        register_nav(NavEntry("Register", "register_young_person", "careleavers.register_young_person", order=16))
        register_nav(NavEntry("Team absences", "team_absences", "careleavers.plan_team_absences", order=81))
        register_panel(Panel("case", "casework/panels/case.html", case_panel, order=5))
        # Issue 16: the case, case record and documents panels' and the allocation history's rows, in one query.
        register_reader("casework_rows", casework_rows)
        # Issue 16: the flags banner's flags, sent with the page's other reads.
        register_reader("flags", lambda *, young_person, today: read_objects(active_flags_read(young_person)),
                        compiled=lambda *, young_person, today: active_flags_read(young_person))
        for source in (CLOSURE_HISTORY, ALLOCATION_HISTORY, COVER_HISTORY):
            register_history(source)
        # Issue 12 (items 1-3): case notes (panel and timeline source), supervision sessions.
        register_panel(NOTES_PANEL)
        register_timeline(NOTES_TIMELINE)
        register_nav(NavEntry("Supervision", "supervisions", "careleavers.view_supervisions", order=75))
        # Issue 12 (items 4, 7): the documents panel; search (break-glass on duty) and the Team Leader's duty rota.
        register_panel(Panel("documents", "casework/documents/panel.html", documents_panel, order=70))
        register_nav(NavEntry("Search", "search", "careleavers.search_young_people", order=15))
        register_nav(NavEntry("Duty rota", "duty_rota", "careleavers.view_duty_rota", order=86))
        # Issue 11 (items 2-4): contact details, current accommodation and activity, key professionals.
        register_panel(Panel("case_record", "casework/case_record/panel.html", case_record_panel, order=5))
        for source in CASE_RECORD_HISTORY:
            register_history(source)
