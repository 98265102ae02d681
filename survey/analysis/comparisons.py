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
    "adjust_family",
    "comparison_tests",
    "pairwise_mann_whitney",
    "rao_scott",
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
    rows or two columns.

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


def _testable(
    answer: pd.Series, dimension: pd.Series, threshold: int
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The dimension as text, the respondents a test may use (answered, and in a group with at
    least ``threshold`` answers: no test is published over a suppressed group), and the
    answering group sizes."""
    group = dimension.astype("string")
    answered = answer.notna() & group.notna()
    sizes = group[answered].value_counts()
    return group, answered & group.isin(sizes[sizes >= threshold].index), sizes


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
    table). Without: pingouin's chi-square of independence (``chi2_independence``, Pearson,
    no continuity correction, as ``svychisq``) with Cramér's V, and for ratings and numbers
    Kruskal-Wallis (``kruskal_wallis``, effect eta-squared(H) = (H - k + 1) / (n - k)).
    Numbers get no weighted test yet.
    ``p_adjusted`` is filled by :func:`adjust_family`.
    """
    import warnings

    import pingouin

    w = None if weights is None else np.asarray(weights, dtype=float)
    threshold = codebook.small_cell_threshold
    rows: list[dict[str, object]] = []
    for name, answer, rating in _categorical(respondents, codebook):
        for dimension in codebook.dimensions:
            if dimension not in respondents or name == dimension:
                continue
            group, kept, _ = _testable(answer, respondents[dimension], threshold)
            if group[kept].nunique() < 2 or answer[kept].nunique() < 2:
                continue
            base = {"wave": wave, "question": name, "by": dimension, "n": int(kept.sum())}
            if w is not None:
                test = rao_scott(
                    pd.Categorical(answer.where(kept)).codes,
                    pd.Categorical(group.where(kept)).codes,
                    w,
                )
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
                continue
            data = pd.DataFrame(
                {"answer": answer[kept].astype(str).to_numpy(), "group": group[kept].to_numpy()}
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, _, stats = pingouin.chi2_independence(
                    data, x="answer", y="group", correction=False
                )
            pearson = stats.set_index("test").loc["pearson"]
            rows.append(
                base
                | {
                    "test": "chi2_independence",
                    "statistic": float(pearson["chi2"]),
                    "df": float(pearson["dof"]),
                    "p": float(pearson["pval"]),
                    "effect_size": float(pearson["cramer"]),
                    "effect_name": "cramers_v",
                    "weighted": False,
                }
            )
            if rating:
                rows.append(base | _kruskal(pd.to_numeric(answer[kept]), group[kept]))
    if w is None:
        # numbers (hours, say): Kruskal-Wallis across the groups of each dimension
        for question in codebook.questions_of(QuestionType.NUMBER):
            if question.id not in respondents:
                continue
            values = pd.to_numeric(respondents[question.id], errors="coerce")
            for dimension in codebook.dimensions:
                if dimension not in respondents:
                    continue
                group, kept, _ = _testable(values, respondents[dimension], threshold)
                if group[kept].nunique() < 2:
                    continue
                base = {
                    "wave": wave,
                    "question": question.id,
                    "by": dimension,
                    "n": int(kept.sum()),
                }
                rows.append(base | _kruskal(values[kept], group[kept]))
    table = pd.DataFrame(rows, columns=[c for c in TEST_COLUMNS if c != "p_adjusted"])
    table["p_adjusted"] = np.nan
    return table[TEST_COLUMNS]


def _kruskal(values: pd.Series, groups: pd.Series) -> dict[str, object]:
    """pingouin's Kruskal-Wallis test with eta-squared(H) = (H - k + 1) / (n - k)."""
    import pingouin

    data = pd.DataFrame(
        {"answer": values.to_numpy(dtype=float), "group": groups.to_numpy(dtype=object)}
    )
    kruskal = pingouin.kruskal(data, dv="answer", between="group").iloc[0]
    k, n = data["group"].nunique(), len(data)
    return {
        "test": "kruskal_wallis",
        "statistic": float(kruskal["H"]),
        "df": float(kruskal["ddof1"]),
        "p": float(kruskal["p_unc"] if "p_unc" in kruskal else kruskal["p-unc"]),
        "effect_size": (float(kruskal["H"]) - k + 1) / (n - k),
        "effect_name": "eta_squared_h",
        "weighted": False,
    }


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
    frames = []
    for name, answer, rating in _categorical(respondents, codebook):
        if not rating:
            continue
        for dimension in codebook.dimensions:
            if dimension not in respondents or (only is not None and (name, dimension) not in only):
                continue
            group, kept, sizes = _testable(answer, respondents[dimension], threshold)
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
