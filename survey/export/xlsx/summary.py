"""The front sheets: Contents (every sheet, each a link) and Summary (the
headline findings and what changed since the wave before).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from survey.export.xlsx import _common as common
from survey.export.xlsx.history import TREND_TEST_NAMES
from survey.export.xlsx.method import TEST_NAMES
from survey.export.xlsx.styles import (
    _COUNT,
    _MEAN,
    _MEAN_CHANGE,
    _P_VALUE,
    _PERCENT,
    _SHARE_CHANGE,
    _Styles,
)
from survey.report.model import ReportModel
from survey.report.style import TOO_FEW_NOTE
from survey.report.tables import ReportTables

__all__ = ["_write_contents", "_write_summary"]

#: The changes since the wave before the Summary lists (the strongest first).
_CHANGES = 8


def _write_summary(ws: Any, model: ReportModel, styles: _Styles) -> None:
    tables, findings = model.tables, model.findings
    labels = tables.labels
    weighted = "weighted to the frame" if tables.weighted else "not weighted"
    common.sheet_header(
        ws,
        f"{tables.codebook.instrument.title}: wave {tables.wave}",
        f"{tables.analysed} respondents analysed; figures {weighted}. Findings are differences "
        "between a group and everyone that are significant after adjustment, strongest first.",
        styles,
        note_columns=4,
        note_width=115,
    )
    header = [
        "Rank",
        "Finding",
        "Dimension",
        "Group",
        "n",
        "Group %",
        "Overall %",
        "Difference",
        "Test",
        "p (adjusted)",
    ]
    widths = [6, 72, 11, 26, 7, 9, 9, 11, 14, 11]
    first = 5
    common.text_cell(ws, first - 1, 1, "Headline findings", styles.heading)
    common.header_row(ws, first, header, widths, styles)
    row = first + 1
    if findings.empty:
        message = (
            TOO_FEW_NOTE.format(analysed=tables.analysed, threshold=tables.threshold)
            if tables.too_few
            else "No difference between groups is significant after adjustment."
        )
        common.text_cell(ws, row, 2, message)
        row += 1
    for finding in findings.itertuples(index=False):
        words = [
            str(finding.text),
            labels.dimension(str(finding.by)),
            labels.group(str(finding.by), str(finding.group)),
        ]
        for column, (text, width) in enumerate(zip(words, widths[1:4], strict=True), start=2):
            common.text_cell(ws, row, column, text).alignment = styles.wrap
            common.fit_height(ws, row, text, width)
        test = str(finding.test)
        common.text_cell(ws, row, 9, TEST_NAMES.get(test, test)).alignment = styles.top
        for column, number, number_format in (
            (1, finding.rank, _COUNT),
            (5, finding.n, _COUNT),
            (6, finding.estimate, _PERCENT),
            (7, finding.overall, _PERCENT),
            (8, finding.difference, _SHARE_CHANGE),
            (10, finding.p_adjusted, _P_VALUE),
        ):
            common.number_cell(ws, row, column, number, number_format).alignment = styles.top
        row += 1
    if not findings.empty:
        common.colour_scale(ws, [f"F{first + 1}:G{row - 1}"])
    _write_changes(ws, row + 1, model, widths, styles)
    ws.freeze_panes = f"C{first + 1}"
    common.print_setup(ws, title_rows=f"{first}:{first}")


def _write_changes(
    ws: Any, row: int, model: ReportModel, widths: Sequence[float], styles: _Styles
) -> None:
    """The Summary's list of what changed significantly since the wave before (nothing for a
    first wave), in the columns of the headline findings."""
    tables = model.tables
    since = tables.previous_wave
    if since is None:
        return
    labels = tables.labels
    changes = model.changes.head(_CHANGES)
    common.text_cell(ws, row, 1, f"What changed since {since}", styles.heading)
    row += 1
    note = (
        f"Changes from {since} to {tables.wave} that are significant after the "
        "Benjamini-Hochberg adjustment of that pair of waves, everyone's first, then the "
        "biggest; every comparison is on the Trends sheet."
    )
    common.text_cell(ws, row, 1, note, styles.note)
    row += 1
    header = [
        "Rank",
        "What changed",
        "Dimension",
        "Group",
        "n",
        f"In {since}",
        f"In {tables.wave}",
        "Change",
        "Test",
        "p (adjusted)",
    ]
    common.header_row(ws, row, header, widths, styles)
    row += 1
    if changes.empty:
        common.text_cell(ws, row, 2, f"Nothing changed significantly since {since}.")
        return
    shown = tables.shown("trends")
    tests = dict(
        zip(
            zip(
                shown["question"],
                shown["option"],
                shown["by"],
                shown["group"],
                shown["wave_from"],
                shown["wave_to"],
                strict=True,
            ),
            shown["test"],
            strict=True,
        )
    )
    for change in changes.itertuples(index=False):
        by, group = str(change.by), str(change.group)
        words = [str(change.text), labels.dimension(by), labels.group(by, group)]
        for column, (text, width) in enumerate(zip(words, widths[1:4], strict=True), start=2):
            common.text_cell(ws, row, column, text).alignment = styles.wrap
            common.fit_height(ws, row, text, width)
        test = str(
            tests.get(
                (
                    change.question,
                    change.option,
                    by,
                    group,
                    change.wave_from,
                    change.wave_to,
                ),
                "",
            )
        )
        common.text_cell(ws, row, 9, TREND_TEST_NAMES.get(test, test)).alignment = styles.wrap
        share = change.option != "mean"
        for column, number, number_format in (
            (1, change.rank, _COUNT),
            (5, change.n_to, _COUNT),
            (6, change.estimate_from, _PERCENT if share else _MEAN),
            (7, change.estimate_to, _PERCENT if share else _MEAN),
            (8, change.change, _SHARE_CHANGE if share else _MEAN_CHANGE),
            (10, change.p_adjusted, _P_VALUE),
        ):
            common.number_cell(ws, row, column, number, number_format).alignment = styles.top
        row += 1


def _write_contents(
    ws: Any, tables: ReportTables, sheets: list[tuple[str, str]], styles: _Styles
) -> None:
    common.sheet_header(
        ws,
        f"{tables.codebook.instrument.title}: wave {tables.wave}",
        f"{tables.analysed} respondents analysed"
        + ("; figures weighted to the sampling frame." if tables.weighted else "; unweighted."),
        styles,
        contents=False,
    )
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 90
    common.header_row(ws, 4, ["Sheet", "What it shows"], [30, 90], styles)
    for row, (name, description) in enumerate(sheets, start=5):
        common.link(ws, row, 1, name, name, styles)
        common.text_cell(ws, row, 2, description)
    common.print_setup(ws)
