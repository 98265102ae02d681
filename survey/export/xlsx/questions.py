"""The question sheets: one per block of questions (about you, each grid, the
others), a table per question with n, %, CI and significance letters for all respondents
and every group of every dimension.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from survey.codebook import Question, QuestionType
from survey.export.xlsx._common import (
    _DIMENSION_ROW,
    _FIELD_ROW,
    _FIRST_BODY_ROW,
    _GROUP_ROW,
    _GROUPS_PER_PAGE,
    _LABEL_WIDTH,
    _MEAN_KIND,
    _SHARE,
    _colour_scale,
    _fit_height,
    _Group,
    _humanise,
    _missing,
    _number,
    _print_setup,
    _sheet_header,
    _suppressed,
    _suppression_note,
    _text,
)
from survey.export.xlsx.styles import _COUNT, _MEAN, _PERCENT, _Styles
from survey.report.tables import ReportTables

__all__ = ["_blocks", "_groups", "_write_block"]


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
