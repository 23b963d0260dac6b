"""Issue 12, item 1: case notes as records of their own. Anyone who may see a young person writes one; a
correction is a new version with its reason (managers read the earlier text, others the current one); a restricted
note (safeguarding detail) is read only by managers and the allocated PA; the length is capped with a clear
message. Per persona: alice (North PA, allocated), bob (North PA covering the case), charlie (South PA), tess
(North TL), trent (South TL), sol (SL), hana (HoS), dana (duty admin)."""

import datetime as dt

import pytest
import rules
from django.urls import reverse
from django.utils import timezone

from careleavers.models import CASE_NOTE_MAX_LENGTH, CaseNote, CaseNoteKind, Cover, Role
from careleavers.selectors import case_notes_for
from careleavers.services import case_note_add, case_note_correct, case_note_write
from casework.timeline import timeline_for
from core.errors import NotAllowed, ServiceError, StaleVersion
from core.models import AuditEvent, AuditKind
from tests.conftest import login
from tests.factories import StaffFactory
from tests.pathway.helpers import count_queries, make_young_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def jamie(alice):
    return make_young_person(alice, name="Jamie Doe")


@pytest.fixture
def bob(north, jamie):
    """A North PA covering jamie's case today: sees the record, is not the allocated PA."""
    bob = StaffFactory(ref="bob", name="Bob Brown", role=Role.PA, team=north)
    today = timezone.localdate()
    Cover.objects.create(young_person=jamie, pa=bob, start=today - dt.timedelta(days=1), end=today + dt.timedelta(days=7))
    return bob


@pytest.fixture
def dana(db):
    return StaffFactory(ref="dana", name="Dana Duty", role=Role.DUTY_ADMIN, team=None)


def write(yp, actor, *, kind=CaseNoteKind.GENERAL, subject="Phone call", text="Spoke about college.", restricted=False):
    return case_note_write(young_person=yp, actor=actor, kind=kind, subject=subject, text=text, restricted=restricted)


def persona(request, name):
    return request.getfixturevalue(name)


# --- writing ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["alice", "bob", "tess", "sol", "hana"])
def test_anyone_who_sees_the_young_person_writes_a_note(request, jamie, who):
    actor = persona(request, who)
    note = write(jamie, actor, kind=CaseNoteKind.PROFESSIONAL, subject="Call from the GP")
    assert (note.author, note.kind, note.version, note.young_person) == (actor, "professional", 1, jamie)
    event = AuditEvent.objects.get(kind=AuditKind.CASE_NOTE_WRITTEN)
    assert (event.actor, event.young_person, event.data["note_kind"]) == (actor, jamie, "professional")


@pytest.mark.parametrize(("who", "message"), [
    ("charlie", "This young person is not on your caseload."),
    ("trent", "This young person is not on your caseload."),
    ("dana", "Only Personal Advisers and managers can write to a young person's record."),
])
def test_someone_who_does_not_see_the_young_person_writes_nothing(request, jamie, who, message):
    with pytest.raises(NotAllowed) as exc:
        write(jamie, persona(request, who))
    assert str(exc.value) == message
    assert not CaseNote.objects.exists()


@pytest.mark.parametrize(("who", "allowed"), [("alice", False), ("bob", False), ("tess", True), ("sol", True),
                                              ("hana", True)])
def test_management_oversight_is_written_by_a_manager_of_the_case(request, jamie, who, allowed):
    actor = persona(request, who)
    if not allowed:
        with pytest.raises(NotAllowed, match="management oversight"):
            write(jamie, actor, kind=CaseNoteKind.OVERSIGHT)
        assert not CaseNote.objects.exists()
        return
    note = write(jamie, actor, kind=CaseNoteKind.OVERSIGHT, subject="Oversight", text="Reviewed: visits on track.")
    assert note.kind == "oversight"
    assert AuditEvent.objects.get(kind=AuditKind.OVERSIGHT_RECORDED).actor == actor


@pytest.mark.parametrize("kind", ["contact", "plan", "supervision", "nonsense"])
def test_system_and_supervision_kinds_are_not_written_from_the_form(jamie, alice, kind):
    with pytest.raises(ServiceError) as exc:
        write(jamie, alice, kind=kind)
    assert exc.value.field == "kind"


