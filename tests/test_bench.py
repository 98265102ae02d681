"""The benchmark harness (bench/harness.py, `survey bench`): every stage timed, min <= median,
peak memory, machine info, the README table between its markers, a fast CLI start-up, and a
clear error where there is no clone to benchmark."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench.harness import (
    README_END,
    README_START,
    STAGES,
    plot_scaling,
    run_bench,
    scaling,
    scaling_table,
    update_readme,
)
from survey.cli import app

REPO = Path(__file__).resolve().parents[1]
#: The smallest demo wave that still has someone in every frame region (200 has no
#: north-east respondent, and raking stops).
SIZE = 400


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory) -> tuple[dict[str, Any], Path, Path]:
    """The harness once: a 400-respondent demo wave, 2 runs (R too when Rscript exists)."""
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "results.json"
    out.write_text(json.dumps([{"earlier": "record"}]))
    readme = folder / "README.md"
    shutil.copy(REPO / "bench" / "README.md", readme)
    record = run_bench(
        [SIZE],
        runs=2,
        with_r=shutil.which("Rscript") is not None,
        data_dir=folder / "data",
        out=out,
        readme=readme,
    )
    return record, out, readme


def test_every_stage_is_timed_with_min_at_most_median(bench_run):
    record, _, _ = bench_run
    (size,) = record["sizes"]
    assert size["respondents"] == SIZE and 0 < size["analysed"] <= SIZE
    assert size["runs"] == 2
    for stage in (*STAGES, "process"):
        timing = size["seconds"][stage]
        assert 0 <= timing["min"] <= timing["median"], stage
    assert size["seconds"]["pipeline"]["min"] > size["seconds"]["clean"]["min"]
    # the command itself: start-up and every report on top of the pipeline
    assert size["seconds"]["survey_run"]["min"] > size["seconds"]["pipeline"]["min"]


def test_peak_memory_and_machine_are_recorded(bench_run):
    record, _, _ = bench_run
    peak = record["sizes"][0]["peak_rss_mb"]
    assert 50 < peak["min"] <= peak["median"] <= peak["max"]
    # the breakdowns alone, in their own process: less than the whole run
    assert 50 < record["sizes"][0]["breakdowns_peak_rss_mb"] < peak["max"]
    machine = record["machine"]
    assert machine["cores"] >= 1 and machine["memory_gib"] > 0
    assert machine["python"].split()[1] == ".".join(map(str, sys.version_info[:3]))
    assert machine["packages"]["pandas"] and machine["date"][:2] == "20"


def test_results_json_keeps_earlier_records(bench_run):
    record, out, _ = bench_run
    history = json.loads(out.read_text())
    assert history[0] == {"earlier": "record"}
    assert history[-1]["sizes"][0]["seconds"].keys() == record["sizes"][0]["seconds"].keys()


def test_readme_table_is_regenerated_between_markers(bench_run):
    record, _, readme = bench_run
    text = readme.read_text(encoding="utf-8")
    original = (REPO / "bench" / "README.md").read_text(encoding="utf-8")
    head, rest = text.split(README_START)
    table, tail = rest.split(README_END)
    assert head == original.split(README_START)[0]
    assert tail == original.split(README_END)[1]  # the history below is kept
    assert f"| {SIZE:,} (runs 2) |" in table and "| xlsx |" in table and "peak RSS" in table
    assert f"{record['machine']['cores']} cores" in table
    update_readme(readme, record)  # again: the same block, not a second one
    assert readme.read_text(encoding="utf-8").count(README_START) == 1


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_r_agrees_with_python(bench_run):
    # R: bench/survey.R, svyby(~top2, ~g, d, svyciprop, method = "beta"); svychisq(~top2 + g)
    record, _, _ = bench_run
    r = record["sizes"][0]["r"]
    assert r["unmatched"] == 0 and r["compared"] > 100
    assert r["max_difference"]["estimate"] < 1e-6 and r["max_difference"]["se"] < 1e-6
    assert r["max_difference"]["p"] < 1e-4 and r["agree"]
    assert r["ratio_to_python"] > 0


def test_bench_help(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "survey", "bench", "--help"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    for option in ("--sizes", "--runs", "--with-r", "--out", "--readme"):
        assert option in completed.stdout


def test_bench_outside_a_clone_says_where_it_runs(tmp_path, monkeypatch):
    """An installed package has no harness: one line on stderr saying to run it from a clone."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["bench", "--sizes", "300", "--runs", "1"])
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: survey bench: no bench/harness.py in ")
    assert "the benchmarks run from a clone of the project" in line
    assert "cd into the clone" in line and "`python -m bench`" in line
    assert "Traceback" not in result.output and not (tmp_path / "bench").exists()


