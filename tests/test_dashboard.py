"""The Streamlit dashboard (``survey/dashboard/app.py``) driven by ``streamlit.testing.v1.AppTest``.

Every page runs without an exception in full and public mode and shows the engine's own
numbers, formatted by ``survey.report.style``: the analysed count, a group's share from
``results.csv``, the rank-1 topic of ``needs.csv``, the quarantine counts. Every filter and the
weighted toggle change the numbers to the engine's values for the selection (full mode: the
engine's tables of the filtered respondents, the weighted ones as a domain of the wave's raked
design; public mode: the group's published row) and are kept in the URL. Suppressed groups
show the mark, never a number; public mode never reads respondent rows and has no upload page;
the upload page processes a good export and names the problem with a bad one in one line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import HOSTILE_QUOTES
from factories import PAGE_PATHS, export
from streamlit.testing.v1 import AppTest

from survey.analysis.results import estimate_table, suppress
from survey.codebook import load_codebook
from survey.pipeline import raked_design
from survey.report.style import SUPPRESSED, neutralise, percent, value
from survey.report.tables import Labels, load_tables

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "survey" / "dashboard" / "app.py"
CODEBOOK = REPO / "data" / "raw" / "codebook.yaml"
PAGES = PAGE_PATHS
LATEST = "2025"
#: A question the fixture says could not be compared (the demo's questions all can).
FLAG = {
    "question": "formats",
    "wave_from": "2024",
    "wave_to": LATEST,
    "reason": "options changed: added ['podcast']",
}


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def dashboard_folder(report_folder, tmp_path_factory) -> Path:
    """Two demo waves as ``survey run`` leaves them: ``<folder>/<wave>/`` tables with their
    history (2025's ``trends.csv`` ...) and ``<folder>/<wave>.parquet``; 2025 gets a stand-in
    workbook (for the downloads page), a question flagged as not comparable (:data:`FLAG`) and
    quotes that try to act as markup."""
    from survey.pipeline import process_wave, wave_history

    folder = tmp_path_factory.mktemp("dashboard")
    shutil.copytree(report_folder, folder / "2024")
    shutil.copy(report_folder.parent / "2024.parquet", folder / "2024.parquet")
    book = load_codebook(CODEBOOK)
    process_wave(
        book, book.wave(LATEST), out_dir=folder / LATEST, processed_dir=folder, reports=False
    )
    history = wave_history(book, {"2024": folder / "2024", LATEST: folder / LATEST})
    for wave, files in history.items():
        for name, text in files.items():
            (folder / wave / name).write_text(text, encoding="utf-8")
    flags = pd.read_csv(folder / LATEST / "trend_flags.csv", dtype=str, keep_default_na=False)
    pd.concat([flags, pd.DataFrame([FLAG])]).to_csv(
        folder / LATEST / "trend_flags.csv", index=False
    )
    (folder / LATEST / "report.xlsx").write_bytes(b"a stand-in workbook")
    quotes = pd.read_csv(folder / LATEST / "quotes.csv", dtype=str, keep_default_na=False)
    hostile = pd.DataFrame(
        {
            "question": quotes["question"].iloc[0],
            "theme": quotes["theme"].iloc[0],
            "quote": [neutralise(quote) for quote in HOSTILE_QUOTES],
        }
    )
    pd.concat([hostile, quotes]).to_csv(folder / LATEST / "quotes.csv", index=False)
    return folder


@pytest.fixture(scope="session")
def book():
    return load_codebook(CODEBOOK)


@pytest.fixture(scope="session")
def engine(dashboard_folder, book):
    """The engine's tables of each wave, as the reports read them."""
    return {wave: load_tables(dashboard_folder / wave, book) for wave in ("2024", LATEST)}


@pytest.fixture(scope="session")
def respondents(dashboard_folder):
    return {
        wave: pd.read_parquet(dashboard_folder / f"{wave}.parquet") for wave in ("2024", LATEST)
    }


def _environment(monkeypatch, folder: Path, *, public: bool) -> None:
    import streamlit as st

    monkeypatch.setenv("SURVEY_REPORTS", str(folder))
    monkeypatch.setenv("SURVEY_PROCESSED", str(folder))
    monkeypatch.setenv("SURVEY_CODEBOOK", str(CODEBOOK))
    monkeypatch.setenv("SURVEY_PUBLIC", "1" if public else "0")
    st.cache_data.clear()  # what a test sees is read in that test's mode
    st.cache_resource.clear()


@pytest.fixture
def full(monkeypatch, dashboard_folder):
    _environment(monkeypatch, dashboard_folder, public=False)


@pytest.fixture
def public(monkeypatch, dashboard_folder):
    _environment(monkeypatch, dashboard_folder, public=True)


@pytest.fixture(params=["full", "public"])
def mode(request, monkeypatch, dashboard_folder) -> str:
    _environment(monkeypatch, dashboard_folder, public=request.param == "public")
    return str(request.param)


# ------------------------------------------------------------------------------- helpers
def selection_results(frame: pd.DataFrame, book, wave: str, dimension: str, group: str):
    """The engine's ``results`` of the respondents of one group, as a filtered view estimates
    them: unweighted of those respondents, weighted as a domain of the wave's raked design."""
    domain = (frame[dimension] == group).to_numpy()
    chosen = frame[domain].reset_index(drop=True)
    _raked, design = raked_design(frame, book)
    tables = [
        estimate_table(chosen, book, wave=wave),
        estimate_table(frame, book, wave=wave, weights=design, domain=domain),
    ]
    return suppress(pd.concat(tables, ignore_index=True), threshold=book.small_cell_threshold)


def start(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params = dict(query or {})
    at.run()
    assert not at.exception, at.exception
    return at


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rerun(widget) -> AppTest:
    at = widget.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def one(table: pd.DataFrame, **where) -> pd.Series:
    rows = table
    for column, wanted in where.items():
        rows = rows[rows[column] == wanted]
    assert len(rows) == 1, where
    return rows.iloc[0]


def shown_table(at: AppTest, key: str) -> pd.DataFrame:
    """The table the page shows under ``key`` (``ui.table`` puts it in a keyed container)."""
    return at.get_by_key(key).dataframe[0].value


def plain(markdown: str) -> str:
    """Markdown as read on screen (the page escapes markup characters with backslashes)."""
    return markdown.replace("\\", "")


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def compare(at: AppTest, question: str = "barriers", by: str = "region", option: str = "travel"):
    """The Compare page's table for a question, a dimension and an answer."""
    go(at, "compare")
    rerun(at.selectbox(key="compare_question").set_value(question))
    rerun(at.selectbox(key="compare_by").set_value(by))
    rerun(at.selectbox(key="compare_option").set_value(option))
    return shown_table(at, "compare_table").set_index("Group")


def figure(at: AppTest, key: str) -> dict:
    chart = next(element for element in at.get("plotly_chart") if element.key == key)
    return json.loads(chart.proto.spec)


def group_label(book, by: str, group: str) -> str:
    return Labels(book).group(by, group)


def shown_results(tables, *, weighted: bool = True) -> pd.DataFrame:
    return tables.results[tables.results["weighted"] == weighted]


# ----------------------------------------------------------------- every page, both modes
def test_overview_shows_the_analysed_count_and_the_frame(mode, engine):
    tables = engine[LATEST]
    at = go(start(), "overview")
    assert metric(at, "Respondents analysed") == f"{tables.analysed:,}"
    assert metric(at, "Set aside") == f"{int(tables.quarantined.sum()):,}"
    assert metric(at, "Design effect") == f"{tables.weighting['design_effect']:.2f}"
    frame = shown_table(at, "overview_frame_table_sector").set_index("Sector")
    school = one(pd.DataFrame(tables.weighting["composition"]), category="school")
    assert frame.loc["School library (K-12)", "Respondents"] == (
        f"{school['respondents']} of {int(school['frame']):,}"
    )
    assert frame.loc["School library (K-12)", "Weighted"] == percent(school["weighted_share"])
    assert frame.loc["School library (K-12)", "Response rate"] == percent(school["response_rate"])


def test_needs_shows_the_rank_one_topic_of_needs_csv(mode, engine):
    tables = engine[LATEST]
    needs = tables.shown("needs")
    top = one(needs, by="all", rank=1)
    at = go(start(), "needs")
    assert tables.labels.topic(top["topic"]) in plain(at.info[0].value)
    ranking = shown_table(at, "needs_ranking")
    assert ranking["Topic"].iloc[0] == tables.labels.topic(top["topic"])
    assert ranking["MWDS"].iloc[0] == f"{top['mwds']:.2f}"


def test_compare_shows_results_csv_shares_letters_and_the_test(mode, engine):
    tables = engine[LATEST]
    at = start()
    table = compare(at)
    rows = shown_results(tables)
    mainland = one(
        rows, question="barriers", option="travel", by="region", group="mainland_southwest"
    )
    overall = one(rows, question="barriers", option="travel", by="all")
    assert table.loc["Mainland/Southwest", "Share"] == percent(mainland["estimate"])
    assert table.loc["All respondents", "Share"] == percent(overall["estimate"])
    letters = tables.shown("letters")
    letter = one(letters, question="barriers", option="travel", by="region", group="cariboo")
    assert table.loc["Cariboo", "Letter"] == letter["letter"]
    test = one(tables.shown("tests"), question="barriers__travel", by="region")
    sentence = plain(at.info[0].value)
    assert "by region" in sentence and "after adjustment" in sentence
    p = test["p_adjusted"]
    assert ("p < 0.001" if p < 0.001 else f"p = {p:.3f}") in sentence
    assert f"Cramér's V = {test['effect_size']:.2f}" in sentence


@pytest.mark.parametrize(
    ("question", "option", "share"),
    [
        ("paid_time", "none", True),  # single choice
        ("employer_support", "top2", True),  # Likert item
        ("imp_leadership", "mean", False),  # grid rating, its mean
        ("cpd_hours", "mean", False),  # number
    ],
)
def test_compare_formats_every_kind_of_question(full, engine, question, option, share):
    tables = engine[LATEST]
    at = start()
    table = compare(at, question=question, by="sector", option=option)
    row = one(shown_results(tables), question=question, option=option, by="sector", group="public")
    expected = percent(row["estimate"]) if share else value(row["estimate"])
    assert table.loc["Public library", "Share" if share else "Mean"] == expected


def test_barriers_shows_each_option_by_region(mode, engine):
    tables = engine[LATEST]
    at = go(start(), "barriers")
    table = shown_table(at, "barriers_table_region")
    travel = one(
        shown_results(tables),
        question="barriers",
        option="travel",
        by="region",
        group="vancouver_island",
    )
    assert table.loc["Travel distance", "Vancouver Island/Coast"] == percent(travel["estimate"])


def test_trends_shows_each_waves_top_two_importance(mode, engine):
    at = go(start(), "trends")
    rerun(at.multiselect(key="trends_topics").select("imp_leadership"))
    table = shown_table(at, "trends_table").set_index("Topic")
    for wave in ("2024", LATEST):
        row = one(shown_results(engine[wave]), question="imp_leadership", option="top2", by="all")
        assert table.loc["Leadership and management", wave] == percent(row["estimate"])


def test_comments_shows_theme_shares_and_quotes_as_text(mode, engine):
    tables = engine[LATEST]
    at = go(start(), "comments")
    themes = tables.shown("themes")
    question = at.selectbox(key="comments_question").value
    row = one(themes, question=question, theme="ai", by="all")
    table = shown_table(at, "comments_table")
    assert table.loc[row["label"], "All respondents"] == percent(row["share"])
    texts = [text.value for text in at.text]
    for quote in HOSTILE_QUOTES:  # shown exactly as written, as plain text
        assert f"“{quote}”" in texts
    markup = " ".join(m.value for m in at.markdown)
    assert "<script>" not in markup and "HYPERLINK" not in markup


def test_quality_shows_the_quarantine_counts(mode, engine):
    tables = engine[LATEST]
    at = go(start(), "quality")
    shown = shown_table(at, "quality_quarantine").set_index("reason")["rows"]
    assert shown.to_dict() == tables.quarantined.to_dict()
    assert metric(at, "Rows in the export") == f"{tables.validation['rows']:,}"
    failed = sum(not check["success"] for check in tables.validation["checks"])
    assert len(shown_table(at, "quality_checks")) == failed


def test_downloads_offers_the_reports_and_the_view_tables(mode, engine):
    at = go(start(), "downloads")
    labels = [button.label for button in at.download_button]
    assert "Workbook (report.xlsx)" in labels  # the stand-in; the others were not written
    assert "HTML report (report.html)" not in labels
    assert {"Estimates (results.csv)", "Learning needs (needs.csv)"} <= set(labels)
    assert f"{engine[LATEST].analysed:,} respondents" in " ".join(m.value for m in at.markdown)


def test_upload_page_only_in_full_mode(mode):
    at = start()
    if mode == "public":
        with pytest.raises(ValueError):
            at.switch_page("views/upload.py")
    else:
        go(at, "upload")
        assert at.file_uploader(key="upload_raw") is not None


@pytest.mark.parametrize(
    "query",
    [{"sector": "school"}, {"sector": "school", "region": "northeast"}, {"wave": "2024"}],
    ids=["a group", "a group too small to publish", "the older wave"],
)
def test_every_page_runs_with_filters(mode, query):
    at = start(query)
    for page in PAGES:
        if page == "upload" and mode == "public":
            continue
        go(at, page)
        assert not at.error, [e.value for e in at.error]


# --------------------------------------------------------------------------------- trends
#: The topics the demo's story is about (assessment rises in 2025, leadership does not move).
ASSESSMENT = "Assessment, evaluation and data skills"
LEADERSHIP = "Leadership and management"


def trend_row(trends: pd.DataFrame, *, weighted: bool = True, **where) -> pd.Series:
    """A row of a ``trends.csv`` table (everyone's top-two share unless told)."""
    where = {"option": "top2", "by": "all", "group": "all", **where}
    return one(trends[trends["weighted"] == weighted], **where)


def change_cells(row) -> dict[str, str]:
    """How the Trends page's change table shows a row of ``trends.csv``."""
    p = row["p_adjusted"]
    points = f"{row['change'] * 100:+.0f}".replace("+0", "0").replace("-0", "0")
    unit = "point" if points.lstrip("+-") == "1" else "points"
    return {
        "Between": f"{row['wave_from']} → {row['wave_to']}",
        "Before": percent(row["estimate_from"]),
        "After": percent(row["estimate_to"]),
        "Change": f"{points} {unit}",
        "Adjusted p": ("p < 0.001" if p < 0.001 else f"p = {p:.3f}") + " after adjustment",
    }


def trends_of(at: AppTest, *topics: str) -> AppTest:
    """The Trends page of a started app with ``topics`` chosen."""
    go(at, "trends")
    return rerun(at.multiselect(key="trends_topics").set_value(list(topics)))


def assert_change_shown(at: AppTest, label: str, row: pd.Series) -> None:
    """The Trends page's change table shows a row of ``trends.csv`` on the line ``label``."""
    table = shown_table(at, "trends_changes").set_index("Topic")
    for column, text in change_cells(row).items():
        assert table.loc[label, column] == text, column


def trend_lines(at: AppTest) -> dict[str, list]:
    """The Trends chart's lines by name (the rings of significant changes apart)."""
    traces = figure(at, "trends_lines")["data"]
    return {
        t["name"].replace("<br>", " "): t["y"]  # long names are wrapped
        for t in traces
        if not t["name"].startswith("Significant")
    }


def rings(at: AppTest) -> list[float]:
    """The levels of the rings marking a significant change since the wave before."""
    traces = figure(at, "trends_lines")["data"]
    return next((t["y"] for t in traces if t["name"].startswith("Significant")), [])


def test_trends_tests_the_change_as_trends_csv_says(mode, engine):
    from survey.report.findings import change_findings

    tables = engine[LATEST]
    assessment = trend_row(tables.trends, question="imp_assessment")
    leadership = trend_row(tables.trends, question="imp_leadership")
    assert assessment["significant"] and not leadership["significant"]  # the demo's story
    at = trends_of(start(), "imp_assessment", "imp_leadership")
    assert_change_shown(at, ASSESSMENT, assessment)
    assert_change_shown(at, LEADERSHIP, leadership)
    table = shown_table(at, "trends_changes").set_index("Topic")
    assert table.loc[ASSESSMENT, "Significant change"] == "▲ Yes, up"
    assert table.loc[LEADERSHIP, "Significant change"] == "No"
    assert rings(at) == [pytest.approx(assessment["estimate_to"])]  # only the significant one
    # the changes since 2024 in the words of the workbook and the deck, at the top
    changes = change_findings(tables)
    assert len(changes) and at.subheader[0].value == "What changed since 2024"
    said = plain(" ".join(m.value for m in at.markdown))
    for text in changes["text"]:
        assert text in said


def test_trends_by_sector_draws_each_published_group(mode, engine, book):
    tables = engine[LATEST]
    at = go(start(), "trends")
    rerun(at.selectbox(key="trends_by").set_value("sector"))
    rerun(at.selectbox(key="trends_topic").set_value("imp_assessment"))
    assert at.query_params["by"] == "sector" and at.query_params["topic"] == "imp_assessment"
    sectors = book.question("sector").option_codes()
    names = [group_label(book, "sector", code) for code in sectors]
    assert list(trend_lines(at)) == names  # every sector is published in both waves
    changes = shown_table(at, "trends_changes").set_index("Group")
    assert list(changes.index) == names
    for code, name in zip(sectors, names, strict=True):
        row = trend_row(tables.trends, question="imp_assessment", by="sector", group=code)
        for column, text in change_cells(row).items():
            assert changes.loc[name, column] == text, (name, column)
    public = trend_row(tables.trends, question="imp_assessment", by="sector", group="public")
    assert public["significant"] and changes.loc[names[0], "Significant change"] == "▲ Yes, up"


def test_trends_by_region_leaves_a_suppressed_group_out(mode, engine, book):
    rows = shown_results(engine[LATEST])
    rows = rows[(rows["question"] == "imp_assessment") & (rows["option"] == "top2")]
    hidden = rows[(rows["by"] == "region") & rows["suppressed"]]["group"].tolist()
    assert hidden, "the demo has small regions"
    at = go(start(), "trends")
    rerun(at.selectbox(key="trends_by").set_value("region"))
    rerun(at.selectbox(key="trends_topic").set_value("imp_assessment"))
    lines = trend_lines(at)
    estimates = shown_table(at, "trends_table").set_index("Group")
    changes = shown_table(at, "trends_changes").set_index("Group")
    for group in hidden:
        label = group_label(book, "region", group)
        assert label not in lines
        assert estimates.loc[label, LATEST] == SUPPRESSED
        assert changes.loc[label, "After"] == SUPPRESSED
        assert changes.loc[label, "Change"] == SUPPRESSED
        assert changes.loc[label, "Adjusted p"] == "not tested"
    published = rows[(rows["by"] == "region") & ~rows["suppressed"]]
    for row in published.itertuples():
        label = group_label(book, "region", row.group)
        assert lines[label][-1] == pytest.approx(row.estimate)
        assert estimates.loc[label, LATEST] == percent(row.estimate)


def test_trends_of_a_filter_are_the_engines_trends_of_the_selection(full, book, respondents):
    from survey.analysis.trends import trends

    selected = {}
    for wave, frame in respondents.items():
        selected[wave] = selection_results(frame, book, wave, "region", "mainland_southwest")
    expected, _flags = trends(selected, book)
    row = trend_row(expected, question="imp_assessment")
    at = trends_of(start({"region": "mainland_southwest"}), "imp_assessment")
    assert_change_shown(at, ASSESSMENT, row)
    assert "Tested on the selected respondents" in plain(" ".join(c.value for c in at.caption))
    # with a breakdown: the selection's groups, tested on the selection
    rerun(at.selectbox(key="trends_by").set_value("sector"))
    rerun(at.selectbox(key="trends_topic").set_value("imp_assessment"))
    changes = shown_table(at, "trends_changes").set_index("Group")
    groups = expected[
        expected["weighted"]
        & (expected["question"] == "imp_assessment")
        & (expected["option"] == "top2")
        & (expected["by"] == "sector")
    ]
    assert len(groups)
    for group in groups.itertuples():
        assert changes.loc[group_label(book, "sector", group.group), "After"] == percent(
            group.estimate_to
        )


def test_trends_lines_of_a_filter_are_each_waves_results_of_the_selection(full, book, respondents):
    at = trends_of(start({"region": "mainland_southwest"}), "imp_assessment")
    table = shown_table(at, "trends_table").set_index("Topic")
    for wave, frame in respondents.items():
        expected = selection_results(frame, book, wave, "region", "mainland_southwest")
        row = one(
            expected[expected["weighted"]], question="imp_assessment", option="top2", by="all"
        )
        assert table.loc[ASSESSMENT, wave] == percent(row["estimate"])


@pytest.mark.parametrize("weighted", [True, False], ids=["weighted", "unweighted"])
def test_filtered_views_are_the_engines_tables_of_the_selection(full, book, respondents, weighted):
    """A filtered view estimates only what it needs (one kind of row, the columns of the
    questions asked, each wave's whole table once for the estimates and the tests of change)
    and still gives the engine's own rows for the selection."""
    from survey.analysis.needs import needs
    from survey.analysis.trends import trends
    from survey.dashboard import data

    sources = data.report_waves(data.Settings.from_env())
    expected = {}
    for source in sources:
        frame = respondents[source.wave]
        table = selection_results(frame, book, source.wave, "region", "mainland_southwest")
        expected[source.wave] = table[table["weighted"] == weighted].reset_index(drop=True)
    view = data.Selection(
        source=sources[-1], filters=(("region", "mainland_southwest"),), weighted=weighted
    )
    pd.testing.assert_frame_equal(data.results_view(view), expected[LATEST])
    questions, by = ("barriers", "imp_assessment"), ("sector",)
    some = expected[LATEST]
    some = some[some["question"].isin(questions) & some["by"].isin(["all", *by])]
    pd.testing.assert_frame_equal(
        data.results_view(view, questions, by=by), some.reset_index(drop=True)
    )
    # whole: each wave's table for the trends, without the ratings' per-point shares
    points = (some["question"] == "imp_assessment") & ~some["option"].isin(["top2", "mean"])
    assert points.sum() > 0
    pd.testing.assert_frame_equal(
        data.results_view(view, questions, by=by, whole=True),
        some[~points].reset_index(drop=True),
    )
    frame = respondents[LATEST]
    domain = (frame["region"] == "mainland_southwest").to_numpy()
    if weighted:  # a domain of the wave's raked design
        engine_needs = needs(
            frame, book, wave=LATEST, weights=raked_design(frame, book)[1], domain=domain
        )
    else:
        engine_needs = needs(frame[domain], book, wave=LATEST)
    pd.testing.assert_frame_equal(data.needs_view(view), engine_needs.reset_index(drop=True))
    engine_trends, _flags = trends(expected, book)
    pd.testing.assert_frame_equal(data.trends_view(view, sources), engine_trends)


def test_trends_public_filter_shows_the_groups_published_tests(public, engine):
    row = trend_row(engine[LATEST].trends, question="imp_assessment", by="sector", group="public")
    at = trends_of(start({"sector": "public"}), "imp_assessment")
    assert_change_shown(at, ASSESSMENT, row)


def test_trends_unweighted_shows_the_unweighted_tests(mode, engine):
    tables = engine[LATEST]
    at = trends_of(start(), "imp_assessment")
    rerun(at.sidebar.toggle(key="weighted").set_value(False))
    row = trend_row(tables.trends, weighted=False, question="imp_assessment")
    assert row["estimate_to"] != trend_row(tables.trends, question="imp_assessment")["estimate_to"]
    assert_change_shown(at, ASSESSMENT, row)
    assert "two-proportion z test" in " ".join(c.value for c in at.caption)


def test_trends_shows_the_topics_ranks_and_the_questions_not_compared(mode, engine):
    tables = engine[LATEST]
    at = go(start(), "trends")
    ranks = shown_table(at, "trends_ranks").set_index("Topic")
    rankings = tables.rankings[(tables.rankings["by"] == "all") & tables.rankings["weighted"]]
    assert len(ranks) == rankings["topic"].nunique()
    for row in rankings.itertuples():
        assert ranks.loc[tables.labels.topic(row.topic), row.wave] == str(row.rank)
    first = one(rankings, wave=LATEST, rank=1)
    assert ranks.index[0] == tables.labels.topic(first["topic"])
    rerun(at.multiselect(key="trends_topics").set_value([]))
    assert at.info[0].value == "Choose one or more topics."
    assert shown_table(at, "trends_ranks").equals(ranks.reset_index())  # still shown
    [expander] = [e for e in at.expander if "could not be compared" in e.label]
    flags = shown_table(at, "trends_flags")
    assert expander.label == f"Questions that could not be compared ({len(tables.trend_flags)})"
    assert flags.to_dict("records") == [
        {
            "Question": tables.labels.question(FLAG["question"]),
            "Between": f"{FLAG['wave_from']} → {FLAG['wave_to']}",
            "Reason": FLAG["reason"],
        }
    ]


def test_trends_of_a_single_wave_say_so(monkeypatch, dashboard_folder, tmp_path):
    shutil.copytree(dashboard_folder / "2024", tmp_path / "2024")
    shutil.copy(dashboard_folder / "2024.parquet", tmp_path / "2024.parquet")
    _environment(monkeypatch, tmp_path, public=False)
    at = go(start(), "trends")
    assert at.info[0].value.startswith("Trends need more than one wave; only 2024 is known.")
    assert not at.get("plotly_chart")


def test_trends_of_the_first_wave_point_to_a_later_one(full):
    at = go(start({"wave": "2024"}), "trends")
    assert at.info[0].value.startswith("Wave 2024 is the first wave: there is nothing before it")
    assert not at.get("plotly_chart")


def test_a_shared_link_opens_trends_with_its_breakdown(full, engine):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params = {"by": "region", "topic": "imp_assessment"}
    at.switch_page("views/trends.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="trends_by").value == "region"
    assert at.selectbox(key="trends_topic").value == "imp_assessment"
    assert at.query_params["by"] == "region"
    changes = shown_table(at, "trends_changes").set_index("Group")
    row = trend_row(
        engine[LATEST].trends, question="imp_assessment", by="region", group="mainland_southwest"
    )
    assert changes.loc["Mainland/Southwest", "After"] == percent(row["estimate_to"])


# ------------------------------------------------------------------- filters and the URL
@pytest.mark.parametrize(
    ("dimension", "group"),
    [("sector", "school"), ("role", "librarian"), ("region", "vancouver_island")],
)
def test_a_filter_shows_results_of_the_filtered_respondents(
    full, dimension, group, book, respondents
):
    at = start()
    compare(at, by="sector" if dimension != "sector" else "role")
    rerun(at.sidebar.selectbox(key=dimension).set_value(group))
    table = shown_table(at, "compare_table").set_index("Group")
    chosen = respondents[LATEST][respondents[LATEST][dimension] == group]
    expected = selection_results(respondents[LATEST], book, LATEST, dimension, group)
    expected = expected[expected["weighted"]]
    by = "sector" if dimension != "sector" else "role"
    selected = f"Selected: {group_label(book, dimension, group)}"
    overall = one(expected, question="barriers", option="travel", by="all")
    assert table.loc[selected, "Share"] == percent(overall["estimate"])
    assert table.loc[selected, "n"] == f"{len(chosen):,}"
    for row in expected[(expected["question"] == "barriers") & (expected["option"] == "travel")][
        lambda rows: rows["by"] == by
    ].itertuples():
        label = group_label(book, by, row.group)
        shown = SUPPRESSED if row.suppressed else percent(row.estimate)
        assert table.loc[label, "Share"] == shown
    assert at.query_params[dimension] == group
    overview = go(at, "overview")
    assert metric(overview, "Respondents analysed") == f"{len(chosen):,}"
    assert at.query_params[dimension] == group  # kept across a page switch


def test_public_filter_shows_the_groups_published_row(public, engine):
    tables = engine[LATEST]
    at = start()
    compare(at, by="region")
    rerun(at.sidebar.selectbox(key="sector").set_value("school"))
    table = shown_table(at, "compare_table").set_index("Group")
    school = one(
        shown_results(tables), question="barriers", option="travel", by="sector", group="school"
    )
    assert table.loc["Selected: School library (K-12)", "Share"] == percent(school["estimate"])
    whole = one(
        shown_results(tables), question="barriers", option="travel", by="region", group="kootenay"
    )
    assert table.loc["Kootenay", "Share"] == percent(whole["estimate"])  # the whole wave's
    assert at.sidebar.selectbox(key="role").disabled  # one dimension at a time
    go(at, "needs")
    top = one(tables.shown("needs"), by="sector", group="school", rank=1)
    assert tables.labels.topic(top["topic"]) in plain(at.info[0].value)


def test_the_weighted_toggle_switches_to_unweighted_rows(mode, engine):
    tables = engine[LATEST]
    at = start()
    table = compare(at)
    weighted = one(shown_results(tables), question="barriers", option="travel", by="all")
    assert table.loc["All respondents", "Share"] == percent(weighted["estimate"])
    rerun(at.sidebar.toggle(key="weighted").set_value(False))
    table = shown_table(at, "compare_table").set_index("Group")
    unweighted = one(
        shown_results(tables, weighted=False), question="barriers", option="travel", by="all"
    )
    assert table.loc["All respondents", "Share"] == percent(unweighted["estimate"])
    assert at.query_params["weighted"] == "0"
    assert "chi-square test" in plain(at.info[0].value)  # the unweighted test of tests.csv


def test_the_wave_menu_switches_waves(mode, engine):
    at = go(start(), "overview")
    assert at.sidebar.selectbox(key="wave").options == ["2024", LATEST]
    rerun(at.sidebar.selectbox(key="wave").set_value("2024"))
    assert metric(at, "Respondents analysed") == f"{engine['2024'].analysed:,}"
    assert at.query_params["wave"] == "2024"


def test_a_shared_link_restores_the_view(full, respondents):
    at = start({"wave": "2024", "sector": "school", "weighted": "0"})
    assert at.sidebar.selectbox(key="wave").value == "2024"
    assert at.sidebar.selectbox(key="sector").value == "school"
    assert at.sidebar.toggle(key="weighted").value is False
    schools = (respondents["2024"]["sector"] == "school").sum()
    assert metric(at, "Respondents analysed") == f"{schools:,}"
    assert at.query_params == {"wave": "2024", "sector": "school", "weighted": "0"}


def test_nonsense_in_the_link_falls_back_to_defaults(mode):
    at = start({"wave": "1999", "sector": "nowhere", "weighted": "maybe"})
    assert at.sidebar.selectbox(key="wave").value == LATEST
    assert at.sidebar.selectbox(key="sector").value == "all"
    assert "sector" not in at.query_params


def test_page_choices_live_in_the_url_only_on_their_page(full):
    at = start()
    compare(at, question="formats", by="role", option="webinar")
    assert at.query_params["question"] == "formats" and at.query_params["option"] == "webinar"
    go(at, "overview")
    assert "question" not in at.query_params
    go(at, "compare")  # remembered for the session
    assert at.selectbox(key="compare_question").value == "formats"
    assert at.query_params["question"] == "formats"


# ---------------------------------------------------------------------------- suppression
def test_a_suppressed_group_shows_the_mark_and_is_not_drawn(mode, engine):
    tables = engine[LATEST]
    rows = shown_results(tables)
    hidden = rows[
        (rows["question"] == "barriers")
        & (rows["option"] == "travel")
        & (rows["by"] == "region")
        & rows["suppressed"]
    ]
    assert len(hidden), "the demo has small regions"
    at = start()
    table = compare(at)
    bars = figure(at, "compare_bars")["data"][0]["x"]
    for group in hidden["group"]:
        label = tables.labels.group("region", group)
        assert table.loc[label, "Share"] == SUPPRESSED
        assert table.loc[label, "95% CI"] == ""
        assert not any(label in str(x) for x in bars)


def test_a_suppressed_selection_shows_the_mark(public, engine):
    tables = engine[LATEST]
    rows = shown_results(tables)
    small = rows[(rows["by"] == "region") & rows["suppressed"]]["group"].value_counts().index[0]
    at = start({"region": small})
    table = compare(at)
    selected = f"Selected: {tables.labels.group('region', small)}"
    assert table.loc[selected, "Share"] == SUPPRESSED
    go(at, "needs")
    assert not at.info  # no biggest need of a group too small to publish
    assert any("fewer than 10 respondents" in w.value for w in at.warning)


# ---------------------------------------------------------------------------- public mode
def test_public_mode_never_reads_respondent_rows(public, monkeypatch):
    import pandas

    from survey.dashboard import data

    def refuse(*args, **kwargs):
        raise AssertionError("public mode read a parquet file")

    monkeypatch.setattr(pandas, "read_parquet", refuse)
    at = start({"sector": "school"})
    for page in PAGES[:-1]:
        go(at, page)
    rerun(at.sidebar.toggle(key="weighted").set_value(False))
    assert "Upload a wave" not in json.dumps([str(node) for node in at.main])
    source = data.report_waves(data.Settings.from_env())[0]
    with pytest.raises(data.PublicModeError):
        data.respondents(source)


# --------------------------------------------------------------------------------- upload
@pytest.fixture
def upload_folder(monkeypatch, tmp_path) -> Path:
    """Uploads are processed in a temporary folder: this test's, not the system's."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_upload_a_valid_export_then_explore_it(full, book, upload_folder):
    raw = export(book, upload_folder / "spring.csv", 40)
    at = go(start(), "upload")
    rerun(at.file_uploader(key="upload_raw").upload("spring.csv", raw.read_bytes(), "text/csv"))
    rerun(at.button(key="upload_go").click())
    assert not at.error
    assert "40 analysed" in at.success[0].value
    assert metric(at, "Analysed") == "40"
    assert metric(at, "Rows in the export") == "40"
    assert "spring (uploaded)" in at.sidebar.selectbox(key="wave").options
    rerun(at.button(key="upload_explore").click())
    assert at.sidebar.selectbox(key="wave").value == "upload:spring"
    go(at, "overview")
    assert metric(at, "Respondents analysed") == "40"
    [folder] = upload_folder.glob("survey-upload-*")  # nothing written beside the reports
    assert (folder / "processed" / "spring.parquet").is_file()


def test_upload_junk_gets_one_line_naming_the_problem(full, upload_folder):
    at = go(start(), "upload")
    rerun(at.file_uploader(key="upload_raw").upload("junk.csv", bytes(range(256)) * 8, "text/csv"))
    rerun(at.button(key="upload_go").click())
    [error] = at.error
    assert error.value == "junk.csv: this is not a text export (binary content)"
    assert "\n" not in error.value
    assert "junk (uploaded)" not in at.sidebar.selectbox(key="wave").options
    assert not list(upload_folder.glob("survey-upload-*"))  # a refused file leaves nothing


def test_text_from_the_codebook_cannot_become_markup():
    from survey.dashboard.ui import markdown_text

    assert markdown_text("<b>*x*</b> [a](b) #1 $5") == r"\<b\>\*x\*\</b\> \[a\](b) \#1 \$5"
    assert markdown_text("- not a list") == r"\- not a list"
    assert markdown_text("Librarian, p < 0.001 (chi-square test).") == (
        r"Librarian, p \< 0.001 (chi-square test)."
    )
