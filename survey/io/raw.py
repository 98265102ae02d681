"""The raw export every reader returns: text cells, untouched, with what the file said
about its columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from survey.codebook import Layout

__all__ = ["SUBLABEL_SEPARATOR", "RawExport"]

#: Separator between a question's text and a sub-label in a column name.
SUBLABEL_SEPARATOR = " | "


@dataclass(frozen=True)
class RawExport:
    """One export as read: text cells, platform metadata under the toolkit's names.

    Attributes
    ----------
    frame
        One row per response, one column per export column, text or missing. Where the file
        stores codes with value labels (SPSS, LimeSurvey's R export), the cells hold the labels,
        as a respondent saw them.
    path
        The file read.
    layout
        The layout it was read as.
    question_text
        For each column, the question text the export gave for it (where it gave one).
    value_labels
        For each column with value labels in the file: code -> label, in the file's order.
    missing_values
        For each column: the codes the file declares missing (SPSS user-missing values); those
        cells are already missing in ``frame``.
    multi_sets
        Multiple-response sets the file declares: set name -> its columns.
    encoding
        The text encoding the file was read with (``None`` for binary formats).
    """

    frame: pd.DataFrame
    path: Path
    layout: Layout
    question_text: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    missing_values: dict[str, list[str]] = field(default_factory=dict)
    multi_sets: dict[str, list[str]] = field(default_factory=dict)
    encoding: str | None = None

    @property
    def rows(self) -> int:
        """Number of responses in the file."""
        return len(self.frame)
