from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and benchmark tools (seed_demo, generate_caseload, bench_compliance).

    Installed only by the local and test settings: under config.settings.production these commands
    do not exist, so nothing synthetic can be written into a live database."""

    name = "demo"
    verbose_name = "Demo and benchmark tools"
