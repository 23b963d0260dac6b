"""The one error type services raise; views show it once, next to its field or at the top of the form.

`field` names the form field the refusal is about (or None for the whole form); `reasons` lists
every reason when there is more than one (R1 refusals list them all at once).
NotAllowed and InvalidState are the same error with a different meaning for the page: an
action the person may not take (403 for a page), or a record in the wrong state.
"""


class ServiceError(Exception):
    """A write was refused; the message is for the person who tried it."""

    def __init__(self, message: str = "", *, field: str | None = None, reasons: list[str] | None = None,
                 lead: str = "") -> None:
        self.field = field
        self.reasons = list(reasons or [])
        self.lead = lead  # with reasons: the sentence they complete ("This request cannot be made")
        if not message and self.reasons:
            message = (f"{lead}: " if lead else "") + "; ".join(self.reasons) + "."
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self)


class NotAllowed(ServiceError):
    """The actor's role or team may not do this (segregation of duties included)."""


class InvalidState(ServiceError):
    """The record is not in a state where this step applies."""


class StaleVersion(InvalidState):
    """An edit form was read at a version someone has since saved over: nothing was written, and
    `current` is the version token (the form's hidden `read_at`) to offer for a deliberate second save."""

    def __init__(self, message: str = "", *, current: str = "", reasons: list[str] | None = None, lead: str = "") -> None:
        super().__init__(message, reasons=reasons, lead=lead)
        self.current = current
