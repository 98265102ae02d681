"""SurveyMonkey exports: two header rows (question text on the first column of each
question, sub-labels or ``Response`` below)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from survey.codebook import Layout
from survey.errors import DataError
from survey.io.raw import SUBLABEL_SEPARATOR, RawExport
from survey.io.text import cell_text, csv_rows, frame_of, is_workbook, xlsx_rows

__all__ = ["SURVEYMONKEY_METADATA", "SURVEYMONKEY_SINGLE_COLUMN", "looks_like", "read"]

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


def looks_like(head: list[list[Any]]) -> bool:
    """Whether an export's first rows are SurveyMonkey's: it starts with ``Respondent ID``."""
    return bool(head and head[0] and str(head[0][0]).strip() == "Respondent ID")


def read(path: Path, encoding: str | None) -> RawExport:
    """Read a SurveyMonkey export (CSV or XLSX)."""
    rows = xlsx_rows(path) if is_workbook(path) else csv_rows(path, encoding)
    if len(rows) < 2:
        raise DataError(f"{path}: a SurveyMonkey export needs two header rows")
    questions, sublabels = rows[0], rows[1]
    columns: list[str] = []
    question_text: dict[str, str] = {}
    current = ""
    for position in range(max(len(questions), len(sublabels))):
        heading = cell_text(questions[position]) if position < len(questions) else ""
        sublabel = cell_text(sublabels[position]) if position < len(sublabels) else ""
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
    frame = frame_of(path, columns, rows[2:])
    return RawExport(frame, path, Layout.SURVEYMONKEY, question_text)
