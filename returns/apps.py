from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Statutory returns"

    def ready(self) -> None:
        from core.registry import NavEntry, Panel, register_nav, register_panel

        from .panels import returns_panel

        register_panel(Panel(key="returns", template="returns/panel.html", context=returns_panel, order=60))
        register_nav(NavEntry("Returns", "returns:index", "returns.export", order=50))
