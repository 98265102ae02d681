"""`survey run` on the committed demo waves, checked against their ground truth: the right rows
analysed, every planted problem caught with the right reason and count, no personal data out,
raw files untouched."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from survey.codebook import Codebook, load_codebook
from survey.pipeline import validate_wave

WAVES = ["2024", "2025", "2026"]
#: ground-truth kind -> the reason cleaning gives it: the kind's own name, but "duplicate" for
#: a person who answered twice
PLANTED = ["no_consent", "test_response", "duplicate_person", "incomplete", "invalid_sector"]
PLANTED += ["speeder", "straightliner"]
REASONS = {kind: "duplicate" if kind == "duplicate_person" else kind for kind in PLANTED}


def _digest(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


@pytest.fixture(scope="module")
def demo_run(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A copy of the project's data/raw, and `survey run` with no arguments inside it."""
    project = tmp_path_factory.mktemp("project")
    raw = project / "data" / "raw"
    shutil.copytree(demo_dir, raw)
    before = _digest(raw)
    completed = subprocess.run(
        [sys.executable, "-m", "survey", "run"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
    )
    return {
        "project": project,
        "raw": raw,
        "before": before,
        "completed": completed,
        "truth": yaml.safe_load((raw / "ground_truth.yaml").read_text(encoding="utf-8")),
    }


@pytest.fixture(scope="module")
def demo_codebook(demo_dir: Path) -> Codebook:
    return load_codebook(demo_dir / "codebook.yaml")


def test_run_succeeds_and_prints_the_summary(demo_run):
    completed = demo_run["completed"]
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    lines = completed.stdout.splitlines()

    def row(label: str) -> list[int]:
        line = next(line for line in lines if re.match(rf"^\W+{label}\s*[│|]", line))
        return [int(number) for number in re.findall(r"\b\d+\b", line)]

    truth = demo_run["truth"]["waves"]
    assert row("Rows in") == [truth[wave]["rows"] for wave in WAVES]
    assert row("Analysed") == [truth[wave]["expected_analysed_count"] for wave in WAVES]
    assert row("speeder") == [len(truth[wave]["speeder"]) for wave in WAVES]
    assert row("incomplete") == [len(truth[wave]["incomplete"]) for wave in WAVES]


@pytest.mark.parametrize("wave", WAVES)
def test_rows_in_equals_analysed_plus_quarantined(demo_run, wave):
    processed = pd.read_parquet(demo_run["project"] / "data" / "processed" / f"{wave}.parquet")
    quarantine = pd.read_csv(demo_run["project"] / "reports" / wave / "quarantine.csv", dtype=str)
    truth = demo_run["truth"]["waves"][wave]
    assert len(processed) + len(quarantine) == truth["rows"]
    assert not set(processed["respondent_id"]) & set(quarantine["respondent_id"])
    assert set(processed["respondent_id"]) == {str(i) for i in truth["expected_analysed"]}


@pytest.mark.parametrize("wave", WAVES)
def test_every_planted_problem_is_quarantined_for_its_reason(demo_run, wave):
    quarantine = pd.read_csv(demo_run["project"] / "reports" / wave / "quarantine.csv", dtype=str)
    reasons = dict(zip(quarantine["respondent_id"], quarantine["reason"], strict=True))
    truth = demo_run["truth"]["waves"][wave]
    for kind, reason in REASONS.items():
        planted = {str(i) for i in truth[kind]}
        assert planted, kind
        assert {reasons.get(i) for i in planted} == {reason}, kind
        assert sum(1 for r in reasons.values() if r == reason) == len(planted), kind
    kept = {str(i) for i in truth["duplicate_keep"]}
    assert not kept & set(reasons), "the kept copy of a duplicate person is analysed"
    (repeated,) = (str(i) for i in truth["duplicate_id"])
    renamed = [name for name, r in reasons.items() if r == "duplicate_id"]
    assert len(renamed) == 1
    assert re.fullmatch(rf"{re.escape(repeated)} \(row \d+\)", renamed[0])


@pytest.mark.parametrize("wave", WAVES)
def test_validation_suite_catches_each_planted_error(demo_codebook, demo_run, wave):
    truth = demo_run["truth"]["waves"][wave]
    report, coded, _, missing = validate_wave(demo_codebook, demo_codebook.wave(wave))
    assert missing == []
    ids = coded["respondent_id"].astype(str).tolist()

    def failing(reason: str, column: str | None = None) -> list[str]:
        checks = [
            check
            for check in report.checks
            if check.reason == reason and (column is None or check.column == column)
        ]
        assert checks, reason
        return sorted(ids[row] for check in checks for row in check.rows)

    assert failing("invalid_sector") == sorted(str(i) for i in truth["invalid_sector"])
    assert failing("no_consent") == sorted(str(i) for i in truth["no_consent"])
    assert failing("duplicate_id") == sorted(str(i) for i in truth["duplicate_id"] * 2)
    assert set(failing("incomplete")) >= {str(i) for i in truth["incomplete"]}
    impossible = {str(k): v for k, v in truth["hours_impossible_values"].items()}
    unreadable = sorted(i for i, typed in impossible.items() if not re.search(r"\d", typed))
    assert failing("unparseable_number", "cpd_hours__raw") == unreadable
    assert failing("out_of_range", "cpd_hours") == sorted(set(impossible) - set(unreadable))
    # every other answer check passes: the planted variants are valid after normalisation
    others = [
        check
        for check in report.failures()
        if check.reason
        not in {
            "invalid_sector",
            "no_consent",
            "duplicate_id",
            "incomplete",
            "unparseable_number",
            "out_of_range",
        }
    ]
    assert others == []
    saved = report.as_dict()
    sector = next(c for c in saved["checks"] if c["reason"] == "invalid_sector")
    assert sector["failed"] == len(truth["invalid_sector"])
    assert sector["examples"] and all("@" not in example for example in sector["examples"])
    repeated = next(c for c in saved["checks"] if c["reason"] == "duplicate_id")
    assert repeated["examples"] == [str(truth["duplicate_id"][0])]  # ids are shown as they are


@pytest.mark.parametrize("wave", WAVES)
def test_cleaned_values_match_the_ground_truth(demo_run, wave):
    processed = pd.read_parquet(
        demo_run["project"] / "data" / "processed" / f"{wave}.parquet"
    ).set_index("respondent_id")
    truth = demo_run["truth"]["waves"][wave]
    for respondent, sector in truth["sector_expected"].items():
        if str(respondent) in processed.index:
            assert processed.at[str(respondent), "sector"] == sector, respondent
    for respondent, hours in truth["hours_expected"].items():
        if str(respondent) in processed.index:
            assert processed.at[str(respondent), "cpd_hours"] == hours, respondent
    for respondent in truth["hours_impossible"]:
        if str(respondent) in processed.index:
            assert pd.isna(processed.at[str(respondent), "cpd_hours"])


def _personal_strings(raw: Path, truth: dict) -> set[str]:
    """Every e-mail, IP address and name in the raw files, and the planted PII strings."""
    strings: set[str] = set()
    for wave in WAVES:
        text = (raw / truth["waves"][wave]["file"]).read_bytes().decode("utf-8", "replace")
        if truth["waves"][wave]["file"].endswith(".xlsx"):
            frame = pd.read_excel(raw / truth["waves"][wave]["file"], header=None, dtype=str)
            text = "\n".join(frame.fillna("").astype(str).agg(" ".join, axis=1))
        strings |= set(re.findall(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", text))
        strings |= set(re.findall(r"\b(?:192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}\b", text))
        for value in truth["waves"][wave]["pii_strings"].values():
            strings |= set(value) if isinstance(value, list) else {value}
    return {s for s in strings if len(s) >= 6}


def test_no_personal_data_reaches_processed_data_or_reports(demo_run):
    project = demo_run["project"]
    personal = _personal_strings(demo_run["raw"], demo_run["truth"])
    assert len(personal) > 50  # the demo plants plenty
    outputs = list((project / "reports").rglob("*")) + list(
        (project / "data" / "processed").rglob("*")
    )
    assert outputs
    forbidden_columns = {
        "email",
        "ip_address",
        "location_latitude",
        "location_longitude",
        "first_name",
        "last_name",
        "start_date",
        "end_date",
    }
    for path in outputs:
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            assert not forbidden_columns & set(frame.columns), path
            text = frame.to_csv(index=False)
        elif path.suffix in (".xlsx", ".pptx"):  # zipped XML: every part's text
            with zipfile.ZipFile(path) as archive:
                text = " ".join(
                    archive.read(name).decode("utf-8", errors="replace")
                    for name in archive.namelist()
                    if name.endswith((".xml", ".rels"))
                )
            assert "sheet" in text or "slide" in text, path
        elif path.is_file():
            text = path.read_text(encoding="utf-8")
        else:
            continue
        leaked = sorted(s for s in personal if s in text)
        assert leaked == [], f"{path}: {leaked[:5]}"


def test_raw_files_are_byte_identical_after_a_run(demo_run):
    assert demo_run["completed"].returncode == 0
    assert _digest(demo_run["raw"]) == demo_run["before"]


def test_a_wave_validated_in_narrow_batches_gets_the_same_report(
    demo_codebook, demo_run, monkeypatch
):
    """A large wave is validated in batches of a few columns (so that validation stays linear
    in the rows); every check's outcome, rows and examples are those of one batch."""
    from dataclasses import asdict

    from survey import validation

    wave = demo_codebook.wave("2024")
    with monkeypatch.context() as one_batch:
        one_batch.setattr(validation, "BATCH_CELLS", 10**12)
        whole, coded, _, _ = validate_wave(demo_codebook, wave)
    suite = validation.build_suite(demo_codebook, columns=list(coded.columns), name="x")
    assert len(validation._batches(list(suite.expectations), coded)) > 1  # the default splits
    monkeypatch.setattr(validation, "BATCH_CELLS", 3 * len(coded))  # 3 columns a batch
    batches = validation._batches(list(suite.expectations), coded)
    assert len(batches) > 10
    assert sorted(p for _, positions in batches for p in positions) == list(
        range(len(suite.expectations))
    )
    split = validation.validate(coded, demo_codebook, wave="2024", file="x", layout="qualtrics")
    assert [asdict(check) for check in split.checks] == [asdict(check) for check in whole.checks]
    assert sum(check.failed for check in split.checks) > 0


def test_validation_report_is_written_and_readable(demo_run):
    html = (demo_run["project"] / "reports" / "2024" / "validation.html").read_text()
    assert "<h1>Validation of wave 2024</h1>" in html
    assert "Problems found" in html
    assert "the respondent consented" in html
    assert re.search(r"<b>\d+</b>responses in the file", html)


def test_committed_demo_is_what_the_generator_writes(demo_dir, tmp_path):
    from survey.demo import write_demo

    for path in write_demo(tmp_path):
        assert path.read_bytes() == (demo_dir / path.name).read_bytes(), path.name
