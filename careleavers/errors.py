"""Errors services raise; views turn them into messages next to the form (never a traceback)."""


class ServiceError(Exception):
    """A write was refused; the message is for the person who tried it."""


class NotAllowed(ServiceError):
    """The actor's role or team may not do this (segregation of duties included)."""


class InvalidState(ServiceError):
    """The record is not in a state where this step applies."""
