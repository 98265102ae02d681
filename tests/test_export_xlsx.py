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
from factories import formula_cells, model_of, trend_flags
from openpyxl import load_workbook

from survey.codebook import QuestionType
from survey.export.xlsx import write_xlsx
from survey.report.findings import change_findings
from survey.report.style import PALETTE, SEQUENTIAL, SUPPRESSED


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
def workbook_path(wave_model, tmp_path_factory) -> Path:
    return write_xlsx(wave_model, tmp_path_factory.mktemp("xlsx") / "report.xlsx")


@pytest.fixture(scope="module")
def workbook(workbook_path):
    return load_workbook(workbook_path)


@pytest.fixture(scope="module")
def hostile_workbook(hostile_tables, findings, tmp_path_factory):
    path = write_xlsx(
        model_of(hostile_tables, findings), tmp_path_factory.mktemp("hostile") / "r.xlsx"
    )
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
    formulas = {cell.coordinate: cell.value for cell in formula_cells([ws])}
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
    path = write_xlsx(model_of(unweighted), tmp_path / "u.xlsx")
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


def test_writer_is_fast_on_the_demo_wave(wave_model, tmp_path):
    started = time.process_time()  # CPU seconds: what the writer costs, whatever CI's load
    write_xlsx(wave_model, tmp_path / "report.xlsx")
    assert time.process_time() - started < 2.0


def test_write_is_atomic_and_replaces_a_previous_file(wave_model, tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_text("an old file")
    assert write_xlsx(wave_model, path) == path
    assert load_workbook(path).sheetnames == SHEETS
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]  # no temporary left


# --- the wave's history: Trends, Not trended, Topic ranks, what changed ----------------------

HISTORY_SHEETS = ["Trends", "Not trended", "Topic ranks"]
#: The Trends sheet's header row, as a reader sees it left to right.
TREND_HEADER = [
    "Waves", "Question", "Answer", "Dimension", "Group", "Earlier estimate", "Later estimate",
    "Change", "p", "p (adjusted)", "Significant", "n, earlier", "n, later", "Test",
]  # fmt: skip


def close(number: float) -> object:
    """A trends.csv float as the workbook stores it (to 12 significant digits at least)."""
    return pytest.approx(number, rel=1e-12, abs=0)


@pytest.fixture(scope="module")
def latest_workbook(latest_tables, tmp_path_factory):
    """The 2026 wave's workbook, with its history (2024 → 2025 → 2026)."""
    path = tmp_path_factory.mktemp("latest") / "report.xlsx"
    return load_workbook(write_xlsx(model_of(latest_tables), path))


def _trend_key(tables, row) -> tuple[str, str, str, str, str]:
    """What identifies a trends.csv row on the Trends sheet: its visible labels."""
    labels = tables.labels
    return (
        f"{row.wave_from} → {row.wave_to}",
        labels.question(row.question),
        labels.option(row.question, row.option),
        labels.dimension(row.by),
        labels.group(row.by, row.group),
    )


def _sheet_rows(ws, header_row: int = 5) -> list[dict[str, object]]:
    """The cells of each row below a header row, by header (the cells, for their formats)."""
    header = [cell.value for cell in ws[header_row]]
    return [
        dict(zip(header, cells, strict=False))
        for cells in ws.iter_rows(min_row=header_row + 1)
        if any(cell.value is not None for cell in cells)
    ]


@pytest.fixture(scope="module")
def trend_rows(latest_workbook) -> list[dict[str, object]]:
    ws = latest_workbook["Trends"]
    assert [cell.value for cell in ws[5]] == TREND_HEADER
    return _sheet_rows(ws)


@pytest.fixture(scope="module")
def trend_cells(trend_rows) -> dict[tuple[str, ...], dict[str, object]]:
    return {tuple(row[name].value for name in TREND_HEADER[:5]): row for row in trend_rows}


def test_history_sheets_are_linked_from_contents_and_link_back(latest_workbook):
    assert latest_workbook.sheetnames == [*SHEETS[:-2], *HISTORY_SHEETS, *SHEETS[-2:]]
    contents = latest_workbook["Contents"]
    linked = {
        cell.value: cell.hyperlink.location
        for row in contents.iter_rows()
        for cell in row
        if cell.hyperlink is not None
    }
    for name in HISTORY_SHEETS:
        assert linked[name] == f"'{name}'!A1"
        assert latest_workbook[name]["A3"].hyperlink.location == "'Contents'!A1"
    trends = latest_workbook["Trends"]
    assert trends["B3"].hyperlink.location == "'Not trended'!A1"
    assert trends.freeze_panes == "C6"
    assert latest_workbook["Topic ranks"].freeze_panes == "B6"


