def staff(request):
    """The signed-in member of staff, if any, for the navigation."""
    user = getattr(request, "user", None)
    return {"current_staff": getattr(user, "staff", None) if user and user.is_authenticated else None}
