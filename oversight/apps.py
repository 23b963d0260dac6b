from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Management oversight"

    def ready(self) -> None:
        from core.registry import NavEntry, Panel, register_nav, register_panel

        from .schedule import ensure_schedule_after_migrate
        from .views import overdue_panel_context

        # Beat's row for the nightly run is reference data: present after migrate and after a test flush.
        post_migrate.connect(ensure_schedule_after_migrate, sender=self)
        register_panel(Panel(key="overdue_updates", template="oversight/panel_overdue.html",
                             context=overdue_panel_context, order=20))
        register_nav(NavEntry("Dashboard", "oversight:dashboard", "careleavers.view_dashboards", order=40))
