"""Qualtrics exports: three header rows (export tags, question text, ``{"ImportId": ...}``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from survey.codebook import Layout
from survey.errors import DataError
from survey.io.raw import RawExport
from survey.io.text import csv_rows, frame_of, is_workbook, xlsx_rows

__all__ = ["QUALTRICS_METADATA", "looks_like", "read"]

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


def looks_like(head: list[list[Any]]) -> bool:
    """Whether an export's first rows are Qualtrics': the third holds ``ImportId``."""
    return len(head) >= 3 and any("ImportId" in str(cell) for cell in head[2][:5])


def read(path: Path, encoding: str | None) -> RawExport:
    """Read a Qualtrics export (CSV or XLSX)."""
    rows = xlsx_rows(path) if is_workbook(path) else csv_rows(path, encoding)
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
    frame = frame_of(path, columns, rows[3:])
    return RawExport(frame, path, Layout.QUALTRICS, question_text)
