"""The signed-in member of staff and the navigation they see: each entry names a permission
(core.rules), so the menu offers only what the person may open."""

import rules
from django.urls import NoReverseMatch, reverse

from .registry import nav_entries


def staff(request):
    user = getattr(request, "user", None)
    current = getattr(user, "staff", None) if user and user.is_authenticated else None
    nav = []
    if current is not None:
        for entry in nav_entries():
            if entry.permission is not None and not rules.has_perm(entry.permission, user):
                continue
            try:
                badge = reverse(entry.badge_url_name) if entry.badge_url_name else None
                nav.append({"label": entry.label, "url": reverse(entry.url_name), "badge_url": badge})
            except NoReverseMatch:
                continue
    return {"current_staff": current, "nav": nav}
