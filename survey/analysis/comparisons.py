"""Group comparisons: is an answer associated with sector, role or region?

- :func:`comparison_tests`: the ``tests.csv`` table of a wave: for each question (and each
  option of a multi-select) and each breakdown dimension, on weighted data the Rao-Scott F test
  (a rating too sparse for it: the Wald F test of its mean; both in
  :mod:`~survey.analysis.design_tests`), and on unweighted data pingouin's chi-square of
  independence with Cramér's V and, for Likert items and ratings, Kruskal-Wallis with
  eta-squared(H). p-values get a Benjamini-Hochberg adjustment across the whole family of a run
  (:func:`adjust_family`).
- :func:`pairwise_mann_whitney`: which groups differ on a rating (``pairwise.csv``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.analysis.design_tests import (
    BLOCK_CODES,
    RaoScott,
    rao_scott_tests,
    wald_means,
)
from survey.analysis.methods import EffectSize, HypothesisTest
from survey.arrays import Floats, Ints
from survey.codebook import Codebook, QuestionType

__all__ = [
    "PAIRWISE_COLUMNS",
    "TEST_COLUMNS",
    "adjust_family",
    "comparison_tests",
    "pairwise_mann_whitney",
    "wave_tests",
]


TEST_COLUMNS = [
    "wave",
    "question",
    "by",
    "test",
    "statistic",
    "df",
    "p",
    "p_adjusted",
    "effect_size",
    "effect_name",
    "df2",
    "n",
    "weighted",
]


def _categorical(
    respondents: pd.DataFrame, codebook: Codebook, *, ratings_only: bool = False
) -> list[tuple[str, pd.Series, bool]]:
    """``(name, answers as category codes, is a rating)`` for every question a comparison is
    run on: single-choice questions, each multi-select option (yes/no), each Likert item and
    grid rating (its scale points); with ``ratings_only``, the ratings alone (the others are
    not converted to text)."""
    answers: list[tuple[str, pd.Series, bool]] = []
    for question in codebook.questions:
        if ratings_only and question.type in (QuestionType.SINGLE, QuestionType.MULTI):
            continue
        if question.type is QuestionType.SINGLE and question.id in respondents:
            answers.append((question.id, respondents[question.id].astype("string"), False))
        elif question.type is QuestionType.MULTI:
            for name in question.multi_columns():
                if name in respondents:
                    answers.append((name, respondents[name].astype("string"), False))
        elif question.type is QuestionType.LIKERT and question.id in respondents:
            answers.append((question.id, respondents[question.id], True))
        elif question.type is QuestionType.GRID:
            for item in question.items:
                for name in question.grid_columns(item):
                    if name in respondents:
                        answers.append((name, respondents[name], True))
    return answers


def _groups(respondents: pd.DataFrame, codebook: Codebook) -> dict[str, pd.Series]:
    """Each breakdown dimension the respondents have, as text (converted once per wave)."""
    return {
        dimension: respondents[dimension].astype("string")
        for dimension in codebook.dimensions
        if dimension in respondents
    }


def _testable(answer: pd.Series, group: pd.Series, threshold: int) -> tuple[pd.Series, pd.Series]:
    """The respondents a test may use (answered, and in a group with at least ``threshold``
    answers: no test is published over a suppressed group), and the answering group sizes."""
    answered = answer.notna() & group.notna()
    sizes = group[answered].value_counts()
    return answered & group.isin(sizes[sizes >= threshold].index), sizes


def _codes(values: pd.Series) -> npt.NDArray[np.int64]:
    """Category codes of the values in sorted order (``pd.Categorical(values).codes``), ``-1``
    for missing: one factorize pass, without building a Categorical."""
    codes, _ = pd.factorize(values, sort=True, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def _kept(
    answers: npt.NDArray[np.int64], groups: npt.NDArray[np.int64], threshold: int
) -> npt.NDArray[np.bool_]:
    """:func:`_testable` on category codes (``-1`` missing)."""
    answered = (answers >= 0) & (groups >= 0)
    sizes = np.bincount(groups[answered], minlength=int(groups.max(initial=0)) + 1)
    return answered & (sizes[np.maximum(groups, 0)] >= threshold)


def comparison_tests(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    wave: str,
    weights: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Every comparison of a wave: each question against each breakdown dimension.

    Groups with fewer valid answers than the codebook's threshold are left out of a test (no
    test is published over a suppressed group); a test needs two groups and two answers left.

    With ``weights``: the Rao-Scott F test (``rao_scott_f``, effect Cramér's V of the weighted
    table) for categories and ratings, and for numbers the design-based Wald F test of equal
    group means (``wald_f``, effect the weighted eta-squared), as R's ``regTermTest`` of
    ``svyglm(y ~ group)``. A rating whose table is too sparse for the Rao-Scott test (empty
    cells make it singular, see :func:`rao_scott`) gets the Wald test of its mean instead;
    a sparse table of categories gets no test. The Rao-Scott tests of a wave are run together,
    with :func:`rao_scott_tests`.

    Without: the chi-square test of independence (``chi2_independence``, Pearson, no
    continuity correction, as ``svychisq``) with Cramér's V, and for ratings and numbers
    Kruskal-Wallis (``kruskal_wallis``, effect eta-squared(H) = (H - k + 1) / (n - k)).
    These are pingouin's ``chi2_independence`` and ``kruskal``: the chi-square is computed
    with the scipy function pingouin calls (``chi2_contingency``) on one integer cross-table
    (pingouin's wrapper builds a pandas cross-table and six power-divergence variants per
    call, 8 ms each, which was most of a wave's run time), and Kruskal-Wallis with
    ``scipy.stats.kruskal``'s arithmetic on the count of each answer in each group (see
    :func:`_kruskal_wallis`). ``tests/test_comparisons.py`` checks every row of a demo wave
    against pingouin itself.

    ``p_adjusted`` is filled by :func:`adjust_family`.
    """
    # scipy.stats takes about a second to import: loaded when a test first runs
    from scipy.stats import chi2_contingency

    w = weights  # a Design stays one: the tests take its variance method from it
    threshold = codebook.small_cell_threshold
    group_codes = {
        dimension: _codes(group) for dimension, group in _groups(respondents, codebook).items()
    }
    rows: list[dict[str, object]] = []
    # weighted: (row base, answer codes of the tested respondents, group codes, ratings) of
    # the Rao-Scott tests not yet run, run together a block at a time
    waiting: list[tuple[dict[str, object], Ints, Ints, Floats | None]] = []

    def run_waiting(w: npt.ArrayLike) -> None:
        tests: list[RaoScott | None] = [None] * len(waiting)
        for dimension, codes in group_codes.items():
            which = [i for i, (base, _, _, _) in enumerate(waiting) if base["by"] == dimension]
            if which:
                answers = np.stack([waiting[i][1] for i in which])
                for i, test in zip(which, rao_scott_tests(answers, codes, w), strict=True):
                    tests[i] = test
        for (base, answers, codes, values), test in zip(waiting, tests, strict=True):
            if test is not None:
                rows.append(
                    base
                    | {
                        "test": HypothesisTest.RAO_SCOTT_F,
                        "statistic": test.statistic,
                        "df": test.ndf,
                        "df2": test.ddf,
                        "p": test.p,
                        "effect_size": test.cramers_v,
                        "effect_name": EffectSize.CRAMERS_V,
                        "weighted": True,
                    }
                )
            elif values is not None:
                # a sparse rating table R's svychisq cannot test: compare the mean ratings
                kept = answers >= 0
                rows.extend(
                    _wald_rows(base, np.where(kept, values, np.nan), np.where(kept, codes, -1), w)
                )
        waiting.clear()

    block = max(1, BLOCK_CODES // max(len(respondents), 1))
    for name, answer, rating in _categorical(respondents, codebook):
        answer_codes = _codes(answer)
        values = pd.to_numeric(answer, errors="coerce").to_numpy(dtype=float) if rating else None
        ranks = _value_codes(values) if values is not None else None
        for dimension, codes in group_codes.items():
            if name == dimension:
                continue
            kept = _kept(answer_codes, codes, threshold)
            if _distinct(codes[kept]) < 2 or _distinct(answer_codes[kept]) < 2:
                continue
            base = {"wave": wave, "question": name, "by": dimension, "n": int(kept.sum())}
            if w is not None:
                waiting.append((base, np.where(kept, answer_codes, -1), codes, values))
                if len(waiting) == block:
                    run_waiting(w)
                continue
            observed = _cross_table(answer_codes[kept], codes[kept])
            chi2, p, dof, _ = chi2_contingency(observed, correction=False)
            rows.append(
                base
                | {
                    "test": HypothesisTest.CHI2_INDEPENDENCE,
                    "statistic": float(chi2),
                    "df": float(dof),
                    "p": float(p),
                    "effect_size": float(np.sqrt(chi2 / (kept.sum() * (min(observed.shape) - 1)))),
                    "effect_name": EffectSize.CRAMERS_V,
                    "weighted": False,
                }
            )
            if ranks is not None:
                ranked = kept & (ranks >= 0)
                rows.append(base | _kruskal_row(_cross_table(codes[ranked], ranks[ranked])))
    if w is not None and waiting:
        run_waiting(w)
    # numbers (hours, say): equal group means (weighted) or Kruskal-Wallis (unweighted)
    for question in codebook.questions_of(QuestionType.NUMBER):
        if question.id not in respondents:
            continue
        number = pd.to_numeric(respondents[question.id], errors="coerce").to_numpy(dtype=float)
        ranks = _value_codes(number)
        for dimension, codes in group_codes.items():
            kept = _kept(ranks, codes, threshold)
            g = np.where(kept, codes, -1)
            if _distinct(g[kept]) < 2:
                continue
            base = {"wave": wave, "question": question.id, "by": dimension, "n": int(kept.sum())}
            if w is None:
                rows.append(base | _kruskal_row(_cross_table(codes[kept], ranks[kept])))
                continue
            rows.extend(_wald_rows(base, np.where(kept, number, np.nan), g, w))
    table = pd.DataFrame(rows, columns=[c for c in TEST_COLUMNS if c != "p_adjusted"])
    table["p_adjusted"] = np.nan
    return table[TEST_COLUMNS]


def _distinct(codes: Ints) -> int:
    """How many different codes (all ``>= 0``) there are."""
    return int(np.count_nonzero(np.bincount(codes))) if codes.size else 0


def _cross_table(rows: Ints, columns: Ints) -> Ints:
    """The count of each pair of codes (all ``>= 0``), over the codes that occur: rows and
    columns in code order, numbered as ``np.unique`` would number them."""
    width = int(columns.max()) + 1
    counts = np.bincount(rows * width + columns, minlength=(int(rows.max()) + 1) * width)
    counts = counts.reshape(-1, width)
    return counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]


