"""Documents on a young person's record (issue 12, item 4): upload, supersede, open for download.

Files go through Django's storage API (STORAGES["default"]: local files or an S3-compatible store). A file is
checked before anything is stored: not empty, not larger than DOCUMENT_MAX_BYTES, and its content (not only its
name) one of the accepted types. Documents are never deleted: a newer version supersedes one. Every download is
an audit event (document_open), and there is no public URL for a document.
"""

import datetime as dt
import hashlib
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO

import rules
from django.conf import settings
from django.core.files.base import File
from django.db import transaction

from core.audit import audit_record
from core.dates import british
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditKind
from core.rules import refusal

from .models import Document, DocumentKind, Staff, YoungPerson


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", (".pdf",))
PNG = FileType("PNG image", "image/png", (".png",))
JPEG = FileType("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
DOCX = FileType("Word document (.docx)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                (".docx",))
#: The accepted types, by what the file's own bytes say it is.
ACCEPTED = (PDF, PNG, JPEG, DOCX)
ACCEPTED_NAMES = "PDF, PNG, JPEG or Word (.docx)"


def size_label(size: int) -> str:
    """A size in plain words: "750 KB", "2.5 MB", "10 MB"."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def sniff(head: bytes, file: IO[bytes]) -> FileType | None:
    """What the content is, from its first bytes (a .docx is a zip holding word/document.xml)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except zipfile.BadZipFile:
            return None
    return None


def check_upload(*, name: str, size: int, file: IO[bytes]) -> tuple[FileType, str]:
    """The file's type and SHA-256, or a ServiceError on the `file` field saying why it is refused."""
    if size <= 0:
        raise ServiceError("The file is empty: choose the document again.", field="file")
    limit = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise ServiceError(f"The file is {size_label(size)}; the largest accepted is {size_label(limit)}.", field="file")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = next((t for t in ACCEPTED if extension in t.extensions), None)
    if claimed is None:
        raise ServiceError(f"Files of this type cannot be uploaded: upload a {ACCEPTED_NAMES} file.", field="file")
    file.seek(0)
    head = file.read(8)
    actual = sniff(head, file)
    if actual is not claimed:
        raise ServiceError(
            f"The file's name ends in {extension} but its content is not a {claimed.label}: "
            f"upload a {ACCEPTED_NAMES} file.", field="file")
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(64 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return actual, digest.hexdigest()


@transaction.atomic
def document_upload(*, young_person: YoungPerson, actor: Staff, kind: str, title: str, dated: dt.date,
                    upload: File, supersedes: Document | None = None, today: dt.date | None = None) -> Document:
    """A document on the record, or a newer version of one (which then supersedes it). Nothing is stored when the
    upload is refused; the file is stored under a random name, never its own."""
    reason = refusal("careleavers.upload_document", actor.user, young_person)
    if reason is not None:
        raise NotAllowed(reason)
    if kind not in DocumentKind.values:
        raise ServiceError("Choose the type of document.", field="kind")
    title = title.strip()
    if not title:
        raise ServiceError("Give the document a title (what it is).", field="title")
    if today is not None and dated > today:
        raise ServiceError(f"The date of the document cannot be in the future (today is {british(today)}).", field="dated")
    if supersedes is not None:
        supersedes = Document.objects.select_for_update().get(pk=supersedes.pk)
        if supersedes.young_person_id != young_person.pk:
            raise NotAllowed("That document belongs to another young person.")
        if Document.objects.filter(supersedes=supersedes).exists():
            raise InvalidState("A newer version of that document has already been uploaded: replace the newest one.")
    name = (upload.name or "").rsplit("/", 1)[-1][:255]
    size = upload.size or 0
    file_type, sha256 = check_upload(name=name, size=size, file=upload)
    document = Document(
        young_person=young_person, kind=kind, title=title[:200], dated=dated, original_name=name,
        stored_as=f"{uuid.uuid4().hex}{file_type.extensions[0]}", content_type=file_type.content_type, size=size,
        sha256=sha256, uploaded_by=actor, supersedes=supersedes,
    )
    document.file.save(document.stored_as, upload, save=False)
    try:
        document.save()
        audit_record(kind=AuditKind.DOCUMENT_UPLOADED, actor=actor, young_person=young_person, obj=document,
                     document_kind=kind, size=size, content_type=file_type.content_type, sha256=sha256,
                     supersedes=supersedes.pk if supersedes is not None else None)
    except Exception:
        # The row did not commit: the stored file would be an orphan nobody can reach, so it goes too.
        document.file.storage.delete(document.file.name)
        raise
    return document


def document_open(*, document: Document, actor: Staff) -> IO[bytes]:
    """The stored file for a download, after the permission check; the download is an audit event."""
    if not rules.has_perm("careleavers.view_documents", actor.user, document.young_person):
        raise NotAllowed("This young person is not on your caseload.")
    audit_record(kind=AuditKind.DOCUMENT_DOWNLOADED, actor=actor, young_person=document.young_person, obj=document,
                 document_kind=document.kind, sha256=document.sha256)
    return document.file.storage.open(document.file.name, "rb")
