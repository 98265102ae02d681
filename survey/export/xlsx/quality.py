"""The Data quality sheet: the validation summary, rows set aside and values
flagged by reason, and the grids' reliability.
"""

from __future__ import annotations

from typing import Any

from survey.codebook import QuestionType
from survey.export.xlsx import _common as common
from survey.export.xlsx.styles import _COUNT, _SCORE, _Styles
from survey.report.tables import ReportTables

__all__ = ["_write_quality"]

#: The widths of the sheet's five columns.
_WIDTHS = [56, 14, 26, 14, 12]


def _write_quality(ws: Any, tables: ReportTables, styles: _Styles) -> None:
    validation = tables.validation
    common.sheet_header(ws, f"Data quality: wave {tables.wave}", None, styles)
    for letter, width in zip("ABCDE", _WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    row = 5
    common.text_cell(ws, row - 1, 1, "Validation", styles.heading)
    row = common.fact_rows(
        ws,
        row,
        [
            ("Export file", validation.get("file"), None),
            ("Layout", validation.get("layout"), None),
            ("Rows in the export", validation.get("rows"), _COUNT),
            ("Checks run", validation.get("checks_run"), _COUNT),
            ("Checks failed", validation.get("checks_failed"), _COUNT),
            ("Respondents analysed", tables.analysed, _COUNT),
        ],
        styles,
    )
    failed = [check for check in validation.get("checks", []) if not check.get("success", True)]
    if failed:
        row = _table_head(
            ws, row, "Checks that failed", ["Check", "Section", "Reason", "Action", "Rows"], styles
        )
        for check in failed:
            description = str(check.get("description", check.get("expectation", "")))
            common.text_cell(ws, row, 1, description).alignment = styles.wrap
            common.fit_height(ws, row, description, 56)
            common.text_cell(ws, row, 2, check.get("section", ""))
            common.text_cell(ws, row, 3, check.get("reason", ""))
            common.text_cell(ws, row, 4, check.get("action", ""))
            if not common.is_missing(check.get("failed")):
                common.number_cell(ws, row, 5, check["failed"], _COUNT)
            row += 1
    for title, counts, note in (
        (
            "Responses set aside, by reason",
            tables.quarantined,
            "Not analysed; rows in = rows analysed + rows set aside.",
        ),
        ("Values made missing or recoded, by reason", tables.flagged, None),
    ):
        row = _table_head(ws, row, title, ["Reason", "Count"], styles, note=note)
        if counts.empty:
            common.text_cell(ws, row, 1, "none")
            row += 1
        for reason, count in counts.items():
            common.text_cell(ws, row, 1, str(reason).replace("_", " "))
            common.number_cell(ws, row, 2, count, _COUNT)
            row += 1
    reliability = tables.reliability
    if not reliability.empty:
        row = _table_head(
            ws,
            row,
            "Reliability of the grids (Cronbach's alpha)",
            ["Scale", "Alpha", "CI low", "CI high", "n"],
            styles,
        )
        for entry in reliability.to_dict("records"):
            scale = _grid_item_scale(tables, str(entry["question"]), str(entry["item"]))
            common.text_cell(
                ws, row, 1, f"{tables.labels.question(str(entry['question']))}: {scale}"
            )
            for column, name, number_format in (
                (2, "alpha", _SCORE),
                (3, "ci_low", _SCORE),
                (4, "ci_high", _SCORE),
                (5, "n", _COUNT),
            ):
                if not common.is_missing(entry[name]):
                    common.number_cell(ws, row, column, entry[name], number_format)
            row += 1
    common.print_setup(ws)


def _table_head(
    ws: Any, row: int, title: str, header: list[str], styles: _Styles, *, note: str | None = None
) -> int:
    """A heading below ``row`` (after a blank row), an optional note and the header row, in
    the sheet's column widths; returns the first row of the table's body."""
    row += 1
    common.text_cell(ws, row, 1, title, styles.heading)
    row += 1
    if note:
        common.text_cell(ws, row, 1, note, styles.note)
        row += 1
    common.header_row(ws, row, header, _WIDTHS[: len(header)], styles)
    return row + 1


def _grid_item_scale(tables: ReportTables, question_id: str, prefix: str) -> str:
    for question in tables.codebook.questions_of(QuestionType.GRID):
        if question.id == question_id:
            for item in question.items:
                if item.prefix == prefix:
                    return tables.labels.scale_name(item.scale)
    return prefix
