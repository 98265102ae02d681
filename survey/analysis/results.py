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

import functools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.analysis.estimates import (
    beta_interval,
    category_shares,
    domain_means,
    normal_interval,
)
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

#: From how many respondents :func:`estimate_table` runs the breakdowns on two threads.
_THREADED_FROM = 50_000
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


@dataclass(frozen=True)
class _Choices:
    """The shares of one categorical answer (a single-choice question, a rating): each
    respondent's category (``-1``: unanswered) and each option's categories, estimated from
    one pass (:func:`~survey.analysis.estimates.category_shares`)."""

    question: str
    codes: npt.NDArray[np.int64]
    categories: int
    options: list[tuple[str, tuple[int, ...]]]

    def variables(self) -> Iterator[Variable]:
        answered = self.codes >= 0
        for option, chosen in self.options:
            yield Variable(
                self.question, option, _shares(answered, np.isin(self.codes, chosen)), True
            )


def variables(
    respondents: pd.DataFrame, codebook: Codebook, *, scale_points: bool = True
) -> Iterator[Variable]:
    """Every quantity ``results.csv`` estimates, in questionnaire order (without each rating's
    share per scale point when not ``scale_points``: changes between waves use only its top-2
    share and mean)."""
    for item in _items(respondents, codebook, scale_points=scale_points):
        yield from item.variables() if isinstance(item, _Choices) else (item,)


def _items(
    respondents: pd.DataFrame, codebook: Codebook, *, scale_points: bool = True
) -> Iterator[Variable | _Choices]:
    """:func:`variables`, with the shares of each categorical answer kept together."""
    for question in codebook.questions:
        if question.type is QuestionType.SINGLE and question.id in respondents:
            # each answer's position among the column's distinct answers (-1: none), once;
            # category: the option's place, or one past the options for another answer
            answer, present = pd.factorize(respondents[question.id])
            codes = question.option_codes()
            place = {code: number for number, code in enumerate(codes)}
            lookup = np.array([place.get(value, len(codes)) for value in present] + [-1])
            yield _Choices(
                question.id,
                lookup[answer].astype(np.int64),
                len(codes) + 1,
                [(code, (number,)) for number, code in enumerate(codes)],
            )
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
                points = sorted(codebook.scales[scale])
                # category: the scale point's place; a rating on no point (not expected after
                # cleaning) is len(points) at or above the second highest point, else one more
                high = len(points)
                rating_codes = np.where(
                    np.isnan(ratings), -1, np.where(ratings >= points[-2], high, high + 1)
                )
                for number, point in enumerate(points):
                    rating_codes[ratings == point] = number
                top = (*(n for n, point in enumerate(points) if point >= points[-2]), high)
                shown = (
                    [(str(point), (n,)) for n, point in enumerate(points)] if scale_points else []
                )
                yield _Choices(
                    name, rating_codes.astype(np.int64), high + 2, [*shown, ("top2", top)]
                )
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

    def add(question: str, option: str, share: bool, estimates: list[tuple[int, Any]]) -> None:
        """The rows of one quantity: ``estimates`` holds, per breakdown, its place in the
        breakdown's result and the result."""
        for (by, _, names), (number, result) in zip(breakdowns, estimates, strict=True):
            if by == question:
                continue  # a dimension by itself is 100% in every group
            size = len(names)
            parts["question"].append(np.full(size, question, dtype=object))
            parts["option"].append(np.full(size, option, dtype=object))
            parts["by"].append(np.full(size, by, dtype=object))
            parts["group"].append(np.asarray(names, dtype=object))
            parts["n"].append(result.n[number])
            parts["estimate"].append(result.estimate[number])
            parts["se"].append(result.se[number])
            parts["share"].append(np.full(size, share))

    # numbers and multi-select options a block at a time (a few million answers), each
    # breakdown of a block in one call of domain_means; each categorical answer's shares
    # (options, scale points, top two) from one pass of category_shares
    block = max(1, _BLOCK // max(len(respondents), 1))
    pending: list[Variable] = []
    # a large wave's breakdowns on two threads: numpy lets go of the interpreter lock in these
    # passes over the respondents, and each breakdown's numbers are its own either way
    threads = (
        ThreadPoolExecutor(2)
        if len(respondents) >= _THREADED_FROM and (os.cpu_count() or 1) > 1
        else None
    )

    def each(estimate: Callable[[npt.NDArray[np.int64], int], Any]) -> list[Any]:
        if threads is None:
            return [estimate(codes, len(names)) for _, codes, names in breakdowns]
        return list(threads.map(lambda b: estimate(b[1], len(b[2])), breakdowns))

    def flush() -> None:
        for start in range(0, len(pending), block):
            chunk = pending[start : start + block]
            answers = np.column_stack([variable.values for variable in chunk])
            found = each(functools.partial(_means, answers, w))
            for number, variable in enumerate(chunk):
                add(variable.question, variable.option, variable.share,
                    [(number, result) for result in found])  # fmt: skip
        pending.clear()

    for item in _items(respondents, codebook, scale_points=scale_points):
        if isinstance(item, Variable):
            pending.append(item)
            continue
        flush()
        options = [chosen for _, chosen in item.options]
        found = each(functools.partial(_shares_of, item, options, w))
        for number, (option, _) in enumerate(item.options):
            add(item.question, option, True, [(number, result) for result in found])
    flush()
    if threads is not None:
        threads.shutdown()
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


def _means(answers: Floats, w: Floats, codes: npt.NDArray[np.int64], size: int) -> Any:
    return domain_means(answers, w, codes, groups=size)


def _shares_of(
    item: _Choices,
    options: list[tuple[int, ...]],
    w: Floats,
    codes: npt.NDArray[np.int64],
    size: int,
) -> Any:
    return category_shares(
        item.codes, w, codes, groups=size, categories=item.categories, options=options
    )


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
