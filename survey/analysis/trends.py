"""Change between yearly waves: ``trends.csv``.

Each wave is an independent sample, so the change in an estimate between two waves is tested
with the two waves' own standard errors:

- weighted: the design-based difference, ``z = (e_b - e_a) / sqrt(se_a^2 + se_b^2)`` (two
  independent designs without strata or clusters: their linearised values never overlap);
- unweighted: the classic two-proportion z test with the pooled share for a share, and the same
  difference-of-means z for a mean.

Estimates are compared between consecutive waves and, with three waves or more, first to last.
Only what can be compared is trended: a question asked in both waves with the same options (the
codebook's ``waves:`` on a question or an option says when it was offered; a renamed question
keeps its new id in every wave, see ``renamed_from``). A question whose options changed is
reported in the flags table and never trended. Suppressed rows are not trended, and p-values
get a Benjamini-Hochberg adjustment within each pair of waves and kind of row (weighted or
not: one family is what a report shows of one comparison, and adding next year's wave never
changes what an earlier comparison said); ``significant``
is ``p_adjusted < alpha``. For ratings, the top-2 share and the mean are trended, not each
scale point.

:func:`topic_rankings` follows the learning-needs ranking (``needs.csv``'s ``rank``, by MWDS)
of every topic across the waves.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

import numpy as np
import pandas as pd

from survey.codebook import Codebook, Question, QuestionType

__all__ = ["RANKING_COLUMNS", "TREND_COLUMNS", "TREND_FLAG_COLUMNS", "topic_rankings", "trends"]

TREND_COLUMNS = [
    "question",
    "option",
    "by",
    "group",
    "wave_from",
    "wave_to",
    "estimate_from",
    "estimate_to",
    "change",
    "p",
    "significant",
    "p_adjusted",
    "test",
    "n_from",
    "n_to",
    "weighted",
]
TREND_FLAG_COLUMNS = ["question", "wave_from", "wave_to", "reason"]
RANKING_COLUMNS = [
    "topic",
    "by",
    "group",
    "weighted",
    "wave",
    "rank",
    "rank_before",
    "mwds",
    "top2_importance",
    "n",
]

_KEYS = ["question", "option", "by", "group", "weighted"]


def _question_of(codebook: Codebook) -> dict[str, Question]:
    """Each name ``results.csv`` uses (a question id or a grid column) -> its question."""
    names: dict[str, Question] = {}
    for question in codebook.questions:
        names[question.id] = question
        for item in question.items:
            for column in question.grid_columns(item):
                names[column] = question
    return names


def _offered(question: Question, wave: str) -> tuple[bool, frozenset[str]]:
    """Was the question asked in the wave, and which options were offered."""
    asked = question.waves is None or wave in question.waves
    options = frozenset(
        option.code for option in question.options if option.waves is None or wave in option.waves
    )
    return asked, options


def _comparable(question: Question, first: str, second: str) -> str | None:
    """Why a question cannot be trended between two waves, or ``None`` when it can."""
    asked_a, options_a = _offered(question, first)
    asked_b, options_b = _offered(question, second)
    if not (asked_a and asked_b):
        return f"not asked in {first if not asked_a else second}"
    if options_a != options_b:
        added, dropped = sorted(options_b - options_a), sorted(options_a - options_b)
        parts = [f"added {added}" if added else "", f"dropped {dropped}" if dropped else ""]
        return "options changed: " + ", ".join(part for part in parts if part)
    return None


def trends(
    results_by_wave: Mapping[str, pd.DataFrame],
    codebook: Codebook,
    *,
    alpha: float = 0.05,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The changes between waves, and the questions that could not be compared.

    Parameters
    ----------
    results_by_wave
        Each wave's ``results.csv`` (suppressed), in wave order.
    codebook
        Says which questions and options each wave asked.
    alpha
        The level ``p_adjusted`` must be under to call a change significant.

    Returns
    -------
    tuple of pandas.DataFrame
        ``trends`` (``TREND_COLUMNS``: the contract's columns, then ``p_adjusted``, the test,
        the two bases and ``weighted``) and ``flags`` (``TREND_FLAG_COLUMNS``: one row per
        question and pair of waves not trended, with the reason).

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> book = load_codebook(reference_codebook_path())
    >>> def wave(name, share, n):
    ...     return pd.DataFrame({"wave": name, "question": "paid_time", "option": "all",
    ...         "by": "all", "group": "all", "n": n, "estimate": share,
    ...         "se": (share * (1 - share) / n) ** 0.5, "weighted": False, "suppressed": False},
    ...         index=[0])
    >>> table, flags = trends({"2024": wave("2024", 0.40, 400), "2025": wave("2025", 0.50, 400)},
    ...                       book)
    >>> row = table.iloc[0]
    >>> round(float(row["change"]), 2), round(float(row["p"]), 4), bool(row["significant"])
    (0.1, 0.0045, True)
    """
    from scipy.stats import false_discovery_control, norm

    waves = list(results_by_wave)
    pairs: list[tuple[str, str]] = list(pairwise(waves))
    if len(waves) > 2:
        pairs.append((waves[0], waves[-1]))
    questions = _question_of(codebook)
    scale_points = {
        name
        for name, question in questions.items()
        if question.type in (QuestionType.LIKERT, QuestionType.GRID)
    }

    def trendable(table: pd.DataFrame) -> pd.DataFrame:
        rows = table[~table["suppressed"] & table["estimate"].notna()]
        rating = rows["question"].isin(scale_points)
        return rows[~rating | rows["option"].isin(["top2", "mean"])]

    compared = {wave: trendable(results_by_wave[wave]) for wave in waves}
    frames, flags = [], []
    for first, second in pairs:
        merged = compared[first].merge(compared[second], on=_KEYS, suffixes=("_from", "_to"))
        reasons = {
            name: _comparable(questions[name], first, second)
            for name in merged["question"].unique()
            if name in questions
        }
        for name, reason in reasons.items():
            if reason is not None:
                flags.append(
                    {"question": name, "wave_from": first, "wave_to": second, "reason": reason}
                )
        kept = [name for name, reason in reasons.items() if reason is None]
        merged = merged[merged["question"].isin(kept)]
        frames.append(merged.assign(wave_from=first, wave_to=second))
    if not frames or all(frame.empty for frame in frames):
        return pd.DataFrame(columns=TREND_COLUMNS), pd.DataFrame(flags, columns=TREND_FLAG_COLUMNS)
    table = pd.concat(frames, ignore_index=True)

    e_a, e_b = table["estimate_from"].to_numpy(float), table["estimate_to"].to_numpy(float)
    se_a, se_b = table["se_from"].to_numpy(float), table["se_to"].to_numpy(float)
    n_a, n_b = table["n_from"].to_numpy(float), table["n_to"].to_numpy(float)
    share = (table["option"] != "mean").to_numpy()
    weighted = table["weighted"].to_numpy(bool)
    pooled = (e_a * n_a + e_b * n_b) / (n_a + n_b)
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(
            ~weighted & share,
            np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b)),
            np.sqrt(se_a**2 + se_b**2),
        )
        z = (e_b - e_a) / spread
    table["change"] = e_b - e_a
    table["p"] = np.where(spread > 0, 2 * norm.sf(np.abs(z)), np.where(e_a == e_b, 1.0, 0.0))
    table["test"] = np.where(
        weighted, "design_difference_z", np.where(share, "two_proportion_z", "difference_z")
    )
    table["p_adjusted"] = table.groupby(["wave_from", "wave_to", "weighted"], sort=False)[
        "p"
    ].transform(lambda p: false_discovery_control(p.to_numpy(float), method="bh"))
    table["significant"] = table["p_adjusted"] < alpha
    table["n_from"] = table["n_from"].astype(int)
    table["n_to"] = table["n_to"].astype(int)
    return (
        table[TREND_COLUMNS].reset_index(drop=True),
        pd.DataFrame(flags, columns=TREND_FLAG_COLUMNS),
    )


