from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance and policy packs"

    def ready(self) -> None:
        from .packs import ensure_packs_after_migrate

        # Packs are reference data: present after migrate and after a test flush alike.
        post_migrate.connect(ensure_packs_after_migrate, sender=self)
