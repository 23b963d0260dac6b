"""Form pieces every app uses: date and time inputs, and the one way a view shows a refusal."""

from django import forms
from django.utils import timezone

from .errors import ServiceError


class DateInput(forms.DateInput):
    """<input type="date">, whose value must be ISO (YYYY-MM-DD) or the browser shows it blank (issue 15,
    item 2). `past=True`: a date that cannot be in the future, so the picker stops at today (`max`, read when
    the form is drawn, not when the module was loaded)."""

    input_type = "date"

    def __init__(self, *, past: bool = False, **kwargs):
        kwargs.pop("format", None)
        super().__init__(format="%Y-%m-%d", **kwargs)
        self.past = past

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.past and "max" not in context["widget"]["attrs"]:
            context["widget"]["attrs"]["max"] = timezone.localdate().isoformat()
        return context


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def add_service_error(form, exc: ServiceError) -> None:
    """Put a service's refusal once, next to the field it is about or at the top of the form; a refusal
    with several reasons (R1, D1) lists every one of them."""
    field = exc.field if exc.field in form.fields else None
    if not exc.reasons:
        form.add_error(field, str(exc))
        return
    form.add_error(field, f"{exc.lead or 'This cannot be done'}:")
    for reason in exc.reasons:
        form.add_error(field, reason[:1].upper() + reason[1:] + ".")
