"""The workbook (report.xlsx), read back with openpyxl: every sheet linked from Contents; the
numbers are results.csv's own floats stored as numbers with % formats; a suppressed group
shows the mark and never a number; respondents' text is text, never a formula (the only
formulas are the response rates); native charts, frozen headers and colour scales; fast."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import HOSTILE_QUOTES
from openpyxl import load_workbook

from survey.codebook import QuestionType
from survey.export.findings import headline_findings
from survey.export.style import PALETTE, SEQUENTIAL, SUPPRESSED
from survey.export.xlsx import write_xlsx


def same(number: float) -> object:
    """The CSV's float as the workbook stores it: openpyxl writes 16 significant digits, so a
    double may come back one unit in the last place away."""
    return pytest.approx(number, rel=1e-15, abs=0)


QUESTION_SHEETS = ["About you", "Learning needs grid", "Other questions"]
SHEETS = [
    "Contents",
    "Summary",
    "Method",
    *QUESTION_SHEETS,
    "Learning needs",
    "Themes",
    "Charts",
    "Data quality",
]
FIELDS = ["n", "%", "CI low", "CI high"]


@pytest.fixture(scope="module")
def findings(wave_tables) -> pd.DataFrame:
    return headline_findings(wave_tables)


@pytest.fixture(scope="module")
def workbook_path(wave_tables, findings, tmp_path_factory) -> Path:
    return write_xlsx(wave_tables, findings, tmp_path_factory.mktemp("xlsx") / "report.xlsx")


@pytest.fixture(scope="module")
def workbook(workbook_path):
    return load_workbook(workbook_path)


@pytest.fixture(scope="module")
def hostile_workbook(hostile_tables, findings, tmp_path_factory):
    path = write_xlsx(hostile_tables, findings, tmp_path_factory.mktemp("hostile") / "r.xlsx")
    return load_workbook(path)


# --- reading a question sheet back, by its visible headers and labels ----------------------


def _group_columns(ws) -> dict[tuple[str, str], int]:
    """``(dimension, group) -> column of n`` from the sheet's frozen header rows."""
    columns = {}
    for column in range(2, ws.max_column + 1):
        if ws.cell(6, column).value == "n":
            dimension = ws.cell(4, column).value
            group = ws.cell(5, column).value or dimension  # all respondents span both rows
            columns[(dimension, group)] = column
    return columns


def _table(ws, title) -> tuple[int, dict[str, int]]:
    """The title row of the table whose title matches, and its rows by label."""
    for row in range(7, ws.max_row + 1):
        value = ws.cell(row, 1).value
        if isinstance(value, str) and title(value):
            rows = {}
            below = row + 1
            while ws.cell(below, 1).value:
                rows[ws.cell(below, 1).value] = below
                below += 1
            return row, rows
    raise AssertionError(f"no table in {ws.title}")


def _locate(workbook, tables, question: str, option: str):
    """The sheet, title row and row of a results question/option, found as a reader would."""
    labels, codebook = tables.labels, tables.codebook
    for grid in codebook.questions_of(QuestionType.GRID):
        for item in grid.items:
            if question in grid.grid_columns(item):
                ws = workbook["Learning needs grid"]
                kind = labels.option(question, "top2").lower() if option == "top2" else "Mean ("
                title_row, rows = _table(
                    ws, lambda title, i=item, k=kind: title.startswith(i.text) and k in title
                )
                return ws, title_row, rows[labels.short(question)]
    about = {*codebook.dimensions, *codebook.profile}
    ws = workbook["About you" if question in about else "Other questions"]
    text = labels.question(question)
    title_row, rows = _table(ws, lambda title: title.startswith(text))
    if option == "mean":
        return ws, title_row, next(row for label, row in rows.items() if label.startswith("Mean"))
    return ws, title_row, rows[labels.option(question, option)]


SAMPLED = [
    "role",  # single, About you
    "library_size",  # profile
    "barriers",  # multi
    "employer_support",  # likert
    "imp_governance",  # grid importance
    "comp_literacy_instruction",  # grid confidence
    "cpd_hours",  # number
]


