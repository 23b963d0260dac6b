from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "pathway"
    verbose_name = "Pathway plans"

    def ready(self) -> None:
        from core.registry import NavEntry, register_nav, register_panel, register_reader, register_timeline

        from .panels import PLAN_PANEL
        from .selectors import plans_of, plans_read
        from .timeline import PLANS

        # Issue 16: the panel and the timeline share one read of the plans on the young person's page, sent with the
        # page's other reads.
        register_reader("plans", lambda *, young_person, today: plans_of(young_person),
                        compiled=lambda *, young_person, today: plans_read(young_person))
        register_panel(PLAN_PANEL)
        register_timeline(PLANS)
        register_nav(NavEntry("Plans to sign off", "pathway:queue", "pathway.nav_queue", order=20))
