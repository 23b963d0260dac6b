from django import template
from django.utils.html import format_html

from compliance.models import RequirementCode, Status

register = template.Library()

_LABELS = dict(Status.choices)
_CODES = dict(RequirementCode.choices)


@register.simple_tag
def status_badge(status: str | None):
    if not status:
        return format_html('<span class="badge text-bg-secondary">{}</span>', "Nothing due")
    return format_html('<span class="badge status-{}">{}</span>', status, _LABELS.get(status, status))


@register.filter
def requirement_label(code: str | None) -> str:
    return _CODES.get(code, code or "")
