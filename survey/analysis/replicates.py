"""Replicate weights re-raked to the margins, and the variances they give.

A replicate design estimates a statistic once with the wave's weights and once with each
replicate's; its variance is the spread of the replicates' estimates. The replicates are R's
``as.svrepdesign`` of the unraked design ``svydesign(ids = ~1, weights = ~base)``, each then
raked to the frame's margins as ``rake()`` rakes a replicate design:

- **JK1** (``type = "JK1"``): one replicate per respondent ``r``, in which ``r`` has weight 0
  and everyone else ``n / (n - 1)`` times their base weight; ``scale = (1 - f) (n - 1) / n``
  (``f = n / N`` with the finite population correction, 0 without) and ``rscales`` 1.
- **bootstrap** (``type = "bootstrap"``): each replicate draws ``n`` respondents with
  replacement (with the correction: ``n`` without replacement from the respondents repeated
  to the frame's ``N``, as R's ``bootweights``); a respondent's factor is how often they were
  drawn; ``scale = n / ((n - 1) (R - 1))``, ``rscales`` 1. Drawn from numpy's generator with
  the codebook's seed, so not R's draws: the same spread within Monte Carlo error.

``rake()`` on a replicate design adjusts every replicate's weights by its own cell totals in
each margin step, for as many passes as the wave's weights took (the stopping rule looks at
the wave's weights only). A replicate's weight of respondent ``i`` is then its factor, times
the base weight, times a product of one adjustment per margin: a number per *joint cell* of
the margin variables (sector x region, say). :class:`Replicates` keeps those (replicates x
joint cells), never the replicates x respondents matrix, which at 10,000 respondents would be
800 MB for JK1; :meth:`Replicates.totals` gives every replicate's weighted totals of several
variables at once by matrix products.

The variance is ``scale * sum(rscales * (theta_r - mean theta_r)^2)``: R's default
``options(survey.replicates.mse = FALSE)`` centres the replicates on their own mean, not on the
estimate. A replicate whose estimate is undefined (a JK1 replicate that deletes the one
respondent of a group) is left out of that statistic's variance, as R's ``svrVar`` drops NA
replicates.

Examples
--------
>>> import numpy as np
>>> codes = (np.array([0, 0, 1, 1]),)
>>> jk1 = raked_replicates(np.ones(4), codes, (np.array([50.0, 50.0]),), passes=1,
...                        variance=Variance.JK1)
>>> jk1.weights().round(2).tolist()[0]                  # respondent 1 left out, 2 raked up
[0.0, 50.0, 25.0, 25.0]
>>> thetas = jk1.totals(np.array([[1.0], [0.0], [1.0], [1.0]]))
>>> thetas.ravel().tolist()
[50.0, 100.0, 75.0, 75.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from survey.arrays import Floats, Ints
from survey.codebook import Variance

__all__ = [
    "Replicates",
    "bootstrap_counts",
    "domain_variances",
    "raked_replicates",
    "replicate_variance",
]


#: How many numbers (respondents x columns) :meth:`Replicates.totals` takes at a time.
_BLOCK = 1 << 22


@dataclass(frozen=True, eq=False)
class Replicates:
    """A wave's replicate weights, each raked to the margins.

    Replicate ``r``'s weight of respondent ``i`` is
    ``factor[r, i] * base[i] * raking[r, joint[i]]``.

    Parameters
    ----------
    variance
        ``Variance.JK1`` (factor ``n / (n - 1)``, 0 for respondent ``r`` itself) or
        ``Variance.BOOTSTRAP`` (factor: ``counts``).
    base
        The weights raking started from (1 without base weights).
    joint
        Each respondent's joint cell of the margin variables.
    raking
        Replicates x joint cells: what raking multiplied each replicate's weights by.
    scale, rscales
        R's ``scale`` and ``rscales`` of the replicate design.
    counts
        Bootstrap only: replicates x respondents, how often each respondent was drawn.
    constraints
        How many independent constraints raking put on every replicate (the margins'
        categories less one per margin after the first, less one): the replicate weights'
        rank is at most the respondents less these.
    """

    variance: Variance
    base: Floats
    joint: Ints
    raking: Floats
    scale: float
    rscales: Floats
    counts: Floats | None = None
    constraints: int = 0

    @property
    def size(self) -> int:
        """How many replicates."""
        return int(self.raking.shape[0])

    def weights(self) -> Floats:
        """The replicates x respondents matrix of replicate weights (R's
        ``weights(design, "analysis")``, transposed): for writing out, not for estimating."""
        full = self.raking[:, self.joint] * self.base
        if self.counts is not None:
            return np.asarray(full * self.counts, dtype=float)
        n = len(self.base)
        full *= n / (n - 1)
        full[np.arange(n), np.arange(n)] = 0.0
        return np.asarray(full, dtype=float)

    def totals(self, values: npt.ArrayLike) -> Floats:
        """Every replicate's weighted total of each column of ``values`` (respondents x
        columns, no NaN): replicates x columns."""
        x = np.asarray(values, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        n, columns = x.shape
        out = np.empty((self.size, columns))
        step = max(1, _BLOCK // max(n, 1))
        for start in range(0, columns, step):
            part = slice(start, start + step)
            out[:, part] = self._totals(x[:, part])
        return out

    def _totals(self, x: Floats) -> Floats:
        if self.counts is not None:
            return np.asarray(
                (self.counts * self.base * self.raking[:, self.joint]) @ x, dtype=float
            )
        # JK1: everyone's n / (n - 1) weight by joint cell, less replicate r's own respondent
        n = len(self.base)
        weighted = self.base[:, None] * x
        by_cell = self._cells() @ weighted
        own = self.raking[np.arange(n), self.joint][:, None] * weighted
        with np.errstate(invalid="ignore"):
            return np.asarray((self.raking @ by_cell - own) * (n / (n - 1)), dtype=float)

    def _cells(self) -> Floats:
        """Joint cells x respondents: 1 where the respondent is in the cell."""
        cells = np.zeros((self.raking.shape[1], len(self.joint)))
        cells[self.joint, np.arange(len(self.joint))] = 1.0
        return cells

    def variance_of(self, thetas: npt.ArrayLike) -> Floats:
        """The replicate variance of each statistic from its replicates' estimates
        (replicates x ...), as :func:`replicate_variance`."""
        return replicate_variance(thetas, scale=self.scale, rscales=self.rscales)

    def covariance_of(self, thetas: npt.ArrayLike) -> Floats:
        """The replicate covariance of the statistics of the last axis (replicates x ... x K:
        ... x K x K), as :func:`replicate_variance` with ``covariance=True``."""
        return replicate_variance(thetas, scale=self.scale, rscales=self.rscales, covariance=True)

    def degrees(self, rows: npt.ArrayLike) -> Ints:
        """The degrees of freedom R's ``degf`` gives a part of the wave of ``rows``
        respondents (``svyciprop``'s ``df``): the rank of its replicate weights less one,
        ``min(rows, R, n - constraints) - 1``. R finds that rank numerically (``qr``, tol
        1e-5), which after raking can land a step or two above the exact one for the whole
        wave (719 for 717 on the demo): a t quantile's difference of ~1e-7."""
        n = len(self.base)
        rank = np.minimum(np.asarray(rows, dtype=np.int64), min(self.size, n - self.constraints))
        return np.asarray(rank - 1, dtype=np.int64)

    def summary(self) -> dict[str, object]:
        """What ``weighting.json`` records of the replicates."""
        return {
            "replicates": self.size,
            "replicate_type": "JK1" if self.counts is None else "bootstrap",
            "replicate_scale": self.scale,
            "replicate_rscales": 1.0 if np.all(self.rscales == 1) else self.rscales.tolist(),
            "replicate_mse": False,
        }


def replicate_variance(
    thetas: npt.ArrayLike, *, scale: float, rscales: npt.ArrayLike, covariance: bool = False
) -> Floats:
    """``scale * sum_r rscales_r (theta_r - mean theta)^2``, R's ``svrVar`` with
    ``mse = FALSE``.

    Parameters
    ----------
    thetas
        Replicates x statistics (any shape after the first axis). Non-finite values (an
        undefined replicate estimate) are left out of that statistic's mean and sum.
    scale, rscales
        The design's.
    covariance
        ``thetas`` is replicates x ... x K: the K x K covariance of the last axis, from the
        replicates finite in all K (R's ``na.omit`` on the replicates' matrix).

    Examples
    --------
    >>> replicate_variance(np.array([1.0, 2.0, 3.0, np.nan]), scale=0.5, rscales=np.ones(4))
    array(1.)
    """
    t = np.asarray(thetas, dtype=float)
    r = np.asarray(rscales, dtype=float).reshape((-1,) + (1,) * (t.ndim - 1))
    finite = np.isfinite(t)
    valid = np.all(finite, axis=-1, keepdims=True) if covariance else finite
    kept = valid & (r > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(kept, t, 0.0).sum(axis=0) / kept.sum(axis=0)
        centred = np.where(valid, t - mean, 0.0) * np.sqrt(r)
    if not covariance:
        return np.asarray(scale * np.sum(centred**2, axis=0), dtype=float)
    moved = np.moveaxis(centred, 0, -1)  # ... x K x replicates
    return np.asarray(scale * moved @ np.swapaxes(moved, -1, -2), dtype=float)


def domain_variances(
    replicates: Replicates,
    values: npt.ArrayLike,
    group: npt.ArrayLike,
    *,
    groups: int,
    covariance: bool = False,
) -> tuple[Floats, Floats | None]:
    """The replicate variance of each variable's weighted mean in each group, as R's
    ``svyby(~y, ~g, design, svymean, na.rm = TRUE)`` on a replicate design: each replicate's
    group means from its own weights (by matrix products over the respondents, never a
    loop over replicates).

    Parameters
    ----------
    replicates
        The design's replicates.
    values
        Respondents x variables (or one variable), NaN where unanswered.
    group
        Each respondent's group ``0 .. groups-1`` (``-1``: none), or a matrix of several
        groupings with groups of their own, as :func:`~survey.analysis.estimates.domain_means`.
    groups
        How many groups.
    covariance
        Also each variable's covariance of every pair of groups (variables x groups x groups).

    Returns
    -------
    variances, covariances
        Variables x groups (one variable: groups), and the covariances or ``None``.
    """
    y = np.asarray(values, dtype=float)
    answers = y[:, None] if y.ndim == 1 else y
    g = np.asarray(group, dtype=np.int64)
    groupings = g[None, :] if g.ndim == 1 else g
    n, variables = answers.shape
    size = replicates.size
    num = np.full((size, variables, groups), np.nan)
    den = np.full((size, variables, groups), np.nan)
    answered = ~np.isnan(answers)
    filled = np.where(answered, answers, 0.0)
    for codes in groupings:
        present = np.unique(codes[codes >= 0])
        k = len(present)
        if k == 0:
            continue
        inside = codes >= 0
        local = np.searchsorted(present, codes[inside])
        step = max(1, _BLOCK // max(n * k, 1))
        for start in range(0, variables, step):
            part = slice(start, start + step)
            width = answers[:, part].shape[1]
            member = np.zeros((n, width, k))
            member[inside, :, local] = answered[inside, part]
            both = np.concatenate(
                [member.reshape(n, -1), (member * filled[:, part, None]).reshape(n, -1)], axis=1
            )
            sums = replicates.totals(both).reshape(size, 2, width, k)
            den[:, part, present] = sums[:, 0]
            num[:, part, present] = sums[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        thetas = num / den
    variances = replicates.variance_of(thetas)
    pairs = (
        replicate_variance(thetas, scale=replicates.scale, rscales=replicates.rscales,
                           covariance=True)
        if covariance
        else None
    )  # fmt: skip
    if y.ndim == 1:
        return variances[0], None if pairs is None else pairs[0]
    return variances, pairs


def bootstrap_counts(
    n: int, replicates: int, *, seed: int, population: float | None = None
) -> Floats:
    """How often each of ``n`` respondents is drawn in each bootstrap replicate
    (replicates x respondents), as R's ``bootweights`` for one stratum of ``n`` PSUs: ``n``
    draws with replacement; with a frame of ``population`` members, ``n`` draws without
    replacement from the respondents, in random order, repeated to ``population`` places.

    Examples
    --------
    >>> counts = bootstrap_counts(5, 3, seed=1)
    >>> counts.shape, counts.sum(axis=1).tolist()
    ((3, 5), [5.0, 5.0, 5.0])
    """
    rng = np.random.default_rng(seed)
    if population is None:
        return np.asarray(rng.multinomial(n, np.full(n, 1.0 / n), size=replicates), dtype=float)
    places = int(population)
    order = rng.permutation(n)
    pool = np.resize(order, places)  # R's rep(sample(psu), length = N)
    keys = rng.random((replicates, places))
    drawn = np.argpartition(keys, n - 1, axis=1)[:, :n]
    counts = np.zeros((replicates, n))
    rows = np.repeat(np.arange(replicates), n)
    np.add.at(counts, (rows, pool[drawn].ravel()), 1.0)
    return counts


def raked_replicates(
    base: npt.ArrayLike,
    codes: Sequence[Ints],
    targets: Sequence[Floats],
    *,
    passes: int,
    variance: Variance,
    replicates: int = 200,
    seed: int = 2026,
    population: float | None = None,
) -> Replicates:
    """The JK1 or bootstrap replicates of a wave, each raked to the margins.

    Parameters
    ----------
    base
        The weights raking started from, one per respondent.
    codes
        For each margin, in raking order, each respondent's category ``0 .. k-1``.
    targets
        For each margin, the frame's count of each category.
    passes
        How many passes over the margins raking took for the wave's weights.
    variance
        ``Variance.JK1`` or ``Variance.BOOTSTRAP``.
    replicates, seed
        The bootstrap's number of replicates and random seed.
    population
        The frame's total, for the finite population correction (``None``: none).
    """
    w = np.asarray(base, dtype=float)
    n = len(w)
    if n < 2:
        raise ValueError("replicate weights need at least two respondents")
    sizes = [len(target) for target in targets]
    joint = (
        np.ravel_multi_index(tuple(codes), sizes).astype(np.int64)
        if codes
        else np.zeros(n, dtype=np.int64)
    )
    cells = int(np.prod(sizes)) if codes else 1
    of_cell = np.unravel_index(np.arange(cells), sizes) if codes else ()
    counts: Floats | None = None
    start: Floats
    if variance is Variance.JK1:
        fraction = 0.0 if population is None else n / population
        scale = (1 - fraction) * (n - 1) / n
        start = np.tile(np.bincount(joint, weights=w, minlength=cells).astype(float), (n, 1))
        start[np.arange(n), joint] -= w
        start *= n / (n - 1)
        rscales = np.ones(n)
    elif variance is Variance.BOOTSTRAP:
        counts = bootstrap_counts(n, replicates, seed=seed, population=population)
        scale = n / ((n - 1) * (replicates - 1))
        for_cell = np.zeros((n, cells))
        for_cell[np.arange(n), joint] = w
        start = counts @ for_cell
        rscales = np.ones(replicates)
    else:
        raise ValueError(f"no replicates for variance {variance!s}")
    raking: Floats = np.ones(start.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        for _ in range(passes):
            for m, target in enumerate(targets):
                cell = of_cell[m]
                current = start * raking
                totals = np.zeros((len(raking), len(target)))
                for k in range(len(target)):  # a margin's few categories
                    totals[:, k] = current[:, cell == k].sum(axis=1)
                raking *= (target / totals)[:, cell]
    constraints = sum(sizes) - len(sizes)  # X'w = targets in every replicate: rank(X) - 1
    return Replicates(variance, w, joint, raking, float(scale), rscales, counts, constraints)
