"""The page model: tables (columns and cells, their text already rounded), charts
with their text alternatives, and the panels of question tables by dimension.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Cell", "Chart", "Column", "DataTable", "Panel", "QuestionBlock"]


@dataclass
class Cell:
    """One cell of a table as the page shows it (text already rounded by :mod:`style`)."""

    text: str
    ci: str = ""
    letters: str = ""
    key: str = ""
    source: str = "cell"
    numeric: bool = True
    suppressed: bool = False
    header: bool = False


@dataclass
class Column:
    """A column of a table: a group, with its significance letter and base."""

    label: str
    letter: str = ""
    n: str = ""
    numeric: bool = True


@dataclass
class DataTable:
    """A table of the page: caption, columns (the first one heads the row labels), rows."""

    id: str
    caption: str
    columns: list[Column]
    rows: list[list[Cell]]
    note: str = ""


@dataclass
class Chart:
    """A plotly chart with its text alternative."""

    id: str
    title: str
    caption: str
    fragment: str
    tables: list[DataTable] = field(default_factory=list)

    @property
    def described_by(self) -> str:
        """The ids of the tables that hold the chart's numbers."""
        return " ".join(table.id for table in self.tables)


@dataclass
class QuestionBlock:
    """The tables of one question (or one grid item) in a dimension's panel."""

    id: str
    title: str
    tables: list[DataTable]


@dataclass
class Panel:
    """Every question's table by one breakdown dimension."""

    by: str
    name: str
    blocks: list[QuestionBlock]
