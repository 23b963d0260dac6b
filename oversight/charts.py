"""Charts a manager can read at a glance, drawn as SVG on the server (no JavaScript).

Every chart carries its figures, and the template shows them as a table beside the picture, so
a screen-reader user (and anyone who wants the numbers) has the same information. Series are
told apart by line style and marker as well as colour (WCAG 1.4.1).
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.dateformat import format as date_format
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#1d4ed8", "#a4121a", "#1d6f42", "#6d28d9", "#9a3412", "#0f766e", "#be185d", "#374151"]
DASHES = ["", "7 4", "2 3", "10 3 2 3"]
MARKERS = ["circle", "square", "diamond", "triangle"]


@dataclass
class Series:
    name: str
    values: list[int | None]
    colour: str = ""  # a fixed colour where it carries meaning (overdue red, due soon amber)


@dataclass
class Chart:
    title: str
    x_title: str
    x_labels: list
    series: list[Series]
    #: The snapshot night each point was read from (None: no run that period).
    x_notes: list = field(default_factory=list)
    x_format: str = "j M Y"
    #: The shorter label under the axis; the table gives the full one.
    x_short_format: str = "j M"

    @property
    def labels(self) -> list[str]:
        return [_date(x, self.x_format) if isinstance(x, dt.date) else str(x) for x in self.x_labels]

    @property
    def short_labels(self) -> list[str]:
        return [_date(x, self.x_short_format) if isinstance(x, dt.date) else str(x) for x in self.x_labels]

    @property
    def rows(self) -> list[dict]:
        """One row per x label: the figures of the table that goes with the chart."""
        notes = self.x_notes or [None] * len(self.x_labels)
        return [
            {"label": label, "night": notes[i], "values": [s.values[i] for s in self.series]}
            for i, label in enumerate(self.labels)
        ]

    @property
    def table_body(self) -> SafeString:
        """The rows of the figures' table as the template's loop over `rows` wrote them, in one pass (issue 16: a
        year of months by eight teams was a few hundred template cells per chart)."""
        out = []
        for row in self.rows:
            night = ""
            if self.x_notes:
                night = f"<td>{conditional_escape(_date(row['night'], 'j M Y')) if row['night'] else 'No run'}</td>"
            cells = "".join("<td>—</td>" if v is None else f"<td>{conditional_escape(localize(v))}</td>"
                            for v in row["values"])
            out.append(f'\n        <tr><th scope="row">{conditional_escape(row["label"])}</th>{night}{cells}</tr>\n      ')
        return mark_safe("".join(out))  # every value above is escaped

    @property
    def styled_series(self) -> list[dict]:
        return [{"name": s.name, **style(i, s.colour)} for i, s in enumerate(self.series)]

    @property
    def has_data(self) -> bool:
        return any(v is not None for s in self.series for v in s.values)


@lru_cache(maxsize=1024)
def _date(value: dt.date, fmt: str) -> str:
    """A chart's date as `date_format` writes it: the same weeks and months on every request (issue 16)."""
    return date_format(value, fmt)


