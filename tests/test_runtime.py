"""The runtime: the same tables whatever it runs where. The sidecar process of a one-wave run
(errors raised in the run, a dead sidecar's work done in the run instead, a failed run not kept
waiting), a large wave's estimates and tests split over threads, and the flow that never knows
any of it."""

from __future__ import annotations

import ast
import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey.analysis.comparisons import wave_tests
from survey.analysis.results import results
from survey.codebook import load_codebook
from survey.errors import DataError
from survey.pipeline import process_wave
from survey.runtime import Runtime
from survey.runtime.sidecar import Sidecar
from survey.runtime.steps import Concurrent, Threads, comparisons_on_threads, estimates_on_threads
from survey.steps import Steps

PACKAGE = Path(__file__).resolve().parents[1] / "survey"


def _add(a: int, b: int) -> int:
    return a + b


def _fails(message: str) -> None:
    raise DataError(message)


def _slow(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_calls_return_values_and_raise_errors_in_the_run():
    sidecar = Sidecar(modules=())
    try:
        assert sidecar.call(_add, a=12, b=18).result() == 30
        with pytest.raises(DataError, match="bad file"):
            sidecar.call(_fails, message="bad file").result()
        assert sidecar.call(_add, a=5, b=2).result() == 7  # still serving
    finally:
        sidecar.close()
    assert not sidecar._process.is_alive()


def test_a_dead_sidecar_s_work_is_done_in_the_run():
    sidecar = Sidecar(modules=())
    assert sidecar.call(_add, a=4, b=6).result() == 10
    os.kill(sidecar._process.pid, signal.SIGKILL)
    sidecar._process.join(timeout=10)
    assert sidecar.call(_add, a=9, b=6).result() == 15
    sidecar.close()


def test_a_reply_never_asked_for_does_not_answer_the_next_call():
    """A run that failed after a call (its reply unread) and goes on with the sidecar gets
    each later call's own reply."""
    sidecar = Sidecar(modules=())
    try:
        sidecar.call(_add, a=1, b=1)  # never asked for
        assert sidecar.call(_add, a=20, b=3).result() == 23
        failed = sidecar.call(_fails, message="lost")  # an unread error is not raised later
        assert sidecar.call(_add, a=2, b=2).result() == 4
        with pytest.raises(DataError, match="lost"):
            failed.result()  # still the call's own outcome, asked for late
    finally:
        sidecar.close()


def test_preload_leaves_a_module_it_cannot_import_to_its_first_use():
    """A preload only saves time: a module missing (a library's part renamed) is not an
    error there. What it imported is frozen out of the garbage collector."""
    import gc
    import sys

    from survey.runtime import preload

    sys.modules.pop("colorsys", None)
    try:
        preload(["survey_no_such_module", "colorsys"])
        assert "colorsys" in sys.modules
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_failed_run_does_not_wait_for_the_sidecar():
    sidecar = Sidecar(modules=())
    sidecar.call(_slow, seconds=30)
    started = time.perf_counter()
    sidecar.close(wait=False)
    assert time.perf_counter() - started < 5
    assert not sidecar._process.is_alive()


def _outputs(folder: Path) -> dict[str, bytes]:
    """Every table a wave's run wrote, without the manifest's and the report's run times."""
    files = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".csv":
            files[path.name] = path.read_bytes()
    report = json.loads((folder / "validation.json").read_text())
    report.pop("created", None)
    files["validation.json"] = json.dumps(report, sort_keys=True).encode()
    return files


def test_a_wave_run_with_a_sidecar_writes_the_same_tables(demo_dir: Path, tmp_path: Path):
    demo_codebook = load_codebook(demo_dir / "codebook.yaml")
    wave = demo_codebook.wave("2024")
    alone = process_wave(
        demo_codebook, wave, out_dir=tmp_path / "alone", processed_dir=tmp_path / "p1"
    )
    calls: list[str] = []

    class Watched(Sidecar):
        def call(self, function, /, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(function.__name__)
            return super().call(function, **kwargs)

    def watched() -> Sidecar:
        from survey.runtime import SIDECAR_LATER, SIDECAR_MODULES

        return Watched(SIDECAR_MODULES, SIDECAR_LATER)

    steps = Concurrent(2, start_sidecar=watched)
    with steps.waves(1):
        assert steps.sidecar is not None
        beside = process_wave(
            demo_codebook,
            wave,
            out_dir=tmp_path / "beside",
            processed_dir=tmp_path / "p2",
            steps=steps,
        )
    assert steps.sidecar is None  # closed with the run
    assert calls == ["validate", "learning_tables", "write_reports"]
    assert _outputs(tmp_path / "beside") == _outputs(tmp_path / "alone")
    assert sorted(p.name for p in beside.outputs) == sorted(p.name for p in alone.outputs)
    # the workbook the sidecar wrote holds what this process writes, sheet by sheet
    from openpyxl import load_workbook

    def cells(folder: Path) -> dict[str, list[tuple[object, ...]]]:
        book = load_workbook(folder / "report.xlsx", read_only=True)
        found = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}
        book.close()
        return found

    written = cells(tmp_path / "beside")
    assert written == cells(tmp_path / "alone")
    assert "Summary" in written and len(written) > 5
    assert (tmp_path / "beside" / "slides.pptx").stat().st_size > 10_000


@pytest.fixture(scope="module")
def large_wave(history_root: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """A demo wave and its weights."""
    respondents = pd.read_parquet(history_root.parent / "processed" / "2025.parquet")
    return respondents, respondents["weight"].to_numpy()


@pytest.mark.parametrize("apart", [True, False], ids=["a call per breakdown", "one call"])
@pytest.mark.parametrize("threads", [2, 3, 4, 8])
@pytest.mark.parametrize("weighted", [True, False], ids=["weighted", "unweighted"])
def test_estimates_split_over_threads_are_the_same_bytes(
    large_wave, threads, weighted, apart, monkeypatch
):
    """Each kind of estimate of each share of the questionnaire a part: the parts put back
    together are ``results``'s table, byte for byte (whether ``estimate_table`` estimates the
    breakdowns in one call, as for a small wave, or a call each, as for a large one)."""
    from survey.analysis import results as engine

    monkeypatch.setattr(engine, "_APART_FROM", 1 if apart else 10**9)
    codebook = load_codebook(PACKAGE.parent / "data" / "raw" / "codebook.yaml")
    respondents, weights = large_wave
    chosen = weights if weighted else None
    whole = results(respondents, codebook, wave="2025", weights=chosen)
    split = estimates_on_threads(
        respondents, codebook, wave="2025", weights=chosen, threads=threads
    )
    assert split.to_csv() == whole.to_csv()
    assert list(split.dtypes) == list(whole.dtypes)


def test_tests_split_over_threads_are_the_same_bytes(large_wave):
    codebook = load_codebook(PACKAGE.parent / "data" / "raw" / "codebook.yaml")
    respondents, weights = large_wave
    whole = wave_tests(respondents, codebook, wave="2025", weights=weights)
    assert comparisons_on_threads(respondents, codebook, wave="2025", weights=weights).to_csv() == (
        whole.to_csv()
    )


def test_a_large_wave_goes_on_threads(large_wave, monkeypatch):
    """From THREADED_FROM respondents (here lowered to the demo wave's size) the runtime's
    steps split the estimates and tests; the plain steps never do."""
    from survey.runtime import steps as runtime_steps

    codebook = load_codebook(PACKAGE.parent / "data" / "raw" / "codebook.yaml")
    respondents, weights = large_wave
    split: list[str] = []

    def watch(name: str):  # type: ignore[no-untyped-def]
        plain = getattr(runtime_steps, name)

        def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
            split.append(name)
            return plain(*args, **kwargs)

        return watched

    monkeypatch.setattr(runtime_steps, "THREADED_FROM", len(respondents))
    for name in ("estimates_on_threads", "comparisons_on_threads"):
        monkeypatch.setattr(runtime_steps, name, watch(name))
    options = {"wave": "2025", "weights": weights}
    for steps in (Steps(), Threads()):
        table = steps.estimate(respondents, codebook, **options)
        tests = steps.compare(respondents, codebook, **options)
        assert table.to_csv() == results(respondents, codebook, **options).to_csv()
        assert tests.to_csv() == wave_tests(respondents, codebook, **options).to_csv()
    assert split == (
        ["estimates_on_threads", "comparisons_on_threads"] if os.cpu_count() != 1 else []
    )


def test_serial_is_the_plain_steps_in_one_process():
    with Runtime(jobs=4, serial=True) as runtime:
        runtime.start_sidecar()
        assert runtime.jobs == 1 and runtime._sidecar is None
        assert type(runtime.steps()) is Steps
    with Runtime(jobs=2) as runtime:
        assert isinstance(runtime.steps(), Concurrent)


def _imports(path: Path) -> set[str]:
    """Every module a source file imports, at any depth of its code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return found


def test_the_flow_and_what_it_calls_never_know_the_runtime():
    """Nothing in the flow, the analysis, the cleaning or the report writers imports the
    runtime or any means of concurrency; only the command line and the dashboard use it."""
    flow = [PACKAGE / name for name in ("pipeline.py", "steps.py", "outputs.py", "waves.py")]
    for package in ("analysis", "cleaning", "export", "report"):
        flow += sorted((PACKAGE / package).rglob("*.py"))
    machinery = ("survey.runtime", "survey.sidecar", "concurrent", "multiprocessing", "threading")
    for path in flow:
        known = [name for name in _imports(path) if name.startswith(machinery)]
        assert known == [], f"{path.relative_to(PACKAGE)} imports {known}"


def test_the_layers_below_the_flow_never_import_it():
    """The analysis, cleaning, report model and writers are called by the flow and never call
    back into it (the examples that run a demo wave are ``survey/examples.py``, at the top)."""
    flow = ("survey.pipeline", "survey.steps", "survey.waves", "survey.examples", "survey.cli")
    for package in ("analysis", "cleaning", "export", "report"):
        for path in sorted((PACKAGE / package).rglob("*.py")):
            known = [name for name in _imports(path) if name.startswith(flow)]
            assert known == [], f"{path.relative_to(PACKAGE)} imports {known}"
