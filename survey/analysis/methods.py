"""The statistical tests and effect sizes the engine runs, as its tables name them.

Each is a :class:`~enum.StrEnum`: a member equals its name in ``tests.csv``, ``pairwise.csv``
and ``trends.csv`` (columns ``test`` and ``effect_name``) and is written as it, so the report
writers and the dashboard may compare the tables' text with a member.

>>> HypothesisTest.RAO_SCOTT_F == "rao_scott_f"
True
>>> f"{EffectSize.CRAMERS_V}"
'cramers_v'
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ALPHA", "EffectSize", "HypothesisTest"]

#: The level an adjusted p-value must be under for a difference to be called significant:
#: in letters, findings, trends, pairwise follow-ups and every report.
ALPHA = 0.05


class HypothesisTest(StrEnum):
    """A test the engine runs: group comparisons, pairwise tests and trends."""

    # tests.csv: is an answer associated with a breakdown?
    RAO_SCOTT_F = "rao_scott_f"  # weighted: Rao-Scott F of a share table, as R's svychisq
    WALD_F = "wald_f"  # weighted: design-based Wald F of a number's group means
    CHI2_INDEPENDENCE = "chi2_independence"  # unweighted: Pearson's chi-square of a share table
    KRUSKAL_WALLIS = "kruskal_wallis"  # unweighted: a rating or number across the groups
    # pairwise.csv: which groups differ on a rating?
    MANN_WHITNEY = "mann_whitney"  # unweighted, Holm-corrected within a question and breakdown
    # trends.csv: did an estimate change between two waves?
    TWO_PROPORTION_Z = "two_proportion_z"  # unweighted share, pooled
    DIFFERENCE_Z = "difference_z"  # unweighted mean
    DESIGN_DIFFERENCE_Z = "design_difference_z"  # weighted share or mean, design-based SEs


class EffectSize(StrEnum):
    """The effect size a test reports (``effect_name``)."""

    CRAMERS_V = "cramers_v"  # with rao_scott_f and chi2_independence
    ETA_SQUARED = "eta_squared"  # with wald_f
    ETA_SQUARED_H = "eta_squared_h"  # with kruskal_wallis: (H - k + 1) / (n - k)
    RANK_BISERIAL = "rank_biserial"  # with mann_whitney: 2 U / (n_a n_b) - 1
