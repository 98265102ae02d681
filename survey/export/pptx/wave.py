"""The report model as the deck looks things up: its cells (published or not, by
:func:`survey.report.rules.published`), groups in the one order, and the tests a slide
names.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from survey.export.lookup import ModelLookup
from survey.export.pptx._common import _ALPHA
from survey.report.model import Cell, ReportModel
from survey.report.rules import published_mask
from survey.report.tables import column_lists

__all__ = ["_Wave"]


class _Wave(ModelLookup):
    """The wave's tables indexed once for the many look-ups a deck makes."""

    def __init__(self, model: ReportModel) -> None:
        super().__init__(model)
        tables = self.tables
        results = tables.shown("results")
        self.results = results.assign(
            published=published_mask(results, threshold=self.threshold).to_numpy()
        )
        self.by_question = {
            str(question): rows for question, rows in self.results.groupby("question", sort=False)
        }
        tests = tables.shown("tests")
        self.significant = tests[tests["p_adjusted"] < _ALPHA]
        self.significant_pairs = set(
            zip(self.significant["question"].tolist(), self.significant["by"].tolist(), strict=True)
        )
        self.letters = tables.shown("letters")
        self.dimensions = list(tables.codebook.dimensions)
        self._higher: dict[tuple[str, str], set[str]] | None = None

    def rows(self, question: str) -> pd.DataFrame:
        """``results.csv`` rows of a question (or grid column)."""
        empty = self.results.iloc[0:0]
        return self.by_question.get(question, empty)

    def cell(self, question: str, option: str, by: str, group: str) -> Cell | None:
        return self.model.cell(question, option, by, group)

    def groups(self, by: str) -> list[str]:
        """The groups of a dimension present in the results, in order."""
        return self.model.groups_of(by)

    def breakdown(
        self, question: str, options: Sequence[str], by: str
    ) -> tuple[list[str], list[str]]:
        """The groups (``all`` first) with every option published, and the hidden groups'
        names."""
        shown, hidden = [], []
        for group in ["all", *self.groups(by)]:
            cells = [self.cell(question, option, by, group) for option in options]
            if cells and all(c is not None and c.estimate is not None for c in cells):
                shown.append(group)
            elif any(c is not None for c in cells):
                hidden.append(self.labels.group(by, group))
        return shown, hidden

    def value(self, question: str, option: str, by: str, group: str) -> float:
        cell = self.cell(question, option, by, group)
        assert cell is not None and cell.estimate is not None
        return cell.estimate

    def bases(self, question: str, by: str, *, options: Sequence[str] | None = None) -> str:
        """``Public library n = 487; ...``: each group's base for a question."""
        parts = []
        for group in self.groups(by):
            sizes = [
                cell.n
                for option in (options or self.options(question))
                if (cell := self.cell(question, option, by, group)) is not None
            ]
            if sizes:
                parts.append(f"{self.labels.group(by, group)} n = {max(sizes)}")
        return "; ".join(parts)

    def options(self, question: str) -> list[str]:
        return [str(o) for o in dict.fromkeys(self.rows(question)["option"]) if o != "mean"]

    def higher(self, question: str, by: str) -> set[str]:
        """The groups of a dimension whose top-2 share of a question is significantly higher
        than another group's (they have letters in ``higher_than``)."""
        if self._higher is None:
            self._higher = {}
            letters = self.letters
            columns = ("question", "option", "by", "group", "higher_than")
            for name, option, group_by, group, higher in zip(
                *column_lists(letters, *columns), strict=True
            ):
                if option == "top2" and isinstance(higher, str) and higher:
                    self._higher.setdefault((name, group_by), set()).add(str(group))
        return self._higher.get((question, by), set())

    def significant_in(self, names: Sequence[str], by: str | None = None) -> pd.DataFrame:
        rows = self.significant[self.significant["question"].isin(list(names))]
        return rows if by is None else rows[rows["by"] == by]

    def dimensions_for(self, names: Sequence[str], *, default: int) -> list[str]:
        """The dimensions a question differs by significantly (most significant tests first),
        else the first ``default`` dimensions."""
        counts = self.significant_in(names)["by"].value_counts()
        chosen = [d for d in self.dimensions if d in counts.index]
        chosen.sort(key=lambda d: -int(counts[d]))
        return chosen or self.dimensions[:default]
