from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: password then a second factor (django-otp: TOTP and backup codes), password change
    and reset, session limits, and unlocking a sign-in that django-axes locked. A top-layer app."""

    name = "accounts"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        from core.registry import NavEntry, register_nav

        from . import signals  # noqa: F401  (session timestamps on every sign-in)

        register_nav(NavEntry("Locked sign-ins", "accounts:unlocks", "accounts.view_unlocks", order=190))
        register_nav(NavEntry("Your account", "accounts:account", None, order=200))
