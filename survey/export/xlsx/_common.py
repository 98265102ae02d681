"""Shared writing helpers: the sheets' header rows, a column group, neutralised
text cells, number cells, the suppression mark, row heights for wrapped text, links, colour
scales, header rows, label/value facts and print set-up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from survey.export.xlsx.styles import _COUNT, _Styles
from survey.report.style import SEQUENTIAL, SUPPRESSED, SUPPRESSED_NOTE, neutralise
from survey.report.tables import ReportTables

__all__ = [
    "ARROW",
    "DIMENSION_ROW",
    "FIELD_ROW",
    "FIRST_BODY_ROW",
    "GROUPS_PER_PAGE",
    "GROUP_ROW",
    "LABEL_WIDTH",
    "LINK_ROW",
    "THEME_GROUPS_PER_PAGE",
    "characters_per_line",
    "colour_scale",
    "column_letter",
    "fact_rows",
    "fit_height",
    "header_row",
    "humanise",
    "is_missing",
    "link",
    "number_cell",
    "print_setup",
    "sheet_header",
    "sheet_name",
    "suppressed_cell",
    "suppression_note",
    "text_cell",
]

ARROW = "→"

_TITLE_ROW, _NOTE_ROW, LINK_ROW = 1, 2, 3
DIMENSION_ROW, GROUP_ROW, FIELD_ROW = 4, 5, 6
FIRST_BODY_ROW = 7

LABEL_WIDTH = 56  # the question sheets' first column
GROUPS_PER_PAGE = 3  # column groups on a printed page of a question sheet
THEME_GROUPS_PER_PAGE = 7  # ... and of the Themes sheet
_INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: Iterable[str]) -> str:
    """A valid, unique worksheet name (at most 31 characters, none of ``[]:*?/\\``)."""
    base = _INVALID_SHEET_CHARACTERS.sub(" ", name).strip()[:31] or "Sheet"
    taken_lower = {existing.lower() for existing in taken}
    candidate, number = base, 2
    while candidate.lower() in taken_lower:
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)] + suffix
        number += 1
    return candidate


def humanise(identifier: str) -> str:
    return identifier.replace("_", " ").capitalize()


def text_cell(ws: Any, row: int, column: int, text: object, font: Any = None) -> Any:
    """A text cell, neutralised so that it can never be read as a formula."""
    cell = ws.cell(row=row, column=column, value=neutralise(str(text)))
    if font is not None:
        cell.font = font
    return cell


def number_cell(ws: Any, row: int, column: int, number: Any, number_format: str) -> Any:
    """A number cell with a number format (the value stored exactly; a count as an integer).
    A missing number leaves the cell empty."""
    if is_missing(number):
        return ws.cell(row=row, column=column)
    value = float(number)
    if number_format == _COUNT and value.is_integer():
        value = int(value)
    cell = ws.cell(row=row, column=column, value=value)
    cell.number_format = number_format
    return cell


def suppressed_cell(ws: Any, row: int, column: int, styles: _Styles) -> Any:
    cell = ws.cell(row=row, column=column, value=SUPPRESSED)
    cell.alignment = styles.right
    cell.font = styles.muted
    return cell


def is_missing(number: Any) -> bool:
    if isinstance(number, float):  # most numbers: answered without pandas' general check
        return number != number
    return number is None or bool(pd.isna(number))


def suppression_note(tables: ReportTables) -> str:
    return f"{SUPPRESSED} = " + SUPPRESSED_NOTE.format(threshold=tables.threshold) + "."


def sheet_header(
    ws: Any,
    title: str,
    note: str | None,
    styles: _Styles,
    *,
    contents: bool = True,
    note_columns: int = 1,
    note_width: float = 100,
) -> None:
    """Title, a note (wrapped over the first ``note_columns`` columns, ``note_width``
    characters wide) and a link back to the Contents sheet."""
    text_cell(ws, _TITLE_ROW, 1, title, styles.title)
    ws.row_dimensions[_TITLE_ROW].height = 21
    if note:
        cell = text_cell(ws, _NOTE_ROW, 1, note, styles.note)
        cell.alignment = styles.wrap
        if note_columns > 1:
            ws.merge_cells(
                start_row=_NOTE_ROW, start_column=1, end_row=_NOTE_ROW, end_column=note_columns
            )
        fit_height(ws, _NOTE_ROW, note, note_width * 1.1, line=12)
    if contents:
        link(ws, LINK_ROW, 1, "← Contents", "Contents", styles)


def fit_height(ws: Any, row: int, text: str, width: float, *, line: float = 13.5) -> None:
    """Make a row tall enough for ``text`` wrapped in a column ``width`` characters wide
    (spreadsheet programs do not grow a row for wrapped text written by openpyxl)."""
    per_line = characters_per_line(width)
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
    height = line * lines + 3
    current = ws.row_dimensions[row].height
    if current is None or current < height:
        ws.row_dimensions[row].height = height


def characters_per_line(width: float) -> float:
    """How many characters of ordinary text a column ``width`` wide holds on one line."""
    # a column holds about 1.15 characters of ordinary text per unit of width
    return max(width * 1.15 - 2, 1)


def link(ws: Any, row: int, column: int, text: str, sheet: str, styles: _Styles) -> Any:
    """A cell linking to cell A1 of another sheet of the workbook."""
    cell = text_cell(ws, row, column, text, styles.link)
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1", display=text)
    return cell


def colour_scale(ws: Any, ranges: list[str]) -> None:
    """A light-to-dark blue colour scale, fixed at 0% and 100%, on percentage cells."""
    if not ranges:
        return
    ws.conditional_formatting.add(
        " ".join(ranges),
        ColorScaleRule(
            start_type="num",
            start_value=0,
            start_color=SEQUENTIAL[0].lstrip("#"),
            end_type="num",
            end_value=1,
            # The scale's darkest blue would hide black figures: stop at its middle blue.
            end_color=SEQUENTIAL[2].lstrip("#"),
        ),
    )


def print_setup(
    ws: Any,
    *,
    title_rows: str | None = None,
    title_columns: str | None = None,
    scale: int | None = None,
) -> None:
    """Landscape A4; a narrow sheet fits the page's width, a wide one prints at ``scale`` %
    with its headers repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if scale is None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    else:
        ws.page_setup.scale = scale
    if title_rows:
        ws.print_title_rows = title_rows
    if title_columns:
        ws.print_title_cols = title_columns


def header_row(
    ws: Any, row: int, header: list[str], widths: Sequence[float], styles: _Styles
) -> None:
    for column, (name, width) in enumerate(zip(header, widths, strict=True), start=1):
        cell = text_cell(ws, row, column, name, styles.bold)
        cell.fill = styles.header_fill
        cell.alignment = styles.centre
        cell.border = styles.rule
        letter = get_column_letter(column)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)
        fit_height(ws, row, name, width * 0.8, line=14)


def fact_rows(
    ws: Any, row: int, facts: list[tuple[str, object, str | None]], styles: _Styles
) -> int:
    """Label/value rows; a value with a number format is stored as a number."""
    for label, value, number_format in facts:
        text_cell(ws, row, 1, label)
        if number_format is not None and not is_missing(value):
            number_cell(ws, row, 2, value, number_format).alignment = styles.left
        elif value is not None:
            text_cell(ws, row, 2, value)
        row += 1
    return row


def column_letter(column: int) -> str:
    return str(get_column_letter(column))
