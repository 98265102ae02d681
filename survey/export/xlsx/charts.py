"""The Charts sheet: native Excel charts of the key views, each beside the figures
it plots.
"""

from __future__ import annotations

from typing import Any

from openpyxl.chart import BarChart, Reference

from survey.codebook import Question, QuestionType
from survey.export.xlsx import _common as common
from survey.export.xlsx.styles import _PERCENT, _Styles
from survey.report import rules
from survey.report.model import Group
from survey.report.style import PALETTE
from survey.report.tables import ReportTables

__all__ = ["_write_charts"]


def _write_charts(ws: Any, tables: ReportTables, groups: list[Group], styles: _Styles) -> int:
    """Native charts of the key views, each beside the figures it plots; returns how many."""
    common.sheet_header(
        ws,
        f"Key views: wave {tables.wave}",
        f"The figures each chart plots are beside it. {common.suppression_note(tables)}",
        styles,
        note_columns=4,
        note_width=100,
    )
    ws.column_dimensions["A"].width = 50
    top = 5
    row = _needs_chart(ws, tables, top, styles)
    charts = int(row > top)  # the needs chart, when drawn, moves the next row on
    charts += _multi_chart(ws, tables, groups, row, styles)
    ws.freeze_panes = "A5"
    common.print_setup(ws)
    return charts


def _bar_chart(title: str, rows: int) -> Any:
    """A horizontal bar chart of shares (0 to 100%), first row on top, sized for ``rows``."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.title = title
    chart.y_axis.numFmt = _PERCENT
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # first row on top
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width = 22
    chart.height = max(8.0, 0.7 * rows + 3)
    return chart


def _needs_chart(ws: Any, tables: ReportTables, row: int, styles: _Styles) -> int:
    """The topics' top-2 importance for all respondents, by Borich rank, from ``row``; the
    row after it (``row`` itself when no topic is published)."""
    labels = tables.labels
    needs = tables.shown("needs")
    shown = rules.published_mask(needs, threshold=tables.threshold, column="n")
    overall = needs[(needs["by"] == "all") & shown].sort_values("rank", kind="stable")
    if overall.empty:
        return row
    common.text_cell(ws, row, 1, "Topic (ordered by Borich rank, greatest need first)", styles.bold)
    common.text_cell(ws, row, 2, "Top-2 importance", styles.bold)
    ws.column_dimensions["B"].width = 14
    first = row + 1
    for need in overall.to_dict("records"):
        row += 1
        common.text_cell(ws, row, 1, labels.topic(str(need["topic"])))
        common.number_cell(ws, row, 2, need["top2_importance"], _PERCENT)
    chart = _bar_chart("Rated very or extremely important, all respondents", len(overall))
    chart.add_data(Reference(ws, min_col=2, min_row=first - 1, max_row=row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=row))
    chart.series[0].graphicalProperties.solidFill = PALETTE[0].lstrip("#")
    chart.legend = None
    ws.add_chart(chart, f"D{first - 1}")
    return max(row, first + int(chart.height / 0.5)) + 2


def _multi_chart(
    ws: Any, tables: ReportTables, groups: list[Group], row: int, styles: _Styles
) -> int:
    """The key multi-select view (:func:`_multi_by_group_view`) by its dimension's published
    groups, from ``row``; how many charts it drew (0 or 1)."""
    labels = tables.labels
    view = _multi_by_group_view(tables)
    if view is None:
        return 0
    question, by = view
    results = tables.shown("results")
    part = results[(results["question"] == question.id) & (results["by"] == by)]
    published = [
        group
        for group in groups
        if group.by == by
        and rules.published_mask(
            part[part["group"] == group.code], threshold=tables.threshold
        ).any()
    ]
    options = [option for option in question.options if option.code in set(part["option"])]
    estimates = {(entry["option"], entry["group"]): entry for entry in part.to_dict("records")}
    common.text_cell(
        ws,
        row,
        1,
        f"{labels.question(question.id)} by {labels.dimension(by).lower()}",
        styles.bold,
    )
    ws.cell(row, 1).alignment = styles.wrap
    for index, group in enumerate(published):
        cell = common.text_cell(ws, row, 2 + index, group.label, styles.bold)
        cell.alignment = styles.centre
        letter = common.column_letter(2 + index)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 12)
    ws.row_dimensions[row].height = 45
    first = row + 1
    for option in options:
        row += 1
        common.text_cell(ws, row, 1, option.label)
        for index, group in enumerate(published):
            entry = estimates.get((option.code, group.code))
            if entry is None:
                continue
            if not rules.published(entry, threshold=tables.threshold):
                common.suppressed_cell(ws, row, 2 + index, styles)
            else:
                common.number_cell(ws, row, 2 + index, entry["estimate"], _PERCENT)
    chart = _bar_chart(
        f"{labels.question(question.id)} by {labels.dimension(by).lower()}",
        len(options) * max(1, len(published)) // 3,
    )
    chart.add_data(
        Reference(ws, min_col=2, max_col=1 + len(published), min_row=first - 1, max_row=row),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=row))
    for index, series in enumerate(chart.series):
        series.graphicalProperties.solidFill = PALETTE[index % len(PALETTE)].lstrip("#")
        series.graphicalProperties.line.noFill = True
    chart.legend.position = "b"
    ws.add_chart(chart, f"{common.column_letter(3 + len(published))}{first - 1}")
    return 1


def _multi_by_group_view(tables: ReportTables) -> tuple[Question, str] | None:
    """The key multi-select view: the first multi-select question that is not about the
    respondents, by the last breakdown dimension (``barriers`` by ``region`` in the reference
    codebook)."""
    codebook = tables.codebook
    about = set(codebook.dimensions) | set(codebook.profile)
    if not codebook.dimensions:
        return None
    for question in codebook.questions_of(QuestionType.MULTI):
        if question.id not in about:
            return question, codebook.dimensions[-1]
    return None
