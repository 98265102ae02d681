"""Every common question shape, from export to reports, with the drafted codebook as written.

Each export of :mod:`shapes` goes through ``survey codebook EXPORT --out cb.yaml`` and then
``survey run EXPORT --codebook cb.yaml`` in a fresh process, as a new user would run them.
Asserted: both exit 0 with no library warning on stderr; the draft's questions (type of each,
the skipped ones, the breakdowns and the respondent id); every row accounted for; and one
estimate of each export checked by hand against pandas on the export itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from factories import survey
from openpyxl import load_workbook
from shapes import SHAPES

from survey.report.style import TOO_FEW_NOTE

#: What each draft holds: question id -> type, the breakdowns, and the respondent id.
EXPECTED: dict[str, dict[str, object]] = {
    "qualtrics_matrices": {
        "types": {
            "role": "single",
            "q2": "grid",  # a matrix of agreement; "No basis to judge" is a missing code
            "q2_do": "skip",  # the order the statements were shown in
            "q3_1": "multi",  # a matrix with several answers a row: one multi-select a row
            "q3_2": "multi",
            "format_usefulness": "grid",  # side-by-side: its rating part ...
            **{f"q4_2_{n}": "single" for n in range(1, 5)},  # ... and its choice part
            **{f"q5_{n}": "number" for n in range(1, 4)},  # constant sum
            "q6_1": "number",  # slider
            **{f"q7_{n}": "number" for n in range(1, 5)},  # rank order: a mean rank each
            "q8": "text",
        },
        "dimensions": ["role"],
        "respondent_id": "respondent_id",
    },
    "qualtrics_small": {
        "types": {"sector": "single", "q2": "likert", "q3": "text"},
        "dimensions": ["sector"],
        "respondent_id": "respondent_id",
    },
    "limesurvey_arrays": {
        "types": {
            "role": "single",
            "agree": "grid",  # an array
            "hours_sq001": "number",  # multiple numeric
            "hours_sq002": "number",
            "confidence_sq001": "likert",  # a slider of a rating question
            "rank_1": "single",  # a ranking: the item ranked first, second, third
            "rank_2": "single",
            "rank_3": "single",
            "formats": "multi",
        },
        "dimensions": ["role"],
        "respondent_id": "respondent_id",
    },
    "spss_sets": {
        "types": {
            "region": "single",
            "barriers": "multi",  # a dichotomy set, 1 = Selected
            "formats": "multi",  # a categorical set: three choices
            "courses": "number",  # labelled only at its top: 8 = "Eight or more"
            "hours": "number",  # labelled only at its missing codes
            "effort": "likert",  # declared ordinal
        },
        "dimensions": ["region"],
        "respondent_id": None,
    },
    "pandas_csv": {
        "types": {
            "sector": "single",
            "library_size": "single",
            "branches": "number",
            "fruit": "single",  # coded 1-7 without labels: a choice, never averaged
            "satisfaction": "likert",
        },
        "dimensions": ["sector"],
        "respondent_id": "unique_id",
    },
    "plain_xlsx": {
        "types": {
            "role": "single",
            "feel_supported": "likert",
            "hours_training": "number",
            "formats": "multi",
        },
        "dimensions": ["role"],
        "respondent_id": "id",
    },
    "kobo_form": {
        "types": {  # start, end, _id, _uuid, _submission_time: the platform's, not questions
            "general_info_province": "single",
            "general_info_role": "single",
            "household_members": "number",
            "services_satisfied": "likert",
        },
        "dimensions": ["general_info_province", "general_info_role"],
        "respondent_id": "_id",
    },
    "surveymonkey_no_id": {
        "types": {
            "role": "single",
            "formats_like": "multi",
            "much_agree": "grid",
            "like_learn_next": "text",
        },
        "dimensions": ["role"],
        "respondent_id": None,
    },
}


def estimate(out: Path, question: str, option: str) -> pd.Series:
    """The unweighted overall row of ``results.csv`` for a question's option."""
    results = pd.read_csv(out / "results.csv", dtype={"option": str, "group": str})
    row = results[
        (results["question"] == question)
        & (results["option"] == option)
        & (results["by"] == "all")
        & ~results["weighted"]
    ]
    assert len(row) == 1, (question, option)
    return row.iloc[0]