def test_the_length_is_capped_with_a_clear_message_and_nothing_is_stored(jamie, alice):
    with pytest.raises(ServiceError) as exc:
        write(jamie, alice, text="x" * (CASE_NOTE_MAX_LENGTH + 1))
    assert exc.value.field == "text"
    assert str(exc.value) == ("A case note can be at most 10,000 characters; this one is 10,001. "
                              "Shorten it, or split it into two notes.")
    assert not CaseNote.objects.exists()
    assert write(jamie, alice, text="x" * CASE_NOTE_MAX_LENGTH).text == "x" * CASE_NOTE_MAX_LENGTH


@pytest.mark.parametrize(("field", "values"), [("subject", {"subject": "  "}), ("text", {"text": ""})])
def test_a_note_needs_a_subject_and_a_text(jamie, alice, field, values):
    with pytest.raises(ServiceError) as exc:
        write(jamie, alice, **values)
    assert exc.value.field == field


# --- corrections: new versions ---------------------------------------------------------------------------------

def correct(note, actor, *, text="Spoke about the college course.", reason="Wrong word", subject=None, **kw):
    return case_note_correct(note=note, actor=actor, subject=subject or note.subject, text=text, reason=reason, **kw)


def test_a_correction_is_a_new_version_and_the_earlier_text_is_kept(jamie, alice):
    first = write(jamie, alice)
    second = correct(first, alice)
    first.refresh_from_db()
    assert first.text == "Spoke about college." and first.version == 1  # never edited in place
    assert (second.version, second.corrects, second.original, second.correction_reason) == (2, first, first, "Wrong word")
    third = correct(second, alice, text="Third text", reason="More detail")
    assert (third.version, third.original, third.corrects) == (3, first, second)
    assert list(case_notes_for(alice.user, young_person=jamie)) == [third]  # one note, its current version
    event = AuditEvent.objects.filter(kind=AuditKind.CASE_NOTE_CORRECTED).first()
    assert (event.data["corrects"], event.data["version"], event.data["reason"]) == (second.pk, 3, "More detail")


def test_a_correction_needs_its_reason_and_a_change(jamie, alice):
    note = write(jamie, alice)
    with pytest.raises(ServiceError) as exc:
        correct(note, alice, reason="  ")
    assert exc.value.field == "reason"
    with pytest.raises(ServiceError, match="Nothing was changed"):
        correct(note, alice, text=note.text)
    assert CaseNote.objects.count() == 1


def test_correcting_a_version_someone_has_corrected_since_is_refused(jamie, alice, tess):
    note = write(jamie, alice)
    correct(note, tess, reason="Tess's correction")
    with pytest.raises(StaleVersion, match="corrected this note since you opened it"):
        correct(note, alice, text="Alice's own correction")
    assert CaseNote.objects.count() == 2


@pytest.mark.parametrize(("who", "allowed"), [("alice", True), ("bob", False), ("tess", True), ("sol", True),
                                              ("charlie", False), ("trent", False)])
def test_who_corrects_a_note_the_author_or_a_manager_of_the_case(request, jamie, alice, who, allowed):
    note = write(jamie, alice)
    actor = persona(request, who)
    if allowed:
        assert correct(note, actor).author == actor
    else:
        with pytest.raises(NotAllowed):
            correct(note, actor)
        assert CaseNote.objects.count() == 1


def test_a_note_written_with_a_contact_is_not_corrected_here(jamie, alice):
    note = case_note_add(young_person=jamie, author=alice, subject="Home visit", text="Seen", kind=CaseNoteKind.CONTACT)
    with pytest.raises(NotAllowed, match="correct that record instead"):
        correct(note, alice)


def test_a_restricted_note_stays_restricted_when_corrected(jamie, alice):
    note = write(jamie, alice, kind=CaseNoteKind.SAFEGUARDING, restricted=True)
    assert correct(note, alice, restricted=False).restricted is True
    assert correct(write(jamie, alice), alice, restricted=True).restricted is True  # a correction may restrict


