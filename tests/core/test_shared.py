"""The shared layer: one error type shown once, the one way to read the active pack, the audit log read-only."""

import pytest
from django import forms

from compliance.models import PolicyPack
from compliance.packs import NoActivePack, active_pack
from core.admin import AuditEventAdmin
from core.errors import NotAllowed, ServiceError
from core.forms import add_service_error
from core.models import AuditEvent


class _Form(forms.Form):
    date = forms.DateField(required=False)


def _errors(exc) -> dict:
    form = _Form(data={})
    form.is_valid()
    add_service_error(form, exc)
    return form.errors


def test_a_refusal_about_a_field_is_shown_once_next_to_it():
    assert _errors(ServiceError("The date cannot be in the future.", field="date")) == {
        "date": ["The date cannot be in the future."]}


def test_a_refusal_about_no_field_goes_to_the_top_of_the_form():
    assert _errors(NotAllowed("You cannot do this.", field="nonsense")) == {"__all__": ["You cannot do this."]}


def test_a_refusal_with_reasons_lists_each_once():
    exc = ServiceError(reasons=["under 18 (R1)", "flagged vulnerable (R1)"], lead="This request cannot be made")
    assert str(exc) == "This request cannot be made: under 18 (R1); flagged vulnerable (R1)."
    # issue 15, item 3: rule IDs stay out of the sentences shown on the form.
    assert _errors(exc) == {"__all__": ["This request cannot be made:", "Under 18.", "Flagged vulnerable."]}


@pytest.mark.django_db
def test_the_active_pack_is_read_one_way_and_fails_loudly_when_none_is_active():
    assert active_pack().key == "england"
    PolicyPack.objects.update(is_active=False)
    with pytest.raises(NoActivePack, match="No policy pack is active"):
        active_pack()


def test_the_audit_log_is_read_only_in_the_admin(rf):
    admin = AuditEventAdmin(AuditEvent, None)
    request = rf.get("/")
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
    assert not admin.has_delete_permission(request)
