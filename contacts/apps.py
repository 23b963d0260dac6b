from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self) -> None:
        from core.registry import NavEntry, register_nav, register_timeline
        from core.timeline import register_history

        from .timeline import CONTACT_HISTORY, CONTACTS, ESCALATIONS

        register_timeline(CONTACTS)
        register_timeline(ESCALATIONS)
        register_history(CONTACT_HISTORY)
        register_nav(NavEntry("Oversight items", "contacts:oversight_items", "contacts.nav_oversight_items", order=45))
