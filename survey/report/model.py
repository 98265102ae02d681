"""The report model: one wave's results as typed objects, built once, that every report
renders.

:func:`build_report` reads nothing and computes no statistic: it arranges the engine's
tables (:class:`~survey.report.tables.ReportTables`) into

- **cells** (:class:`Cell`): one figure of ``results.csv`` for one option of one question in
  one group, with its base, interval, significance letters and whether it is *published*
  (:func:`~survey.report.rules.published`: the one rule);
- **groups** (:class:`Group`): all respondents, then every group of every breakdown in the
  one order (:func:`~survey.report.rules.group_order`);
- **sections** of **blocks** of **rows** (:class:`Section`, :class:`Block`, :class:`Row`):
  the question tables a report lists, in questionnaire order (learning-need grids, who the
  respondents are, the other questions);
- the headline **findings** and the **changes** since the wave before, chosen and ranked by
  :mod:`survey.analysis.findings` and said by :mod:`survey.report.findings`.

The workbook, the HTML report and the deck take a :class:`ReportModel` and decide nothing
statistical of their own; the dashboard's views use the same rules on the tables of a
selection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd

from survey.codebook import Question, QuestionType
from survey.report.findings import change_findings, headline_findings
from survey.report.rules import group_order, missing, published_mask
from survey.report.tables import ReportTables, column_lists

__all__ = [
    "Block",
    "Cell",
    "Group",
    "ReportModel",
    "Row",
    "RowKind",
    "Section",
    "build_report",
]


class RowKind(StrEnum):
    """What the figures of a row are."""

    SHARE = "share"  # a proportion in 0..1
    MEAN = "mean"  # a mean on the question's scale or unit


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure of the report: ``results.csv``'s row for an option of a question in a group.

    ``estimate``, ``se``, ``ci_low`` and ``ci_high`` are ``None`` unless the cell is
    published; ``letter`` is the group's significance letter in its breakdown and
    ``higher_than`` the letters of the groups it is significantly higher than (both empty for
    all respondents, or when the engine lettered no group).
    """

    question: str
    option: str
    by: str
    group: str
    n: int
    published: bool
    estimate: float | None = None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    letter: str = ""
    higher_than: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    """A column of a breakdown: all respondents (``by == "all"``), or one group."""

    by: str
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class Row:
    """A row of a question's table: one option (or summary) of one question, in every
    group."""

    label: str
    question: str
    option: str
    kind: RowKind


@dataclass(frozen=True)
class Block:
    """A question's table: a title, then its rows (only those the engine estimated)."""

    title: str
    question: str
    rows: list[Row]


@dataclass(frozen=True)
class Section:
    """Question tables listed together (a workbook sheet, a part of a page)."""

    title: str
    blocks: list[Block]


def _number(value: Any) -> float | None:
    return None if missing(value) else float(value)


def _text(value: Any) -> str:
    return "" if missing(value) else str(value)


@dataclass
class ReportModel:
    """One wave's report, built once (:func:`build_report`) and rendered by every writer.

    Attributes
    ----------
    tables
        The engine's tables it was built from (for the writers' own tables: needs, themes,
        quality, method).
    groups
        All respondents, then every group of every breakdown with results, in order.
    sections
        The question tables, in questionnaire order.
    findings
        The headline findings, strongest first, with their sentences.
    changes
        The significant changes since the wave before, with their sentences (empty for a
        first wave).
    """

    tables: ReportTables
    groups: list[Group]
    sections: list[Section]
    findings: pd.DataFrame
    changes: pd.DataFrame
    _cells: dict[tuple[str, str, str, str], Cell] = field(repr=False)
    _present: dict[tuple[str, str], list[str]] = field(repr=False)

    @property
    def threshold(self) -> int:
        """The small-cell threshold: fewer respondents than this are never shown."""
        return self.tables.threshold

    @property
    def dimensions(self) -> list[str]:
        """The breakdown dimensions that have results, in codebook order."""
        present = {group.by for group in self.groups}
        return [by for by in self.tables.codebook.dimensions if by in present]

    def cell(self, question: str, option: str, by: str, group: str) -> Cell | None:
        """The figure of an option of a question in a group (``group == "all"``: everyone,
        whatever ``by``), ``None`` when the engine wrote no row."""
        if group == "all":
            by = "all"
        return self._cells.get((question, option, by, group))

    def groups_of(self, by: str) -> list[str]:
        """A dimension's groups with results, in order (without ``all``)."""
        return [group.code for group in self.groups if group.by == by]

    def present(self, question: str, by: str) -> list[str]:
        """The groups of a dimension a question has rows for, in order."""
        return self._present.get((question, by), [])

    def published_results(self) -> pd.DataFrame:
        """The rows of ``results.csv`` the report shows (its weighting) that are published."""
        results = self.tables.shown("results")
        return results[published_mask(results, threshold=self.threshold)]


#: The columns that name a cell of ``results.csv`` (and its letters).
_KEY = ("question", "option", "by", "group")


