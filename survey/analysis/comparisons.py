"""Group comparisons: is an answer associated with sector, role or region?

- :func:`rao_scott`: the design-based chi-square test with Rao and Scott's second-order
  correction, as R's ``svychisq()`` default (``statistic = "F"``), for weighted data.
- :func:`comparison_tests`: the ``tests.csv`` table of a wave: for each question (and each
  option of a multi-select) and each breakdown dimension, the Rao-Scott F test on weighted data,
  and on unweighted data pingouin's chi-square of independence with Cramér's V and, for Likert
  items and ratings, Kruskal-Wallis with eta-squared(H). p-values get a Benjamini-Hochberg
  adjustment across the whole family of a run (:func:`adjust_family`).

The Rao-Scott test, for an r x c table on the respondents who answered both questions
(``N`` of them, ``nu = N - 1`` degrees of freedom of the design):

    p       cell proportions (weighted), V their linearised covariance (n/(n-1), n the wave)
    X2      Pearson's statistic of the weighted table scaled to total N
    C       interaction contrasts with the main effects projected out
    Delta   (C' D^-1 C / N)^-1 (C' D^-1 V D^-1 C),  D = diag(p)
    F       X2 / trace(Delta)  on  d0 = trace(Delta)^2 / trace(Delta^2)  and  d0 * nu  df
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.codebook import Codebook, QuestionType

__all__ = [
    "PAIRWISE_COLUMNS",
    "TEST_COLUMNS",
    "RaoScott",
    "WaldMeans",
    "adjust_family",
    "comparison_tests",
    "pairwise_mann_whitney",
    "rao_scott",
    "wald_means",
]


@dataclass(frozen=True)
class RaoScott:
    """A Rao-Scott test of independence.

    Attributes
    ----------
    statistic, ndf, ddf, p
        The F statistic, its degrees of freedom and p-value (R's default).
    chisq, chisq_df, chisq_p
        Pearson's X2 of the weighted table scaled to N, and the first-order corrected p-value
        on (r-1)(c-1) df (R's ``statistic = "Chisq"``).
    cramers_v
        Cramér's V of the weighted table scaled to N.
    n
        Respondents who answered both questions.
    """

    statistic: float
    ndf: float
    ddf: float
    p: float
    chisq: float
    chisq_df: int
    chisq_p: float
    cramers_v: float
    n: int


def rao_scott(
    rows: npt.ArrayLike, columns: npt.ArrayLike, weights: npt.ArrayLike
) -> RaoScott | None:
    """The Rao-Scott test of ``rows`` against ``columns`` (category codes, ``-1`` missing).

    Every respondent of the wave is passed (the variance uses the wave's ``n``); those with a
    missing code are left out of the table. Returns ``None`` when the table has fewer than two
    rows or two columns, or when its empty cells make the design-effect matrix singular (R's
    ``svychisq`` stops with "system is computationally singular" on such a table).

    Examples
    --------
    >>> rows = np.array([0, 0, 1, 1, 0, 1, 0, 1, 1, 0])
    >>> columns = np.array([0, 1, 0, 1, 0, 1, 1, 1, 0, -1])
    >>> test = rao_scott(rows, columns, np.ones(10))  # counts [[2, 2], [2, 3]]: X2 = 0.09
    >>> round(test.chisq, 4), test.chisq_df, test.n
    (0.09, 1, 9)
    """
    from scipy.stats import chi2, f

    r_codes = np.asarray(rows, dtype=np.int64)
    c_codes = np.asarray(columns, dtype=np.int64)
    w_all = np.asarray(weights, dtype=float)
    n_total = len(w_all)
    both = (r_codes >= 0) & (c_codes >= 0)
    r_levels, r_index = np.unique(r_codes[both], return_inverse=True)
    c_levels, c_index = np.unique(c_codes[both], return_inverse=True)
    nr, nc = len(r_levels), len(c_levels)
    if nr < 2 or nc < 2:
        return None
    w = w_all[both]
    n = int(both.sum())
    cells = nr * nc
    cell = r_index + nr * c_index  # rows vary fastest, as R's interaction()
    total = w.sum()
    p = np.bincount(cell, weights=w, minlength=cells) / total

    # linearised covariance of the cell proportions: z_ik = w_i (1[cell_i = k] - p_k) / W
    z = -np.outer(w, p)
    z[np.arange(n), cell] += w
    z /= total
    variance = n_total / (n_total - 1) * (z.T @ z)

    observed = (p * n).reshape(nc, nr).T  # observed[r, c]
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        pearson = float(np.nansum((observed - expected) ** 2 / expected))

    r_of, c_of = np.arange(cells) % nr, np.arange(cells) // nr
    main = np.column_stack(
        [np.ones(cells)]
        + [(r_of == i).astype(float) for i in range(1, nr)]
        + [(c_of == j).astype(float) for j in range(1, nc)]
    )
    interactions = np.column_stack(
        [((r_of == i) & (c_of == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
    )
    fitted = main @ np.linalg.lstsq(main, interactions, rcond=None)[0]
    contrasts = interactions - fitted
    inverse = np.where(p == 0, 0.0, 1.0 / np.where(p == 0, 1.0, p))
    scaled = contrasts * inverse[:, None]
    denominator = contrasts.T @ scaled / n
    numerator = scaled.T @ variance @ scaled
    if np.linalg.cond(denominator, 1) * np.finfo(float).eps >= 1:
        # empty cells leave an interaction no data informs: R's solve() stops here with
        # "system is computationally singular", and no test is published
        return None
    delta = np.linalg.solve(denominator, numerator)
    trace = float(np.trace(delta))
    d0 = trace**2 / float(np.trace(delta @ delta))
    nu = n - 1
    statistic = pearson / trace
    df = (nr - 1) * (nc - 1)
    return RaoScott(
        statistic=statistic,
        ndf=d0,
        ddf=d0 * nu,
        p=float(f.sf(statistic, d0, d0 * nu)),
        chisq=pearson,
        chisq_df=df,
        chisq_p=float(chi2.sf(pearson / (trace / df), df)),
        cramers_v=float(np.sqrt(pearson / (n * (min(nr, nc) - 1)))),
        n=n,
    )


@dataclass(frozen=True)
class WaldMeans:
    """A design-based Wald test that a number's mean is the same in every group.

    Attributes
    ----------
    statistic, ndf, ddf, p
        The F statistic (Wald statistic / ndf) on ``ndf = k - 1`` and ``ddf = n - k`` degrees
        of freedom, and its p-value (R's ``regTermTest(svyglm(y ~ g), ~g)``).
    eta_squared
        The weighted share of the variance between groups (R² of the weighted fit).
    n
        Respondents with both a value and a group.
    """

    statistic: float
    ndf: int
    ddf: int
    p: float
    eta_squared: float
    n: int


def wald_means(
    values: npt.ArrayLike, groups: npt.ArrayLike, weights: npt.ArrayLike
) -> WaldMeans | None:
    """The Wald F test of equal group means of ``values`` across ``groups`` (codes, ``-1``
    missing), as R's ``regTermTest`` on ``svyglm(y ~ g)`` for ``svydesign(ids = ~1, weights)``.

    Every respondent of the wave is passed (the variance uses the wave's ``n``); those with a
    missing value or group are left out. The group means are the weighted means; their
    linearised variances are independent (domains of a design without strata or clusters), so
    the Wald statistic of the k - 1 differences from the first group is
    ``d' (C V C')^-1 d``. Returns ``None`` with fewer than two groups or no spread.

    Examples
    --------
    >>> test = wald_means([1.0, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 1], np.ones(6))
    >>> # means 2 and 5; each has variance n/(n-1) sum((y - mean) / 3)^2 = 6/5 * 2/9 = 0.267
    >>> round(test.statistic, 4), test.ndf, test.ddf  # 3^2 / (2 * 0.267)
    (16.875, 1, 4)
    """
    from scipy.stats import f

    y_all = np.asarray(values, dtype=float)
    g_all = np.asarray(groups, dtype=np.int64)
    w_all = np.asarray(weights, dtype=float)
    n_total = len(w_all)
    used = (g_all >= 0) & ~np.isnan(y_all)
    levels, g = np.unique(g_all[used], return_inverse=True)
    k = len(levels)
    y, w = y_all[used], w_all[used]
    n = len(y)
    if k < 2 or n <= k:
        return None
    total = np.bincount(g, weights=w, minlength=k)
    means = np.bincount(g, weights=w * y, minlength=k) / total
    residual = y - means[g]
    # influence of respondent i on its group's mean: w_i (y_i - mean_g) / W_g (sums to 0)
    influence = w * residual / total[g]
    variance = n_total / (n_total - 1) * np.bincount(g, weights=influence**2, minlength=k)
    if np.any(variance <= 0):
        return None
    contrasts = np.column_stack([-np.ones(k - 1), np.eye(k - 1)])
    difference = contrasts @ means
    covariance = contrasts @ np.diag(variance) @ contrasts.T
    wald = float(difference @ np.linalg.solve(covariance, difference))
    statistic = wald / (k - 1)
    grand = float(np.average(y, weights=w))
    spread = float(np.sum(w * (y - grand) ** 2))
    return WaldMeans(
        statistic=statistic,
        ndf=k - 1,
        ddf=n - k,
        p=float(f.sf(statistic, k - 1, n - k)),
        eta_squared=float(np.sum(total * (means - grand) ** 2)) / spread,
        n=n,
    )


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
    respondents: pd.DataFrame, codebook: Codebook
) -> list[tuple[str, pd.Series, bool]]:
    """``(name, answers as category codes, is a rating)`` for every question a comparison is
    run on: single-choice questions, each multi-select option (yes/no), each Likert item and
    grid rating (its scale points)."""
    answers: list[tuple[str, pd.Series, bool]] = []
    for question in codebook.questions:
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
    """Category codes of the values, ``-1`` for missing."""
    return np.asarray(pd.Categorical(values).codes, dtype=np.int64)


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
    a sparse table of categories gets no test.

    Without: the chi-square test of independence (``chi2_independence``, Pearson, no
    continuity correction, as ``svychisq``) with Cramér's V, and for ratings and numbers
    Kruskal-Wallis (``kruskal_wallis``, effect eta-squared(H) = (H - k + 1) / (n - k)).
    These are pingouin's ``chi2_independence`` and ``kruskal``, computed with the scipy
    functions pingouin calls (``chi2_contingency``, ``kruskal``) on one integer cross-table:
    pingouin's wrappers build a pandas cross-table and six power-divergence variants per call,
    8 ms each, which was most of a wave's run time. ``tests/test_comparisons.py`` checks every
    row of a demo wave against pingouin itself.

    ``p_adjusted`` is filled by :func:`adjust_family`.
    """
    from scipy.stats import chi2_contingency, kruskal

    w = None if weights is None else np.asarray(weights, dtype=float)
    threshold = codebook.small_cell_threshold
    groups = _groups(respondents, codebook)
    rows: list[dict[str, object]] = []

    def kruskal_row(
        values: npt.NDArray[np.float64], codes: npt.NDArray[np.int64]
    ) -> dict[str, object]:
        samples = [values[codes == code] for code in np.unique(codes[codes >= 0])]
        k, n = len(samples), int((codes >= 0).sum())
        if np.ptp(np.concatenate(samples)) == 0:  # all equal: no ranks to compare
            return {"test": "kruskal_wallis", "df": float(k - 1), "weighted": False}
        result = kruskal(*samples)
        return {
            "test": "kruskal_wallis",
            "statistic": float(result.statistic),
            "df": float(k - 1),
            "p": float(result.pvalue),
            "effect_size": (float(result.statistic) - k + 1) / (n - k),
            "effect_name": "eta_squared_h",
            "weighted": False,
        }

    group_codes = {dimension: _codes(group) for dimension, group in groups.items()}
    for name, answer, rating in _categorical(respondents, codebook):
        answer_codes = _codes(answer)
        values = pd.to_numeric(answer, errors="coerce").to_numpy(dtype=float) if rating else None
        for dimension, codes in group_codes.items():
            if name == dimension:
                continue
            kept = _kept(answer_codes, codes, threshold)
            a, g = np.where(kept, answer_codes, -1), np.where(kept, codes, -1)
            if len(np.unique(g[kept])) < 2 or len(np.unique(a[kept])) < 2:
                continue
            base = {"wave": wave, "question": name, "by": dimension, "n": int(kept.sum())}
            if w is not None:
                test = rao_scott(a, g, w)
                if test is not None:
                    rows.append(
                        base
                        | {
                            "test": "rao_scott_f",
                            "statistic": test.statistic,
                            "df": test.ndf,
                            "df2": test.ddf,
                            "p": test.p,
                            "effect_size": test.cramers_v,
                            "effect_name": "cramers_v",
                            "weighted": True,
                        }
                    )
                elif values is not None:
                    # a sparse rating table R's svychisq cannot test: compare the mean ratings
                    rows.extend(_wald_rows(base, np.where(kept, values, np.nan), g, w))
                continue
            _, rows_of = np.unique(a[kept], return_inverse=True)
            _, columns_of = np.unique(g[kept], return_inverse=True)
            width = columns_of.max() + 1
            cells = (rows_of.max() + 1) * width
            observed = np.bincount(rows_of * width + columns_of, minlength=cells).reshape(-1, width)
            chi2, p, dof, _ = chi2_contingency(observed, correction=False)
            rows.append(
                base
                | {
                    "test": "chi2_independence",
                    "statistic": float(chi2),
                    "df": float(dof),
                    "p": float(p),
                    "effect_size": float(np.sqrt(chi2 / (kept.sum() * (min(observed.shape) - 1)))),
                    "effect_name": "cramers_v",
                    "weighted": False,
                }
            )
            if values is not None:
                rows.append(base | kruskal_row(values, g))
    # numbers (hours, say): equal group means (weighted) or Kruskal-Wallis (unweighted)
    for question in codebook.questions_of(QuestionType.NUMBER):
        if question.id not in respondents:
            continue
        number = pd.to_numeric(respondents[question.id], errors="coerce").to_numpy(dtype=float)
        answered = np.where(np.isnan(number), -1, 0)
        for dimension, codes in group_codes.items():
            kept = _kept(answered, codes, threshold)
            g = np.where(kept, codes, -1)
            if len(np.unique(g[kept])) < 2:
                continue
            base = {"wave": wave, "question": question.id, "by": dimension, "n": int(kept.sum())}
            if w is None:
                rows.append(base | kruskal_row(number, g))
                continue
            rows.extend(_wald_rows(base, np.where(kept, number, np.nan), g, w))
    table = pd.DataFrame(rows, columns=[c for c in TEST_COLUMNS if c != "p_adjusted"])
    table["p_adjusted"] = np.nan
    return table[TEST_COLUMNS]


def _wald_rows(
    base: dict[str, object],
    values: npt.NDArray[np.float64],
    groups: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64],
) -> list[dict[str, object]]:
    """The ``tests.csv`` row of :func:`wald_means` (none when it cannot be computed)."""
    wald = wald_means(values, groups, weights)
    if wald is None:
        return []
    return [
        base
        | {
            "test": "wald_f",
            "statistic": wald.statistic,
            "df": float(wald.ndf),
            "df2": float(wald.ddf),
            "p": wald.p,
            "effect_size": wald.eta_squared,
            "effect_name": "eta_squared",
            "weighted": True,
        }
    ]


def adjust_family(table: pd.DataFrame) -> pd.DataFrame:
    """Benjamini-Hochberg adjusted p-values over every test of the table (one family).

    >>> adjusted = adjust_family(pd.DataFrame({"p": [0.01, 0.04, 0.03, 0.5]}))["p_adjusted"]
    >>> adjusted.round(4).tolist()  # sorted p x 4 / rank, made monotone from the top
    [0.04, 0.0533, 0.0533, 0.5]
    """
    from scipy.stats import false_discovery_control

    table = table.copy()
    valid = table["p"].notna()
    table["p_adjusted"] = np.nan
    if valid.any():
        table.loc[valid, "p_adjusted"] = false_discovery_control(
            table.loc[valid, "p"].to_numpy(dtype=float), method="bh"
        )
    return table


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
    dimension (``pingouin.multicomp``), with the rank-biserial correlation
    ``r = 2 U / (n_a n_b) - 1`` (positive: group A rates higher), as ``pingouin.mwu`` reports.

    U and p come from ``scipy.stats.mannwhitneyu``, as inside pingouin; pingouin's own
    ``mwu``/``pairwise_tests`` also compute a common-language effect size from the full
    n_a x n_b matrix of differences, which at 100,000 respondents takes gigabytes and minutes.

    ``only`` limits the tests to those ``(question, dimension)`` pairs: the pipeline runs them
    as post-hoc tests where the Kruskal-Wallis test is significant after adjustment.
    """
    import pingouin
    from scipy.stats import mannwhitneyu

    threshold = codebook.small_cell_threshold
    groups = _groups(respondents, codebook)
    frames = []
    for name, answer, rating in _categorical(respondents, codebook):
        if not rating:
            continue
        for dimension, group in groups.items():
            if only is not None and (name, dimension) not in only:
                continue
            kept, sizes = _testable(answer, group, threshold)
            if group[kept].nunique() < 2:
                continue
            ratings = pd.to_numeric(answer[kept]).to_numpy(dtype=float)
            labels = group[kept].to_numpy(dtype=object)
            present = set(labels)
            order = [g for g in codebook.question(dimension).option_codes() if g in present]
            first, second, u, p = [], [], [], []
            for a_index, a_name in enumerate(order):
                for b_name in order[a_index + 1 :]:
                    test = mannwhitneyu(
                        ratings[labels == a_name],
                        ratings[labels == b_name],
                        alternative="two-sided",
                    )
                    first.append(a_name)
                    second.append(b_name)
                    u.append(float(test.statistic))
                    p.append(float(test.pvalue))
            _, p_holm = pingouin.multicomp(p, method="holm")
            n_a = np.array([sizes[g] for g in first], dtype=float)
            n_b = np.array([sizes[g] for g in second], dtype=float)
            u_values = np.asarray(u)
            frames.append(
                pd.DataFrame(
                    {
                        "wave": wave,
                        "question": name,
                        "by": dimension,
                        "group_a": first,
                        "group_b": second,
                        "test": "mann_whitney",
                        "statistic": u_values,
                        "p": p,
                        "p_holm": np.asarray(p_holm, dtype=float),
                        "effect_size": 2 * u_values / (n_a * n_b) - 1,
                        "effect_name": "rank_biserial",
                        "n_a": n_a.astype(int),
                        "n_b": n_b.astype(int),
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=PAIRWISE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[PAIRWISE_COLUMNS]
