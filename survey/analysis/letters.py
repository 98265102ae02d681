"""Significance letters for column proportions, as SPSS Custom Tables shows them.

Within a breakdown (say sector), every group shown gets a letter (A, B, C ... in codebook
order) and, for each share, the letters of the groups it is significantly *higher* than. Each
pair of groups is compared with a z test of the difference of the two shares:

- weighted: the design-based difference; with every respondent their own sampling unit and no
  strata, two groups' linearised values never overlap, so the variance of the difference is
  the sum of the two variances (``SE^2_a + SE^2_b`` from ``results``);
- unweighted: the classic two-proportion z test with the pooled share.

p-values are Holm-adjusted over the pairs of one question, option and breakdown. Groups below
the small-cell threshold get no letter and are compared with nobody.
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

__all__ = ["LETTER_COLUMNS", "significance_letters"]

LETTER_COLUMNS = ["wave", "question", "option", "by", "group", "letter", "higher_than", "weighted"]


def _holm(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    m = len(p)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order]).clip(max=1)
    result = np.empty(m)
    result[order] = adjusted
    return result


def significance_letters(results: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Letters for every share of a suppressed ``results`` table (means are not lettered).

    Examples
    --------
    >>> table = pd.DataFrame({"wave": "w", "question": "q", "option": "yes", "by": "sector",
    ...     "group": ["public", "school", "special"], "n": [400, 60, 50],
    ...     "estimate": [0.40, 0.75, 0.42], "se": [0.0245, 0.0559, 0.0698],
    ...     "weighted": False, "suppressed": False})
    >>> significance_letters(table)[["group", "letter", "higher_than"]].values.tolist()
    [['public', 'A', ''], ['school', 'B', 'AC'], ['special', 'C', '']]
    """
    from scipy.stats import norm

    shares = results[
        (results["by"] != "all") & (results["option"] != "mean") & ~results["suppressed"]
    ]
    rows = []
    keys = ["wave", "question", "option", "by", "weighted"]
    for key, block in shares.groupby(keys, sort=False):
        groups = block["group"].tolist()
        letters = list(string.ascii_uppercase[: len(groups)]) if len(groups) <= 26 else []
        if not letters:
            continue
        p = block["estimate"].to_numpy(dtype=float)
        n = block["n"].to_numpy(dtype=float)
        se = block["se"].to_numpy(dtype=float)
        a, b = np.triu_indices(len(groups), k=1)
        difference = p[a] - p[b]
        if key[-1]:
            spread = np.sqrt(se[a] ** 2 + se[b] ** 2)
        else:
            pooled = (p[a] * n[a] + p[b] * n[b]) / (n[a] + n[b])
            spread = np.sqrt(pooled * (1 - pooled) * (1 / n[a] + 1 / n[b]))
        with np.errstate(invalid="ignore", divide="ignore"):
            z = difference / spread
        pvalues = np.where(spread > 0, 2 * norm.sf(np.abs(z)), 1.0)
        adjusted = _holm(pvalues) if len(pvalues) else pvalues
        higher: list[list[str]] = [[] for _ in groups]
        for i, j, d, q in zip(a, b, difference, adjusted, strict=True):
            if q < alpha:
                (higher[i] if d > 0 else higher[j]).append(letters[j] if d > 0 else letters[i])
        for position, group in enumerate(groups):
            rows.append(
                dict(zip(keys, key, strict=True))
                | {
                    "group": group,
                    "letter": letters[position],
                    "higher_than": "".join(sorted(higher[position])),
                }
            )
    return pd.DataFrame(rows, columns=LETTER_COLUMNS)
