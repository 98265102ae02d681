"""The Learning needs sheet: top-2 importance, mean gap and Borich's MWDS with its
CI, ranked, for everyone and every group.
"""

from __future__ import annotations

from typing import Any

from survey.export.xlsx import _common as common
from survey.export.xlsx.styles import _COUNT, _PERCENT, _SCORE, _Styles
from survey.report.rules import published, published_mask
from survey.report.tables import ReportTables

__all__ = ["_write_needs"]


def _write_needs(ws: Any, tables: ReportTables, styles: _Styles) -> None:
    labels = tables.labels
    common.sheet_header(
        ws,
        f"Learning needs: wave {tables.wave}",
        "Borich's mean weighted discrepancy score (MWDS = mean importance × mean gap between "
        "importance and confidence) with its 95% CI; rank 1 = greatest need within the group. "
        f"{common.suppression_note(tables)}",
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
    common.header_row(ws, first, header, [16, 30, 50, 7, 12, 12, 12, 10, 10, 10, 10, 7], styles)
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
        _rank=needs["rank"].where(published_mask(needs, threshold=tables.threshold, column="rank")),
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
        common.text_cell(ws, row, 1, labels.dimension(str(need["by"])))
        common.text_cell(ws, row, 2, labels.group(str(need["by"]), str(need["group"])))
        common.text_cell(ws, row, 3, labels.topic(str(need["topic"])))
        for column, (name, number_format) in enumerate(zip(names, formats, strict=True), start=4):
            if not published(need, threshold=tables.threshold, column="n"):
                common.suppressed_cell(ws, row, column, styles)
            elif not common.is_missing(need[name]):
                common.number_cell(ws, row, column, need[name], number_format)
        row += 1
    common.colour_scale(ws, [f"E{first + 1}:E{row - 1}"])
    ws.auto_filter.ref = f"A{first}:L{max(row - 1, first)}"
    ws.freeze_panes = f"D{first + 1}"
    common.print_setup(ws, title_rows=f"{first}:{first}")
