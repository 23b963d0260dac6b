"""The sign-in backend: Django's ModelBackend, reading the member of staff with the user.

Every page asks for the signed-in member of staff (core.rules.staff_of, the navigation, the visibility rules), so
`get_user` reads the staff record in the same query as the user (issue 16: one query fewer on every signed-in
request), and whether the second factor's device the session names is still there and confirmed
(accounts.middleware.OTPMiddleware: one query fewer again)."""

from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, QuerySet

#: What sessions made before this backend name (Django stores the backend's dotted path in the session and refuses a
#: path missing from AUTHENTICATION_BACKENDS): accounts.middleware.AuthenticationMiddleware reads them with this one.
LEGACY_BACKEND = "django.contrib.auth.backends.ModelBackend"
BACKEND = "accounts.backends.StaffModelBackend"


#: The device (a queryset of it, django-otp's own lookup of the persistent id) that the session being read names:
#: set by accounts.middleware.OTPMiddleware only while it reads the user, so that get_user answers in the same query
#: whether it still belongs to them and is confirmed (`otp_device_confirmed`).
SESSION_DEVICE: ContextVar[QuerySet | None] = ContextVar("session_device", default=None)


class StaffModelBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        users = user_model._default_manager.select_related("staff")  # noqa: SLF001  (as ModelBackend)
        device = SESSION_DEVICE.get()
        if device is not None:
            users = users.annotate(otp_device_confirmed=Exists(device.filter(user=OuterRef("pk"), confirmed=True)))
        try:
            user = users.get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        user_model = get_user_model()
        try:
            user = await user_model._default_manager.select_related("staff").aget(pk=user_id)  # noqa: SLF001
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
