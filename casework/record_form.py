"""The case record's create pages (issue 11: an address, a key professional, accommodation, an activity) share one
shape and one template: a valid POST runs the record once (the form's one-time token, core.idempotency), a refusal
shows next to its field (core.forms.add_service_error), and otherwise the form is drawn again."""

from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import render

from core.idempotency import submit_once


def record_form_page(request, *, young_person, form, record: Callable[[], HttpResponse], **page) -> HttpResponse:
    """`record` reads `form.cleaned_data` and returns the redirect; `page` is the template's title, back link
    (`back`, `back_label`), `submit` label and `intro`."""
    if (done := submit_once(request, form, record)) is not None:
        return done
    return render(request, "casework/case_record/form.html",
                  {"yp": young_person, "form": form, "error_forms": [form], **page})
