"""Session bookkeeping on sign-in (not business logic): the idle and absolute limits count from here.

A receiver rather than the login view, so every way of signing in starts the clocks: the login form,
the admin, `Client.force_login` in tests."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .sessions import start_session_clocks


@receiver(user_logged_in, dispatch_uid="accounts.session_clocks")
def _start_clocks(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        start_session_clocks(request.session)
