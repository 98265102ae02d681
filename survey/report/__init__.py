"""The report model: what every report and the dashboard show, decided once.

``tables`` reads a finished wave's tables (:func:`load_tables`); ``rules`` holds the one
published rule and the one group order; ``findings`` says the headline findings and changes
that :mod:`survey.analysis.findings` chose; ``model`` arranges it all into typed sections,
blocks, rows and cells (:func:`build_report`); ``style`` formats a figure the same way
everywhere. The writers in :mod:`survey.export` render a :class:`ReportModel`.
"""

from survey.report.model import Block, Cell, Group, ReportModel, Row, RowKind, Section, build_report
from survey.report.rules import group_order, published, published_mask
from survey.report.tables import Labels, ReportTables, load_tables

__all__ = [
    "Block",
    "Cell",
    "Group",
    "Labels",
    "ReportModel",
    "ReportTables",
    "Row",
    "RowKind",
    "Section",
    "build_report",
    "group_order",
    "load_tables",
    "published",
    "published_mask",
]
