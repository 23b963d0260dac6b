"""Issue 10 item 6 in the approvals chain: R1 as a condition that keeps holding (marking a young person
vulnerable or at risk puts reduced visits up for review; the Service Leader's agreement checks R1 again),
S2 before a step back becomes active, D1 against the recorded accommodation, D3 what the family was told."""

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals import services
from approvals.models import Arrangement, ArrangementState, Decision, Step, StepBackItem, StepBackRecord
from careleavers.models import Accommodation, CaseNote, Notification
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditEvent, AuditKind
from tests.conftest import login
from tests.factories import ArrangementFactory
from tests.pathway.helpers import count_queries, make_young_person, requirement_codes

from .test_services import DIFFERENT_NEEDS, STEP_BACK, all_given, approved, request

pytestmark = pytest.mark.django_db


def flag(yp, actor, *, vulnerable=True, reason="Disclosed exploitation at the last visit."):
    return services.young_person_flag_vulnerable(young_person=yp, vulnerable=vulnerable, reason=reason, actor=actor)


def agreed(yp, pa, tl, sl):
    return services.arrangement_agree(arrangement=approved(yp, pa, tl), actor=sl, rationale="Agreed.")


# --- R1 keeps holding ------------------------------------------------------------------------------

def test_r1_marking_vulnerable_while_reduced_visits_are_active_puts_them_up_for_review(jamie, alice, tess, sol):
    arrangement = agreed(jamie, alice, tess, sol)
    Notification.objects.all().delete()
    flag(jamie, alice)
    jamie.refresh_from_db()
    arrangement.refresh_from_db()
    assert jamie.vulnerable
    assert (arrangement.state, arrangement.review_requested_on) == (ArrangementState.ACTIVE, timezone.localdate())
    assert "vulnerable or at risk" in arrangement.review_reason and "(R1)" not in arrangement.review_reason
    assert arrangement.decisions.last().decision == Decision.REVIEW_REQUESTED
    assert list(Notification.objects.filter(kind="arrangement_review").values_list("recipient", flat=True)) == [tess.pk]
    assert AuditEvent.objects.filter(kind=AuditKind.VULNERABILITY_CHANGED, young_person=jamie).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.ARRANGEMENT_REVIEW_REQUESTED, young_person=jamie).exists()
    assert CaseNote.objects.filter(young_person=jamie, subject="Marked vulnerable or at risk").exists()


def test_r1_marking_vulnerable_while_reduced_visits_wait_for_the_service_leader(jamie, alice, tess, sol):
    arrangement = approved(jamie, alice, tess)
    flag(jamie, tess)
    arrangement.refresh_from_db()
    assert arrangement.review_requested_on == timezone.localdate()
    with pytest.raises(ServiceError) as exc:
        services.arrangement_agree(arrangement=arrangement, actor=sol, rationale="Agreed.")
    assert exc.value.reasons == ["the young person is vulnerable or at risk"]
    assert str(exc.value).startswith("This cannot be agreed: ")
    arrangement.refresh_from_db()
    assert arrangement.state == ArrangementState.TEAM_LEADER_APPROVED
    assert "visit" in requirement_codes(jamie)


def test_r1_service_leader_agreement_refused_with_every_reason(alice, tess, sol):
    yp = make_young_person(alice, age=19)
    arrangement = approved(yp, alice, tess)
    yp.vulnerable = True
    yp.date_of_birth = yp.date_of_birth.replace(year=yp.date_of_birth.year + 2)  # now 17
    yp.save()
    with pytest.raises(ServiceError) as exc:
        services.arrangement_agree(arrangement=arrangement, actor=sol, rationale="Agreed.")
    assert exc.value.reasons == ["reduced visits are only for young people aged 18 or over",
                                 "the young person is vulnerable or at risk"]


def test_r1_other_arrangements_are_not_put_up_for_review(jamie, alice):
    arrangement = ArrangementFactory(young_person=jamie, kind="step_back", active_from=timezone.localdate())
    flag(jamie, alice)
    arrangement.refresh_from_db()
    assert arrangement.review_requested_on is None
    assert not Notification.objects.filter(kind="arrangement_review").exists()


def test_r1_marking_needs_a_reason_and_a_change(jamie, alice):
    with pytest.raises(ServiceError) as exc:
        flag(jamie, alice, reason=" ")
    assert exc.value.field == "reason"
    with pytest.raises(InvalidState, match="not marked"):
        flag(jamie, alice, vulnerable=False)
    flag(jamie, alice)
    with pytest.raises(InvalidState, match="already marked"):
        flag(jamie, alice)


