"""One-time tokens on the forms that create a record (a contact, an escalation step, an event, an
overdue update, an in-touch check, an absence).

The form carries a fresh token (`OnceFormMixin`, a hidden field issued when the form is drawn).
The view runs its create through `once()`: the token is claimed with a unique row
(`core.models.OnceToken`, one per user and token) in the same transaction as the service's write,
so a second submit of the same form (a double click, a resend after a slow response, a second tab)
finds the first's row and is sent to the first's result, with a message, instead of creating a
second record. On PostgreSQL a simultaneous second submit waits on the unique index until the first
commits, then finds its row. A refusal (ServiceError) rolls the claim back, so the corrected form can
be sent again with the same token. A form posted without a token (an old page) works as before.
"""

import datetime as dt
import secrets
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from .errors import ServiceError
from .forms import PlainErrorsMixin, add_service_error
from .models import OnceToken

FIELD = "once_token"
ALREADY_DONE = "That form was already sent and recorded; nothing was added the second time."
# A form can only be sent inside a signed-in session (SESSION_COOKIE_AGE, 8 hours by default), so a token a week
# old can never come back: the nightly run prunes older ones (they are form plumbing, not part of any record).
KEEP_TOKENS = dt.timedelta(days=7)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class OnceFormMixin(PlainErrorsMixin, forms.Form):
    """A hidden one-time token; after validation it is `form.once_token`, kept out of cleaned_data so
    views can still pass `**form.cleaned_data` to their service."""

    once_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64, initial=new_token)

    def clean(self):
        data = super().clean()
        self.once_token = (data or {}).pop(FIELD, "") or ""
        return data


def once(request, token: str, create: Callable[[], HttpResponse]) -> HttpResponse:
    """Run `create` (the service call, its success message and the redirect to its result) once per
    token; a second submit with the same token is redirected to where the first one went."""
    if not token:
        return create()
    user = request.user
    done = OnceToken.objects.filter(user=user, token=token).only("result_url").first()
    if done is not None:
        return _already_done(request, done)
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = OnceToken.objects.create(user=user, token=token)
        except IntegrityError:  # the same form, sent at the same moment, got there first
            return _already_done(request, OnceToken.objects.get(user=user, token=token))
        response = create()
        claim.result_url = getattr(response, "url", "") or request.path
        claim.save(update_fields=["result_url"])
    return response


def submit_once(request, form, create: Callable[[], HttpResponse]) -> HttpResponse | None:
    """The create views' one shape: a valid POST runs `create` once (`once`, by the form's token); a refusal
    (ServiceError) is shown next to its field on the form. None means: draw the form again."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return once(request, form.once_token, create)
    except ServiceError as exc:
        add_service_error(form, exc)
        return None


def _already_done(request, done: OnceToken) -> HttpResponse:
    messages.info(request, ALREADY_DONE)
    return redirect(done.result_url or request.path)


def once_tokens_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the tokens used more than KEEP_TOKENS ago (one statement); returns how many went."""
    before = (now or timezone.now()) - KEEP_TOKENS
    deleted, _ = OnceToken.objects.filter(used_at__lt=before).delete()
    return deleted
