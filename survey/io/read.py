"""Reading an export in any supported layout.

Each layout has its module (:mod:`~survey.io.qualtrics`, :mod:`~survey.io.surveymonkey` ...)
with ``looks_like(first rows)`` and ``read(path, encoding)``; :func:`read_export` picks one by
the codebook's (or the caller's) layout, or detects it from the file. Readers return text
exactly as exported: empty cells become missing, nothing else is changed (no stripping, no type
conversion; ``"None"`` and ``"N/A"`` stay text because they are answer labels). Platform
metadata columns are renamed to the toolkit's names.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from survey.codebook import Layout
from survey.errors import DataError
from survey.io import qualtrics, surveymonkey
from survey.io.raw import SUBLABEL_SEPARATOR, RawExport
from survey.io.text import first_rows, readable

__all__ = ["READERS", "SUBLABEL_SEPARATOR", "RawExport", "detect_layout", "read_export"]

#: The reader of each layout.
READERS: dict[Layout, Callable[[Path, str | None], RawExport]] = {
    Layout.QUALTRICS: qualtrics.read,
    Layout.SURVEYMONKEY: surveymonkey.read,
}


def read_export(
    path: Path | str, *, layout: Layout | str | None = None, encoding: str | None = None
) -> RawExport:
    """Read an export file in the given (or detected) layout.

    Parameters
    ----------
    path
        The raw export. It is only read, never written.
    layout
        ``"qualtrics"`` or ``"surveymonkey"``; detected from the file when ``None``.
    encoding
        The text encoding of a CSV; when ``None`` UTF-8 (with or without BOM) is tried, then
        Windows-1252.

    Raises
    ------
    DataError
        The file is missing, unreadable, empty, or not in the layout.

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> from survey.demo import write_demo
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = write_demo(folder, n=50)
    >>> export = read_export(folder / "2025.xlsx")
    >>> export.layout.value, export.rows
    ('surveymonkey', 50)
    """
    path = readable(Path(path))
    chosen = Layout(layout) if layout is not None else detect_layout(path, encoding=encoding)
    return READERS[chosen](path, encoding)


def detect_layout(path: Path, *, encoding: str | None = None) -> Layout:
    """Tell the layout of an export from its first rows.

    A Qualtrics export's third row holds ``{"ImportId": ...}``; a SurveyMonkey export starts
    with ``Respondent ID`` and has a second header row of sub-labels.
    """
    rows = first_rows(readable(path), encoding, count=3)
    if qualtrics.looks_like(rows):
        return Layout.QUALTRICS
    if surveymonkey.looks_like(rows):
        return Layout.SURVEYMONKEY
    raise DataError(
        f"{path}: cannot tell the export layout (expected a Qualtrics export with an ImportId "
        "header row, or a SurveyMonkey export starting with 'Respondent ID'); "
        "set the wave's layout in the codebook"
    )
