"""The sidecar process of a one-wave run: same results as without it, errors raised in the run,
a dead sidecar's work done in the run instead, and a failed run not kept waiting."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from survey.codebook import load_codebook
from survey.errors import DataError
from survey.pipeline import process_wave
from survey.sidecar import Sidecar


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

    from survey.sidecar import preload

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

    sidecar = Watched()
    try:
        beside = process_wave(
            demo_codebook,
            wave,
            out_dir=tmp_path / "beside",
            processed_dir=tmp_path / "p2",
            sidecar=sidecar,
        )
    finally:
        sidecar.close()
    assert calls == ["validate", "learning_tables", "_write_workbook"]
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
