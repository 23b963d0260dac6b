"""Views get the signed-in member of staff from one decorator, never `getattr(user, "staff")`.

One rule for refusals everywhere: a record the person may not see is 404 (its existence is not
confirmed); an action they may not take on a record they can see is 403 (`require_perm`).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .rules import refusal


def staff_required(view: Callable) -> Callable:
    """Sign-in required; the view is called with `staff=` (the member of staff, never None).
    A signed-in user with no staff record (a bare superuser) gets 404: there is no caseload here."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = getattr(request.user, "staff", None)
        if staff is None:
            raise Http404("No staff record for this sign-in.")
        return view(request, *args, staff=staff, **kwargs)

    return wrapper


def require_perm(user, permission: str, obj=None, message: str = "") -> None:
    """403 when `user` may see the record but not do this to it: with `message`, else the permission's own
    reason (core.rules.refusal, which agrees with rules.has_perm)."""
    reason = refusal(permission, user, obj)
    if reason is not None:
        raise PermissionDenied(message or reason)
