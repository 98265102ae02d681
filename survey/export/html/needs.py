"""The learning-needs charts: the heatmap of top-2 importance by group, and each
topic's importance against confidence.
"""

from __future__ import annotations

from typing import Any

from survey.codebook import QuestionType
from survey.export.html._common import _escape_plotly, _join, _records, _slug, _wrap
from survey.export.html.figure import _fragment, _layout
from survey.export.html.model import Cell, Chart, Column, DataTable
from survey.export.html.sections import _Report
from survey.report import style
from survey.report.rules import group_order, published_mask

__all__ = ["_needs_chart", "_quadrant_chart"]


def _needs_chart(report: _Report) -> Chart | None:
    """Heatmap: share rating each topic very or extremely important, topics by groups, with
    buttons to choose the dimension."""
    needs = report.needs
    if needs.empty or not report.dimensions:
        return None
    labels = report.labels
    threshold = report.tables.threshold
    cells_by_key = {
        (str(row["topic"]), str(row["by"]), str(row["group"])): row for row in _records(needs)
    }
    topics = list(dict.fromkeys(str(topic) for topic in needs["topic"]))

    def overall(topic: str) -> float | None:
        row = cells_by_key.get((topic, "all", "all"))
        if not report.published(row, "top2_importance"):
            return None
        return float(row["top2_importance"])

    # topics in order of their overall share, the biggest need on top
    topics.sort(key=lambda topic: -(overall(topic) or -1.0))
    topic_labels = [_wrap(_escape_plotly(labels.topic(topic)), 40) for topic in topics]
    top2 = labels.option(_first_imp(report), "top2").lower()
    data: list[dict[str, Any]] = []
    data_tables = []
    colourscale = [
        [index / (len(style.SEQUENTIAL) - 1), colour]
        for index, colour in enumerate(style.SEQUENTIAL)
    ]
    for position, by in enumerate(report.dimensions):
        present = {group for (_, group_by, group) in cells_by_key if group_by == by}
        groups = [("all", "all")] + [(by, g) for g in group_order(report.codebook, by, present)]
        z, text, hover = [], [], []
        rows = []
        for topic, topic_label in zip(topics, topic_labels, strict=True):
            z_row: list[float | None] = []
            text_row: list[str] = []
            hover_row: list[str] = []
            cells = [Cell(labels.topic(topic), numeric=False, header=True)]
            for group_by, group in groups:
                row = cells_by_key.get((topic, group_by, group))
                key = f"{topic}|{group_by}|{group}"
                name = _escape_plotly(labels.group(group_by, group))
                if not report.published(row, "top2_importance"):
                    z_row.append(None)
                    text_row.append("")
                    note = style.SUPPRESSED_NOTE.format(threshold=threshold)
                    hover_row.append(f"{name}: {note}")
                    cells.append(Cell(style.SUPPRESSED, suppressed=True, key=key, source="need"))
                    continue
                share = float(row["top2_importance"])
                z_row.append(share)
                text_row.append(style.percent(share))
                hover_row.append(
                    f"<b>{topic_label.replace('<br>', ' ')}</b><br>{name}: "
                    f"{style.percent(share)} (n = {int(row['n'])})"
                )
                cells.append(Cell(style.percent(share), key=key, source="need"))
            z.append(z_row)
            text.append(text_row)
            hover.append(hover_row)
            rows.append(cells)
        x = [_wrap(_escape_plotly(labels.group(b, g)), 12) for b, g in groups]
        data.append(
            {
                "type": "heatmap",
                "z": z,
                "x": x,
                "y": topic_labels,
                "text": text,
                "texttemplate": "%{text}",
                "textfont": {"color": "auto", "size": 12},
                "hovertext": hover,
                "hovertemplate": "%{hovertext}<extra></extra>",
                "colorscale": colourscale,
                "zmin": 0,
                "zmax": 1,
                "xgap": 2,
                "ygap": 2,
                "colorbar": {"title": {"text": "Top two"}, "tickformat": ".0%", "len": 0.6},
                "visible": position == 0,
                "name": labels.dimension(by),
            }
        )
        dimension = labels.dimension(by).lower()
        data_tables.append(
            DataTable(
                id=_slug("data", "needs", by),
                caption=f"Share rating each topic {top2}, by {dimension}",
                columns=[Column("Topic", numeric=False)]
                + [Column(labels.group(b, g)) for b, g in groups],
                rows=rows,
            )
        )
    buttons = [
        {
            "label": f"By {labels.dimension(by).lower()}",
            "method": "update",
            "args": [{"visible": [i == position for i in range(len(report.dimensions))]}],
        }
        for position, by in enumerate(report.dimensions)
    ]
    layout = _layout(
        height=150 + 38 * len(topics),
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "buttons": buttons,
                "x": 0,
                "xanchor": "left",
                "y": 1.0,
                "yanchor": "bottom",
                "pad": {"b": 8},
                "showactive": True,
                "bgcolor": "#f6f8fa",
                "bordercolor": "#d0d7de",
            }
        ],
        margin={"t": 70},
        xaxis={
            "side": "bottom",
            "tickangle": 0,
            "showgrid": False,
            "automargin": True,
            "tickfont": {"size": 11},
        },
        yaxis={"autorange": "reversed", "showgrid": False, "automargin": True},
    )
    top = [
        f"{labels.topic(topic)} ({style.percent(overall(topic))})"
        for topic in topics[:3]
        if overall(topic) is not None
    ]
    dimensions = _join([labels.dimension(by).lower() for by in report.dimensions])
    caption = (
        f"Learning needs by group: the share of respondents rating each topic {top2}, topics "
        "(rows) by group (columns), darker for a larger share; the buttons choose the "
        f"breakdown ({dimensions})."
        + (f" Overall the biggest needs are {_join(top)}." if top else "")
        + " Blank cells are suppressed small groups (fewer than "
        f"{threshold} respondents, or suppressed with such a group), not shown."
    )
    return Chart(
        id="chart-needs",
        title="Learning needs by group",
        caption=caption,
        fragment=_fragment(data, layout, "plot-needs"),
        tables=data_tables,
    )


