"""Reports people present: the workbook, the HTML report and the slide deck of a wave.

Every writer reads the engine's tables through :func:`~survey.report.tables.load_tables` and
the plain-language findings of :func:`~survey.report.findings.headline_findings`; none computes
a statistic. :func:`write_reports` writes all three from a finished wave's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from survey.codebook import Codebook
from survey.report.tables import Labels, ReportTables, load_tables

if TYPE_CHECKING:
    from survey.sidecar import Sidecar

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
    sidecar: Sidecar | None = None,
) -> list[Path]:
    """Write ``report.xlsx``, ``report.html`` and ``slides.pptx`` into a wave's folder from the
    tables ``survey run`` wrote there (each file atomically).

    ``template`` is a .pptx whose slide master the deck uses (the association's own).
    ``out_dir`` writes them elsewhere; ``history`` reads the wave's history (``trends.csv``
    ...) from another folder (both: a run's staging folder). A ``sidecar`` process writes
    the workbook while this one writes the HTML report and the deck.
    """
    from survey.export.html import write_html
    from survey.export.pptx import write_pptx
    from survey.export.xlsx import write_xlsx
    from survey.report.findings import headline_findings

    out = out_dir or folder
    workbook = None
    if sidecar is not None:
        workbook = sidecar.call(
            _write_workbook, folder=folder, codebook=codebook, history=history, path=out
        )
    tables = load_tables(folder, codebook, history=history)
    findings = headline_findings(tables)
    if workbook is None:
        written = [write_xlsx(tables, findings, out / "report.xlsx")]
    html = write_html(tables, findings, out / "report.html")
    deck = write_pptx(tables, findings, out / "slides.pptx", template=template)
    if workbook is not None:
        written = [workbook.result()]
    return [*written, html, deck]


def _write_workbook(folder: Path, codebook: Codebook, history: Path | None, path: Path) -> Path:
    """``report.xlsx`` into folder ``path`` from the tables in ``folder`` (in a sidecar)."""
    from survey.export.xlsx import write_xlsx
    from survey.report.findings import headline_findings

    tables = load_tables(folder, codebook, history=history)
    return write_xlsx(tables, headline_findings(tables), path / "report.xlsx")
