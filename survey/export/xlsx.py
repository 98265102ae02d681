"""The wave's workbook, ``report.xlsx``: the engine's tables laid out for analysts.

Sheets, in order:

- **Contents**: every other sheet, each a link.
- **Summary**: the headline findings (:func:`~survey.report.findings.headline_findings`).
- **Method**: fieldwork, responses against the frame (the response rate is an Excel formula,
  ``=B5/C5``), weighting and design effect, margins of error, the suppression rule, the tests
  used and what the significance letters mean.
- **One sheet per block of questions**, in the codebook's order: the breakdown dimensions and
  the ``profile`` questions ("About you"), one sheet per grid question, and every other closed
  question. Rows are a question's options (a grid's topics), column groups are all respondents
  and every group of every dimension, each with n, %, CI low, CI high and the significance
  letters.
- **Learning needs**: top-2 importance, mean gap and Borich's MWDS with its CI, ranked, for
  everyone and every group.
- **Themes**: open-comment themes by group and exemplar quotes.
- **Trends** (a wave with earlier waves): every comparison of an earlier wave with this one
  (``trends.csv``: the wave before first, then the first wave; the comparisons among earlier
  waves are in their own workbooks), question by question in the codebook's order, for
  everyone and every published group: both estimates, the change, p, adjusted p,
  significance and both bases; significant rows highlighted, an autofilter on the header.
- **Not trended** (with Trends): the questions that were not compared and why
  (``trend_flags.csv``), so that no question drops out of the history silently.
- **Topic ranks** (a wave with ``rankings.csv``): every learning-need topic's rank for all
  respondents in every wave so far, ordered by this wave's rank, and the places it moved since
  the wave before.
- **Charts**: native Excel charts of the key views.
- **Data quality**: validation summary, rows set aside and values flagged by reason,
  reliability of the grids.

A first wave has no history: the workbook then has no Trends, Not trended or Topic ranks
sheet, and its Summary no list of changes. A later wave's Summary adds, below the headline
findings, what changed significantly since the wave before
(:func:`~survey.report.findings.change_findings`, the sentences the slides and the dashboard
use).

The writer shows the engine's numbers: estimates are stored as ``results.csv`` holds them (to
the 16 significant digits openpyxl writes), as numbers with number formats (Excel rounds for
display the way :mod:`style` does). A suppressed row shows
:data:`~survey.report.style.SUPPRESSED` in place of every number, and each sheet explains the
rule once. Every text cell goes through :func:`~survey.report.style.neutralise`, so no
respondent's comment becomes a formula; the only formulas are the response rates of the Method
sheet.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from survey.codebook import Question, QuestionType
from survey.report.style import (
    PALETTE,
    SEQUENTIAL,
    SUPPRESSED,
    SUPPRESSED_NOTE,
    TOO_FEW_NOTE,
    neutralise,
)
from survey.report.tables import ReportTables
from survey.writing import atomic_write

__all__ = [
    "TEST_EXPLANATIONS",
    "TEST_NAMES",
    "TREND_TEST_EXPLANATIONS",
    "TREND_TEST_NAMES",
    "write_xlsx",
]

#: What each test of ``tests.csv`` does, in one plain line for the Method sheet.
TEST_EXPLANATIONS = {
    "rao_scott_f": (
        "Rao-Scott F test: does a question's answer depend on the group? A chi-square test "
        "of independence corrected for the weighting (design-based)."
    ),
    "chi2_independence": (
        "Chi-square test of independence: does a question's answer depend on the group? "
        "(unweighted; effect size Cramér's V)."
    ),
    "kruskal_wallis": (
        "Kruskal-Wallis test: do the groups' numbers (such as hours) differ? (unweighted, "
        "on ranks, so a few very large answers do not drive it)."
    ),
    "wald_f": (
        "Wald F test: do the groups' weighted means of a number (such as hours) differ? "
        "(design-based)."
    ),
}

#: Short names of the tests, for tables.
TEST_NAMES = {
    "rao_scott_f": "Rao-Scott F",
    "chi2_independence": "Chi-square",
    "kruskal_wallis": "Kruskal-Wallis",
    "wald_f": "Wald F",
}

#: What each test of ``trends.csv`` does, for the Trends sheet's note.
TREND_TEST_EXPLANATIONS = {
    "design_difference_z": (
        "the design-based difference of two independent waves (a z test of the difference, "
        "each wave's standard error from its weighted design)"
    ),
    "two_proportion_z": "the two-proportion z test (unweighted shares)",
    "difference_z": "a z test of the difference of two independent means (unweighted)",
}

#: Short names of the tests of ``trends.csv``, for tables.
TREND_TEST_NAMES = {
    "design_difference_z": "Design-based difference",
    "two_proportion_z": "Two-proportion z",
    "difference_z": "Difference of means z",
}

_PERCENT = "0%"
_PERCENT_1 = "0.0%"
_MEAN = "0.0"
_SCORE = "0.00"
_COUNT = "0"
_P_VALUE = '[<0.001]"<0.001";0.000'
_SHARE_CHANGE = "+0%;-0%;0%"  # a difference of shares, in percentage points
_MEAN_CHANGE = "+0.0;-0.0;0.0"
_PLACES_MOVED = '"up "0;"down "0;"same"'
_ARROW = "→"

_TITLE_ROW, _NOTE_ROW, _LINK_ROW = 1, 2, 3
_DIMENSION_ROW, _GROUP_ROW, _FIELD_ROW = 4, 5, 6
_FIRST_BODY_ROW = 7

_SHARE, _MEAN_KIND = "share", "mean"
_LABEL_WIDTH = 56  # the question sheets' first column
_GROUPS_PER_PAGE = 3  # column groups on a printed page of a question sheet
_THEME_GROUPS_PER_PAGE = 7  # ... and of the Themes sheet
_INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class _Group:
    """A column group of a question sheet: all respondents, or one group of a dimension."""

    by: str
    code: str
    label: str


@dataclass(frozen=True)
class _Row:
    """A row of a question table: one estimate of ``results`` for every group."""

    label: str
    question: str
    option: str
    kind: str


@dataclass(frozen=True)
class _Table:
    """A question's table: a title row, then its rows."""

    title: str
    rows: list[_Row]


@dataclass(frozen=True)
class _Block:
    """A sheet of question tables."""

    name: str
    tables: list[_Table]