def test_managers_read_the_earlier_text_others_the_current_one(client, jamie, alice, bob, tess, sol):
    first = write(jamie, alice, text="The first text")
    second = correct(first, alice, text="The corrected text", reason="Typo in the name")
    notes_url = reverse("case_notes", args=[jamie.pk])
    for manager in (tess, sol):
        login(client, manager)
        page = client.get(notes_url).content.decode()
        assert "The corrected text" in page and "The first text" in page and "Typo in the name" in page
        detail = client.get(reverse("case_note", args=[jamie.pk, second.pk])).content.decode()
        assert "Earlier versions" in detail and "The first text" in detail
        assert client.get(reverse("case_note", args=[jamie.pk, first.pk])).status_code == 200
    for pa in (alice, bob):
        login(client, pa)
        page = client.get(notes_url).content.decode()
        assert "The corrected text" in page and "The first text" not in page
        detail = client.get(reverse("case_note", args=[jamie.pk, second.pk])).content.decode()
        assert "The first text" not in detail and "managers read the earlier text" in detail
        # The earlier version's own address sends a PA to the current one.
        assert client.get(reverse("case_note", args=[jamie.pk, first.pk])).url == reverse(
            "case_note", args=[jamie.pk, second.pk])


# --- restricted notes ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "reads"), [("alice", True), ("bob", False), ("tess", True), ("sol", True),
                                            ("hana", True)])
def test_a_restricted_note_is_read_by_managers_and_the_allocated_pa_only(client, request, jamie, alice, who, reads):
    secret = write(jamie, alice, kind=CaseNoteKind.SAFEGUARDING, subject="Disclosure", text="Safeguarding detail",
                   restricted=True)
    open_note = write(jamie, alice, subject="Open note", text="Everyone on the case reads this")
    reader = persona(request, who)
    # core/rules.py
    assert rules.has_perm("careleavers.view_case_note", reader.user, secret) is reads
    assert rules.has_perm("careleavers.view_case_note", reader.user, open_note)
    # the selector
    listed = set(case_notes_for(reader.user, young_person=jamie))
    assert listed == ({secret, open_note} if reads else {open_note})
    # the pages and the timeline
    login(client, reader)
    page = client.get(reverse("case_notes", args=[jamie.pk])).content.decode()
    assert ("Safeguarding detail" in page) is reads
    assert client.get(reverse("case_note", args=[jamie.pk, secret.pk])).status_code == (200 if reads else 404)
    record = client.get(reverse("young_person", args=[jamie.pk])).content.decode()
    assert ("Safeguarding detail" in record) is reads and "Everyone on the case reads this" in record
    titles = {e.title for e in timeline_for(jamie, user=reader.user)}
    assert ("Disclosure" in titles) is reads


def test_a_restricted_note_cannot_be_corrected_by_whoever_may_not_read_it(jamie, alice, bob):
    secret = write(jamie, alice, kind=CaseNoteKind.SAFEGUARDING, restricted=True)
    with pytest.raises(NotAllowed, match="restricted"):
        correct(secret, bob)


@pytest.mark.parametrize("who", ["charlie", "trent"])
def test_another_teams_staff_get_404_for_the_notes_pages(client, request, jamie, alice, who):
    note = write(jamie, alice)
    login(client, persona(request, who))
    for url in (reverse("case_notes", args=[jamie.pk]), reverse("case_note_new", args=[jamie.pk]),
                reverse("case_note", args=[jamie.pk, note.pk]), reverse("case_note_correct", args=[jamie.pk, note.pk])):
        assert client.get(url).status_code == 404


def test_a_note_of_another_young_person_is_404_under_this_one(client, jamie, alice):
    other = make_young_person(alice, name="Other Person")
    note = write(other, alice)
    login(client, alice)
    assert client.get(reverse("case_note", args=[jamie.pk, note.pk])).status_code == 404


# --- the pages -------------------------------------------------------------------------------------------------

