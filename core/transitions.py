"""State machines as data: in which states an action applies, the state it leads to, and the permission it needs.

Each app writes one `TransitionTable` per state machine (approvals.transitions, pathway.transitions). Services
call `check` inside their transaction, after `lock`; pages call `allowed` to decide which buttons to show, so
the rules are written once and a hidden button is never the only guard.

The order of refusals is the services' order: first whether this person may take the action at all
(NotAllowed, with the permission's own message), then whether it applies to this record (InvalidState).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import rules

from .errors import InvalidState, NotAllowed
from .rules import refusal


@dataclass(frozen=True)
class Transition:
    """`action` from any of `sources` to `target` (None: the state stays; a callable: it depends on the record),
    for whoever holds `permission` on the record. `doing` ends the refusal for a record in another state:
    "This arrangement is requested, so it cannot be *agreed*." `only_if` narrows the records it applies to
    (refused with `otherwise`)."""

    action: str
    sources: tuple[str, ...]
    target: str | Callable[[Any], str] | None
    permission: str
    doing: str
    only_if: Callable[[Any], bool] | None = None
    otherwise: str = ""

    def next_state(self, obj) -> str:
        if self.target is None:
            return obj.state
        return self.target(obj) if callable(self.target) else self.target

    def applies_to(self, obj) -> bool:
        return obj.state in self.sources and (self.only_if is None or self.only_if(obj))


class TransitionTable:
    """Every transition of one state machine; `noun` names the record in refusals ("arrangement", "plan")."""

    def __init__(self, noun: str, transitions: Iterable[Transition]) -> None:
        self.noun = noun
        self.transitions = tuple(transitions)
        self._by_action: dict[str, list[Transition]] = {}
        for transition in self.transitions:
            self._by_action.setdefault(transition.action, []).append(transition)

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(self._by_action)

    def rows(self, action: str) -> list[Transition]:
        try:
            return self._by_action[action]
        except KeyError:
            raise ValueError(f"No {self.noun} action {action!r}") from None

    def check(self, obj, action: str, *, user) -> Transition:
        """The transition `user` may take now, or NotAllowed / InvalidState with the message for them."""
        rows = self.rows(action)
        row = next((r for r in rows if obj.state in r.sources), None)
        if row is not None:
            message = refusal(row.permission, user, obj)
            if message is not None:
                raise NotAllowed(message)
        elif not any(refusal(r.permission, user, obj) is None for r in rows):
            # In no state could this person do it: say so, rather than that the record is in the wrong state.
            raise NotAllowed(refusal(rows[0].permission, user, obj) or "You cannot do this.")
        guarded = row or rows[0]
        if guarded.only_if is not None and not guarded.only_if(obj):
            raise InvalidState(guarded.otherwise)
        if row is None:
            raise InvalidState(f"This {self.noun} is {obj.get_state_display().lower()}, so it cannot be {rows[0].doing}.")
        return row

    def allowed(self, obj, user) -> set[str]:
        """The actions `user` may take on `obj` now: what a page offers."""
        return {
            t.action for t in self.transitions
            if t.applies_to(obj) and rules.has_perm(t.permission, user, obj)
        }


def lock(obj, *related: str):
    """Re-read `obj` under a row lock on its own table, so two people cannot move it at once."""
    return type(obj).objects.select_for_update(of=("self",)).select_related(*related).get(pk=obj.pk)


def require(permission: str, *, user, obj=None) -> None:
    """NotAllowed with the permission's message unless `user` holds it (for actions outside a table: creating)."""
    message = refusal(permission, user, obj)
    if message is not None:
        raise NotAllowed(message)
