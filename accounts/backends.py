"""The sign-in backend: Django's ModelBackend, reading the member of staff with the user.

Every page asks for the signed-in member of staff (core.rules.staff_of, the navigation, the visibility rules), so
`get_user` reads the staff record in the same query as the user (issue 16: one query fewer on every signed-in
request)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

#: What sessions made before this backend name (Django stores the backend's dotted path in the session and refuses a
#: path missing from AUTHENTICATION_BACKENDS): accounts.middleware.AuthenticationMiddleware reads them with this one.
LEGACY_BACKEND = "django.contrib.auth.backends.ModelBackend"
BACKEND = "accounts.backends.StaffModelBackend"


class StaffModelBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("staff").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        user_model = get_user_model()
        try:
            user = await user_model._default_manager.select_related("staff").aget(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
