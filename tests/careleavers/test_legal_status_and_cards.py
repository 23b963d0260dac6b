"""T8: a Team Leader changes a young person's legal status from a date, with the reason; the requirements
follow at once. T9: the duty admin's card list (section 24, no PA service) and each card sent; the duty
admin sees nothing else of the record. Per persona."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from careleavers import services
from careleavers.models import CardKind, CardSent, LegalStatus, LegalStatusChange, Role
from compliance.engine import requirements_as_of
from compliance.services import legal_status_change
from core.errors import NotAllowed, ServiceError
from core.models import AuditEvent, AuditKind
from tests.careleavers.helpers import days_ago, today, young_person
from tests.conftest import login
from tests.factories import StaffFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def codes(yp) -> set[str]:
    return set(yp.requirements.values_list("code", flat=True))


# --- T8: legal status changes -------------------------------------------------------------------------


def test_t8_the_team_leader_changes_legal_status_from_a_date_and_the_requirements_follow(alice, tess):
    yp = young_person(alice, legal_status=LegalStatus.FORMER_RELEVANT)
    assert "pathway_review" in codes(yp)
    change = legal_status_change(young_person=yp, actor=tess, status=LegalStatus.QUALIFYING, from_date=days_ago(10),
                                 reason="Reassessed: section 24.")
    yp.refresh_from_db()
    assert yp.legal_status == LegalStatus.QUALIFYING and yp.pa_service
    assert "pathway_review" not in codes(yp)  # T8: section 24 has no pathway plan duty, at once
    # The first change also records the status before it, so an earlier date still reads the old one.
    history = list(LegalStatusChange.objects.filter(young_person=yp).order_by("from_date").values_list("status", "from_date"))
    assert history == [(LegalStatus.FORMER_RELEVANT, min(yp.birthday_16, yp.allocated_on)),
                       (LegalStatus.QUALIFYING, days_ago(10))]
    before = {r.code for r in requirements_as_of(days_ago(11), [yp.pk])}
    assert "pathway_review" in before
    audit = AuditEvent.objects.get(kind=AuditKind.LEGAL_STATUS_CHANGED, object_id=str(change.pk))
    assert (audit.data["status_from"], audit.data["status_to"]) == ("former_relevant", "qualifying")


def test_t9_qualifying_without_a_pa_service_leaves_the_pa_caseload_requirements(alice, tess):
    yp = young_person(alice, legal_status=LegalStatus.QUALIFYING)
    assert codes(yp)
    legal_status_change(young_person=yp, actor=tess, status=LegalStatus.QUALIFYING, from_date=days_ago(1),
                        reason="No PA service offered.", pa_service=False)
    yp.refresh_from_db()
    assert not yp.pa_service and codes(yp) == set()


def test_t8_a_change_in_the_past_keeps_the_newer_status_current(alice, tess):
    yp = young_person(alice, legal_status=LegalStatus.ELIGIBLE)
    legal_status_change(young_person=yp, actor=tess, status=LegalStatus.RELEVANT, from_date=days_ago(30), reason="Left care")
    legal_status_change(young_person=yp, actor=tess, status=LegalStatus.FORMER_RELEVANT, from_date=days_ago(5), reason="18")
    legal_status_change(young_person=yp, actor=tess, status=LegalStatus.QUALIFYING, from_date=days_ago(60), reason="Late")
    yp.refresh_from_db()
    assert yp.legal_status == LegalStatus.FORMER_RELEVANT


@pytest.mark.parametrize(("values", "field"), [
    ({"from_date": "tomorrow"}, "from_date"),
    ({"reason": " "}, "reason"),
    ({"status": "orphan"}, "status"),
    ({"status": LegalStatus.FORMER_RELEVANT}, "status"),  # already former relevant
])
def test_t8_a_change_is_refused_with_a_reason_next_to_its_field(alice, tess, values, field):
    yp = young_person(alice, legal_status=LegalStatus.FORMER_RELEVANT)
    arguments = {"status": LegalStatus.RELEVANT, "from_date": days_ago(1), "reason": "Because"} | values
    if arguments["from_date"] == "tomorrow":
        arguments["from_date"] = today() + dt.timedelta(days=1)
    with pytest.raises(ServiceError) as excinfo:
        legal_status_change(young_person=yp, actor=tess, **arguments)
    assert excinfo.value.field == field
    assert not LegalStatusChange.objects.exists()


@pytest.mark.parametrize("who", ["alice", "trent", "sol", "duty"])
def test_t8_only_the_young_persons_team_leader_changes_legal_status(alice, who, request):
    actor = StaffFactory(role=Role.DUTY_ADMIN, team=None) if who == "duty" else request.getfixturevalue(who)
    yp = young_person(alice)
    with pytest.raises(NotAllowed):
        legal_status_change(young_person=yp, actor=actor, status=LegalStatus.QUALIFYING, from_date=days_ago(1), reason="x")


def test_t8_the_page_for_the_team_leader_the_pa_gets_403_another_team_404(client, alice, tess, trent):
    yp = young_person(alice, legal_status=LegalStatus.FORMER_RELEVANT)
    url = reverse("legal_status_change", args=[yp.pk])
    login(client, alice)
    assert url not in client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert client.get(url).status_code == 403
    assert client.post(url, {"status": "qualifying", "from_date": days_ago(1).isoformat(), "reason": "x"}).status_code == 403
    login(client, trent)
    assert client.get(url).status_code == 404
    login(client, tess)
    assert url in client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "qualifying", "from_date": (today() + dt.timedelta(days=2)).isoformat(),
                                 "reason": "x", "pa_service": "on"})
    assert "cannot be in the future" in str(response.context["form"].errors["from_date"])
    response = client.post(url, {"status": "qualifying", "from_date": days_ago(1).isoformat(), "reason": "Section 24",
                                 "pa_service": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("young_person", args=[yp.pk])
    yp.refresh_from_db()
    assert yp.legal_status == LegalStatus.QUALIFYING
    assert "Section 24" in client.get(url).content.decode()  # the history on the page


# --- T9: the duty admin's cards ---------------------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")


def on(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON), tick=False)


@pytest.fixture
def duty(db):
    return StaffFactory(ref="dora", name="Dora Duty", role=Role.DUTY_ADMIN, team=None)


def section_24(pa, name, born: dt.date, *, pa_service=False, **fields):
    return YoungPersonFactory(pa=pa, name=name, date_of_birth=born, legal_status=LegalStatus.QUALIFYING,
                              pa_service=pa_service, address="1 High Street", allocated_on=dt.date(2025, 1, 1), **fields)


@pytest.fixture
def list_people(alice):
    return {
        "march": section_24(alice, "Mia March", dt.date(2007, 3, 20)),
        "june": section_24(alice, "Jon June", dt.date(2007, 6, 2)),
        "with_pa": section_24(alice, "Pat Served", dt.date(2007, 3, 9), pa_service=True),
        "former": YoungPersonFactory(pa=alice, name="Fay Former", date_of_birth=dt.date(2007, 3, 1)),
        "closed": section_24(alice, "Cal Closed", dt.date(2007, 3, 5), closed_on=dt.date(2026, 1, 1)),
        "too_old": section_24(alice, "Old Olive", dt.date(2003, 3, 5)),
    }


def test_t9_the_duty_admin_lists_the_birthdays_of_the_month_of_section_24_without_a_pa_service(client, duty, list_people):
    with on(dt.date(2026, 3, 10)):
        login(client, duty)
        response = client.get(reverse("cards"))
        assert [yp.name for yp in response.context["people"]] == ["Mia March"]
        body = response.content.decode()
        assert "1 High Street" in body and "20 March" in body
        assert reverse("cards") in body  # the nav entry names send_cards
        assert "Seasonal card" not in body


def test_t9_in_december_everyone_on_the_list_is_due_the_seasonal_card(client, duty, list_people):
    with on(dt.date(2026, 12, 1)):
        login(client, duty)
        response = client.get(reverse("cards"))
        assert [yp.name for yp in response.context["people"]] == ["Jon June", "Mia March"]
        assert "Seasonal card" in response.content.decode()


def test_t9_a_card_sent_is_recorded_with_date_and_who_and_shown_as_sent(client, duty, list_people):
    mia = list_people["march"]
    with on(dt.date(2026, 3, 10)):
        login(client, duty)
        response = client.post(reverse("card_sent", args=[mia.pk]), {"kind": "birthday", "date": "2026-03-09"}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("cards")
        card = CardSent.objects.get()
        assert (card.young_person, card.kind, card.date, card.sent_by) == (mia, CardKind.BIRTHDAY, dt.date(2026, 3, 9), duty)
        assert AuditEvent.objects.filter(kind=AuditKind.CARD_SENT, actor=duty, young_person=mia).exists()
        assert response.context["people"][0].birthday_card_sent
        assert reverse("card_sent", args=[mia.pk]) not in response.content.decode()
    with on(dt.date(2027, 3, 10)):  # next year's birthday: due again
        login(client, duty)
        assert not client.get(reverse("cards")).context["people"][0].birthday_card_sent


def test_t9_a_card_in_the_future_is_refused(client, duty, list_people):
    with on(dt.date(2026, 3, 10)):
        with pytest.raises(ServiceError) as excinfo:
            services.card_record_sent(young_person=list_people["march"], actor=duty, kind="birthday",
                                      date=dt.date(2026, 3, 11))
        assert excinfo.value.field == "date"


def test_t9_the_duty_admin_sees_nothing_else_of_the_record(client, duty, list_people):
    mia = list_people["march"]
    with on(dt.date(2026, 3, 10)):
        login(client, duty)
        assert client.get(reverse("young_person", args=[mia.pk])).status_code == 404
        assert client.get(reverse("contacts:log", args=[mia.pk])).status_code == 404
        assert list(client.get(reverse("caseload")).context["page"]) == []
        # Someone not on the list (a PA service, another status) is not found on the card page either.
        for other in ("with_pa", "former", "june"):
            url = reverse("card_sent", args=[list_people[other].pk])
            assert client.post(url, {"kind": "birthday", "date": "2026-03-09"}).status_code == 404
        assert not CardSent.objects.exists()


@pytest.mark.parametrize("who", ["alice", "tess", "sol", "hana"])
def test_t9_the_card_list_is_the_duty_admins_alone(client, list_people, who, request):
    staff = request.getfixturevalue(who)
    with on(dt.date(2026, 3, 10)):
        login(client, staff)
        assert client.get(reverse("cards")).status_code == 403
        assert client.post(reverse("card_sent", args=[list_people["march"].pk]),
                           {"kind": "birthday", "date": "2026-03-09"}).status_code == 403
        assert reverse("cards") not in client.get(reverse("caseload")).content.decode()
        with pytest.raises(NotAllowed):
            services.card_record_sent(young_person=list_people["march"], actor=staff, kind="birthday",
                                      date=dt.date(2026, 3, 9))


@pytest.mark.parametrize("size", [5, 50])
def test_t9_the_card_list_query_count_is_the_same_for_5_and_50(client, duty, alice, size, django_assert_num_queries):
    for n in range(size):
        yp = section_24(alice, f"Card {n}", dt.date(2007, 3, 1 + n % 28))
        if n % 2:
            CardSent.objects.create(young_person=yp, kind=CardKind.BIRTHDAY, date=dt.date(2026, 3, 1), sent_by=duty)
    with on(dt.date(2026, 3, 10)):
        login(client, duty)
        # session / savepoint / user with their staff record (issue 16) / the list with its cards sent / release
        with django_assert_num_queries(5):
            response = client.get(reverse("cards"))
        assert len(response.context["people"]) == size