def _value_codes(values: Floats) -> Ints:
    """Each value's rank among the distinct values (``-1`` for NaN): whole numbers in a short
    range are their distance from the smallest (ranks with gaps, which order them the same)."""
    answered = ~np.isnan(values)
    codes = np.full(len(values), -1, dtype=np.int64)
    present = values[answered]
    if present.size == 0:
        return codes
    low, high = present.min(), present.max()
    if high - low < 4096 and np.all(present == np.round(present)):
        codes[answered] = (present - low).astype(np.int64)
    else:
        codes[answered] = np.unique(present, return_inverse=True)[1].ravel()
    return codes


def _kruskal_row(counts: Ints) -> dict[str, object]:
    """The ``tests.csv`` fields of a Kruskal-Wallis test (groups x ordered values, counts)."""
    k, n = len(counts), int(counts.sum())
    if np.count_nonzero(counts.sum(axis=0)) < 2:  # all equal: no ranks to compare
        return {"test": HypothesisTest.KRUSKAL_WALLIS, "df": float(k - 1), "weighted": False}
    statistic, p = _kruskal_wallis(counts)
    return {
        "test": HypothesisTest.KRUSKAL_WALLIS,
        "statistic": statistic,
        "df": float(k - 1),
        "p": p,
        "effect_size": (statistic - k + 1) / (n - k),
        "effect_name": EffectSize.ETA_SQUARED_H,
        "weighted": False,
    }


