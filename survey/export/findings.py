"""Headline findings: the engine's tables of a wave as short sentences people can present.

A finding is a difference between a group and everyone, said in plain words::

    School library (K-12) (sector): 74% rate "Teaching patrons: information and digital
    literacy" as very or extremely important, against 46% overall.

Only differences the statistics back are said:

1. the question differs by the dimension: its test of independence (Rao-Scott F when the wave
   is weighted, else the chi-square test; for a rating too sparse for Rao-Scott, the Wald test
   of its mean) is significant after the Benjamini-Hochberg adjustment over the wave's family
   (``p_adjusted < alpha``);
2. the group is published (at or above the codebook's threshold, not suppressed);
3. the group's share differs significantly from at least one other group's, by the
   Holm-adjusted pairwise comparisons behind the significance letters (``letters.csv``): a
   group said to be higher is higher than some group; a group said to be lower is lower than
   some group.

Of the groups that pass, the one furthest from the overall share is named. Findings are
ranked by the test's effect size (Cramér's V, or the square root of eta-squared for a Wald
test: both are a correlation's scale), then by the size of the difference, with at
most ``per_group`` findings about one group so that one distinctive group (trustees, say) does
not fill the headlines. The breakdown dimensions and the codebook's ``profile`` questions
(who the respondents are, not what they need) are not findings.

:func:`change_findings` says what changed since the wave before, from the wave's
``trends.csv``: only changes significant after the Benjamini-Hochberg adjustment of that pair
of waves, everyone's first, then groups', biggest first::

    Everyone: 52% rate "Assessment and evaluation" as very or extremely important, up from 38%
    in 2025.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.codebook import QuestionType
from survey.export import style
from survey.export.tables import ReportTables

__all__ = ["CHANGE_COLUMNS", "FINDING_COLUMNS", "change_findings", "headline_findings"]

FINDING_COLUMNS = [
    "rank",
    "question",
    "option",
    "by",
    "group",
    "n",
    "estimate",
    "overall",
    "difference",
    "test",
    "p_adjusted",
    "effect_size",
    "effect_name",
    "text",
]

CHANGE_COLUMNS = [
    "rank",
    "question",
    "option",
    "by",
    "group",
    "wave_from",
    "wave_to",
    "estimate_from",
    "estimate_to",
    "change",
    "p_adjusted",
    "n_from",
    "n_to",
    "text",
]

_INDEPENDENCE_TESTS = ("rao_scott_f", "chi2_independence")
_RATING_TESTS = ("wald_f",)  # the weighted fallback for a sparse rating table


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def _sentence(tables: ReportTables, row: pd.Series) -> str:
    labels = tables.labels
    question, option, by, group = row["question"], row["option"], row["by"], row["group"]
    who = f"{labels.group(by, group)} ({labels.dimension(by).lower()})"
    share, overall = _percent(row["estimate"]), _percent(row["overall"])
    kind = row["kind"]
    if kind == "grid":
        what = f'rate "{labels.short(question)}" as {labels.option(question, option).lower()}'
    elif kind == "likert":
        what = f'{labels.option(question, option).lower()}: "{labels.question(question)}"'
    else:
        what = f'chose "{labels.option(question, option)}" for "{labels.question(question)}"'
    return f"{who}: {share} {what}, against {overall} overall."


def _kind(tables: ReportTables, name: str) -> tuple[str, str, str | None] | None:
    """``(kind, results question, fixed option)`` of a tested question name."""
    codebook = tables.codebook
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


def headline_findings(
    tables: ReportTables,
    *,
    alpha: float = 0.05,
    limit: int | None = 12,
    per_group: int | None = 2,
) -> pd.DataFrame:
    """The wave's headline findings, strongest first.

    Parameters
    ----------
    tables
        The wave's tables (:func:`~survey.export.tables.load_tables`).
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
        its name) and ``text``, the sentence.

    Examples
    --------
    >>> from pathlib import Path
    >>> from survey.codebook import load_codebook
    >>> from survey.export.tables import load_tables
    >>> import tempfile
    >>> from survey.pipeline import process_wave
    >>> book = load_codebook("data/raw/codebook.yaml")
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = process_wave(book, book.wave("2024"), out_dir=folder, processed_dir=folder)
    >>> findings = headline_findings(load_tables(folder, book), limit=None, per_group=None)
    >>> school = findings.query("question == 'imp_literacy_instruction' and by == 'sector'")
    >>> school[["group", "option"]].values.tolist()
    [['school', 'top2']]
    """
    results = tables.shown("results")
    published = results[~results["suppressed"] & (results["n"] >= tables.threshold)]
    overall = published[published["by"] == "all"][["question", "option", "estimate"]].rename(
        columns={"estimate": "overall"}
    )
    groups = published[published["by"] != "all"].merge(
        overall, on=["question", "option"], how="inner"
    )
    groups = groups.merge(
        _supported(tables.shown("letters"))[
            ["question", "option", "by", "group", "higher", "lower"]
        ],
        on=["question", "option", "by", "group"],
        how="inner",
    )
    groups["difference"] = groups["estimate"] - groups["overall"]
    groups = groups[
        ((groups["difference"] > 0) & groups["higher"])
        | ((groups["difference"] < 0) & groups["lower"])
    ]

    tests = tables.shown("tests")
    tests = tests[
        tests["test"].isin(_INDEPENDENCE_TESTS + _RATING_TESTS)
        & (tests["p_adjusted"] < alpha)
        & ~tests["question"].isin([*tables.codebook.dimensions, *tables.codebook.profile])
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
        kind = _kind(tables, str(test["question"]))
        if kind is None:
            continue
        name, question, option = kind
        if test["test"] in _RATING_TESTS and name not in ("grid", "likert"):
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
    findings["text"] = [_sentence(tables, row) for _, row in findings.iterrows()]
    findings["magnitude"] = findings["difference"].abs()
    findings["strength"] = np.where(
        findings["effect_name"] == "eta_squared",
        np.sqrt(findings["effect_size"].astype(float)),
        findings["effect_size"].astype(float),
    )
    findings = findings.sort_values(
        ["strength", "magnitude", "question", "by"],
        ascending=[False, False, True, True],
        kind="stable",
    ).reset_index(drop=True)
    if per_group is not None:
        findings = findings[findings.groupby(["by", "group"]).cumcount() < per_group]
    if limit is not None:
        findings = findings.head(limit)
    findings["rank"] = range(1, len(findings) + 1)
    return findings[FINDING_COLUMNS]


def _change_sentence(tables: ReportTables, row: pd.Series) -> str:
    labels = tables.labels
    question, option, by, group = row["question"], row["option"], row["by"], row["group"]
    who = (
        "Everyone" if by == "all" else f"{labels.group(by, group)} ({labels.dimension(by).lower()})"
    )
    direction = "up" if row["change"] > 0 else "down"
    since = f"{direction} from {{before}} in {row['wave_from']}"
    if option == "mean":
        before, after = style.value(row["estimate_from"]), style.value(row["estimate_to"])
        what = f'the mean of "{labels.question(question)}" is {after}'
        return f"{who}: {what}, {since.format(before=before)}."
    before, after = style.percent(row["estimate_from"]), style.percent(row["estimate_to"])
    kind = _kind(tables, question if option in ("top2",) else f"{question}__{option}")
    name = kind[0] if kind else "single"
    if name == "grid":
        what = f'rate "{labels.short(question)}" as {labels.option(question, option).lower()}'
    elif name == "likert":
        what = f'{labels.option(question, option).lower()}: "{labels.question(question)}"'
    else:
        what = f'chose "{labels.option(question, option)}" for "{labels.question(question)}"'
    return f"{who}: {after} {what}, {since.format(before=before)}."


def change_findings(
    tables: ReportTables,
    *,
    since: str | None = None,
    limit: int | None = 8,
    per_question: int | None = 2,
) -> pd.DataFrame:
    """What changed significantly since an earlier wave (by default the wave before).

    Parameters
    ----------
    tables
        The wave's tables, with its history (``trends.csv``).
    since
        The earlier wave (``None``: :attr:`~survey.export.tables.ReportTables.previous_wave`).
    limit
        At most this many changes (``None``: all).
    per_question
        At most this many changes of one question's option (``None``: no cap), so that one
        big shift (everyone's, then each group's) does not fill the list.

    Returns
    -------
    pandas.DataFrame
        ``CHANGE_COLUMNS``: the shown rows (weighted for a weighted wave) of the wave's trends
        from ``since`` to this wave that are significant after adjustment, everyone's first,
        then by size of the change; a rating is said by its top-2 share, not its mean (the
        mean of a number is said as a mean). Dimensions and ``profile`` questions are left
        out, as in :func:`headline_findings`. Empty for a first wave.
    """
    since = since or tables.previous_wave
    trends = tables.trends
    if since is None or trends.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    ratings = {
        name
        for question in tables.codebook.questions
        if question.type in (QuestionType.GRID, QuestionType.LIKERT)
        for name in (
            [question.id]
            if question.type is QuestionType.LIKERT
            else [c for item in question.items for c in question.grid_columns(item)]
        )
    }
    left_out = {*tables.codebook.dimensions, *tables.codebook.profile}
    rows = trends[
        (trends["weighted"].astype(str).str.lower() == str(tables.weighted).lower())
        & (trends["wave_from"] == since)
        & (trends["wave_to"] == tables.wave)
        & trends["significant"].astype(bool)
        & ~trends["question"].isin(left_out)
        & ~((trends["option"] == "mean") & trends["question"].isin(ratings))
    ].copy()
    if rows.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    rows["everyone"] = rows["by"] == "all"
    rows["size"] = rows["change"].abs()
    rows = rows.sort_values(
        ["everyone", "size", "question", "by", "group"],
        ascending=[False, False, True, True, True],
        kind="stable",
    ).reset_index(drop=True)
    if per_question is not None:
        rows = rows[rows.groupby(["question", "option"]).cumcount() < per_question]
    if limit is not None:
        rows = rows.head(limit)
    rows = rows.reset_index(drop=True)
    rows["text"] = [_change_sentence(tables, row) for _, row in rows.iterrows()]
    rows["rank"] = range(1, len(rows) + 1)
    return rows[CHANGE_COLUMNS]
