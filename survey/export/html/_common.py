"""Formatting helpers the page's sections and charts share: missing numbers,
confidence intervals and p-values for people, a table's rows as records, ids, and labels
made safe and wrapped for plotly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from survey.report import style

__all__ = ["_ci", "_escape_plotly", "_join", "_missing", "_p", "_records", "_slug", "_wrap"]


def _missing(number: Any) -> bool:
    if isinstance(number, float):  # most numbers: answered without pandas' general check
        return number != number
    return number is None or bool(pd.isna(number))


def _ci(low: Any, high: Any, *, share: bool = True, digits: int = 1) -> str:
    """A confidence interval for people: ``41%–50%`` (shares) or ``3.1–3.4`` (means)."""
    if _missing(low) or _missing(high):
        return ""
    if share:
        return f"{style.percent(float(low))}–{style.percent(float(high))}"
    return f"{style.value(float(low), digits=digits)}–{style.value(float(high), digits=digits)}"


def _p(p: Any) -> str:
    if _missing(p):
        return style.SUPPRESSED
    return "< 0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as dicts (far faster to look up than boolean masks, cell by cell): the
    rows of ``DataFrame.to_dict("records")``, built from whole columns as lists, a few times
    faster than its walk over the rows. Missing text is ``None``, as there.

    >>> table = pd.DataFrame({"group": pd.array(["a", None], dtype="string"), "n": [3, 4]})
    >>> _records(table) == table.to_dict("records")
    True
    """
    names = table.columns.tolist()
    columns = []
    for name in names:
        column = table[name]
        values = column.tolist()
        if column.hasnans and (
            column.dtype == object or isinstance(column.dtype, pd.api.extensions.ExtensionDtype)
        ):
            values = [None if value is pd.NA else value for value in values]
        columns.append(values)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _slug(*parts: str) -> str:
    return "-".join(str(part).replace("_", "-") for part in parts)


_wrap = style.wrap_label
_escape_plotly = style.plotly_text


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"
