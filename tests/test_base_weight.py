"""The export's own weights (``weighting.base_weight``) through the whole ``survey run``.

The export: the 160 responses of tests/golden/base_weight.csv (made by
make_base_weight_data.py) as a Qualtrics export of the reference questionnaire, with the
weight column ``wt``; four weights are bad ("", "abc", "0", "-2"). The goldens are R's
(make_base_weight.R): ``rake(svydesign(ids = ~1, weights = ~base_weight, data), ...)``
with the frame, ``svydesign(ids = ~1, weights = ~base_weight, data)`` without.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from factories import columns, qualtrics_text, survey, valid_response

from survey.codebook import load_codebook, reference_codebook_path
from survey.pipeline import process_wave, wave_for_file

GOLDEN = Path(__file__).parent / "golden"
ANSWERS = pd.read_csv(GOLDEN / "base_weight.csv", dtype=str, keep_default_na=False)
ESTIMATES = pd.read_csv(GOLDEN / "base_weight_estimates.csv")
BAD = {"R_bw0007": "", "R_bw0031": "abc", "R_bw0058": "0", "R_bw0101": "-2"}
RTOL = 1e-6


def _export(path: Path, weights: list[str]) -> Path:
    """The golden responses as a Qualtrics export of the reference questionnaire, with the
    weight column ``wt`` holding ``weights``."""
    book = load_codebook(reference_codebook_path())
    rows = []
    for number, answer in enumerate(ANSWERS.itertuples()):
        row = valid_response(book, number)
        for question in ("sector", "region", "role", "cltp"):
            options = {o.code: o.label for o in book.question(question).options}
            row[question] = options[getattr(answer, question)]
        row |= {"sector_other": "", "role_other": "", "ResponseId": answer.respondent_id}
        row["wt"] = weights[number]
        rows.append(row)
    path.write_text(qualtrics_text([*columns(book), "wt"], rows), encoding="utf-8")
    return path


def _codebook(path: Path, *, frame: bool) -> Path:
    """The reference codebook with ``weighting.base_weight: wt`` (and without its frame)."""
    document = yaml.safe_load(reference_codebook_path().read_text(encoding="utf-8"))
    document["weighting"]["base_weight"] = "wt"
    if not frame:
        document.pop("frame")
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _run(folder: Path, *, frame: bool, extra: tuple[str, ...] = ()) -> Path:
    raw = _export(folder / "spring.csv", list(ANSWERS["base_weight"]))
    book = _codebook(folder / "codebook.yaml", frame=frame)
    completed = survey("run", str(raw), "-c", str(book), "--out", "out", *extra, cwd=folder)
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    return folder


@pytest.fixture(scope="module")
def raked_run(tmp_path_factory) -> Path:
    """A run of the export with the reference codebook's frame."""
    return _run(tmp_path_factory.mktemp("raked"), frame=True)


def _process(folder: Path, raw: Path, codebook: Path) -> Path:
    """:func:`process_wave` of ``raw`` (its tables, no reports) into ``folder / "out"``."""
    book = load_codebook(codebook)
    process_wave(
        book,
        wave_for_file(book, raw),
        out_dir=folder / "out",
        processed_dir=folder / "data" / "processed",
        reports=False,
    )
    return folder


@pytest.fixture(scope="module")
def fixed_run(tmp_path_factory) -> Path:
    """The export's tables with a codebook that has no frame."""
    folder = tmp_path_factory.mktemp("fixed")
    raw = _export(folder / "spring.csv", list(ANSWERS["base_weight"]))
    return _process(folder, raw, _codebook(folder / "codebook.yaml", frame=False))


