"""The ``results.csv`` table: every estimate of a wave, overall and by each breakdown.

One row per estimate with the contract's columns
``wave, question, option, by, group, n, estimate, se, ci_low, ci_high, weighted, suppressed``:

- a single-choice question: the share choosing each option, over those who answered;
- a multi-select question: each option as a yes/no share, over those who answered it;
- a Likert item or grid rating: the share at each scale point, ``top2`` (the two highest
  points) and ``mean``;
- a number question: ``mean``.

``n`` is the unweighted number of valid answers in the group. Rows describing fewer respondents
than the codebook's threshold are suppressed, and so is the next smallest group of a breakdown
where one suppressed group could be recovered from the total and the others (complementary
suppression); a suppressed row keeps ``n`` but has no estimate, SE or interval.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.analysis.estimates import beta_interval, domain_means, normal_interval
from survey.codebook import Codebook, QuestionType

__all__ = [
    "RESULT_COLUMNS",
    "Variable",
    "estimate_table",
    "groupings",
    "results",
    "suppress",
    "variables",
]

Floats = npt.NDArray[np.float64]

#: How many answers (respondents x variables) :func:`estimate_table` estimates in one block.
_BLOCK = 1 << 14

RESULT_COLUMNS = [
    "wave",
    "question",
    "option",
    "by",
    "group",
    "n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "weighted",
    "suppressed",
]


@dataclass(frozen=True)
class Variable:
    """One estimated quantity: a 0/1 indicator (a share) or a number (a mean); NaN where the
    question was not answered."""

    question: str
    option: str
    values: npt.NDArray[np.float64]
    share: bool


def _indicator(column: pd.Series, chosen: pd.Series) -> npt.NDArray[np.float64]:
    answered = column.notna().to_numpy()
    return np.where(answered, chosen.fillna(False).to_numpy(dtype=bool), np.nan).astype(float)


def _shares(answered: npt.NDArray[np.bool_], chosen: npt.NDArray[np.bool_]) -> Floats:
    """:func:`_indicator` on arrays: 1 chosen, 0 not, NaN unanswered."""
    return np.where(answered, chosen, np.nan)


def variables(
    respondents: pd.DataFrame, codebook: Codebook, *, scale_points: bool = True
) -> Iterator[Variable]:
    """Every quantity ``results.csv`` estimates, in questionnaire order (without each rating's
    share per scale point when not ``scale_points``: changes between waves use only its top-2
    share and mean)."""
    for question in codebook.questions:
        if question.type is QuestionType.SINGLE and question.id in respondents:
            # each answer's position among the column's distinct answers (-1: none), once
            answer, present = pd.factorize(respondents[question.id])
            position = {value: number for number, value in enumerate(present)}
            for code in question.option_codes():
                chosen = answer == position.get(code, -2)
                yield Variable(question.id, code, _shares(answer >= 0, chosen), True)
        elif question.type is QuestionType.MULTI:
            for code, name in zip(question.option_codes(), question.multi_columns(), strict=True):
                if name in respondents:
                    column = respondents[name]
                    if pd.api.types.is_bool_dtype(column.dtype):
                        ticked = column.to_numpy(dtype=float, na_value=np.nan)
                        shares = _shares(~np.isnan(ticked), ticked == 1)
                    else:
                        shares = _indicator(column, column == True)  # noqa: E712
                    yield Variable(question.id, code, shares, True)
        elif question.type in (QuestionType.LIKERT, QuestionType.GRID):
            items = (
                [(question.id, question.scale or "")]
                if question.type is QuestionType.LIKERT
                else [
                    (name, item.scale)
                    for item in question.items
                    for name in question.grid_columns(item)
                ]
            )
            for name, scale in items:
                if name not in respondents:
                    continue
                column = pd.to_numeric(respondents[name], errors="coerce")
                ratings = column.to_numpy(dtype=float, na_value=np.nan)
                rated = ~np.isnan(ratings)
                points = sorted(codebook.scales[scale])
                for point in points if scale_points else ():
                    yield Variable(name, str(point), _shares(rated, ratings == point), True)
                yield Variable(name, "top2", _shares(rated, ratings >= points[-2]), True)
                yield Variable(name, "mean", column.to_numpy(dtype=float), False)
        elif question.type is QuestionType.NUMBER and question.id in respondents:
            values = pd.to_numeric(respondents[question.id], errors="coerce")
            yield Variable(question.id, "mean", values.to_numpy(dtype=float), False)


def groupings(
    respondents: pd.DataFrame, codebook: Codebook
) -> list[tuple[str, npt.NDArray[np.int64], list[str]]]:
    """``(by, group code per respondent, group names)``: the total, then each dimension's
    observed groups in codebook order (``-1``: no group). A dimension nobody answered is left
    out, so every breakdown has at least one group."""
    found = [("all", np.zeros(len(respondents), dtype=np.int64), ["all"])]
    for dimension in codebook.dimensions:
        if dimension not in respondents:
            continue
        # the column's distinct answers from one pass (pd.Categorical on a text column
        # converts every value to a Python string, most of a small breakdown's time)
        index, present = pd.factorize(respondents[dimension].astype("string"))
        answers = [str(answer) for answer in present]
        names = [code for code in codebook.question(dimension).option_codes() if code in answers]
        if not names:
            continue
        position = {name: number for number, name in enumerate(names)}
        lookup = np.array([position.get(answer, -1) for answer in answers] + [-1], dtype=np.int64)
        found.append((dimension, lookup[index], names))
    return found


def estimate_table(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    wave: str,
    weights: npt.ArrayLike | None = None,
    level: float = 0.95,
    scale_points: bool = True,
) -> pd.DataFrame:
    """All estimates of a wave for one set of weights (``None``: unweighted), unsuppressed
    (without the ratings' per-point shares when not ``scale_points``: :func:`variables`).

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> codebook = load_codebook(reference_codebook_path())
    >>> respondents = pd.DataFrame({"sector": ["public", "school", "public", None],
    ...                             "role": ["librarian"] * 4, "region": ["cariboo"] * 4,
    ...                             "cpd_hours": [10.0, 20.0, None, 30.0]})
    >>> table = estimate_table(respondents, codebook, wave="demo")
    >>> shown = table.query("question == 'sector' and by == 'all'")[["option", "n", "estimate"]]
    >>> print(shown.to_string(index=False))
      option  n  estimate
      public  3  0.666667
    academic  3  0.000000
      school  3  0.333333
     special  3  0.000000
       other  3  0.000000
    """
    w = np.ones(len(respondents)) if weights is None else np.asarray(weights, dtype=float)
    breakdowns = groupings(respondents, codebook)
    parts: dict[str, list[npt.NDArray[np.generic]]] = {
        name: [] for name in ("question", "option", "by", "group", "n", "estimate", "se", "share")
    }
    # the variables a block at a time (a few million answers), each breakdown of a block in
    # one call of domain_means
    block = max(1, _BLOCK // max(len(respondents), 1))
    found = iter(variables(respondents, codebook, scale_points=scale_points))
    while chunk := list(itertools.islice(found, block)):
        answers = np.column_stack([variable.values for variable in chunk])
        results = [
            domain_means(answers, w, codes, groups=len(names)) for _, codes, names in breakdowns
        ]
        for number, variable in enumerate(chunk):
            for (by, _, names), result in zip(breakdowns, results, strict=True):
                if by == variable.question:
                    continue  # a dimension by itself is 100% in every group
                size = len(names)
                parts["question"].append(np.full(size, variable.question, dtype=object))
                parts["option"].append(np.full(size, variable.option, dtype=object))
                parts["by"].append(np.full(size, by, dtype=object))
                parts["group"].append(np.asarray(names, dtype=object))
                parts["n"].append(result.n[number])
                parts["estimate"].append(result.estimate[number])
                parts["se"].append(result.se[number])
                parts["share"].append(np.full(size, variable.share))
    columns = {
        name: np.concatenate(arrays) if arrays else np.array([]) for name, arrays in parts.items()
    }
    share = columns.pop("share").astype(bool)
    # intervals in one vectorised call each: beta for shares, normal for means
    beta_low, beta_high = beta_interval(
        columns["estimate"], columns["se"], columns["n"], level=level
    )
    mean_low, mean_high = normal_interval(columns["estimate"], columns["se"], level=level)
    table = pd.DataFrame(columns)
    table["ci_low"] = np.where(share, beta_low, mean_low)
    table["ci_high"] = np.where(share, beta_high, mean_high)
    table["n"] = table["n"].astype(np.int64)
    table.insert(0, "wave", wave)
    table["weighted"] = weights is not None
    table["suppressed"] = False
    return table[RESULT_COLUMNS]


def suppress(table: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """Blank the estimate, SE and interval of every row with ``n`` below ``threshold``, and of
    the next smallest group of a breakdown where exactly one group is below it.

    Examples
    --------
    >>> table = pd.DataFrame({"wave": "w", "question": "q", "option": "a", "by": "region",
    ...                       "group": ["north", "south", "east", "west"],
    ...                       "n": [4, 50, 12, 30], "estimate": 0.5, "se": 0.1,
    ...                       "ci_low": 0.3, "ci_high": 0.7, "weighted": False,
    ...                       "suppressed": False})
    >>> suppress(table, threshold=10)[["group", "suppressed", "estimate"]]
    ... # doctest: +NORMALIZE_WHITESPACE
       group  suppressed  estimate
    0  north        True       NaN
    1  south       False       0.5
    2   east        True       NaN
    3   west       False       0.5
    """
    table = table.copy()
    small = table["n"] < threshold
    keys = ["wave", "question", "option", "by", "weighted"]
    breakdowns = table["by"] != "all"
    counts = small[breakdowns].groupby([table.loc[breakdowns, k] for k in keys]).transform("sum")
    lone = pd.Series(False, index=table.index)
    lone[breakdowns] = counts == 1
    # the smallest group not already suppressed, in each breakdown with exactly one small group
    candidates = table[lone & ~small]
    if not candidates.empty:
        order = candidates.sort_values(["n", "group"], kind="stable")
        companions = order.groupby(keys, sort=False).head(1).index
        small = small.copy()
        small[companions] = True
    table["suppressed"] = small.to_numpy()
    table.loc[small, ["estimate", "se", "ci_low", "ci_high"]] = np.nan
    return table


def results(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    wave: str,
    weights: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """``results.csv`` for one wave: unweighted rows, then weighted rows when there are
    weights, suppressed at the codebook's threshold."""
    tables = [estimate_table(respondents, codebook, wave=wave)]
    if weights is not None:
        tables.append(estimate_table(respondents, codebook, wave=wave, weights=weights))
    return suppress(pd.concat(tables, ignore_index=True), threshold=codebook.small_cell_threshold)
