"""A slide before it is drawn: its kind, title, bullets, chart or table, quotes,
speaker notes, footnote and priority.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["_Chart", "_Kind", "_Slide", "_Table"]


@dataclass
class _Chart:
    """A native chart: categories down the side, one bar per series and category."""

    categories: list[str]
    series: list[tuple[str, list[float]]]
    number_format: str = "0%"
    stacked: bool = False
    #: Two-level categories: (parent label, number of categories under it), in order.
    levels: list[tuple[str, int]] | None = None
    #: One colour per category (a single series coloured by its parent level).
    point_colours: list[str] | None = None
    #: Small multiples: one chart per series side by side, the categories aligned.
    panels: bool = False
    #: The value axis's maximum (panels share one scale); None: from the data.
    maximum: float | None = None
    #: Category labels shown (the panels after the first leave them to the first).
    category_labels: bool = True
    #: One colour per series (else the palette in order).
    series_colours: list[str] | None = None
    #: Categories drawn in grey (:data:`_MUTED`): shown for contrast, not the point.
    muted: list[int] = field(default_factory=list)
    #: A bold line above the chart (when it shares the slide with bullets).
    heading: str = ""


@dataclass
class _Table:
    """A table: a header row, then rows of ``(text, bold)`` cells."""

    header: list[str]
    rows: list[list[tuple[str, bool]]]
    widths: list[float]


class _Kind(StrEnum):
    """What a slide shows."""

    TITLE = "title"
    BULLETS = "bullets"
    CHART = "chart"
    TABLE = "table"


@dataclass
class _Slide:
    """One slide of the deck, before it is drawn."""

    kind: _Kind
    title: str
    subtitle: str = ""
    bullets: list[str] = field(default_factory=list)
    chart: _Chart | None = None
    table: _Table | None = None
    quotes: list[str] = field(default_factory=list)
    notes: str = ""
    footnote: str = ""
    #: 0 always shown, 1 the core story, 2 further breakdowns, 3 extras.
    priority: int = 1
