"""The signed-in member of staff and the navigation they see: each entry names a permission
(core.rules), so the menu offers only what the person may open."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import rules
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from .registry import NavEntry, nav_entries
from .rules import RolePredicate, role_facts


@lru_cache(maxsize=256)
def _url(url_name: str, prefix: str, urlconf: str) -> str | None:
    """An entry's URL, reversed once per process for each script prefix and URLconf (they are part of the key): the
    menu's twenty entries were reversed on every page (issue 16). None when the name does not resolve."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def _item(entry: NavEntry, prefix: str, urlconf: str) -> Mapping | None:
    """The entry as the menu shows it, or None when its page (or its badge) does not resolve."""
    url = _url(entry.url_name, prefix, urlconf)
    badge = _url(entry.badge_url_name, prefix, urlconf) if entry.badge_url_name else None
    if url is None or (entry.badge_url_name and badge is None):
        return None
    # Shared by every request of the role: read-only, so no page can change another's menu.
    return MappingProxyType({"label": entry.label, "url": url, "badge_url": badge})


@dataclass(frozen=True)
class _Menu:
    """One role's menu, worked out once (issue 16: 17 rules.has_perm on every page). `items` holds, in order, each
    entry shown, as its item, or as (permission, item) when its permission is not a core.rules.RolePredicate: that
    one is still asked on every request, so a permission about a record or object stays right. Kept while the
    registry's entries and the permissions' predicates are the ones it was worked out from."""

    entries: tuple[NavEntry, ...]
    predicates: tuple[tuple[str, rules.Predicate | None], ...]
    items: tuple[Mapping | tuple[str, Mapping | None], ...]

    def holds_for(self, entries: tuple[NavEntry, ...]) -> bool:
        permissions = rules.permissions.permissions
        return entries is self.entries and all(permissions.get(name) is p for name, p in self.predicates)


#: (role_facts, script prefix, URLconf) -> its _Menu: a handful per process (five roles, with or without superuser).
_MENUS: dict[tuple, _Menu] = {}


def _menu(user, prefix: str, urlconf: str, entries: tuple[NavEntry, ...]) -> _Menu:
    permissions = rules.permissions.permissions
    predicates, items = [], []
    for entry in entries:
        item = _item(entry, prefix, urlconf)
        if entry.permission is None:
            if item is not None:
                items.append(item)
            continue
        predicate = permissions.get(entry.permission)
        predicates.append((entry.permission, predicate))
        if not isinstance(predicate, RolePredicate):
            items.append((entry.permission, item))  # asked first, as before, even when its page does not resolve
        elif item is not None and predicate.test(user):
            items.append(item)
    return _Menu(entries, tuple(predicates), tuple(items))


def staff(request):
    user = getattr(request, "user", None)
    current = getattr(user, "staff", None) if user and user.is_authenticated else None
    nav = []
    if current is not None:
        prefix, urlconf, entries = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, nav_entries()
        key = (role_facts(user), prefix, urlconf)
        menu = _MENUS.get(key)
        if menu is None or not menu.holds_for(entries):
            menu = _MENUS[key] = _menu(user, prefix, urlconf, entries)
        for item in menu.items:
            if type(item) is not tuple:
                nav.append(item)
            elif rules.has_perm(item[0], user) and item[1] is not None:
                nav.append(item[1])
    return {"current_staff": current, "nav": nav}
