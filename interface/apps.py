from django.apps import AppConfig


class InterfaceConfig(AppConfig):
    """The data interface of docs/interface.md: import_cases, compliance_report and the bundle schema."""

    name = "interface"
    verbose_name = "Data interface"
