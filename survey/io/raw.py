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
    set_text
        For a declared set, its question text (an SPSS set's label).
    set_chosen
        For a dichotomy set, what a chosen option's cell holds (its counted value, as the
        cells show it: ``Selected``, ``Yes``, ``1``).
    categorical_sets
        The declared sets whose columns each hold one chosen category (SPSS ``C`` sets), not
        one option each.
    measures
        For each column whose file declares it: ``nominal``, ``ordinal`` or ``scale`` (SPSS).
    open_text
        Columns the platform marks as typed answers (Qualtrics' ``_TEXT`` import ids,
        SurveyMonkey's ``Open-Ended Response``), whatever their few answers look like.
    groups
        For each column the platform ties to others: the key they share (Qualtrics' import id
        without its last part: ``QID44-1`` for ``QID44-1-1`` ... ``QID44-1-3``), where export
        tags may not tell (repeated or free-form tags).
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
    set_text: dict[str, str] = field(default_factory=dict)
    set_chosen: dict[str, str] = field(default_factory=dict)
    categorical_sets: list[str] = field(default_factory=list)
    measures: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    open_text: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Number of responses in the file."""
        return len(self.frame)