def test_the_write_form_saves_a_note_and_a_second_submit_adds_nothing(client, jamie, alice):
    login(client, alice)
    url = reverse("case_note_new", args=[jamie.pk])
    page = client.get(url).content.decode()
    assert "Management oversight" not in page  # a PA is not offered the manager's kind
    data = {"kind": "general", "subject": "Phone call", "text": "All well.", "once_token": "tok-1"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert CaseNote.objects.get().subject == "Phone call"


def test_the_write_form_shows_the_length_message_next_to_the_field(client, jamie, alice):
    login(client, alice)
    response = client.post(reverse("case_note_new", args=[jamie.pk]),
                           {"kind": "general", "subject": "Long", "text": "y" * 10_050})
    assert response.status_code == 400
    assert "A case note can be at most 10,000 characters; this one is 10,050." in response.content.decode()
    assert not CaseNote.objects.exists()


def test_the_correct_form_saves_a_new_version(client, jamie, alice):
    note = write(jamie, alice)
    login(client, alice)
    url = reverse("case_note_correct", args=[jamie.pk, note.pk])
    assert client.post(url, {"subject": note.subject, "text": "Fixed", "reason": ""}).status_code == 400
    response = client.post(url, {"subject": note.subject, "text": "Fixed", "reason": "Typo"})
    assert response.status_code == 302
    newest = CaseNote.objects.get(version=2)
    assert response.url == reverse("case_note", args=[jamie.pk, newest.pk])
    stale = client.post(url, {"subject": note.subject, "text": "Fixed again", "reason": "Again"})
    assert stale.status_code == 409 and "Someone corrected this note" in stale.content.decode()


def test_the_notes_page_filters_by_kind_and_pages(client, jamie, alice):
    for i in range(23):
        write(jamie, alice, subject=f"General {i}")
    write(jamie, alice, kind=CaseNoteKind.PROFESSIONAL, subject="From the GP")
    login(client, alice)
    url = reverse("case_notes", args=[jamie.pk])
    page = client.get(url).content.decode()
    assert "24 notes" in page and "Page 1 of 2" in page
    filtered = client.get(url, {"kind": "professional"}).content.decode()
    assert "From the GP" in filtered and "General 1" not in filtered
    assert "No notes of the kind" in client.get(url, {"kind": "supervision"}).content.decode()


def _notes(yp, author, count, *, corrected: bool):
    for i in range(count):
        note = write(yp, author, subject=f"Note {i}", restricted=i % 3 == 0)
        if corrected:
            correct(note, author, text=f"Corrected {i}")


@pytest.mark.parametrize("who", ["alice", "tess"])
def test_the_notes_page_runs_a_fixed_number_of_queries(client, request, jamie, alice, who):
    login(client, persona(request, who))
    url = reverse("case_notes", args=[jamie.pk])
    _notes(jamie, alice, 5, corrected=True)
    five = count_queries(lambda: client.get(url))
    _notes(jamie, alice, 45, corrected=True)
    assert count_queries(lambda: client.get(url)) == five


def test_the_young_persons_page_costs_the_same_with_5_and_50_notes(client, jamie, alice, tess):
    login(client, tess)
    url = reverse("young_person", args=[jamie.pk])
    _notes(jamie, alice, 5, corrected=True)
    five = count_queries(lambda: client.get(url))
    _notes(jamie, alice, 45, corrected=True)
    assert count_queries(lambda: client.get(url)) == five


def test_the_timeline_source_gives_author_and_kind_and_versions_for_managers(jamie, alice, tess):
    note = write(jamie, alice, kind=CaseNoteKind.PROFESSIONAL, subject="From the GP")
    correct(note, tess, reason="Date of the call")
    pa_view = [e for e in timeline_for(jamie, user=alice.user) if e.kind == "note"]
    assert [(e.kind_label, e.by, e.voided) for e in pa_view] == [("Contact from a professional", "Tess Turner", False)]
    manager_view = [e for e in timeline_for(jamie, user=tess.user) if e.kind == "note"]
    assert sorted((e.by, e.voided) for e in manager_view) == [("Alice Adams", True), ("Tess Turner", False)]


@pytest.mark.parametrize(("who", "offered"), [("alice", False), ("tess", True), ("sol", True)])
def test_managers_record_management_oversight_from_the_young_persons_page(client, request, jamie, who, offered):
    login(client, persona(request, who))
    page = client.get(reverse("young_person", args=[jamie.pk])).content.decode()
    assert ("Record management oversight" in page) is offered
    form = client.get(reverse("case_note_new", args=[jamie.pk]), {"kind": "oversight"}).content.decode()
    assert ('value="oversight" selected' in form) is offered
