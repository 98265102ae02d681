"""The command line's contract: exit codes 0/1/2, one clear line on stderr, no traceback."""

from __future__ import annotations

import json
import shutil

import pytest
from factories import export, one_error_line, survey

from survey.codebook import reference_codebook_path


def test_help_lists_the_commands(tmp_path):
    completed = survey("--help", cwd=tmp_path)
    assert completed.returncode == 0
    for command in ("run", "validate", "demo"):
        assert command in completed.stdout


@pytest.mark.parametrize(
    "args", [["run", "--no-such-option"], ["frobnicate"], ["demo", "--n", "0"], []]
)
def test_wrong_usage_exits_2(tmp_path, args):
    assert survey(*args, cwd=tmp_path).returncode == 2


def test_wave_with_several_files_is_wrong_usage(tmp_path):
    completed = survey(
        "run",
        "a.csv",
        "b.csv",
        "--wave",
        "2024",
        "-c",
        str(reference_codebook_path()),
        cwd=tmp_path,
    )
    assert completed.returncode == 2
    assert "--wave names one wave; give one RAW file with it" in completed.stderr
    assert "unexpectedly" not in completed.stderr


def test_no_codebook_says_how_to_get_one(tmp_path):
    line = one_error_line(survey("run", cwd=tmp_path))
    assert line == (
        "error: data/raw/codebook.yaml: codebook not found; run `survey demo` to write the "
        "demo data here, or pass --codebook FILE"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty; export the responses again"),
        (bytes(range(256)) * 20, "this is not a text export (binary content)"),
        (b"1,2,3\n4,5,6\n", "cannot tell the export layout"),  # no header row
    ],
)
def test_bad_files_get_one_line(tmp_path, content, message):
    raw = tmp_path / "export.csv"
    raw.write_bytes(content)
    line = one_error_line(
        survey("run", str(raw), "-c", str(reference_codebook_path()), cwd=tmp_path)
    )
    assert line.startswith(f"error: {raw}: {message}")
    assert not (tmp_path / "reports").exists()


def test_missing_file(tmp_path):
    line = one_error_line(
        survey("run", "nowhere.csv", "-c", str(reference_codebook_path()), cwd=tmp_path)
    )
    assert line == "error: nowhere.csv: file not found"


def test_bad_codebook_is_reported_before_any_data_is_read(tmp_path):
    codebook = tmp_path / "codebook.yaml"
    text = reference_codebook_path().read_text().replace("type: likert", "type: likret", 1)
    codebook.write_text(text)
    line = one_error_line(survey("run", "-c", str(codebook), cwd=tmp_path))
    assert line.startswith(f"error: {codebook}: questions[10] (employer_support).type: ")
    assert "unknown value 'likret'" in line


def test_a_file_missing_columns_names_them(codebook, tmp_path):
    raw = export(codebook, tmp_path / "cut.csv", 40)
    lines = raw.read_text().splitlines()
    drop = lines[0].split(",").index("region")
    raw.write_text(
        "\n".join(",".join(line.split(",")[:drop] + line.split(",")[drop + 1 :]) for line in lines)
        + "\n"
    )
    line = one_error_line(
        survey("run", str(raw), "-c", str(reference_codebook_path()), cwd=tmp_path)
    )
    assert line.startswith(f"error: {raw}: missing 1 column the codebook expects (region)")
    assert not (tmp_path / "reports").exists()
    assert not (tmp_path / "data").exists()


def test_run_a_new_export_named_by_its_file(codebook, tmp_path):
    raw = export(codebook, tmp_path / "spring.csv", 40, r3={"consent": "No"})
    completed = survey("run", str(raw), "-c", str(reference_codebook_path()), cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "data" / "processed" / "spring.parquet").is_file()
    quarantine = (tmp_path / "reports" / "spring" / "quarantine.csv").read_text().splitlines()
    assert quarantine == ["respondent_id,reason", "R_test00003,no_consent"]


