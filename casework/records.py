"""Pages on a record's legal status (T8) and the duty admin's card list (T9). Views parse, call a
selector or service, and render; a young person the user may not see (or, for the duty admin, one not
on the card list) is a 404, an action they may not take on a record they see is a 403."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from careleavers import services
from careleavers.models import CardKind, LegalStatusChange
from careleavers.selectors import SEASONAL_CARD_MONTH, card_list_for, card_recipient_for, young_person_for
from compliance import services as compliance_services
from compliance.selectors import due_summary
from core.decorators import require_perm, staff_required
from core.errors import ServiceError
from core.forms import add_service_error

from .forms import CardSentForm, LegalStatusForm

CHANGE_STATUS = "careleavers.change_legal_status"
SEND_CARDS = "careleavers.send_cards"


@staff_required
def legal_status_change(request, pk: int, *, staff):
    """T8: the young person's Team Leader records a change of legal status from a date, with the reason."""
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, CHANGE_STATUS, young_person, "Only the young person's Team Leader changes their legal status.")
    initial = {"status": young_person.legal_status, "pa_service": young_person.pa_service}
    form = LegalStatusForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            change = compliance_services.legal_status_change(
                young_person=young_person, actor=staff, status=values["status"], from_date=values["from_date"],
                reason=values["reason"], pa_service=values["pa_service"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Legal status recorded: {change}. {due_summary(young_person)}")
            return redirect("young_person", pk=young_person.pk)
    changes = LegalStatusChange.objects.filter(young_person=young_person).select_related("recorded_by").order_by("-from_date")
    return render(request, "careleavers/legal_status_form.html", {
        "yp": young_person, "form": form, "error_forms": [form], "changes": changes,
    })


@staff_required
def cards(request, *, staff):
    """T9: the duty admin's list of section 24 young people without a PA service due a card this month."""
    require_perm(request.user, SEND_CARDS, None, "The card list is for the duty admin.")
    today = timezone.localdate()
    return render(request, "careleavers/cards.html", {
        "today": today, "people": list(card_list_for(request.user, today=today)),
        "seasonal": today.month == SEASONAL_CARD_MONTH, "kinds": CardKind,
    })


@staff_required
@require_POST
def card_sent(request, pk: int, *, staff):
    require_perm(request.user, SEND_CARDS, None, "The card list is for the duty admin.")
    today = timezone.localdate()
    young_person = card_recipient_for(request.user, pk=pk, today=today)
    form = CardSentForm(request.POST)
    if form.is_valid():
        try:
            card = services.card_record_sent(young_person=young_person, actor=staff, today=today, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{card.get_kind_display()} to {young_person.name} recorded.")
    else:
        messages.error(request, "Give the card and the date it was sent.")
    return redirect("cards")
