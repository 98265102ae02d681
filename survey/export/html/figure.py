"""A plotly figure as the page embeds it: the report's layout (font, palette,
white background) and the chart as a fragment that uses the page's one copy of plotly.js.
"""

from __future__ import annotations

from typing import Any

import plotly.io

from survey.report import style

__all__ = ["_fragment", "_layout"]

_CONFIG = {"displaylogo": False, "responsive": True}
_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'


def _layout(*, height: int, **layout: Any) -> dict[str, Any]:
    """A chart's layout: the report's font and palette, white background, light grid.

    Figures are plain dicts handed to plotly unvalidated: plotly's figure objects validate
    every property and take most of a second for the report's charts.
    """
    axis = {"gridcolor": "#e5e7eb", "linecolor": "#d0d7de", "zerolinecolor": "#d0d7de"}
    base: dict[str, Any] = {
        "colorway": style.PALETTE,
        "font": {"family": _FONT, "size": 13, "color": "#1f2328"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 40, "b": 40},
        "hoverlabel": {"font": {"family": _FONT}},
        "xaxis": dict(axis),
        "yaxis": dict(axis),
    }
    for key, value in layout.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def _fragment(data: list[dict[str, Any]], layout: dict[str, Any], div_id: str) -> str:
    """The chart as an HTML fragment that uses the page's one copy of plotly.js."""
    return str(
        plotly.io.to_html(
            {"data": data, "layout": layout},
            full_html=False,
            include_plotlyjs=False,
            config=_CONFIG,
            div_id=div_id,
            validate=False,
        )
    )
