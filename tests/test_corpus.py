"""Real exports from public repositories, from draft to reports as written (``corpus/``).

None of the files is committed: each test runs on the files present on this machine (fetched
with ``python corpus/corpus.py fetch``, or the steering repository's samples) and is skipped
where a file is absent, so CI passes without them; ``tests/shapes.py`` reproduces their shapes.
Each file: the draft and the run exit 0, rows in = analysed + quarantined with the reasons the
index records, the number of questions analysed and skipped, and one figure of ``results.csv``
worked out again with pandas straight from the export.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from factories import ROOT, corpus

ENTRIES = corpus.load_index()
EXPECTED_KEYS = {"rows_in", "analysed", "quarantined", "questions", "skipped"}


def test_the_index_names_every_file_with_origin_and_licence():
    names = [entry["file"] for entry in ENTRIES]
    assert len(names) == len(set(names)) >= 21
    for entry in ENTRIES:
        assert entry["platform"] in {"qualtrics", "limesurvey", "surveymonkey", "spss", "plain"}
        assert entry["repo"].count("/") == 1 and entry["path"] and entry["licence"]
        assert entry.get("source") == "shared" or len(entry["commit"]) == 40
        assert set(entry["expect"]) == EXPECTED_KEYS
        assert {"question", "option", "column"} <= set(entry["check"])
    platforms = {entry["platform"] for entry in ENTRIES}
    assert platforms == {"qualtrics", "limesurvey", "surveymonkey", "spss", "plain"}


def raw_frame(path: Path, check: dict) -> pd.DataFrame:
    """The export as pandas reads it, with the check's reading options, every cell a string."""
    options = check.get("read", {})
    if path.suffix == ".sav":
        frame, _ = pyreadstat.read_sav(str(path), apply_value_formats=False, **options)
        return frame
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, **options)
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], **options)


def by_hand(path: Path, check: dict, processed: pd.DataFrame) -> tuple[int, float]:
    """The check's figure from the export itself: the rows analysed (by id, or by position when
    the export has no id), the answers other than missing codes, and their share in ``values``
    (or their mean when the option is ``mean``); for a multi-select (``any_of``: its option
    columns), the respondents who ticked any option and the share whose ``column`` holds one of
    ``values``."""
    raw = raw_frame(path, check)
    ids = processed["respondent_id"].astype(str)
    if check.get("id"):
        column = raw[check["id"]]
        if pd.api.types.is_float_dtype(column):  # an SPSS id: 415.0 is respondent 415
            column = column.map(lambda value: f"{value:g}", na_action="ignore")
        column = column.astype(str).str.strip()
        kept = column.isin(set(ids)) & ~column.duplicated()  # a repeated id: the first row
    else:  # numbered in file order
        kept = pd.Series(range(1, len(raw) + 1), index=raw.index).astype(str).isin(set(ids))
    if check.get("any_of"):  # a multi-select: who ticked any option answered it
        ticked = raw[check["any_of"]].apply(lambda column: column.str.strip().fillna("") != "")
        answered = kept & ticked.any(axis=1)
        cells = raw.loc[answered, check["column"]].fillna("").astype(str).str.strip()
        return len(cells), float(cells.isin(check["values"]).mean()) if len(cells) else math.nan
    cells = raw.loc[kept, check["column"]].dropna()
    if cells.dtype == object:
        cells = cells.astype(str).str.strip()
        cells = cells[cells != ""]
    cells = cells[~cells.astype(str).isin(check.get("missing", []))]
    if check["option"] == "mean":
        return len(cells), float(pd.to_numeric(cells).mean())
    chosen = cells.astype(str).isin([str(value) for value in check["values"]])
    return len(cells), float(chosen.mean()) if len(cells) else math.nan


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry["file"])
def test_a_real_export_runs_from_its_draft_as_written(entry, tmp_path):
    path = corpus.locate(entry)
    if path is None:
        pytest.skip(
            f"{entry['file']} is not on this machine (python corpus/corpus.py fetch --mirrors DIR)"
        )
    outcome = corpus.draft_and_run(path, tmp_path)
    assert outcome.returncode == 0, outcome.stderr
    assert "Traceback" not in outcome.stderr and "Warning" not in outcome.stderr
    summary = outcome.summary
    assert summary["rows_in"] == summary["analysed"] + sum(summary["quarantined"].values())
    assert outcome.observed() == entry["expect"]
    out = tmp_path / "out"
    for name in ("results.csv", "tests.csv", "report.xlsx", "report.html", "slides.pptx"):
        assert (out / name).stat().st_size > 0, name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    processed = pd.read_parquet(tmp_path / "processed" / manifest["processed"])
    assert len(processed) == summary["analysed"]

    check = entry["check"]
    n, expected = by_hand(path, check, processed)
    results = pd.read_csv(out / "results.csv", keep_default_na=False, na_values=[""])
    row = results[
        (results["question"] == check["question"])
        & (results["option"].astype(str) == str(check["option"]))
        & (results["by"] == "all")
        & (~results["weighted"])
    ]
    assert len(row) == 1, f"no results row for {check['question']} {check['option']}"
    [figure] = row.to_dict("records")
    assert figure["n"] == n
    assert bool(figure["suppressed"]) is check.get("suppressed", False)
    if figure["suppressed"]:  # too few answers to show: no figure at all
        assert pd.isna(figure["estimate"]) and pd.isna(figure["se"])
    else:
        assert figure["estimate"] == pytest.approx(expected, abs=1e-9)


def test_the_readme_example_is_what_the_commands_print(tmp_path):
    """The README's real-sample example (spss_sondage.sav, copied as sondage.sav), line for line."""
    sample = corpus.SAMPLES / "spss_sondage.sav"
    if not sample.is_file():
        pytest.skip("spss_sondage.sav is not on this machine")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("$ survey codebook sondage.sav --out sondage.yaml\n", 1)[1]
    example = example.split("```", 1)[0]
    (tmp_path / "sondage.sav").write_bytes(sample.read_bytes())
    drafted = corpus.survey("codebook", "sondage.sav", "--out", "sondage.yaml", cwd=tmp_path)
    ran = corpus.survey("run", "sondage.sav", "--codebook", "sondage.yaml", cwd=tmp_path)
    assert drafted.returncode == 0 and ran.returncode == 0, drafted.stderr + ran.stderr
    printed = {line.strip() for line in (drafted.stdout + ran.stdout + ran.stderr).splitlines()}
    shown = [line.strip() for line in example.splitlines() if line.strip()]
    missing = [
        line for line in shown if not line.startswith(("$", "done in")) and line not in printed
    ]
    assert missing == []
    results = pd.read_csv(tmp_path / "reports" / "sondage" / "results.csv")
    top2 = results.query("question == 'maitrise' and option == 'top2' and by == 'all'")
    assert top2["estimate"].round(3).tolist() == [0.860]
    assert (top2["ci_low"].round(3).tolist(), top2["ci_high"].round(3).tolist()) == (
        [0.741],
        [0.938],
    )
