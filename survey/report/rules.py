"""The two rules every report and the dashboard follow, defined once.

- **Published**: a figure is shown only when the engine did not suppress its row (small-cell
  suppression, :func:`survey.analysis.results.suppress`), it has a value, and its base is at
  least the codebook's threshold. The workbook, the HTML report, the deck and the dashboard
  all ask :func:`published` (or :func:`published_mask` for a whole table), so a suppressed
  group cannot reach one of them by a rule of its own.
- **Group order**: the groups of a breakdown in the order the questionnaire lists them, then
  any others present (codes the codebook does not list) in order of their code
  (:func:`group_order`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from survey.codebook import Codebook

__all__ = ["group_order", "missing", "published", "published_mask"]


def missing(value: Any) -> bool:
    """Whether a cell of a table holds no value (``None``, NaN or ``pd.NA``)."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def published(row: Mapping[Any, Any] | None, *, threshold: int, column: str = "estimate") -> bool:
    """Whether a row of one of the engine's tables may show its figure (``column``).

    Examples
    --------
    >>> published({"n": 40, "estimate": 0.5, "suppressed": False}, threshold=10)
    True
    >>> published({"n": 40, "estimate": None, "suppressed": True}, threshold=10)
    False
    >>> published({"n": 8, "estimate": 0.5, "suppressed": False}, threshold=10)
    False
    >>> published(None, threshold=10)
    False
    """
    if row is None or bool(row.get("suppressed")) or missing(row.get(column)):
        return False
    n = row.get("n")
    return n is None or missing(n) or int(n) >= threshold


def published_mask(rows: pd.DataFrame, *, threshold: int, column: str = "estimate") -> pd.Series:
    """:func:`published` of every row of a table at once.

    Examples
    --------
    >>> rows = pd.DataFrame({"n": [40, 40, 8], "estimate": [0.5, None, 0.4],
    ...                      "suppressed": [False, True, False]})
    >>> published_mask(rows, threshold=10).tolist()
    [True, False, False]
    """
    shown = ~rows["suppressed"].astype(bool) & rows[column].notna()
    if "n" in rows:
        shown &= rows["n"].isna() | (rows["n"] >= threshold)
    return shown


def group_order(codebook: Codebook, by: str, present: Iterable[Any]) -> list[str]:
    """The groups of dimension ``by`` found in ``present``: the codebook's order of the
    dimension's options, then any other codes present, by code.

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> book = load_codebook(reference_codebook_path())
    >>> group_order(book, "sector", ["special", "public", "other_sector"])
    ['public', 'special', 'other_sector']
    """
    seen = {str(code) for code in present}
    try:
        listed = codebook.question(by).option_codes()
    except KeyError:
        listed = []
    known = [code for code in listed if code in seen]
    return known + sorted(seen.difference(known))