def _shown_rows(tables, question):
    results = tables.shown("results")
    part = results[results["question"] == question]
    question_type = next(
        (q.type for q in tables.codebook.questions if q.id == question), QuestionType.GRID
    )
    if question_type in (QuestionType.LIKERT, QuestionType.GRID):
        part = part[part["option"].isin(["top2", "mean"])]
    return part


# --- structure -----------------------------------------------------------------------------


def test_sheets_in_order_and_every_one_linked_from_contents(workbook):
    assert workbook.sheetnames == SHEETS
    contents = workbook["Contents"]
    linked = {}
    for row in contents.iter_rows():
        for cell in row:
            if cell.hyperlink is not None:
                match = re.fullmatch(r"'(.+)'!A1", cell.hyperlink.location or "")
                assert match, cell.hyperlink.location  # an internal link, not a web address
                assert cell.hyperlink.target is None
                linked[cell.value] = match.group(1)
    assert linked == {name: name for name in SHEETS[1:]}
    for name in SHEETS[1:]:  # and every sheet links back
        back = workbook[name]["A3"]
        assert back.hyperlink.location == "'Contents'!A1"


def test_headers_are_frozen(workbook):
    for name in QUESTION_SHEETS:
        ws = workbook[name]
        assert ws.freeze_panes == "B7"
        assert [ws.cell(6, column).value for column in range(2, 6)] == FIELDS
    assert workbook["Summary"].freeze_panes == "C6"
    assert workbook["Learning needs"].freeze_panes == "D6"
    assert workbook["Themes"].freeze_panes == "B5"


def test_question_sheets_follow_the_codebook_and_show_every_group(workbook, wave_tables):
    labels = wave_tables.labels
    columns = _group_columns(workbook["Other questions"])
    expected = [("All respondents", "All respondents")]
    results = wave_tables.shown("results")
    for by in wave_tables.codebook.dimensions:
        groups = set(results.loc[results["by"] == by, "group"])
        for option in wave_tables.codebook.question(by).options:
            if option.code in groups:
                expected.append((labels.dimension(by), labels.group(by, option.code)))
    assert list(columns) == expected
    about = [workbook["About you"].cell(row, 1).value for row in range(7, 30)]
    assert labels.question("sector") in about and labels.question("role") in about
    titles = [
        workbook["Other questions"].cell(row, 1).value
        for row in range(7, workbook["Other questions"].max_row + 1)
    ]
    order = [labels.question(q) for q in ("cpd_hours", "paid_time", "employer_support")]
    found = [next(i for i, t in enumerate(titles) if t and t.startswith(o)) for o in order]
    assert found == sorted(found)


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("question", SAMPLED)
def test_numbers_are_results_csv_floats_with_number_formats(workbook, wave_tables, question):
    labels = wave_tables.labels
    rows = _shown_rows(wave_tables, question)
    assert len(rows) > 20
    checked = 0
    for row in rows.itertuples():
        ws, _, sheet_row = _locate(workbook, wave_tables, question, row.option)
        columns = _group_columns(ws)
        if row.by == "all":
            column = columns[("All respondents", "All respondents")]
        else:
            column = columns[(labels.dimension(row.by), labels.group(row.by, row.group))]
        cells = [ws.cell(sheet_row, column + offset) for offset in range(4)]
        if row.suppressed:
            assert [cell.value for cell in cells] == [SUPPRESSED] * 4
            continue
        number_format = "0.0" if row.option == "mean" else "0%"
        assert cells[0].value == row.n and cells[0].data_type == "n"
        for cell, expected in zip(cells[1:], (row.estimate, row.ci_low, row.ci_high), strict=True):
            assert cell.data_type == "n" and isinstance(cell.value, (int, float))
            # the CSV's float, to the 16 significant digits openpyxl writes
            assert cell.value == same(expected)
            assert cell.number_format == number_format
        checked += 1
    assert checked > 20