def test_a_run_without_a_frame_writes_its_reports(tmp_path):
    """The three reports say the weights are the export's own, not raked, and how the
    margins of error were computed (weights taken as fixed)."""
    from bs4 import BeautifulSoup
    from openpyxl import load_workbook
    from pptx import Presentation

    out = _run(tmp_path, frame=False) / "out"
    said = "Weights are the export's own (column wt), used as they are"
    fixed = "Margins of error treat the weights as fixed"
    method = load_workbook(out / "report.xlsx")["Method"]
    cells = " ".join(str(cell.value) for row in method.iter_rows() for cell in row)
    assert said in cells and fixed in cells and "Raking iterations" not in cells
    page = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")
    text = page.find(id="method").get_text(" ")
    assert said in text and fixed in text and "raking to the sampling frame" not in text
    assert re.search(r"Weights range from [\d.]+ to [\d.]+\.\s+The design effect", text)
    deck = " ".join(shape.text_frame.text for slide in Presentation(str(out / "slides.pptx")).slides
                    for shape in slide.shapes if shape.has_text_frame)  # fmt: skip
    assert f"Weighting: {said}" in deck and fixed in deck


def _compare_shares(results: pd.DataFrame, design: str) -> int:
    """The run's weighted shares of cltp against R's, to 1e-6; how many were compared."""
    golden = ESTIMATES[ESTIMATES["design"] == design]
    ours = results[(results["question"] == "cltp") & results["weighted"]]
    ours = ours.astype({"group": str, "option": str})
    merged = golden.merge(ours, on=["option", "by", "group"], suffixes=("_r", ""))
    published = merged[merged["estimate"].notna()]  # small groups are suppressed
    np.testing.assert_allclose(published["estimate"], published["estimate_r"], rtol=RTOL)
    np.testing.assert_allclose(published["se"], published["se_r"], rtol=RTOL)
    return len(published)


def test_bad_weights_are_quarantined_with_their_reason(raked_run):
    quarantine = pd.read_csv(raked_run / "out" / "quarantine.csv")
    assert dict(zip(quarantine["respondent_id"], quarantine["reason"], strict=True)) == {
        respondent: "bad_weight" for respondent in BAD
    }
    report = json.loads((raked_run / "out" / "validation.json").read_text())
    checks = [check for check in report["checks"] if check["reason"] == "bad_weight"]
    found = {check["description"].split(" (")[1]: check for check in checks}
    assert [check["failed"] for check in checks] == [1, 1, 2]
    assert all(check["action"] == "quarantine" and "'wt'" in check["description"]
               for check in checks)  # fmt: skip
    assert found["weighting.base_weight) is a number"]["examples"] == ["abc"]
    assert sorted(found["weighting.base_weight) is above zero"]["examples"]) == ["-2", "0"]
    manifest = json.loads((raked_run / "out" / "manifest.json").read_text())
    assert manifest["summary"]["quarantined"] == {"bad_weight": 4}
    assert (
        "4 responses set aside for the weight in column 'wt' (weighting.base_weight): "
        "1 without one, 1 not a number, 2 zero or negative (quarantine reason bad_weight)"
    ) in manifest["summary"]["notes"]
    assert not any("not used" in note for note in manifest["summary"]["notes"])


def test_raked_weights_start_from_the_base_weights_as_r_rake(raked_run):
    processed = pd.read_parquet(raked_run / "data" / "processed" / "spring.parquet")
    golden = pd.read_csv(GOLDEN / "base_weight_weights.csv")
    assert processed["respondent_id"].tolist() == golden["respondent_id"].tolist()
    np.testing.assert_allclose(processed["weight"], golden["weight"], rtol=1e-9)
    kept = ANSWERS[~ANSWERS["respondent_id"].isin(BAD)]
    assert processed["base_weight"].tolist() == kept["base_weight"].astype(float).tolist()
    weighting = json.loads((raked_run / "out" / "weighting.json").read_text())
    assert (weighting["base_weight"], weighting["raked"], weighting["variance"]) == (
        "wt",
        True,
        "raked",
    )


def test_raked_standard_errors_equal_r_raked_design_from_base_weights(raked_run):
    results = pd.read_csv(raked_run / "out" / "results.csv")
    assert _compare_shares(results, "raked") >= 40


