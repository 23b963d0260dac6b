"""Admin pieces every app uses."""


class NoDeleteMixin:
    """Records a court might ask for are never deleted, not even from the admin."""

    def has_delete_permission(self, request, obj=None):
        return False