class _Styles:
    """The workbook's fonts, fills and alignments, made once (openpyxl imported lazily)."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.title = Font(bold=True, size=14, color=PALETTE[0].lstrip("#"))
        self.heading = Font(bold=True, size=12)
        self.bold = Font(bold=True)
        self.note = Font(italic=True, size=9, color="595959")
        self.muted = Font(color="7F7F7F")
        self.muted_bold = Font(bold=True, color="595959")
        self.link = Font(color=PALETTE[0].lstrip("#"), underline="single")
        self.header_fill = PatternFill("solid", fgColor="E7EEF7")
        self.title_fill = PatternFill("solid", fgColor="F2F2F2")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.right = Alignment(horizontal="right")
        self.left = Alignment(horizontal="left")
        self.indent = Alignment(indent=1, vertical="bottom", wrap_text=True)
        self.rule = Border(bottom=Side(style="thin", color="BFBFBF"))
        self.group_edge = Border(left=Side(style="thin", color="BFBFBF"))
        self.field_edge = Border(
            left=Side(style="thin", color="BFBFBF"), bottom=Side(style="thin", color="BFBFBF")
        )


def _sheet_name(name: str, taken: Iterable[str]) -> str:
    """A valid, unique worksheet name (at most 31 characters, none of ``[]:*?/\\``)."""
    base = _INVALID_SHEET_CHARACTERS.sub(" ", name).strip()[:31] or "Sheet"
    taken_lower = {existing.lower() for existing in taken}
    candidate, number = base, 2
    while candidate.lower() in taken_lower:
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)] + suffix
        number += 1
    return candidate


def _humanise(identifier: str) -> str:
    return identifier.replace("_", " ").capitalize()


def _text(ws: Any, row: int, column: int, text: object, font: Any = None) -> Any:
    """A text cell, neutralised so that it can never be read as a formula."""
    cell = ws.cell(row=row, column=column, value=neutralise(str(text)))
    if font is not None:
        cell.font = font
    return cell


def _number(ws: Any, row: int, column: int, number: Any, number_format: str) -> Any:
    """A number cell with a number format (the value stored exactly; a count as an integer).
    A missing number leaves the cell empty."""
    if _missing(number):
        return ws.cell(row=row, column=column)
    value = float(number)
    if number_format == _COUNT and value.is_integer():
        value = int(value)
    cell = ws.cell(row=row, column=column, value=value)
    cell.number_format = number_format
    return cell


def _suppressed(ws: Any, row: int, column: int, styles: _Styles) -> Any:
    cell = ws.cell(row=row, column=column, value=SUPPRESSED)
    cell.alignment = styles.right
    cell.font = styles.muted
    return cell


def _missing(number: Any) -> bool:
    if isinstance(number, float):  # most numbers: answered without pandas' general check
        return number != number
    return number is None or bool(pd.isna(number))


def _suppression_note(tables: ReportTables) -> str:
    return f"{SUPPRESSED} = " + SUPPRESSED_NOTE.format(threshold=tables.threshold) + "."


def _sheet_header(
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
    _text(ws, _TITLE_ROW, 1, title, styles.title)
    ws.row_dimensions[_TITLE_ROW].height = 21
    if note:
        cell = _text(ws, _NOTE_ROW, 1, note, styles.note)
        cell.alignment = styles.wrap
        if note_columns > 1:
            ws.merge_cells(
                start_row=_NOTE_ROW, start_column=1, end_row=_NOTE_ROW, end_column=note_columns
            )
        _fit_height(ws, _NOTE_ROW, note, note_width * 1.1, line=12)
    if contents:
        _link(ws, _LINK_ROW, 1, "← Contents", "Contents", styles)


def _fit_height(ws: Any, row: int, text: str, width: float, *, line: float = 13.5) -> None:
    """Make a row tall enough for ``text`` wrapped in a column ``width`` characters wide
    (spreadsheet programs do not grow a row for wrapped text written by openpyxl)."""
    per_line = _characters_per_line(width)
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
    height = line * lines + 3
    current = ws.row_dimensions[row].height
    if current is None or current < height:
        ws.row_dimensions[row].height = height


def _characters_per_line(width: float) -> float:
    """How many characters of ordinary text a column ``width`` wide holds on one line."""
    # a column holds about 1.15 characters of ordinary text per unit of width
    return max(width * 1.15 - 2, 1)


def _link(ws: Any, row: int, column: int, text: str, sheet: str, styles: _Styles) -> Any:
    """A cell linking to cell A1 of another sheet of the workbook."""
    from openpyxl.worksheet.hyperlink import Hyperlink

    cell = _text(ws, row, column, text, styles.link)
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1", display=text)
    return cell


def _colour_scale(ws: Any, ranges: list[str]) -> None:
    """A light-to-dark blue colour scale, fixed at 0% and 100%, on percentage cells."""
    if not ranges:
        return
    from openpyxl.formatting.rule import ColorScaleRule

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


# --- the question blocks -------------------------------------------------------------------


def _question_tables(
    tables: ReportTables, question: Question, present: set[tuple[str, str]]
) -> list[_Table]:
    """The tables of one closed question, rows limited to estimates the engine made."""
    labels = tables.labels

    def rows(candidates: list[_Row]) -> list[_Row]:
        return [row for row in candidates if (row.question, row.option) in present]

    scale = tables.codebook.scales.get(question.scale or "", {})
    span = f" ({min(scale)}–{max(scale)})" if scale else ""
    kind = question.type
    if kind in (QuestionType.SINGLE, QuestionType.MULTI):
        title = labels.question(question.id)
        if kind is QuestionType.MULTI:
            title += " (more than one answer: % of those who answered)"
        body = rows(
            [_Row(option.label, question.id, option.code, _SHARE) for option in question.options]
        )
        return [_Table(title, body)] if body else []
    if kind is QuestionType.LIKERT:
        body = rows(
            [
                _Row(labels.option(question.id, "top2"), question.id, "top2", _SHARE),
                _Row(f"Mean{span}", question.id, "mean", _MEAN_KIND),
            ]
        )
        return [_Table(labels.question(question.id), body)] if body else []
    if kind is QuestionType.NUMBER:
        body = rows([_Row("Mean", question.id, "mean", _MEAN_KIND)])
        return [_Table(labels.question(question.id), body)] if body else []
    if kind is QuestionType.GRID:
        out = []
        for item in question.items:
            columns = question.grid_columns(item)
            if not columns:
                continue
            item_scale = tables.codebook.scales.get(item.scale, {})
            item_span = f" ({min(item_scale)}–{max(item_scale)})" if item_scale else ""
            top2 = labels.option(columns[0], "top2").lower()
            shares = rows(
                [
                    _Row(topic.label, column, "top2", _SHARE)
                    for topic, column in zip(question.topics, columns, strict=True)
                ]
            )
            means = rows(
                [
                    _Row(topic.label, column, "mean", _MEAN_KIND)
                    for topic, column in zip(question.topics, columns, strict=True)
                ]
            )
            if shares:
                out.append(_Table(f"{item.text} % {top2}", shares))
            if means:
                out.append(_Table(f"{item.text} Mean{item_span}", means))
        return out
    return []


def _blocks(tables: ReportTables) -> list[_Block]:
    """The question sheets, in the codebook's order of their first question."""
    codebook = tables.codebook
    results = tables.shown("results")
    present = set(zip(results["question"], results["option"], strict=True))
    about = set(codebook.dimensions) | set(codebook.profile)
    named: dict[str, list[_Table]] = {}
    for question in codebook.questions:
        if question.type is QuestionType.TEXT:
            continue
        if question.type is QuestionType.GRID:
            name = f"{_humanise(question.id)} grid"
        elif question.id in about:
            name = "About you"
        else:
            name = "Other questions"
        found = _question_tables(tables, question, present)
        if found:
            named.setdefault(name, []).extend(found)
    return [_Block(name, found) for name, found in named.items()]


def _groups(tables: ReportTables) -> list[_Group]:
    """All respondents, then every group of every dimension that has results, in codebook
    order."""
    results = tables.shown("results")
    labels = tables.labels
    groups = [_Group("all", "all", labels.group("all", "all"))]
    for by in tables.codebook.dimensions:
        seen = set(results.loc[results["by"] == by, "group"])
        for option in tables.codebook.question(by).options:
            if option.code in seen:
                groups.append(_Group(by, option.code, labels.group(by, option.code)))
    return groups


def _fields(group: _Group) -> list[str]:
    fields = ["n", "%", "CI low", "CI high"]
    return fields if group.by == "all" else [*fields, "Sig."]


