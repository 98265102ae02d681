"""The Themes sheet: the open comments' themes by group, and exemplar quotes."""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from survey.codebook import QuestionType
from survey.export.xlsx import _common as common
from survey.export.xlsx.styles import _COUNT, _PERCENT, _Styles
from survey.report import rules
from survey.report.model import Group
from survey.report.tables import ReportTables

__all__ = ["_write_themes"]


def _write_themes(ws: Any, tables: ReportTables, groups: list[Group], styles: _Styles) -> None:
    labels = tables.labels
    common.sheet_header(
        ws,
        f"Themes of the open comments: wave {tables.wave}",
        "Count = comments coded to the theme; share = of the group's comments (a comment can "
        f"have several themes). {common.suppression_note(tables)} "
        "Quotes are respondents' own words.",
        styles,
        note_columns=1 + 2 * common.THEME_GROUPS_PER_PAGE,
        note_width=48 + 18 * common.THEME_GROUPS_PER_PAGE,
    )
    themes = tables.shown("themes")
    ws.column_dimensions["A"].width = 48
    breaks: set[int] = set()
    row = 5
    for question in tables.codebook.questions_of(QuestionType.TEXT):
        part = themes[themes["question"] == question.id]
        if part.empty:
            continue
        common.text_cell(ws, row, 1, labels.question(question.id), styles.heading)
        row += 1
        lookup = {
            (entry["theme"], entry["by"], entry["group"]): entry
            for entry in part.to_dict("records")
        }
        present = set(zip(part["by"], part["group"], strict=True))
        shown = [group for group in groups if (group.by, group.code) in present]
        breaks.update(
            2 + 2 * index - 1
            for index in range(
                common.THEME_GROUPS_PER_PAGE, len(shown), common.THEME_GROUPS_PER_PAGE
            )
        )
        common.text_cell(ws, row, 1, "Theme", styles.bold).fill = styles.header_fill
        for index, group in enumerate(shown):
            column = 2 + 2 * index
            name = (
                group.label if group.by == "all" else f"{labels.dimension(group.by)}: {group.label}"
            )
            cell = common.text_cell(ws, row, column, name, styles.bold)
            cell.alignment = styles.centre
            cell.fill = styles.header_fill
            ws.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + 1)
            for offset, field in enumerate(("Count", "Share")):
                sub = common.text_cell(ws, row + 1, column + offset, field, styles.bold)
                sub.alignment = styles.centre
                sub.fill = styles.header_fill
                ws.column_dimensions[get_column_letter(column + offset)].width = 9
        ws.row_dimensions[row].height = 58
        row += 2
        codes = list(dict.fromkeys(part["theme"]))
        common.text_cell(ws, row, 1, "Comments (base)", styles.bold)
        for index, group in enumerate(shown):
            base = next(
                (entry for key, entry in lookup.items() if key[1:] == (group.by, group.code)),
                None,
            )
            column = 2 + 2 * index
            if base is None:
                continue
            if not rules.published(base, threshold=tables.threshold, column="comments"):
                common.suppressed_cell(ws, row, column, styles)
            else:
                common.number_cell(ws, row, column, base["comments"], _COUNT)
        row += 1
        first = row
        for code in codes:
            label = part.loc[part["theme"] == code, "label"].iloc[0]
            common.text_cell(ws, row, 1, label).alignment = styles.indent
            for index, group in enumerate(shown):
                entry = lookup.get((code, group.by, group.code))
                column = 2 + 2 * index
                if entry is None:
                    continue
                if not rules.published(entry, threshold=tables.threshold, column="share"):
                    common.suppressed_cell(ws, row, column, styles)
                    common.suppressed_cell(ws, row, column + 1, styles)
                    continue
                common.number_cell(ws, row, column, entry["count"], _COUNT)
                common.number_cell(ws, row, column + 1, entry["share"], _PERCENT)
            row += 1
        common.colour_scale(
            ws,
            [
                f"{letter}{first}:{letter}{row - 1}"
                for letter in (get_column_letter(3 + 2 * index) for index in range(len(shown)))
            ],
        )
        row += 1
        quotes = tables.quotes[tables.quotes["question"] == question.id]
        if not quotes.empty:
            common.text_cell(ws, row, 1, "Exemplar quotes", styles.bold)
            row += 1
            theme_labels = dict(zip(part["theme"], part["label"], strict=False))
            for quote in quotes.dropna(subset=["quote"]).to_dict("records"):
                theme = str(quote["theme"])
                common.text_cell(
                    ws, row, 1, theme_labels.get(theme, theme)
                ).alignment = styles.indent
                cell = common.text_cell(ws, row, 2, quote["quote"])
                cell.alignment = styles.top
                row += 1
        row += 1
    ws.freeze_panes = "B5"
    common.print_setup(ws, title_columns="A:A", scale=60)
    for column in sorted(breaks):
        ws.col_breaks.append(Break(id=column))
