from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Arrangements and approvals"

    def ready(self) -> None:
        from core.registry import NavEntry, register_nav, register_panel, register_timeline

        from .panels import ARRANGEMENT_PANEL, INTERVAL_PANEL
        from .timeline import ARRANGEMENTS

        register_panel(ARRANGEMENT_PANEL)
        register_panel(INTERVAL_PANEL)
        register_timeline(ARRANGEMENTS)
        register_nav(NavEntry("Approvals", "approvals:queue", "approvals.nav_queue", order=30))