def test_out_puts_a_single_wave_directly_in_the_folder(codebook, tmp_path):
    raw = export(codebook, tmp_path / "spring.csv", 40)
    completed = survey(
        "run", str(raw), "-c", str(reference_codebook_path()), "--out", "here", cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr
    assert sorted(p.name for p in (tmp_path / "here").iterdir()) == [
        "flags.csv",
        "letters.csv",
        "manifest.json",
        "needs.csv",
        "pairwise.csv",
        "quarantine.csv",
        "quotes.csv",
        "reliability.csv",
        "report.html",
        "report.xlsx",
        "results.csv",
        "slides.pptx",
        "tests.csv",
        "themes.csv",
        "uncoded_terms.csv",
        "validation.html",
        "validation.json",
        "weighting.json",
    ]


def test_unweighted_run_writes_weight_one_and_unweighted_rows_only(codebook, tmp_path):
    import pandas as pd

    raw = export(codebook, tmp_path / "spring.csv", 40)
    completed = survey(
        "run", str(raw), "-c", str(reference_codebook_path()), "--unweighted", cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr
    processed = pd.read_parquet(tmp_path / "data" / "processed" / "spring.parquet")
    assert (processed["weight"] == 1.0).all()
    table = pd.read_csv(tmp_path / "reports" / "spring" / "results.csv")
    assert set(table["weighted"]) == {False}
    assert not (tmp_path / "reports" / "spring" / "weighting.json").exists()


def test_a_frame_category_nobody_answered_from_is_an_error(codebook, tmp_path):
    others = {f"r{i}": {"sector": "Public library", "sector_other": ""} for i in range(4, 40, 5)}
    raw = export(codebook, tmp_path / "spring.csv", 40, **others)  # nobody from 'other'
    line = one_error_line(
        survey("run", str(raw), "-c", str(reference_codebook_path()), cwd=tmp_path)
    )
    assert "weighting: nobody answered from sector ['other']" in line
    assert "--unweighted" in line


def test_validate_writes_the_report_only(codebook, tmp_path):
    raw = export(codebook, tmp_path / "spring.csv", 40, r1={"region": "Yukon"})
    completed = survey("validate", str(raw), "-c", str(reference_codebook_path()), cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    written = sorted(p.name for p in (tmp_path / "reports" / "spring").iterdir())
    assert written == ["validation.html", "validation.json"]
    report = json.loads((tmp_path / "reports" / "spring" / "validation.json").read_text())
    region = next(c for c in report["checks"] if c["reason"] == "invalid_region")
    assert (region["failed"], region["examples"], region["action"]) == (1, ["Yukon"], "quarantine")
    assert not (tmp_path / "data").exists()


def test_validation_examples_hold_no_personal_data(codebook, tmp_path):
    raw = export(
        codebook,
        tmp_path / "spring.csv",
        40,
        r1={"sector": "jo.bloggs@example.org"},
        r2={"sector": "call 604-555-0101"},
    )
    completed = survey("validate", str(raw), "-c", str(reference_codebook_path()), cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    report = json.loads((tmp_path / "reports" / "spring" / "validation.json").read_text())
    sector = next(c for c in report["checks"] if c["reason"] == "invalid_sector")
    assert sorted(sector["examples"]) == ["[email]", "call [phone]"]
    html = (tmp_path / "reports" / "spring" / "validation.html").read_text()
    assert "example.org" not in html and "555-0101" not in html


def test_validate_reports_structural_problems_and_exits_1(codebook, tmp_path):
    raw = export(codebook, tmp_path / "tiny.csv", 5)
    completed = survey("validate", str(raw), "-c", str(reference_codebook_path()), cwd=tmp_path)
    line = one_error_line(completed)
    assert "tiny.csv: 1 structural problem(s)" in line
    report = json.loads((tmp_path / "reports" / "tiny" / "validation.json").read_text())
    rows = next(c for c in report["checks"] if c["reason"] == "too_few_responses")
    assert (rows["success"], rows["observed"]) == (False, 5)


def test_demo_writes_a_runnable_project(tmp_path):
    completed = survey("demo", "--n", "60", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    names = sorted(p.name for p in (tmp_path / "data" / "raw").iterdir())
    assert names == [
        "2024.csv",
        "2025.xlsx",
        "2026.csv",
        "README.md",
        "codebook.yaml",
        "ground_truth.yaml",
    ]
    # 60 responses leave a frame category empty: weighting says so instead of guessing
    line = one_error_line(survey("run", cwd=tmp_path))
    assert "weighting: nobody answered from sector" in line
    completed = survey("run", "--unweighted", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    for wave in ("2024", "2025", "2026"):
        assert (tmp_path / "data" / "processed" / f"{wave}.parquet").is_file()


def test_a_folder_where_the_export_should_be(tmp_path):
    codebook = tmp_path / "codebook.yaml"
    shutil.copy(reference_codebook_path(), codebook)
    (tmp_path / "2024.csv").mkdir()
    line = one_error_line(survey("run", "-c", str(codebook), "--wave", "2024", cwd=tmp_path))
    assert "2024.csv: not a file" in line


def test_several_waves_are_one_run_all_or_nothing(codebook, tmp_path):
    """A wave that fails leaves every wave's earlier files as they were and no staging."""
    good = export(codebook, tmp_path / "spring.csv", 40)
    others = {f"r{i}": {"sector": "Public library", "sector_other": ""} for i in range(4, 40, 5)}
    bad = export(codebook, tmp_path / "autumn.csv", 40, **others)  # cannot be weighted
    book = str(reference_codebook_path())
    (tmp_path / "reports" / "spring").mkdir(parents=True)
    (tmp_path / "reports" / "spring" / "results.csv").write_text("earlier\n")
    for jobs in ("1", "2", "serial"):
        option = ["--serial"] if jobs == "serial" else ["--jobs", jobs]
        line = one_error_line(survey("run", str(good), str(bad), "-c", book, *option, cwd=tmp_path))
        assert "autumn.csv" in line and "nobody answered from sector ['other']" in line
        assert (tmp_path / "reports" / "spring" / "results.csv").read_text() == "earlier\n"
        assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["spring"]
        assert not (tmp_path / "data").exists()  # made for the run, removed with it
        assert list((tmp_path / "reports" / "spring").iterdir()) == [
            tmp_path / "reports" / "spring" / "results.csv"
        ]


def test_waves_in_parallel_write_the_same_bytes(codebook, tmp_path):
    spring = export(codebook, tmp_path / "spring.csv", 40)
    autumn = export(codebook, tmp_path / "autumn.csv", 40, r3={"consent": "No"})
    book = str(reference_codebook_path())
    tables = ("results.csv", "tests.csv", "needs.csv", "quarantine.csv", "letters.csv")
    written = {}
    for jobs in ("1", "2", "serial"):
        out = f"out{jobs}"
        option = ["--serial"] if jobs == "serial" else ["-j", jobs]
        completed = survey(
            "run", str(spring), str(autumn), "-c", book, *option, "--out", out, cwd=tmp_path
        )
        assert completed.returncode == 0, completed.stderr
        assert f"wave autumn: {out}/autumn/" in completed.stdout
        assert f"changes between waves: {out}/trends.csv (each later wave" in completed.stdout
        written[jobs] = {
            (wave, name): (tmp_path / out / wave / name).read_bytes()
            for wave in ("spring", "autumn")
            for name in tables
        } | {("autumn", "trends.csv"): (tmp_path / out / "autumn" / "trends.csv").read_bytes()}
    assert written["1"] == written["2"] == written["serial"]
    assert b"no_consent" in written["2"][("autumn", "quarantine.csv")]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_template_that_is_not_a_deck_is_one_line_and_nothing_is_written(codebook, tmp_path):
    raw = export(codebook, tmp_path / "spring.csv", 40)
    (tmp_path / "master.pptx").write_text("not a presentation")
    line = one_error_line(
        survey(
            "run",
            str(raw),
            "-c",
            str(reference_codebook_path()),
            "--template",
            "master.pptx",
            cwd=tmp_path,
        )
    )
    assert "master.pptx" in line
    assert not (tmp_path / "reports").exists() and not (tmp_path / "data").exists()


def test_layout_overrides_the_detected_one(codebook, tmp_path):
    raw = export(codebook, tmp_path / "spring.csv", 40)
    book = str(reference_codebook_path())
    line = one_error_line(
        survey("validate", str(raw), "-c", book, "--layout", "surveymonkey", cwd=tmp_path)
    )
    assert line.startswith(f"error: {raw}: ") and "structural problem" in line  # read as SM
    assert survey("run", str(raw), "-c", book, "--layout", "sas", cwd=tmp_path).returncode == 2
    assert survey("run", "-c", book, "--layout", "csv", cwd=tmp_path).returncode == 2
    completed = survey("validate", str(raw), "-c", book, "--layout", "qualtrics", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
