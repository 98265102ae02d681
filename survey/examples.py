"""The demo's first wave, written and processed once: where the examples of the report model
and of the writers start (from anywhere: the wave is written by :func:`survey.demo.write_demo`
into a temporary folder, as ``survey demo`` writes it). It runs the pipeline, so it sits beside
it at the top of the package: ``report/`` and ``export/`` name it only in their examples.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from survey.codebook import load_codebook
from survey.demo import write_demo
from survey.pipeline import process_wave
from survey.report.model import ReportModel, build_report
from survey.report.tables import ReportTables, load_tables

__all__ = ["DEMO_WAVE", "demo_folder", "demo_report", "demo_tables"]

#: The wave the examples use.
DEMO_WAVE = "2024"


@functools.cache
def demo_folder() -> Path:
    """A new temporary folder holding the tables ``survey run`` writes for :data:`DEMO_WAVE`
    (no reports), made once per process.

    Returns
    -------
    pathlib.Path
        The folder, which also holds the wave's ``<wave>.parquet``.

    Examples
    --------
    >>> (demo_folder() / "results.csv").is_file()
    True
    """
    folder = Path(tempfile.mkdtemp())
    write_demo(folder / "raw", waves=[DEMO_WAVE])
    book = load_codebook(folder / "raw" / "codebook.yaml")
    process_wave(book, book.wave(DEMO_WAVE), out_dir=folder, processed_dir=folder, reports=False)
    return folder


def demo_tables() -> ReportTables:
    """The demo wave's tables, read afresh from :func:`demo_folder`.

    Returns
    -------
    ReportTables
        What :func:`~survey.report.tables.load_tables` reads.

    Examples
    --------
    >>> demo_tables().wave
    '2024'
    """
    return load_tables(demo_folder(), load_codebook(demo_folder() / "raw" / "codebook.yaml"))


def demo_report() -> ReportModel:
    """The demo wave's report model, built afresh from :func:`demo_tables`.

    Returns
    -------
    ReportModel
        What :func:`~survey.report.model.build_report` makes of the tables.

    Examples
    --------
    >>> demo_report().sections[0].title
    'About you'
    """
    return build_report(demo_tables())
