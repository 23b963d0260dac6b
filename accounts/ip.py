"""The client's address for django-axes (AXES_CLIENT_IP_CALLABLE).

Behind our reverse proxy REMOTE_ADDR is the proxy for everyone, so a lockout keyed on username and
address would lock the username for all: with TRUSTED_PROXY the address is the right-most
X-Forwarded-For entry, the one the proxy added (earlier entries are whatever the client sent)."""

from django.conf import settings


def client_ip(request) -> str | None:
    if getattr(settings, "TRUSTED_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:45]
    return request.META.get("REMOTE_ADDR")
