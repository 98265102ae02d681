"""Shared helpers of the readers: checking a file, decoding text, rows of a CSV or a
workbook, and building the frame of text cells."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd

from survey.errors import DataError

__all__ = [
    "cell_or_none",
    "cell_text",
    "csv_rows",
    "decode",
    "first_rows",
    "frame_of",
    "is_workbook",
    "readable",
    "unique_names",
    "xlsx_rows",
]

_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


def is_workbook(path: Path) -> bool:
    """Whether the file is an Excel workbook (by its name)."""
    return path.suffix.lower() in _WORKBOOK_SUFFIXES


def readable(path: Path) -> Path:
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if not path.is_file():
        raise DataError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty; export the responses again")
    return path


def decode(path: Path, encoding: str | None) -> str:
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


def first_rows(path: Path, encoding: str | None, count: int) -> list[list[Any]]:
    if is_workbook(path):
        return xlsx_rows(path, limit=count)
    text = decode(path, encoding)
    return [row for row, _ in zip(csv.reader(io.StringIO(text)), range(count), strict=False)]


def csv_rows(path: Path, encoding: str | None) -> list[list[str]]:
    """Every row of a CSV export (decoded as :func:`decode` does)."""
    return list(csv.reader(io.StringIO(decode(path, encoding))))


def frame_of(path: Path, columns: list[str], rows: list[list[Any]]) -> pd.DataFrame:
    rows = [row for row in rows if any(cell_text(cell) for cell in row)]
    if not rows:
        raise DataError(f"{path}: the export has headers but no responses")
    width = len(columns)
    cells = [[cell_or_none(cell) for cell in row[:width]] for row in rows]
    for row in cells:
        row.extend([None] * (width - len(row)))
    columns = unique_names(columns)
    frame = pd.DataFrame(cells, columns=columns, dtype=object)
    return frame


def unique_names(columns: list[str]) -> list[str]:
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


def xlsx_rows(path: Path, limit: int | None = None) -> list[list[Any]]:
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