def style(index: int, colour: str = "") -> dict:
    return {
        "colour": colour or PALETTE[index % len(PALETTE)],
        "dash": DASHES[(index // len(PALETTE) + index) % len(DASHES)],
        "marker": MARKERS[index % len(MARKERS)],
    }


def _nice_max(value: int) -> float:
    """The top of the y axis: four gridline steps of 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 4:  # noqa: PLR2004  (four gridline steps)
        return 4
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step * 4


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if kind == "diamond":
        return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y:.1f}L{x:.1f} {y + 5:.1f}L{x - 5:.1f} {y:.1f}Z" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y + 4:.1f}L{x - 5:.1f} {y + 4:.1f}Z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def legend_swatch(index: int, *, colour: str = "", bars: bool = False) -> SafeString:
    s = style(index, colour)
    if bars:
        return mark_safe(
            f'<svg width="14" height="14" aria-hidden="true" focusable="false">'
            f'<rect x="1" y="1" width="12" height="12" fill="{s["colour"]}"/></svg>'
        )
    dash = f' stroke-dasharray="{s["dash"]}"' if s["dash"] else ""
    return mark_safe(
        f'<svg width="34" height="12" aria-hidden="true" focusable="false">'
        f'<line x1="1" y1="6" x2="33" y2="6" stroke="{s["colour"]}" stroke-width="2.5"{dash}/>'
        f'{_marker(s["marker"], 17, 6, s["colour"])}</svg>'
    )


def line_chart_svg(chart: Chart, *, width: int = 720, height: int = 260) -> SafeString:
    """A line per series; a gap where a period had no snapshot. Decorative to screen readers:
    the table that follows carries the figures."""
    left, right, top, bottom = 44, 16, 14, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in chart.series for v in s.values if v is not None]
    y_max = _nice_max(max(values, default=0))
    n = max(len(chart.x_labels), 1)

    def x_at(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y_at(v: int) -> float:
        return top + plot_h - (plot_h * v / y_max)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="oversight-chart" '
        f'role="img" aria-label="{escape(chart.title)}: the figures are in the table below">'
    ]
    for k in range(5):
        v = y_max * k / 4
        y = y_at(v)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#d0d5dd" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="#333">{v:g}</text>')
    step = max(1, math.ceil(n / 12))
    for i, label in enumerate(chart.short_labels):
        if i % step == 0 or i == n - 1:
            parts.append(
                f'<text x="{x_at(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="12" fill="#333">'
                f"{escape(label)}</text>"
            )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="12" fill="#333">'
        f"{escape(chart.x_title)}</text>"
    )
    for index, series in enumerate(chart.series):
        s = style(index, series.colour)
        dash = f' stroke-dasharray="{s["dash"]}"' if s["dash"] else ""
        segment: list[str] = []
        segments = []
        for i, v in enumerate(series.values):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x_at(i):.1f},{y_at(v):.1f}")
        if segment:
            segments.append(segment)
        parts.extend(
            f'<polyline points="{" ".join(seg)}" fill="none" stroke="{s["colour"]}" stroke-width="2.5"{dash}/>'
            for seg in segments if len(seg) > 1
        )
        for i, v in enumerate(series.values):
            if v is not None:
                parts.append(_marker(s["marker"], x_at(i), y_at(v), s["colour"]))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart_svg(chart: Chart, *, width: int = 720, height: int = 240) -> SafeString:
    """Grouped bars: one group per x label, one bar per series."""
    left, right, top, bottom = 44, 16, 14, 44
    n, m = max(len(chart.x_labels), 1), max(len(chart.series), 1)
    group_w = (width - left - right) / n
    # About 7 px a character at 12 px: labels longer than their group are slanted, not cut short.
    slant = any(len(label) > group_w // 7 for label in chart.short_labels)
    if slant:
        bottom += 96
        height += 96
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in chart.series for v in s.values if v is not None]
    y_max = _nice_max(max(values, default=0))
    bar_w = min(28.0, group_w * 0.8 / m)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="oversight-chart" '
        f'role="img" aria-label="{escape(chart.title)}: the figures are in the table below">'
    ]
    for k in range(5):
        v = y_max * k / 4
        y = top + plot_h - plot_h * v / y_max
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#d0d5dd" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="#333">{v:g}</text>')
    for i, label in enumerate(chart.short_labels):
        centre = left + group_w * (i + 0.5)
        y = height - bottom + 16
        place = (f'text-anchor="end" transform="rotate(-40 {centre:.1f} {y})"' if slant else 'text-anchor="middle"')
        parts.append(
            f'<text x="{centre:.1f}" y="{y}" {place} font-size="12" fill="#333">'
            f"{escape(label[:24])}</text>"
        )
        for j, series in enumerate(chart.series):
            v = series.values[i] or 0
            h = plot_h * v / y_max
            x = centre - (m * bar_w) / 2 + j * bar_w
            colour = style(j, series.colour)["colour"]
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" font-size="10" '
                f'fill="#111">{v}</text>'
            )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="12" fill="#333">'
        f"{escape(chart.x_title)}</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))
