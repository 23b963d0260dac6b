"""Locked sign-ins (django-axes) the person asking may unlock."""

from dataclasses import dataclass

import rules
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from careleavers.models import Staff


@dataclass(frozen=True)
class LockedSignIn:
    username: str
    staff: Staff | None
    ip_address: str
    failures: int
    last_failure: object


def _cooloff_start():
    return timezone.now() - timezone.timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def locked_sign_ins_for(user) -> list[LockedSignIn]:
    """Username and address pairs at the failure limit within the cool-off, for staff `user` may unlock.
    Queries: the attempts, the staff they name (with their users)."""
    attempts = list(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=_cooloff_start())
        .order_by("-attempt_time")
    )
    staff_by_username = {
        s.user.username: s for s in Staff.objects.select_related("user").filter(user__username__in={a.username for a in attempts})
    }
    rows = []
    for attempt in attempts:
        staff = staff_by_username.get(attempt.username)
        may_unlock = user.is_superuser if staff is None else rules.has_perm("accounts.unlock_sign_in", user, staff)
        if may_unlock:
            rows.append(LockedSignIn(attempt.username, staff, attempt.ip_address or "", attempt.failures_since_start,
                                     attempt.attempt_time))
    return rows
