"""How a run carries out its slowest steps: the seam between the flow and the runtime.

:mod:`survey.pipeline` calls its slowest steps through a :class:`Steps` object whose methods
are the package's plain functions, run here one after another. :mod:`survey.runtime` passes a
subclass that runs some of them beside others (in another process, on threads, several waves
at once); each method returns what its plain function returns, so that a run writes the same
files either way. Neither the flow nor anything it calls knows how.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import pandas as pd

from survey.analysis.comparisons import wave_tests
from survey.analysis.results import results
from survey.codebook import Codebook
from survey.export import write_reports
from survey.validation import ValidationReport, validate

__all__ = ["Progress", "Result", "Steps", "WaveCalls"]

#: Where a run says what it is doing (a line of progress each call).
Progress = Callable[[str], None]
#: The calls of one step, by wave id: each wave's keyword arguments, in wave order.
WaveCalls = dict[str, dict[str, Any]]
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Result(Protocol[T_co]):
    """A call's value, asked for when it is needed (:meth:`Steps.beside`)."""

    def result(self) -> T_co:
        """The value (or the call's exception, raised here)."""
        ...


class _Later(Generic[T]):
    """A call made when its result is asked for."""

    def __init__(self, function: Callable[..., T], kwargs: dict[str, Any]) -> None:
        self.function, self.kwargs = function, kwargs

    def result(self) -> T:
        return self.function(**self.kwargs)


class Steps:
    """The slowest steps of a run, each with its plain function, here and in order.

    >>> Steps().beside(dict, wave="2024").result()
    {'wave': '2024'}
    """

    def validate(self, **arguments: Any) -> ValidationReport:
        """:func:`survey.validation.validate`."""
        return validate(**arguments)

    def beside(self, function: Callable[..., T], /, **kwargs: Any) -> Result[T]:
        """``function(**kwargs)``, whose value is asked for later (``.result()``), so that it
        may be computed beside the steps in between; here, when it is asked for."""
        return _Later(function, kwargs)

    def estimate(
        self, respondents: pd.DataFrame, codebook: Codebook, **options: Any
    ) -> pd.DataFrame:
        """:func:`survey.analysis.results.results` (``wave``, ``weights``)."""
        return results(respondents, codebook, **options)

    def compare(
        self, respondents: pd.DataFrame, codebook: Codebook, **options: Any
    ) -> pd.DataFrame:
        """:func:`survey.analysis.comparisons.wave_tests` (``wave``, ``weights``)."""
        return wave_tests(respondents, codebook, **options)

    def reports(self, folder: Path, codebook: Codebook, **options: Any) -> list[Path]:
        """:func:`survey.export.write_reports` (``template``, ``out_dir``, ``history``)."""
        return write_reports(folder, codebook, **options)

    def waves(self, count: int) -> AbstractContextManager[None]:
        """What a run that processes ``count`` waves holds while it runs (here: nothing)."""
        return nullcontext()

    def each(
        self, what: str, function: Callable[..., Any], calls: WaveCalls, progress: Progress
    ) -> list[Any]:
        """``function(**call, progress=progress, steps=self)`` for each wave's call, in the
        order of ``calls``, each doing ``what``."""
        return [function(**call, progress=progress, steps=self) for call in calls.values()]
