from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "pathway"
    verbose_name = "Pathway plans"

    def ready(self) -> None:
        from core.registry import NavEntry, register_nav, register_panel, register_timeline

        from .panels import PLAN_PANEL
        from .timeline import PLANS

        register_panel(PLAN_PANEL)
        register_timeline(PLANS)
        register_nav(NavEntry("Plans to sign off", "pathway:queue", "pathway.nav_queue", order=20))
