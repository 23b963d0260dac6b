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
    """Put a service's refusal next to the field it is about, or at the top of the form."""
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, str(exc))
