"""Reports people present: the workbook, the HTML report and the slide deck of a wave.

Every writer renders the wave's report model (:func:`~survey.report.model.build_report`, built
once from the engine's tables) and decides nothing statistical. :func:`write_reports` writes
all three from a finished wave's folder.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from survey.codebook import Codebook
from survey.report.model import build_report
from survey.report.tables import Labels, ReportTables, load_tables

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
    # the writers bring openpyxl, python-pptx, plotly and jinja2 (about a second): loaded
    # when reports are written, so that importing survey.export stays light
    from survey.export.html import write_html
    from survey.export.pptx import write_pptx
    from survey.export.xlsx import write_xlsx

    out = out_dir or folder
    model = build_report(load_tables(folder, codebook, history=history))
    written = []
    if "report.xlsx" in files:
        written.append(write_xlsx(model, out / "report.xlsx"))
    if "report.html" in files:
        written.append(write_html(model, out / "report.html"))
    if "slides.pptx" in files:
        written.append(write_pptx(model, out / "slides.pptx", template=template))
    return written
