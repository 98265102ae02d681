"""Learning needs from an importance/confidence grid: top-2 box, mean gap and Borich's MWDS.

A grid question with two items (the first, e.g. ``imp``, is importance; the second, e.g.
``comp``, is confidence, in codebook item order) rates every topic twice. A topic is a learning
need where it matters and confidence is low. :func:`needs` reads it three ways, overall and by
each breakdown dimension:

- ``top2_importance``: the share rating importance in the top two points of its scale, over
  those who rated importance;
- ``mean_gap``: the mean of importance minus confidence over the respondents who gave both
  ratings (the *paired* respondents);
- ``mwds``: Borich's mean weighted discrepancy score (Borich 1980), the mean over the paired
  respondents of (importance - confidence) x (the mean importance of those same respondents),
  which is ``mean_gap x mean_importance``. Topics are ranked by it for training plans.

Means and standard errors use the design of :mod:`survey.analysis.estimates` (weights as
sampling weights, each respondent their own PSU, ``n / (n - 1)`` with ``n`` all respondents of
the wave). The MWDS is a product of two means, ``G I``; its standard error is by linearisation,
with influence ``I z_G + G z_I`` (see :func:`needs`). Rows describing fewer paired respondents
than the codebook's threshold are suppressed with the rule of
:func:`survey.analysis.results.suppress`, complementary suppression included.

:func:`cronbach_alpha` gives the internal consistency of each grid item's topics.

References
----------
Borich, G. D. (1980). A needs assessment model for conducting follow-up studies.
*Journal of Teacher Education*, 31(3), 39-42.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.analysis.estimates import domain_means, normal_interval

# ``groupings`` is results.py's definition of "overall, then each dimension's observed groups
# in codebook order"; it is reused so that needs rows and results.csv rows describe the same
# groups.
from survey.analysis.results import RESULT_COLUMNS, groupings, suppress
from survey.arrays import Floats
from survey.codebook import Codebook, Question, QuestionType

__all__ = ["ALPHA_COLUMNS", "NEEDS_COLUMNS", "cronbach_alpha", "need_grids", "needs"]

#: What needs.csv's contract estimates of a topic in a group, and what it adds to them.
_MEASURES = ["top2_importance", "mean_gap", "mwds"]
_EXTRA_MEASURES = ["mean_importance", "mean_confidence", "mwds_se"]

NEEDS_COLUMNS = [
    # the contract
    "wave",
    "topic",
    "by",
    "group",
    "n",
    *_MEASURES,
    "rank",
    # extra columns
    *_EXTRA_MEASURES,
    "mwds_ci_low",
    "mwds_ci_high",
    "weighted",
    "suppressed",
]

ALPHA_COLUMNS = ["question", "item", "alpha", "ci_low", "ci_high", "n"]

# Blanked in a suppressed row. The two means are blanked too: with them the gap and the MWDS
# could be recomputed (gap = importance - confidence, MWDS = gap x importance).
_SUPPRESSED_COLUMNS = [*_MEASURES, *_EXTRA_MEASURES, "mwds_ci_low", "mwds_ci_high"]


def need_grids(codebook: Codebook) -> list[Question]:
    """The grid questions that :func:`needs` analyses: those with exactly two items
    (importance first, confidence second)."""
    return [
        question
        for question in codebook.questions_of(QuestionType.GRID)
        if len(question.items) == 2
    ]


def _ratings(respondents: pd.DataFrame, column: str) -> Floats:
    return pd.to_numeric(respondents[column], errors="coerce").to_numpy(dtype=float)


def _empty_table() -> pd.DataFrame:
    table = pd.DataFrame({name: pd.Series(dtype=float) for name in NEEDS_COLUMNS})
    return table.astype(
        {
            "wave": object,
            "topic": object,
            "by": object,
            "group": object,
            "n": np.int64,
            "rank": "Int64",
            "weighted": bool,
            "suppressed": bool,
        }
    )


def needs(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    wave: str,
    weights: npt.ArrayLike | None = None,
    level: float = 0.95,
    domain: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Top-2 importance, mean gap and Borich's MWDS of every grid topic, ranked, by group.

    Every topic of every grid question with two items (importance first, confidence second, in
    codebook item order; see :func:`need_grids`) is estimated overall (``by="all"``,
    ``group="all"``) and by each of ``codebook.dimensions`` (groups in codebook option order,
    only the groups present). Topics whose two columns are not both in ``respondents`` are
    skipped.

    Parameters
    ----------
    respondents
        Processed data of one wave: one row per respondent, ``<prefix>_<topic>`` ratings as
        numbers (NaN for "not applicable") and the dimension columns as option codes.
    codebook
        The questionnaire: grid questions, scales, dimensions and ``small_cell_threshold``.
    wave
        The wave id written in the ``wave`` column.
    weights
        One weight per respondent (treated as sampling weights); ``None`` for the unweighted
        table. Only rows of one kind are returned: the caller concatenates the unweighted and
        the weighted tables.
    level
        Confidence level of the MWDS interval.
    domain
        One flag per respondent: the table of these respondents only, as a domain of the
        whole wave's design (its variances; :func:`~survey.analysis.results.groupings`);
        ``None``: everyone.

    Returns
    -------
    pandas.DataFrame
        One row per topic and group, in topic order then overall and each dimension's groups:

        - ``wave``, ``topic`` (the topic code), ``by`` (``"all"`` or a dimension), ``group``;
        - ``n``: the unweighted number of respondents of the group with both ratings of the
          topic (the paired respondents);
        - ``top2_importance``: the (weighted) share rating importance in the top two points of
          its scale, over the group's respondents who rated importance;
        - ``mean_gap``: the (weighted) mean of importance - confidence over the paired
          respondents;
        - ``mwds``: Borich's mean weighted discrepancy score (Borich 1980): the mean over the
          paired respondents of (importance - confidence) x (the mean importance of those
          respondents), i.e. ``mean_gap * mean_importance``;
        - ``rank``: 1 for the biggest need: the topic's position by decreasing ``mwds`` among
          the unsuppressed topics of the same wave, breakdown, group and weighting; ties go to
          the higher ``top2_importance``, then to the earlier topic in the codebook. Nullable
          integer, missing where suppressed;
        - ``mean_importance``, ``mean_confidence``: (weighted) means over the paired
          respondents, so that ``mean_gap = mean_importance - mean_confidence`` and
          ``mwds = mean_gap * mean_importance``;
        - ``mwds_se``: the linearised standard error of ``mwds``;
        - ``mwds_ci_low``, ``mwds_ci_high``: ``mwds ± z mwds_se``;
        - ``weighted``: whether ``weights`` were given;
        - ``suppressed``: ``n`` is below ``codebook.small_cell_threshold``, or this is the next
          smallest group of a breakdown where exactly one group is (complementary
          suppression, as :func:`survey.analysis.results.suppress`). A suppressed row keeps
          ``n`` and has every other figure missing.

    Notes
    -----
    Within a group, with ``G`` the mean gap and ``I`` the mean importance of the ``S`` paired
    respondents (weights ``w``, ``W = sum_S w``), ``mwds = G I`` and its linearised influence
    is ``I z_G + G z_I``, where ``z_G,i = w_i (gap_i - G) / W`` and ``z_I,i = w_i (imp_i - I)
    / W`` are the influences of the two means. That is ``w_i u_i / W`` with
    ``u_i = I (gap_i - G) + G (imp_i - I)`` for ``i`` in ``S`` and 0 elsewhere, and the
    variance is ``n / (n - 1) sum_i (w_i u_i / W)^2`` over all ``n`` respondents of the wave.

    The rows are not rounded.

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> codebook = load_codebook(reference_codebook_path())
    >>> tiny = codebook.model_copy(update={"small_cell_threshold": 1})  # real tables: 10
    >>> respondents = pd.DataFrame({
    ...     "role": ["manager", "manager", "librarian", "librarian"],
    ...     "imp_leadership": [5.0, 4.0, 3.0, 2.0], "comp_leadership": [2.0, 4.0, 1.0, None],
    ...     "imp_advocacy": [4.0, 2.0, None, 5.0], "comp_advocacy": [3.0, 1.0, 2.0, 2.0]})
    >>> table = needs(respondents, tiny, wave="demo")
    >>> columns = ["topic", "by", "group", "n", "top2_importance", "mean_gap", "mwds", "rank"]
    >>> print(table[columns].to_string(index=False))
         topic   by     group  n  top2_importance  mean_gap      mwds  rank
    leadership  all       all  3         0.500000  1.666667  6.666667     1
    leadership role librarian  1         0.000000  2.000000  6.000000     2
    leadership role   manager  2         1.000000  1.500000  6.750000     1
      advocacy  all       all  3         0.666667  1.666667  6.111111     2
      advocacy role librarian  1         1.000000  3.000000 15.000000     1
      advocacy role   manager  2         0.500000  1.000000  3.000000     2
    """
    # a Design stays one: domain_means takes its variance method from it
    w = np.ones(len(respondents)) if weights is None else weights
    shape = np.shape(np.asarray(w, dtype=float))
    if shape != (len(respondents),):
        raise ValueError(f"weights: expected {len(respondents)} values, got shape {shape}")
    breakdowns = groupings(respondents, codebook, domain=domain)
    parts: dict[str, list[npt.NDArray[np.generic]]] = {
        name: [] for name in ("question", "topic", "by", "group", "n", *_MEASURES, *_EXTRA_MEASURES)
    }
    for question in need_grids(codebook):
        importance, confidence = question.items
        top_points = sorted(codebook.scales[importance.scale])[-2:]
        columns = zip(
            question.topics,
            question.grid_columns(importance),
            question.grid_columns(confidence),
            strict=True,
        )
        for topic, imp_column, comp_column in columns:
            if imp_column not in respondents or comp_column not in respondents:
                continue
            imp = _ratings(respondents, imp_column)
            comp = _ratings(respondents, comp_column)
            paired = ~np.isnan(imp) & ~np.isnan(comp)
            gap = np.where(paired, imp - comp, np.nan)
            paired_imp = np.where(paired, imp, np.nan)
            paired_comp = np.where(paired, comp, np.nan)
            top2 = np.where(np.isnan(imp), np.nan, np.isin(imp, top_points).astype(float))
            for by, codes, names in breakdowns:
                size = len(names)
                mean_gap = domain_means(gap, w, codes, groups=size)
                mean_imp = domain_means(paired_imp, w, codes, groups=size)
                mean_comp = domain_means(paired_comp, w, codes, groups=size)
                top2_share = domain_means(top2, w, codes, groups=size)
                g, i = mean_gap.estimate, mean_imp.estimate
                # The MWDS standard error: domain_means on the linearised values
                # u = I (gap - G) + G (imp - I) of the paired respondents (NaN elsewhere).
                # Their weighted mean in each group is 0, so the residual domain_means
                # forms, w (u - mean u), is w u and its SE is exactly the linearised SE of
                # G I, with the same n / (n - 1) over all respondents and zeros outside the
                # group. The "estimate" it returns (0 up to rounding) is not used.
                own = np.where(codes >= 0, codes, 0)
                linearised = np.where(
                    paired & (codes >= 0),
                    i[own] * (gap - g[own]) + g[own] * (imp - i[own]),
                    np.nan,
                )
                mwds_se = domain_means(linearised, w, codes, groups=size).se
                parts["question"].append(np.full(size, question.id, dtype=object))
                parts["topic"].append(np.full(size, topic.code, dtype=object))
                parts["by"].append(np.full(size, by, dtype=object))
                parts["group"].append(np.asarray(names, dtype=object))
                parts["n"].append(mean_gap.n)
                parts["top2_importance"].append(top2_share.estimate)
                parts["mean_gap"].append(g)
                parts["mwds"].append(g * i)
                parts["mean_importance"].append(i)
                parts["mean_confidence"].append(mean_comp.estimate)
                parts["mwds_se"].append(mwds_se)
    if not parts["topic"]:
        return _empty_table()
    table = pd.DataFrame({name: np.concatenate(arrays) for name, arrays in parts.items()})
    table["n"] = table["n"].astype(np.int64)
    table["mwds_ci_low"], table["mwds_ci_high"] = normal_interval(
        table["mwds"], table["mwds_se"], level=level
    )
    table.insert(0, "wave", wave)
    table["weighted"] = weights is not None
    table = _suppress(table, threshold=codebook.small_cell_threshold)
    table["rank"] = _rank(table)
    return table[NEEDS_COLUMNS]


