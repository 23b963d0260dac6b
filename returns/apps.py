from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Statutory returns"

    def ready(self) -> None:
        from core.batch import read_objects
        from core.registry import NavEntry, Panel, register_nav, register_panel, register_reader

        from .panels import returns_panel
        from .selectors import checks_read

        # Issue 16: the returns panel's in-touch checks, sent with the young person's page's other reads.
        register_reader("in_touch_checks", lambda *, young_person, today: read_objects(checks_read(young_person)),
                        compiled=lambda *, young_person, today: checks_read(young_person))
        register_panel(Panel(key="returns", template="returns/panel.html", context=returns_panel, order=60))
        register_nav(NavEntry("Returns", "returns:index", "returns.export", order=50))
