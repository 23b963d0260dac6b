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
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware
from django_otp.models import Device

from .backends import BACKEND, LEGACY_BACKEND, SESSION_DEVICE
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


class OTPMiddleware(DjangoOTPMiddleware):
    """django-otp's, but the device the session names is checked in the query that reads the user (issue 16: one
    query fewer on every signed-in request): accounts.backends.StaffModelBackend answers whether it still belongs to
    the user and is confirmed, as django-otp's own check does, so a device deleted or no longer confirmed stops
    counting on the next request. `user.otp_device` is the device, read only if something asks for more than whether
    there is one (`is_verified`). A user read some other way (not by that backend) takes django-otp's own way."""

    def _verify_user_sync(self, request, user):
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if SESSION_KEY in request.session else None
        if not persistent_id:
            return super()._verify_user_sync(request, user)
        device = self._device_query(persistent_id)
        if device is None:  # names no device model (django-otp's own lookup fails on it): not verified
            self._init_user_fields(user)
            del request.session[DEVICE_ID_SESSION_KEY]
            return user
        token = SESSION_DEVICE.set(device)
        try:
            authenticated = user.is_authenticated  # reads the user (django.contrib.auth.get_user)
        finally:
            SESSION_DEVICE.reset(token)
        confirmed = getattr(user, "otp_device_confirmed", None) if authenticated else None
        if confirmed is None:
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        if confirmed:
            user.otp_device = SimpleLazyObject(device.get)
        else:
            del request.session[DEVICE_ID_SESSION_KEY]  # as django-otp does for a device that no longer verifies
        return user

    def _device_query(self, persistent_id: str):
        try:
            return Device._filter_persistent_id(self._normalize_persistent_id(persistent_id))  # noqa: SLF001
        except (ValueError, LookupError):  # what Device.from_persistent_id forgives (a malformed or unknown id)
            return None


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
