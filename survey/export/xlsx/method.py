"""The Method sheet: fieldwork, how the export was read, responses against the
frame, weighting, margins of error, small groups, the tests and significance letters.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from survey.analysis.methods import ALPHA, HypothesisTest
from survey.export.xlsx import _common as common
from survey.export.xlsx.styles import _COUNT, _PERCENT, _PERCENT_1, _SCORE, _Styles
from survey.report.rules import published_mask
from survey.report.style import SUPPRESSED, SUPPRESSED_NOTE
from survey.report.tables import ReportTables

__all__ = ["TEST_EXPLANATIONS", "TEST_NAMES", "_write_method"]

#: What each test of ``tests.csv`` does, in one plain line for the Method sheet.
TEST_EXPLANATIONS: dict[str, str] = {
    HypothesisTest.RAO_SCOTT_F: (
        "Rao-Scott F test: does a question's answer depend on the group? A chi-square test "
        "of independence corrected for the weighting (design-based)."
    ),
    HypothesisTest.CHI2_INDEPENDENCE: (
        "Chi-square test of independence: does a question's answer depend on the group? "
        "(unweighted; effect size Cramér's V)."
    ),
    HypothesisTest.KRUSKAL_WALLIS: (
        "Kruskal-Wallis test: do the groups' numbers (such as hours) differ? (unweighted, "
        "on ranks, so a few very large answers do not drive it)."
    ),
    HypothesisTest.WALD_F: (
        "Wald F test: do the groups' weighted means of a number (such as hours) differ? "
        "(design-based)."
    ),
}

#: Short names of the tests, for tables.
TEST_NAMES: dict[str, str] = {
    HypothesisTest.RAO_SCOTT_F: "Rao-Scott F",
    HypothesisTest.CHI2_INDEPENDENCE: "Chi-square",
    HypothesisTest.KRUSKAL_WALLIS: "Kruskal-Wallis",
    HypothesisTest.WALD_F: "Wald F",
}


def _write_reading(ws: Any, row: int, tables: ReportTables, styles: _Styles) -> int:
    """How the export was read (ids numbered, a rule switched off) and the questions kept in
    the codebook but not analysed, with why; returns the next free row."""
    if not tables.notes and not tables.skipped:
        return row
    row += 1
    common.text_cell(ws, row, 1, "How the export was read", styles.heading)
    row += 1
    for note in tables.notes:
        sentence = f"{note[0].upper()}{note[1:]}."
        common.text_cell(ws, row, 1, sentence).alignment = styles.wrap
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
        common.fit_height(ws, row, sentence, 120)
        row += 1
    if tables.skipped:
        common.text_cell(
            ws,
            row,
            1,
            f"Questions kept in the codebook but not analysed (type: skip): {len(tables.skipped)}",
            styles.bold,
        )
        row += 1
        common.header_row(ws, row, ["Question", "Id", "Why not analysed"], [44, 13, 13], styles)
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=7)
        row += 1
        for question_id, text, reason in tables.skipped:
            common.text_cell(ws, row, 1, text).alignment = styles.wrap
            common.text_cell(ws, row, 2, question_id).alignment = styles.top
            common.text_cell(ws, row, 3, reason).alignment = styles.wrap
            ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=7)
            common.fit_height(ws, row, max(text, reason, key=len), 44)
            row += 1
    return row


def _write_method(ws: Any, tables: ReportTables, styles: _Styles) -> list[str]:
    """The Method sheet; returns the cells holding a response-rate formula."""
    labels = tables.labels
    codebook = tables.codebook
    validation = tables.validation
    common.sheet_header(ws, f"Method: wave {tables.wave}", None, styles)
    for letter, width in zip("ABCDEFG", [44, 13, 13, 14, 13, 13, 14], strict=True):
        ws.column_dimensions[letter].width = width
    row = 5
    common.text_cell(ws, row - 1, 1, "Fieldwork", styles.heading)
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
    row = common.fact_rows(ws, row, facts, styles)
    row = _write_reading(ws, row, tables, styles)

    formulas: list[str] = []
    row += 1
    common.text_cell(ws, row, 1, "Who responded, against the sampling frame", styles.heading)
    row += 1
    if not tables.raked:
        common.text_cell(
            ws,
            row,
            1,
            "This wave was not weighted: figures describe the respondents, with no comparison "
            "with a sampling frame."
            if tables.weighting is None
            else f"No comparison with a sampling frame. {tables.unraked_weights}",
        )
        row += 2
    else:
        composition = pd.DataFrame((tables.weighting or {}).get("composition", []))
        common.text_cell(
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
            common.header_row(ws, row, header, [44, 13, 13, 14, 13, 13, 14], styles)
            row += 1
            first = row
            for entry in part.itertuples(index=False):
                common.text_cell(ws, row, 1, labels.group(str(variable), str(entry.category)))
                common.number_cell(ws, row, 2, entry.respondents, _COUNT)
                common.number_cell(ws, row, 3, entry.frame, _COUNT)
                cell = ws.cell(row=row, column=4, value=f"=B{row}/C{row}")
                cell.number_format = _PERCENT
                formulas.append(cell.coordinate)
                common.number_cell(ws, row, 5, entry.sample_share, _PERCENT_1)
                common.number_cell(ws, row, 6, entry.frame_share, _PERCENT_1)
                common.number_cell(ws, row, 7, entry.weighted_share, _PERCENT_1)
                row += 1
            common.colour_scale(ws, [f"E{first}:G{row - 1}"])
            row += 1

    if tables.weighting is not None:
        weighting = tables.weighting
        common.text_cell(ws, row, 1, "Weighting and design effect", styles.heading)
        row += 1
        how = (
            "Weights rake the respondents to the frame's margins (R survey::rake())"
            if tables.raked
            else tables.unraked_weights.rstrip(".")
        )
        common.text_cell(
            ws,
            row,
            1,
            f"{how}; estimates are design-based. {tables.variance_method}",
            styles.note,
        )
        row += 1
        # raking's own facts only for raked weights (the export's own are used as they are)
        weights: dict[str, tuple[object, str | None, bool]] = {
            "Raking iterations": (weighting.get("iterations"), _COUNT, True),
            "Converged": ("yes" if weighting.get("converged") else "no", None, True),
            "Smallest weight": (weighting.get("min_weight"), _SCORE, False),
            "Largest weight": (weighting.get("max_weight"), _SCORE, False),
            "Weights trimmed": (weighting.get("trimmed"), _COUNT, True),
            "Design effect of weighting (Kish)": (weighting.get("design_effect"), _SCORE, False),
            "Effective sample size": (weighting.get("effective_n"), _COUNT, False),
        }
        shown = [
            (label, value, form)
            for label, (value, form, of_raking) in weights.items()
            if tables.raked or not of_raking
        ]
        row = common.fact_rows(ws, row, shown, styles)

    row += 1
    common.text_cell(ws, row, 1, "Margins of error", styles.heading)
    row += 1
    results = tables.shown("results")
    overall = results[
        (results["by"] == "all")
        & (results["option"] == "top2")
        & published_mask(results, threshold=tables.threshold)
    ]
    half_widths = ((overall["ci_high"] - overall["ci_low"]) / 2).dropna()
    if half_widths.empty:
        common.text_cell(ws, row, 1, "No overall rating shares to show a margin of error for.")
        row += 1
    else:
        common.text_cell(
            ws,
            row,
            1,
            "Half the width of the 95% confidence interval of an overall top-2 share "
            "(ratings); a group's interval is wider: see CI low and CI high in each table.",
            styles.note,
        )
        row += 1
        row = common.fact_rows(
            ws,
            row,
            [
                ("Narrowest (± percentage points)", float(half_widths.min()), _PERCENT_1),
                ("Widest (± percentage points)", float(half_widths.max()), _PERCENT_1),
            ],
            styles,
        )

    row += 1
    common.text_cell(ws, row, 1, "Small groups", styles.heading)
    row += 1
    common.text_cell(
        ws,
        row,
        1,
        f"A group of fewer than {tables.threshold} respondents is never shown: its cells hold "
        f"{SUPPRESSED} instead of any number "
        f"({SUPPRESSED_NOTE.format(threshold=tables.threshold)}).",
    )
    row += 2

    common.text_cell(ws, row, 1, "Tests of differences between groups", styles.heading)
    row += 1
    tests = tables.shown("tests")
    common.header_row(
        ws, row, ["Test", "Tests run", "Significant", "What it does"], [44, 13, 13, 14], styles
    )
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=7)
    row += 1
    for name in tests["test"].dropna().unique():
        used = tests[tests["test"] == name]
        common.text_cell(
            ws, row, 1, f"{TEST_NAMES.get(str(name), str(name))} ({name})", styles.bold
        )
        common.number_cell(ws, row, 2, len(used), _COUNT)
        common.number_cell(ws, row, 3, int((used["p_adjusted"] < ALPHA).sum()), _COUNT)
        explanation = TEST_EXPLANATIONS.get(str(name), str(name))
        common.text_cell(ws, row, 4, explanation).alignment = styles.wrap
        ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=7)
        common.fit_height(ws, row, explanation, 54)
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
        common.text_cell(ws, row, 1, sentence).alignment = styles.wrap
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
        common.fit_height(ws, row, sentence, 125)
        row += 1
    common.print_setup(ws)
    return formulas
