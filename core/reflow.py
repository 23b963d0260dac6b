"""issue 15, item 1 (WCAG 2.2 1.4.10): on a phone, tables become stacked rows (static/css/app.css, `table.reflow`)
and the columns marked here come first in each row: the young person's name (1), the status (2), the due date (3).
The desktop columns keep their order; only the stacked layout reorders, with CSS `order`."""

NAME, STATUS, DUE = 1, 2, 3


def first_on_phone(rank: int, attrs: dict | None = None) -> dict:
    """django-tables2 column attrs putting this column `rank`-th in a stacked row on a phone, keeping `attrs`."""
    merged = {part: dict(values) for part, values in (attrs or {}).items()}
    for part in ("th", "td"):
        merged.setdefault(part, {})["data-priority"] = str(rank)
    return merged
