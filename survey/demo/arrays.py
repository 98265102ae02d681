"""Vectorised helpers of the demo generator: draws from probability tables, arrays of text.

Every answer of a wave is drawn for all respondents at once: a probability table per group of
respondents (:func:`probability_table`), one option per row (:func:`draw`, or :func:`quantile`
for dependent draws), and the exported text as arrays of dtype ``object``, built fast
(:func:`text_array`, :func:`constant_text`, :func:`int_text`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from survey.arrays import Bools, Floats, Ints

__all__ = [
    "Bools",
    "Floats",
    "Ints",
    "Strings",
    "constant_text",
    "draw",
    "int_text",
    "probability_table",
    "quantile",
    "text_array",
    "tick_options",
]

#: Arrays of one value per respondent: exported text (``""`` is blank), codes, flags, numbers.
Strings = npt.NDArray[np.object_]


def probability_table(weights: Mapping[str, float], codes: Sequence[str]) -> Floats:
    """Probabilities of ``codes`` in their order, proportional to ``weights`` (missing: 0)."""
    table = np.array([float(weights.get(code, 0.0)) for code in codes])
    return table / table.sum()


def draw(rng: np.random.Generator, table: Floats, group: Ints | None, size: int) -> Ints:
    """One option index per row: row ``i`` drawn from ``table[group[i]]`` (or ``table``)."""
    return quantile(table, group, rng.random(size))


def quantile(table: Floats, group: Ints | None, uniform: Floats) -> Ints:
    """The inverse distribution function: for row ``i`` the option of ``table[group[i]]`` (or
    ``table``) at cumulative probability ``uniform[i]``. Uniform values give draws from the
    table; dependent uniform values give dependent draws with the same distribution."""
    size = len(uniform)
    cumulative = np.cumsum(np.atleast_2d(table), axis=1)
    cumulative[:, -1] = 1.0
    if group is None:
        picked = np.searchsorted(cumulative[0], uniform, side="right")
    else:
        picked = np.zeros(size, dtype=np.int64)
        for row in range(cumulative.shape[0]):
            members = np.flatnonzero(group == row)
            picked[members] = np.searchsorted(cumulative[row], uniform[members], side="right")
    return np.minimum(picked, cumulative.shape[1] - 1).astype(np.int64)


def tick_options(
    rng: np.random.Generator,
    chances: Mapping[str, float | Floats],
    codes: Sequence[str],
    default: float,
    size: int,
) -> Bools:
    """A multi-select answer of ``size`` rows: column ``j`` ticks ``codes[j]`` with its chance
    (one for every row or one per row; ``default`` for a code without one), drawn in order."""
    ticked = np.zeros((size, len(codes)), dtype=bool)
    for position, code in enumerate(codes):
        ticked[:, position] = rng.random(size) < chances.get(code, default)
    return ticked


def text_array(values: Sequence[object]) -> Strings:
    """``values`` as a one-dimensional array of dtype ``object`` (index it to repeat them)."""
    result = np.empty(len(values), dtype=object)
    result[:] = list(values)
    return result


def constant_text(value: str, size: int) -> Strings:
    """``size`` copies of ``value``, as an array of dtype ``object``."""
    result = np.empty(size, dtype=object)
    result.fill(value)  # much faster than np.full for text
    return result


def int_text(values: npt.NDArray[np.integer[Any]]) -> Strings:
    """Non-negative integers as text: a lookup table when they are small, else numpy's."""
    if values.size and values.min() >= 0 and values.max() < 200_000:
        return text_array([str(i) for i in range(int(values.max()) + 1)])[values]
    result: Strings = values.astype(str).astype(object)
    return result
