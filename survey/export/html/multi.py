"""The multi-select charts: the share choosing each answer by group, with 95%
confidence intervals; suppressed groups left out and named in the caption.
"""

from __future__ import annotations

import math
from typing import Any

from survey.codebook import Question
from survey.export.html._common import _ci, _escape_plotly, _join, _slug, _wrap
from survey.export.html.figure import _fragment, _layout
from survey.export.html.model import Cell, Chart, Column, DataTable
from survey.export.html.sections import _Report
from survey.report import style

__all__ = ["_multi_chart"]


def _span(upper: float | None, lower: float | None) -> float | None:
    """An error bar's length (``None``, no bar, where an end is missing)."""
    return None if upper is None or lower is None else upper - lower


def _multi_chart(report: _Report, question: Question, by: str) -> Chart | None:
    """Bars: the share choosing each option of a multi-select question, by group, with 95%
    confidence intervals; suppressed groups left out (and named in the caption)."""
    labels = report.labels
    groups = report.present(question.id, by)
    if not groups:
        return None
    present = set(report.present_options(question.id))
    options = [option for option in question.option_codes() if option in present]

    def overall(option: str) -> float | None:
        figure = report.row(question.id, option, "all", "all")
        return figure.estimate if figure is not None and figure.published else None

    options.sort(key=lambda option: -(overall(option) or -1.0))
    option_labels = [_wrap(_escape_plotly(labels.option(question.id, o)), 30) for o in options]
    shown: list[str] = []
    hidden: list[str] = []
    for group in groups:
        base = report.base(question.id, by, group)
        (shown if base is not None and base.published else hidden).append(group)
    data: list[dict[str, Any]] = []
    for index, group in enumerate(shown):
        rows = [report.row(question.id, option, by, group) for option in options]
        shown_rows = [row if row is not None and row.published else None for row in rows]
        name = _escape_plotly(labels.group(by, group))
        data.append(
            {
                "type": "bar",
                "x": [None if row is None else row.estimate for row in shown_rows],
                "y": option_labels,
                "orientation": "h",
                "name": name,
                "marker": {
                    "color": style.PALETTE[index % len(style.PALETTE)],
                    "line": {"color": "#1f2328", "width": 0.5},
                    "pattern": {"shape": "" if index < len(style.PALETTE) else "/"},
                },
                "error_x": {
                    "type": "data",
                    "array": [
                        None if row is None else _span(row.ci_high, row.estimate)
                        for row in shown_rows
                    ],
                    "arrayminus": [
                        None if row is None else _span(row.estimate, row.ci_low)
                        for row in shown_rows
                    ],
                    "color": "#57606a",
                    "thickness": 1,
                    "width": 2,
                },
                "hovertext": [
                    f"{name}: {style.percent(row.estimate)} "
                    f"(95% CI {_ci(row.ci_low, row.ci_high)}), n = {row.n}"
                    if row is not None
                    else f"{name}: {style.SUPPRESSED}"
                    for row in shown_rows
                ],
                "hovertemplate": "%{y}<br>%{hovertext}<extra></extra>",
            }
        )
    bars = max(len(shown), 1) * len(options)
    layout = _layout(
        height=int(170 + 11 * bars + 8 * len(options)),
        barmode="group",
        bargap=0.25,
        bargroupgap=0.05,
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "bottom",
            "traceorder": "normal",
        },
        xaxis={"tickformat": ".0%", "rangemode": "tozero", "title": {"text": "Share choosing"}},
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"t": 30 + 22 * math.ceil(len(shown) / 4)},
    )
    dimension = labels.dimension(by).lower()
    columns = [Column("Answer", numeric=False), Column(labels.group("all", "all"))]
    columns += [Column(labels.group(by, group)) for group in groups]
    rows_out = []
    for option in options:
        cells = [Cell(labels.option(question.id, option), numeric=False, header=True)]
        cells.append(report.cell(report.row(question.id, option, "all", "all")))
        cells += [report.cell(report.row(question.id, option, by, group)) for group in groups]
        rows_out.append(cells)
    first = options[0] if options else ""
    first_share = overall(first) if first else None
    top = (
        f" Overall, the most chosen is “{labels.option(question.id, first)}” "
        f"({style.percent(first_share)})."
        if first_share is not None
        else ""
    )
    hidden_words = (
        f" Not shown: {_join([labels.group(by, g) for g in hidden])} "
        f"(suppressed small groups: fewer than {report.tables.threshold} respondents, or "
        "suppressed with such a group)."
        if hidden
        else ""
    )
    caption = (
        f"{question.text} The share of each {dimension} choosing each answer (bars, one colour "
        f"per group), with 95% confidence intervals (whiskers); answers in order of the overall "
        f"share.{top}{hidden_words}"
    )
    return Chart(
        id=_slug("chart", question.id, by),
        title=f"By {dimension}",
        caption=caption,
        fragment=_fragment(data, layout, _slug("plot", question.id, by)),
        tables=[
            DataTable(
                id=_slug("data", question.id, by),
                caption=f"{question.text} Share choosing each answer by {dimension} (95% CI)",
                columns=columns,
                rows=rows_out,
            )
        ],
    )
