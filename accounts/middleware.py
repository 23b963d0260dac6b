"""Middleware for signed-in sessions: the idle and absolute limits, the second factor, and no caching.

They look for the session's auth key rather than loading request.user, so pages keep their query counts."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, logout
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from .backends import BACKEND, LEGACY_BACKEND
from .devices import has_confirmed_device
from .sessions import session_expired

TIMED_OUT = {
    "idle": "You were signed out after {minutes} minutes without activity. Sign in again to carry on.",
    "absolute": "Your session reached its time limit. Sign in again to carry on.",
}


def _signed_in(request) -> bool:
    return hasattr(request, "session") and SESSION_KEY in request.session


def _redirect(request, url: str):
    if request.headers.get("HX-Request") == "true":  # before or after django-htmx's middleware
        return HttpResponseClientRedirect(url)
    return redirect(url)


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, but a session that names Django's ModelBackend (signed in before accounts.backends replaced it in
    AUTHENTICATION_BACKENDS) is read with its replacement, which loads the same user, rather than signed out.
    The path is rewritten in the session (one write, on that session's first request), so only sessions already
    signed in by ModelBackend are carried over: it is no longer a backend anyone can sign in with."""

    def process_request(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(BACKEND_SESSION_KEY) == LEGACY_BACKEND:
            session[BACKEND_SESSION_KEY] = BACKEND
        super().process_request(request)


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in(request):
            reason = session_expired(request.session)
            if reason is not None:
                logout(request)
                messages.info(request, TIMED_OUT[reason].format(minutes=settings.SESSION_IDLE_TIMEOUT // 60))
                return _redirect(request, redirect_to_login(request.get_full_path()).url)
        return self.get_response(request)


def second_factor_exempt(view):
    """Views a signed-in but not yet verified user may open: the second-factor steps and sign-out."""
    view.second_factor_exempt = True
    return view


class SecondFactorRequiredMiddleware:
    """Under OTP_REQUIRED, a signed-in user who has not passed the second factor this session is sent to
    verification (or to enrolment, when they have no authenticator yet) before any other page, the admin too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.OTP_REQUIRED or not _signed_in(request):
            return None
        if getattr(view_func, "second_factor_exempt", False):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        step = "accounts:verify" if has_confirmed_device(user) else "accounts:enrol"
        return _redirect(request, f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user: records must not stay in a
    browser's or a proxy's cache after sign-out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _signed_in(request) or getattr(getattr(request, "user", None), "is_authenticated", False):
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response
