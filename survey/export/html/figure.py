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
    """A chart's layout: the report's font (hover labels too) and palette, white
    background, light grid (:func:`~survey.report.style.plotly_layout`)."""
    return style.plotly_layout(font=_FONT, height=height, hover_font=True, **layout)


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
