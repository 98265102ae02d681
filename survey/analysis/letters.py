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


def significance_letters(results: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Letters for every share of a suppressed ``results`` table (means are not lettered).

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
    from scipy.stats import norm

    keys = ["wave", "question", "option", "by", "weighted"]
    shares = results.loc[
        (results["by"] != "all") & (results["option"] != "mean") & ~results["suppressed"],
        [*keys, "group", "n", "estimate", "se"],
    ].reset_index(drop=True)
    blocks = shares.groupby(keys, sort=False)
    shares["position"] = blocks.cumcount()
    shares = shares[blocks["group"].transform("size") <= len(string.ascii_uppercase)]
    shares["letter"] = np.array(list(string.ascii_uppercase))[shares["position"].to_numpy()]
    if shares.empty:
        return pd.DataFrame(columns=LETTER_COLUMNS)

    pairs = shares.merge(shares, on=keys, suffixes=("_a", "_b"))
    pairs = pairs[pairs["position_a"] < pairs["position_b"]].reset_index(drop=True)
    p_a, p_b = pairs["estimate_a"].to_numpy(float), pairs["estimate_b"].to_numpy(float)
    n_a, n_b = pairs["n_a"].to_numpy(float), pairs["n_b"].to_numpy(float)
    se_a, se_b = pairs["se_a"].to_numpy(float), pairs["se_b"].to_numpy(float)
    difference = p_a - p_b
    pooled = (p_a * n_a + p_b * n_b) / (n_a + n_b)
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(
            pairs["weighted"].to_numpy(bool),
            np.sqrt(se_a**2 + se_b**2),
            np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b)),
        )
        z = difference / spread
    pairs["p"] = np.where(spread > 0, 2 * norm.sf(np.abs(z)), 1.0)

    # Holm within each block: sorted p times (m, m - 1, ...), made monotone, capped at 1
    pairs = pairs.sort_values([*keys, "p"], kind="stable")
    within = pairs.groupby(keys, sort=False)
    rank = within.cumcount().to_numpy()
    pairs["scaled"] = (within["p"].transform("size").to_numpy() - rank) * pairs["p"].to_numpy()
    adjusted = pairs.groupby(keys, sort=False)["scaled"].cummax().clip(upper=1.0)
    significant = pairs[(adjusted < alpha).to_numpy()]
    higher_first = significant["estimate_a"] > significant["estimate_b"]
    beaten = pd.DataFrame(
        {
            **{key: significant[key] for key in keys},
            "group": np.where(higher_first, significant["group_a"], significant["group_b"]),
            "beaten": np.where(higher_first, significant["letter_b"], significant["letter_a"]),
        }
    )
    higher = (
        beaten.groupby([*keys, "group"], sort=False)["beaten"]
        .agg(lambda letters: "".join(sorted(letters)))
        .rename("higher_than")
        .reset_index()
    )
    lettered = shares[[*keys, "group", "letter"]].merge(higher, on=[*keys, "group"], how="left")
    lettered["higher_than"] = lettered["higher_than"].fillna("")
    return lettered[LETTER_COLUMNS].reset_index(drop=True)