def _axis_title(report: _Report, scale: str) -> str:
    """``Mean importance (1 to 5)``: the axis of a scale, from the codebook."""
    points = report.codebook.scales.get(scale, {})
    if not points:
        return f"Mean {scale}"
    return f"Mean {scale} ({min(points)} to {max(points)})"


def _ends(report: _Report, scale: str) -> str:
    """``1 = not important, 5 = extremely important``: a scale's ends, from the codebook."""
    points = report.codebook.scales.get(scale, {})
    if not points:
        return scale
    low, high = min(points), max(points)
    return f"{low} = {points[low].lower()}, {high} = {points[high].lower()}"


def _midpoint(report: _Report) -> float:
    """The middle of the importance scale (3 on a 1-to-5 scale): where the quadrant's lines
    are drawn."""
    for grid in report.codebook.questions_of(QuestionType.GRID):
        for item in grid.items:
            points = sorted(report.codebook.scales.get(item.scale, {}))
            if points:
                return (points[0] + points[-1]) / 2
    return 3.0


def _first_imp(report: _Report) -> str:
    """The results name of the first importance column (for the top-two wording)."""
    for grid in report.codebook.questions_of(QuestionType.GRID):
        for item in grid.items:
            if item.scale == "importance" and grid.topics:
                return f"{item.prefix}_{grid.topics[0].code}"
    return "top2"


