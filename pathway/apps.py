from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "pathway"
    verbose_name = "Pathway plans"

    def ready(self) -> None:
        from careleavers.panels import register_panel

        from .panels import PLAN_PANEL

        register_panel(PLAN_PANEL)