def _write_block(
    ws: Any,
    block: _Block,
    tables: ReportTables,
    groups: list[_Group],
    estimates: dict[tuple[str, str, str, str], tuple[Any, ...]],
    letters: dict[tuple[str, str, str, str], tuple[str, str]],
    styles: _Styles,
) -> None:
    """One question sheet: frozen group headers, then one table per question (column groups
    ``groups``, from :func:`_groups`)."""
    from openpyxl.utils import get_column_letter

    labels = tables.labels
    dimensions = ", ".join(labels.dimension(by).lower() for by in tables.codebook.dimensions)
    weighted = "weighted" if tables.weighted else "unweighted"
    _sheet_header(
        ws,
        f"{block.name}: wave {tables.wave}, by {dimensions}",
        f"% = {weighted} share of those who answered; CI = 95% confidence interval; "
        "Sig. = letters of the groups (same dimension, same row) this group's share is "
        "significantly higher than (Holm-adjusted, 5%); a group's letter is beside its "
        f"question's title. {_suppression_note(tables)}",
        styles,
        note_columns=1 + sum(len(_fields(group)) for group in groups[:_GROUPS_PER_PAGE]),
        note_width=_LABEL_WIDTH + 34 * _GROUPS_PER_PAGE,
    )
    ws.column_dimensions["A"].width = _LABEL_WIDTH
    column = 2
    layout: list[tuple[_Group, int]] = []
    for group in groups:
        fields = _fields(group)
        layout.append((group, column))
        for offset, field in enumerate(fields):
            cell = _text(ws, _FIELD_ROW, column + offset, field, styles.bold)
            cell.alignment = styles.centre
            cell.fill = styles.header_fill
            cell.border = styles.rule
            width = 6.5 if field in ("n", "%", "Sig.") else 7.5
            ws.column_dimensions[get_column_letter(column + offset)].width = width
        # all respondents take the dimension's row and the group's row together
        top = _DIMENSION_ROW if group.by == "all" else _GROUP_ROW
        font = styles.heading if group.by == "all" else styles.bold
        _text(ws, top, column, group.label, font).alignment = styles.centre
        ws.merge_cells(
            start_row=top,
            start_column=column,
            end_row=_GROUP_ROW,
            end_column=column + len(fields) - 1,
        )
        column += len(fields)
    last_column = column - 1
    # every group names its dimension, so that a page or a scrolled window stands alone
    for group, start in layout:
        if group.by == "all":
            continue
        cell = _text(ws, _DIMENSION_ROW, start, labels.dimension(group.by), styles.muted_bold)
        cell.alignment = styles.centre
        ws.merge_cells(
            start_row=_DIMENSION_ROW,
            start_column=start,
            end_row=_DIMENSION_ROW,
            end_column=start + len(_fields(group)) - 1,
        )
    ws.row_dimensions[_GROUP_ROW].height = 42
    for cell_column in range(1, last_column + 1):
        ws.cell(_DIMENSION_ROW, cell_column).fill = styles.header_fill
        ws.cell(_GROUP_ROW, cell_column).fill = styles.header_fill
        ws.cell(_FIELD_ROW, cell_column).fill = styles.header_fill
    _text(ws, _FIELD_ROW, 1, "Question / answer", styles.bold).fill = styles.header_fill
    ws.freeze_panes = ws.cell(_FIRST_BODY_ROW, 2).coordinate

    row = _FIRST_BODY_ROW
    for table in block.tables:
        row += 1 if row > _FIRST_BODY_ROW else 0
        title_row = row
        title = _text(ws, row, 1, table.title, styles.bold)
        title.alignment = styles.wrap
        _fit_height(ws, row, table.title, _LABEL_WIDTH)
        for cell_column in range(1, last_column + 1):
            ws.cell(row, cell_column).fill = styles.title_fill
        # a group's letter beside the title when it is the same on every row of the table
        own: dict[tuple[str, str], set[str]] = {}
        for entry in table.rows:
            for group, _ in layout:
                found = letters.get((entry.question, entry.option, group.by, group.code))
                if found is not None:
                    own.setdefault((group.by, group.code), set()).add(found[0])
        constant = {key: next(iter(found)) for key, found in own.items() if len(found) == 1}
        for group, start in layout:
            letter = constant.get((group.by, group.code))
            if letter is not None:
                cell = _text(ws, title_row, start + 4, f"({letter})", styles.bold)
                cell.alignment = styles.centre
        row += 1
        share_rows: list[int] = []
        for entry in table.rows:
            _text(ws, row, 1, entry.label).alignment = styles.indent
            _fit_height(ws, row, entry.label, _LABEL_WIDTH - 2)
            number_format = _PERCENT if entry.kind == _SHARE else _MEAN
            for group, start in layout:
                key = (entry.question, entry.option, group.by, group.code)
                estimate = estimates.get(key)
                if estimate is None:
                    continue
                n, value, low, high, suppressed = estimate
                if suppressed or _missing(value):
                    for offset in range(4):
                        _suppressed(ws, row, start + offset, styles)
                    continue
                _number(ws, row, start, n, _COUNT)
                _number(ws, row, start + 1, value, number_format)
                if not _missing(low):
                    _number(ws, row, start + 2, low, number_format)
                if not _missing(high):
                    _number(ws, row, start + 3, high, number_format)
                found = letters.get(key)
                if group.by != "all" and found is not None:
                    letter, higher = found
                    shown = higher if (group.by, group.code) in constant else f"({letter}) {higher}"
                    if shown.strip():
                        cell = _text(ws, row, start + 4, shown.strip())
                        cell.alignment = styles.centre
            if entry.kind == _SHARE:
                share_rows.append(row)
            row += 1
        for first, last in _runs(share_rows):
            _colour_scale(
                ws,
                [
                    f"{get_column_letter(start + 1)}{first}:{get_column_letter(start + 1)}{last}"
                    for _, start in layout
                ],
            )
    for _, start in layout:
        for body_row in range(_DIMENSION_ROW, row):
            edge = styles.field_edge if body_row == _FIELD_ROW else styles.group_edge
            ws.cell(body_row, start).border = edge
    _print_setup(ws, title_rows=f"{_DIMENSION_ROW}:{_FIELD_ROW}", title_columns="A:A", scale=60)
    from openpyxl.worksheet.pagebreak import Break

    # printed pages break between groups, never inside one
    for index in range(_GROUPS_PER_PAGE, len(layout), _GROUPS_PER_PAGE):
        ws.col_breaks.append(Break(id=layout[index][1] - 1))


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as ``(first, last)`` runs."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _print_setup(
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


# --- the other sheets ----------------------------------------------------------------------


def _write_summary(ws: Any, tables: ReportTables, findings: pd.DataFrame, styles: _Styles) -> None:
    labels = tables.labels
    weighted = "weighted to the frame" if tables.weighted else "not weighted"
    _sheet_header(
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
    _text(ws, first - 1, 1, "Headline findings", styles.heading)
    _header_row(ws, first, header, widths, styles)
    row = first + 1
    if findings.empty:
        message = (
            TOO_FEW_NOTE.format(analysed=tables.analysed, threshold=tables.threshold)
            if tables.too_few
            else "No difference between groups is significant after adjustment."
        )
        _text(ws, row, 2, message)
        row += 1
    for finding in findings.itertuples(index=False):
        words = [
            str(finding.text),
            labels.dimension(str(finding.by)),
            labels.group(str(finding.by), str(finding.group)),
        ]
        for column, (text, width) in enumerate(zip(words, widths[1:4], strict=True), start=2):
            _text(ws, row, column, text).alignment = styles.wrap
            _fit_height(ws, row, text, width)
        test = str(finding.test)
        _text(ws, row, 9, TEST_NAMES.get(test, test)).alignment = styles.top
        for column, number, number_format in (
            (1, finding.rank, _COUNT),
            (5, finding.n, _COUNT),
            (6, finding.estimate, _PERCENT),
            (7, finding.overall, _PERCENT),
            (8, finding.difference, _SHARE_CHANGE),
            (10, finding.p_adjusted, _P_VALUE),
        ):
            _number(ws, row, column, number, number_format).alignment = styles.top
        row += 1
    if not findings.empty:
        _colour_scale(ws, [f"F{first + 1}:G{row - 1}"])
    _write_changes(ws, row + 1, tables, widths, styles)
    ws.freeze_panes = f"C{first + 1}"
    _print_setup(ws, title_rows=f"{first}:{first}")


def _write_changes(
    ws: Any, row: int, tables: ReportTables, widths: Sequence[float], styles: _Styles
) -> None:
    """The Summary's list of what changed significantly since the wave before (nothing for a
    first wave), in the columns of the headline findings."""
    from survey.report.findings import change_findings

    since = tables.previous_wave
    if since is None:
        return
    labels = tables.labels
    changes = change_findings(tables)
    _text(ws, row, 1, f"What changed since {since}", styles.heading)
    row += 1
    note = (
        f"Changes from {since} to {tables.wave} that are significant after the "
        "Benjamini-Hochberg adjustment of that pair of waves, everyone's first, then the "
        "biggest; every comparison is on the Trends sheet."
    )
    _text(ws, row, 1, note, styles.note)
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
    _header_row(ws, row, header, widths, styles)
    row += 1
    if changes.empty:
        _text(ws, row, 2, f"Nothing changed significantly since {since}.")
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
            _text(ws, row, column, text).alignment = styles.wrap
            _fit_height(ws, row, text, width)
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
        _text(ws, row, 9, TREND_TEST_NAMES.get(test, test)).alignment = styles.wrap
        share = change.option != "mean"
        for column, number, number_format in (
            (1, change.rank, _COUNT),
            (5, change.n_to, _COUNT),
            (6, change.estimate_from, _PERCENT if share else _MEAN),
            (7, change.estimate_to, _PERCENT if share else _MEAN),
            (8, change.change, _SHARE_CHANGE if share else _MEAN_CHANGE),
            (10, change.p_adjusted, _P_VALUE),
        ):
            _number(ws, row, column, number, number_format).alignment = styles.top
        row += 1


def _header_row(
    ws: Any, row: int, header: list[str], widths: Sequence[float], styles: _Styles
) -> None:
    from openpyxl.utils import get_column_letter

    for column, (name, width) in enumerate(zip(header, widths, strict=True), start=1):
        cell = _text(ws, row, column, name, styles.bold)
        cell.fill = styles.header_fill
        cell.alignment = styles.centre
        cell.border = styles.rule
        letter = get_column_letter(column)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)
        _fit_height(ws, row, name, width * 0.8, line=14)