def analysed(rows: pd.DataFrame, out: Path, name: str, id_column: str | None) -> pd.DataFrame:
    """The export's rows that the run analysed (by id, or by position where it numbered
    them)."""
    processed = pd.read_parquet(out.parent / "data" / "processed" / f"{name}.parquet")
    ids = processed["respondent_id"].astype(str)
    if id_column is None:
        return rows.iloc[[int(number) - 1 for number in ids]]
    return rows[rows[id_column].astype(str).isin(set(ids))]


def qualtrics_rows(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, skiprows=[1, 2], dtype=str, encoding="utf-8-sig")


def check_by_hand(name: str, export: Path, out: Path) -> None:
    """One estimate of each export, computed again with pandas from the export itself."""
    if name == "qualtrics_matrices":
        rows = qualtrics_rows(export)
        rows = rows[rows["Progress"] == "100"]
        row = estimate(out, "role", "librarian")
        assert row["n"] == len(rows)
        assert row["estimate"] == pytest.approx((rows["Q1"] == "Librarian").mean(), abs=1e-12)
        rated = rows["Q2_1"][rows["Q2_1"] != "No basis to judge"]  # a missing code
        top2 = estimate(out, "q2_1", "top2")
        assert top2["n"] == len(rated)
        expected = rated.isin(["Agree", "Strongly agree"]).mean()
        assert top2["estimate"] == pytest.approx(expected, abs=1e-12)
        mean_rank = estimate(out, "q7_1", "mean")
        assert mean_rank["estimate"] == pytest.approx(rows["Q7_1"].astype(float).mean())
    elif name == "qualtrics_small":
        row = estimate(out, "sector", "public")
        assert row["n"] == 5 and bool(row["suppressed"]) and pd.isna(row["estimate"])
    elif name == "limesurvey_arrays":
        rows = pd.read_csv(export, sep=";", dtype=str)
        rows = rows[rows["submitdate"].notna()]  # not submitted: incomplete
        ticks = rows[[f"formats[SQ00{n}]" for n in range(1, 5)]].eq("Y")
        answered = ticks.any(axis=1)
        row = estimate(out, "formats", "sq001")
        assert row["n"] == answered.sum()
        assert row["estimate"] == pytest.approx(ticks.loc[answered, "formats[SQ001]"].mean())
    elif name == "spss_sets":
        import pyreadstat

        rows, _ = pyreadstat.read_sav(str(export))
        rows = analysed(rows, out, export.stem, None)
        hours = rows["hours"][rows["hours"] < 98]  # 98 = "Don't know"
        row = estimate(out, "hours", "mean")
        assert row["n"] == len(hours)
        assert row["estimate"] == pytest.approx(hours.mean())
        chosen = rows[["choice1", "choice2", "choice3"]].eq(1).any(axis=1)  # 1 = Webinar
        row = estimate(out, "formats", "webinar")
        assert row["estimate"] == pytest.approx(chosen.mean())
        eight = estimate(out, "courses", "mean")  # "Eight or more" counts as 8
        assert eight["estimate"] == pytest.approx(rows["courses"].mean())
    elif name == "pandas_csv":
        rows = pd.read_csv(export, dtype=str)
        row = estimate(out, "fruit", "3")
        assert row["n"] == len(rows)  # nobody set aside: skipped branches are skip logic
        assert row["estimate"] == pytest.approx((rows["fruit"] == "3").mean())
    elif name == "plain_xlsx":
        rows = pd.read_excel(export)
        row = estimate(out, "hours_training", "mean")
        assert row["estimate"] == pytest.approx(rows["Hours of training"].mean())
    elif name == "kobo_form":
        rows = pd.read_excel(export)
        rated = rows["services.satisfied"][rows["services.satisfied"] != "Not applicable"]
        top2 = estimate(out, "services_satisfied", "top2")
        assert top2["n"] == len(rated) < len(rows)  # "Not applicable": an answer, no figure
        assert top2["estimate"] == pytest.approx(rated.isin(["Agree", "Strongly agree"]).mean())
        summary = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["summary"]
        assert summary["analysed"] == len(rows)  # nobody incomplete for choosing it
    elif name == "surveymonkey_no_id":
        rows = analysed(pd.read_csv(export, skiprows=[1], dtype=str), out, export.stem, None)
        row = estimate(out, "role", "manager")
        assert row["estimate"] == pytest.approx((rows["What is your role?"] == "Manager").mean())
        # numbered in file order: the one set aside is named by its number
        quarantine = pd.read_csv(out / "quarantine.csv", dtype=str)
        numbers = sorted([*rows.index + 1, *quarantine["respondent_id"].astype(int)])
        assert numbers == list(range(1, 26)) and len(quarantine) == 1


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("shapes")
    for build in SHAPES.values():
        build(folder)
    return folder


