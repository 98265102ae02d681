"""Significance letters for column proportions, as SPSS Custom Tables shows them.

Within a breakdown (say sector), every group shown gets a letter (A, B, C ... in codebook
order) and, for each share, the letters of the groups it is significantly *higher* than. Each
pair of groups is compared with a z test of the difference of the two shares:

- weighted: the design-based difference; with every respondent their own sampling unit and no
  strata, two groups' linearised values never overlap, so with weights taken as fixed the
  variance of the difference is the sum of the two variances (``SE^2_a + SE^2_b`` from
  ``results``); raking ties the groups together, and their covariance is taken off
  (``- 2 C_ab``, :mod:`survey.analysis.pairs`), as R's ``svycontrast`` does;
- unweighted: the classic two-proportion z test with the pooled share.

p-values are Holm-adjusted over the pairs of one question, option and breakdown. Groups below
the small-cell threshold get no letter and are compared with nobody.
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from survey.analysis.methods import ALPHA
from survey.analysis.results import block_numbers

__all__ = ["LETTER_COLUMNS", "significance_letters"]

LETTER_COLUMNS = ["wave", "question", "option", "by", "group", "letter", "higher_than", "weighted"]


def significance_letters(
    results: pd.DataFrame, *, alpha: float = ALPHA, covariances: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Letters for every share of a suppressed ``results`` table (means are not lettered).

    ``covariances`` (:func:`~survey.analysis.pairs.share_covariances`, for a raked design):
    the weighted difference of two groups has the variance ``SE^2_a + SE^2_b - 2 C_ab``.

    Every pair of groups of every block (a question, option, breakdown and weighting) is tested
    at once, as one table of pairs: no Python loop over blocks or pairs.

    Examples
    --------
    >>> table = pd.DataFrame({"wave": "w", "question": "q", "option": "yes", "by": "sector",
    ...     "group": ["public", "school", "special"], "n": [400, 60, 50],
    ...     "estimate": [0.40, 0.75, 0.42], "se": [0.0245, 0.0559, 0.0698],
    ...     "weighted": False, "suppressed": False})
    >>> significance_letters(table)[["group", "letter", "higher_than"]].values.tolist()
    [['public', 'A', ''], ['school', 'B', 'AC'], ['special', 'C', '']]
    """
    # scipy.stats takes about a second to import: loaded when letters are first computed
    from scipy.stats import norm

    keys = ["wave", "question", "option", "by", "weighted"]
    shares = results.loc[
        (results["by"] != "all") & (results["option"] != "mean") & ~results["suppressed"],
        [*keys, "group", "n", "estimate", "se"],
    ].reset_index(drop=True)
    # each share's block, its place in the block (A, B, ...) and the block's size
    block = block_numbers(shares, keys)
    order = np.argsort(block, kind="stable")  # by block, then as in the table
    sizes = np.bincount(block)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    position = np.empty(len(block), dtype=np.int64)
    position[order] = np.arange(len(block)) - starts[block[order]]
    lettered = (sizes <= len(string.ascii_uppercase))[block]
    shares, block, position = (
        shares[lettered].reset_index(drop=True),
        block[lettered],
        position[lettered],
    )
    if shares.empty:
        return pd.DataFrame(columns=LETTER_COLUMNS)
    letters = np.array(list(string.ascii_uppercase))[position]

    # every pair (a, b) of shares of one block, a before b: each share with those after it
    order = np.argsort(block, kind="stable")
    later = sizes[block[order]] - 1 - position[order]  # how many come after each
    a_sorted = np.repeat(np.arange(len(order)), later)
    first_partner = np.repeat(np.cumsum(later) - later, later)
    b_sorted = a_sorted + 1 + (np.arange(len(a_sorted)) - first_partner)
    a, b = order[a_sorted], order[b_sorted]
    estimate, n, se = (shares[column].to_numpy(float) for column in ("estimate", "n", "se"))
    p_a, p_b, n_a, n_b, se_a, se_b = estimate[a], estimate[b], n[a], n[b], se[a], se[b]
    difference = p_a - p_b
    pooled = (p_a * n_a + p_b * n_b) / (n_a + n_b)
    together = _covariance(shares, a, b, covariances)
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(
            shares["weighted"].to_numpy(bool)[a],
            np.sqrt(se_a**2 + se_b**2 - 2 * together),
            np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b)),
        )
        z = difference / spread
    p = np.where(spread > 0, 2 * norm.sf(np.abs(z)), 1.0)

    # Holm within each block: sorted p times (m, m - 1, ...), made monotone, capped at 1
    pair_block = block[a]
    by_p = np.lexsort((p, pair_block))
    pairs_in = np.bincount(pair_block, minlength=len(sizes))
    first_pair = np.concatenate([[0], np.cumsum(pairs_in)[:-1]])
    rank = np.arange(len(by_p)) - first_pair[pair_block[by_p]]
    scaled = (pairs_in[pair_block[by_p]] - rank) * p[by_p]
    adjusted = pd.Series(scaled).groupby(pair_block[by_p], sort=False).cummax().clip(upper=1.0)
    significant = by_p[(adjusted < alpha).to_numpy()]

    # each share's letters: those of the shares of its block it is significantly higher than
    a, b = a[significant], b[significant]
    higher_first = estimate[a] > estimate[b]
    winner, beaten = np.where(higher_first, a, b), np.where(higher_first, position[b], position[a])
    beaten_mask = np.bincount(winner, weights=2.0**beaten, minlength=len(shares)).astype(np.int64)
    spelled = {
        mask: "".join(letter for k, letter in enumerate(string.ascii_uppercase) if mask >> k & 1)
        for mask in np.unique(beaten_mask).tolist()
    }
    out = shares[[*keys, "group"]].assign(
        letter=letters, higher_than=[spelled[mask] for mask in beaten_mask.tolist()]
    )
    return out[LETTER_COLUMNS].reset_index(drop=True)


def _covariance(
    shares: pd.DataFrame, a: np.ndarray, b: np.ndarray, covariances: pd.DataFrame | None
) -> np.ndarray:
    """Each pair's covariance of its two weighted shares (0 where none is given)."""
    if covariances is None or covariances.empty or len(a) == 0:
        return np.zeros(len(a))
    keys = ["wave", "question", "option", "by"]
    pairs = shares.loc[a, [*keys, "weighted", "group"]].reset_index(drop=True)
    pairs["other"] = shares["group"].to_numpy()[b]
    found = pairs.merge(covariances, on=[*keys, "group", "other"], how="left")
    return np.where(pairs["weighted"], found["covariance"].fillna(0.0).to_numpy(float), 0.0)
