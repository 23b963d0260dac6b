"""Passwords: validators refuse repeated and predictable ones; change and reset by e-mail."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.validators import SequenceValidator, VarietyValidator
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "abababababab", "abcabcabcabc", "abcdefghijkl", "qwertyuiop12",
                                      "987654321000", "zyxwvutsrqpo", "Passwordabcdef1"])
def test_repeated_and_predictable_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["correct horse battery", "Tr0ub4dor&3xample", "leaving-care-demo"])
def test_varied_passwords_pass(password):
    validate_password(password)


def test_the_validators_explain_themselves():
    with pytest.raises(ValidationError, match="too few characters"):
        VarietyValidator(6).validate("aaaaaaaaaaaa")
    with pytest.raises(ValidationError, match="predictable sequence"):
        SequenceValidator(4).validate("xx12345xx")
    SequenceValidator(4).validate("xx1234xx")


def test_password_change_refuses_aaaaaaaaaaaa_and_accepts_a_good_one(client, alice):
    login(client, alice)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    refused = client.post(url, {"old_password": "correct horse battery", "new_password1": "aaaaaaaaaaaa",
                                "new_password2": "aaaaaaaaaaaa"})
    assert refused.status_code == 200
    assert "too few characters" in refused.content.decode()
    response = client.post(url, {"old_password": "correct horse battery", "new_password1": "a quiet brown heron",
                                 "new_password2": "a quiet brown heron"})
    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password("a quiet brown heron")


def test_password_reset_by_email(client, alice):
    alice.user.email = "alice@example.gov.uk"
    alice.user.save()
    assert "Forgotten your password?" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("accounts:password_reset"), {"email": "alice@example.gov.uk"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/account/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "a quiet brown heron",
                                                    "new_password2": "a quiet brown heron"})
    assert done.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password("a quiet brown heron")


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.gov.uk"}, follow=True)
    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []
