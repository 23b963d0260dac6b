from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Arrangements and approvals"

    def ready(self) -> None:
        from core.registry import NavEntry, register_nav, register_panel, register_reader, register_timeline

        from .panels import ARRANGEMENT_PANEL, INTERVAL_PANEL
        from .selectors import arrangements_of, arrangements_read
        from .timeline import ARRANGEMENTS

        # Issue 16: the panel, the timeline and the reasons for the due dates share one read of the arrangements,
        # sent with the page's other reads.
        register_reader("arrangements", lambda *, young_person, today: arrangements_of(young_person),
                        compiled=lambda *, young_person, today: arrangements_read(young_person))

        register_panel(ARRANGEMENT_PANEL)
        register_panel(INTERVAL_PANEL)
        register_timeline(ARRANGEMENTS)
        register_nav(NavEntry("Approvals", "approvals:queue", "approvals.nav_queue", order=30))
