from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Arrangements and approvals"

    def ready(self) -> None:
        from careleavers.panels import register_panel

        from .panels import ARRANGEMENT_PANEL

        register_panel(ARRANGEMENT_PANEL)
