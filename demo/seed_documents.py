"""Demo data for issue 12 (items 4-7): a couple of documents (a small generated PDF and PNG), a corrected contact,
a key event on the chronology and a PA on duty today. Written through the services, so permissions, audit events
and the recompute all run as they would for real.

seed_demo calls `seed(today=..., staff_by_role_and_team=..., young_people=...)` (FEATURE_SEEDS) after the young
people and their histories exist (Seeder.run, before the final recompute). The files go to MEDIA_ROOT."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw
from weasyprint import HTML

from careleavers.documents import document_upload
from careleavers.duty import duty_assign
from careleavers.key_events import key_event_mark
from careleavers.models import DocumentKind, YoungPerson
from contacts.models import Contact
from contacts.services import contact_correct, contact_version
from demo.staffing import StaffByRoleAndTeam, personal_advisers, team_leaders


def _pdf(title: str, body: str) -> bytes:
    return HTML(string=f"<h1>{title}</h1><p>{body}</p>").write_pdf()


def _png(text: str) -> bytes:
    image = Image.new("RGB", (320, 200), "white")
    ImageDraw.Draw(image).text((20, 90), text, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed(*, today: dt.date, staff_by_role_and_team: StaffByRoleAndTeam, young_people: list[YoungPerson]) -> dict[str, int]:
    pas, leaders = personal_advisers(staff_by_role_and_team), team_leaders(staff_by_role_and_team)
    counts = {"documents": 0, "corrected contacts": 0, "key events": 0, "PAs on duty": 0}
    allocated = [yp for yp in young_people if yp.pa is not None][:2]
    for yp in allocated:
        pa = yp.pa
        plan = document_upload(
            young_person=yp, actor=pa, kind=DocumentKind.SIGNED_PLAN, title="Pathway plan, signed",
            dated=today - dt.timedelta(days=30), today=today,
            upload=SimpleUploadedFile("pathway-plan-signed.pdf", _pdf("Pathway plan", f"Signed by {yp.name}.")))
        document_upload(
            young_person=yp, actor=pa, kind=DocumentKind.IDENTITY, title="Passport photo page",
            dated=today - dt.timedelta(days=200), today=today,
            upload=SimpleUploadedFile("passport.png", _png(f"Passport: {yp.name} (demo)")))
        document_upload(
            young_person=yp, actor=pa, kind=DocumentKind.SIGNED_PLAN, title="Pathway plan, signed (corrected page 2)",
            dated=today - dt.timedelta(days=28), today=today, supersedes=plan,
            upload=SimpleUploadedFile("pathway-plan-signed-v2.pdf", _pdf("Pathway plan", "Page 2 corrected.")))
        counts["documents"] += 3
    if allocated:
        yp = allocated[0]
        contact = (Contact.objects.filter(young_person=yp, voided_at__isnull=True, recorded_by=yp.pa)
                   .order_by("-date", "-id").first())
        if contact is not None:
            corrected = contact_correct(
                contact=contact, actor=yp.pa, version=contact_version(contact), today=today,
                reason="The time was typed from the wrong diary entry.", date=contact.date,
                time=dt.time(16, 45) if contact.time != dt.time(16, 45) else dt.time(9, 30),
                method=contact.method, outcome=contact.outcome, note=contact.note)
            counts["corrected contacts"] += 1
            key_event_mark(young_person=yp, actor=yp.pa, source="contact", object_id=corrected.contact_id)
            counts["key events"] += 1
    if pas and pas[0].team_id in leaders:
        duty_assign(actor=leaders[pas[0].team_id], staff=pas[0], date=today, today=today)
        counts["PAs on duty"] += 1
    return counts