def test_significance_letters_are_the_engines(workbook, wave_tables):
    labels = wave_tables.labels
    letters = wave_tables.shown("letters")
    part = letters[(letters["question"] == "barriers") & (letters["by"] == "region")]
    assert part["higher_than"].notna().any()
    for row in part.itertuples():
        ws, title_row, sheet_row = _locate(workbook, wave_tables, "barriers", row.option)
        column = _group_columns(ws)[(labels.dimension("region"), labels.group("region", row.group))]
        assert ws.cell(title_row, column + 4).value == f"({row.letter})"
        shown = ws.cell(sheet_row, column + 4).value
        assert shown == (None if pd.isna(row.higher_than) else row.higher_than)


def test_summary_shows_the_findings_as_numbers(workbook, findings):
    ws = workbook["Summary"]
    assert len(findings) > 5
    header = [cell.value for cell in ws[5]]
    for offset, finding in enumerate(findings.itertuples()):
        row = {name: ws.cell(6 + offset, column + 1) for column, name in enumerate(header)}
        assert row["Finding"].value == finding.text
        assert row["n"].value == finding.n
        assert row["Group %"].value == same(finding.estimate)
        assert row["Group %"].number_format == "0%"
        assert row["Overall %"].value == same(finding.overall)
        assert row["Overall %"].number_format == "0%"
        assert row["Rank"].value == finding.rank


def test_learning_needs_sheet_is_the_needs_table(workbook, wave_tables):
    ws = workbook["Learning needs"]
    labels = wave_tables.labels
    header = [cell.value for cell in ws[5]]
    needs = wave_tables.shown("needs")
    overall = needs[needs["by"] == "all"].sort_values("rank")
    first = [ws.cell(row, 3).value for row in range(6, 6 + len(overall))]
    assert first == [labels.topic(topic) for topic in overall["topic"]]  # all first, by rank
    rows = {
        (ws.cell(row, 1).value, ws.cell(row, 2).value, ws.cell(row, 3).value): row
        for row in range(6, ws.max_row + 1)
    }
    assert len(rows) == len(needs)
    column = {name: index + 1 for index, name in enumerate(header)}
    for need in needs.itertuples():
        row = rows[
            (labels.dimension(need.by), labels.group(need.by, need.group), labels.topic(need.topic))
        ]
        cells = [ws.cell(row, column[name]) for name in ("n", "Top-2 importance", "MWDS", "Rank")]
        if need.suppressed:
            assert [cell.value for cell in cells] == [SUPPRESSED] * 4
            assert all(ws.cell(row, c).value == SUPPRESSED for c in range(4, 13))
        else:
            assert [cell.value for cell in cells] == [
                need.n,
                same(need.top2_importance),
                same(need.mwds),
                need.rank,
            ]
            assert cells[1].number_format == "0%"
    assert needs["suppressed"].any()


def test_method_shows_the_frame_with_response_rate_formulas(workbook, wave_tables):
    ws = workbook["Method"]
    composition = pd.DataFrame(wave_tables.weighting["composition"])
    formulas = {
        cell.coordinate: cell.value
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    }
    assert len(formulas) == len(composition)
    labels = wave_tables.labels
    for coordinate, formula in formulas.items():
        row = ws[coordinate].row
        assert formula == f"=B{row}/C{row}"
        assert ws[coordinate].number_format == "0%"
        label = ws.cell(row, 1).value
        entry = next(
            e for e in composition.itertuples() if labels.group(e.variable, e.category) == label
        )
        assert (ws.cell(row, 2).value, ws.cell(row, 3).value) == (entry.respondents, entry.frame)
    words = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "Benjamini-Hochberg" in words and "Holm" in words and "Rao-Scott" in words
    assert f"fewer than {wave_tables.threshold}" in words
    values = [c.value for row in ws.iter_rows() for c in row]
    assert wave_tables.weighting["design_effect"] in values
    assert wave_tables.weighting["effective_n"] in values


