"""What every report shares: a colour-blind-safe palette and the formatting of figures.

Numbers are rounded only here, at the edge, so the workbook, the HTML report, the slides and
the dashboard show the same figure for the same cell of ``results.csv``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = [
    "PALETTE",
    "SEQUENTIAL",
    "SUPPRESSED",
    "SUPPRESSED_NOTE",
    "TOO_FEW_NOTE",
    "neutralise",
    "percent",
    "plotly_layout",
    "plotly_text",
    "quadrant_lines",
    "quadrant_points",
    "restore",
    "updated_layout",
    "value",
    "wrap_label",
]

#: Okabe and Ito's palette, distinguishable with every common colour-vision deficiency.
PALETTE = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]

#: A sequential scale (light to dark blue) for heatmaps and colour scales: one hue, so it
#: reads in greyscale and for colour-blind readers alike.
SEQUENTIAL = ["#F7FBFF", "#C6DBEF", "#6BAED6", "#2171B5", "#08306B"]

#: How a suppressed cell is shown, and why.
SUPPRESSED = "–"
SUPPRESSED_NOTE = (
    "fewer than {threshold} respondents, or hidden along with such a group so that it cannot "
    "be worked out from the total; not shown, to protect respondents"
)


#: What every report says of a wave too small to publish any figure.
TOO_FEW_NOTE = (
    "Only {analysed} respondents were analysed, fewer than the {threshold} a published figure "
    "needs: every figure is suppressed to protect them, and no difference between groups can "
    "be shown. The tables list the questions and their bases."
)


def percent(share: float | None, *, digits: int = 0) -> str:
    """A share in 0..1 as a percentage for people (``0.4567`` -> ``46%``). Halves round up,
    as Excel's and PowerPoint's ``0%`` formats show the same number.

    >>> percent(0.4567), percent(0.4567, digits=1), percent(0.125), percent(float("nan"))
    ('46%', '45.7%', '13%', '–')
    """
    if share is None or not math.isfinite(share):
        return SUPPRESSED
    return f"{_half_up(Decimal(repr(float(share))) * 100, digits)}%"


def value(number: float | None, *, digits: int = 1) -> str:
    """A mean or score for people (``3.456`` -> ``3.5``), halves rounded up as in Excel.

    >>> value(3.456), value(-0.04), value(2.25), value(None), value(12, digits=0)
    ('3.5', '0.0', '2.3', '–', '12')
    >>> value(float("inf"))  # nothing a person can read (an infinite design effect, say)
    '–'
    """
    if number is None or not math.isfinite(number):
        return SUPPRESSED
    return _half_up(Decimal(repr(float(number))), digits)


def _half_up(number: Decimal, digits: int) -> str:
    rounded = number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{abs(rounded) if rounded == 0 else rounded:f}"


def neutralise(text: str) -> str:
    """Text from respondents made safe for a spreadsheet cell: text starting with ``=``,
    ``+``, ``-`` or ``@`` (or a tab or carriage return before one) would be read as a formula
    by Excel, so it gets a leading apostrophe, as OWASP advises for CSV injection.

    >>> neutralise('=HYPERLINK("http://x", "click")'), neutralise("-1 day"), neutralise("ok")
    ('\\'=HYPERLINK("http://x", "click")', "'-1 day", 'ok')
    """
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The respondent's text as written, from a CSV cell :func:`neutralise` guarded (for the
    HTML report and the slides, where a formula cannot run).

    >>> restore("'=1+1"), restore("'tis the season"), restore(neutralise("@home"))
    ('=1+1', "'tis the season", '@home')
    """
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return text[1:]
    return text


def plotly_text(text: str) -> str:
    """Text for a plotly label: plotly reads a few HTML tags in labels, so ``&``, ``<`` and
    ``>`` are written as entities (plotly shows them as the characters).

    >>> plotly_text("<b>R&D</b>")
    '&lt;b&gt;R&amp;D&lt;/b&gt;'
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def wrap_label(label: str, width: int = 34) -> str:
    """A long chart label on several lines (plotly breaks lines at ``<br>``); a word longer
    than a line breaks after a slash or a hyphen, never inside.

    >>> wrap_label("Library technology and systems", 16), wrap_label("Mainland/Southwest", 14)
    ('Library<br>technology and<br>systems', 'Mainland/<br>Southwest')
    """
    pieces: list[tuple[str, str]] = []  # (what joins it to the piece before, the piece)
    for word in label.split():
        parts = [word] if len(word) <= width else [p for p in re.split(r"(?<=[/-])", word) if p]
        pieces += [("" if index else " ", part) for index, part in enumerate(parts)]
    lines: list[str] = []
    line = ""
    for joiner, piece in pieces:
        if line and len(line) + len(joiner) + len(piece) > width:
            lines.append(line)
            line = piece
        else:
            line = f"{line}{joiner}{piece}" if line else piece
    lines.append(line)
    return "<br>".join(lines)


def quadrant_lines(midpoint: float) -> list[dict[str, object]]:
    """Plotly shapes splitting an importance-by-confidence chart into quadrants: dashed lines
    at the scale's midpoint across the whole plot, one vertical, one horizontal."""
    line = {"color": "#57606a", "dash": "dash", "width": 1}
    return [
        {"type": "line", "xref": "x", "yref": "paper", "x0": midpoint, "x1": midpoint,
         "y0": 0, "y1": 1, "line": line},
        {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
         "y0": midpoint, "y1": midpoint, "line": line},
    ]  # fmt: skip


def quadrant_points(
    importance: Sequence[float],
    confidence: Sequence[float],
    numbers: Sequence[str],
    midpoint: float,
    hovertext: Sequence[str],
) -> dict[str, Any]:
    """The plotly trace of an importance-by-confidence chart: each topic a point marked with
    its number, a diamond in the priority quadrant (important, confidence below
    ``midpoint``), else a circle."""
    flagged = [i >= midpoint and c < midpoint for i, c in zip(importance, confidence, strict=True)]
    return {
        "type": "scatter",
        "x": list(importance),
        "y": list(confidence),
        "mode": "markers+text",
        "text": list(numbers),
        "textposition": "middle center",
        "textfont": {"color": "white", "size": 11},
        "marker": {
            "size": 24,
            "color": [PALETTE[5] if flag else PALETTE[0] for flag in flagged],
            "symbol": ["diamond" if flag else "circle" for flag in flagged],
            "line": {"color": "white", "width": 1},
        },
        "hovertext": list(hovertext),
        "hovertemplate": "%{hovertext}<extra></extra>",
        "showlegend": False,
    }


def plotly_layout(
    *, font: str, height: int, hover_font: bool = False, **layout: Any
) -> dict[str, Any]:
    """A chart's plotly layout in the reports' look: text in ``font`` (a CSS font family;
    hover labels too with ``hover_font``, else plotly's own), the palette, white background,
    light grid; ``layout`` as in :func:`updated_layout`.

    Figures are plain dicts handed to plotly unvalidated: plotly's figure objects validate
    every property and take most of a second for a report's charts.
    """
    axis = {"gridcolor": "#e5e7eb", "linecolor": "#d0d7de", "zerolinecolor": "#d0d7de"}
    base: dict[str, Any] = {
        "colorway": PALETTE,
        "font": {"family": font, "size": 13, "color": "#1f2328"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 40, "b": 40},
    }
    if hover_font:
        base["hoverlabel"] = {"font": {"family": font}}
    base.update(xaxis=dict(axis), yaxis=dict(axis))
    return updated_layout(base, layout)


def updated_layout(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes``: a dict updates the dict it replaces key by key (an axis
    keeps its grid), anything else replaces the value; ``base`` is changed and returned.

    >>> updated_layout({"xaxis": {"grid": 1}, "height": 2}, {"xaxis": {"range": [0, 1]}})
    {'xaxis': {'grid': 1, 'range': [0, 1]}, 'height': 2}
    """
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base
