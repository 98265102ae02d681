"""Reports people present: the workbook, the HTML report and the slide deck of a wave.

Every writer reads the engine's tables through :func:`~survey.export.tables.load_tables` and
the plain-language findings of :func:`~survey.export.findings.headline_findings`; none computes
a statistic. :func:`write_reports` writes all three from a finished wave's folder.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from survey.codebook import Codebook
from survey.export.tables import Labels, ReportTables, load_tables

__all__ = ["REPORT_FILES", "Labels", "ReportTables", "load_tables", "write_reports"]

#: The reports of a wave, in the order they are written.
REPORT_FILES = ("report.xlsx", "report.html", "slides.pptx")


def write_reports(
    folder: Path,
    codebook: Codebook,
    *,
    template: Path | None = None,
    out_dir: Path | None = None,
    history: Path | None = None,
    files: Collection[str] = REPORT_FILES,
) -> list[Path]:
    """Write ``report.xlsx``, ``report.html`` and ``slides.pptx`` into a wave's folder from the
    tables ``survey run`` wrote there (each file atomically); the paths, in that order.

    ``template`` is a .pptx whose slide master the deck uses (the association's own).
    ``out_dir`` writes them elsewhere; ``history`` reads the wave's history (``trends.csv``
    ...) from another folder (both: a run's staging folder). ``files`` writes only those of
    the three.
    """
    from survey.export.findings import headline_findings
    from survey.export.html import write_html
    from survey.export.pptx import write_pptx
    from survey.export.xlsx import write_xlsx

    out = out_dir or folder
    tables = load_tables(folder, codebook, history=history)
    findings = headline_findings(tables)
    written = []
    if "report.xlsx" in files:
        written.append(write_xlsx(tables, findings, out / "report.xlsx"))
    if "report.html" in files:
        written.append(write_html(tables, findings, out / "report.html"))
    if "slides.pptx" in files:
        written.append(write_pptx(tables, findings, out / "slides.pptx", template=template))
    return written