def _average_ranks(ties: Ints) -> Floats:
    """The average rank of each value, given how many have each (in order; last axis)."""
    return np.cumsum(ties, axis=-1) - ties + (ties + 1) / 2


def _kruskal_wallis(counts: Ints) -> tuple[float, float]:
    """``scipy.stats.kruskal`` (H, p) of groups given as counts of each ordered value (groups
    x values), with scipy's own arithmetic: ranks, and so rank sums, are exact (halves), then
    ``H = 12 / (N (N + 1)) sum R_i^2 / n_i - 3 (N + 1)`` over groups in order, divided by
    ``1 - sum(t^3 - t) / (N^3 - N)``; ``p = chdtrc(k - 1, H)``. The samples themselves
    (sorting N values per test) are never formed."""
    # scipy.special: imported with scipy.stats, which takes about a second, when first used
    from scipy.special import chdtrc

    sizes = counts.sum(axis=1)
    ties = counts.sum(axis=0)
    rank_sums = (counts * _average_ranks(ties)).sum(axis=1)
    total = int(sizes.sum())
    tie_sum = float(np.sum(ties.astype(float) ** 3 - ties))
    correction = 1 - tie_sum / (total**3 - total)
    # scipy squares each rank sum as a scalar (C pow, which can differ from x * x in the last
    # bit above 2^53) and adds the groups in order
    between = sum(
        rank_sum**2 / size
        for rank_sum, size in zip(rank_sums.tolist(), sizes.tolist(), strict=True)
    )
    statistic = 12.0 / (total * (total + 1)) * between - 3 * (total + 1)
    statistic /= correction
    return float(statistic), float(chdtrc(float(len(counts) - 1), statistic))


