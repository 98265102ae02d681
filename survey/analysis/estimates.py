"""Design-based estimates: means and proportions with Taylor-linearised standard errors.

The design is the one ``DESIGN.md`` fixes: weights treated as sampling weights, every
respondent their own primary sampling unit, no strata, no finite-population correction, as R's
``svydesign(ids = ~1, weights = ~w, data)``. For a group (domain) ``d`` and a variable ``y``
answered by the set ``S`` of respondents,

    estimate = sum_S w y / sum_S w
    z_i      = w_i (y_i - estimate) / sum_S w    for i in S in d, 0 for everyone else
    variance = n / (n - 1) * sum_i z_i^2         over all n respondents of the wave

which is what ``svymean(~y, design, na.rm = TRUE)`` and ``svyby(~y, ~g, design, svymean)``
compute (a domain keeps the whole sample's ``n``). Unweighted figures use the same formulas
with every weight 1.

Proportion intervals are Korn and Graubard's, as ``svyciprop(method = "beta")``: the
effective sample size ``p (1 - p) / variance`` in Clopper-Pearson's beta quantiles. At 0% and
100% the variance is 0 and that size undefined (R returns NaN): there the interval is the exact
Clopper-Pearson one for the group's unweighted count, ``[0, 1 - (alpha/2)^(1/n)]`` at 0% and
``[(alpha/2)^(1/n), 1]`` at 100%. Mean intervals are ``estimate ± z se``, as R's ``confint``.

Examples
--------
>>> import numpy as np
>>> y = np.array([1.0, 0.0, 1.0, np.nan, 1.0, 0.0])
>>> w = np.array([1.0, 2.0, 1.0, 1.0, 3.0, 1.0])
>>> group = np.array([0, 0, 0, 1, 1, 1])
>>> result = domain_means(y, w, group, groups=2)  # group 0: z = w (y - 0.5) / 4; 6/5 sum z^2
>>> result.estimate.round(4).tolist(), result.se.round(4).tolist(), result.n.tolist()
([0.5, 0.75], [0.3354, 0.2905], [3, 2])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from survey.analysis.design import replicates_of, variance_of
from survey.analysis.replicates import domain_variances
from survey.arrays import Floats, Ints

__all__ = ["DomainMeans", "beta_interval", "category_shares", "domain_means", "normal_interval"]


@dataclass(frozen=True)
class DomainMeans:
    """Per group: the estimate, its standard error, the unweighted count of valid answers
    and their total weight."""

    estimate: Floats
    se: Floats
    n: Ints
    weight: Floats
    #: With ``covariance=True``: each variable's covariance of every pair of groups
    #: (variables x groups x groups; the variances on the diagonal).
    covariance: Floats | None = None


def domain_means(
    values: npt.ArrayLike,
    weights: npt.ArrayLike,
    group: npt.ArrayLike,
    *,
    groups: int,
    covariance: bool = False,
) -> DomainMeans:
    """Weighted means of ``values`` in each group, with linearised standard errors.

    Parameters
    ----------
    values
        One number per respondent; NaN where the question was not answered. A matrix (one row
        per respondent, one column per variable) estimates every column at once: each field
        of the result is then variables x groups, and equal to the column's own result.
    weights
        One weight per respondent.
    group
        Each respondent's group, ``0 .. groups-1``; ``-1`` for none (not in any group). A
        matrix (one row per grouping of the respondents, say sector and region) estimates
        every grouping at once; the rows' groups must be their own (sector ``0 .. 4``,
        region ``5 .. 12``). Each group's result is the one its grouping gets alone, bit for
        bit: a group's answers are added up in the same order.
    groups
        How many groups (of every grouping).
    covariance
        Also the covariance of each pair of groups' means (one grouping only). Groups are
        disjoint, so it is 0 for weights taken as fixed; raking ties them together.

    Examples
    --------
    >>> both = domain_means(np.array([[1.0, 2.0], [0.0, np.nan], [1.0, 4.0]]), np.ones(3),
    ...                     np.array([0, 0, 1]), groups=2)
    >>> both.estimate.tolist(), both.n.tolist()
    ([[0.5, 1.0], [2.0, 4.0]], [[2, 1], [1, 1]])
    """
    y = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    g = np.asarray(group, dtype=np.int64)
    n_total = len(y)
    calibration, fpc = variance_of(weights)
    margins = [] if calibration is None else calibration.margins
    answers = y[:, None] if y.ndim == 1 else y  # respondents x variables (also with none)
    if g.ndim == 2:  # several groupings: the respondents once for each
        times = len(g)
        answers, w, g = np.tile(answers, (times, 1)), np.tile(w, times), g.ravel()
        margins = [(np.tile(cell, times), np.tile(psw, times), k) for cell, psw, k in margins]
    # a few variables at a time, so that a pass's arrays stay in the processor's cache
    step = max(1, _PASS // max(len(answers), 1))
    parts = [
        _domain_sums(answers[:, start : start + step], w, g, groups, margins)
        for start in range(0, answers.shape[1], step)
    ]
    estimate, squares, count, weight = (
        np.concatenate([part[i] for part in parts]) if parts else np.empty((0, groups))
        for i in range(4)
    )
    pairs = squares[..., :, None] * np.eye(groups) if covariance else None
    if calibration is not None:
        u, v = (
            np.concatenate([part[4 + i] for part in parts])
            if parts
            else np.empty((0, groups, calibration.size))
            for i in range(2)
        )
        squares = calibration.squares(squares, u, v, n=n_total)
        if pairs is not None:
            pairs = calibration.cross(pairs, u, v, n=n_total)
    scale = fpc * n_total / (n_total - 1) if n_total > 1 else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = scale * squares / weight**2
        if pairs is not None:
            pairs = scale * pairs / (weight[..., :, None] * weight[..., None, :])
    replicates = replicates_of(weights)
    if replicates is not None:  # the same estimates, their variances from the replicates
        variance, pairs = domain_variances(
            replicates, values, group, groups=groups, covariance=covariance
        )
        variance = np.where(weight.reshape(variance.shape) > 0, variance, np.nan)
    shape = (groups,) if y.ndim == 1 else (answers.shape[1], groups)
    return DomainMeans(
        estimate.reshape(shape),
        np.sqrt(variance).reshape(shape),
        count.astype(np.int64).reshape(shape),
        weight.reshape(shape),
        None if pairs is None else pairs.reshape(*shape, groups),
    )


def category_shares(
    codes: npt.ArrayLike,
    weights: npt.ArrayLike,
    group: npt.ArrayLike,
    *,
    groups: int,
    categories: int,
    options: Sequence[Sequence[int]],
) -> DomainMeans:
    """:func:`domain_means` of each option's indicator (1 in the option's categories, 0 in
    the others, missing where unanswered) of one categorical answer, from one pass over it.

    A single-choice question or a rating has several shares over the same respondents (each
    option, each scale point, the top two); each share's weighted total, and the sum of
    squared residuals ``W2_S (1 - p)^2 + W2_other p^2`` (``W2``: sums of squared weights of
    the answers in and not in the option), follow from per-category sums. Estimates, counts
    and weights equal :func:`domain_means`'s exactly (the same sums in the same order);
    standard errors agree to rounding (the sums are added in another order), and are exactly
    0 at 0% and 100%.

    Parameters
    ----------
    codes
        Each respondent's category, ``0 .. categories-1``; ``-1`` unanswered.
    weights, group, groups
        As :func:`domain_means` (a matrix of groupings too).
    categories
        How many categories.
    options
        Each option's categories.

    Examples
    --------
    >>> shares = category_shares([0, 1, 1, -1, 2], np.ones(5), [0, 0, 0, 0, 0], groups=1,
    ...                          categories=3, options=[[0], [1], [1, 2]])
    >>> shares.estimate.tolist(), shares.n.tolist()
    ([[0.25], [0.5], [0.75]], [[4], [4], [4]])
    """
    c = np.asarray(codes, dtype=np.int64)
    w = np.asarray(weights, dtype=float)
    g = np.asarray(group, dtype=np.int64)
    n_total = len(c)
    calibration, fpc = variance_of(weights)
    margins = [] if calibration is None else calibration.margins
    if g.ndim == 2:  # several groupings: the respondents once for each
        times = len(g)
        c, w, g = np.tile(c, times), np.tile(w, times), g.ravel()
        margins = [(np.tile(cell, times), np.tile(psw, times), k) for cell, psw, k in margins]
    valid = (c >= 0) & (g >= 0)
    cells = groups * categories
    cell = np.where(valid, g * categories + c, cells)
    by_cell = [
        np.bincount(cell, weights=x, minlength=cells + 1)[:cells].reshape(groups, categories)
        for x in (w, w * w)
    ]
    answered = np.where(valid, g, groups)
    # the group's totals straight from the respondents, as domain_means adds them
    weight = np.bincount(answered, weights=w, minlength=groups + 1)[:groups]
    count = np.bincount(answered, minlength=groups + 1)[:groups]
    chosen = np.empty((len(options), groups))
    chosen_squared = np.empty((len(options), groups))
    others_squared = np.empty((len(options), groups))  # of the answers not in the option
    for row, option in enumerate(options):
        if len(option) == 1:
            chosen[row], chosen_squared[row] = (cells_of[:, option[0]] for cells_of in by_cell)
        else:  # a union (the top two): added up from the respondents too, as domain_means does
            table = np.zeros(categories + 1, dtype=bool)  # the last place: unanswered (-1)
            table[list(option)] = True
            member = np.where(valid & table[c], g, groups)
            chosen[row], chosen_squared[row] = (
                np.bincount(member, weights=x, minlength=groups + 1)[:groups] for x in (w, w * w)
            )
        others = [category for category in range(categories) if category not in option]
        # added one category after another in every group, however many groups there are
        # (``sum(axis=1)`` adds pairwise in a single row, one by one in several)
        others_squared[row] = (
            np.cumsum(by_cell[1][:, others], axis=1)[:, -1] if others else np.zeros(groups)
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = chosen / weight
        squares = chosen_squared * (1 - estimate) ** 2 + others_squared * estimate**2
    if calibration is not None:
        squares = calibration.squares(
            squares,
            *_option_cell_sums(margins, c, w, g, valid, estimate, groups, categories, options),
            n=n_total,
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = (
            fpc * n_total / (n_total - 1) * squares / weight**2 if n_total > 1 else squares * np.nan
        )
    replicates = replicates_of(weights)
    if replicates is not None:  # the same estimates, their variances from the replicates
        original = np.asarray(codes, dtype=np.int64)
        member = np.zeros((len(options), categories + 1))  # the last place: unanswered
        for row, option in enumerate(options):
            member[row, list(option)] = 1.0
        member[:, categories] = np.nan
        indicators = member[:, np.where(original >= 0, original, categories)].T
        found, _ = domain_variances(replicates, indicators, group, groups=groups)
        variance = np.where(weight > 0, found, np.nan)
    shape = (len(options), groups)
    return DomainMeans(
        estimate,
        np.sqrt(variance),
        np.broadcast_to(count, shape).astype(np.int64),
        np.broadcast_to(weight, shape).astype(float),
    )


def _option_cell_sums(
    margins: list[tuple[Ints, Floats, int]],
    c: Ints,
    w: Floats,
    g: Ints,
    valid: npt.NDArray[np.bool_],
    estimate: Floats,
    groups: int,
    categories: int,
    options: Sequence[Sequence[int]],
) -> tuple[Floats, Floats]:
    """Each option's and group's sums, per margin cell, of the residuals
    ``w (chosen - share)`` times ``psw`` and over ``psw`` (options x groups x cells)."""
    by_cell: list[list[Floats]] = [[], []]
    member = np.zeros((len(options), categories), dtype=bool)
    for row, option in enumerate(options):
        member[row, list(option)] = True
    for cell, psw, k in margins:
        place = np.where(valid, (g * categories + c) * k + cell, groups * categories * k)
        for side, factor in zip(by_cell, (psw, 1.0 / psw), strict=True):
            sums = np.bincount(place, weights=w * factor, minlength=groups * categories * k + 1)
            table = sums[:-1].reshape(groups, categories, k)
            chosen = np.einsum("oc,gck->ogk", member.astype(float), table)
            side.append(chosen - estimate[..., None] * table.sum(axis=1))
    return np.concatenate(by_cell[0], axis=-1), np.concatenate(by_cell[1], axis=-1)


#: How many answers (respondents x variables) :func:`domain_means` takes in one pass.
_PASS = 1 << 15


def _domain_sums(
    answers: Floats,
    w: Floats,
    g: Ints,
    groups: int,
    margins: list[tuple[Ints, Floats, int]],
) -> tuple[npt.NDArray[Any], ...]:
    """Per variable and group (variables x groups): the weighted mean, the sum of squared
    residuals ``(w (y - mean))^2``, the count and the weight of the valid answers; with the
    ``margins`` of a raking (:attr:`Calibration.margins`), also each margin cell's sums of the
    residuals times ``psw`` and over ``psw`` (variables x groups x cells)."""
    answers = np.ascontiguousarray(answers)  # a column of a DataFrame's block is strided
    variables = answers.shape[1]
    # one bin per variable and group, and a last bin for the unanswered and ungrouped: every
    # bin adds its respondents in their order, so each column's sums are its own
    cells = variables * groups
    bins = np.where(
        np.isnan(answers) | (g < 0)[:, None], cells, g[:, None] + groups * np.arange(variables)
    ).ravel()
    wv = np.broadcast_to(w[:, None], answers.shape).ravel()
    weight = np.asarray(np.bincount(bins, weights=wv, minlength=cells + 1), dtype=float)
    count = np.bincount(bins, minlength=cells + 1)[:cells]
    totals = np.bincount(bins, weights=(w[:, None] * answers).ravel(), minlength=cells + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = totals / weight
        residual = wv * (answers.ravel() - estimate[bins])
    squares = np.asarray(np.bincount(bins, weights=residual**2, minlength=cells + 1), dtype=float)
    shape = (variables, groups)
    sums = (
        estimate[:cells].reshape(shape),
        squares[:cells].reshape(shape),
        count.reshape(shape),
        weight[:cells].reshape(shape),
    )
    if not margins:
        return sums
    residual = np.where(bins < cells, residual, 0.0)
    by_cell: list[list[Floats]] = [[], []]
    for cell, psw, k in margins:
        place = bins * k + np.repeat(cell, variables)  # (variable, group, margin cell)
        for side, factor in zip(by_cell, (psw, 1.0 / psw), strict=True):
            weighted = residual * np.repeat(factor, variables)
            sums_of = np.bincount(place, weights=weighted, minlength=(cells + 1) * k)
            side.append(np.asarray(sums_of[: cells * k], dtype=float).reshape(*shape, k))
    return (*sums, *(np.concatenate(side, axis=-1) for side in by_cell))


def beta_interval(
    estimate: npt.ArrayLike,
    se: npt.ArrayLike,
    n: npt.ArrayLike,
    *,
    level: float = 0.95,
    degrees: tuple[npt.ArrayLike, npt.ArrayLike] | None = None,
) -> tuple[Floats, Floats]:
    """Korn-Graubard intervals for proportions, as ``svyciprop(method = "beta")``.

    At 0% and 100% (no variance) the exact Clopper-Pearson interval for ``n`` is used; a share
    with no variance in between (a raking margin's own shares) is its own interval.
    ``degrees``, for a raked design: each interval's degrees of freedom of its part of the
    design (R's ``degf``) and that part's rows less one; the effective sample size is then
    scaled by ``(t(alpha/2, rows) / t(alpha/2, degf))^2``, as R's ``svyciprop`` does. A domain
    of a linearised raked design keeps the wave's rows (``degf``: the group's respondents
    less one); of a replicate design, its own rows (``degf``: the rank of its replicate
    weights less one). A design taken as fixed drops the other rows, and the ratio is 1.

    >>> low, high = beta_interval([0.0, 1.0], [0.0, 0.0], [20, 20])
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0, 0.8316], [0.1684, 1.0])
    """
    # scipy.stats takes about a second to import: loaded when an interval is first computed
    from scipy.stats import beta

    p, se_, count = np.broadcast_arrays(
        np.asarray(estimate, dtype=float), np.asarray(se, dtype=float), np.asarray(n, dtype=float)
    )
    variance = se_**2
    alpha = 1 - level
    none, every = (p == 0) & (count > 0), (p == 1) & (count > 0)
    at_none, at_every = np.maximum(count[none], 1), np.maximum(count[every], 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = p * (1 - p) / variance
        if degrees is not None:
            # scipy.stats takes about a second to import: loaded with the intervals
            from scipy.stats import t

            degf, rows = degrees
            n_eff = n_eff * (t.ppf(alpha / 2, rows) / t.ppf(alpha / 2, degf)) ** 2
        # a share raking all but fixes (a margin's own categories) has an effective size in
        # the billions, where beta.ppf takes a second to converge and the beta is normal far
        # below a shown digit: its bounds from the beta's mean and spread instead
        huge = n_eff > _NORMAL_BEYOND
        shapes = [(n_eff * p, n_eff * (1 - p) + 1), (n_eff * p + 1, n_eff * (1 - p))]
        normal = [
            _normal_quantile(a, b, q)
            for (a, b), q in zip(shapes, (alpha / 2, 1 - alpha / 2), strict=True)
        ]
        n_eff = np.where(huge, np.nan, n_eff)
        # every quantile in one call (beta.ppf is elementwise, and its set-up costs more than
        # its arithmetic on a few hundred values): both bounds of every interval, then the
        # exact upper bound at 0% and lower bound at 100%
        quantiles = beta.ppf(
            np.concatenate(
                [np.full(p.size, alpha / 2), np.full(p.size, 1 - alpha / 2),
                 np.full(at_none.size, 1 - alpha / 2), np.full(at_every.size, alpha / 2)]
            ),
            np.concatenate(
                [(n_eff * p).ravel(), (n_eff * p + 1).ravel(), np.ones(at_none.size), at_every]
            ),
            np.concatenate(
                [(n_eff * (1 - p) + 1).ravel(), (n_eff * (1 - p)).ravel(), at_none,
                 np.ones(at_every.size)]
            ),
        )  # fmt: skip
    low = np.where(huge, normal[0], quantiles[: p.size].reshape(p.shape))
    high = np.where(huge, normal[1], quantiles[p.size : 2 * p.size].reshape(p.shape))
    low = np.where(none, 0.0, low)
    high[none] = quantiles[2 * p.size : 2 * p.size + at_none.size]
    low[every] = quantiles[2 * p.size + at_none.size :]
    high = np.where(every, 1.0, high)
    # a share raking fixed to the frame (a margin's own categories) has no sampling error
    exact = (variance == 0) & (p > 0) & (p < 1)
    low, high = np.where(exact, p, low), np.where(exact, p, high)
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


#: The effective sample size beyond which a beta interval's bounds are taken as normal.
_NORMAL_BEYOND = 1e8


def _normal_quantile(a: Floats, b: Floats, q: float) -> Floats:
    """The ``q`` quantile of a normal with the mean and spread of ``Beta(a, b)``."""
    # scipy.stats takes about a second to import: loaded when an interval is first computed
    from scipy.stats import norm

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        total = a + b
        spread = np.sqrt(a * b / (total**2 * (total + 1)))
        return np.asarray(a / total + float(norm.ppf(q)) * spread, dtype=float)


def normal_interval(
    estimate: npt.ArrayLike, se: npt.ArrayLike, *, level: float = 0.95
) -> tuple[Floats, Floats]:
    """``estimate ± z se``, as R's ``confint`` of a ``svymean``."""
    # scipy.stats takes about a second to import: loaded when an interval is first computed
    from scipy.stats import norm

    z = float(norm.ppf(1 - (1 - level) / 2))
    mean = np.asarray(estimate, dtype=float)
    half = z * np.asarray(se, dtype=float)
    return mean - half, mean + half
