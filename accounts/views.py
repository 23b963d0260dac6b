"""Sign-in pages: password (Django's view, our form), the second factor, enrolment, backup codes,
password change and reset (Django's views, our templates), and unlocking a locked sign-in."""

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from careleavers.models import Staff
from core.decorators import require_perm

from . import devices
from .forms import CodeForm, EnrolForm, SignInForm
from .middleware import second_factor_exempt
from .selectors import locked_sign_ins_for
from .services import sign_in_unlock


def _next_url(request, default: str | None = None) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class SignInView(auth_views.LoginView):
    """Step one: username and password (django-axes counts failures per username and address).
    Under OTP_REQUIRED, step two follows: the code, or enrolment for someone without an authenticator."""

    form_class = SignInForm
    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "second_factor_waived": not settings.OTP_REQUIRED}

    def get_success_url(self):
        next_url = super().get_success_url()
        if not settings.OTP_REQUIRED:
            return next_url
        step = "accounts:verify" if devices.has_confirmed_device(self.request.user) else "accounts:enrol"
        return _with_next(step, next_url)


sign_in = second_factor_exempt(SignInView.as_view())
sign_out = second_factor_exempt(auth_views.LogoutView.as_view())


@second_factor_exempt
@login_required
def verify(request):
    """Step two: a code from the authenticator app or a backup code (each device throttles wrong codes)."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not devices.has_confirmed_device(user):
        return redirect(_with_next("accounts:enrol", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(user, form.cleaned_data["code"])
        if device is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            return redirect(next_url)
        form.add_error("code", "That code did not work. Codes change every 30 seconds; a backup code works once.")
    return render(request, "accounts/verify.html", {"form": form, "next": next_url, "error_forms": [form]})


@second_factor_exempt
@login_required
def enrol(request):
    """Set up the authenticator app: a QR code (SVG, made here) and the key to type in, then a code to
    confirm. Someone who already has one must pass the second factor before replacing it."""
    user = request.user
    next_url = _next_url(request)
    if devices.has_confirmed_device(user) and not user.is_verified():
        return redirect(_with_next("accounts:verify", next_url))
    device = devices.pending_authenticator(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = devices.authenticator_confirm(user=user, device=device, token=form.cleaned_data["code"])
        if codes is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            messages.success(request, "Your authenticator app is set up. Keep these backup codes somewhere safe.")
            return render(request, "accounts/backup_codes.html", {"codes": codes, "new": True, "next": next_url})
        form.add_error("code", "That code did not match. Check the app's clock and type the code it shows now.")
    return render(request, "accounts/enrol.html", {
        "form": form,
        "next": next_url,
        "qr_code": devices.qr_code_data_uri(device),
        "secret": devices.secret_text(device),
        "issuer": settings.OTP_TOTP_ISSUER,
        "error_forms": [form],
    })


@login_required
def backup_codes(request):
    """The backup codes left; POST issues a new set (the old ones stop working)."""
    if request.method == "POST":
        codes = devices.backup_codes_issue(user=request.user)
        messages.success(request, "New backup codes issued. The old ones no longer work.")
        return render(request, "accounts/backup_codes.html", {"codes": codes, "new": True})
    return render(request, "accounts/backup_codes.html", {"codes": devices.backup_codes_left(request.user), "new": False})


@login_required
def account(request):
    return render(request, "accounts/account.html", {
        "has_authenticator": devices.has_confirmed_device(request.user),
        "backup_codes_left": len(devices.backup_codes_left(request.user)),
        "second_factor_waived": not settings.OTP_REQUIRED,
    })


password_change = auth_views.PasswordChangeView.as_view(
    template_name="registration/password_change_form.html", success_url=reverse_lazy("accounts:password_change_done"))
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html")
password_reset = second_factor_exempt(auth_views.PasswordResetView.as_view(
    template_name="registration/password_reset_form.html",
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
))
password_reset_done = second_factor_exempt(auth_views.PasswordResetDoneView.as_view(
    template_name="registration/password_reset_done.html"))
password_reset_confirm = second_factor_exempt(auth_views.PasswordResetConfirmView.as_view(
    template_name="registration/password_reset_confirm.html", success_url=reverse_lazy("accounts:password_reset_complete")))
password_reset_complete = second_factor_exempt(auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"))


@login_required
def unlocks(request):
    """Locked sign-ins the Team Leader (own team's staff) or administrator may unlock."""
    require_perm(request.user, "accounts.view_unlocks", message="Only Team Leaders and administrators unlock sign-ins.")
    return render(request, "accounts/unlocks.html", {
        "locked": locked_sign_ins_for(request.user), "failure_limit": settings.AXES_FAILURE_LIMIT})


@require_POST
@login_required
def unlock(request, pk: int):
    require_perm(request.user, "accounts.view_unlocks", message="Only Team Leaders and administrators unlock sign-ins.")
    staff = Staff.objects.select_related("user").filter(pk=pk).first()
    if staff is None:
        raise Http404("No such member of staff.")
    require_perm(request.user, "accounts.unlock_sign_in", staff, "You can unlock sign-ins only for the staff of your own team.")
    sign_in_unlock(actor_user=request.user, staff=staff)
    messages.success(request, f"{staff.name} can sign in again.")
    return redirect("accounts:unlocks")


def admin_login(request):
    """The admin signs in through the same two steps as every other page."""
    return redirect(_with_next("login", request.GET.get("next") or reverse("admin:index")))