def _wald_rows(
    base: dict[str, object],
    values: npt.NDArray[np.float64],
    groups: npt.NDArray[np.int64],
    weights: npt.ArrayLike,
) -> list[dict[str, object]]:
    """The ``tests.csv`` row of :func:`wald_means` (none when it cannot be computed)."""
    wald = wald_means(values, groups, weights)
    if wald is None:
        return []
    return [
        base
        | {
            "test": HypothesisTest.WALD_F,
            "statistic": wald.statistic,
            "df": float(wald.ndf),
            "df2": float(wald.ddf),
            "p": wald.p,
            "effect_size": wald.eta_squared,
            "effect_name": EffectSize.ETA_SQUARED,
            "weighted": True,
        }
    ]


def adjust_family(table: pd.DataFrame) -> pd.DataFrame:
    """Benjamini-Hochberg adjusted p-values over every test of the table (one family).

    >>> adjusted = adjust_family(pd.DataFrame({"p": [0.01, 0.04, 0.03, 0.5]}))["p_adjusted"]
    >>> adjusted.round(4).tolist()  # sorted p x 4 / rank, made monotone from the top
    [0.04, 0.0533, 0.0533, 0.5]
    """
    # scipy.stats takes about a second to import: loaded when a test first runs
    from scipy.stats import false_discovery_control

    table = table.copy()
    valid = table["p"].notna()
    table["p_adjusted"] = np.nan
    if valid.any():
        table.loc[valid, "p_adjusted"] = false_discovery_control(
            table.loc[valid, "p"].to_numpy(dtype=float), method="bh"
        )
    return table


