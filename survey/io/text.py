"""Shared helpers of the readers: checking a file, decoding text, rows of a CSV or a
workbook, and building the frame of text cells.

Text exports are decoded by their byte-order mark when they have one (UTF-8, UTF-16, UTF-32),
else by the codebook's encoding, else as UTF-8 and then Windows-1252; the separator (comma,
tab, semicolon or bar) is detected from the first lines. Every problem is a
:class:`~survey.errors.DataError` naming the file: binary content, an unterminated quote, a cell
larger than :data:`MAX_CELL_CHARS`, a damaged workbook.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any

import pandas as pd

from survey.errors import DataError

__all__ = [
    "DELIMITERS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "Table",
    "cell_or_none",
    "cell_text",
    "csv_rows",
    "decode",
    "decode_text",
    "detect_delimiter",
    "first_rows",
    "frame_of",
    "is_workbook",
    "read_table",
    "readable",
    "unique_names",
    "xlsx_rows",
]

_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}

#: Separators a text export may use, in the order preferred when the first lines fit several.
DELIMITERS = (",", "\t", ";", "|")

#: The longest cell a text export may hold (characters); the csv module's default is 131,072.
MAX_CELL_CHARS = 10 * 1024 * 1024

#: The most cells a line of a text export may split into (Excel's limit is 16,384 columns).
MAX_COLUMNS = 100_000

_DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "bar"}

#: Byte-order marks and the codec that reads each (UTF-32 first: its LE mark starts like
#: UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: How much of a text export the separator is detected from.
_SAMPLE_CHARS = 128 * 1024

#: Excel's first line naming the separator (``sep=;``).
_EXCEL_SEP = re.compile(r"sep=(.)[ \t]*(?:\r\n|\r|\n|$)")


@dataclass(frozen=True)
class Table:
    """The rows of an export file as read.

    Attributes
    ----------
    rows
        Every row, header rows included; text cells from a CSV, cell values from a workbook.
    encoding
        The encoding the text was decoded with (``None`` for a workbook).
    delimiter
        The separator of a CSV (``None`` for a workbook).
    """

    rows: list[list[Any]]
    encoding: str | None
    delimiter: str | None


def is_workbook(path: Path) -> bool:
    """Whether the file is an Excel workbook (by its name)."""
    return path.suffix.lower() in _WORKBOOK_SUFFIXES


def readable(path: Path) -> Path:
    """The path, if it names a non-empty file; else a :class:`DataError` saying what it is."""
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if not path.is_file():
        raise DataError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty; export the responses again")
    return path


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the bytes look like UTF-16 text without a mark
    (every other byte zero, as in Latin text), else ``None``."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.7 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.7 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _binary(path: Path, data: bytes) -> DataError:
    if data.startswith(b"PK\x03\x04"):
        return DataError(
            f"{path}: this is a zip archive or an Excel workbook, not a text export; "
            "give a workbook the .xlsx extension"
        )
    return DataError(f"{path}: this is not a text export (binary content)")


def decode_text(path: Path, encoding: str | None) -> tuple[str, str]:
    """The text of an export and the encoding it was decoded with.

    A byte-order mark decides the encoding; without one, ``encoding`` (the codebook's) is used,
    or UTF-8 then Windows-1252 are tried. The mark is not part of the text.

    Raises
    ------
    DataError
        The file holds binary content (a NUL character anywhere), or is not in the encoding.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = path.write_bytes("id,comment\\r\\n1,café\\r\\n".encode("utf-16"))
    >>> decode_text(path, None)
    ('id,comment\\r\\n1,café\\r\\n', 'utf-16')
    """
    data = path.read_bytes()
    marked = next((codec for bom, codec in _BOMS if data.startswith(bom)), None)
    if marked is not None:
        candidates = [marked]
    elif encoding:
        candidates = [encoding]
    elif b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise _binary(path, data)
        candidates = [utf16]
    else:
        candidates = ["utf-8", "cp1252"]
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        except LookupError:
            raise DataError(f"{path}: unknown encoding {candidate!r} in the codebook") from None
        text = text.removeprefix("\ufeff")
        if "\x00" in text:
            raise _binary(path, data)
        return text, candidate
    raise DataError(
        f"{path}: the text is not {' or '.join(candidates)}; "
        "set the wave's encoding in the codebook"
    )


def decode(path: Path, encoding: str | None) -> str:
    """The text of an export, decoded as :func:`decode_text` does."""
    return decode_text(path, encoding)[0]


def detect_delimiter(text: str) -> str:
    """The separator of a CSV export, from its first lines.

    Each of :data:`DELIMITERS` splits the first lines; the one that gives the first line more
    than one cell and the most lines of that same width wins (then the widest first line, then
    the order of :data:`DELIMITERS`). A file none of them splits is read as comma-separated.

    Examples
    --------
    >>> detect_delimiter("id;sector;comment\\r\\n1;public;yes, a lot\\r\\n")
    ';'
    >>> detect_delimiter("id\\tcomment\\n1\\tcheap, near, useful\\n")
    '\\t'
    >>> detect_delimiter("only one column\\n")
    ','
    """
    sample = text[:_SAMPLE_CHARS]
    truncated = len(text) > len(sample)
    best: tuple[float, int] | None = None
    chosen = ","
    for delimiter in DELIMITERS:
        if delimiter not in sample:
            continue
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        try:
            rows = list(islice(reader, 50))
        except csv.Error:
            continue
        if truncated and len(rows) > 1:
            rows = rows[:-1]
        widths = [len(row) for row in rows if any(row)]
        if not widths or widths[0] < 2:
            continue
        score = (sum(width == widths[0] for width in widths) / len(widths), widths[0])
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


#: A line and its ending as ``newline=""`` splits them (``\r\n``, ``\r`` or ``\n``); the
#: empty match at the very end stops the lines.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


class _Lines:
    """The lines of a text (split as ``newline=""`` does), remembering those of the row the
    csv reader is reading; a line with more than :data:`MAX_COLUMNS` separators is refused
    before it is split."""

    def __init__(self, path: Path, text: str, delimiter: str) -> None:
        self._path, self._delimiter = path, delimiter
        # lines found in place: a StringIO would copy the text at four bytes a character
        self._lines = _LINE.finditer(text)
        self._number = 0
        self.current: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines).group()
        if not line:
            raise StopIteration
        self._number += 1
        if line.count(self._delimiter) > MAX_COLUMNS:
            raise DataError(
                f"{self._path}: line {self._number} has more than {MAX_COLUMNS:,} "
                f"{_DELIMITER_NAMES.get(self._delimiter, 'separator')}s; "
                "this is not a survey export"
            )
        self.current.append(line)
        return line


def _unterminated(path: Path, line: int) -> DataError:
    return DataError(
        f"{path}: unterminated quote near line {line}: a quoted cell opened there never "
        "closes (the file may be cut short); export the responses again"
    )


def _csv_error(path: Path, line: int, error: csv.Error) -> DataError:
    message = str(error)
    if "unexpected end of data" in message:
        return _unterminated(path, line)
    if "field larger than field limit" in message:
        return DataError(
            f"{path}: a cell near line {line} is longer than {MAX_CELL_CHARS:,} characters "
            "(a quote left open?); check the file or export it again"
        )
    return DataError(
        f"{path}: malformed CSV near line {line} ({message}); "
        "check the quoting or export the responses again"
    )


def _checked_rows(path: Path, text: str, delimiter: str) -> Iterator[list[str]]:
    """The rows of CSV text. A stray quote inside a cell is read leniently, as the csv module
    does (``"a"b`` is ``ab``); a quote left open at the end of the file, which the lenient
    reader would let swallow every line after it, is a :class:`DataError` naming the line its
    row starts on (the last row is read again strictly to tell)."""
    if csv.field_size_limit() < MAX_CELL_CHARS:
        csv.field_size_limit(MAX_CELL_CHARS)
    lines = _Lines(path, text, delimiter)
    reader = csv.reader(lines, delimiter=delimiter)
    last: tuple[int, list[str]] | None = None
    while True:
        line = reader.line_num + 1
        lines.current = []
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise _csv_error(path, line, error) from None
        last = (line, lines.current)
        # one object per distinct text: a wave's answers repeat a few labels a million times
        yield list(map(sys.intern, row))
    if last is not None and any('"' in raw for raw in last[1]):
        try:
            for _ in csv.reader(last[1], delimiter=delimiter, strict=True):
                pass
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                raise _unterminated(path, last[0]) from None


def _excel_separator(text: str) -> tuple[str | None, str]:
    """The separator an Excel ``sep=;`` first line names, and the text after that line."""
    match = _EXCEL_SEP.match(text)
    if match is None:
        return None, text
    return match.group(1), text[match.end() :]


def read_table(path: Path, encoding: str | None, limit: int | None = None) -> Table:
    """The rows of an export file: a workbook's first sheet, or a CSV decoded and split on
    its detected separator.

    Parameters
    ----------
    path
        The export.
    encoding
        The codebook's encoding for a CSV (see :func:`decode_text`); ignored for a workbook.
    limit
        Read only this many rows (the header rows, to tell the layout).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = path.write_bytes(b"\\xef\\xbb\\xbfid;comment\\r\\n1;\\"two\\r\\nlines\\"\\r\\n")
    >>> table = read_table(path, None)
    >>> table.rows, table.encoding, table.delimiter
    ([['id', 'comment'], ['1', 'two\\r\\nlines']], 'utf-8-sig', ';')
    """
    if is_workbook(path):
        return Table(xlsx_rows(path, limit=limit), None, None)
    text, used = decode_text(path, encoding)
    delimiter, text = _excel_separator(text)
    if delimiter is None:
        delimiter = detect_delimiter(text)
    rows = _checked_rows(path, text, delimiter)
    return Table(list(rows if limit is None else islice(rows, limit)), used, delimiter)


def first_rows(path: Path, encoding: str | None, count: int) -> list[list[Any]]:
    """The first ``count`` rows of an export (CSV or workbook)."""
    return read_table(path, encoding, limit=count).rows


def csv_rows(path: Path, encoding: str | None) -> list[list[str]]:
    """Every row of a CSV export (decoded as :func:`decode` does, separator detected)."""
    return read_table(path, encoding).rows


def _last_value(row: list[Any]) -> int:
    """The position of a row's last cell with text (-1 if none)."""
    for position in range(len(row) - 1, -1, -1):
        if cell_text(row[position]):
            return position
    return -1


def _drop_empty_trailing(columns: list[str], rows: list[list[Any]]) -> list[str]:
    """The columns without trailing ones that have no name and no value in any row (a comma
    at the end of every line)."""
    used = max((_last_value(row) for row in rows), default=-1)
    end = len(columns)
    while end > used + 1 and not cell_text(columns[end - 1]):
        end -= 1
    return list(columns[:end])


def frame_of(
    path: Path, columns: list[str], rows: list[list[Any]], *, check_width: bool = False
) -> pd.DataFrame:
    """The frame of text cells under the given column names.

    Rows with no text are dropped; a trailing column with no name and no values is dropped;
    duplicate names get a suffix (:func:`unique_names`); cells are :func:`cell_or_none`.
    Values beyond the last column are dropped, unless ``check_width``.

    Raises
    ------
    DataError
        No response rows, or (with ``check_width``) a row with values beyond the last column.
    """
    rows = [row for row in rows if any(cell_text(cell) for cell in row)]
    if not rows:
        raise DataError(f"{path}: the export has headers but no responses")
    columns = _drop_empty_trailing(columns, rows)
    width = len(columns)
    for number, row in enumerate(rows, 1):
        if check_width and len(row) > width and any(cell_text(cell) for cell in row[width:]):
            raise DataError(
                f"{path}: response row {number} has values in {len(row)} columns but the "
                f"header names {width}; a separator or quote is out of place, "
                "check the file or export it again"
            )
    cells = [row[:width] if len(row) >= width else [*row, *[None] * (width - len(row))]
             for row in rows]  # fmt: skip
    frame = pd.DataFrame(cells, columns=unique_names(columns), dtype=object)
    for position in range(width):
        values = frame.iloc[:, position]
        if pd.api.types.infer_dtype(values, skipna=True) in {"string", "empty"}:
            # text only (every cell of a CSV): just "" to None, without a call per cell
            frame.isetitem(position, values.where(values != "", None))  # type: ignore[arg-type]
        else:
            shown = [cell_or_none(cell) for cell in values.tolist()]
            frame.isetitem(position, pd.Series(shown, index=frame.index, dtype=object))  # type: ignore[arg-type]
    return frame


def unique_names(columns: list[str]) -> list[str]:
    """Column names made unique: an empty name is ``unnamed``, a repeat gets `` (2)``, ...

    Examples
    --------
    >>> unique_names(["id", "", "Q1", "Q1", ""])
    ['id', 'unnamed', 'Q1', 'Q1 (2)', 'unnamed (2)']
    """
    seen: dict[str, int] = {}
    unique = []
    for column in columns:
        name = column or "unnamed"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        unique.append(name)
    return unique


def cell_text(cell: Any) -> str:
    """A cell as stripped text (``""`` for an empty cell), for tests of emptiness."""
    return "" if cell is None else str(cell).strip()


def cell_or_none(cell: Any) -> str | None:
    """An exported cell as the text a person would have seen; empty is ``None``."""
    if cell is None:
        return None
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, date | time):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    text = str(cell)
    return text if text != "" else None


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


def xlsx_rows(path: Path, limit: int | None = None) -> list[list[Any]]:
    """The rows of a workbook's first sheet (cell values), the first ``limit`` only if given."""
    from openpyxl import load_workbook  # 0.2 s to import: loaded only for an .xlsx export

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl, zipfile and lxml raise many types on a bad file
        raise DataError(f"{path}: not a readable .xlsx workbook ({_one_line(error)})") from None
    try:
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            # Read the cells there are, not the range the file claims (which may be stale,
            # or A1:XFD1048576).
            sheet.reset_dimensions()
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if limit is not None and len(rows) >= limit:
                break
        return rows
    except Exception as error:
        raise DataError(f"{path}: not a readable .xlsx workbook ({_one_line(error)})") from None
    finally:
        workbook.close()
