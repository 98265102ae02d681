"""Reports people present: the workbook, the HTML report and the slide deck of a wave.

Every writer renders the wave's report model (:func:`~survey.report.model.build_report`, built
once from the engine's tables) and decides nothing statistical. :func:`write_reports` writes
all three from a finished wave's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from survey.codebook import Codebook
from survey.report.model import build_report
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

    out = out_dir or folder
    workbook = None
    if sidecar is not None:
        workbook = sidecar.call(
            _write_workbook, folder=folder, codebook=codebook, history=history, path=out
        )
    model = build_report(load_tables(folder, codebook, history=history))
    if workbook is None:
        written = [write_xlsx(model, out / "report.xlsx")]
    html = write_html(model, out / "report.html")
    deck = write_pptx(model, out / "slides.pptx", template=template)
    if workbook is not None:
        written = [workbook.result()]
    return [*written, html, deck]


def _write_workbook(folder: Path, codebook: Codebook, history: Path | None, path: Path) -> Path:
    """``report.xlsx`` into folder ``path`` from the tables in ``folder`` (in a sidecar)."""
    from survey.export.xlsx import write_xlsx

    model = build_report(load_tables(folder, codebook, history=history))
    return write_xlsx(model, path / "report.xlsx")
