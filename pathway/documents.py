"""The pathway plan as a document the young person gets a copy of (issue 13, item 4; P4).

Every signed-off version renders as a PDF with WeasyPrint (as casework.subject_access does), in the machine's
own fonts (DejaVu Sans, then Liberation Sans: nothing is fetched from the internet), with the council's name
and contact details from settings, in plain words addressed to the young person. Producing it is audited;
sharing it is recorded separately (pathway.services.plan_record_shared: when and how).
"""

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from careleavers.models import Staff
from core.audit import audit_record
from core.errors import InvalidState
from core.models import AuditKind

from .models import DIMENSION_FIELDS, ENTITLEMENTS, ContactMethod, Dimension, PathwayPlan, PlanState
from .selectors import actions_of
from .structure import dimensions_for

_CSS = CSS(string="""
    @page { size: A4; margin: 18mm 16mm;
            @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; } }
    body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 11pt; line-height: 1.4; }
    h1 { font-size: 18pt; margin-bottom: 2pt; } h2 { font-size: 13pt; margin-top: 16pt; border-bottom: 1px solid #888; }
    h3 { font-size: 11pt; margin: 10pt 0 2pt; }
    table { border-collapse: collapse; width: 100%; font-size: 10pt; }
    th, td { border: 1px solid #999; padding: 3pt; text-align: left; vertical-align: top; }
    .muted { color: #555; } .box { border: 1px solid #888; padding: 6pt; }
""")

#: How we keep in touch, said to the young person.
CONTACT_SAID = {
    ContactMethod.VISITS: "I will visit you",
    ContactMethod.CONTACT: "I will keep in touch by phone, text, message or card",
    ContactMethod.VISIT_OFFER: "I will offer you a visit, by letter, text, email or message",
    ContactMethod.LEAD_WORKER: "I will keep in touch through your social worker",
}


def document_context(plan: PathwayPlan) -> dict:
    actions = actions_of(plan)[plan.pk]
    needs = []
    for dimension in dimensions_for(plan.kind):
        assessment, words = DIMENSION_FIELDS[dimension]
        if getattr(plan, words) or getattr(plan, assessment):
            needs.append({"label": Dimension(dimension).label, "words": getattr(plan, words),
                          "assessment": getattr(plan, assessment),
                          "actions": [a for a in actions if a.dimension == dimension]})
    pa: Staff | None = plan.pa or plan.young_person.pa
    return {
        "plan": plan, "yp": plan.young_person, "pa": pa, "needs": needs, "actions": actions,
        "contact_said": CONTACT_SAID.get(plan.contact_method, ""),
        "entitlements": [(label, getattr(plan, name)) for name, label in ENTITLEMENTS.items()],
        "service_name": settings.SERVICE_NAME, "office_address": settings.SERVICE_OFFICE_ADDRESS,
        "office_phone": settings.SERVICE_OFFICE_PHONE, "office_email": settings.SERVICE_OFFICE_EMAIL,
    }


def plan_document(*, plan: PathwayPlan, actor: Staff) -> bytes:
    """The PDF of a signed-off version (a draft is not a plan the young person is given). Audited."""
    if plan.state != PlanState.SIGNED_OFF:
        raise InvalidState("Only a signed-off plan is given to the young person: sign it off first.")
    html = render_to_string("pathway/plan_document.html", document_context(plan))
    pdf = HTML(string=html).write_pdf(stylesheets=[_CSS])
    audit_record(kind=AuditKind.PLAN_DOCUMENT, actor=actor, young_person=plan.young_person, obj=plan,
                 version=plan.version)
    return pdf
