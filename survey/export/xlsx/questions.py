"""The question sheets: one per block of questions (about you, each grid, the
others), a table per question with n, %, CI and significance letters for all respondents
and every group of every dimension.
"""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from survey.export.xlsx import _common as common
from survey.export.xlsx.styles import _COUNT, _MEAN, _PERCENT, _Styles
from survey.report.model import Group, ReportModel, RowKind, Section

__all__ = ["_write_block"]


def _fields(group: Group) -> list[str]:
    fields = ["n", "%", "CI low", "CI high"]
    return fields if group.by == "all" else [*fields, "Sig."]


def _write_block(ws: Any, section: Section, model: ReportModel, styles: _Styles) -> None:
    """One question sheet: frozen group headers, then one table per question block of the
    report model's ``section`` (a column group for each of the model's groups)."""
    tables, groups = model.tables, model.groups
    labels = tables.labels
    dimensions = ", ".join(labels.dimension(by).lower() for by in tables.codebook.dimensions)
    weighted = "weighted" if tables.weighted else "unweighted"
    common.sheet_header(
        ws,
        f"{section.title}: wave {tables.wave}, by {dimensions}",
        f"% = {weighted} share of those who answered; CI = 95% confidence interval; "
        "Sig. = letters of the groups (same dimension, same row) this group's share is "
        "significantly higher than (Holm-adjusted, 5%); a group's letter is beside its "
        f"question's title. {common.suppression_note(tables)}",
        styles,
        note_columns=1 + sum(len(_fields(group)) for group in groups[: common.GROUPS_PER_PAGE]),
        note_width=common.LABEL_WIDTH + 34 * common.GROUPS_PER_PAGE,
    )
    ws.column_dimensions["A"].width = common.LABEL_WIDTH
    column = 2
    layout: list[tuple[Group, int]] = []
    for group in groups:
        fields = _fields(group)
        layout.append((group, column))
        for offset, field in enumerate(fields):
            cell = common.text_cell(ws, common.FIELD_ROW, column + offset, field, styles.bold)
            cell.alignment = styles.centre
            cell.fill = styles.header_fill
            cell.border = styles.rule
            width = 6.5 if field in ("n", "%", "Sig.") else 7.5
            ws.column_dimensions[get_column_letter(column + offset)].width = width
        # all respondents take the dimension's row and the group's row together
        top = common.DIMENSION_ROW if group.by == "all" else common.GROUP_ROW
        font = styles.heading if group.by == "all" else styles.bold
        common.text_cell(ws, top, column, group.label, font).alignment = styles.centre
        ws.merge_cells(
            start_row=top,
            start_column=column,
            end_row=common.GROUP_ROW,
            end_column=column + len(fields) - 1,
        )
        column += len(fields)
    last_column = column - 1
    # every group names its dimension, so that a page or a scrolled window stands alone
    for group, start in layout:
        if group.by == "all":
            continue
        cell = common.text_cell(
            ws, common.DIMENSION_ROW, start, labels.dimension(group.by), styles.muted_bold
        )
        cell.alignment = styles.centre
        ws.merge_cells(
            start_row=common.DIMENSION_ROW,
            start_column=start,
            end_row=common.DIMENSION_ROW,
            end_column=start + len(_fields(group)) - 1,
        )
    ws.row_dimensions[common.GROUP_ROW].height = 42
    for cell_column in range(1, last_column + 1):
        ws.cell(common.DIMENSION_ROW, cell_column).fill = styles.header_fill
        ws.cell(common.GROUP_ROW, cell_column).fill = styles.header_fill
        ws.cell(common.FIELD_ROW, cell_column).fill = styles.header_fill
    common.text_cell(
        ws, common.FIELD_ROW, 1, "Question / answer", styles.bold
    ).fill = styles.header_fill
    ws.freeze_panes = ws.cell(common.FIRST_BODY_ROW, 2).coordinate

    row = common.FIRST_BODY_ROW
    for table in section.blocks:
        row += 1 if row > common.FIRST_BODY_ROW else 0
        title_row = row
        title = common.text_cell(ws, row, 1, table.title, styles.bold)
        title.alignment = styles.wrap
        common.fit_height(ws, row, table.title, common.LABEL_WIDTH)
        for cell_column in range(1, last_column + 1):
            ws.cell(row, cell_column).fill = styles.title_fill
        # a group's letter beside the title when it is the same on every row of the table
        own: dict[tuple[str, str], set[str]] = {}
        for entry in table.rows:
            for group, _ in layout:
                lettered = model.cell(entry.question, entry.option, group.by, group.code)
                if lettered is not None and lettered.letter:
                    own.setdefault((group.by, group.code), set()).add(lettered.letter)
        constant = {key: next(iter(found)) for key, found in own.items() if len(found) == 1}
        for group, start in layout:
            letter = constant.get((group.by, group.code))
            if letter is not None:
                cell = common.text_cell(ws, title_row, start + 4, f"({letter})", styles.bold)
                cell.alignment = styles.centre
        row += 1
        share_rows: list[int] = []
        for entry in table.rows:
            common.text_cell(ws, row, 1, entry.label).alignment = styles.indent
            common.fit_height(ws, row, entry.label, common.LABEL_WIDTH - 2)
            number_format = _PERCENT if entry.kind is RowKind.SHARE else _MEAN
            for group, start in layout:
                figure = model.cell(entry.question, entry.option, group.by, group.code)
                if figure is None:
                    continue
                if not figure.published:
                    for offset in range(4):
                        common.suppressed_cell(ws, row, start + offset, styles)
                    continue
                common.number_cell(ws, row, start, figure.n, _COUNT)
                common.number_cell(ws, row, start + 1, figure.estimate, number_format)
                if figure.ci_low is not None:
                    common.number_cell(ws, row, start + 2, figure.ci_low, number_format)
                if figure.ci_high is not None:
                    common.number_cell(ws, row, start + 3, figure.ci_high, number_format)
                if group.by != "all" and figure.letter:
                    letter, higher = figure.letter, figure.higher_than
                    shown = higher if (group.by, group.code) in constant else f"({letter}) {higher}"
                    if shown.strip():
                        cell = common.text_cell(ws, row, start + 4, shown.strip())
                        cell.alignment = styles.centre
            if entry.kind is RowKind.SHARE:
                share_rows.append(row)
            row += 1
        for first, last in _runs(share_rows):
            common.colour_scale(
                ws,
                [
                    f"{get_column_letter(start + 1)}{first}:{get_column_letter(start + 1)}{last}"
                    for _, start in layout
                ],
            )
    for _, start in layout:
        for body_row in range(common.DIMENSION_ROW, row):
            edge = styles.field_edge if body_row == common.FIELD_ROW else styles.group_edge
            ws.cell(body_row, start).border = edge
    common.print_setup(
        ws, title_rows=f"{common.DIMENSION_ROW}:{common.FIELD_ROW}", title_columns="A:A", scale=60
    )
    # printed pages break between groups, never inside one
    for index in range(common.GROUPS_PER_PAGE, len(layout), common.GROUPS_PER_PAGE):
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