def test_trends_sheet_has_one_row_per_shown_trend(latest_workbook, latest_tables, trend_rows):
    shown = latest_tables.shown("trends")
    assert latest_tables.weighted and shown["weighted"].all()
    assert set(shown["wave_to"]) == {"2025", "2026"}
    shown = shown[shown["wave_to"] == "2026"]  # 2024 -> 2025 is in the 2025 workbook
    assert 0 < len(shown) < len(latest_tables.trends)  # the unweighted rows are not shown
    assert len(trend_rows) == len(shown)
    keys = {tuple(row[name].value for name in TREND_HEADER[:5]) for row in trend_rows}
    assert len(keys) == len(trend_rows)  # every row tells itself apart by its labels
    assert keys == {_trend_key(latest_tables, row) for row in shown.itertuples()}
    assert latest_workbook["Trends"].auto_filter.ref == f"A5:N{5 + len(shown)}"
    note = latest_workbook["Trends"]["A2"].value
    for words in ("design-based difference of two independent waves", "Benjamini-Hochberg"):
        assert words in note
    assert "Suppressed groups are never trended" in note


def test_significant_changes_show_the_engines_numbers(latest_tables, trend_rows, trend_cells):
    shown = latest_tables.shown("trends")
    shown = shown[shown["wave_to"] == "2026"]
    significant = shown[
        (shown["wave_from"] == "2025") & (shown["wave_to"] == "2026") & shown["significant"]
    ]
    assert len(significant) > 10
    for trend in significant.itertuples():
        row = trend_cells[_trend_key(latest_tables, trend)]
        for name, expected in (
            ("Earlier estimate", trend.estimate_from),
            ("Later estimate", trend.estimate_to),
            ("Change", trend.change),
            ("p", trend.p),
            ("p (adjusted)", trend.p_adjusted),
        ):
            assert row[name].data_type == "n" and row[name].value == close(expected), name
        assert (row["n, earlier"].value, row["n, later"].value) == (trend.n_from, trend.n_to)
        share = trend.option != "mean"
        assert row["Earlier estimate"].number_format == ("0%" if share else "0.0")
        assert row["Change"].number_format == ("+0%;-0%;0%" if share else "+0.0;-0.0;0.0")
        assert row["Significant"].value == "Yes"
        assert row["Test"].value == "Design-based difference"
        assert {cell.fill.fgColor.rgb for cell in row.values()} == {row["Waves"].fill.fgColor.rgb}
        assert row["Waves"].fill.fill_type == "solid"  # highlighted
    quiet = [row for row in trend_rows if row["Significant"].value is None]
    assert len(quiet) + int(shown["significant"].sum()) == len(trend_rows)
    assert all(row["Waves"].fill.fill_type is None for row in quiet)


@pytest.mark.parametrize("option", ["top2", "mean"])
def test_the_planted_change_is_significant(latest_tables, trend_cells, option):
    labels = latest_tables.labels
    key = (
        "2025 → 2026",
        labels.question("imp_assessment"),
        labels.option("imp_assessment", option),
        "All respondents",
        "All respondents",
    )
    row = trend_cells[key]
    assert row["Significant"].value == "Yes"
    assert row["Change"].value > (0.2 if option == "top2" else 0.5)
    assert row["p (adjusted)"].value < 0.001


def test_trends_read_pair_by_pair_in_codebook_order(latest_tables, trend_rows):
    waves = list(dict.fromkeys(row["Waves"].value for row in trend_rows))
    assert waves == ["2025 → 2026", "2024 → 2026"]  # the wave before first; 2024 → 2025 is 2025's
    labels = latest_tables.labels
    first = [row for row in trend_rows if row["Waves"].value == waves[0]]
    questions = list(dict.fromkeys(row["Question"].value for row in first))
    codebook_order = [labels.question(q.id) for q in latest_tables.codebook.questions]
    plain = [question for question in questions if question in codebook_order]
    assert plain == [q for q in codebook_order if q in plain]
    assert questions[0] == labels.question(latest_tables.codebook.questions[0].id)
    # within a question and answer, all respondents first, then the dimensions in order
    dimensions = ["All respondents", *map(labels.dimension, latest_tables.codebook.dimensions)]
    block = [
        row["Dimension"].value
        for row in first
        if row["Question"].value == labels.question("imp_assessment")
        and row["Answer"].value == labels.option("imp_assessment", "top2")
    ]
    assert block[0] == "All respondents"
    assert sorted(block, key=dimensions.index) == block