def _write_reading(ws: Any, row: int, tables: ReportTables, styles: _Styles) -> int:
    """How the export was read (ids numbered, a rule switched off) and the questions kept in
    the codebook but not analysed, with why; returns the next free row."""
    if not tables.notes and not tables.skipped:
        return row
    row += 1
    _text(ws, row, 1, "How the export was read", styles.heading)
    row += 1
    for note in tables.notes:
        sentence = f"{note[0].upper()}{note[1:]}."
        _text(ws, row, 1, sentence).alignment = styles.wrap
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
        _fit_height(ws, row, sentence, 120)
        row += 1
    if tables.skipped:
        _text(
            ws,
            row,
            1,
            f"Questions kept in the codebook but not analysed (type: skip): {len(tables.skipped)}",
            styles.bold,
        )
        row += 1
        _header_row(ws, row, ["Question", "Id", "Why not analysed"], [44, 13, 13], styles)
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=7)
        row += 1
        for question_id, text, reason in tables.skipped:
            _text(ws, row, 1, text).alignment = styles.wrap
            _text(ws, row, 2, question_id).alignment = styles.top
            _text(ws, row, 3, reason).alignment = styles.wrap
            ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=7)
            _fit_height(ws, row, max(text, reason, key=len), 44)
            row += 1
    return row


def _write_method(ws: Any, tables: ReportTables, styles: _Styles) -> list[str]:
    """The Method sheet; returns the cells holding a response-rate formula."""
    labels = tables.labels
    codebook = tables.codebook
    validation = tables.validation
    _sheet_header(ws, f"Method: wave {tables.wave}", None, styles)
    for letter, width in zip("ABCDEFG", [44, 13, 13, 14, 13, 13, 14], strict=True):
        ws.column_dimensions[letter].width = width
    row = 5
    _text(ws, row - 1, 1, "Fieldwork", styles.heading)
    fieldwork = next(
        (wave.fieldwork for wave in codebook.waves if wave.id == tables.wave and wave.fieldwork),
        None,
    )
    facts: list[tuple[str, object, str | None]] = [
        ("Survey", codebook.instrument.title, None),
        ("Wave", tables.wave, None),
        (
            "Fieldwork",
            f"{fieldwork[0]} to {fieldwork[1]}" if fieldwork else "not recorded in the codebook",
            None,
        ),
        ("Export file", f"{validation.get('file', '')} ({validation.get('layout', '')})", None),
        ("Responses received", validation.get("rows"), _COUNT),
        ("Set aside (see Data quality)", int(tables.quarantined.sum()), _COUNT),
        ("Respondents analysed", tables.analysed, _COUNT),
    ]
    row = _facts(ws, row, facts, styles)
    row = _write_reading(ws, row, tables, styles)

    formulas: list[str] = []
    row += 1
    _text(ws, row, 1, "Who responded, against the sampling frame", styles.heading)
    row += 1
    if tables.weighting is None:
        _text(
            ws,
            row,
            1,
            "This wave was not weighted: figures describe the respondents, with no comparison "
            "with a sampling frame.",
        )
        row += 2
    else:
        composition = pd.DataFrame(tables.weighting.get("composition", []))
        _text(
            ws,
            row,
            1,
            "Response rate = respondents / frame (people in the frame), computed by the formula "
            "in each cell.",
            styles.note,
        )
        row += 1
        for variable, part in composition.groupby("variable", sort=False):
            header = [
                labels.dimension(str(variable)),
                "Respondents",
                "Frame",
                "Response rate",
                "Sample share",
                "Frame share",
                "Weighted share",
            ]
            _header_row(ws, row, header, [44, 13, 13, 14, 13, 13, 14], styles)
            row += 1
            first = row
            for entry in part.itertuples(index=False):
                _text(ws, row, 1, labels.group(str(variable), str(entry.category)))
                _number(ws, row, 2, entry.respondents, _COUNT)
                _number(ws, row, 3, entry.frame, _COUNT)
                cell = ws.cell(row=row, column=4, value=f"=B{row}/C{row}")
                cell.number_format = _PERCENT
                formulas.append(cell.coordinate)
                _number(ws, row, 5, entry.sample_share, _PERCENT_1)
                _number(ws, row, 6, entry.frame_share, _PERCENT_1)
                _number(ws, row, 7, entry.weighted_share, _PERCENT_1)
                row += 1
            _colour_scale(ws, [f"E{first}:G{row - 1}"])
            row += 1

        weighting = tables.weighting
        _text(ws, row, 1, "Weighting and design effect", styles.heading)
        row += 1
        _text(
            ws,
            row,
            1,
            "Weights rake the respondents to the frame's margins (R survey::rake()); estimates "
            "are design-based with Taylor-linearised standard errors.",
            styles.note,
        )
        row += 1
        row = _facts(
            ws,
            row,
            [
                ("Raking iterations", weighting.get("iterations"), _COUNT),
                ("Converged", "yes" if weighting.get("converged") else "no", None),
                ("Smallest weight", weighting.get("min_weight"), _SCORE),
                ("Largest weight", weighting.get("max_weight"), _SCORE),
                ("Weights trimmed", weighting.get("trimmed"), _COUNT),
                ("Design effect of weighting (Kish)", weighting.get("design_effect"), _SCORE),
                ("Effective sample size", weighting.get("effective_n"), _COUNT),
            ],
            styles,
        )

    row += 1
    _text(ws, row, 1, "Margins of error", styles.heading)
    row += 1
    results = tables.shown("results")
    overall = results[
        (results["by"] == "all") & (results["option"] == "top2") & ~results["suppressed"]
    ]
    half_widths = ((overall["ci_high"] - overall["ci_low"]) / 2).dropna()
    if half_widths.empty:
        _text(ws, row, 1, "No overall rating shares to show a margin of error for.")
        row += 1
    else:
        _text(
            ws,
            row,
            1,
            "Half the width of the 95% confidence interval of an overall top-2 share "
            "(ratings); a group's interval is wider: see CI low and CI high in each table.",
            styles.note,
        )
        row += 1
        row = _facts(
            ws,
            row,
            [
                ("Narrowest (± percentage points)", float(half_widths.min()), _PERCENT_1),
                ("Widest (± percentage points)", float(half_widths.max()), _PERCENT_1),
            ],
            styles,
        )

    row += 1
    _text(ws, row, 1, "Small groups", styles.heading)
    row += 1
    _text(
        ws,
        row,
        1,
        f"A group of fewer than {tables.threshold} respondents is never shown: its cells hold "
        f"{SUPPRESSED} instead of any number "
        f"({SUPPRESSED_NOTE.format(threshold=tables.threshold)}).",
    )
    row += 2

    _text(ws, row, 1, "Tests of differences between groups", styles.heading)
    row += 1
    tests = tables.shown("tests")
    _header_row(
        ws, row, ["Test", "Tests run", "Significant", "What it does"], [44, 13, 13, 14], styles
    )
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=7)
    row += 1
    for name in tests["test"].dropna().unique():
        used = tests[tests["test"] == name]
        _text(ws, row, 1, f"{TEST_NAMES.get(str(name), str(name))} ({name})", styles.bold)
        _number(ws, row, 2, len(used), _COUNT)
        _number(ws, row, 3, int((used["p_adjusted"] < 0.05).sum()), _COUNT)
        explanation = TEST_EXPLANATIONS.get(str(name), str(name))
        _text(ws, row, 4, explanation).alignment = styles.wrap
        ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=7)
        _fit_height(ws, row, explanation, 54)
        for column in (1, 2, 3):
            ws.cell(row, column).alignment = styles.top
        row += 1
    row += 1
    for sentence in (
        "Adjustment: the p-values of all the wave's tests are adjusted together with the "
        "Benjamini-Hochberg procedure (controlling the false discovery rate); a difference is "
        "called significant when its adjusted p-value is below 0.05 (Significant counts those).",
        "Significance letters (as in SPSS Custom Tables): within a dimension, every group shown "
        "gets a letter (A, B, C ..., beside the question's title). A letter in a group's Sig. "
        "cell means that group's share is significantly higher than the share of the group "
        "with that letter, at 5% after a Holm adjustment over the pairs in that row. Means "
        "carry no letters.",
    ):
        _text(ws, row, 1, sentence).alignment = styles.wrap
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
        _fit_height(ws, row, sentence, 125)
        row += 1
    _print_setup(ws)
    return formulas


