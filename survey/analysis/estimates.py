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

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["DomainMeans", "beta_interval", "domain_means", "normal_interval"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class DomainMeans:
    """Per group: the estimate, its standard error, the unweighted count of valid answers
    and their total weight."""

    estimate: Floats
    se: Floats
    n: Ints
    weight: Floats


def domain_means(
    values: npt.ArrayLike,
    weights: npt.ArrayLike,
    group: npt.ArrayLike,
    *,
    groups: int,
) -> DomainMeans:
    """Weighted means of ``values`` in each group, with linearised standard errors.

    Parameters
    ----------
    values
        One number per respondent; NaN where the question was not answered.
    weights
        One weight per respondent.
    group
        Each respondent's group, ``0 .. groups-1``; ``-1`` for none (not in any group).
    groups
        How many groups.
    """
    y = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    g = np.asarray(group, dtype=np.int64)
    n_total = len(y)
    valid = ~np.isnan(y) & (g >= 0)
    gv, yv, wv = g[valid], y[valid], w[valid]
    weight = np.bincount(gv, weights=wv, minlength=groups).astype(float)
    count = np.bincount(gv, minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = np.bincount(gv, weights=wv * yv, minlength=groups) / weight
        residual = wv * (yv - estimate[gv])
        squares = np.bincount(gv, weights=residual**2, minlength=groups)
        variance = (
            n_total / (n_total - 1) * squares / weight**2 if n_total > 1 else squares * np.nan
        )
    return DomainMeans(estimate, np.sqrt(variance), count.astype(np.int64), weight)


def beta_interval(
    estimate: npt.ArrayLike, se: npt.ArrayLike, n: npt.ArrayLike, *, level: float = 0.95
) -> tuple[Floats, Floats]:
    """Korn-Graubard intervals for proportions, as ``svyciprop(method = "beta")``.

    At 0% and 100% (no variance) the exact Clopper-Pearson interval for ``n`` is used.

    >>> low, high = beta_interval([0.0, 1.0], [0.0, 0.0], [20, 20])
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0, 0.8316], [0.1684, 1.0])
    """
    from scipy.stats import beta

    p = np.asarray(estimate, dtype=float)
    variance = np.asarray(se, dtype=float) ** 2
    count = np.asarray(n, dtype=float)
    alpha = 1 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = p * (1 - p) / variance
        low = beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1)
        high = beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p))
    none, every = (p == 0) & (count > 0), (p == 1) & (count > 0)
    low = np.where(none, 0.0, low)
    high = np.where(none, beta.ppf(1 - alpha / 2, 1, np.maximum(count, 1)), high)
    low = np.where(every, beta.ppf(alpha / 2, np.maximum(count, 1), 1), low)
    high = np.where(every, 1.0, high)
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def normal_interval(
    estimate: npt.ArrayLike, se: npt.ArrayLike, *, level: float = 0.95
) -> tuple[Floats, Floats]:
    """``estimate ± z se``, as R's ``confint`` of a ``svymean``."""
    from scipy.stats import norm

    z = float(norm.ppf(1 - (1 - level) / 2))
    mean = np.asarray(estimate, dtype=float)
    half = z * np.asarray(se, dtype=float)
    return mean - half, mean + half
