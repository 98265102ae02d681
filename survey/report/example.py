"""The bundled demo's first wave, processed once: where the examples of the report model and
of the writers start (run them from the clone's root, where ``data/raw/`` is).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from survey.codebook import load_codebook
from survey.pipeline import process_wave
from survey.report.model import ReportModel, build_report
from survey.report.tables import ReportTables, load_tables

__all__ = ["DEMO_CODEBOOK", "DEMO_WAVE", "demo_folder", "demo_report", "demo_tables"]

#: The bundled demo's codebook, relative to the clone's root, and the wave the examples use.
DEMO_CODEBOOK = Path("data/raw/codebook.yaml")
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
    book = load_codebook(DEMO_CODEBOOK)
    folder = Path(tempfile.mkdtemp())
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
    return load_tables(demo_folder(), load_codebook(DEMO_CODEBOOK))


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
