"""Sections other apps add to the young person's page, without the page knowing them.

An app registers a panel in its AppConfig.ready(); the young person view renders each in
`order`. A panel's context function must run a fixed number of queries.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[..., dict | None]  # (request=, young_person=, today=) -> dict, or None to hide
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _PANELS[panel.key] = panel


def panels_for(*, request, young_person, today: dt.date) -> list[dict]:
    rendered = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request=request, young_person=young_person, today=today)
        if context is not None:
            rendered.append({"key": panel.key, "template": panel.template, "context": context})
    return rendered
