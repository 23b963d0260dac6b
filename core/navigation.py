"""The signed-in member of staff and the navigation they see: each entry names a permission
(core.rules), so the menu offers only what the person may open."""

from functools import lru_cache

import rules
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from .registry import nav_entries


@lru_cache(maxsize=256)
def _url(url_name: str, prefix: str, urlconf: str) -> str | None:
    """An entry's URL, reversed once per process for each script prefix and URLconf (they are part of the key): the
    menu's twenty entries were reversed on every page (issue 16). None when the name does not resolve."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def staff(request):
    user = getattr(request, "user", None)
    current = getattr(user, "staff", None) if user and user.is_authenticated else None
    nav = []
    if current is not None:
        key = (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        for entry in nav_entries():
            if entry.permission is not None and not rules.has_perm(entry.permission, user):
                continue
            url = _url(entry.url_name, *key)
            badge = _url(entry.badge_url_name, *key) if entry.badge_url_name else None
            if url is None or (entry.badge_url_name and badge is None):
                continue
            nav.append({"label": entry.label, "url": url, "badge_url": badge})
    return {"current_staff": current, "nav": nav}
