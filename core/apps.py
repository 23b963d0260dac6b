from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared layer: errors, dates, roles, permissions, the audit log and UI registries.

    It imports no other app of the project; every other app may import it."""

    name = "core"
    verbose_name = "Shared"

    def ready(self) -> None:
        from . import orm, signals  # noqa: F401 (signals: the audit hook on admin changes, connected on import)

        orm.install()  # issue 16: columns' identity without inspect
