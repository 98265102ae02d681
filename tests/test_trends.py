"""Change between waves: the planted cross-wave effect is significant and unchanged topics are
not; a renamed question is trended; a question whose options changed is flagged, not trended;
a run's tables are the same bytes every time."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from factories import TRENDS_CONTRACT, export, run_demo_waves

from survey.codebook import load_codebook, reference_codebook_path

REPO = Path(__file__).resolve().parents[1]
TEXT = {name: "string" for name in ("question", "option", "by", "group", "wave_from", "wave_to")}
TEXT |= {"topic": "string", "wave": "string"}
HISTORY = ("trends.csv", "trend_flags.csv", "rankings.csv")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    return run_demo_waves(tmp_path_factory.mktemp("trends"))


def test_the_planted_rise_in_assessment_is_a_significant_change(demo_run):
    table = pd.read_csv(demo_run / "reports" / "trends.csv", dtype=TEXT)
    assert list(table.columns[:11]) == TRENDS_CONTRACT
    overall = table[(table["by"] == "all") & table["weighted"] & (table["option"] == "mean")]
    topics = overall[overall["question"].str.startswith("imp_")]
    changed = set(topics.loc[topics["significant"], "question"])
    assert changed == {"imp_assessment"}  # planted 2.8 -> 3.3 -> 3.9; nothing else moves
    rise = topics[topics["question"] == "imp_assessment"].set_index(["wave_from", "wave_to"])
    assert set(rise.index) == {("2024", "2025"), ("2025", "2026"), ("2024", "2026")}
    assert (rise["change"] > 0.3).all()
    # the change is the difference of the two waves' own results.csv estimates
    results = {
        wave: pd.read_csv(demo_run / "reports" / wave / "results.csv", dtype=TEXT)
        for wave in ("2024", "2026")
    }
    mean = {
        wave: results[wave]
        .query("question == 'imp_assessment' and option == 'mean' and by == 'all' and weighted")[
            "estimate"
        ]
        .item()
        for wave in results
    }
    assert rise.loc[("2024", "2026"), "change"] == pytest.approx(mean["2026"] - mean["2024"])


def test_each_wave_has_its_history_and_it_never_changes_when_a_wave_is_added(demo_run):
    reports = demo_run / "reports"
    assert not any((reports / "2024" / name).exists() for name in HISTORY)  # the first wave
    latest = pd.read_csv(reports / "2026" / "trends.csv", dtype=TEXT)
    assert latest.equals(pd.read_csv(reports / "trends.csv", dtype=TEXT))
    middle = pd.read_csv(reports / "2025" / "trends.csv", dtype=TEXT)
    assert set(zip(middle["wave_from"], middle["wave_to"], strict=True)) == {("2024", "2025")}
    # one Benjamini-Hochberg family per pair of waves and weighting: 2024 -> 2025 reads the
    # same in 2025's history as in 2026's, so adding 2026 changed nothing 2025 said
    same_pair = latest[latest["wave_to"] == "2025"].reset_index(drop=True)
    pd.testing.assert_frame_equal(same_pair, middle)
    ranks = pd.read_csv(reports / "2026" / "rankings.csv", dtype=TEXT)
    assessment = ranks.query("topic == 'assessment' and by == 'all' and weighted")
    by_wave = dict(zip(assessment["wave"], assessment["rank"].astype(int), strict=True))
    assert list(by_wave) == ["2024", "2025", "2026"]
    assert by_wave["2026"] < by_wave["2024"]  # the planted rise makes it a bigger need
    assert assessment["rank_before"].iloc[1:].astype(int).tolist() == [
        by_wave["2024"],
        by_wave["2025"],
    ]


def test_suppressed_rows_are_never_trended_and_p_is_adjusted(demo_run):
    table = pd.read_csv(demo_run / "reports" / "trends.csv", dtype=TEXT)
    assert table[["estimate_from", "estimate_to", "p"]].notna().all().all()
    assert (table[["n_from", "n_to"]] >= 10).all().all()
    assert (table["p_adjusted"] >= table["p"]).all()
    assert (table["significant"] == (table["p_adjusted"] < 0.05)).all()
    assert not table["option"].isin(["1", "2", "3", "4", "5"]).any()  # top2 and mean only


def _codebook(tmp_path: Path, change) -> Path:
    document = yaml.safe_load(reference_codebook_path().read_text(encoding="utf-8"))
    document["waves"] = [
        {"id": "spring", "file": "spring.csv", "layout": "qualtrics"},
        {"id": "autumn", "file": "autumn.csv", "layout": "qualtrics"},
    ]
    change(document)
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _question(document: dict, question_id: str) -> dict:
    return next(q for q in document["questions"] if q["id"] == question_id)


def _run(tmp_path: Path, codebook_path: Path, *, exports: bool = True, force: bool = False) -> Path:
    from survey.pipeline import run_waves

    book = load_codebook(codebook_path)
    if exports:
        export(book, tmp_path / "spring.csv", 60)
        export(book, tmp_path / "autumn.csv", 60, r3={"consent": "No"})
    run_waves(
        book,
        book.waves,
        out_dirs=[tmp_path / "reports" / wave.id for wave in book.waves],
        processed_dir=tmp_path / "processed",
        force=force,
    )
    return tmp_path / "reports"


def test_a_renamed_question_is_trended(tmp_path):
    def rename(document: dict) -> None:
        _question(document, "paid_time")["renamed_from"] = "paid_learning_time"

    path = _codebook(tmp_path, rename)
    book = load_codebook(path)
    export(book, tmp_path / "autumn.csv", 60)
    # the spring export still uses the old column name
    spring = export(book, tmp_path / "spring.csv", 60).read_text(encoding="utf-8")
    assert spring.count("paid_time") == 3  # three header rows
    (tmp_path / "spring.csv").write_text(spring.replace("paid_time", "paid_learning_time"))
    reports = _run(tmp_path, path, exports=False)
    table = pd.read_csv(reports / "trends.csv", dtype=TEXT)
    assert not table.query("question == 'paid_time' and by == 'all'").empty


def test_a_question_whose_options_changed_is_flagged_not_trended(tmp_path):
    def new_option(document: dict) -> None:
        options = _question(document, "barriers")["options"]
        next(o for o in options if o["code"] == "bandwidth")["waves"] = ["autumn"]

    reports = _run(tmp_path, _codebook(tmp_path, new_option))
    table = pd.read_csv(reports / "trends.csv", dtype=TEXT)
    flags = pd.read_csv(reports / "trend_flags.csv", dtype="string")
    assert table.query("question == 'barriers'").empty
    assert not table.query("question == 'formats'").empty
    assert flags.to_dict("records") == [
        {
            "question": "barriers",
            "wave_from": "spring",
            "wave_to": "autumn",
            "reason": "options changed: added ['bandwidth']",
        }
    ]


def test_an_unknown_wave_in_the_codebook_is_named(tmp_path):
    from survey.errors import CodebookError

    def typo(document: dict) -> None:
        _question(document, "barriers")["waves"] = ["spirng"]

    with pytest.raises(CodebookError, match=r"questions\[\d+\] \(barriers\)\.waves: \['spirng'\]"):
        load_codebook(_codebook(tmp_path, typo))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_running_twice_gives_the_same_bytes(tmp_path):
    path = _codebook(tmp_path, lambda document: None)
    digests = []
    for _ in range(2):
        reports = _run(tmp_path, path, force=True)  # really run again, no reuse
        files = [reports / "trends.csv"] + [
            reports / wave / name
            for wave in ("spring", "autumn")
            for name in ("results.csv", "tests.csv", "needs.csv")
        ]
        files += [reports / "autumn" / name for name in HISTORY]
        digests.append({f"{p.parent.name}/{p.name}": _sha256(p) for p in files})
        manifest = json.loads((reports / "spring" / "manifest.json").read_text())
        assert manifest["codebook_sha256"] == _sha256(path)
        assert manifest["raw_sha256"] == _sha256(tmp_path / "spring.csv")
        variance = manifest["parameters"].pop("variance")
        assert manifest["parameters"] == {"weighted": True, "template": None}
        assert (variance["variance"], variance["fpc"], variance["fpc_factor"]) == (
            "raked",
            False,
            1,
        )
    assert digests[0] == digests[1]


def test_an_unchanged_wave_is_reused_and_a_changed_codebook_processes_it_again(tmp_path):
    path = _codebook(tmp_path, lambda document: None)
    reports = _run(tmp_path, path)
    results = reports / "spring" / "results.csv"
    first = results.stat().st_mtime_ns
    from survey.pipeline import run_waves

    book = load_codebook(path)
    kwargs = {
        "out_dirs": [reports / wave.id for wave in book.waves],
        "processed_dir": tmp_path / "processed",
    }
    again = run_waves(book, book.waves, **kwargs)
    assert [run.cached for run in again] == [True, True]
    assert results.stat().st_mtime_ns == first
    assert (again[0].rows_in, again[0].analysed) == (60, 60)
    path.write_text(path.read_text(encoding="utf-8") + "# a new comment\n", encoding="utf-8")
    changed = run_waves(load_codebook(path), book.waves, **kwargs)
    assert [run.cached for run in changed] == [False, False]
    assert results.stat().st_mtime_ns != first
    (reports / "autumn" / "needs.csv").unlink()  # a missing output is not a cache
    assert [run.cached for run in run_waves(load_codebook(path), book.waves, **kwargs)] == [
        True,
        False,
    ]


def test_adding_a_wave_refreshes_the_trends(tmp_path):
    from survey.pipeline import run_waves

    book = load_codebook(_codebook(tmp_path, lambda document: None))
    export(book, tmp_path / "spring.csv", 60)
    export(book, tmp_path / "autumn.csv", 60, r3={"consent": "No"})
    reports = tmp_path / "reports"
    spring, autumn = book.waves
    run_waves(book, [spring], out_dirs=[reports / "spring"], processed_dir=tmp_path / "p")
    assert not (reports / "trends.csv").exists()  # one wave known: nothing to compare
    run_waves(book, [autumn], out_dirs=[reports / "autumn"], processed_dir=tmp_path / "p")
    table = pd.read_csv(reports / "trends.csv", dtype=TEXT)
    assert set(zip(table["wave_from"], table["wave_to"], strict=True)) == {("spring", "autumn")}

    assert sorted(p.name for p in (reports / "autumn").iterdir() if p.name in HISTORY) == sorted(
        HISTORY
    )
    assert not any((reports / "spring" / name).exists() for name in HISTORY)


def test_re_running_an_earlier_wave_refreshes_a_later_waves_history_and_reports(tmp_path):
    from survey.pipeline import run_waves

    path = _codebook(tmp_path, lambda document: None)
    reports = _run(tmp_path, path)
    book = load_codebook(path)
    autumn = reports / "autumn"
    before = {name: _sha256(autumn / name) for name in ("trends.csv", "results.csv")}
    deck = (autumn / "slides.pptx").stat().st_mtime_ns
    export(book, tmp_path / "spring.csv", 80)  # a corrected spring export, 20 more rows
    runs = run_waves(
        book, [book.wave("spring")], out_dirs=[reports / "spring"], processed_dir=tmp_path / "p"
    )
    assert [run.wave for run in runs] == ["spring"]
    assert _sha256(autumn / "results.csv") == before["results.csv"]  # autumn not re-analysed
    assert _sha256(autumn / "trends.csv") != before["trends.csv"]  # but its history is new
    table = pd.read_csv(autumn / "trends.csv", dtype=TEXT)
    spring = pd.read_csv(reports / "spring" / "results.csv", dtype=TEXT)
    overall = spring.query("question == 'cpd_hours' and option == 'mean' and by == 'all'")
    row = table.query("question == 'cpd_hours' and option == 'mean' and by == 'all'")
    assert sorted(row["estimate_from"]) == pytest.approx(sorted(overall["estimate"]))
    assert (autumn / "slides.pptx").stat().st_mtime_ns != deck  # its reports were rewritten
    assert not list(reports.glob(".*staging*"))


def test_the_three_reports_say_the_same_changes_since_the_wave_before(demo_run):
    """survey run's own reports of 2026: the workbook's Summary, the HTML page and the deck
    say change_findings' sentences, with the trends.csv numbers in the workbook."""
    from bs4 import BeautifulSoup
    from openpyxl import load_workbook
    from pptx import Presentation

    from survey.report.findings import change_findings
    from survey.report.tables import load_tables

    folder = demo_run / "reports" / "2026"
    book = load_codebook(REPO / "data" / "raw" / "codebook.yaml")
    changes = change_findings(load_tables(folder, book))
    assert changes["text"].iloc[0].startswith('Everyone: 74% rate "Assessment')
    summary = load_workbook(folder / "report.xlsx")["Summary"]
    cells = [cell.value for row in summary.iter_rows() for cell in row]
    page = BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")
    section = [li.get_text() for li in page.find("section", id="changes").find_all("li")]
    deck = Presentation(str(folder / "slides.pptx"))
    slide = next(s for s in deck.slides if s.shapes.title.text == "What changed since 2025")
    deck_text = " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    assert section == changes["text"].tolist()
    for change in changes.itertuples():
        assert change.text in cells
        assert pytest.approx(change.estimate_to, rel=1e-15) in cells
    for text in changes["text"].head(4):
        assert text in deck_text