def topic_rankings(needs_by_wave: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each topic's learning-need rank in every wave, beside its rank in the wave before.

    Parameters
    ----------
    needs_by_wave
        Each wave's ``needs.csv`` (suppressed), in wave order.

    Returns
    -------
    pandas.DataFrame
        ``RANKING_COLUMNS``: one row per topic, group and wave where the topic was ranked
        (suppressed rows have no rank), with ``rank_before`` the rank in the previous wave
        (empty when it was not ranked there). Ranks are positions among the topics the wave
        asked about, so a topic added or dropped moves the others by one.

    Examples
    --------
    >>> def wave(name, order):
    ...     return pd.DataFrame({"wave": name, "topic": order, "by": "all", "group": "all",
    ...         "weighted": False, "rank": range(1, len(order) + 1), "mwds": 0.0,
    ...         "top2_importance": 0.5, "n": 100, "suppressed": False})
    >>> table = topic_rankings({"2024": wave("2024", ["a", "b"]), "2025": wave("2025", ["b", "a"])})
    >>> print(table[["wave", "topic", "rank", "rank_before"]].to_string(index=False))
    wave topic  rank  rank_before
    2024     a     1         <NA>
    2024     b     2         <NA>
    2025     b     1            2
    2025     a     2            1
    """
    keys = ["topic", "by", "group", "weighted"]
    frames, before = [], None
    for name, table in needs_by_wave.items():
        ranked = table[table["rank"].notna()]
        if "suppressed" in ranked:
            ranked = ranked[~ranked["suppressed"].astype(bool)]
        ranked = ranked.assign(wave=name, rank=ranked["rank"].astype("Int64"))
        current = ranked[[*keys, "wave", "rank", "mwds", "top2_importance", "n"]]
        if before is None:
            current = current.assign(rank_before=pd.array([pd.NA] * len(current), "Int64"))
        else:
            earlier = before[[*keys, "rank"]].rename(columns={"rank": "rank_before"})
            current = current.merge(earlier, on=keys, how="left")
        frames.append(current[RANKING_COLUMNS])
        before = ranked
    if not frames:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    table["rank_before"] = table["rank_before"].astype("Int64")
    return table