def test_without_a_frame_the_base_weights_are_the_weights(fixed_run):
    processed = pd.read_parquet(fixed_run / "data" / "processed" / "spring.parquet")
    assert processed["weight"].tolist() == processed["base_weight"].tolist()
    weighting = json.loads((fixed_run / "out" / "weighting.json").read_text())
    assert (weighting["base_weight"], weighting["raked"], weighting["variance"]) == (
        "wt",
        False,
        "fixed",
    )
    assert "composition" not in weighting and "iterations" not in weighting
    results = pd.read_csv(fixed_run / "out" / "results.csv")
    assert set(results["weighted"]) == {True, False}
    assert _compare_shares(results, "fixed") >= 40
    quarantine = pd.read_csv(fixed_run / "out" / "quarantine.csv")
    assert set(quarantine["reason"]) == {"bad_weight"} and len(quarantine) == 4


def test_unweighted_leaves_the_base_weights_aside(tmp_path):
    folder = _run(tmp_path, frame=True, extra=("--unweighted",))
    processed = pd.read_parquet(folder / "data" / "processed" / "spring.parquet")
    assert (processed["weight"] == 1.0).all() and (processed["base_weight"] != 1.0).any()
    assert not (folder / "out" / "weighting.json").exists()
    assert not pd.read_csv(folder / "out" / "results.csv")["weighted"].any()
    notes = json.loads((folder / "out" / "manifest.json").read_text())["summary"]["notes"]
    assert any("unweighted run: the export's weight column 'wt'" in note for note in notes)


def test_every_weight_bad_is_nothing_left_to_analyse(tmp_path):
    raw = _export(tmp_path / "spring.csv", ["0"] * len(ANSWERS))
    book = _codebook(tmp_path / "codebook.yaml", frame=True)
    completed = survey("run", str(raw), "-c", str(book), cwd=tmp_path)
    assert completed.returncode == 1
    errors = [line for line in completed.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {raw}: all 160 responses were set aside (bad_weight 160); nothing to analyse. "
        "Run `survey validate` to see why"
    ]


def _drafted(folder: Path) -> tuple[Path, Path]:
    """The export (its "abc" blank: the draft proposes a weight column whose values are
    numbers, and the same four rows are set aside) and its codebook by `survey codebook`."""
    weights = ["" if value == "abc" else value for value in ANSWERS["base_weight"]]
    raw = _export(folder / "spring.csv", weights)
    drafted = survey("codebook", str(raw), "--out", "draft.yaml", cwd=folder)
    assert drafted.returncode == 0, drafted.stderr
    return raw, folder / "draft.yaml"


def test_a_drafted_codebook_takes_the_weight_column_and_runs_as_written(tmp_path):
    raw, draft = _drafted(tmp_path)
    book = load_codebook(draft)
    assert book.weighting.base_weight == "wt" and not book.frame
    _process(tmp_path, raw, draft)
    quarantine = pd.read_csv(tmp_path / "out" / "quarantine.csv")
    assert set(quarantine["respondent_id"]) == set(BAD)
    assert set(quarantine["reason"]) == {"bad_weight"}
    processed = pd.read_parquet(tmp_path / "data" / "processed" / "spring.parquet")
    kept = ANSWERS[~ANSWERS["respondent_id"].isin(BAD)]
    assert processed["weight"].tolist() == kept["base_weight"].astype(float).tolist()
    # the draft codes cltp's answers from their labels: R's shares of the whole sample
    cltp = book.question("cltp")
    codes = {o.label: o.code for o in cltp.options}
    labels = {o.code: o.label for o in load_codebook(reference_codebook_path()).question(
        "cltp").options}  # fmt: skip
    golden = ESTIMATES[(ESTIMATES["design"] == "fixed") & (ESTIMATES["by"] == "all")]
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    overall = results[(results["question"] == cltp.id) & results["weighted"]
                      & (results["by"] == "all")].set_index("option")  # fmt: skip
    for row in golden.itertuples():
        found = overall.loc[codes[labels[row.option]]]
        np.testing.assert_allclose([found["estimate"], found["se"]], [row.estimate, row.se],
                                   rtol=RTOL)  # fmt: skip


def test_survey_run_of_a_drafted_codebook_with_a_weight_column(tmp_path):
    raw, _ = _drafted(tmp_path)
    completed = survey("run", str(raw), "-c", "draft.yaml", "--out", "out", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
