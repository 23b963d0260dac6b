"""The menu (core.navigation, issue 16): worked out once per role's facts (core.rules.role_facts) and kept, for entries
whose permission is a core.rules.RolePredicate; any other entry's permission asked on every request."""

import pytest
import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from careleavers.models import Role
from core import navigation, registry
from core import rules as core_rules
from core.registry import NavEntry, nav_entries, register_nav
from core.rules import RolePredicate, role_facts
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def asked_entry_by_entry(user) -> list[dict]:
    """The menu as it was made before it was kept (every permission asked, every URL reversed): the reference."""
    if not (user.is_authenticated and hasattr(user, "staff")):
        return []
    nav = []
    for entry in nav_entries():
        if entry.permission is not None and not rules.has_perm(entry.permission, user):
            continue
        try:
            url = reverse(entry.url_name)
            badge = reverse(entry.badge_url_name) if entry.badge_url_name else None
        except NoReverseMatch:
            continue
        nav.append({"label": entry.label, "url": url, "badge_url": badge})
    return nav


def menu_of(user) -> list[dict]:
    request = RequestFactory().get("/")
    request.user = user
    return [dict(item) for item in navigation.staff(request)["nav"]]


def read(user):
    """The user as a signed-in request has them (the staff record read with them)."""
    return get_user_model().objects.select_related("staff").get(pk=user.pk)


@pytest.fixture
def personas(alice, charlie, tess, trent, sol, hana):
    """Every role (two PAs and two Team Leaders of different teams, so the kept menu serves someone it was not worked
    out for), superusers with and without a staff record, a user without one, an inactive member of staff."""
    def superuser(staff):
        staff.user.is_superuser = staff.user.is_staff = True
        staff.user.save()
        return staff.user

    inactive = StaffFactory(ref="ivy", role=Role.PA, team=alice.team)
    inactive.user.is_active = False
    inactive.user.save()
    staffed = {
        "PA": alice, "another team's PA": charlie, "Team Leader": tess, "another Team Leader": trent,
        "Service Leader": sol, "Head of Service": hana,
        "duty admin": StaffFactory(ref="dee", role=Role.DUTY_ADMIN, team=None),
        "inactive PA": inactive,
    }
    users = {name: staff.user for name, staff in staffed.items()}
    users["superuser PA"] = superuser(StaffFactory(ref="spa", role=Role.PA, team=alice.team))
    users["superuser Team Leader"] = superuser(StaffFactory(ref="stl", role=Role.TEAM_LEADER, team=alice.team))
    users["superuser duty admin"] = superuser(StaffFactory(ref="sda", role=Role.DUTY_ADMIN, team=None))
    bare = UserFactory(username="root")
    bare.is_superuser = bare.is_staff = True
    bare.save()
    users["superuser without staff"] = bare
    users["user without staff"] = UserFactory(username="nobody")
    return {name: read(user) for name, user in users.items()}


@pytest.fixture
def nothing_kept():
    navigation._MENUS.clear()  # noqa: SLF001
    yield
    navigation._MENUS.clear()  # noqa: SLF001


def test_every_personas_kept_menu_is_the_menu_asked_entry_by_entry(personas, nothing_kept):
    for _ in range(2):  # worked out, then kept
        for name, user in personas.items():
            assert menu_of(user) == asked_entry_by_entry(user), name
    assert menu_of(AnonymousUser()) == []
    shown = {item["label"] for user in personas.values() for item in menu_of(user)}
    assert shown == {entry.label for entry in nav_entries()}  # every entry is shown to someone here


def test_every_entry_is_shown_exactly_to_whom_its_permission_allows(personas, nothing_kept):
    for name, user in personas.items():
        if not hasattr(user, "staff"):
            continue
        labels = {item["label"] for item in menu_of(user)}
        for entry in nav_entries():
            allowed = entry.permission is None or rules.has_perm(entry.permission, user)
            assert (entry.label in labels) == allowed, (name, entry.label)


