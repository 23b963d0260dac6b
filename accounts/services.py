import logging

import rules
from axes.utils import reset as axes_reset
from django.db import transaction

from careleavers.models import Staff
from core.errors import NotAllowed

log = logging.getLogger(__name__)


@transaction.atomic
def sign_in_unlock(*, actor_user, staff: Staff) -> int:
    """Clear the failed sign-ins that lock `staff` out (every address). A Team Leader only for their own
    team's staff; an administrator for anyone (core.rules: accounts.unlock_sign_in). Returns how many
    attempt records were cleared."""
    if not rules.has_perm("accounts.unlock_sign_in", actor_user, staff):
        raise NotAllowed("You can unlock sign-ins only for the staff of your own team.")
    cleared = axes_reset(username=staff.user.username)
    log.info("sign-in unlocked: %s by %s (%d attempt records)", staff.user.username, actor_user.get_username(), cleared)
    return cleared
