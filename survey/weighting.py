"""Raking respondents to the sampling frame's margins.

:func:`rake` is iterative proportional fitting with the stopping rule of R's
``survey::rake()``: after each full pass over the margins, the weighted cross-table of all
margin variables is compared with the previous one, and raking stops when no cell moved by
``epsilon`` or more (``epsilon`` below 1 is a share of the total weight, as in R). So the same
inputs and controls give R's weights, not merely weights that match the margins.

A wave that cannot be raked (a frame category nobody answered from, a respondent in a category
the frame does not have, no convergence) is an error with a message, never a silent weight of 1.

Examples
--------
>>> import pandas as pd
>>> respondents = pd.DataFrame({"sector": ["public", "public", "school", "school", "school"],
...                             "region": ["north", "south", "north", "south", "south"]})
>>> raked = rake(respondents, margins={"sector": {"public": 60, "school": 40},
...                                    "region": {"north": 30, "south": 70}})
>>> raked.weights.round(2).tolist()
[21.35, 38.65, 8.65, 15.67, 15.67]
>>> raked.iterations, raked.converged, round(raked.weights.sum())
(3, True, 100)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.analysis.design import Calibration, Design
from survey.analysis.replicates import raked_replicates
from survey.codebook import Variance
from survey.errors import DataError

__all__ = ["RakingResult", "composition", "rake", "weight_summary"]


@dataclass(frozen=True)
class RakingResult:
    """Raked weights and what it took to get them.

    Attributes
    ----------
    weights
        One weight per respondent, aligned with the input's index.
    iterations
        Full passes over the margins.
    converged
        Whether the stopping rule was met within ``max_iterations``.
    max_change
        The largest change of a cell of the cross-table in the last pass.
    trimmed
        How many weights were capped by trimming.
    calibration
        What the raking removes from a statistic's variance: each margin's categories and
        the weights right after the last pass adjusted it (R's raked design).
    start
        The weights raking started from (``None``: 1 for everyone).
    targets
        Each margin's frame counts, in the order of the calibration's cells.
    passes
        Passes over the margins of the raking that gave the weights (the last one, when
        trimming raked again), which replicate weights repeat.
    """

    weights: pd.Series
    iterations: int
    converged: bool
    max_change: float
    trimmed: int = 0
    calibration: Calibration | None = None
    start: npt.NDArray[np.float64] | None = None
    targets: tuple[npt.NDArray[np.float64], ...] = ()
    passes: int = 0

    @property
    def design_effect(self) -> float:
        """Kish's design effect of unequal weighting, ``n * sum(w^2) / sum(w)^2``."""
        return weight_summary(self.weights)["design_effect"]

    @property
    def effective_n(self) -> float:
        """The effective sample size, ``sum(w)^2 / sum(w^2)``."""
        return weight_summary(self.weights)["effective_n"]

    def design(
        self,
        variance: Variance,
        *,
        population: float | None = None,
        replicates: int = 200,
        seed: int = 2026,
    ) -> Design:
        """The weights as a design whose variances are computed by ``variance``, with the
        finite population correction for a frame of ``population`` members if given.

        ``Variance.JK1`` and ``Variance.BOOTSTRAP`` make the replicate weights (``replicates``
        bootstrap replicates from ``seed``), each raked to the margins for the passes the
        wave's weights took, as R's ``rake()`` of ``as.svrepdesign(...)``. Trimming is not
        part of R's raking and is not repeated in the replicates: a trimmed wave gets an
        error asking for a linearised variance.
        """
        n = len(self.weights)
        if population is not None and population < n:
            raise DataError(
                f"weighting.fpc: the frame has {population:g} members but {n} respondents "
                "were weighted; the finite population correction needs the whole frame's count"
            )
        found = None
        if variance in (Variance.JK1, Variance.BOOTSTRAP):
            if self.trimmed or self.calibration is None:
                raise DataError(
                    f"weighting.variance: {variance} replicates repeat the raking, but "
                    + ("trimming capped " + f"{self.trimmed} weights" if self.trimmed
                       else "these weights were not raked")
                    + "; use weighting.variance: raked (or drop weighting.trim_ratio)"
                )  # fmt: skip
            found = raked_replicates(
                np.ones(n) if self.start is None else self.start,
                self.calibration.cells,
                self.targets,
                passes=self.passes,
                variance=variance,
                replicates=replicates,
                seed=seed,
                population=population,
            )
        return Design(
            self.weights.to_numpy(dtype=float),
            self.calibration,
            fpc=1.0 if population is None else 1 - n / population,
            variance=variance,
            replicates=found,
        )

    def summary(self) -> dict[str, float | int | bool]:
        """Diagnostics for reports: iterations, convergence, weight range, deff, effective n."""
        return {
            "iterations": self.iterations,
            "converged": self.converged,
            "max_change": self.max_change,
            **weight_summary(self.weights),
            "trimmed": self.trimmed,
        }


def weight_summary(weights: npt.ArrayLike) -> dict[str, float]:
    """The spread of a wave's weights, for reports: the smallest and largest, Kish's design
    effect of unequal weighting ``n * sum(w^2) / sum(w)^2`` and the effective sample size
    ``sum(w)^2 / sum(w^2)``.

    >>> {name: round(value, 4) for name, value in weight_summary([1.0, 1.0, 2.0]).items()}
    {'min_weight': 1.0, 'max_weight': 2.0, 'design_effect': 1.125, 'effective_n': 2.6667}
    """
    w = np.asarray(weights, dtype=float)
    return {
        "min_weight": float(w.min()),
        "max_weight": float(w.max()),
        "design_effect": float(len(w) * np.sum(w**2) / np.sum(w) ** 2),
        "effective_n": float(np.sum(w) ** 2 / np.sum(w**2)),
    }


def _text_codes(
    values: pd.Series, categories: list[str]
) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Each value's position among ``categories`` when written as text (``-1``: not there),
    and the distinct texts found: ``pd.Categorical(values.astype(str), categories).codes``,
    from one pass over the column (text columns are not converted to Python strings)."""
    text = values if isinstance(values.dtype, pd.StringDtype) else values.astype(str)
    index, uniques = pd.factorize(text)
    found = [str(value) for value in uniques]
    position = {category: number for number, category in enumerate(categories)}
    lookup = np.array([position.get(value, -1) for value in found] + [-1], dtype=np.int64)
    return lookup[index], found


def rake(
    respondents: pd.DataFrame,
    *,
    margins: Mapping[str, Mapping[str, float]],
    base_weight: pd.Series | None = None,
    epsilon: float = 1.0,
    max_iterations: int = 10,
    trim_ratio: float | None = None,
) -> RakingResult:
    """Rake weights so that the weighted counts match each margin.

    Parameters
    ----------
    respondents
        One row per respondent with a column per margin variable.
    margins
        For each margin variable, the frame's count of every category.
    base_weight
        Starting weights (default 1 for everyone, as in a simple random sample).
    epsilon, max_iterations
        R's ``control = list(epsilon, maxit)``: stop when no cell of the cross-table of the
        margin variables changes by ``epsilon`` or more in a pass (``epsilon < 1`` is taken as
        a share of the total weight).
    trim_ratio
        If given, no weight may exceed ``trim_ratio`` times the mean weight: weights above are
        capped and the rest raked again, until none is above (at most ``max_iterations`` rounds).

    Raises
    ------
    DataError
        A margin's category has no respondents, a respondent's category is not in the frame or
        is missing, or raking did not converge.
    """
    names = list(margins)
    codes = []
    for name in names:
        if name not in respondents:
            raise DataError(f"weighting: no column {name!r} to rake on")
        values = respondents[name]
        if values.isna().any():
            raise DataError(
                f"weighting: {int(values.isna().sum())} respondents have no {name}; "
                "raking needs every margin variable"
            )
        code, found = _text_codes(values, list(margins[name]))
        outside = sorted(set(found) - set(margins[name]))
        if outside:
            raise DataError(
                f"weighting: {name} {outside} are not in the frame margins of the codebook"
            )
        empty = sorted(set(margins[name]) - set(found))
        if empty:
            raise DataError(
                f"weighting: nobody answered from {name} {empty}, so they cannot be raked "
                "to the frame; merge those categories in the codebook's frame or weight "
                "without them (--unweighted)"
            )
        codes.append(code)
    targets = [
        np.array([margins[name][category] for category in margins[name]], dtype=float)
        for name in names
    ]
    weights = (
        np.ones(len(respondents), dtype=float)
        if base_weight is None
        else base_weight.to_numpy(dtype=float).copy()
    )
    cells = np.ravel_multi_index(codes, [len(t) for t in targets])
    size = int(np.prod([len(t) for t in targets]))

    steps: list[np.ndarray] = []  # the weights after each margin's step of the last pass

    def rake_once(start: np.ndarray) -> tuple[np.ndarray, int, bool, float]:
        current = start.copy()
        tolerance = epsilon if epsilon >= 1 else epsilon * float(current.sum())
        old_table = np.bincount(cells, weights=current, minlength=size)
        change = float("inf")
        for iteration in range(max_iterations):
            steps.clear()
            for code, target in zip(codes, targets, strict=True):
                totals = np.bincount(code, weights=current, minlength=len(target))
                current = current * (target / totals)[code]
                steps.append(current)
            table = np.bincount(cells, weights=current, minlength=size)
            change = float(np.max(np.abs(old_table - table)))
            if change < tolerance:
                return current, iteration + 1, True, change
            old_table = table
        return current, max_iterations, False, change

    raked, iterations, converged, change = rake_once(weights)
    passes = iterations
    trimmed = 0
    if trim_ratio is not None and converged:
        for _ in range(max_iterations):
            cap = trim_ratio * raked.mean()
            over = raked > cap * (1 + 1e-9)
            if not over.any():
                break
            trimmed = max(trimmed, int(over.sum()))
            raked, more, converged, change = rake_once(np.minimum(raked, cap))
            iterations += more
            passes = more
            if not converged:
                break
    if not converged:
        raise DataError(
            f"weighting: raking did not converge in {max_iterations} passes (the cross-table "
            f"still moved by {change:.3g}); raise weighting.max_iterations in the codebook, "
            "loosen weighting.trim_ratio, or merge small frame categories"
        )
    return RakingResult(
        weights=pd.Series(raked, index=respondents.index, name="weight"),
        iterations=iterations,
        converged=converged,
        max_change=change,
        trimmed=trimmed,
        calibration=Calibration(tuple(codes), tuple(steps)),
        start=None if base_weight is None else weights,
        targets=tuple(targets),
        passes=passes,
    )


def composition(
    respondents: pd.DataFrame,
    *,
    margins: Mapping[str, Mapping[str, float]],
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """Sample against frame, for each margin category.

    Returns
    -------
    DataFrame
        ``variable, category, frame, frame_share, respondents, sample_share, weighted_share,
        response_rate`` (``weighted_share`` is missing without weights; ``response_rate`` is
        the analysed respondents as a share of the frame's count).
    """
    rows = []
    for name, counts in margins.items():
        total = float(sum(counts.values()))
        observed = respondents[name].astype(str).value_counts()
        weighted = (
            weights.groupby(respondents[name].astype(str)).sum() if weights is not None else None
        )
        for category, count in counts.items():
            rows.append(
                {
                    "variable": name,
                    "category": category,
                    "frame": count,
                    "frame_share": count / total,
                    "respondents": int(observed.get(category, 0)),
                    "sample_share": float(observed.get(category, 0)) / len(respondents),
                    "weighted_share": float(weighted.get(category, 0.0)) / float(weights.sum())
                    if weighted is not None and weights is not None
                    else np.nan,
                    "response_rate": float(observed.get(category, 0)) / count if count else np.nan,
                }
            )
    return pd.DataFrame(rows)
