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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.analysis.design import replicates_of, variance_of
from survey.analysis.estimates import (
    DomainMeans,
    beta_interval,
    category_shares,
    domain_means,
    normal_interval,
)
from survey.arrays import Floats
from survey.codebook import Codebook, QuestionType

__all__ = [
    "CELL_COLUMNS",
    "RESULT_COLUMNS",
    "Variable",
    "block_numbers",
    "estimate_table",
    "groupings",
    "results",
    "suppress",
    "variables",
]


#: From how many respondents :func:`estimate_table` estimates each breakdown in a call of its own.
_APART_FROM = 50_000
#: How many answers (respondents x variables) :func:`estimate_table` estimates in one block.
_BLOCK = 1 << 14

#: What names one figure of the results: the question and its option, and the group.
CELL_COLUMNS = ["question", "option", "by", "group"]

RESULT_COLUMNS = [
    "wave",
    *CELL_COLUMNS,
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
            for name, scale in question.rated_columns():
                if name not in respondents:
                    continue
                ratings = _numbers(respondents[name])
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
                yield Variable(name, "mean", ratings, False)
        elif question.type is QuestionType.NUMBER and question.id in respondents:
            yield Variable(question.id, "mean", _numbers(respondents[question.id]), False)


def _numbers(column: pd.Series) -> Floats:
    """A column's numbers as floats, NaN where missing or not a number."""
    if not pd.api.types.is_float_dtype(column.dtype):  # (a float column is one already)
        column = pd.to_numeric(column, errors="coerce")
    return column.to_numpy(dtype=float, na_value=np.nan)


def groupings(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    domain: npt.ArrayLike | None = None,
) -> list[tuple[str, npt.NDArray[np.int64], list[str]]]:
    """``(by, group code per respondent, group names)``: the total, then each dimension's
    observed groups in codebook order (``-1``: no group). A dimension nobody answered is left
    out, so every breakdown has at least one group.

    ``domain`` (one flag per respondent): only these respondents are in a group, the total
    included (``-1`` for everyone else), and a dimension's groups are those observed among
    them, as they would be of the domain's respondents alone."""
    inside = None if domain is None else np.asarray(domain, dtype=bool)
    total = np.zeros(len(respondents), dtype=np.int64)
    found = [("all", total if inside is None else np.where(inside, total, -1), ["all"])]
    for dimension in codebook.dimensions:
        if dimension not in respondents:
            continue
        # the column's distinct answers from one pass (pd.Categorical on a text column
        # converts every value to a Python string, most of a small breakdown's time)
        index, present = pd.factorize(respondents[dimension].astype("string"))
        answers = [str(answer) for answer in present]
        observed = set(answers)
        if inside is not None:  # outside the domain: no answer (pd.factorize's -1)
            index = np.where(inside, index, -1)
            observed = {answers[place] for place in np.unique(index[index >= 0])}
        names = [code for code in codebook.question(dimension).option_codes() if code in observed]
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
    domain: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """All estimates of a wave for one set of weights (``None``: unweighted), unsuppressed
    (without the ratings' per-point shares when not ``scale_points``: :func:`variables`).

    ``domain`` (one flag per respondent): the estimates of these respondents only, as a
    domain of the whole wave's design (R's ``subset(design, domain)`` of a raked design, which
    keeps every row): the total and every group hold only the domain's respondents
    (:func:`groupings`), ``n`` counts their answers, and the variances are the wave's.

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
    # a Design stays one: the estimators take its variance method from it
    w = np.ones(len(respondents)) if weights is None else weights
    breakdowns = groupings(respondents, codebook, domain=domain)
    # each quantity's (question, option, share, per-breakdown results), in questionnaire
    # order; the numbers and multi-select options are estimated together, a block at a time
    # (a few million answers), each breakdown of a block in one call of domain_means, and put
    # back in their places; each categorical answer's shares (options, scale points, top
    # two) come from one pass of category_shares
    quantities: list[tuple[str, str, bool, list[tuple[int, Any]]] | None] = []
    block = max(1, _BLOCK // max(len(respondents), 1))
    pending: list[tuple[int, Variable]] = []  # (place in quantities, variable)

    # a smaller wave's breakdowns in one call: its arithmetic is too little to outweigh each
    # call's own cost, so every breakdown's groups are numbered apart (sector 0-4, region 5-12)
    # and estimated together, each group's sums the same as alone; a larger wave's breakdowns
    # one call each (together, twice as slow at 200,000 respondents)
    ends = np.cumsum([len(names) for _, _, names in breakdowns])
    starts = np.concatenate([[0], ends[:-1]])
    stacked = np.vstack(
        [
            np.where(codes >= 0, codes + start, -1)
            for (_, codes, _), start in zip(breakdowns, starts, strict=True)
        ]
    )

    def each(estimate: Callable[[npt.NDArray[np.int64], int], Any]) -> list[Any]:
        if len(respondents) >= _APART_FROM:
            return [estimate(codes, len(names)) for _, codes, names in breakdowns]
        together = estimate(stacked, int(ends[-1]))
        return [_groups_of(together, start, end) for start, end in zip(starts, ends, strict=True)]

    def flush() -> None:
        answers = np.column_stack([variable.values for _, variable in pending])
        found = each(functools.partial(_means, answers, w))
        for number, (place, variable) in enumerate(pending):
            quantities[place] = (
                variable.question,
                variable.option,
                variable.share,
                [(number, result) for result in found],
            )
        pending.clear()

    for item in _items(respondents, codebook, scale_points=scale_points):
        if isinstance(item, Variable):
            pending.append((len(quantities), item))
            quantities.append(None)
            if len(pending) == block:
                flush()
            continue
        options = [chosen for _, chosen in item.options]
        found = each(functools.partial(_shares_of, item, options, w))
        for number, (option, _) in enumerate(item.options):
            quantities.append((item.question, option, True, [(number, result) for result in found]))
    if pending:
        flush()
    # the rows: each quantity's groups, breakdown by breakdown (a dimension by itself, 100% in
    # every group, left out)
    parts = []  # (question, option, share, by, group names, result, place in the result)
    for quantity in quantities:
        assert quantity is not None  # every pending variable was flushed
        question, option, is_share, found = quantity
        for (by, _, names), (number, result) in zip(breakdowns, found, strict=True):
            if by != question:
                parts.append((question, option, is_share, by, names, result, number))
    sizes = [len(part[4]) for part in parts]

    def labels(place: int) -> npt.NDArray[np.generic]:
        return np.repeat(np.array([part[place] for part in parts], dtype=object), sizes)

    def numbers(field: str) -> npt.NDArray[np.generic]:
        if not parts:
            return np.array([])
        return np.concatenate([getattr(part[5], field)[part[6]] for part in parts])

    columns = {
        "question": labels(0),
        "option": labels(1),
        "by": labels(3),
        "group": np.array([name for part in parts for name in part[4]], dtype=object),
        "n": numbers("n"),
        "estimate": numbers("estimate"),
        "se": numbers("se"),
    }
    share = np.repeat(np.array([part[2] for part in parts], dtype=bool), sizes)
    # intervals in one vectorised call each: beta for shares, normal for means
    beta_low, beta_high = beta_interval(
        columns["estimate"],
        columns["se"],
        columns["n"],
        level=level,
        degrees=_domain_degrees(weights, breakdowns, parts),
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


def _domain_degrees(
    weights: npt.ArrayLike | None,
    breakdowns: list[tuple[str, npt.NDArray[np.int64], list[str]]],
    parts: list[tuple[Any, ...]],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """For a raked design, each row's ``degrees`` for :func:`beta_interval`: R's ``degf`` of
    the group's part of the design (its respondents less one when linearised, the rank of its
    replicate weights less one with replicates) and that part's rows less one (the wave's
    when linearised: a raked design keeps every row); ``None`` for weights taken as fixed."""
    if weights is None:
        return None
    replicates = replicates_of(weights)
    if variance_of(weights)[0] is None and replicates is None:
        return None
    sizes = {
        by: np.bincount(codes[codes >= 0], minlength=len(names)) for by, codes, names in breakdowns
    }
    group = np.concatenate([sizes[part[3]] for part in parts]) if parts else np.array([])
    group = group.astype(np.int64)
    if replicates is None:  # a linearised raked design keeps the wave's rows in a group's part
        return group - 1, np.full(len(group), len(np.asarray(weights)) - 1)
    return replicates.degrees(group), group - 1  # a replicate design's part has its own rows


def _groups_of(result: DomainMeans, start: int, end: int) -> DomainMeans:
    """The groups ``start .. end - 1`` of a result (the last axis of each field)."""
    return DomainMeans(
        result.estimate[..., start:end],
        result.se[..., start:end],
        result.n[..., start:end],
        result.weight[..., start:end],
    )


def _means(answers: Floats, w: npt.ArrayLike, codes: npt.NDArray[np.int64], size: int) -> Any:
    return domain_means(answers, w, codes, groups=size)


def _shares_of(
    item: _Choices,
    options: list[tuple[int, ...]],
    w: npt.ArrayLike,
    codes: npt.NDArray[np.int64],
    size: int,
) -> Any:
    return category_shares(
        item.codes, w, codes, groups=size, categories=item.categories, options=options
    )


def block_numbers(table: pd.DataFrame, keys: Sequence[str]) -> npt.NDArray[np.int64]:
    """Each row's block (its values of ``keys``) as one number, ``0 ..`` (blocks - 1): what a
    ``groupby`` on text columns would group, for numpy's counting and sorting.

    >>> block_numbers(pd.DataFrame({"q": ["a", "b", "a"], "by": ["x", "x", "x"]}), ["q", "by"])
    array([0, 1, 0])
    """
    block = np.zeros(len(table), dtype=np.int64)
    for key in keys:  # (renumbered after each key, so that the numbers stay small)
        codes, uniques = pd.factorize(table[key], use_na_sentinel=False)
        combined = block * len(uniques) + codes
        block = np.unique(combined, return_inverse=True)[1].reshape(-1).astype(np.int64)
    return block


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
    n = table["n"].to_numpy()
    small = n < threshold
    block = block_numbers(table, ["wave", "question", "option", "by", "weighted"])
    breakdowns = (table["by"] != "all").to_numpy()
    small_in_block = np.bincount(
        block, weights=small & breakdowns, minlength=block.max(initial=-1) + 1
    )
    lone = breakdowns & (small_in_block[block] == 1)
    # the smallest group not already suppressed (then the first by name, then by place), in
    # each breakdown with exactly one small group
    candidates = np.flatnonzero(lone & ~small)
    if candidates.size:
        group = pd.factorize(table["group"].to_numpy()[candidates], sort=True)[0]
        order = candidates[np.lexsort((group, n[candidates]))]
        first = np.unique(block[order], return_index=True)[1]
        small = small.copy()
        small[order[first]] = True
    table["suppressed"] = small
    for column in ("estimate", "se", "ci_low", "ci_high"):
        table[column] = table[column].mask(small)
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
