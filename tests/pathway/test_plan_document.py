"""Issue 13: the pathway plan as a statutory document: its structure (item 1), open actions carried forward
(item 2), the reduced-visits request made on a plan and approved by its sign-off (item 3: R3, R4), the PDF and
P4 sharing (item 4), reg 8(2)(b) on the plan (item 5), reading it (item 6)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from approvals import services as approvals_services
from approvals.models import Arrangement, ArrangementDecision, ArrangementKind, ArrangementState, Decision, Step
from careleavers.models import CaseNote, Notification
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditEvent, AuditKind
from oversight.services import nightly_run
from pathway import services
from pathway.models import ActionStatus, PathwayPlan, PlanActionItem, PlanState
from tests.conftest import login
from tests.factories import ArrangementFactory

from .helpers import READY, READY_POST, count_queries, make_young_person, visited

pytestmark = pytest.mark.django_db

R2 = {"wish_and_reasons": "Busy with my apprenticeship; I will text back.", "understands_contact_continues": True,
      "agrees_to_respond": True, "agrees_to_report_changes": True, "knows_can_contact_service": True}
ELIGIBLE = {"asked_for_it": True, "low_support_needs": True, **R2}
#: R3: what a plan carrying a reduced-visits request holds, with contact that agrees with reduced visits (R6).
REDUCED = {**READY, "contact_method": "contact", "contact_every_weeks": 8,
           "contact_arrangements": "Texts every fortnight; a call every 8 weeks at least.",
           "arrangement_reasons": "Busy with my apprenticeship.",
           "arrangement_assessment": "Low support needs; settled tenancy; uses the college's support."}
ACTIONS = [
    {"what": "Apply for the setting-up-home allowance", "who": "Alice Adams", "by_when": dt.date(2027, 1, 15),
     "status": ActionStatus.NOT_STARTED, "dimension": "money"},
    {"what": "Register with a dentist", "who": "Jamie", "status": ActionStatus.DONE, "dimension": "health"},
]


def signed_off(yp, pa, tl, *, actions=ACTIONS, **content):
    visited(yp)
    plan = services.plan_start(young_person=yp, actor=pa)
    services.plan_update(plan=plan, actor=pa, content={**READY, "health_words": "I feel fine.", **content},
                         actions=actions)
    services.plan_submit(plan=plan, actor=pa)
    return services.plan_sign_off(plan=plan, actor=tl)


def plan_with_request(yp, pa, *, content=REDUCED):
    """A draft carrying a reduced-visits request (R3), written and submitted."""
    visited(yp)
    plan = services.plan_start(young_person=yp, actor=pa)
    services.plan_arrangement_request(plan=plan, actor=pa, details=ELIGIBLE, keeping_in_touch="Texts; calls")
    services.plan_update(plan=plan, actor=pa, content=content)
    return PathwayPlan.objects.get(pk=plan.pk)


# --- item 1: contact arrangements agree with the arrangement in force ---------------------------------

def test_contact_arrangements_contradicting_reduced_visits_are_refused_with_a_message(jamie, alice):
    ArrangementFactory(young_person=jamie, kind=ArrangementKind.REDUCED_VISITS, active_from=timezone.localdate())
    plan = services.plan_start(young_person=jamie, actor=alice)
    with pytest.raises(ServiceError, match="contradict reduced visits") as refused:
        services.plan_update(plan=plan, actor=alice, content={**READY, "contact_method": "visits"})
    assert refused.value.field == "contact_method"
    assert "at least every 8 weeks;" in str(refused.value) and "R6" not in str(refused.value)  # issue 15, item 3
    plan.refresh_from_db()
    assert plan.young_persons_voice == ""  # nothing saved


def test_v1_a_frequency_longer_than_the_pack_interval_is_refused(jamie, alice):
    plan = services.plan_start(young_person=jamie, actor=alice)
    with pytest.raises(ServiceError, match="less often") as refused:
        services.plan_update(plan=plan, actor=alice, content={**READY, "contact_every_weeks": 12})
    assert refused.value.field == "contact_every_weeks"
    services.plan_update(plan=plan, actor=alice, content={**READY, "contact_every_weeks": 6})  # more often is fine


def test_contact_arrangements_change_with_the_arrangement(jamie, alice, tess):
    """A carried pattern that the arrangement now in force contradicts starts again from what it asks for."""
    signed_off(jamie, alice, tess)
    ArrangementFactory(young_person=jamie, kind=ArrangementKind.REDUCED_VISITS, active_from=timezone.localdate())
    plan = services.plan_start(young_person=jamie, actor=alice)
    assert (plan.contact_method, plan.contact_every_weeks) == ("contact", None)


def test_contact_refusal_shown_next_to_the_field_on_the_edit_page(client, jamie, alice):
    ArrangementFactory(young_person=jamie, kind=ArrangementKind.STEP_BACK, active_from=timezone.localdate())
    plan = services.plan_start(young_person=jamie, actor=alice)
    login(client, alice)
    response = client.post(reverse("pathway:edit", args=[plan.pk]), {**READY_POST, "save": ""})
    assert response.status_code == 400
    assert "contradict step back" in response.content.decode()
    assert "(S5)" not in response.content.decode()  # issue 15, item 3: the rule ID stays in code


def test_p5_submit_needs_the_structure(jamie, alice):
    visited(jamie)
    plan = services.plan_start(young_person=jamie, actor=alice)
    services.plan_update(plan=plan, actor=alice, content={"young_persons_voice": "Me", "contact_arrangements": "x"})
    with pytest.raises(ServiceError, match=r"participation.*contingency plan.*how we keep in touch"):
        services.plan_submit(plan=plan, actor=alice)


def test_the_plan_names_the_pa_from_the_allocation(jamie, alice):
    assert services.plan_start(young_person=jamie, actor=alice).pa == alice


# --- item 2: open actions carried into the next version -----------------------------------------------

def test_open_actions_are_carried_into_the_next_version_until_done(jamie, alice, tess):
    first = signed_off(jamie, alice, tess)
    second = services.plan_start(young_person=jamie, actor=alice)
    carried = list(second.actions.all())
    assert [(a.what, a.status) for a in carried] == [("Apply for the setting-up-home allowance", "not_started")]
    assert carried[0].carried_from.plan == first
    # Done in v2: not carried into v3; v1's action is untouched.
    services.plan_update(plan=second, actor=alice, content=READY,
                         actions=[{"id": carried[0].pk, "what": carried[0].what, "who": "Alice Adams",
                                   "status": ActionStatus.DONE}])
    services.plan_submit(plan=second, actor=alice)
    services.plan_sign_off(plan=second, actor=tess, no_visit_reason="Seen at the office last week.")
    third = services.plan_start(young_person=jamie, actor=alice)
    assert third.actions.count() == 0
    assert first.actions.get(what__startswith="Apply").status == ActionStatus.NOT_STARTED


def test_an_action_needs_what_and_who(jamie, alice):
    plan = services.plan_start(young_person=jamie, actor=alice)
    with pytest.raises(ServiceError, match="who will do it"):
        services.plan_update(plan=plan, actor=alice, content=READY, actions=[{"what": "Something", "who": ""}])
    assert PlanActionItem.objects.count() == 0


def test_an_action_of_another_version_is_refused(jamie, alice, tess):
    first = signed_off(jamie, alice, tess)
    second = services.plan_start(young_person=jamie, actor=alice)
    theirs = first.actions.first()
    with pytest.raises(ServiceError, match="not part of this version"):
        services.plan_update(plan=second, actor=alice, content=READY,
                             actions=[{"id": theirs.pk, "what": "x", "who": "y", "status": "done"}])


def test_actions_saved_from_the_edit_page(client, jamie, alice):
    plan = services.plan_start(young_person=jamie, actor=alice)
    login(client, alice)
    response = client.post(reverse("pathway:edit", args=[plan.pk]), {
        **READY_POST, "save": "", "actions-TOTAL_FORMS": "2", "actions-INITIAL_FORMS": "0",
        "actions-0-what": "Open a bank account", "actions-0-who": "Jamie", "actions-0-by_when": "2027-02-01",
        "actions-0-status": "in_progress", "actions-0-dimension": "money",
        "actions-1-what": "", "actions-1-who": "", "actions-1-status": "not_started"})
    assert response.status_code == 302
    assert [(a.what, a.status) for a in plan.actions.all()] == [("Open a bank account", "in_progress")]
    page = client.get(reverse("pathway:detail", args=[plan.pk])).content.decode()
    assert "Open a bank account" in page and ">In progress<" in page


# --- item 3: the Team Leader's approval is the plan's sign-off (R3, R4) ---------------------------------

def test_r4_signing_off_the_plan_approves_the_request_in_the_same_transaction(jamie, alice, tess, sol):
    plan = plan_with_request(jamie, alice)
    services.plan_submit(plan=plan, actor=alice)
    notes_before = CaseNote.objects.count()
    services.plan_sign_off(plan=plan, actor=tess, comments="Settled, low needs, and it is what Jamie wants.")
    plan.refresh_from_db()
    arrangement = plan.arrangement
    assert plan.state == PlanState.SIGNED_OFF
    assert arrangement.state == ArrangementState.TEAM_LEADER_APPROVED
    approval = arrangement.decisions.get(step=Step.TEAM_LEADER)
    assert (approval.decision, approval.actor) == (Decision.APPROVED, tess)
    assert "pathway plan v1" in approval.rationale
    # One act, one case note with the rationale; the Service Leader alerted (R4).
    notes = list(CaseNote.objects.order_by("-id")[: CaseNote.objects.count() - notes_before])
    assert len(notes) == 1
    assert "Settled, low needs" in notes[0].text and "reduced visits approved" in notes[0].subject
    assert Notification.objects.filter(recipient=sol, kind="arrangement_approved").exists()


def test_r4_the_approvals_page_approves_by_signing_off_the_plan(client, jamie, alice, tess):
    plan = plan_with_request(jamie, alice)
    services.plan_submit(plan=plan, actor=alice)
    login(client, tess)
    page = client.get(reverse("approvals:detail", args=[plan.arrangement_id])).content.decode()
    assert reverse("pathway:approve_on_plan", args=[plan.arrangement_id]) in page
    response = client.post(reverse("pathway:approve_on_plan", args=[plan.arrangement_id]),
                           {"rationale": "Agreed with Alice."})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.SIGNED_OFF
    assert plan.arrangement.state == ArrangementState.TEAM_LEADER_APPROVED


def test_r4_a_plan_linked_request_cannot_be_approved_on_its_own(jamie, alice, tess):
    plan = plan_with_request(jamie, alice)
    services.plan_submit(plan=plan, actor=alice)
    with pytest.raises(InvalidState, match="signing off that plan version"):
        approvals_services.arrangement_approve(arrangement=plan.arrangement, actor=tess, rationale="Fine")
    assert Arrangement.objects.get(pk=plan.arrangement_id).state == ArrangementState.REQUESTED


def test_r3_refused_when_the_plan_is_not_ready_and_nothing_changes(jamie, alice, tess):
    # Not submitted: no sign-off, no approval.
    plan = plan_with_request(jamie, alice)
    with pytest.raises(InvalidState):
        services.arrangement_approve_on_plan(arrangement=plan.arrangement, actor=tess, rationale="Fine")
    # Without the PA's assessment (R3) the plan does not reach the Team Leader.
    services.plan_update(plan=plan, actor=alice, content={"arrangement_assessment": ""})
    with pytest.raises(ServiceError, match="assessment"):
        services.plan_submit(plan=plan, actor=alice)
    services.plan_update(plan=plan, actor=alice, content={"arrangement_assessment": REDUCED["arrangement_assessment"]})
    services.plan_submit(plan=plan, actor=alice)
    # No rationale: refused, nothing changes.
    with pytest.raises(ServiceError, match="rationale"):
        services.plan_sign_off(plan=plan, actor=tess)
    # R1 no longer holds (now vulnerable): the approval refuses and the sign-off is rolled back with it.
    jamie.vulnerable = True
    jamie.save()
    with pytest.raises(ServiceError, match="vulnerable"):
        services.plan_sign_off(plan=plan, actor=tess, comments="Approve")
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED and plan.review_date is None
    assert plan.arrangement.state == ArrangementState.REQUESTED
    assert not ArrangementDecision.objects.filter(arrangement=plan.arrangement, step=Step.TEAM_LEADER).exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.PLAN_SIGNED_OFF).exists()


def test_r3_a_plan_asking_for_reduced_visits_must_say_contact_not_visits(jamie, alice):
    plan = services.plan_start(young_person=jamie, actor=alice)
    services.plan_arrangement_request(plan=plan, actor=alice, details=ELIGIBLE, keeping_in_touch="Texts")
    with pytest.raises(ServiceError, match="contradict the reduced visits request this plan carries"):
        services.plan_update(plan=plan, actor=alice, content=READY)  # still says visits every 8 weeks
    plan.refresh_from_db()
    assert plan.contact_method == "" and plan.arrangement.state == ArrangementState.REQUESTED


def test_r3_other_teams_pa_cannot_request_on_the_plan_and_tl_of_another_team_cannot_sign_off(jamie, alice, charlie,
                                                                                              trent):
    plan = services.plan_start(young_person=jamie, actor=alice)
    with pytest.raises(NotAllowed):
        services.plan_arrangement_request(plan=plan, actor=charlie, details=ELIGIBLE, keeping_in_touch="x")
    plan.refresh_from_db()
    services.plan_arrangement_request(plan=plan, actor=alice, details=ELIGIBLE, keeping_in_touch="x")
    services.plan_update(plan=plan, actor=alice, content=REDUCED)
    visited(jamie)
    services.plan_submit(plan=plan, actor=alice)
    with pytest.raises(NotAllowed):
        services.plan_sign_off(plan=plan, actor=trent, comments="Not mine")


def test_r1_request_on_plan_refused_for_an_ineligible_young_person(alice):
    young = make_young_person(alice, age=17)
    plan = services.plan_start(young_person=young, actor=alice)
    with pytest.raises(ServiceError, match="18 or over"):
        services.plan_arrangement_request(plan=plan, actor=alice, details=ELIGIBLE, keeping_in_touch="x")
    assert not Arrangement.objects.exists()


# --- item 4: the document and sharing it (P4) -----------------------------------------------------------

def test_the_pdf_of_a_signed_off_plan_is_addressed_to_the_young_person(client, jamie, alice, tess, settings):
    settings.SERVICE_NAME = "Northshire Leaving Care Service"
    settings.SERVICE_OFFICE_PHONE = "01234 567890"
    plan = signed_off(jamie, alice, tess, contingency_plan="If your tenancy is at risk, call Alice the same day.")
    login(client, alice)
    response = client.get(reverse("pathway:pdf", args=[plan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Your pathway plan" in text
    assert f"Dear {jamie.name}" in text
    assert "Northshire Leaving Care Service" in text and "01234 567890" in text
    assert "Apply for the setting-up-home allowance" in text  # the actions, with who and status
    assert "If your tenancy is at risk, call Alice the same day." in text
    assert "I will visit you at least every 8 weeks" in text
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("DejaVu" in f or "Liberation" in f for f in fonts), fonts  # real fonts, embedded
    assert AuditEvent.objects.filter(kind=AuditKind.PLAN_DOCUMENT, object_id=str(plan.pk)).exists()


def test_no_pdf_of_a_draft_and_none_for_another_team(client, jamie, alice, charlie):
    plan = services.plan_start(young_person=jamie, actor=alice)
    login(client, alice)
    assert client.get(reverse("pathway:pdf", args=[plan.pk])).status_code == 404
    login(client, charlie)
    assert client.get(reverse("pathway:pdf", args=[plan.pk])).status_code == 404


def test_p4_an_unshared_plan_shows_on_the_caseload_and_the_pa_is_told(client, jamie, alice, tess, time_machine):
    plan = signed_off(jamie, alice, tess)
    assert plan.share_by == timezone.localdate() + dt.timedelta(days=14)  # the pack's plan_shared_within_days
    login(client, alice)
    assert "Plan not shared" not in client.get(reverse("caseload")).content.decode()
    later = timezone.localdate() + dt.timedelta(days=15)
    assert services.plans_unshared_notify(today=later) == 1
    assert services.plans_unshared_notify(today=later) == 0  # told once
    assert Notification.objects.get(kind="plan_not_shared").recipient == alice
    time_machine.move_to(dt.datetime.combine(later, dt.time(12)), tick=False)
    login(client, alice)  # the session's absolute limit passed with the clock
    assert "Plan not shared" in client.get(reverse("caseload")).content.decode()
    services.plan_record_shared(plan=plan, actor=alice, shared_on=later, how="in_person", today=later)
    assert "Plan not shared" not in client.get(reverse("caseload")).content.decode()


def test_caseload_query_count_is_fixed_with_unshared_plans(client, alice, tess):
    login(client, alice)
    for _ in range(3):
        signed_off(make_young_person(alice), alice, tess)
    url = reverse("caseload")
    client.get(url)  # the day's caseload summary is brought up to date once (issue 16); the counts below are after it
    few = count_queries(lambda: client.get(url))
    for _ in range(3):
        signed_off(make_young_person(alice), alice, tess)
    assert count_queries(lambda: client.get(url)) == few


# --- items 5 and 6: reading the plan ---------------------------------------------------------------------

def test_what_changed_since_the_last_version_is_highlighted(client, jamie, alice, tess):
    signed_off(jamie, alice, tess)
    second = services.plan_start(young_person=jamie, actor=alice)
    services.plan_update(plan=second, actor=alice, content={"health_words": "I have started running.",
                                                            "participation": "took_part"})
    login(client, alice)
    page = client.get(reverse("pathway:detail", args=[second.pk])).content.decode()
    assert "What changed since version 1" in page
    assert "I have started running." in page and "<del>I feel fine.</del>" in page
    assert "New action" not in page  # carried actions are not new
    assert 'class="table-warning"' in page  # the changed need's row


def test_an_earlier_plan_reads_as_earlier_plan_text(client, jamie, alice):
    old = PathwayPlan.objects.create(young_person=jamie, version=1, state=PlanState.SIGNED_OFF,
                                     review_date=dt.date(2026, 1, 5), health="Asthma, inhaler.", money="Budgets well.")
    login(client, alice)
    page = client.get(reverse("pathway:detail", args=[old.pk])).content.decode()
    assert "Earlier plan text" in page and "Asthma, inhaler." in page and "Budgets well." in page


def test_reg_8_2_b_shows_on_the_plan(client, jamie, alice, tess):
    plan = signed_off(jamie, alice, tess)
    login(client, alice)
    page = client.get(reverse("pathway:detail", args=[plan.pk])).content.decode()
    assert "Visit since the previous review" in page and "reg 8(2)(b)" in page


def test_plan_page_query_count_is_the_same_for_short_and_long_histories(client, jamie, alice, tess):
    first = signed_off(jamie, alice, tess)
    login(client, alice)
    short = count_queries(lambda: client.get(reverse("pathway:detail", args=[first.pk])))
    latest = first
    for n in range(6):
        plan = services.plan_start(young_person=jamie, actor=alice)
        services.plan_update(plan=plan, actor=alice, content={**READY, "health_words": f"Version {n}"},
                             actions=[{"what": f"Action {n}", "who": "Alice", "status": "in_progress"}])
        services.plan_submit(plan=plan, actor=alice)
        latest = services.plan_sign_off(plan=plan, actor=tess, no_visit_reason="Seen last week at the office.")
    assert latest.version == 7 and latest.actions.count() > 1
    # session / user / staff / plan / audit / previous version / actions / decisions / visit x2 / arrangement / ...
    assert count_queries(lambda: client.get(reverse("pathway:detail", args=[latest.pk]))) == short


def test_p4_the_nightly_run_tells_the_pa_of_an_unshared_plan(jamie, alice, tess):
    plan = signed_off(jamie, alice, tess)
    nightly_run(as_of=plan.share_by + dt.timedelta(days=1))
    assert Notification.objects.filter(kind="plan_not_shared", recipient=alice).count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.PLAN_UNSHARED_REMINDED, object_id=str(plan.pk)).exists()


def test_p4_sharing_records_how_and_clears_the_share_by_date(jamie, alice, tess):
    plan = signed_off(jamie, alice, tess)
    with pytest.raises(ServiceError, match="how"):
        services.plan_record_shared(plan=plan, actor=alice, shared_on=timezone.localdate(), how="pigeon")
    services.plan_record_shared(plan=plan, actor=alice, shared_on=timezone.localdate(), how="post")
    plan.refresh_from_db()
    assert (plan.shared_how, plan.share_by) == ("post", None)
    assert plan.decisions.last().comments.endswith("(by post)")


def test_r3_only_the_pa_asks_on_the_plan(jamie, alice, tess, sol):
    plan = services.plan_start(young_person=jamie, actor=alice)
    for actor in (tess, sol):
        with pytest.raises(NotAllowed):
            services.plan_arrangement_request(plan=plan, actor=actor, details=ELIGIBLE, keeping_in_touch="x")
    assert not Arrangement.objects.exists()


def test_r4_the_service_leader_cannot_sign_off_the_plan_carrying_the_request(jamie, alice, sol):
    plan = plan_with_request(jamie, alice)
    services.plan_submit(plan=plan, actor=alice)
    with pytest.raises(NotAllowed):
        services.plan_sign_off(plan=plan, actor=sol, comments="Agreed")
    assert PathwayPlan.objects.get(pk=plan.pk).state == PlanState.SUBMITTED


def test_r4_other_teams_leader_gets_404_on_approve_on_plan(client, jamie, alice, trent):
    plan = plan_with_request(jamie, alice)
    services.plan_submit(plan=plan, actor=alice)
    login(client, trent)
    assert client.post(reverse("pathway:approve_on_plan", args=[plan.arrangement_id]),
                       {"rationale": "x"}).status_code == 404
