"""Password validators beside Django's: refuse passwords made of few characters or of runs.

`aaaaaaaaaaaa`, `abababababab`, `abcdefghijkl`, `qwertyuiop12` and `987654321000` are long enough
for the length rule but predictable."""

from itertools import pairwise

from django.core.exceptions import ValidationError

KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


class VarietyValidator:
    """At least `min_distinct` different characters."""

    def __init__(self, min_distinct: int = 6):
        self.min_distinct = min_distinct

    def validate(self, password: str, user=None) -> None:
        if len(set(password.lower())) < self.min_distinct:
            raise ValidationError(
                "This password repeats too few characters. Use at least %(min)d different characters.",
                code="password_too_repetitive",
                params={"min": self.min_distinct},
            )

    def get_help_text(self) -> str:
        return f"Your password must use at least {self.min_distinct} different characters."


def _longest_run(text: str) -> int:
    """The longest stretch of characters that go up or down by one (abcd, 4321) or along a keyboard row."""
    best = run = 1 if text else 0
    step = 0
    for previous, current in pairwise(text):
        difference = _step(previous, current)
        if difference != 0 and difference == step:
            run += 1
        elif difference != 0:
            run, step = 2, difference
        else:
            run, step = 1, 0
        best = max(best, run)
    return best


def _step(a: str, b: str) -> int:
    if a.isalnum() and b.isalnum() and abs(ord(a) - ord(b)) == 1:
        return ord(b) - ord(a)
    for row in KEYBOARD_ROWS:
        if a in row and b in row:
            distance = row.index(b) - row.index(a)
            if abs(distance) == 1:
                return distance * 10  # a different "direction" from the alphabet's
    return 0


class SequenceValidator:
    """No run longer than `max_run` characters of the alphabet, digits or a keyboard row."""

    def __init__(self, max_run: int = 4):
        self.max_run = max_run

    def validate(self, password: str, user=None) -> None:
        if _longest_run(password.lower()) > self.max_run:
            raise ValidationError(
                "This password contains a predictable sequence (like abcde, 12345 or qwert).",
                code="password_has_sequence",
            )

    def get_help_text(self) -> str:
        return f"Your password must not contain a sequence of more than {self.max_run} characters, like abcde or 12345."
