"""The sign-in backend: Django's ModelBackend, reading the member of staff with the user.

Every page asks for the signed-in member of staff (core.rules.staff_of, the navigation, the visibility rules), so
`get_user` reads the staff record in the same query as the user (issue 16: one query fewer on every signed-in
request), and whether the second factor's device the session names is still there and confirmed
(accounts.middleware.OTPMiddleware: one query fewer again)."""

from contextvars import ContextVar
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet

from core.prepared import INT, Prepared

#: What sessions made before this backend name (Django stores the backend's dotted path in the session and refuses a
#: path missing from AUTHENTICATION_BACKENDS): accounts.middleware.AuthenticationMiddleware reads them with this one.
LEGACY_BACKEND = "django.contrib.auth.backends.ModelBackend"
BACKEND = "accounts.backends.StaffModelBackend"


#: The device (a queryset of it, django-otp's own lookup of the persistent id) that the session being read names:
#: set by accounts.middleware.OTPMiddleware only while it reads the user, so that get_user answers in the same query
#: whether it still belongs to them and is confirmed (`otp_device_confirmed`).
SESSION_DEVICE: ContextVar[QuerySet | None] = ContextVar("session_device", default=None)


@lru_cache(maxsize=16)
def _prepared(device_model) -> Prepared:
    """The user, their staff record and (if the session names a device of `device_model`) whether it is theirs and
    confirmed, in one query compiled once per process (core.prepared): it runs on every signed-in request."""
    fields = _columns(device_model)

    def build(user_id, device_id=None):
        users = get_user_model()._default_manager.all()  # noqa: SLF001  (as ModelBackend; the staff__ columns join)
        if device_model is not None:
            users = users.annotate(otp_device_confirmed=Exists(device_model._default_manager.filter(  # noqa: SLF001
                pk=device_id, user=OuterRef("pk"), confirmed=True)))
        return users.filter(pk=user_id).values_list(*fields)

    if device_model is None:
        return Prepared(build, user_id=INT)
    return Prepared(build, user_id=INT, device_id=INT)


@lru_cache(maxsize=16)
def _columns(device_model) -> tuple[str, ...]:
    user_fields = [f.attname for f in get_user_model()._meta.concrete_fields]
    staff_fields = [f"staff__{f.attname}" for f in _staff_model()._meta.concrete_fields]
    return (*user_fields, *staff_fields, *(("otp_device_confirmed",) if device_model is not None else ()))


def _staff_model():
    return get_user_model()._meta.get_field("staff").related_model


def _read(user_id, device) -> object | None:
    """The user as select_related("staff") reads them (the staff record cached, or its absence), from one row."""
    user_model, staff_model = get_user_model(), _staff_model()
    device_model = None if device is None else device.model
    values: dict = {"user_id": user_model._meta.pk.to_python(user_id)}
    if device is not None:
        device_id = _device_id(device)
        if device_id is None:
            return _orm_read(user_id, device)
        values["device_id"] = device_id
    rows = _prepared(device_model).rows(**values)
    if not rows:
        raise user_model.DoesNotExist
    row = rows[0]
    width = len(user_model._meta.concrete_fields)
    user = user_model.from_db("default", None, row[:width])
    staff_values = row[width:width + len(staff_model._meta.concrete_fields)]
    staff = None if staff_values[0] is None else staff_model.from_db("default", None, staff_values)
    user_model._meta.get_field("staff").set_cached_value(user, staff)
    if staff is not None:
        staff_model._meta.get_field("user").set_cached_value(staff, user)
    if device is not None:
        user.otp_device_confirmed = row[-1]
    return user


def _device_id(device):
    """The one id django-otp's lookup of the session's device filters on, or None for any other lookup."""
    where = device.query.where
    if len(where.children) != 1 or where.connector != "AND" or where.negated:
        return None
    lookup = where.children[0]
    if getattr(lookup, "lookup_name", None) != "exact" or getattr(lookup.lhs, "target", None) != device.model._meta.pk:
        return None
    return lookup.rhs if isinstance(lookup.rhs, int) else None


def _orm_read(user_id, device):
    users = get_user_model()._default_manager.select_related("staff")  # noqa: SLF001  (as ModelBackend)
    if device is not None:
        users = users.annotate(otp_device_confirmed=Exists(device.filter(user=OuterRef("pk"), confirmed=True)))
    return users.get(pk=user_id)


class StaffModelBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = _read(user_id, SESSION_DEVICE.get())
        except (user_model.DoesNotExist, ValueError, ValidationError):
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        user_model = get_user_model()
        try:
            user = await user_model._default_manager.select_related("staff").aget(pk=user_id)  # noqa: SLF001
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