def _facts(ws: Any, row: int, facts: list[tuple[str, object, str | None]], styles: _Styles) -> int:
    """Label/value rows; a value with a number format is stored as a number."""
    for label, value, number_format in facts:
        _text(ws, row, 1, label)
        if number_format is not None and not _missing(value):
            _number(ws, row, 2, value, number_format).alignment = styles.left
        elif value is not None:
            _text(ws, row, 2, value)
        row += 1
    return row


def _write_needs(ws: Any, tables: ReportTables, styles: _Styles) -> None:
    labels = tables.labels
    _sheet_header(
        ws,
        f"Learning needs: wave {tables.wave}",
        "Borich's mean weighted discrepancy score (MWDS = mean importance × mean gap between "
        "importance and confidence) with its 95% CI; rank 1 = greatest need within the group. "
        f"{_suppression_note(tables)}",
        styles,
        note_columns=12,
        note_width=180,
    )
    header = [
        "Dimension",
        "Group",
        "Topic",
        "n",
        "Top-2 importance",
        "Mean importance",
        "Mean confidence",
        "Mean gap",
        "MWDS",
        "MWDS CI low",
        "MWDS CI high",
        "Rank",
    ]
    first = 5
    _header_row(ws, first, header, [16, 30, 50, 7, 12, 12, 12, 10, 10, 10, 10, 7], styles)
    ws.row_dimensions[first].height = 30
    needs = tables.shown("needs")
    order = {by: position for position, by in enumerate(["all", *tables.codebook.dimensions])}
    group_order = {
        (by, option.code): position
        for by in tables.codebook.dimensions
        for position, option in enumerate(tables.codebook.question(by).options)
    }
    needs = needs.assign(
        _by=needs["by"].map(order).fillna(len(order)),
        _group=[
            group_order.get((b, g), 0) for b, g in zip(needs["by"], needs["group"], strict=True)
        ],
        _rank=needs["rank"].where(~needs["suppressed"]),
    ).sort_values(["_by", "_group", "_rank"], kind="stable", na_position="last")
    row = first + 1
    formats = [_COUNT, _PERCENT, _SCORE, _SCORE, _SCORE, _SCORE, _SCORE, _SCORE, _COUNT]
    names = [
        "n",
        "top2_importance",
        "mean_importance",
        "mean_confidence",
        "mean_gap",
        "mwds",
        "mwds_ci_low",
        "mwds_ci_high",
        "rank",
    ]
    for need in needs.to_dict("records"):
        _text(ws, row, 1, labels.dimension(str(need["by"])))
        _text(ws, row, 2, labels.group(str(need["by"]), str(need["group"])))
        _text(ws, row, 3, labels.topic(str(need["topic"])))
        for column, (name, number_format) in enumerate(zip(names, formats, strict=True), start=4):
            if need["suppressed"]:
                _suppressed(ws, row, column, styles)
            elif not _missing(need[name]):
                _number(ws, row, column, need[name], number_format)
        row += 1
    _colour_scale(ws, [f"E{first + 1}:E{row - 1}"])
    ws.auto_filter.ref = f"A{first}:L{max(row - 1, first)}"
    ws.freeze_panes = f"D{first + 1}"
    _print_setup(ws, title_rows=f"{first}:{first}")


def _write_themes(ws: Any, tables: ReportTables, groups: list[_Group], styles: _Styles) -> None:
    from openpyxl.utils import get_column_letter

    labels = tables.labels
    _sheet_header(
        ws,
        f"Themes of the open comments: wave {tables.wave}",
        "Count = comments coded to the theme; share = of the group's comments (a comment can "
        f"have several themes). {_suppression_note(tables)} Quotes are respondents' own words.",
        styles,
        note_columns=1 + 2 * _THEME_GROUPS_PER_PAGE,
        note_width=48 + 18 * _THEME_GROUPS_PER_PAGE,
    )
    themes = tables.shown("themes")
    ws.column_dimensions["A"].width = 48
    breaks: set[int] = set()
    row = 5
    for question in tables.codebook.questions_of(QuestionType.TEXT):
        part = themes[themes["question"] == question.id]
        if part.empty:
            continue
        _text(ws, row, 1, labels.question(question.id), styles.heading)
        row += 1
        lookup = {
            (entry["theme"], entry["by"], entry["group"]): entry
            for entry in part.to_dict("records")
        }
        present = set(zip(part["by"], part["group"], strict=True))
        shown = [group for group in groups if (group.by, group.code) in present]
        breaks.update(
            2 + 2 * index - 1
            for index in range(_THEME_GROUPS_PER_PAGE, len(shown), _THEME_GROUPS_PER_PAGE)
        )
        _text(ws, row, 1, "Theme", styles.bold).fill = styles.header_fill
        for index, group in enumerate(shown):
            column = 2 + 2 * index
            name = (
                group.label if group.by == "all" else f"{labels.dimension(group.by)}: {group.label}"
            )
            cell = _text(ws, row, column, name, styles.bold)
            cell.alignment = styles.centre
            cell.fill = styles.header_fill
            ws.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + 1)
            for offset, field in enumerate(("Count", "Share")):
                sub = _text(ws, row + 1, column + offset, field, styles.bold)
                sub.alignment = styles.centre
                sub.fill = styles.header_fill
                ws.column_dimensions[get_column_letter(column + offset)].width = 9
        ws.row_dimensions[row].height = 58
        row += 2
        codes = list(dict.fromkeys(part["theme"]))
        _text(ws, row, 1, "Comments (base)", styles.bold)
        for index, group in enumerate(shown):
            base = next(
                (entry for key, entry in lookup.items() if key[1:] == (group.by, group.code)),
                None,
            )
            column = 2 + 2 * index
            if base is None:
                continue
            if base["suppressed"] or _missing(base["comments"]):
                _suppressed(ws, row, column, styles)
            else:
                _number(ws, row, column, base["comments"], _COUNT)
        row += 1
        first = row
        for code in codes:
            label = part.loc[part["theme"] == code, "label"].iloc[0]
            _text(ws, row, 1, label).alignment = styles.indent
            for index, group in enumerate(shown):
                entry = lookup.get((code, group.by, group.code))
                column = 2 + 2 * index
                if entry is None:
                    continue
                if entry["suppressed"] or _missing(entry["share"]):
                    _suppressed(ws, row, column, styles)
                    _suppressed(ws, row, column + 1, styles)
                    continue
                _number(ws, row, column, entry["count"], _COUNT)
                _number(ws, row, column + 1, entry["share"], _PERCENT)
            row += 1
        _colour_scale(
            ws,
            [
                f"{letter}{first}:{letter}{row - 1}"
                for letter in (get_column_letter(3 + 2 * index) for index in range(len(shown)))
            ],
        )
        row += 1
        quotes = tables.quotes[tables.quotes["question"] == question.id]
        if not quotes.empty:
            _text(ws, row, 1, "Exemplar quotes", styles.bold)
            row += 1
            theme_labels = dict(zip(part["theme"], part["label"], strict=False))
            for quote in quotes.dropna(subset=["quote"]).to_dict("records"):
                theme = str(quote["theme"])
                _text(ws, row, 1, theme_labels.get(theme, theme)).alignment = styles.indent
                cell = _text(ws, row, 2, quote["quote"])
                cell.alignment = styles.top
                row += 1
        row += 1
    ws.freeze_panes = "B5"
    _print_setup(ws, title_columns="A:A", scale=60)
    from openpyxl.worksheet.pagebreak import Break

    for column in sorted(breaks):
        ws.col_breaks.append(Break(id=column))


