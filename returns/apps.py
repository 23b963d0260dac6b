from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Statutory returns"

    def ready(self) -> None:
        from careleavers.panels import Panel, register_panel

        from .panels import returns_panel

        register_panel(Panel(key="returns", template="returns/panel.html", context=returns_panel, order=60))