def wave_tests(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    wave: str,
    weights: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """``tests.csv`` of a wave: :func:`comparison_tests` unweighted and (with ``weights``)
    weighted, as one Benjamini-Hochberg family (:func:`adjust_family`)."""
    kinds: list[npt.ArrayLike | None] = [None] if weights is None else [None, weights]
    tables = [
        comparison_tests(respondents, codebook, wave=wave, weights=chosen) for chosen in kinds
    ]
    return adjust_family(pd.concat(tables, ignore_index=True))


PAIRWISE_COLUMNS = [
    "wave",
    "question",
    "by",
    "group_a",
    "group_b",
    "test",
    "statistic",
    "p",
    "p_holm",
    "effect_size",
    "effect_name",
    "n_a",
    "n_b",
]


def _first_column(frame: pd.DataFrame, *names: str) -> npt.NDArray[np.float64]:
    """The first of ``names`` that ``frame`` has, as floats (NaN if none). pingouin >= 0.6
    writes ``U_val, p_unc, p_corr``, older versions ``U-val, p-unc, p-corr``; with two groups
    there is one comparison and no corrected column."""
    for name in names:
        if name in frame:
            return frame[name].to_numpy(dtype=float)
    return np.full(len(frame), np.nan)


def pairwise_mann_whitney(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    wave: str,
    only: set[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Which groups differ on a rating? Pairwise Mann-Whitney tests (unweighted) between the
    groups of each dimension at or above the threshold, Holm-adjusted within a rating and
    dimension (``pingouin.multicomp(method="holm")``), with the
    rank-biserial correlation ``r = 2 U / (n_a n_b) - 1`` (positive: group A rates higher), as
    ``pingouin.mwu`` reports.

    U and p are ``scipy.stats.mannwhitneyu``'s (two-sided, continuity-corrected normal
    approximation with tie correction), computed with its arithmetic from the count of each
    rating in each group for every pair of a dimension at once (:func:`_mann_whitney`):
    scipy's ``mannwhitneyu`` spends about half a millisecond a call in its nan-policy and
    array-API wrappers, and a wave has 2,500 pairs. Pairs for which scipy would compute the
    exact distribution (a group of 8 or fewer and no ties) call it. pingouin's own
    ``mwu``/``pairwise_tests`` also compute a common-language effect size from the full
    n_a x n_b matrix of differences, which at 100,000 respondents takes gigabytes and minutes.

    ``only`` limits the tests to those ``(question, dimension)`` pairs: the pipeline runs them
    as post-hoc tests where the Kruskal-Wallis test is significant after adjustment.
    """
    import pingouin  # takes about 1.5 s to import: loaded when pairwise tests first run

    threshold = codebook.small_cell_threshold
    dimensions = {}
    for dimension, group in _groups(respondents, codebook).items():
        names = codebook.question(dimension).option_codes()
        # group codes in codebook order (-1: none, or an answer the codebook does not have)
        codes = pd.Categorical(group, categories=names).codes.astype(np.int64)
        dimensions[dimension] = (codes, names)
    columns: dict[str, list[npt.NDArray[np.generic]]] = {
        name: [] for name in ("question", "by", "first", "second", "u", "p", "p_holm", "n_a", "n_b")
    }
    for name, answer, _ in _categorical(respondents, codebook, ratings_only=True):
        ranks = _value_codes(pd.to_numeric(answer).to_numpy(dtype=float))
        for dimension, (codes, names) in dimensions.items():
            if only is not None and (name, dimension) not in only:
                continue
            kept = _kept(ranks, codes, threshold)
            counts = np.bincount(
                codes[kept] * (ranks.max() + 1) + ranks[kept],
                minlength=len(names) * (ranks.max() + 1),
            ).reshape(len(names), -1)
            present = np.flatnonzero(counts.sum(axis=1))
            if len(present) < 2:
                continue
            first, second = (present[i] for i in np.triu_indices(len(present), k=1))
            u, p = _mann_whitney(counts[first], counts[second])
            columns["question"].append(np.full(len(u), name, dtype=object))
            columns["by"].append(np.full(len(u), dimension, dtype=object))
            columns["first"].append(np.asarray(names, dtype=object)[first])
            columns["second"].append(np.asarray(names, dtype=object)[second])
            columns["u"].append(u)
            columns["p"].append(p)
            columns["p_holm"].append(np.asarray(pingouin.multicomp(p, method="holm")[1]))
            columns["n_a"].append(counts[first].sum(axis=1))
            columns["n_b"].append(counts[second].sum(axis=1))
    if not columns["u"]:
        return pd.DataFrame(columns=PAIRWISE_COLUMNS)
    found = {name: np.concatenate(arrays) for name, arrays in columns.items()}
    n_a, n_b = found["n_a"].astype(float), found["n_b"].astype(float)
    return pd.DataFrame(
        {
            "wave": wave,
            "question": found["question"],
            "by": found["by"],
            "group_a": found["first"],
            "group_b": found["second"],
            "test": HypothesisTest.MANN_WHITNEY,
            "statistic": found["u"],
            "p": found["p"],
            "p_holm": found["p_holm"],
            "effect_size": 2 * found["u"] / (n_a * n_b) - 1,
            "effect_name": EffectSize.RANK_BISERIAL,
            "n_a": n_a.astype(int),
            "n_b": n_b.astype(int),
        }
    )[PAIRWISE_COLUMNS]


def _mann_whitney(first: Ints, second: Ints) -> tuple[Floats, Floats]:
    """``scipy.stats.mannwhitneyu(a, b, alternative="two-sided")`` (U of ``a``, p) for pairs
    of samples given as counts of each ordered value (pairs x values), with scipy's own
    arithmetic: the average ranks in the pooled pair and so the rank sum are exact (halves),
    ``U1 = R1 - n1 (n1 + 1) / 2``, ``U = max(U1, n1 n2 - U1)``, and
    ``p = 2 ndtr(-(U - n1 n2 / 2 - 0.5) / s)`` clipped to [0, 1], with
    ``s = sqrt(n1 n2 / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1))))``. Pairs for which scipy
    uses the exact distribution (``n1`` or ``n2`` at most 8, and no ties) call scipy.

    ``tests/test_comparisons.py`` compares every pair with scipy on random samples.
    """
    # scipy.stats takes about a second to import: loaded when a test first runs
    from scipy.special import ndtr
    from scipy.stats import mannwhitneyu

    n1, n2 = first.sum(axis=1), second.sum(axis=1)
    ties = first + second
    rank_sum = (first * _average_ranks(ties)).sum(axis=1)
    u1 = rank_sum - n1 * (n1 + 1) / 2
    u = np.maximum(u1, n1 * n2 - u1)
    n = n1 + n2
    tie_term = np.sum(ties.astype(float) ** 3 - ties, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
        z = (u - n1 * n2 / 2 - 0.5) / s
    p = np.clip(2 * ndtr(-z), 0.0, 1.0)
    exact = ((n1 <= 8) | (n2 <= 8)) & (ties.max(axis=1, initial=0) <= 1)
    for pair in np.flatnonzero(exact):
        values = np.arange(first.shape[1], dtype=float)
        test = mannwhitneyu(
            np.repeat(values, first[pair]), np.repeat(values, second[pair]), alternative="two-sided"
        )
        u1[pair], p[pair] = float(test.statistic), float(test.pvalue)
    return u1, p
