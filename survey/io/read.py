"""Readers of the supported export layouts.

Each reader returns text exactly as exported: empty cells become missing, nothing else is
changed (no stripping, no type conversion; ``"None"`` and ``"N/A"`` stay text because they are
answer labels). Platform metadata columns are renamed to the toolkit's names.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd

from survey.codebook import Layout
from survey.errors import DataError

__all__ = ["RawExport", "detect_layout", "read_export"]

#: Qualtrics metadata column ids and the toolkit's names for them.
QUALTRICS_METADATA = {
    "StartDate": "start_date",
    "EndDate": "end_date",
    "Status": "status",
    "IPAddress": "ip_address",
    "Progress": "progress",
    "Duration (in seconds)": "duration_seconds",
    "Finished": "finished",
    "RecordedDate": "recorded_date",
    "ResponseId": "respondent_id",
    "RecipientLastName": "last_name",
    "RecipientFirstName": "first_name",
    "RecipientEmail": "email",
    "ExternalReference": "external_reference",
    "LocationLatitude": "location_latitude",
    "LocationLongitude": "location_longitude",
    "DistributionChannel": "distribution_channel",
    "UserLanguage": "user_language",
}

#: SurveyMonkey metadata column headers and the toolkit's names for them.
SURVEYMONKEY_METADATA = {
    "Respondent ID": "respondent_id",
    "Collector ID": "collector_id",
    "Start Date": "start_date",
    "End Date": "end_date",
    "IP Address": "ip_address",
    "Email Address": "email",
    "First Name": "first_name",
    "Last Name": "last_name",
    "Custom Data 1": "custom_data_1",
}

#: Sub-labels SurveyMonkey writes under a question that has one column.
SURVEYMONKEY_SINGLE_COLUMN = {"Response", "Open-Ended Response", ""}

#: Separator between a question's text and a sub-label in a column name.
SUBLABEL_SEPARATOR = " | "


@dataclass(frozen=True)
class RawExport:
    """One export as read: text cells, platform metadata under the toolkit's names.

    Attributes
    ----------
    frame
        One row per response, one column per export column, text or missing.
    path
        The file read.
    layout
        The layout it was read as.
    question_text
        For each column, the question text the export gave for it (where it gave one).
    """

    frame: pd.DataFrame
    path: Path
    layout: Layout
    question_text: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Number of responses in the file."""
        return len(self.frame)


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
    path = _readable(Path(path))
    chosen = Layout(layout) if layout is not None else detect_layout(path, encoding=encoding)
    if chosen is Layout.QUALTRICS:
        return _read_qualtrics(path, encoding)
    return _read_surveymonkey(path, encoding)


def detect_layout(path: Path, *, encoding: str | None = None) -> Layout:
    """Tell the layout of an export from its first rows.

    A Qualtrics export's third row holds ``{"ImportId": ...}``; a SurveyMonkey export starts
    with ``Respondent ID`` and has a second header row of sub-labels.
    """
    rows = _first_rows(_readable(path), encoding, count=3)
    if len(rows) >= 3 and any("ImportId" in str(cell) for cell in rows[2][:5]):
        return Layout.QUALTRICS
    if rows and rows[0] and str(rows[0][0]).strip() == "Respondent ID":
        return Layout.SURVEYMONKEY
    raise DataError(
        f"{path}: cannot tell the export layout (expected a Qualtrics export with an ImportId "
        "header row, or a SurveyMonkey export starting with 'Respondent ID'); "
        "set the wave's layout in the codebook"
    )


# ----------------------------------------------------------------------------------- text
def _readable(path: Path) -> Path:
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if not path.is_file():
        raise DataError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty; export the responses again")
    return path


def _decode(path: Path, encoding: str | None) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{path}: this is not a text export (binary content)")
    candidates = [encoding] if encoding else ["utf-8-sig", "cp1252"]
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
        except LookupError:
            raise DataError(f"{path}: unknown encoding {candidate!r} in the codebook") from None
    raise DataError(
        f"{path}: the text is not {' or '.join(candidates)}; "
        "set the wave's encoding in the codebook"
    )


def _first_rows(path: Path, encoding: str | None, count: int) -> list[list[Any]]:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _xlsx_rows(path, limit=count)
    text = _decode(path, encoding)
    return [row for row, _ in zip(csv.reader(io.StringIO(text)), range(count), strict=False)]


def _read_qualtrics(path: Path, encoding: str | None) -> RawExport:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(path)
    else:
        rows = list(csv.reader(io.StringIO(_decode(path, encoding))))
    if len(rows) < 3:
        raise DataError(
            f"{path}: a Qualtrics export needs three header rows (ids, question text, ImportId)"
        )
    ids, texts, import_ids = rows[0], rows[1], rows[2]
    if not any("ImportId" in str(cell) for cell in import_ids):
        raise DataError(f"{path}: the third row is not Qualtrics' ImportId row")
    columns = [QUALTRICS_METADATA.get(str(name), str(name)) for name in ids]
    question_text = {
        column: str(text) for column, text in zip(columns, texts, strict=False) if text
    }
    frame = _frame(path, columns, rows[3:])
    return RawExport(frame, path, Layout.QUALTRICS, question_text)


def _read_surveymonkey(path: Path, encoding: str | None) -> RawExport:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(path)
    else:
        rows = list(csv.reader(io.StringIO(_decode(path, encoding))))
    if len(rows) < 2:
        raise DataError(f"{path}: a SurveyMonkey export needs two header rows")
    questions, sublabels = rows[0], rows[1]
    columns: list[str] = []
    question_text: dict[str, str] = {}
    current = ""
    for position in range(max(len(questions), len(sublabels))):
        heading = _cell_text(questions[position]) if position < len(questions) else ""
        sublabel = _cell_text(sublabels[position]) if position < len(sublabels) else ""
        if heading:
            current = heading
        if heading in SURVEYMONKEY_METADATA:
            name = SURVEYMONKEY_METADATA[heading]
        elif sublabel in SURVEYMONKEY_SINGLE_COLUMN:
            name = current
        else:
            name = f"{current}{SUBLABEL_SEPARATOR}{sublabel}"
        columns.append(name)
        question_text[name] = current
    frame = _frame(path, columns, rows[2:])
    return RawExport(frame, path, Layout.SURVEYMONKEY, question_text)


def _frame(path: Path, columns: list[str], rows: list[list[Any]]) -> pd.DataFrame:
    rows = [row for row in rows if any(_cell_text(cell) for cell in row)]
    if not rows:
        raise DataError(f"{path}: the export has headers but no responses")
    width = len(columns)
    cells = [[_cell_or_none(cell) for cell in row[:width]] for row in rows]
    for row in cells:
        row.extend([None] * (width - len(row)))
    columns = _unique(columns)
    frame = pd.DataFrame(cells, columns=columns, dtype=object)
    return frame


def _unique(columns: list[str]) -> list[str]:
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


def _cell_text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _cell_or_none(cell: Any) -> str | None:
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


def _xlsx_rows(path: Path, limit: int | None = None) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise DataError(f"{path}: not a readable .xlsx workbook ({error})") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if limit is not None and len(rows) >= limit:
                break
        return rows
    finally:
        workbook.close()
