"""The words slides repeat: the caveats of every slide's speaker notes, the
suppression rule of the footnotes, bases and counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from survey.report import style
from survey.report.tables import ReportTables

__all__ = ["_caveats", "_count", "_hidden_footnote", "_join", "_rule", "_span", "_who"]


def _caveats(tables: ReportTables) -> str:
    """The caveats every content slide's notes repeat."""
    if tables.weighted:
        weighting = (
            "Percentages are weighted to the membership frame; bases (n) are respondents "
            "(unweighted)."
        )
    else:
        weighting = "Percentages are of respondents (unweighted); bases (n) are respondents."
    return (
        f"{weighting} Groups under {tables.threshold} respondents are not shown (nor, where a "
        "single group is small, the next smallest, so that it cannot be worked out). "
        "Differences named are significant after adjustment for the many tests "
        "(Benjamini-Hochberg; pairs of groups Holm-adjusted)."
    )


def _rule(tables: ReportTables) -> str:
    return style.SUPPRESSED_NOTE.format(threshold=tables.threshold)


def _hidden_footnote(tables: ReportTables, names: list[str]) -> str:
    return f"Not shown: {', '.join(names)} ({_rule(tables)})." if names else ""


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _count(number: int, noun: str) -> str:
    """``1 topic``, ``4 topics``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _who(tables: ReportTables, by: str, group: str) -> str:
    """``All respondents``, ``Cariboo (region)``."""
    name = tables.labels.group(by, group)
    return name if by == "all" else f"{name} ({tables.labels.dimension(by).lower()})"


def _span(sizes: Sequence[int]) -> str:
    """``752`` or ``735 to 756``: a range of bases."""
    low, high = min(sizes), max(sizes)
    return f"{low}" if low == high else f"{low} to {high}"
