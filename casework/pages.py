"""Pages that belong to every page rather than to one record (issue 15, item 6): the unread count beside
Notifications in the menu, and where the home page lands."""

import rules
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from careleavers.models import Notification
from careleavers.selectors import staff_for
from core.navigation import staff as navigation


@login_required
def notifications_unread(request):
    """The menu's badge (fetched by htmx once the page has loaded, so no page pays a query for it)."""
    staff = staff_for(request.user)
    unread = Notification.objects.filter(recipient=staff, read_at__isnull=True).count() if staff else 0
    return render(request, "includes/unread_badge.html", {"unread": unread})


@login_required
def home(request):
    """The caseload for whoever sees records; otherwise the first page the menu offers (the duty admin's cards)."""
    if rules.has_perm("careleavers.nav_caseload", request.user):
        return redirect("caseload")
    entries = navigation(request)["nav"]
    return redirect(entries[0]["url"]) if entries else redirect("caseload")