def test_a_results_table_with_a_row_twice_is_an_error_not_a_doubled_trend():
    from survey.analysis.trends import trends

    book = load_codebook(reference_codebook_path())
    row = {"wave": "2024", "question": "paid_time", "option": "all", "by": "all",
           "group": "all", "n": 400, "estimate": 0.4, "se": 0.02, "weighted": False,
           "suppressed": False}  # fmt: skip
    once = pd.DataFrame([row])
    twice = pd.DataFrame([row, row])
    table, _ = trends({"2024": once, "2025": once.assign(wave="2025", estimate=0.5)}, book)
    assert len(table) == 1 and table["change"].round(6).tolist() == [0.1]
    with pytest.raises(ValueError, match="two rows for one question"):
        trends({"2024": twice, "2025": once.assign(wave="2025")}, book)


@pytest.mark.parametrize("sector", ["public", "school"])
def test_each_change_joins_the_two_waves_rows_of_one_question_option_and_group(demo_run, sector):
    """The changes of a selection (every wave's results of one sector, some groups suppressed)
    are the inner join of each pair's testable rows, in the first wave's order: checked
    against pandas' merge of the results, row for row, with each estimate the wave's own."""
    from survey.analysis.results import results
    from survey.analysis.trends import trends

    book = load_codebook(REPO / "data" / "raw" / "codebook.yaml")
    by_wave = {}
    for wave in book.waves:
        respondents = pd.read_parquet(demo_run / "processed" / f"{wave.id}.parquet")
        chosen = respondents[respondents["sector"] == sector]
        by_wave[wave.id] = results(chosen, book, wave=wave.id, weights=chosen["weight"])
    table, _ = trends(by_wave, book)
    keys = ["question", "option", "by", "group", "weighted"]
    waves = list(by_wave)
    for first, second in [*itertools.pairwise(waves), (waves[0], waves[-1])]:
        tested = table[(table["wave_from"] == first) & (table["wave_to"] == second)]
        shown = [frame[~frame["suppressed"]] for frame in (by_wave[first], by_wave[second])]
        expected = shown[0].merge(shown[1], on=keys, suffixes=("_from", "_to"))
        expected = expected[expected["question"].isin(set(tested["question"]))]
        expected = expected[~expected["option"].isin(["1", "2", "3", "4", "5"])]
        assert len(tested) > 100
        assert tested[keys].values.tolist() == expected[keys].values.tolist()
        assert tested["estimate_from"].tolist() == expected["estimate_from"].tolist()
        assert tested["estimate_to"].tolist() == expected["estimate_to"].tolist()
        assert tested["n_to"].tolist() == expected["n_to"].tolist()