def _write_quality(ws: Any, tables: ReportTables, styles: _Styles) -> None:
    validation = tables.validation
    _sheet_header(ws, f"Data quality: wave {tables.wave}", None, styles)
    for letter, width in zip("ABCDE", [56, 14, 26, 14, 12], strict=True):
        ws.column_dimensions[letter].width = width
    row = 5
    _text(ws, row - 1, 1, "Validation", styles.heading)
    row = _facts(
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
        row += 1
        _text(ws, row, 1, "Checks that failed", styles.heading)
        row += 1
        _header_row(
            ws, row, ["Check", "Section", "Reason", "Action", "Rows"], [56, 14, 26, 14, 12], styles
        )
        row += 1
        for check in failed:
            description = str(check.get("description", check.get("expectation", "")))
            _text(ws, row, 1, description).alignment = styles.wrap
            _fit_height(ws, row, description, 56)
            _text(ws, row, 2, check.get("section", ""))
            _text(ws, row, 3, check.get("reason", ""))
            _text(ws, row, 4, check.get("action", ""))
            if not _missing(check.get("failed")):
                _number(ws, row, 5, check["failed"], _COUNT)
            row += 1
    for title, counts, note in (
        (
            "Responses set aside, by reason",
            tables.quarantined,
            "Not analysed; rows in = rows analysed + rows set aside.",
        ),
        ("Values made missing or recoded, by reason", tables.flagged, None),
    ):
        row += 1
        _text(ws, row, 1, title, styles.heading)
        row += 1
        if note:
            _text(ws, row, 1, note, styles.note)
            row += 1
        _header_row(ws, row, ["Reason", "Count"], [56, 14], styles)
        row += 1
        if counts.empty:
            _text(ws, row, 1, "none")
            row += 1
        for reason, count in counts.items():
            _text(ws, row, 1, str(reason).replace("_", " "))
            _number(ws, row, 2, count, _COUNT)
            row += 1
    reliability = tables.reliability
    if not reliability.empty:
        row += 1
        _text(ws, row, 1, "Reliability of the grids (Cronbach's alpha)", styles.heading)
        row += 1
        _header_row(
            ws, row, ["Scale", "Alpha", "CI low", "CI high", "n"], [56, 14, 26, 14, 12], styles
        )
        row += 1
        for entry in reliability.to_dict("records"):
            scale = _grid_item_scale(tables, str(entry["question"]), str(entry["item"]))
            _text(ws, row, 1, f"{tables.labels.question(str(entry['question']))}: {scale}")
            for column, name, number_format in (
                (2, "alpha", _SCORE),
                (3, "ci_low", _SCORE),
                (4, "ci_high", _SCORE),
                (5, "n", _COUNT),
            ):
                if not _missing(entry[name]):
                    _number(ws, row, column, entry[name], number_format)
            row += 1
    _print_setup(ws)


def _grid_item_scale(tables: ReportTables, question_id: str, prefix: str) -> str:
    for question in tables.codebook.questions_of(QuestionType.GRID):
        if question.id == question_id:
            for item in question.items:
                if item.prefix == prefix:
                    return tables.labels.scale_name(item.scale)
    return prefix


def _write_charts(ws: Any, tables: ReportTables, groups: list[_Group], styles: _Styles) -> int:
    """Native charts of the key views, each beside the figures it plots; returns how many."""
    from openpyxl.chart import BarChart, Reference

    labels = tables.labels
    _sheet_header(
        ws,
        f"Key views: wave {tables.wave}",
        f"The figures each chart plots are beside it. {_suppression_note(tables)}",
        styles,
        note_columns=4,
        note_width=100,
    )
    ws.column_dimensions["A"].width = 50
    charts = 0
    row = 5

    def bar_chart(title: str, rows: int) -> Any:
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

    needs = tables.shown("needs")
    overall = needs[(needs["by"] == "all") & ~needs["suppressed"]].sort_values(
        "rank", kind="stable"
    )
    if not overall.empty:
        _text(ws, row, 1, "Topic (ordered by Borich rank, greatest need first)", styles.bold)
        _text(ws, row, 2, "Top-2 importance", styles.bold)
        ws.column_dimensions["B"].width = 14
        first = row + 1
        for need in overall.to_dict("records"):
            row += 1
            _text(ws, row, 1, labels.topic(str(need["topic"])))
            _number(ws, row, 2, need["top2_importance"], _PERCENT)
        chart = bar_chart("Rated very or extremely important, all respondents", len(overall))
        chart.add_data(
            Reference(ws, min_col=2, min_row=first - 1, max_row=row), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=row))
        chart.series[0].graphicalProperties.solidFill = PALETTE[0].lstrip("#")
        chart.legend = None
        ws.add_chart(chart, f"D{first - 1}")
        charts += 1
        row = max(row, first + int(chart.height / 0.5)) + 2

    view = _multi_by_group_view(tables)
    if view is not None:
        question, by = view
        results = tables.shown("results")
        part = results[(results["question"] == question.id) & (results["by"] == by)]
        published = [
            group
            for group in groups
            if group.by == by and (~part.loc[part["group"] == group.code, "suppressed"]).any()
        ]
        options = [option for option in question.options if option.code in set(part["option"])]
        estimates = {(entry["option"], entry["group"]): entry for entry in part.to_dict("records")}
        _text(
            ws,
            row,
            1,
            f"{labels.question(question.id)} by {labels.dimension(by).lower()}",
            styles.bold,
        )
        ws.cell(row, 1).alignment = styles.wrap
        for index, group in enumerate(published):
            cell = _text(ws, row, 2 + index, group.label, styles.bold)
            cell.alignment = styles.centre
            letter = _column_letter(2 + index)
            ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 12)
        ws.row_dimensions[row].height = 45
        first = row + 1
        for option in options:
            row += 1
            _text(ws, row, 1, option.label)
            for index, group in enumerate(published):
                entry = estimates.get((option.code, group.code))
                if entry is None:
                    continue
                if entry["suppressed"] or _missing(entry["estimate"]):
                    _suppressed(ws, row, 2 + index, styles)
                else:
                    _number(ws, row, 2 + index, entry["estimate"], _PERCENT)
        chart = bar_chart(
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
        ws.add_chart(chart, f"{_column_letter(3 + len(published))}{first - 1}")
        charts += 1
    ws.freeze_panes = "A5"
    _print_setup(ws)
    return charts


# --- the wave's history --------------------------------------------------------------------


def _tint(colour: str, share: float) -> str:
    """``colour`` (``#RRGGBB``) mixed with white, ``share`` of it kept: a subtle fill."""
    red, green, blue = (int(colour.lstrip("#")[index : index + 2], 16) for index in (0, 2, 4))
    return "".join(f"{round(255 - (255 - part) * share):02X}" for part in (red, green, blue))


def _wave_order(tables: ReportTables) -> dict[str, int]:
    return {wave.id: position for position, wave in enumerate(tables.codebook.waves)}


def _pair(wave_from: object, wave_to: object) -> str:
    return f"{wave_from} {_ARROW} {wave_to}"


def _trend_order(tables: ReportTables, trends: pd.DataFrame) -> pd.DataFrame:
    """The trends in reading order: the pair ending at this wave with the latest start first
    (then first-to-this-wave, then earlier pairs, latest first); within a pair the codebook's
    order of questions (a grid's columns item by item) and options, all respondents first, then
    every dimension's groups in the codebook's order."""
    codebook = tables.codebook
    waves = _wave_order(tables)
    names: dict[str, int] = {}
    options: dict[tuple[str, str], int] = {}
    for question in codebook.questions:
        columns = [c for item in question.items for c in question.grid_columns(item)]
        for name in columns or [question.id]:
            names.setdefault(name, len(names))
            codes = [option.code for option in question.options] + ["top2", "mean"]
            for position, code in enumerate(codes):
                options.setdefault((name, code), position)
    dimensions = {by: position for position, by in enumerate(["all", *codebook.dimensions])}
    groups = {
        (by, option.code): position
        for by in codebook.dimensions
        for position, option in enumerate(codebook.question(by).options)
    }
    unknown = len(names) + len(options) + len(groups) + len(waves) + 1  # after every known one
    keys = pd.DataFrame(
        {
            "_to": [-waves.get(str(w), -unknown) for w in trends["wave_to"]],
            "_from": [-waves.get(str(w), -unknown) for w in trends["wave_from"]],
            "_question": [names.get(str(q), unknown) for q in trends["question"]],
            "_option": [
                options.get((str(q), str(o)), unknown)
                for q, o in zip(trends["question"], trends["option"], strict=True)
            ],
            "_by": [dimensions.get(str(by), unknown) for by in trends["by"]],
            "_group": [
                groups.get((str(by), str(group)), unknown)
                for by, group in zip(trends["by"], trends["group"], strict=True)
            ],
        },
        index=trends.index,
    )
    codes = ["question", "option", "by", "group"]  # unknown codes sort by their own text
    order = pd.concat([keys, trends[codes].astype(str)], axis=1).sort_values(
        ["_to", "_from", "_question", "question", "_option", "option", "_by", "by", "_group"],
        kind="stable",
    )
    return trends.loc[order.index].reset_index(drop=True)


def _ending_here(tables: ReportTables, table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the history that compare an earlier wave with this one (the comparisons
    among earlier waves are in their own workbooks)."""
    return table[table["wave_to"] == tables.wave].reset_index(drop=True)


def _write_trends(ws: Any, tables: ReportTables, flagged: str | None, styles: _Styles) -> None:
    """Every shown comparison of the wave's history, one row per question, option, group and
    pair of waves."""
    from openpyxl.styles import Alignment, Font, PatternFill

    labels = tables.labels
    trends = _trend_order(tables, _ending_here(tables, tables.shown("trends")))
    trends["significant"] = trends["significant"].fillna(False).astype(bool)
    pairs = list(dict.fromkeys(zip(trends["wave_from"], trends["wave_to"], strict=True)))
    tests = [str(test) for test in dict.fromkeys(trends["test"].dropna())]
    method = "; ".join(TREND_TEST_EXPLANATIONS.get(test, test) for test in tests)
    weighted = "weighted" if tables.weighted else "unweighted"
    significant = int(trends["significant"].sum())
    note = (
        f"Changes between waves ({', '.join(_pair(a, b) for a, b in pairs) or 'none'}), "
        f"{weighted}, for all respondents and every published group: {significant} of "
        f"{len(trends)} comparisons are significant (highlighted). Change = later - earlier: "
        "percentage points for a share (shown with %), the mean's own units for a mean. "
        f"Test: {method or 'none'}. p-values are adjusted with Benjamini-Hochberg within each "
        "pair of waves; Significant = adjusted p below 0.05. Suppressed groups are never "
        "trended; ratings are compared by their top-2 share and mean. A question whose "
        "options changed, or that was not asked in both waves, is not trended (see Not "
        "trended)."
    )
    header = [
        "Waves",
        "Question",
        "Answer",
        "Dimension",
        "Group",
        "Earlier estimate",
        "Later estimate",
        "Change",
        "p",
        "p (adjusted)",
        "Significant",
        "n, earlier",
        "n, later",
        "Test",
    ]
    widths = [12, 52, 34, 13, 38, 9, 9, 9, 8, 9, 10, 8, 8, 24]
    _sheet_header(
        ws,
        f"Trends: wave {tables.wave}",
        note,
        styles,
        note_columns=len(header),
        note_width=sum(widths),
    )
    if flagged is not None:
        _link(ws, _LINK_ROW, 2, flagged, "Not trended", styles)
    first = 5
    _header_row(ws, first, header, widths, styles)
    highlight = PatternFill("solid", fgColor=_tint(PALETTE[1], 0.2))
    yes = Font(bold=True)
    # wrapped labels keep to the bottom of a tall row, level with the numbers
    wrap = Alignment(wrap_text=True, vertical="bottom")
    after_numbers = Alignment(indent=1)
    centred = Alignment(horizontal="center")
    words = functools.cache(
        lambda name, option, by, group: (
            labels.question(name),
            labels.option(name, option),
            labels.dimension(by),
            labels.group(by, group),
        )
    )
    row = first + 1
    if trends.empty:
        _text(ws, row, 2, "No estimate could be compared with an earlier wave.")
    for trend in trends.to_dict("records"):
        name, option = str(trend["question"]), str(trend["option"])
        texts = [
            _pair(trend["wave_from"], trend["wave_to"]),
            *words(name, option, str(trend["by"]), str(trend["group"])),
        ]
        for column, text in enumerate(texts, start=1):
            cell = _text(ws, row, column, text)
            if column in (2, 3, 5) and len(text) > _characters_per_line(widths[column - 1]):
                cell.alignment = wrap
                _fit_height(ws, row, text, widths[column - 1])
        share = option != "mean"
        for column, key, number_format in (
            (6, "estimate_from", _PERCENT if share else _MEAN),
            (7, "estimate_to", _PERCENT if share else _MEAN),
            (8, "change", _SHARE_CHANGE if share else _MEAN_CHANGE),
            (9, "p", _P_VALUE),
            (10, "p_adjusted", _P_VALUE),
            (12, "n_from", _COUNT),
            (13, "n_to", _COUNT),
        ):
            _number(ws, row, column, trend[key], number_format)
        if trend["significant"]:
            _text(ws, row, 11, "Yes", yes).alignment = centred
            for column in range(1, len(header) + 1):
                ws.cell(row, column).fill = highlight
        test = str(trend["test"])
        _text(ws, row, 14, TREND_TEST_NAMES.get(test, test)).alignment = after_numbers
        row += 1
    ws.auto_filter.ref = f"A{first}:{_column_letter(len(header))}{max(row - 1, first)}"
    ws.freeze_panes = f"C{first + 1}"
    _print_setup(ws, title_rows=f"{first}:{first}")


def _write_not_trended(ws: Any, tables: ReportTables, styles: _Styles) -> None:
    """The questions of the wave's history that were not compared, and why."""
    labels = tables.labels
    flags = _ending_here(tables, tables.trend_flags)
    waves = _wave_order(tables)
    flags = flags.assign(
        _to=[-waves.get(str(w), -len(waves)) for w in flags["wave_to"]],
        _from=[-waves.get(str(w), -len(waves)) for w in flags["wave_from"]],
    ).sort_values(["_to", "_from"], kind="stable")
    _sheet_header(
        ws,
        f"Not trended: wave {tables.wave}",
        "A question is compared between two waves only when both asked it with the same "
        "options; these were not, so the Trends sheet has no row for them.",
        styles,
        note_columns=4,
        note_width=130,
    )
    widths = [12, 56, 26, 72]
    first = 5
    _header_row(ws, first, ["Waves", "Question", "Code", "Reason"], widths, styles)
    row = first + 1
    if flags.empty:
        _text(ws, row, 2, "None: every question was asked with the same options in each pair.")
    for flag in flags.to_dict("records"):
        name = str(flag["question"])
        words = [
            _pair(flag["wave_from"], flag["wave_to"]),
            labels.question(name),
            name,
            f"Not trended: {flag['reason']}",
        ]
        for column, (text, width) in enumerate(zip(words, widths, strict=True), start=1):
            _text(ws, row, column, text).alignment = styles.wrap
            _fit_height(ws, row, text, width)
        row += 1
    ws.freeze_panes = f"A{first + 1}"
    _print_setup(ws, title_rows=f"{first}:{first}")


def _write_topic_ranks(ws: Any, tables: ReportTables, styles: _Styles) -> None:
    """Every learning-need topic's rank for all respondents, wave by wave."""
    labels = tables.labels
    rankings = tables.shown("rankings")
    overall = rankings[(rankings["by"] == "all") & (rankings["group"] == "all")]
    order = _wave_order(tables)
    waves = sorted(
        (str(wave) for wave in overall["wave"].dropna().unique()),
        key=lambda wave: (order.get(wave, len(order)), wave),
    )
    before = waves[waves.index(tables.wave) - 1] if tables.wave in waves[1:] else None
    ranks = {
        (str(entry["topic"]), str(entry["wave"])): int(entry["rank"])
        for entry in overall.to_dict("records")
        if not _missing(entry["rank"])
    }
    latest = {
        str(entry["topic"]): entry
        for entry in overall[overall["wave"] == tables.wave].to_dict("records")
    }
    codebook_topics = [
        topic.code
        for grid in tables.codebook.questions_of(QuestionType.GRID)
        for topic in grid.topics
    ]
    topics = list(dict.fromkeys([*codebook_topics, *(str(topic) for topic in overall["topic"])]))
    position = {topic: index for index, topic in enumerate(topics)}

    def reading_order(topic: str) -> tuple[bool, int, int]:
        """This wave's rank (topics it did not rank last), then the codebook's order."""
        rank = ranks.get((topic, tables.wave))
        return rank is None, rank or 0, position[topic]

    present = sorted({str(topic) for topic in overall["topic"]}, key=reading_order)
    weighted = "weighted" if tables.weighted else "unweighted"
    _sheet_header(
        ws,
        f"Learning-need ranks by wave: wave {tables.wave}",
        "Each topic's rank among the topics its wave asked about (1 = greatest need, by "
        f"Borich's MWDS), all respondents, {weighted}; ordered by this wave's rank. A topic "
        "added or dropped moves the others by one; a blank rank was not asked or was "
        "suppressed. The groups' ranks are in rankings.csv and, for this wave, on the "
        "Learning needs sheet.",
        styles,
        note_columns=len(waves) + 4,
        note_width=50 + 11 * len(waves) + 40,
    )
    header = ["Topic", *(f"Rank in {wave}" for wave in waves)]
    widths: list[float] = [50, *(9 for _ in waves)]
    if before is not None:
        header.append(f"Places moved since {before}")
        widths.append(13)
    header += [f"MWDS in {tables.wave}", f"Top-2 importance in {tables.wave}"]
    widths += [10, 13]
    first = 5
    _header_row(ws, first, header, widths, styles)
    row = first + 1
    for topic in present:
        _text(ws, row, 1, labels.topic(topic))
        column = 2
        for wave in waves:
            rank = ranks.get((topic, wave))
            if rank is not None and not _missing(rank):
                cell = _number(ws, row, column, rank, _COUNT)
                cell.alignment = styles.centre
                if wave == tables.wave:
                    cell.font = styles.bold
            column += 1
        entry = latest.get(topic)
        if before is not None:
            if entry is not None and not _missing(entry["rank_before"]):
                moved = int(entry["rank_before"]) - int(entry["rank"])
                _number(ws, row, column, moved, _PLACES_MOVED).alignment = styles.centre
            column += 1
        if entry is not None:
            _number(ws, row, column, entry["mwds"], _SCORE)
            _number(ws, row, column + 1, entry["top2_importance"], _PERCENT)
        row += 1
    if row > first + 1:
        share_column = _column_letter(len(header))
        _colour_scale(ws, [f"{share_column}{first + 1}:{share_column}{row - 1}"])
    ws.freeze_panes = f"B{first + 1}"
    _print_setup(ws, title_rows=f"{first}:{first}")


def _column_letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


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


def _write_contents(
    ws: Any, tables: ReportTables, sheets: list[tuple[str, str]], styles: _Styles
) -> None:
    _sheet_header(
        ws,
        f"{tables.codebook.instrument.title}: wave {tables.wave}",
        f"{tables.analysed} respondents analysed"
        + ("; figures weighted to the sampling frame." if tables.weighted else "; unweighted."),
        styles,
        contents=False,
    )
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 90
    _header_row(ws, 4, ["Sheet", "What it shows"], [30, 90], styles)
    for row, (name, description) in enumerate(sheets, start=5):
        _link(ws, row, 1, name, name, styles)
        _text(ws, row, 2, description)
    _print_setup(ws)


# --- the workbook --------------------------------------------------------------------------


def write_xlsx(tables: ReportTables, findings: pd.DataFrame, path: Path) -> Path:
    """Write the wave's workbook.

    Parameters
    ----------
    tables
        The wave's tables (:func:`~survey.report.tables.load_tables`).
    findings
        Its headline findings (:func:`~survey.report.findings.headline_findings`).
    path
        Where to write ``report.xlsx`` (written atomically).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from survey.codebook import load_codebook
    >>> from survey.report.findings import headline_findings
    >>> from survey.report.tables import load_tables
    >>> from survey.pipeline import process_wave
    >>> book = load_codebook("data/raw/codebook.yaml")
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = process_wave(book, book.wave("2024"), out_dir=folder, processed_dir=folder)
    >>> tables = load_tables(folder, book)
    >>> out = write_xlsx(tables, headline_findings(tables), folder / "report.xlsx")
    >>> from openpyxl import load_workbook
    >>> load_workbook(out).sheetnames[:3]
    ['Contents', 'Summary', 'Method']
    """
    from openpyxl import Workbook

    styles = _Styles()
    groups = _groups(tables)
    # the columns as lists: far faster to walk than their Arrow strings, value by value
    results = tables.shown("results")
    keys = ("question", "option", "by", "group")
    estimates = dict(
        zip(
            zip(*(results[name].tolist() for name in keys), strict=True),
            zip(
                *(
                    results[name].tolist()
                    for name in ("n", "estimate", "ci_low", "ci_high", "suppressed")
                ),
                strict=True,
            ),
            strict=True,
        )
    )
    shown_letters = tables.shown("letters")
    letters = {
        key: (str(letter), "" if pd.isna(higher) else str(higher))
        for key, letter, higher in zip(
            zip(*(shown_letters[name].tolist() for name in keys), strict=True),
            shown_letters["letter"].tolist(),
            shown_letters["higher_than"].tolist(),
            strict=True,
        )
    }

    workbook = Workbook()
    contents = workbook.active
    contents.title = "Contents"
    described: list[tuple[str, str]] = []

    def sheet(name: str, description: str) -> Any:
        title = _sheet_name(name, workbook.sheetnames)
        described.append((title, description))
        return workbook.create_sheet(title)

    since = tables.previous_wave
    _write_summary(
        sheet(
            "Summary",
            "Headline findings: significant differences between groups"
            + (f"; what changed since {since}" if since is not None else ""),
        ),
        tables,
        findings,
        styles,
    )
    _write_method(
        sheet(
            "Method",
            "Fieldwork, response against the frame, weighting, margins of error, small "
            "groups, tests and significance letters",
        ),
        tables,
        styles,
    )
    dimensions = ", ".join(tables.labels.dimension(by).lower() for by in tables.codebook.dimensions)
    for block in _blocks(tables):
        _write_block(
            sheet(block.name, f"{block.name}: n, %, CI and letters by {dimensions}"),
            block,
            tables,
            groups,
            estimates,
            letters,
            styles,
        )
    if not tables.needs.empty:
        _write_needs(
            sheet("Learning needs", "Top-2 importance, gap and Borich MWDS, ranked, by group"),
            tables,
            styles,
        )
    if not tables.themes.empty:
        _write_themes(
            sheet("Themes", "Themes of the open comments by group, with exemplar quotes"),
            tables,
            groups,
            styles,
        )
    if not (tables.trends.empty and tables.trend_flags.empty):
        flags = _ending_here(tables, tables.trend_flags)["question"].nunique()
        trends = sheet(
            "Trends",
            "Every comparison with the earlier waves: both estimates, change, p, adjusted p, "
            "significance and bases, by group",
        )
        not_trended = sheet(
            "Not trended", "Questions not compared between waves (options changed or not asked)"
        )
        _write_trends(
            trends,
            tables,
            f"Not trended: {flags} question{'s' if flags != 1 else ''} →",
            styles,
        )
        _write_not_trended(not_trended, tables, styles)
    if not tables.rankings.empty:
        _write_topic_ranks(
            sheet("Topic ranks", "Each learning-need topic's rank for all respondents, by wave"),
            tables,
            styles,
        )
    _write_charts(
        sheet("Charts", "Charts of the key views (native, editable)"), tables, groups, styles
    )
    _write_quality(
        sheet(
            "Data quality",
            "Validation, responses set aside and values flagged by reason, reliability",
        ),
        tables,
        styles,
    )
    _write_contents(contents, tables, described, styles)
    return atomic_write(path, workbook.save)