def test_an_unweighted_wave_shows_no_frame_and_its_unweighted_figures(wave_tables, tmp_path):
    unweighted = dataclasses.replace(wave_tables, weighting=None)
    path = write_xlsx(unweighted, headline_findings(unweighted), tmp_path / "u.xlsx")
    workbook = load_workbook(path)
    method = workbook["Method"]
    words = " ".join(str(c.value) for row in method.iter_rows() for c in row if c.value)
    assert "not weighted" in words and "Response rate" not in words and "Frame" not in words
    assert not [c for ws in workbook for row in ws.iter_rows() for c in row if c.data_type == "f"]
    results = unweighted.shown("results")
    row = results.query("question == 'role' and option == 'librarian' and by == 'all'").iloc[0]
    assert not row["weighted"]
    ws, _, sheet_row = _locate(workbook, unweighted, "role", "librarian")
    assert ws.cell(sheet_row, 3).value == same(row["estimate"])


# --- suppression ---------------------------------------------------------------------------


def test_a_suppressed_group_shows_the_mark_and_no_number(workbook, wave_tables):
    labels = wave_tables.labels
    results = wave_tables.shown("results")
    suppressed = pd.concat([_shown_rows(wave_tables, question) for question in SAMPLED])
    suppressed = suppressed[suppressed["suppressed"]]
    assert len(suppressed) > 5
    for row in suppressed.itertuples():
        ws, _, sheet_row = _locate(workbook, wave_tables, row.question, row.option)
        column = _group_columns(ws)[(labels.dimension(row.by), labels.group(row.by, row.group))]
        values = [ws.cell(sheet_row, column + offset).value for offset in range(5)]
        assert values[:4] == [SUPPRESSED] * 4 and values[4] is None
    # a whole group below the threshold: no number anywhere in its columns
    ws = workbook["About you"]
    region_n = results[(results["question"] == "sector") & (results["by"] == "region")]
    small = region_n[region_n["suppressed"]]["group"].iloc[0]
    column = _group_columns(ws)[(labels.dimension("region"), labels.group("region", small))]
    for sheet_row in range(7, ws.max_row + 1):
        for offset in range(5):
            value = ws.cell(sheet_row, column + offset).value
            assert value is None or value == SUPPRESSED or isinstance(value, str)
            assert not isinstance(value, int | float)
    # and every sheet explains the mark
    for name in [*QUESTION_SHEETS, "Learning needs", "Themes", "Charts"]:
        assert f"{SUPPRESSED} = fewer than {wave_tables.threshold}" in workbook[name]["A2"].value


def test_suppressed_regions_are_not_charted(workbook, wave_tables):
    ws = workbook["Charts"]
    assert len(ws._charts) == 2
    needs_chart, barriers_chart = ws._charts
    assert len(needs_chart.series) == 1
    results = wave_tables.shown("results")
    barriers = results[(results["question"] == "barriers") & (results["by"] == "region")]
    published = barriers.groupby("group")["suppressed"].agg(lambda s: (~s).any())
    assert 0 < published.sum() < len(published)  # some regions are too small to chart
    assert len(barriers_chart.series) == published.sum()
    fills = [s.graphicalProperties.solidFill.srgbClr for s in barriers_chart.series]
    colours = [getattr(fill, "val", fill) for fill in fills]
    assert colours == [c.lstrip("#") for c in PALETTE[: len(colours)]]
    labels = wave_tables.labels
    names = {labels.group("region", g) for g in published[published].index}
    header = {ws.cell(r, c).value for r in range(5, ws.max_row + 1) for c in range(2, 12)}
    assert names <= header
    for group in published[~published].index:
        assert labels.group("region", group) not in header


def test_needs_chart_is_ordered_by_borich_rank(workbook, wave_tables):
    ws = workbook["Charts"]
    needs = wave_tables.shown("needs")
    overall = needs[(needs["by"] == "all") & ~needs["suppressed"]].sort_values("rank")
    rows = range(6, 6 + len(overall))
    assert [ws.cell(r, 1).value for r in rows] == [
        wave_tables.labels.topic(t) for t in overall["topic"]
    ]
    assert [ws.cell(r, 2).value for r in rows] == [
        same(share) for share in overall["top2_importance"]
    ]
    chart = ws._charts[0]
    reference = chart.series[0].val.numRef.f
    assert reference == f"'Charts'!$B$6:$B${5 + len(overall)}"


# --- text and formulas ---------------------------------------------------------------------


