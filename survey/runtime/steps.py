"""A run's slowest steps beside one another, with the same results as the plain ones.

- :class:`Threads`: a large wave's estimates and tests on two threads (numpy lets go of the
  interpreter lock in its passes over the respondents). The plain functions are called on
  parts and the parts put together: each kind of estimate (unweighted, weighted) of each share
  of the questionnaire (:func:`estimates_on_threads`), the unweighted and the weighted tests
  (:func:`comparisons_on_threads`). The same tables, byte for byte.
- :class:`Concurrent`: :class:`Threads`, and with ``jobs > 1`` several waves in that many
  spawned processes kept for the whole run (each pays the imports once, then processes waves
  and writes reports), or one wave beside a :class:`~survey.runtime.sidecar.Sidecar` that
  imports great-expectations while the run reads the export, validates the wave while the run
  imports what it needs next and warms the HTML writer, codes the learning needs and comments
  while the run estimates and compares, and writes the workbook while the run writes the HTML
  report and the deck (timings: ``bench/README.md``).
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.analysis.comparisons import adjust_family, comparison_tests
from survey.analysis.results import estimate_table, suppress
from survey.codebook import Codebook
from survey.export import REPORT_FILES, write_reports
from survey.export.html import warm_up
from survey.runtime import start_sidecar
from survey.runtime.imports import preload
from survey.runtime.sidecar import Pending, Sidecar
from survey.steps import Progress, Result, Steps, WaveCalls
from survey.validation import ValidationReport, validate

__all__ = [
    "AFTER_VALIDATION",
    "SIDECAR_MAX_ROWS",
    "THREADED_FROM",
    "Concurrent",
    "Threads",
    "comparisons_on_threads",
    "estimates_on_threads",
]

T = TypeVar("T")

#: From how many respondents a wave's estimates and tests run on two threads.
THREADED_FROM = 50_000
#: The most rows of a frame sent to the sidecar: above it, sending the wave there costs more
#: time and memory than doing the work here.
SIDECAR_MAX_ROWS = 100_000
#: What the analysis and the reports import, imported while the sidecar validates.
AFTER_VALIDATION = (
    "scipy.stats", "pingouin", "pyarrow.parquet", "survey.export.pptx", "pptx",
    "pptx.chart.data", "plotly.io", "plotly.offline", "jinja2",
)  # fmt: skip


def _threads_pay(respondents: pd.DataFrame) -> bool:
    return len(respondents) >= THREADED_FROM and (os.cpu_count() or 1) > 1


def estimates_on_threads(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    wave: str,
    weights: npt.ArrayLike | None = None,
    threads: int = 2,
) -> pd.DataFrame:
    """:func:`survey.analysis.results.results` on ``threads`` threads: each kind of estimate
    (unweighted, then weighted when there are ``weights``) of each share of the questionnaire
    (:func:`_shares`) is one :func:`estimate_table` call, and the parts, concatenated in that
    order, are suppressed together. The same table as ``results``."""
    kinds: list[npt.ArrayLike | None] = [None] if weights is None else [None, weights]

    def part(kind: npt.ArrayLike | None, book: Codebook, lookup: set[str]) -> pd.DataFrame:
        table = estimate_table(respondents, book, wave=wave, weights=kind)
        return table[~table["question"].isin(lookup)] if lookup else table

    with ThreadPoolExecutor(threads) as pool:
        shares = _shares(codebook, threads)
        futures = [pool.submit(part, kind, *share) for kind in kinds for share in shares]
        tables = [future.result() for future in futures]
    return suppress(pd.concat(tables, ignore_index=True), threshold=codebook.small_cell_threshold)


def _shares(codebook: Codebook, count: int) -> list[tuple[Codebook, set[str]]]:
    """The codebook in up to ``count`` consecutive shares of its questions, of about as many
    analysed columns each; a share also holds the breakdowns' questions it lacks (needed to
    group the respondents), named in the set beside it: their estimates belong to another.

    >>> from survey.codebook import load_codebook
    >>> book = load_codebook("data/raw/codebook.yaml")
    >>> [(len(share.questions), sorted(lookup)) for share, lookup in _shares(book, 2)]
    [(8, []), (13, ['region', 'role', 'sector'])]
    """
    sizes = [
        len(codebook.model_copy(update={"questions": [question]}).variables())
        for question in codebook.questions
    ]
    ends = np.cumsum(sizes)
    cuts = [0, *(int(np.searchsorted(ends, ends[-1] * n / count)) + 1 for n in range(1, count))]
    cuts = sorted({min(cut, len(sizes)) for cut in cuts} | {len(sizes)})
    shares = []
    for start, end in itertools.pairwise(cuts):
        questions = codebook.questions[start:end]
        ids = {question.id for question in questions}
        lookup = [codebook.question(dimension) for dimension in codebook.dimensions]
        extra = [question for question in lookup if question.id not in ids]
        book = codebook.model_copy(update={"questions": [*questions, *extra]})
        shares.append((book, {question.id for question in extra}))
    return shares


def comparisons_on_threads(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    wave: str,
    weights: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """:func:`survey.analysis.comparisons.wave_tests` with the unweighted and the weighted
    tests (:func:`comparison_tests`) on a thread each, then adjusted as one family."""
    kinds: list[npt.ArrayLike | None] = [None] if weights is None else [None, weights]
    with ThreadPoolExecutor(len(kinds)) as pool:
        futures = [
            pool.submit(comparison_tests, respondents, codebook, wave=wave, weights=kind)
            for kind in kinds
        ]
        tables = [future.result() for future in futures]
    return adjust_family(pd.concat(tables, ignore_index=True))


class Threads(Steps):
    """The plain steps, but the estimates and tests of a wave of :data:`THREADED_FROM`
    respondents or more on two threads (on a machine with more than one core)."""

    def estimate(
        self, respondents: pd.DataFrame, codebook: Codebook, **options: Any
    ) -> pd.DataFrame:
        if _threads_pay(respondents):
            return estimates_on_threads(respondents, codebook, **options)
        return super().estimate(respondents, codebook, **options)

    def compare(
        self, respondents: pd.DataFrame, codebook: Codebook, **options: Any
    ) -> pd.DataFrame:
        if _threads_pay(respondents) and options.get("weights") is not None:
            return comparisons_on_threads(respondents, codebook, **options)
        return super().compare(respondents, codebook, **options)


class Concurrent(Threads):
    """:class:`Threads`, and with ``jobs > 1`` several waves at once in worker processes, or
    one wave beside a sidecar (``sidecar``, started early by the caller and closed by it, else
    one of its own from ``start_sidecar``, closed when the wave is done)."""

    def __init__(
        self,
        jobs: int,
        *,
        sidecar: Sidecar | None = None,
        start_sidecar: Callable[[], Sidecar] = start_sidecar,
    ) -> None:
        self.jobs, self.early, self.start_sidecar = jobs, sidecar, start_sidecar
        self.sidecar: Sidecar | None = None
        self.pool: ProcessPoolExecutor | None = None
        self.workers = 1

    @contextlib.contextmanager
    def waves(self, count: int) -> Iterator[None]:
        """Worker processes for ``count`` waves (at most ``jobs``), or a sidecar for one."""
        self.workers = min(self.jobs, count)
        if count == 1 and self.jobs > 1:
            self.sidecar = self.early or self.start_sidecar()
        if self.workers > 1:
            # spawn, not fork: the parent may hold a progress thread's lock when it forks
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)
        failed = True
        try:
            yield
            failed = False
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
            if self.sidecar is not None and self.sidecar is not self.early:
                self.sidecar.close(wait=not failed)
            self.pool, self.sidecar = None, None

    def each(
        self, what: str, function: Callable[..., Any], calls: WaveCalls, progress: Progress
    ) -> list[Any]:
        """The calls in the worker processes (each with :class:`Threads` steps, no progress),
        when there are several and workers; the first failure in the given order is raised,
        as a sequential run would meet it."""
        if self.pool is None or len(calls) <= 1:
            return super().each(what, function, calls, progress)
        names = list(calls)
        listed = ", ".join(names)
        progress(f"waves {listed}: {what} on {self.workers} processes")
        futures = [self.pool.submit(function, **call, steps=Threads()) for call in calls.values()]
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
            if any(future.exception() is not None for future in finished):
                for future in pending:
                    future.cancel()
                break
            done = [name for name, future in zip(names, futures, strict=True) if future.done()]
            progress(f"waves {listed}: {len(done)} of {len(calls)} done ({', '.join(done)})")
        for future in futures:  # the first failure in wave order, as a sequential run
            error = future.exception() if future.done() else None
            if error is not None:
                raise error
        return [future.result() for future in futures]

    def validate(self, **arguments: Any) -> ValidationReport:
        """In the sidecar, while this process imports what the analysis and the reports need
        next (:data:`AFTER_VALIDATION`) and warms the HTML writer."""
        pending = self._send(validate, arguments)
        if pending is None:
            return super().validate(**arguments)
        preload(AFTER_VALIDATION)
        with contextlib.suppress(Exception):  # it only saves time; the report meets any error
            warm_up()
        report: ValidationReport = pending.result()
        return report

    def beside(self, function: Callable[..., T], /, **kwargs: Any) -> Result[T]:
        """In the sidecar, while this process goes on."""
        pending = self._send(function, kwargs)
        return pending if pending is not None else super().beside(function, **kwargs)

    def reports(self, folder: Path, codebook: Codebook, **options: Any) -> list[Path]:
        """The workbook in the sidecar, while this process writes the HTML report and deck."""
        if self.sidecar is None:
            return super().reports(folder, codebook, **options)
        workbook = self.sidecar.call(
            write_reports, folder=folder, codebook=codebook, files=REPORT_FILES[:1], **options
        )
        here = super().reports(folder, codebook, files=REPORT_FILES[1:], **options)
        return [*workbook.result(), *here]

    def _send(self, function: Callable[..., Any], kwargs: dict[str, Any]) -> Pending | None:
        """The call sent to the sidecar, unless there is none or a frame is too large."""
        if self.sidecar is None or any(
            isinstance(value, pd.DataFrame) and len(value) > SIDECAR_MAX_ROWS
            for value in kwargs.values()
        ):
            return None
        return self.sidecar.call(function, **kwargs)
