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
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.analysis.methods import ALPHA, HypothesisTest
from survey.analysis.results import CELL_COLUMNS, block_numbers
from survey.codebook import Codebook, Question, QuestionType

__all__ = [
    "RANKING_COLUMNS",
    "TREND_COLUMNS",
    "TREND_FLAG_COLUMNS",
    "WAVE_CHANGE_COLUMNS",
    "topic_rankings",
    "trends",
]

#: What a change between two waves is: its figure, its waves and the estimates in each.
WAVE_CHANGE_COLUMNS = [
    *CELL_COLUMNS,
    "wave_from",
    "wave_to",
    "estimate_from",
    "estimate_to",
    "change",
]

TREND_COLUMNS = [
    *WAVE_CHANGE_COLUMNS,
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
    alpha: float = ALPHA,
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
    # scipy.stats takes about a second to import: loaded when a test first runs
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

    def trendable(table: pd.DataFrame) -> npt.NDArray[np.int64]:
        """The rows a change is tested on (their places in ``table``)."""
        rating = table["question"].isin(scale_points)
        kept = (
            ~table["suppressed"]
            & table["estimate"].notna()
            & (~rating | table["option"].isin(["top2", "mean"]))
        )
        return np.flatnonzero(kept.to_numpy(dtype=bool))

    tables = {wave: results_by_wave[wave].reset_index(drop=True) for wave in waves}
    rows = {wave: trendable(tables[wave]) for wave in waves}
    # every row's (question, option, breakdown, group, weighting) as one number, the same in
    # every wave, so that a pair of waves is joined on numbers, not on five text columns
    numbered = block_numbers(pd.concat([tables[wave][_KEYS] for wave in waves]), _KEYS)
    ends = np.cumsum([len(tables[wave]) for wave in waves])
    key = {
        wave: part[rows[wave]]
        for wave, part in zip(waves, np.split(numbered, ends[:-1]), strict=True)
    }
    # each pair's rows: those of the first wave with a partner in the second (in the first
    # wave's order, as an inner join), of the questions that can be compared
    joined: list[tuple[str, str, npt.NDArray[np.int64], npt.NDArray[np.int64]]] = []
    flags = []
    for first, second in pairs:
        partners = pd.Index(key[second])
        if not partners.is_unique or not pd.Index(key[first]).is_unique:
            raise ValueError(
                f"waves {first} and {second}: a results table has two rows for one question, "
                "option and group"
            )
        at = partners.get_indexer(pd.Index(key[first]))
        found = at >= 0
        mine, theirs = rows[first][found], rows[second][at[found]]
        names = tables[first]["question"].to_numpy(dtype=object)[mine]
        reasons = {
            name: _comparable(questions[name], first, second)
            for name in pd.unique(names)
            if name in questions
        }
        for name, reason in reasons.items():
            if reason is not None:
                flags.append(
                    {"question": name, "wave_from": first, "wave_to": second, "reason": reason}
                )
        comparable_names = {name for name, reason in reasons.items() if reason is None}
        comparable = np.array([name in comparable_names for name in names], dtype=bool)
        joined.append((first, second, mine[comparable], theirs[comparable]))
    if sum(len(mine) for _, _, mine, _ in joined) == 0:
        return pd.DataFrame(columns=TREND_COLUMNS), pd.DataFrame(flags, columns=TREND_FLAG_COLUMNS)

    arrays: dict[tuple[str, str], npt.NDArray[Any]] = {}

    def column(name: str, side: int) -> npt.NDArray[Any]:
        """A column of every pair's rows, from the first (0) or second (1) wave's table."""
        parts = []
        for first, second, mine, theirs in joined:
            wave, places = (first, mine) if side == 0 else (second, theirs)
            if (wave, name) not in arrays:
                arrays[wave, name] = tables[wave][name].to_numpy()
            parts.append(arrays[wave, name][places])
        return np.concatenate(parts)

    sizes = [len(mine) for _, _, mine, _ in joined]
    data: dict[str, Any] = {
        name: pd.Series(column(name, 0).astype(object), dtype=tables[waves[0]][name].dtype)
        for name in ("question", "option", "by", "group")
    }
    data["wave_from"] = np.repeat(np.array([pair[0] for pair in joined], dtype=object), sizes)
    data["wave_to"] = np.repeat(np.array([pair[1] for pair in joined], dtype=object), sizes)
    e_a, e_b = column("estimate", 0).astype(float), column("estimate", 1).astype(float)
    se_a, se_b = column("se", 0).astype(float), column("se", 1).astype(float)
    n_a, n_b = column("n", 0).astype(float), column("n", 1).astype(float)
    share = (column("option", 0) != "mean").astype(bool)
    weighted = column("weighted", 0).astype(bool)
    pooled = (e_a * n_a + e_b * n_b) / (n_a + n_b)
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(
            ~weighted & share,
            np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b)),
            np.sqrt(se_a**2 + se_b**2),
        )
        z = (e_b - e_a) / spread
    p = np.where(spread > 0, 2 * norm.sf(np.abs(z)), np.where(e_a == e_b, 1.0, 0.0))
    # Benjamini-Hochberg within each pair of waves and weighting
    family = np.repeat(np.arange(len(joined)), sizes) * 2 + weighted
    adjusted = np.empty(len(p))
    for number in pd.unique(family):
        members = np.flatnonzero(family == number)
        adjusted[members] = false_discovery_control(p[members], method="bh")
    data |= {
        "estimate_from": e_a,
        "estimate_to": e_b,
        "change": e_b - e_a,
        "p": p,
        "significant": adjusted < alpha,
        "p_adjusted": adjusted,
        "test": np.where(
            weighted,
            HypothesisTest.DESIGN_DIFFERENCE_Z,
            np.where(share, HypothesisTest.TWO_PROPORTION_Z, HypothesisTest.DIFFERENCE_Z),
        ),
        "n_from": column("n", 0).astype(int),
        "n_to": column("n", 1).astype(int),
        "weighted": weighted,
    }
    table = pd.DataFrame(data)
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
