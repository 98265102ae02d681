"""What several slide modules share: the significance level, the colours of what
did not change, the smallest labelled segment, a frame's rows as records, and the learning
topics' importance columns.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from survey.analysis.methods import ALPHA
from survey.codebook import QuestionType
from survey.report.tables import ReportTables

__all__ = ["_ALPHA", "_MUTED", "_SMALL_SEGMENT", "_importance_columns", "_records"]

#: Significance level of the adjusted p-values a slide calls significant (the engine's own).
_ALPHA = ALPHA

#: A stacked segment smaller than this share gets no label (it would not fit).
_SMALL_SEGMENT = 0.05

#: Bars of a change chart that did not change significantly: the earlier wave, this wave.
_MUTED = ("#D9D9D9", "#8C8C8C")


def _records(frame: pd.DataFrame) -> list[Any]:
    """A frame's rows as named tuples (typed loosely: their fields are the columns)."""
    return list(frame.itertuples(index=False))


def _importance_columns(tables: ReportTables) -> dict[str, str]:
    """Topic code -> its importance column (``imp_leadership``): a grid's first item."""
    columns: dict[str, str] = {}
    for question in tables.codebook.questions_of(QuestionType.GRID):
        if not question.items:
            continue
        for topic, column in zip(
            question.topics, question.grid_columns(question.items[0]), strict=True
        ):
            columns.setdefault(topic.code, column)
    return columns