def test_hostile_quotes_are_text_and_the_only_formulas_are_response_rates(
    hostile_workbook, hostile_tables
):
    found = {}
    formulas = []
    for ws in hostile_workbook:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((ws.title, cell.coordinate, cell.value))
                if isinstance(cell.value, str):
                    for quote in HOSTILE_QUOTES:
                        if quote in cell.value:
                            found[quote] = cell
    assert set(found) == set(HOSTILE_QUOTES)
    for cell in found.values():
        assert cell.data_type == "s"
        assert cell.parent.title == "Themes"
    assert found[HOSTILE_QUOTES[0]].value == "'" + HOSTILE_QUOTES[0]  # =HYPERLINK neutralised
    assert found[HOSTILE_QUOTES[2]].value == "'" + HOSTILE_QUOTES[2]  # @SUM neutralised
    assert found[HOSTILE_QUOTES[1]].value == HOSTILE_QUOTES[1]  # a <script> is inert here
    composition = hostile_tables.weighting["composition"]
    assert len(formulas) == len(composition)
    assert all(
        sheet == "Method" and re.fullmatch(rf"=B{coordinate[1:]}/C{coordinate[1:]}", formula)
        for sheet, coordinate, formula in formulas
    )
    assert {coordinate[0] for _, coordinate, _ in formulas} == {"D"}


def test_every_quote_is_shown_as_text(workbook, wave_tables):
    ws = workbook["Themes"]
    texts = [c.value for row in ws.iter_rows() for c in row if c.data_type == "s"]
    for quote in wave_tables.quotes["quote"]:
        assert quote in texts


def test_numbers_are_never_text(workbook):
    numeric = re.compile(r"^[-+]?\d+(\.\d+)?%?$")
    for name in [*QUESTION_SHEETS, "Learning needs", "Summary", "Themes", "Data quality"]:
        ws = workbook[name]
        for row in ws.iter_rows(min_row=5):
            for cell in row:
                if isinstance(cell.value, str):
                    assert not numeric.match(cell.value.strip()), (name, cell.coordinate)


def test_percentages_carry_a_colour_scale_and_nothing_else_does(workbook):
    for name in QUESTION_SHEETS:
        ws = workbook[name]
        formats = ws.conditional_formatting
        ranges = list(formats)
        assert ranges
        for entry in ranges:
            for rule in entry.rules:
                assert rule.type == "colorScale"
                colours = [c.rgb[-6:] for c in rule.colorScale.color]
                assert colours == [SEQUENTIAL[0].lstrip("#"), SEQUENTIAL[2].lstrip("#")]
            for cells in entry.sqref.ranges:
                for row in ws.iter_rows(
                    min_row=cells.min_row,
                    max_row=cells.max_row,
                    min_col=cells.min_col,
                    max_col=cells.max_col,
                ):
                    for cell in row:
                        assert (
                            cell.value == SUPPRESSED
                            or cell.value is None
                            or (cell.number_format == "0%")
                        )


def test_data_quality_shows_counts_by_reason(workbook, wave_tables):
    ws = workbook["Data quality"]
    pairs = {ws.cell(row, 1).value: ws.cell(row, 2).value for row in range(1, ws.max_row + 1)}
    assert pairs["Checks run"] == wave_tables.validation["checks_run"]
    assert pairs["Checks failed"] == wave_tables.validation["checks_failed"]
    for reason, count in wave_tables.quarantined.items():
        assert pairs[reason.replace("_", " ")] == count
    for reason, count in wave_tables.flagged.items():
        assert pairs[reason.replace("_", " ")] == count
    alphas = [ws.cell(row, 2).value for row in range(1, ws.max_row + 1)]
    for alpha in wave_tables.reliability["alpha"]:
        assert alpha in alphas


def test_writer_is_fast_on_the_demo_wave(wave_tables, findings, tmp_path):
    started = time.perf_counter()
    write_xlsx(wave_tables, findings, tmp_path / "report.xlsx")
    assert time.perf_counter() - started < 2.0


def test_write_is_atomic_and_replaces_a_previous_file(wave_tables, findings, tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_text("an old file")
    assert write_xlsx(wave_tables, findings, path) == path
    assert load_workbook(path).sheetnames == SHEETS
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]  # no temporary left