def test_flagged_questions_are_listed_and_text_is_never_a_formula(latest_tables, tmp_path):
    flags = trend_flags(
        ("formats", "2025", "2026", "options changed: added ['podcast']"),
        ("=cmd|' /C calc'!A0", "2024", "2026", "=1+1"),
    )
    shown = latest_tables.shown("trends")
    some = shown[shown["wave_to"] == "2026"].head(40)  # enough for the sheet; quick to write
    hostile = some.iloc[:1].assign(group='=HYPERLINK("http://x","y")', by="region")
    tables = dataclasses.replace(
        latest_tables, trend_flags=flags, trends=pd.concat([hostile, some], ignore_index=True)
    )
    workbook = load_workbook(write_xlsx(model_of(tables), tmp_path / "f.xlsx"))
    assert workbook["Trends"]["B3"].value == "Not trended: 2 questions →"
    rows = _sheet_rows(workbook["Not trended"])
    assert [(row["Waves"].value, row["Question"].value, row["Reason"].value) for row in rows] == [
        (
            "2025 → 2026",
            latest_tables.labels.question("formats"),
            "Not trended: options changed: added ['podcast']",
        ),
        ("2024 → 2026", "'=cmd|' /C calc'!A0", "Not trended: =1+1"),
    ]
    group = next(
        row["Group"]
        for row in _sheet_rows(workbook["Trends"])
        if str(row["Group"].value).endswith('=HYPERLINK("http://x","y")')
    )
    assert group.data_type == "s" and group.value == '\'=HYPERLINK("http://x","y")'
    formulas = [(cell.parent.title, cell.coordinate) for cell in formula_cells(workbook)]
    assert formulas and {title for title, _ in formulas} == {"Method"}


def test_topic_ranks_are_the_rankings(latest_workbook, latest_tables):
    ws = latest_workbook["Topic ranks"]
    header = [cell.value for cell in ws[5]]
    assert header == [
        "Topic",
        "Rank in 2024",
        "Rank in 2025",
        "Rank in 2026",
        "Places moved since 2025",
        "MWDS in 2026",
        "Top-2 importance in 2026",
    ]
    rankings = latest_tables.shown("rankings")
    overall = rankings[rankings["by"] == "all"]
    labels = latest_tables.labels
    rows = _sheet_rows(ws)
    latest = overall[overall["wave"] == "2026"].sort_values("rank")
    assert [row["Topic"].value for row in rows] == [labels.topic(t) for t in latest["topic"]]
    by_topic = {row["Topic"].value: row for row in rows}
    for ranking in overall.itertuples():
        row = by_topic[labels.topic(ranking.topic)]
        assert row[f"Rank in {ranking.wave}"].value == ranking.rank
    for ranking in latest.itertuples():
        row = by_topic[labels.topic(ranking.topic)]
        assert row["Places moved since 2025"].value == ranking.rank_before - ranking.rank
        assert row["MWDS in 2026"].value == close(ranking.mwds)
    moved = by_topic[labels.topic("assessment")]["Places moved since 2025"]
    assert moved.value > 0 and moved.number_format == '"up "0;"down "0;"same"'


def test_summary_says_what_changed_since_the_previous_wave(latest_workbook, latest_tables):
    changes = change_findings(latest_tables)
    assert latest_tables.previous_wave == "2025" and len(changes) > 3
    ws = latest_workbook["Summary"]
    heading = next(
        row
        for row in range(1, ws.max_row + 1)
        if ws.cell(row, 1).value == "What changed since 2025"
    )
    rows = _sheet_rows(ws, heading + 2)
    assert [row["What changed"].value for row in rows] == list(changes["text"])
    for row, change in zip(rows, changes.itertuples(), strict=True):
        assert row["In 2025"].value == close(change.estimate_from)
        assert row["In 2026"].value == close(change.estimate_to)
        assert row["Change"].value == close(change.change)
        assert row["Rank"].value == change.rank
    assert "imp_assessment" in set(changes["question"])


def test_a_first_wave_has_no_history_and_does_not_fail(workbook, wave_tables):
    assert wave_tables.trends.empty and wave_tables.rankings.empty
    assert wave_tables.previous_wave is None and change_findings(wave_tables).empty
    assert not set(HISTORY_SHEETS) & set(workbook.sheetnames)
    summary = [c.value for row in workbook["Summary"].iter_rows() for c in row if c.value]
    assert not any(str(value).startswith("What changed") for value in summary)


def test_history_sheets_store_numbers_as_numbers(latest_workbook):
    numeric = re.compile(r"^[-+]?\d+(\.\d+)?%?$")
    for name in HISTORY_SHEETS:
        for row in latest_workbook[name].iter_rows(min_row=5):
            for cell in row:
                if isinstance(cell.value, str):
                    assert not numeric.match(cell.value.strip()), (name, cell.coordinate)


def test_a_history_with_nothing_comparable_says_so(latest_tables, tmp_path):
    flags = trend_flags(("formats", "2025", "2026", "x"))
    tables = dataclasses.replace(
        latest_tables, trends=latest_tables.trends.iloc[:0], trend_flags=flags
    )
    workbook = load_workbook(write_xlsx(model_of(tables), tmp_path / "n.xlsx"))
    rows = _sheet_rows(workbook["Trends"])
    assert [row["Question"].value for row in rows] == [
        "No estimate could be compared with an earlier wave."
    ]
    assert [row["Reason"].value for row in _sheet_rows(workbook["Not trended"])] == [
        "Not trended: x"
    ]
