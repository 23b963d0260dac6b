"""issue 15, item 1: on a phone the stacked rows put the young person's name, the status and the due date first
(data-priority on those columns, CSS `order` in the stacked layout); the desktop columns keep their order."""

from pathlib import Path

import pytest
from django.conf import settings

from approvals.tables import ApprovalQueueTable
from casework.tables import CaseloadTable
from core.reflow import DUE, NAME, STATUS, first_on_phone
from oversight.tables import LongestOverdueTable, OverdueItemsTable
from pathway.tables import SignOffQueueTable


def _priorities(table) -> dict[str, str]:
    return {name: column.attrs["td"]["data-priority"] for name, column in table.columns.items()
            if "data-priority" in column.attrs.get("td", {})}


@pytest.mark.parametrize(("table", "expected"), [
    (CaseloadTable([]), {"name": "1", "status": "2", "due": "3"}),
    (ApprovalQueueTable([]), {"young_person": "1", "waiting_for": "2", "requested_at": "3"}),
    (SignOffQueueTable([]), {"young_person": "1", "timeliness": "2", "review_due": "3"}),
    (OverdueItemsTable([], labelledby="x"), {"young_person": "1", "status": "2", "due": "3"}),
    (LongestOverdueTable([], limit=10), {"young_person": "1", "days_overdue": "2", "due": "3"}),
], ids=lambda v: type(v).__name__ if not isinstance(v, dict) else "")
def test_name_status_and_due_come_first_on_a_phone(table, expected):
    assert _priorities(table) == expected


def test_first_on_phone_keeps_other_attrs():
    attrs = first_on_phone(STATUS, {"td": {"class": "text-end"}, "tf": {"class": "text-end"}})
    assert attrs == {"td": {"class": "text-end", "data-priority": "2"}, "th": {"data-priority": "2"},
                     "tf": {"class": "text-end"}}
    assert (NAME, STATUS, DUE) == (1, 2, 3)


def test_the_stacked_layout_orders_by_priority():
    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    phone = css[css.index("@media (max-width: 575.98px)"):] if "@media (max-width: 575.98px)" in css else css
    for rank, order in (("1", "-3"), ("2", "-2"), ("3", "-1")):
        assert f'[data-priority="{rank}"] {{ order: {order}; }}' in phone