def _suppress(table: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """Apply results.py's suppression rule by handing it the rows in its own columns: a
    breakdown there is (wave, question, option, by, weighted), here (wave, grid, topic, by,
    weighted); the suppressed flags it returns are then applied to every figure of a row."""
    as_results = pd.DataFrame(
        {
            "wave": table["wave"],
            "question": table["question"],
            "option": table["topic"],
            "by": table["by"],
            "group": table["group"],
            "n": table["n"],
            "estimate": table["mwds"],
            "se": table["mwds_se"],
            "ci_low": table["mwds_ci_low"],
            "ci_high": table["mwds_ci_high"],
            "weighted": table["weighted"],
            "suppressed": False,
        }
    )[RESULT_COLUMNS]
    hidden = suppress(as_results, threshold=threshold)["suppressed"].to_numpy(dtype=bool)
    table = table.copy()
    table["suppressed"] = hidden
    table.loc[hidden, _SUPPRESSED_COLUMNS] = np.nan
    return table


def _rank(table: pd.DataFrame) -> pd.Series:
    """1 = biggest MWDS within (wave, by, group, weighted) over unsuppressed rows; ties by
    higher top-2 importance, then codebook topic order (the table's row order)."""
    shown = table[~table["suppressed"] & table["mwds"].notna()].assign(
        position=lambda rows: np.arange(len(rows))
    )
    ordered = shown.sort_values(
        ["mwds", "top2_importance", "position"], ascending=[False, False, True]
    )
    rank = ordered.groupby(["wave", "by", "group", "weighted"], sort=False).cumcount() + 1
    return rank.reindex(table.index).astype("Int64")


def cronbach_alpha(respondents: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Cronbach's alpha of each item of each grid question over its topics.

    Computed with :func:`pingouin.cronbach_alpha` on the item's topic columns (e.g. the 16
    ``imp_<topic>`` columns) with listwise deletion (``nan_policy="listwise"``, R's
    ``psych::alpha(use = "complete.obs")``): only respondents who rated every topic of the item
    count, because "not applicable" is a missing value, never a rating. The rows are dropped
    here, before pingouin is called, so that its Feldt interval uses the number of respondents
    actually analysed (pingouin takes ``n`` before its own deletion). Alpha is unweighted.

    Parameters
    ----------
    respondents
        Processed data of one wave.
    codebook
        The questionnaire; every item of every grid question is used.

    Returns
    -------
    pandas.DataFrame
        One row per grid item:

        - ``question``: the grid question id;
        - ``item``: the item's prefix, e.g. ``imp`` or ``comp``;
        - ``alpha``: Cronbach's alpha;
        - ``ci_low``, ``ci_high``: pingouin's 95% Feldt interval (rounded by pingouin to 3
          decimals);
        - ``n``: the number of respondents who rated every topic of the item.

        Alpha and its interval are missing where fewer than 2 respondents rated every topic;
        an item whose columns are not all in ``respondents`` is skipped.

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> codebook = load_codebook(reference_codebook_path())
    >>> rng = np.random.default_rng(1)
    >>> level = rng.integers(1, 6, size=(50, 1))
    >>> grid = codebook.question("learning_needs")
    >>> respondents = pd.DataFrame(
    ...     np.clip(level + rng.integers(-1, 2, size=(50, 32)), 1, 5).astype(float),
    ...     columns=grid.grid_columns(grid.items[0]) + grid.grid_columns(grid.items[1]))
    >>> respondents.loc[0, "imp_edi"] = np.nan  # "not applicable": respondent 0 is left out
    >>> alpha = cronbach_alpha(respondents, codebook)
    >>> alpha[["item", "n"]].to_dict("list")
    {'item': ['imp', 'comp'], 'n': [49, 50]}
    >>> bool(alpha["alpha"].between(0.9, 1).all())
    True
    """
    import pingouin  # takes about 1.5 s to import: loaded when reliability is first computed

    rows: list[dict[str, object]] = []
    for question in codebook.questions_of(QuestionType.GRID):
        for item in question.items:
            columns = question.grid_columns(item)
            if not all(column in respondents for column in columns):
                continue
            ratings = respondents[columns].apply(pd.to_numeric, errors="coerce").astype(float)
            complete = ratings.dropna(axis=0, how="any")
            alpha, low, high = np.nan, np.nan, np.nan
            if len(complete) >= 2 and len(columns) >= 2:
                # no variance at all (every rating alike) leaves alpha undefined: NaN, quietly
                with np.errstate(invalid="ignore", divide="ignore"):
                    alpha, interval = pingouin.cronbach_alpha(complete, nan_policy="listwise")
                low, high = interval
            rows.append(
                {
                    "question": question.id,
                    "item": item.prefix,
                    "alpha": float(alpha),
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "n": len(complete),
                }
            )
    table = pd.DataFrame(rows, columns=ALPHA_COLUMNS)
    return table.astype({"n": np.int64})