@pytest.mark.parametrize("name", list(SHAPES))
def test_a_draft_of_each_shape_runs_as_written(name, exports, tmp_path):
    export = SHAPES[name](exports)
    drafted = survey("codebook", str(export), "--out", "cb.yaml", cwd=tmp_path)
    assert drafted.returncode == 0, drafted.stderr
    document = yaml.safe_load((tmp_path / "cb.yaml").read_text(encoding="utf-8"))
    expected = EXPECTED[name]
    assert {q["id"]: q["type"] for q in document["questions"]} == expected["types"]
    assert document["dimensions"] == expected["dimensions"]
    assert document["respondent_id"] == expected["respondent_id"]

    completed = survey("run", str(export), "--codebook", "cb.yaml", "--out", "out", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "Warning" not in completed.stderr and "Traceback" not in completed.stderr
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    summary = manifest["summary"]
    quarantine = pd.read_csv(out / "quarantine.csv")
    rows_in = summary["rows_in"]
    assert rows_in == summary["analysed"] + len(quarantine)
    assert sum(summary["quarantined"].values()) == len(quarantine)
    for file in ("report.xlsx", "report.html", "slides.pptx", "tests.csv", "needs.csv"):
        assert (out / file).stat().st_size > 0
    skipped = [q["id"] for q in document["questions"] if q["type"] == "skip"]
    results = pd.read_csv(out / "results.csv")
    analysed = {q for q in results["question"]}
    assert not analysed & set(skipped)
    if skipped:  # kept, said in the summary and on the Method sheet
        assert f"{len(skipped)} question" in completed.stdout
        method = load_workbook(out / "report.xlsx")["Method"]
        cells = [str(cell.value) for row in method.iter_rows() for cell in row if cell.value]
        assert any("not analysed (type: skip)" in cell for cell in cells)
        assert all(question_id in cells for question_id in skipped)
    if expected["respondent_id"] is None:
        assert "responses numbered 1-" in completed.stdout
    if name == "kobo_form":  # interviews saved later, some before they started
        backwards = "speeder rule not applied: 4 responses end before they start"
        assert backwards in " ".join(completed.stdout.split())
    check_by_hand(name, export, out)


def test_a_small_export_runs_and_its_reports_say_nothing_can_be_shown(exports, tmp_path):
    export = SHAPES["qualtrics_small"](exports)
    assert survey("codebook", str(export), "--out", "cb.yaml", cwd=tmp_path).returncode == 0
    completed = survey("run", str(export), "--codebook", "cb.yaml", "--out", "out", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert results["suppressed"].all() and results["estimate"].isna().all()
    message = TOO_FEW_NOTE.format(analysed=5, threshold=10)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert message in html
    summary = load_workbook(tmp_path / "out" / "report.xlsx")["Summary"]
    assert message in [cell.value for row in summary.iter_rows() for cell in row]
    from pptx import Presentation

    deck = Presentation(str(tmp_path / "out" / "slides.pptx"))
    texts = [
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    assert any(message in text for text in texts)
    assert "speeder rule not applied: every response took 0 seconds" in completed.stdout


@pytest.fixture(scope="module", params=["qualtrics_matrices", "spss_sets"])
def drafted_run(request, exports, tmp_path_factory) -> tuple[Path, str]:
    """A shape drafted and run into ``reports/<wave>/`` and ``data/processed/``, as the
    dashboard reads them."""
    folder = tmp_path_factory.mktemp(request.param)
    export = SHAPES[request.param](exports)
    assert survey("codebook", str(export), "--out", "cb.yaml", cwd=folder).returncode == 0
    completed = survey("run", str(export), "--codebook", "cb.yaml", cwd=folder)
    assert completed.returncode == 0, completed.stderr
    return folder, export.stem


@pytest.mark.parametrize("public", [False, True], ids=["full", "public"])
def test_the_dashboard_shows_a_drafted_run_on_every_page(drafted_run, public, monkeypatch):
    import streamlit as st
    from factories import PAGE_PATHS
    from streamlit.testing.v1 import AppTest

    folder, wave = drafted_run
    monkeypatch.setenv("SURVEY_REPORTS", str(folder / "reports"))
    monkeypatch.setenv("SURVEY_PROCESSED", str(folder / "data" / "processed"))
    monkeypatch.setenv("SURVEY_CODEBOOK", str(folder / "cb.yaml"))
    monkeypatch.setenv("SURVEY_PUBLIC", "1" if public else "0")
    st.cache_data.clear()
    st.cache_resource.clear()
    app = Path(__file__).resolve().parents[1] / "survey" / "dashboard" / "app.py"
    at = AppTest.from_file(str(app), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    analysed = pd.read_parquet(folder / "data" / "processed" / f"{wave}.parquet")
    assert f"{len(analysed):,}" in [m.value for m in at.metric]
    for page in PAGE_PATHS:
        if public and page == "upload":
            continue
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])


def test_a_renamed_export_is_read_as_the_draft_says(exports, tmp_path):
    """A SurveyMonkey export without its Respondent ID looks like a plain CSV to detection;
    the draft records its layout, so next year's file under another name still runs."""
    export = SHAPES["surveymonkey_no_id"](exports)
    assert survey("codebook", str(export), "--out", "cb.yaml", cwd=tmp_path).returncode == 0
    renamed = tmp_path / "wave 2027.csv"
    renamed.write_bytes(export.read_bytes())
    completed = survey("run", str(renamed), "--codebook", "cb.yaml", "--out", "out", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["summary"]["analysed"] == 24
    validation = json.loads((tmp_path / "out" / "validation.json").read_text(encoding="utf-8"))
    assert validation["layout"] == "surveymonkey"


def test_the_draft_says_how_many_rows_each_rule_would_set_aside(exports, tmp_path):
    export = SHAPES["qualtrics_matrices"](exports)
    completed = survey("codebook", str(export), "--out", "cb.yaml", cwd=tmp_path)
    assert "quality rules would set aside 2 of 40 rows (incomplete 2)" in completed.stdout
    text = (tmp_path / "cb.yaml").read_text(encoding="utf-8")
    assert (
        "# Response-quality rules. On qualtrics_matrices.csv (40 rows) they would set aside:"
        in text
    )
    assert "#       2  incomplete responses" in text
    assert "#       0  rows without a valid role (a breakdown dimension, below)" in text
    document = yaml.safe_load(text)
    # the speeder threshold comes from the durations: 30% of their median (here above the
    # toolkit's 120 s floor, which stays)
    rows = qualtrics_rows(export)
    median = rows.loc[rows["Progress"] == "100", "Duration (in seconds)"].astype(float).median()
    assert document["quality"]["speeder_min_seconds"] == 120
    comments = " ".join(line.removeprefix("# ") for line in text.splitlines())
    assert f"speeder: faster than {0.3 * median:.0f} s" in comments
    assert f"median duration here ({median:.0f} s)" in comments


def test_a_short_questionnaire_lowers_the_speeder_floor(tmp_path):
    """Responses of about a minute: the toolkit's 120 s floor would call everyone a
    speeder; the draft lowers it to 30% of the median."""
    export = tmp_path / "quick.csv"
    durations = [60 + n % 7 for n in range(30)] + [5]
    lines = ["id,duration,role"] + [
        f"{n},{seconds},{ROLE[n % 2]}" for n, seconds in enumerate(durations, 1)
    ]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    completed = survey("codebook", str(export), "--out", "cb.yaml", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    document = yaml.safe_load((tmp_path / "cb.yaml").read_text(encoding="utf-8"))
    median = float(pd.Series(durations).median())
    assert document["quality"]["speeder_min_seconds"] == int(0.3 * median)
    assert "(speeder 1)" in completed.stdout  # the 5-second response alone


ROLE = ["Librarian", "Manager"]


def test_an_export_no_layout_fits_names_the_layout_option(tmp_path):
    export = tmp_path / "numbers.csv"
    export.write_text("1,2,3\n4,5,6\n", encoding="utf-8")
    completed = survey("codebook", str(export), "--out", "cb.yaml", cwd=tmp_path)
    assert completed.returncode == 1 and "Traceback" not in completed.stderr
    assert "--layout (qualtrics, surveymonkey, limesurvey, spss, csv)" in completed.stderr
    assert not (tmp_path / "cb.yaml").exists()
