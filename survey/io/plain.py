"""Plain CSV and XLSX with one header row of column names; separator and encoding detected.

The layout of a file exported by a tool this package does not know, or tidied by hand: the
first row names the columns, every further row is a response. A CSV may be separated by comma,
semicolon, tab or ``|``, in UTF-8 (with or without BOM), UTF-16 (with BOM) or Windows-1252
(see :func:`~survey.io.text.read_table`). Metadata columns named as people name them
(``Duration``, ``Start date``, ``Progress``: :data:`PLAIN_METADATA`) get the toolkit's names;
nothing else is renamed: name the columns as the codebook does (``respondent_id``, ``sector``
...) or by the question text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from survey.codebook import Layout
from survey.errors import DataError
from survey.io.raw import RawExport
from survey.io.text import cell_or_none, cell_text, frame_of, read_table

__all__ = ["PLAIN_METADATA", "looks_like", "read"]

#: Metadata column names of tidied or hand-made exports (compared as lower-case letters and
#: digits) and the toolkit's names for them; any other column keeps its name.
PLAIN_METADATA = {
    "durationinseconds": "duration_seconds",
    "durationseconds": "duration_seconds",
    "duration": "duration_seconds",
    "startdate": "start_date",
    "starttime": "start_date",
    "enddate": "end_date",
    "endtime": "end_date",
    "start": "start_date",  # (KoboToolbox, ODK)
    "end": "end_date",
    "progress": "progress",
}

#: The share of a header row's names that may repeat another (at least one may).
_REPEATED_SHARE = 0.1


def _header(row: list[Any]) -> list[str]:
    """A header row's names, without the empty cells after the last name."""
    names = [cell_text(cell) for cell in row]
    while names and not names[-1]:
        names.pop()
    return names


def looks_like(path: Path, head: list[list[Any]]) -> bool:
    """Whether the first row is a header: non-empty names (the first may be empty, as pandas
    writes its index), mostly distinct (one name, or a tenth of them, may repeat), some with
    letters.

    This is the fallback layout, tried after every platform's.

    Examples
    --------
    >>> looks_like(Path("export.csv"), [["id", "sector", "comment"], ["1", "public", ""]])
    True
    >>> looks_like(Path("export.csv"), [["1", "2", "3"]]), looks_like(Path("x.csv"), [["a", ""]])
    (False, True)
    >>> looks_like(Path("export.csv"), [["id", "", "comment"]])
    False
    >>> looks_like(Path("export.csv"), [["", "sector", "comment"], ["0", "public", ""]])
    True
    """
    if not head:
        return False
    names = _header(head[0])
    if len(names) > 1 and not names[0]:
        names = names[1:]  # pandas' to_csv writes its index under an empty first name
    if not names or not all(names):
        return False
    if len(names) - len(set(names)) > max(1, _REPEATED_SHARE * len(names)):
        return False
    return any(character.isalpha() for name in names for character in name)


def read(path: Path, encoding: str | None) -> RawExport:
    """Read a CSV or XLSX export with one header row.

    Column names are the header's as written (a repeated name gets a suffix, `` (2)``); cells
    are text exactly as exported, empty ones missing.

    Raises
    ------
    DataError
        No header row, a header with no names, no response rows, or a row with values beyond
        the last named column (a separator or quote out of place).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = path.write_bytes("respondent_id;sector;comment\\r\\n7;Public ;“great”\\r\\n"
    ...     .encode("cp1252"))
    >>> export = read(path, None)
    >>> export.frame.iloc[0].tolist(), export.encoding
    (['7', 'Public ', '“great”'], 'cp1252')
    """
    table = read_table(path, encoding)
    if not table.rows or not _header(table.rows[0]):
        raise DataError(
            f"{path}: the first row names no columns; a plain export needs one header row"
        )
    columns = [cell_or_none(cell) or "" for cell in table.rows[0]]
    renamed = [PLAIN_METADATA.get(re.sub(r"[^a-z0-9]", "", name.casefold())) for name in columns]
    columns = [
        new if new is not None and renamed.count(new) == 1 and new not in columns else name
        for name, new in zip(columns, renamed, strict=True)
    ]
    frame = frame_of(path, columns, table.rows[1:], check_width=True)
    return RawExport(frame, path, Layout.CSV, encoding=table.encoding)
