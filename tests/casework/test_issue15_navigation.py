"""Issue 15, item 6: the menu offers what the role acts on, the unread count beside Notifications,
the home page each role lands on, and the 404/403 pages in the app's layout with a way back."""

import pytest
from django.urls import reverse

from careleavers.models import Notification, Role
from tests.careleavers.helpers import young_person
from tests.conftest import login
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def menu(client) -> list[str]:
    response = client.get(reverse("notifications"))
    return [item["label"] for item in response.context["nav"]]


@pytest.fixture
def duty(db):
    return StaffFactory(ref="duty", name="Dee Duty", role=Role.DUTY_ADMIN, team=None)


def test_pa_menu_has_no_manager_queues(client, alice):
    labels = menu(login(client, alice))
    assert labels[0] == "Caseload"
    assert "Plans to sign off" not in labels and "Approvals" not in labels and "Oversight items" not in labels


def test_team_leader_menu_has_every_queue_they_decide_in(client, tess):
    labels = menu(login(client, tess))
    assert {"Caseload", "Plans to sign off", "Approvals", "Oversight items", "Dashboard"} <= set(labels)


def test_service_leader_menu_offers_approvals_but_not_plan_sign_off(client, sol):
    """P3: only a Team Leader signs off plans; R5: the Service Leader agrees arrangements."""
    labels = menu(login(client, sol))
    assert "Approvals" in labels and "Dashboard" in labels
    assert "Plans to sign off" not in labels and "Oversight items" not in labels
    # The pages are still there to read.
    assert client.get(reverse("pathway:queue")).status_code == 200


def test_head_of_service_menu_has_dashboard_and_returns_not_decision_queues(client, hana):
    labels = menu(login(client, hana))
    assert "Dashboard" in labels and "Returns" in labels
    assert "Approvals" not in labels and "Plans to sign off" not in labels


def test_duty_admin_lands_on_cards_and_has_no_caseload(client, duty):
    """T9: the duty admin sees no record; their page is the card list."""
    login(client, duty)
    assert "Caseload" not in menu(client)
    assert client.get(reverse("home"))["Location"] == reverse("cards")


def test_pa_lands_on_caseload(client, alice):
    assert login(client, alice).get(reverse("home"))["Location"] == reverse("caseload")


def test_unread_count_badge_counts_only_my_unread(client, alice, charlie, tess):
    yp = young_person(alice)
    Notification.objects.create(recipient=alice, young_person=yp, message="One")
    Notification.objects.create(recipient=alice, young_person=yp, message="Two")
    read = Notification.objects.create(recipient=alice, young_person=yp, message="Read")
    read.read_at = read.created_at
    read.save()
    Notification.objects.create(recipient=tess, young_person=yp, message="Not mine")
    login(client, alice)
    page = client.get(reverse("caseload")).content.decode()
    assert f'hx-get="{reverse("notifications_unread")}"' in page  # the menu asks for it after loading
    badge = client.get(reverse("notifications_unread")).content.decode()
    assert ">2<" in badge and "unread" in badge
    login(client, charlie)
    assert "badge" not in client.get(reverse("notifications_unread")).content.decode()


def test_unread_badge_needs_sign_in(client):
    assert client.get(reverse("notifications_unread")).status_code == 302


def test_404_page_is_in_the_layout_with_a_way_back(client, alice, charlie):
    other = young_person(charlie)
    login(client, alice)
    response = client.get(reverse("young_person", args=[other.pk]))  # another team's young person
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and 'aria-label="Main"' in body and f'href="{reverse("home")}"' in body


def test_403_page_gives_the_reason_in_the_layout(client, alice):
    login(client, alice)
    response = client.get(reverse("audit_log"))  # the Service Leader's
    assert response.status_code == 403
    body = response.content.decode()
    assert "You cannot do this" in body and 'aria-label="Main"' in body and "Back to the start page" in body


def test_500_page_renders_without_a_request():
    from django.template.loader import render_to_string

    body = render_to_string("500.html")
    assert "Something went wrong" in body and 'href="/"' in body


def test_favicon_linked_from_every_page(client, alice):
    assert 'rel="icon"' in login(client, alice).get(reverse("caseload")).content.decode()