def test_r1_other_teams_pa_cannot_mark(jamie, charlie):
    with pytest.raises(NotAllowed):
        flag(jamie, charlie)


def test_r1_reduced_visits_continue_after_review_only_while_r1_holds(jamie, alice, tess, sol):
    arrangement = agreed(jamie, alice, tess, sol)
    flag(jamie, alice)
    with pytest.raises(ServiceError, match="Reduced visits cannot continue"):
        services.arrangement_review_continue(arrangement=arrangement, actor=tess, rationale="Still fine.")
    flag(jamie, tess, vulnerable=False, reason="Risk assessed as resolved.")
    with pytest.raises(NotAllowed):
        services.arrangement_review_continue(arrangement=arrangement, actor=sol, rationale="Still fine.")
    services.arrangement_review_continue(arrangement=arrangement, actor=tess, rationale="Risk resolved; continues.")
    arrangement.refresh_from_db()
    assert (arrangement.state, arrangement.review_requested_on) == (ArrangementState.ACTIVE, None)
    assert arrangement.decisions.last().decision == Decision.CONTINUES
    assert AuditEvent.objects.filter(kind=AuditKind.ARRANGEMENT_REVIEWED).exists()
    with pytest.raises(InvalidState, match="not up for review"):
        services.arrangement_review_continue(arrangement=arrangement, actor=tess, rationale="again")


def test_r1_ending_after_the_review_returns_the_standard_pattern(jamie, alice, tess, sol):
    arrangement = agreed(jamie, alice, tess, sol)
    flag(jamie, alice)
    services.arrangement_end(arrangement=arrangement, actor=tess, reason="R1 no longer holds.")
    assert requirement_codes(jamie) == {"visit", "pathway_review"}


def test_r1_review_shows_on_the_arrangement_page_and_the_team_leaders_queue(client, jamie, alice, tess, sol):
    arrangement = agreed(jamie, alice, tess, sol)
    flag(jamie, alice)
    login(client, tess)
    page = client.get(reverse("approvals:detail", args=[arrangement.pk])).content.decode()
    assert "Up for review since" in page
    assert "Reviewed: it continues" in page
    queue = client.get(reverse("approvals:queue")).content.decode()
    assert reverse("approvals:detail", args=[arrangement.pk]) in queue
    assert "Team Leader review" in queue
    login(client, sol)
    assert reverse("approvals:detail", args=[arrangement.pk]) not in client.get(reverse("approvals:queue")).content.decode()


def test_r1_queue_with_reviews_costs_the_same_for_1_and_5(client, alice, tess, sol):
    def reviewed_one():
        yp = make_young_person(alice)
        services.arrangement_review_request(arrangement=agreed(yp, alice, tess, sol), reason="E3: no answer.")

    reviewed_one()
    login(client, tess)
    url = reverse("approvals:queue")
    one = count_queries(lambda: client.get(url))
    for _ in range(4):
        reviewed_one()
    assert count_queries(lambda: client.get(url)) == one
    assert client.get(url).content.decode().count("Team Leader review") == 5


# --- issue 16: one review service for one arrangement and for many (R1, E3) -----------------------------------


