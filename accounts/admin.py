from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib import admin, messages


class UnlockingAccessAttemptAdmin(AccessAttemptAdmin):
    """django-axes' list of failed sign-ins, with an action that unlocks the selected username and address pairs."""

    actions = [*AccessAttemptAdmin.actions, "unlock"]

    @admin.action(description="Unlock: clear these failed sign-ins", permissions=["delete"])
    def unlock(self, request, queryset):
        cleared = sum(axes_reset(username=a.username, ip=a.ip_address) for a in queryset)
        self.message_user(request, f"Unlocked: {cleared} failed sign-in record(s) cleared.", messages.SUCCESS)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, UnlockingAccessAttemptAdmin)
