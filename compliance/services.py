"""Writes to policy packs. Changing the rules moves every due date, so each write recomputes."""

from django.db import transaction
from django.utils import timezone

from .engine import recompute
from .models import PolicyPack


@transaction.atomic
def pack_activate(*, pack: PolicyPack) -> PolicyPack:
    """Make `pack` the service's one active pack and recompute everyone under it."""
    PolicyPack.objects.filter(is_active=True).exclude(pk=pack.pk).update(is_active=False)
    if not pack.is_active:
        pack.is_active = True
        pack.save(update_fields=["is_active"])
    recompute(timezone.localdate())
    return pack


def pack_changed(*, pack: PolicyPack) -> None:
    """After a pack's settings or rows were edited: the active pack's results are recomputed."""
    if pack.is_active:
        recompute(timezone.localdate())