def test_e3_one_review_tells_the_team_leader_in_app_and_by_email(jamie, alice, tess, sol, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    arrangement = agreed(jamie, alice, tess, sol)
    Notification.objects.all().delete()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reviewed = services.arrangement_review_request(arrangement=arrangement, reason="No answer lately.", actor=alice)
    assert reviewed.review_requested_on == timezone.localdate() and reviewed.review_reason == "No answer lately."
    told = Notification.objects.get(kind="arrangement_review")
    assert told.recipient == tess and told.url == reverse("approvals:detail", args=[arrangement.pk])
    assert [m.to for m in mailoutbox] == [[tess.email]] and "No answer lately." in mailoutbox[0].body
    assert arrangement.history.filter(review_reason="No answer lately.").count() == 1


def test_e3_many_reviews_at_once_write_what_one_review_writes_and_email_only_when_asked(
        alice, tess, sol, mailoutbox, django_capture_on_commit_callbacks):
    first, second = (agreed(make_young_person(alice, name=name), alice, tess, sol) for name in ("Ann Ash", "Ben Birch"))
    Notification.objects.all().delete()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reviewed = services.arrangements_review_request(
            arrangements=Arrangement.objects.filter(pk__in=[first.pk, second.pk]), actor=None,
            reason=lambda a: f"{a.young_person.name} has not answered.", email_team_leaders=False,
            change_reason="Put up for review by the nightly run")
    assert [a.pk for a in reviewed] == sorted([first.pk, second.pk])
    assert not mailoutbox  # the night's digest carries the alert instead
    for arrangement, name in ((first, "Ann Ash"), (second, "Ben Birch")):
        arrangement.refresh_from_db()
        reason = f"{name} has not answered."
        assert (arrangement.review_requested_on, arrangement.review_reason) == (timezone.localdate(), reason)
        assert arrangement.decisions.filter(step=Step.REVIEW, decision=Decision.REVIEW_REQUESTED, rationale=reason,
                                            actor=None).count() == 1
        assert CaseNote.objects.filter(young_person=arrangement.young_person, text=reason,
                                       subject="Reduced visits: put up for review").count() == 1
        event = AuditEvent.objects.get(kind=AuditKind.ARRANGEMENT_REVIEW_REQUESTED, object_id=str(arrangement.pk))
        assert event.data == {"arrangement_kind": "reduced_visits", "state_from": "active", "state_to": "active",
                              "reason": reason, "review_requested_on": timezone.localdate().isoformat()}
        assert Notification.objects.filter(recipient=tess, kind="arrangement_review",
                                           young_person=arrangement.young_person).count() == 1
        assert arrangement.history.filter(history_change_reason="Put up for review by the nightly run").count() == 1


def test_e3_many_reviews_are_refused_together_when_one_cannot_be_reviewed(alice, tess, sol):
    active = agreed(make_young_person(alice, name="Ann Ash"), alice, tess, sol)
    ended = services.arrangement_end(arrangement=agreed(make_young_person(alice, name="Ben Birch"), alice, tess, sol),
                                     actor=alice, reason="Changed their mind.")
    with pytest.raises(InvalidState):
        services.arrangements_review_request(arrangements=Arrangement.objects.filter(pk__in=[active.pk, ended.pk]),
                                             reason="No answer.")
    active.refresh_from_db()
    assert active.review_requested_on is None and not active.decisions.filter(step=Step.REVIEW).exists()


def test_e3_many_reviews_cost_the_same_queries_for_1_and_4(alice, tess, sol):
    def reviewed(n):
        ids = [agreed(make_young_person(alice), alice, tess, sol).pk for _ in range(n)]
        return count_queries(lambda: services.arrangements_review_request(
            arrangements=Arrangement.objects.filter(pk__in=ids), reason="No answer.", email_team_leaders=False))

    assert reviewed(1) == reviewed(4)


def test_r1_mark_vulnerable_through_the_page(client, jamie, alice, tess, sol):
    arrangement = agreed(jamie, alice, tess, sol)
    login(client, alice)
    assert "Mark vulnerable or at risk" in client.get(reverse("young_person", args=[jamie.pk])).content.decode()
    url = reverse("approvals:vulnerable", args=[jamie.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"vulnerable": "on", "reason": ""}).status_code == 400
    assert client.post(url, {"vulnerable": "on", "reason": "Missing overnight."}).status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.review_requested_on is not None


def test_r1_mark_vulnerable_page_is_404_for_another_team(client, jamie, charlie):
    login(client, charlie)
    assert client.get(reverse("approvals:vulnerable", args=[jamie.pk])).status_code == 404


# --- S2 before a step back becomes active -----------------------------------------------------------

def test_s2_step_back_not_active_until_every_item_is_recorded(jamie, alice, tess):
    arrangement = request(jamie, alice, kind="step_back", details=STEP_BACK)
    all_given(arrangement, alice, except_for=(StepBackItem.MONEY_MATTERS, StepBackItem.OPEN_DOOR_LETTER))
    with pytest.raises(ServiceError) as exc:
        services.arrangement_approve(arrangement=arrangement, actor=tess, rationale="Wish respected.")
    assert exc.value.reasons == ["Money Matters details", '"Door is always open" letter']
    assert "record each item as given" in str(exc.value) and "S2" not in str(exc.value)  # issue 15, item 3
    arrangement.refresh_from_db()
    assert arrangement.state == ArrangementState.REQUESTED
    assert "keeping_in_touch" not in requirement_codes(jamie)


def test_s2_a_reason_for_only_some_missing_items_is_not_enough(jamie, alice, tess):
    arrangement = all_given(request(jamie, alice, kind="step_back", details=STEP_BACK), alice,
                            except_for=(StepBackItem.MONEY_MATTERS, StepBackItem.OPEN_DOOR_LETTER))
    with pytest.raises(ServiceError) as exc:
        services.arrangement_approve(arrangement=arrangement, actor=tess, rationale="ok",
                                     not_given={StepBackItem.MONEY_MATTERS: "No address to send it to."})
    assert exc.value.reasons == ['"Door is always open" letter']
    assert not StepBackRecord.objects.filter(given_on__isnull=True).exists()


def test_s2_team_leader_records_why_an_item_could_not_be_given_and_it_becomes_active(jamie, alice, tess):
    arrangement = all_given(request(jamie, alice, kind="step_back", details=STEP_BACK), alice,
                            except_for=(StepBackItem.VISIT_OFFER,))
    arrangement = services.arrangement_approve(arrangement=arrangement, actor=tess, rationale="Wish respected.",
                                               not_given={StepBackItem.VISIT_OFFER: "Refuses any contact in person."})
    assert arrangement.state == ArrangementState.ACTIVE
    record = StepBackRecord.objects.get(arrangement=arrangement, given_on__isnull=True)
    assert (record.item, record.not_given_reason, record.recorded_by) == ("visit_offer", "Refuses any contact in person.",
                                                                           tess)
    assert "Offer of a visit not given: Refuses any contact in person." in arrangement.decisions.get(
        step=Step.TEAM_LEADER).rationale
    assert AuditEvent.objects.filter(kind=AuditKind.STEP_BACK_ITEM_NOT_GIVEN, young_person=jamie).count() == 1
    # Given later after all: a second record, the first kept.
    services.step_back_item_record(arrangement=arrangement, item=StepBackItem.VISIT_OFFER,
                                   given_on=timezone.localdate(), actor=alice)
    assert StepBackRecord.objects.filter(arrangement=arrangement, item="visit_offer").count() == 2


def test_s2_team_leader_gives_the_reasons_on_the_arrangement_page(client, jamie, alice, tess):
    arrangement = all_given(request(jamie, alice, kind="step_back", details=STEP_BACK), alice,
                            except_for=(StepBackItem.CITIZENS_ADVICE,))
    login(client, tess)
    url = reverse("approvals:approve", args=[arrangement.pk])
    refused = client.post(url, {"rationale": "Wish respected."})
    assert refused.status_code == 400
    assert "Citizens Advice details." in refused.content.decode()
    response = client.post(url, {"rationale": "Wish respected.", "not_given_citizens_advice": "Moved out of area."})
    assert response.status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.state == ArrangementState.ACTIVE
    page = client.get(reverse("approvals:detail", args=[arrangement.pk])).content.decode()
    assert "Could not be given: Moved out of area." in page


# --- D1 against the recorded accommodation; D3 ------------------------------------------------------

@pytest.mark.parametrize("accommodation", [Accommodation.UNKNOWN, Accommodation.SUPPORTED])
def test_d1_specialist_staffed_home_is_checked_against_the_recorded_accommodation(jamie, alice, accommodation):
    jamie.accommodation = accommodation
    jamie.save()
    with pytest.raises(ServiceError) as exc:
        request(jamie, alice, kind="different_needs", details=DIFFERENT_NEEDS)
    assert exc.value.reasons == [
        (f"the accommodation on the record is {Accommodation(accommodation).label.lower()}, not a specialist staffed "
         "home: update the record first")]


def test_d1_checked_again_when_the_team_leader_approves(in_specialist_home, jamie, alice, tess):
    arrangement = request(jamie, alice, kind="different_needs", details=DIFFERENT_NEEDS)
    jamie.accommodation = Accommodation.SUPPORTED
    jamie.save()
    with pytest.raises(ServiceError, match="This cannot be approved: the accommodation on the record is supported"):
        services.arrangement_approve(arrangement=arrangement, actor=tess, rationale="Agreed in oversight.")
    arrangement.refresh_from_db()
    assert arrangement.state == ArrangementState.REQUESTED


@pytest.mark.parametrize("missing", ["family_given_local_offer", "family_given_contact_details",
                                     "family_told_can_ask_for_more_support"])
def test_d3_the_family_is_given_the_local_offer_and_contact_details_and_told_they_can_ask(in_specialist_home, jamie,
                                                                                          alice, missing):
    with pytest.raises(ServiceError, match="Record that the family"):  # D3
        request(jamie, alice, kind="different_needs", details={**DIFFERENT_NEEDS, missing: False})
    arrangement = request(jamie, alice, kind="different_needs", details=DIFFERENT_NEEDS)
    assert all(arrangement.details[key] for key in services.D3_FAMILY_INFORMED)
    assert "The family was given the Local Offer: yes" in services.summarise(arrangement.details)