def _cells(tables: ReportTables) -> dict[tuple[str, str, str, str], Cell]:
    """Every shown row of ``results.csv`` as a :class:`Cell`, with its group's letters."""
    results = tables.shown("results")
    letters = tables.shown("letters")
    lettered = {
        (str(q), str(o), str(b), str(g)): (_text(letter), _text(higher))
        for q, o, b, g, letter, higher in zip(
            *column_lists(letters, *_KEY, "letter", "higher_than"), strict=True
        )
    }
    shown = published_mask(results, threshold=tables.threshold).tolist()
    cells = {}
    figures = column_lists(results, *_KEY, "n", "estimate", "se", "ci_low", "ci_high")
    for q, o, b, g, n, estimate, se, low, high, ok in zip(*figures, shown, strict=True):
        key = (str(q), str(o), str(b), str(g))
        letter, higher = lettered.get(key, ("", ""))
        cells[key] = (
            Cell(
                *key,
                int(n),
                True,
                float(estimate),
                _number(se),
                _number(low),
                _number(high),
                letter,
                higher,
            )
            if ok
            else Cell(*key, int(n), False, letter=letter, higher_than=higher)
        )
    return cells


def _present(tables: ReportTables) -> dict[tuple[str, str], list[str]]:
    results = tables.shown("results")
    seen: dict[tuple[str, str], dict[str, None]] = {}
    for question, by, group in zip(*column_lists(results, "question", "by", "group"), strict=True):
        seen.setdefault((str(question), str(by)), {})[str(group)] = None
    return {
        (question, by): group_order(tables.codebook, by, groups)
        for (question, by), groups in seen.items()
    }


def _groups(tables: ReportTables) -> list[Group]:
    results = tables.shown("results")
    labels = tables.labels
    groups = [Group("all", "all", labels.group("all", "all"))]
    for by in tables.codebook.dimensions:
        present = results.loc[results["by"] == by, "group"].unique().tolist()
        groups += [
            Group(by, code, labels.group(by, code))
            for code in group_order(tables.codebook, by, present)
        ]
    return groups


def _question_blocks(
    tables: ReportTables, question: Question, present: set[tuple[str, str]]
) -> list[Block]:
    """The tables of one closed question, rows limited to estimates the engine made."""
    labels = tables.labels

    def rows(candidates: list[Row]) -> list[Row]:
        return [row for row in candidates if (row.question, row.option) in present]

    scale = tables.codebook.scales.get(question.scale or "", {})
    span = f" ({min(scale)}–{max(scale)})" if scale else ""
    kind = question.type
    if kind in (QuestionType.SINGLE, QuestionType.MULTI):
        title = labels.question(question.id)
        if kind is QuestionType.MULTI:
            title += " (more than one answer: % of those who answered)"
        body = rows(
            [
                Row(option.label, question.id, option.code, RowKind.SHARE)
                for option in question.options
            ]
        )
        return [Block(title, question.id, body)] if body else []
    if kind is QuestionType.LIKERT:
        body = rows(
            [
                Row(labels.option(question.id, "top2"), question.id, "top2", RowKind.SHARE),
                Row(f"Mean{span}", question.id, "mean", RowKind.MEAN),
            ]
        )
        return [Block(labels.question(question.id), question.id, body)] if body else []
    if kind is QuestionType.NUMBER:
        body = rows([Row("Mean", question.id, "mean", RowKind.MEAN)])
        return [Block(labels.question(question.id), question.id, body)] if body else []
    if kind is QuestionType.GRID:
        out = []
        for item in question.items:
            columns = question.grid_columns(item)
            if not columns:
                continue
            item_scale = tables.codebook.scales.get(item.scale, {})
            item_span = f" ({min(item_scale)}–{max(item_scale)})" if item_scale else ""
            top2 = labels.option(columns[0], "top2").lower()
            pairs = list(zip(question.topics, columns, strict=True))
            shares = rows([Row(t.label, c, "top2", RowKind.SHARE) for t, c in pairs])
            means = rows([Row(t.label, c, "mean", RowKind.MEAN) for t, c in pairs])
            if shares:
                out.append(Block(f"{item.text} % {top2}", question.id, shares))
            if means:
                out.append(Block(f"{item.text} Mean{item_span}", question.id, means))
        return out
    return []


def _humanise(identifier: str) -> str:
    return identifier.replace("_", " ").capitalize()


def _sections(tables: ReportTables) -> list[Section]:
    """The question tables, grouped as the workbook's sheets: each grid on its own, the
    breakdown and profile questions as "About you", the rest as "Other questions"; in the
    codebook's order of their first question."""
    codebook = tables.codebook
    results = tables.shown("results")
    present = set(zip(results["question"], results["option"], strict=True))
    about = set(codebook.dimensions) | set(codebook.profile)
    named: dict[str, list[Block]] = {}
    for question in codebook.questions:
        if question.type is QuestionType.TEXT:
            continue
        if question.type is QuestionType.GRID:
            name = f"{_humanise(question.id)} grid"
        elif question.id in about:
            name = "About you"
        else:
            name = "Other questions"
        found = _question_blocks(tables, question, present)
        if found:
            named.setdefault(name, []).extend(found)
    return [Section(name, blocks) for name, blocks in named.items()]


def build_report(tables: ReportTables) -> ReportModel:
    """The report model of a wave's tables.

    Examples
    --------
    >>> from survey.examples import demo_tables
    >>> model = build_report(demo_tables())
    >>> [group.code for group in model.groups if group.by == "sector"]
    ['public', 'academic', 'school', 'special', 'other']
    >>> cell = model.cell("imp_literacy_instruction", "top2", "sector", "school")
    >>> cell.published, cell.n >= model.threshold, 0 < cell.estimate < 1
    (True, True, True)
    >>> model.sections[0].title
    'About you'
    """
    return ReportModel(
        tables=tables,
        groups=_groups(tables),
        sections=_sections(tables),
        findings=headline_findings(tables),
        changes=change_findings(tables, limit=None),
        _cells=_cells(tables),
        _present=_present(tables),
    )
