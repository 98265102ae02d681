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
from types import ModuleType
from typing import Any

from survey.codebook import Layout
from survey.errors import DataError
from survey.io import limesurvey, plain, qualtrics, spss, surveymonkey
from survey.io.raw import SUBLABEL_SEPARATOR, RawExport
from survey.io.text import first_rows, readable

__all__ = ["READERS", "SUBLABEL_SEPARATOR", "RawExport", "detect_layout", "read_export"]

#: The reader of each layout.
READERS: dict[Layout, Callable[[Path, str | None], RawExport]] = {
    Layout.QUALTRICS: qualtrics.read,
    Layout.SURVEYMONKEY: surveymonkey.read,
    Layout.LIMESURVEY: limesurvey.read,
    Layout.SPSS: spss.read,
    Layout.CSV: plain.read,
}

#: The order layouts are tried in when detecting; plain CSV (one header row) comes last.
DETECTION_ORDER = (spss, qualtrics, surveymonkey, limesurvey, plain)
_LAYOUT_OF = {
    spss: Layout.SPSS,
    qualtrics: Layout.QUALTRICS,
    surveymonkey: Layout.SURVEYMONKEY,
    limesurvey: Layout.LIMESURVEY,
    plain: Layout.CSV,
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
        One of :class:`~survey.codebook.Layout` (``"qualtrics"``, ``"surveymonkey"``,
        ``"limesurvey"``, ``"spss"``, ``"csv"``); detected from the file when ``None``.
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
    if layout is None:
        chosen = detect_layout(path, encoding=encoding)
    else:
        try:
            chosen = Layout(layout)
        except ValueError:
            raise DataError(
                f"{path}: unknown layout {layout!r}; use one of {_layout_names()}"
            ) from None
    try:
        return READERS[chosen](path, encoding)
    except DataError:
        raise
    except Exception as error:  # a reader's bug or an unforeseen file: still one clear line
        raise DataError(
            f"{path}: cannot be read as a {chosen.value} export ({_one_line(error)}); "
            f"check its layout (--layout: {_layout_names()}) and the wave's encoding in the "
            "codebook"
        ) from error


def _layout_names() -> str:
    return ", ".join(layout.value for layout in Layout)


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _fits(module: ModuleType, path: Path, rows: list[list[Any]]) -> bool:
    """Whether a layout's module claims the file; one whose check cannot parse it does not."""
    try:
        return bool(module.looks_like(path, rows))
    except DataError:
        raise
    except Exception:
        return False


def detect_layout(path: Path, *, encoding: str | None = None) -> Layout:
    """Tell the layout of an export from its first rows.

    Layouts are tried in :data:`DETECTION_ORDER`: an SPSS ``.sav`` file by its signature; a
    Qualtrics export by its third row ``{"ImportId": ...}`` (or, legacy, ``V1`` ... over
    ``ResponseID`` ...); a SurveyMonkey export by its first cell ``Respondent ID``; a LimeSurvey
    export; last, any file whose first row is a header of column names (plain CSV or XLSX).

    Raises
    ------
    DataError
        The file is missing, empty or unreadable, or fits no layout.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = path.write_text("respondent_id;sector\\n1;public\\n", encoding="utf-8")
    >>> detect_layout(path).value
    'csv'
    """
    path = readable(path)
    binary = spss.looks_like(path, [])
    rows = [] if binary else first_rows(path, encoding, count=3)
    for module in DETECTION_ORDER:
        if _fits(module, path, rows):
            return _LAYOUT_OF[module]
    layouts = _layout_names()
    raise DataError(
        f"{path}: cannot tell the export layout (not an SPSS .sav file, a Qualtrics export "
        "with an ImportId row or V1... ids, a SurveyMonkey export starting with 'Respondent ID', "
        "a LimeSurvey export, or a file whose first row names its columns); "
        f"name its layout with --layout ({layouts}), or as the wave's layout in the codebook"
    )
