"""Issue 12 (items 4-7), item 4: documents on the record: upload, refusals with nothing stored, versions, audited
downloads, per persona."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse

from careleavers.documents import document_open, document_upload
from careleavers.models import Document, DocumentKind
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditEvent, AuditKind
from tests.careleavers.helpers import today, young_person
from tests.conftest import login

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_MAX_BYTES = 1024
    return tmp_path


def stored(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


def upload(yp, actor, name="passport.pdf", content=PDF, **overrides):
    values = {"young_person": yp, "actor": actor, "kind": DocumentKind.IDENTITY, "title": "Passport",
              "dated": today(), "upload": SimpleUploadedFile(name, content), "today": today()}
    values.update(overrides)
    return document_upload(**values)


@pytest.mark.parametrize(("name", "content"), [("passport.pdf", PDF), ("photo.PNG", PNG), ("letter.docx", None)])
def test_upload_stores_the_file_under_a_random_name_with_its_type_and_hash(alice, media, name, content):
    yp = young_person(alice)
    document = upload(yp, alice, name=name, content=content if content is not None else docx())
    assert document.original_name == name
    assert name not in document.file.name and document.file.name.startswith(f"documents/{yp.pk}/")
    assert len(stored(media)) == 1 and document.size == stored(media)[0].stat().st_size
    assert len(document.sha256) == 64 and document.uploaded_by == alice
    assert AuditEvent.objects.get(kind=AuditKind.DOCUMENT_UPLOADED).data["size"] == document.size


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.pdf", b"", "The file is empty"),
    ("big.pdf", PDF + b"x" * 2000, "the largest accepted is"),
    ("run.exe", b"MZ\x90\x00", "Files of this type cannot be uploaded"),
    ("fake.pdf", b"<html>not a pdf</html>", "its content is not a PDF"),
    ("fake.png", PDF, "its content is not a PNG image"),
    ("fake.docx", b"PK\x03\x04 not a zip", "its content is not a Word document"),
])
def test_a_refused_upload_says_why_and_stores_nothing(alice, media, name, content, message):
    yp = young_person(alice)
    with pytest.raises(ServiceError, match=message) as refused:
        upload(yp, alice, name=name, content=content)
    assert refused.value.field == "file"
    assert stored(media) == [] and not Document.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.DOCUMENT_UPLOADED).exists()


def test_the_upload_page_shows_the_refusal_next_to_the_file_and_stores_nothing(client, alice, media):
    yp = young_person(alice)
    login(client, alice)
    response = client.post(reverse("document_new", args=[yp.pk]), {
        "kind": "identity", "title": "Passport", "dated": today().isoformat(),
        "file": SimpleUploadedFile("big.pdf", PDF + b"x" * 2000)})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["The file is 2 KB; the largest accepted is 1 KB."]
    empty = client.post(reverse("document_new", args=[yp.pk]), {
        "kind": "identity", "title": "Passport", "dated": today().isoformat(), "file": SimpleUploadedFile("e.pdf", b"")})
    assert "The file is empty" in empty.context["form"].errors["file"][0]
    assert stored(media) == [] and not Document.objects.exists()


def test_a_newer_version_supersedes_and_nothing_is_deleted(alice, media):
    yp = young_person(alice)
    first = upload(yp, alice)
    second = upload(yp, alice, supersedes=first, title="Passport (renewed)")
    assert second.supersedes == first and Document.objects.count() == 2 and len(stored(media)) == 2
    with pytest.raises(InvalidState):  # a version is superseded once: replace the newest
        upload(yp, alice, supersedes=first)
    other = young_person(alice)
    with pytest.raises(NotAllowed):
        upload(other, alice, supersedes=second)
    assert len(stored(media)) == 2


def test_who_uploads_per_persona(alice, charlie, tess, trent, sol):
    yp = young_person(alice)
    for refused in (charlie, trent, sol):
        with pytest.raises(NotAllowed):
            upload(yp, refused)
    assert upload(yp, tess).uploaded_by == tess


def test_every_download_checks_permission_and_is_audited(client, alice, charlie, tess, trent, sol):
    yp = young_person(alice)
    document = upload(yp, alice)
    url = reverse("document_download", args=[yp.pk, document.pk])
    for stranger in (charlie, trent):
        assert login(client, stranger).get(url).status_code == 404
    for reader in (alice, tess, sol):
        response = login(client, reader).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment") and response["Content-Type"] == "application/pdf"
    downloads = AuditEvent.objects.filter(kind=AuditKind.DOCUMENT_DOWNLOADED)
    assert sorted(e.actor.ref for e in downloads) == ["alice", "sol", "tess"]
    with pytest.raises(NotAllowed):
        document_open(document=document, actor=charlie)
    # Another young person's id in the URL is not found either.
    other = young_person(charlie)
    assert login(client, charlie).get(reverse("document_download", args=[other.pk, document.pk])).status_code == 404


def test_documents_page_and_panel_list_versions(client, alice, media):
    yp = young_person(alice)
    first = upload(yp, alice)
    upload(yp, alice, supersedes=first, title="Passport (renewed)")
    login(client, alice)
    page = client.get(reverse("documents", args=[yp.pk])).content.decode()
    assert "Replaced by a newer version" in page and "Passport (renewed)" in page
    record = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert "Passport (renewed)" in record and "1 earlier version" in record


def test_no_public_media_url():
    with pytest.raises(Resolver404):
        resolve("/media/documents/1/x.pdf")
