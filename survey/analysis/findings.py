"""Headline findings: which differences between groups, and which changes between waves, a
report leads with. This module selects and ranks them; :mod:`survey.report.findings` says them
in words.

A finding is a difference between a group and everyone. Only differences the statistics back
are chosen:

1. the question differs by the dimension: its test of independence (Rao-Scott F when the wave
   is weighted, else the chi-square test; for a rating too sparse for Rao-Scott, the Wald test
   of its mean) is significant after the Benjamini-Hochberg adjustment over the wave's family
   (``p_adjusted < alpha``);
2. the group is published (the caller passes only the rows the report model publishes);
3. the group's share differs significantly from at least one other group's, by the
   Holm-adjusted pairwise comparisons behind the significance letters (``letters.csv``): a
   group said to be higher is higher than some group; a group said to be lower is lower than
   some group.

Of the groups that pass, the one furthest from the overall share is chosen. Findings are
ranked by the test's effect size (Cramér's V, or the square root of eta-squared for a Wald
test: both are a correlation's scale), then by the size of the difference, with at
most ``per_group`` findings about one group so that one distinctive group (trustees, say) does
not fill the headlines. The breakdown dimensions and the codebook's ``profile`` questions
(who the respondents are, not what they need) are not findings.

:func:`select_changes` chooses what changed since an earlier wave from the wave's
``trends.csv``: only changes significant after the Benjamini-Hochberg adjustment of that pair
of waves, everyone's first, then groups', biggest first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.analysis.methods import ALPHA, EffectSize, HypothesisTest
from survey.analysis.results import CELL_COLUMNS
from survey.analysis.trends import WAVE_CHANGE_COLUMNS
from survey.codebook import Codebook, QuestionType

__all__ = [
    "CHANGE_COLUMNS",
    "FINDING_COLUMNS",
    "INDEPENDENCE_TESTS",
    "RATING_TESTS",
    "finding_kind",
    "select_changes",
    "select_findings",
]

#: A selected finding, as :func:`select_findings` returns it (``kind``: ``single``,
#: ``multi``, ``likert`` or ``grid``, how the report says it).
FINDING_COLUMNS = [
    "rank",
    *CELL_COLUMNS,
    "n",
    "estimate",
    "overall",
    "difference",
    "test",
    "p_adjusted",
    "effect_size",
    "effect_name",
    "kind",
]

#: A selected change, as :func:`select_changes` returns it.
CHANGE_COLUMNS = [
    "rank",
    *WAVE_CHANGE_COLUMNS,
    "p_adjusted",
    "n_from",
    "n_to",
]

#: How findings rank (column: ascending): the strongest effect, then the largest difference.
_FINDING_ORDER = {"strength": False, "magnitude": False, "question": True, "by": True}
#: How changes rank: those of everyone first, then the largest.
_CHANGE_ORDER = {"everyone": False, "size": False, "question": True, "by": True, "group": True}

#: The tests of independence a finding rests on.
INDEPENDENCE_TESTS = (HypothesisTest.RAO_SCOTT_F, HypothesisTest.CHI2_INDEPENDENCE)
#: The weighted fallback for a rating table too sparse for Rao-Scott.
RATING_TESTS = (HypothesisTest.WALD_F,)


def finding_kind(codebook: Codebook, name: str) -> tuple[str, str, str | None] | None:
    """``(kind, results question, fixed option)`` of a tested question name: how a finding
    about it is said, the question its shares are under, and the option said (``None``: the
    group's furthest option).

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> book = load_codebook(reference_codebook_path())
    >>> finding_kind(book, "barriers__travel"), finding_kind(book, "imp_leadership")
    (('multi', 'barriers', 'travel'), ('grid', 'imp_leadership', 'top2'))
    """
    by_id = {question.id: question for question in codebook.questions}
    if name in by_id:
        question = by_id[name]
        if question.type is QuestionType.LIKERT:
            return "likert", name, "top2"
        if question.type is QuestionType.SINGLE:
            return "single", name, None
        return None
    if "__" in name:
        question_id, option = name.split("__", 1)
        multi = by_id.get(question_id)
        if multi is not None and multi.type is QuestionType.MULTI:
            return "multi", question_id, option
        return None
    for question in codebook.questions_of(QuestionType.GRID):
        for item in question.items:
            if name in question.grid_columns(item):
                return "grid", name, "top2"
    return None


def _supported(letters: pd.DataFrame) -> pd.DataFrame:
    """For each lettered group: is it higher than some group, and lower than some group?"""
    if letters.empty:
        return letters.assign(higher=pd.Series(dtype=bool), lower=pd.Series(dtype=bool))
    keys = ["question", "option", "by"]
    # the columns as lists: far faster to walk than their Arrow strings, value by value
    pairs = [
        (question, option, by, letter)
        for question, option, by, higher in zip(
            letters["question"].tolist(),
            letters["option"].tolist(),
            letters["by"].tolist(),
            letters["higher_than"].tolist(),
            strict=True,
        )
        if isinstance(higher, str)
        for letter in higher
    ]
    beaten = (
        pd.DataFrame(pairs, columns=[*keys, "letter"], dtype="string")
        .drop_duplicates()
        .assign(lower=True)
    )
    out = letters.merge(beaten, on=[*keys, "letter"], how="left")
    out["lower"] = out["lower"].astype("boolean").fillna(False).astype(bool)
    out["higher"] = out["higher_than"].fillna("").str.len() > 0
    return out


def select_findings(
    published: pd.DataFrame,
    letters: pd.DataFrame,
    tests: pd.DataFrame,
    *,
    codebook: Codebook,
    alpha: float = ALPHA,
    limit: int | None = 12,
    per_group: int | None = 2,
) -> pd.DataFrame:
    """The wave's headline findings, strongest first.

    Parameters
    ----------
    published
        The ``results.csv`` rows a report may show (one weighting; the report model's
        :meth:`~survey.report.model.ReportModel.published_results`).
    letters, tests
        The same weighting's rows of ``letters.csv`` and ``tests.csv``.
    codebook
        The questionnaire (what kind of question each tested name is).
    alpha
        The level the adjusted p-value of a test must be under.
    limit
        At most this many findings (``None``: all).
    per_group
        At most this many findings about one group of a dimension (``None``: no cap).

    Returns
    -------
    pandas.DataFrame
        One row per finding, columns ``FINDING_COLUMNS``: ``rank`` (1 = strongest),
        ``question``/``option``/``by``/``group`` (codes as in ``results.csv``), ``n`` (the
        group's base), ``estimate`` (the group's share), ``overall`` (everyone's share),
        ``difference`` (estimate - overall), the test (name, ``p_adjusted``, effect size and
        its name) and ``kind`` (how it is said: ``single``, ``multi``, ``likert``, ``grid``).
    """
    overall = published[published["by"] == "all"][["question", "option", "estimate"]].rename(
        columns={"estimate": "overall"}
    )
    groups = published[published["by"] != "all"].merge(
        overall, on=["question", "option"], how="inner"
    )
    groups = groups.merge(
        _supported(letters)[["question", "option", "by", "group", "higher", "lower"]],
        on=["question", "option", "by", "group"],
        how="inner",
    )
    groups["difference"] = groups["estimate"] - groups["overall"]
    groups = groups[
        ((groups["difference"] > 0) & groups["higher"])
        | ((groups["difference"] < 0) & groups["lower"])
    ]
    tests = tests[
        tests["test"].isin(INDEPENDENCE_TESTS + RATING_TESTS)
        & (tests["p_adjusted"] < alpha)
        & ~tests["question"].isin([*codebook.dimensions, *codebook.profile])
    ]
    groups = groups[groups["option"] != "mean"].reset_index(drop=True)
    # each test's candidates from a dict, not from boolean masks over every group, test by test
    rows = groups[
        ["question", "option", "by", "group", "n", "estimate", "overall", "difference"]
    ].to_dict("records")
    candidates: dict[tuple[str, str], list[int]] = {}
    for position, (question, by) in enumerate(
        zip(groups["question"].tolist(), groups["by"].tolist(), strict=True)
    ):
        candidates.setdefault((question, by), []).append(position)
    chosen = []
    for test in tests.to_dict("records"):
        kind = finding_kind(codebook, str(test["question"]))
        if kind is None:
            continue
        name, question, option = kind
        if test["test"] in RATING_TESTS and name not in ("grid", "likert"):
            continue  # a number's mean is not a share to name a group by
        found = [
            rows[position]
            for position in candidates.get((question, test["by"]), [])
            if option is None or rows[position]["option"] == option
        ]
        if not found:
            continue
        best = found[int(np.abs([row["difference"] for row in found]).argmax())]
        finding = {**best, "kind": name}
        for key in ("test", "p_adjusted", "effect_size", "effect_name"):
            finding[key] = test[key]
        chosen.append(finding)
    if not chosen:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    findings = pd.DataFrame(chosen)
    findings["magnitude"] = findings["difference"].abs()
    findings["strength"] = np.where(
        findings["effect_name"] == EffectSize.ETA_SQUARED,
        np.sqrt(findings["effect_size"].astype(float)),
        findings["effect_size"].astype(float),
    )
    return _ranked(findings, _FINDING_ORDER, ["by", "group"], per_group, limit)[FINDING_COLUMNS]


def select_changes(
    trends: pd.DataFrame,
    *,
    codebook: Codebook,
    wave: str,
    since: str | None,
    weighted: bool,
    limit: int | None = 8,
    per_question: int | None = 2,
) -> pd.DataFrame:
    """What changed significantly between wave ``since`` and ``wave``.

    Parameters
    ----------
    trends
        The wave's history (``trends.csv``).
    codebook
        The questionnaire (dimensions, profile questions and ratings are treated apart).
    wave, since
        The later and the earlier wave (``since`` ``None``: nothing to compare).
    weighted
        Which rows of the history: the weighted ones for a weighted wave.
    limit
        At most this many changes (``None``: all).
    per_question
        At most this many changes of one question's option (``None``: no cap), so that one
        big shift (everyone's, then each group's) does not fill the list.

    Returns
    -------
    pandas.DataFrame
        ``CHANGE_COLUMNS``: the rows of the history from ``since`` to ``wave`` that are
        significant after adjustment, everyone's first, then by size of the change; a rating
        is said by its top-2 share, not its mean (the mean of a number is said as a mean).
        Dimensions and ``profile`` questions are left out, as in :func:`select_findings`.
        Empty for a first wave.
    """
    if since is None or trends.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    ratings = {
        name
        for question in codebook.questions
        if question.type in (QuestionType.GRID, QuestionType.LIKERT)
        for name in (
            [question.id]
            if question.type is QuestionType.LIKERT
            else [c for item in question.items for c in question.grid_columns(item)]
        )
    }
    left_out = {*codebook.dimensions, *codebook.profile}
    rows = trends[
        (trends["weighted"].astype(str).str.lower() == str(weighted).lower())
        & (trends["wave_from"] == since)
        & (trends["wave_to"] == wave)
        & trends["significant"].astype(bool)
        & ~trends["question"].isin(left_out)
        & ~((trends["option"] == "mean") & trends["question"].isin(ratings))
    ].copy()
    if rows.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    rows["everyone"] = rows["by"] == "all"
    rows["size"] = rows["change"].abs()
    return _ranked(rows, _CHANGE_ORDER, ["question", "option"], per_question, limit)[CHANGE_COLUMNS]


def _ranked(
    rows: pd.DataFrame,
    order: dict[str, bool],
    within: list[str],
    per: int | None,
    limit: int | None,
) -> pd.DataFrame:
    """``rows`` sorted stably by ``order`` (column: ascending), at most ``per`` of each group
    of ``within`` and ``limit`` in all, numbered from 1 in ``rank``, indexed 0..n-1."""
    rows = rows.sort_values(list(order), ascending=list(order.values()), kind="stable")
    rows = rows.reset_index(drop=True)
    if per is not None:
        rows = rows[rows.groupby(within).cumcount() < per]
    if limit is not None:
        rows = rows.head(limit)
    rows = rows.reset_index(drop=True)
    rows["rank"] = range(1, len(rows) + 1)
    return rows