def test_bench_in_a_clone_imports_the_clone_s_harness(monkeypatch):
    """From the clone's root the command finds bench/harness.py (a bad --runs then is wrong
    usage, exit 2, not the missing-harness error)."""
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(app, ["bench", "--runs", "x"])
    assert result.exit_code == 2, result.output
    assert "--runs x: expected whole numbers" in result.output
    assert "clone of the project" not in result.output


@pytest.mark.parametrize(
    "command",
    [["-m", "bench"], ["-m", "bench.harness"], ["bench/harness.py"], ["-m", "bench.dashboard"]],
)
def test_the_harnesses_run_from_the_clone_s_root(command):
    completed = subprocess.run(
        [sys.executable, *command, "--help"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert "--runs" in completed.stdout


def test_cli_start_up_stays_fast(tmp_path):
    survey = Path(sys.executable).with_name("survey")
    command = [str(survey)] if survey.exists() else [sys.executable, "-m", "survey"]
    seconds = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([*command, "--help"], cwd=tmp_path, capture_output=True, check=True)
        seconds.append(time.perf_counter() - started)
    print(f"survey --help: {min(seconds):.3f} s (min of 3)")
    assert min(seconds) < 1.5  # 0.16 s on a quiet 2-core machine; slack for a loaded CI box
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, survey.cli; print('bench.harness' in sys.modules, "
         "'pandas' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert imported.stdout.split() == ["False", "False"]


def test_the_command_freezes_its_objects_before_the_interpreter_exits(tmp_path):
    """The last garbage collections at exit would walk every loaded library's objects (0.3 s
    of a run): ``main`` freezes them, and keeps the command's exit code."""
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "from survey.cli import main\n"
        "sys.argv = ['survey', *sys.argv[1:]]\n"
        "main()\n"
    )
    for args, code in ((["--help"], 0), (["frobnicate"], 2)):
        completed = subprocess.run(
            [sys.executable, "-c", script, *args], cwd=tmp_path, capture_output=True, text=True
        )
        assert completed.returncode == code, completed.stderr
        assert completed.stdout.strip().splitlines()[-1] == "frozen True"


def _record(sizes: dict[int, dict[str, float]]) -> dict[str, Any]:
    """A harness record with these minimum seconds per stage at each size."""
    return {
        "sizes": [
            {
                "respondents": n,
                "seconds": {stage: {"min": s, "median": s} for stage, s in stages.items()},
            }
            for n, stages in sizes.items()
        ]
    }


def test_scaling_is_microseconds_per_respondent_and_flat_when_linear(tmp_path):
    record = _record(
        {
            1_000: {"validate": 1.5, "clean": 0.01},
            10_000: {"validate": 2.0, "clean": 0.1},
            100_000: {"validate": 7.0, "clean": 1.0},
        }
    )
    curves = scaling(record)
    assert curves["clean"] == [(1_000, 10.0), (10_000, 10.0), (100_000, 10.0)]  # linear
    assert curves["validate"] == [(1_000, 1500.0), (10_000, 200.0), (100_000, 70.0)]
    assert "import" not in curves  # not measured
    table = scaling_table(record)
    assert "| clean | 10 | 10 | 10 |" in table
    assert "| validate | 1500 | 200 | 70 |" in table
    drawn = plot_scaling(record, tmp_path / "scaling.png")
    assert [n for n, _ in drawn["clean"]] == [1_000, 10_000, 100_000]
    assert [s for _, s in drawn["clean"]] == pytest.approx([0.01, 0.1, 1.0])
    assert (tmp_path / "scaling.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
