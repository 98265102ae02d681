"""How a command uses the machine: every concurrency, prefetch and warm-up of a run, behind one
switch.

The flow (:mod:`survey.pipeline`) runs every step here, one after another, and calls its
slowest steps through a :class:`~survey.steps.Steps` object; it never imports this package.
A :class:`Runtime` gives it steps that use both cores (:mod:`survey.runtime.steps`): several
waves in worker processes, one wave beside a sidecar process (:mod:`survey.runtime.sidecar`)
with imports and warm-ups while it waits, a large wave's estimates and tests on threads. With
``serial`` it gives the plain steps: one process, one thread (for debugging).

This module imports nothing heavy, so that a command can start the sidecar before it imports
pandas and the flow (:meth:`Runtime.start_sidecar`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from survey.runtime.imports import frozen_at_exit, import_in_background, preload
from survey.runtime.sidecar import Sidecar

if TYPE_CHECKING:
    from survey.codebook import Codebook, Wave
    from survey.pipeline import WaveRun
    from survey.steps import Steps

__all__ = [
    "SIDECAR_LATER",
    "SIDECAR_MODULES",
    "Runtime",
    "Sidecar",
    "frozen_at_exit",
    "import_in_background",
    "preload",
    "run_waves",
    "start_sidecar",
]

#: What a run's sidecar imports at once, for the validation ...
SIDECAR_MODULES = ("great_expectations", "survey.validation")
#: ... and after it: for the learning needs and comments, and the workbook (the writer imports
#: openpyxl's parts when it runs).
SIDECAR_LATER = (
    "survey.analysis.needs", "survey.analysis.themes", "survey.export.xlsx", "openpyxl",
    "openpyxl.chart", "openpyxl.formatting.rule", "openpyxl.worksheet.pagebreak",
)  # fmt: skip


def start_sidecar() -> Sidecar:
    """A run's sidecar, importing :data:`SIDECAR_MODULES` at once."""
    return Sidecar(SIDECAR_MODULES, SIDECAR_LATER)


class Runtime:
    """The machine a run uses: ``jobs`` waves at once (and a sidecar for a run of one), or with
    ``serial`` one process and one thread. A context manager: leaving it stops the sidecar it
    started (at once when the run failed).

    >>> with Runtime(serial=True) as runtime:
    ...     type(runtime.steps()).__name__
    'Steps'
    """

    def __init__(self, *, jobs: int = 1, serial: bool = False) -> None:
        self.serial = serial
        self.jobs = 1 if serial else jobs
        self._sidecar: Sidecar | None = None

    def start_sidecar(self) -> None:
        """Start the sidecar of a run of one wave now, before the command imports the flow:
        it imports great-expectations meanwhile (nothing with ``serial`` or one job)."""
        if self.jobs > 1 and self._sidecar is None:
            self._sidecar = start_sidecar()

    def steps(self) -> Steps:
        """The steps the flow is to run with."""
        # imported here, not above: they import pandas and the flow (about 1 s), which a
        # sidecar started first spends importing great-expectations
        from survey.runtime.steps import Concurrent
        from survey.steps import Steps

        if self.serial:
            return Steps()
        return Concurrent(self.jobs, sidecar=self._sidecar)

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if self._sidecar is not None:
            self._sidecar.close(wait=kind is None)
            self._sidecar = None


def run_waves(
    codebook: Codebook,
    waves: Sequence[Wave],
    *,
    jobs: int = 1,
    serial: bool = False,
    **options: Any,
) -> list[WaveRun]:
    """:func:`survey.pipeline.run_waves` on ``jobs`` processes (or ``serial``)."""
    # imported here, not above: the flow imports pandas (see Runtime.steps)
    from survey.pipeline import run_waves as run_plainly

    with Runtime(jobs=jobs, serial=serial) as runtime:
        return run_plainly(codebook, waves, steps=runtime.steps(), **options)
