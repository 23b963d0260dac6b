"""Form pieces every app uses: date and time inputs, and the one way a view shows a refusal."""

from django import forms

from .errors import ServiceError


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


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
