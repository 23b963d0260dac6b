from django.urls import NoReverseMatch, reverse

#: Navigation: (label, url name, roles that see it). Entries whose URL does not exist are left out,
#: so each app adds its pages by naming them here.
NAV = [
    ("Caseload", "caseload", None),
    ("Plans to sign off", "pathway:queue", ("team_leader", "service_leader", "head_of_service")),
    ("Approvals", "approvals:queue", ("team_leader", "service_leader", "head_of_service")),
    ("Dashboard", "oversight:dashboard", ("team_leader", "service_leader", "head_of_service")),
    ("Returns", "returns:index", ("service_leader", "head_of_service")),
    ("My absences", "absences", ("pa",)),
    ("Notifications", "notifications", None),
]


def staff(request):
    """The signed-in member of staff, if any, and the navigation they see."""
    user = getattr(request, "user", None)
    current = getattr(user, "staff", None) if user and user.is_authenticated else None
    nav = []
    if current is not None:
        for label, name, roles in NAV:
            if roles is not None and current.role not in roles:
                continue
            try:
                nav.append({"label": label, "url": reverse(name)})
            except NoReverseMatch:
                continue
    return {"current_staff": current, "nav": nav}