def test_the_menu_asks_no_permission_once_kept(alice, monkeypatch, nothing_kept):
    """Today every entry's permission is made of role predicates: the second page of a role asks none of them."""
    user = read(alice.user)
    first = menu_of(user)
    asked = []
    monkeypatch.setattr(rules, "has_perm", lambda *args: asked.append(args) or True)
    monkeypatch.setattr(RolePredicate, "test", lambda *args: asked.append(args) or True)
    assert menu_of(read(alice.user)) == first
    assert asked == []


def test_an_entry_whose_permission_is_not_of_roles_is_asked_on_every_request(alice, nothing_kept):
    chosen, other = read(alice.user), read(StaffFactory(ref="pat", role=Role.PA, team=alice.team).user)
    assert role_facts(chosen) == role_facts(other)
    asked = []

    @rules.predicate
    def is_chosen(user) -> bool:
        asked.append(user.pk)
        return user.pk == chosen.pk

    permission = "tests.nav_probe"
    rules.add_perm(permission, core_rules.is_pa & is_chosen)
    register_nav(NavEntry("Probe", "home", permission, order=1))
    try:
        assert not isinstance(rules.permissions.permissions[permission], RolePredicate)
        for _ in range(2):
            assert [i["label"] for i in menu_of(chosen)][:1] == ["Probe"]
            assert "Probe" not in [i["label"] for i in menu_of(other)]
        assert asked == [chosen.pk, other.pk] * 2
        assert menu_of(chosen) == asked_entry_by_entry(chosen)
        assert menu_of(other) == asked_entry_by_entry(other)
    finally:
        rules.remove_perm(permission)
        del registry._NAV["home"]  # noqa: SLF001
        registry._NAV_SORTED.clear()  # noqa: SLF001
    assert "Probe" not in [i["label"] for i in menu_of(chosen)]


def test_a_permission_given_another_predicate_is_asked_again(alice, nothing_kept):
    user = read(alice.user)
    assert "Returns" not in [i["label"] for i in menu_of(user)]
    before = rules.permissions.permissions["returns.export"]
    rules.set_perm("returns.export", core_rules.is_pa)
    try:
        assert "Returns" in [i["label"] for i in menu_of(user)]
    finally:
        rules.set_perm("returns.export", before)
    assert "Returns" not in [i["label"] for i in menu_of(user)]


def test_role_predicates_combine_into_role_predicates_only_with_each_other():
    assert isinstance(core_rules.is_pa | core_rules.is_manager, RolePredicate)
    assert isinstance(~core_rules.is_team_leader, RolePredicate)
    assert isinstance(core_rules.is_superuser ^ core_rules.is_pa, RolePredicate)
    for combined in (core_rules.is_pa & core_rules.sees_young_person_of, core_rules.sees_young_person_of & core_rules.is_pa,
                     ~core_rules.is_team_leader | core_rules.leads_case_team_of, rules.is_superuser | core_rules.is_pa,
                     core_rules.is_superuser | core_rules.leads_team_of_staff):
        assert not isinstance(combined, RolePredicate), combined
    permissions = rules.permissions.permissions
    assert isinstance(permissions["accounts.view_unlocks"], RolePredicate)
    assert isinstance(permissions["careleavers.nav_caseload"], RolePredicate)
    for record_rule in ("accounts.unlock_sign_in", "careleavers.view_history", "careleavers.edit_details",
                        "careleavers.break_glass", "careleavers.plan_own_absence"):
        assert not isinstance(permissions[record_rule], RolePredicate), record_rule


def test_a_role_permission_is_the_same_for_everyone_with_the_same_role_facts(personas, charlie):
    """What makes keeping the menu per role_facts right: a RolePredicate reads nothing else of the user."""
    others = {name: read(StaffFactory(role=user.staff.role, team=charlie.team if user.staff.team_id else None,
                                      user=UserFactory(is_superuser=user.is_superuser, is_active=user.is_active)).user)
              for name, user in personas.items() if hasattr(user, "staff")}
    marked = [name for name, p in rules.permissions.permissions.items() if isinstance(p, RolePredicate)]
    assert len(marked) > 20
    for name, other in others.items():
        user = personas[name]
        assert role_facts(other) == role_facts(user)
        for permission in marked:
            assert rules.has_perm(permission, other) == rules.has_perm(permission, user), (name, permission)
