"""Reports people present: the workbook, the HTML report and the slide deck of a wave.

Every writer reads the engine's tables through :func:`~survey.export.tables.load_tables` and
the plain-language findings of :func:`~survey.export.findings.headline_findings`; none computes
a statistic.
"""

from survey.export.tables import Labels, ReportTables, load_tables

__all__ = ["Labels", "ReportTables", "load_tables"]