def _quadrant_chart(report: _Report) -> Chart | None:
    """Scatter: each topic's mean importance against its mean confidence (all respondents),
    with lines at the scale's midpoint."""
    needs = report.needs
    shown = published_mask(needs, threshold=report.threshold, column="mean_importance")
    overall = needs[(needs["by"] == "all") & shown].dropna(
        subset=["mean_importance", "mean_confidence"]
    )
    if overall.empty:
        return None
    labels = report.labels
    overall = overall.sort_values("mean_importance", ascending=False, kind="stable")
    overall = overall.reset_index(drop=True)
    midpoint = _midpoint(report)
    numbers = [str(index + 1) for index in range(len(overall))]
    names = [labels.topic(str(topic)) for topic in overall["topic"]]
    x = overall["mean_importance"].astype(float).tolist()
    y = overall["mean_confidence"].astype(float).tolist()
    priority = [
        number
        for number, importance, confidence in zip(numbers, x, y, strict=True)
        if importance >= midpoint and confidence < midpoint
    ]
    hovertext = [
        f"<b>{number}. {_escape_plotly(name)}</b><br>importance "
        f"{style.value(i, digits=2)}, confidence {style.value(c, digits=2)}"
        for number, name, i, c in zip(numbers, names, x, y, strict=True)
    ]
    data = [style.quadrant_points(x, y, numbers, midpoint, hovertext)]
    low = min(min(x), min(y), midpoint) - 0.25
    high = max(max(x), max(y), midpoint) + 0.25
    shapes = style.quadrant_lines(midpoint)
    notes = [
        (high, low, "Important, low confidence:<br>priority", "right", "bottom"),
        (high, high, "Important, confident", "right", "top"),
        (low, high, "Less important, confident", "left", "top"),
        (low, low, "Less important, low confidence", "left", "bottom"),
    ]
    annotations = [
        {
            "x": note_x,
            "y": note_y,
            "text": words,
            "showarrow": False,
            "xanchor": xanchor,
            "yanchor": yanchor,
            "align": xanchor,
            "font": {"color": "#57606a", "size": 12},
        }
        for note_x, note_y, words, xanchor, yanchor in notes
    ]
    layout = _layout(
        height=560,
        shapes=shapes,
        annotations=annotations,
        xaxis={
            "title": {"text": _escape_plotly(_axis_title(report, "importance"))},
            "range": [low, high],
            "zeroline": False,
            "automargin": True,
        },
        yaxis={
            "title": {"text": _escape_plotly(_axis_title(report, "confidence"))},
            "range": [low, high],
            "zeroline": False,
            "automargin": True,
        },
        margin={"t": 44},
    )
    rows = [
        [
            Cell(number, numeric=True),
            Cell(name, numeric=False, header=True),
            Cell(style.value(importance, digits=2)),
            Cell(style.value(confidence, digits=2)),
            Cell("yes" if number in priority else ""),
        ]
        for number, name, importance, confidence in zip(numbers, names, x, y, strict=True)
    ]
    priority_names = [names[int(number) - 1] for number in priority]
    caption = (
        "Importance against confidence: each numbered point is a topic (all respondents), its "
        f"mean importance across ({_ends(report, 'importance')}) and its mean confidence up "
        f"({_ends(report, 'confidence')}); dashed lines mark the middle of the scale, "
        f"{style.value(midpoint)}. Topics at or right of the vertical line and below "
        "the horizontal one (red-orange diamonds) matter but people feel unsure of them"
        + (f": {_join(priority_names)}." if priority_names else "; none falls there.")
    )
    return Chart(
        id="chart-quadrant",
        title="Importance against confidence",
        caption=caption,
        fragment=_fragment(data, layout, "plot-quadrant"),
        tables=[
            DataTable(
                id="data-quadrant",
                caption="Mean importance and mean confidence of each topic, all respondents",
                columns=[
                    Column("Point"),
                    Column("Topic", numeric=False),
                    Column("Mean importance"),
                    Column("Mean confidence"),
                    Column("Priority (important, low confidence)", numeric=False),
                ],
                rows=rows,
            )
        ],
    )
