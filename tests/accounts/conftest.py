import pytest
from django_otp.oath import totp


@pytest.fixture
def second_factor_on(settings):
    settings.OTP_REQUIRED = True
    return settings


def code_for(device) -> str:
    """The code an authenticator app would show now for `device`."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in_with_password(client, staff, password="correct horse battery", **extra):
    return client.post("/login/", {"username": staff.user.username, "password": password}, **extra)
