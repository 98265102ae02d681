"""SurveyMonkey exports: two header rows (question text on the first column of each
question, sub-labels or ``Response`` below).

A question with one column is named by its text; a question spread over several columns
(a matrix, a multi-select, an "Other (please specify)" box) gets one column per sub-label,
named ``question text | sub-label``. A multi-select holds in each column either the option's
text (ticked) or nothing: such columns are recorded in
:attr:`~survey.io.raw.RawExport.multi_sets` under the question text. CSV in UTF-8 (with or
without BOM) or Windows-1252, or XLSX.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from survey.codebook import Layout
from survey.errors import DataError
from survey.io.raw import SUBLABEL_SEPARATOR, RawExport
from survey.io.text import cell_text, frame_of, read_table

__all__ = ["SURVEYMONKEY_METADATA", "SURVEYMONKEY_SINGLE_COLUMN", "looks_like", "read"]

#: SurveyMonkey metadata column headers (current and older exports) and the toolkit's names.
SURVEYMONKEY_METADATA = {
    "Respondent ID": "respondent_id",
    "RespondentID": "respondent_id",
    "Collector ID": "collector_id",
    "CollectorID": "collector_id",
    "Start Date": "start_date",
    "StartDate": "start_date",
    "End Date": "end_date",
    "EndDate": "end_date",
    "IP Address": "ip_address",
    "Email Address": "email",
    "First Name": "first_name",
    "FirstName": "first_name",
    "Last Name": "last_name",
    "LastName": "last_name",
    "Custom Data": "custom_data",
    "Custom Data 1": "custom_data_1",
}

_CUSTOM_DATA = re.compile(r"^Custom Data (\d+)$")

#: Sub-labels SurveyMonkey writes under a question that has one column.
SURVEYMONKEY_SINGLE_COLUMN = {"Response", "Open-Ended Response", ""}

_RESPONDENT_ID = {"Respondent ID", "RespondentID"}
_SINGLE_COLUMN_MARKS = {"Response", "Open-Ended Response"}


def looks_like(path: Path, head: list[list[Any]]) -> bool:
    """Whether an export's first rows are SurveyMonkey's: it starts with ``Respondent ID``
    (``RespondentID`` in older exports); or its first row names at least two SurveyMonkey
    metadata columns and its second row has ``Response`` / ``Open-Ended Response`` sub-labels;
    or, without the metadata columns, at least two of those sub-labels, under a fifth of the
    questions or more.

    >>> looks_like(Path("x.csv"), [["Respondent ID", "Collector ID"], ["", ""]])
    True
    >>> looks_like(Path("x.csv"), [["respondent_id", "sector"], ["1", "Public"]])
    False
    >>> looks_like(Path("x.csv"), [["Your role?", "Your region?", "Which barriers?", ""],
    ...                            ["Response", "Response", "Time", "Cost"]])
    True
    """
    if not head or not head[0]:
        return False
    first = [cell_text(cell) for cell in head[0]]
    if first[0].lstrip("\ufeff") in _RESPONDENT_ID:
        return True
    metadata = sum(1 for name in first[:12] if name in SURVEYMONKEY_METADATA)
    sublabels = [cell_text(cell) for cell in head[1]] if len(head) > 1 else []
    marked = sum(1 for sublabel in sublabels if sublabel in _SINGLE_COLUMN_MARKS)
    if metadata >= 2 and marked:
        return True
    # without its metadata columns (trimmed, or exported without them): the second row still
    # holds the sub-labels, "Response" under every question of one column
    return marked >= 2 and marked >= 0.2 * len([name for name in first if name])


#: What pandas writes for an empty heading when it re-saves an export (``Unnamed: 13``).
_PANDAS_BLANK = re.compile(r"Unnamed: \d+(?:_level_\d+)?")


def _metadata_name(heading: str) -> str | None:
    if heading in SURVEYMONKEY_METADATA:
        return SURVEYMONKEY_METADATA[heading]
    custom = _CUSTOM_DATA.match(heading)
    return f"custom_data_{custom.group(1)}" if custom else None


def read(path: Path, encoding: str | None) -> RawExport:
    """Read a SurveyMonkey export (CSV or XLSX).

    Raises
    ------
    DataError
        The file has fewer than two header rows, or no responses.
    """
    table = read_table(path, encoding)
    rows = table.rows
    if len(rows) < 2:
        raise DataError(f"{path}: a SurveyMonkey export needs two header rows")
    questions, sublabels = rows[0], rows[1]
    if questions and isinstance(questions[0], str):
        questions = [questions[0].lstrip("\ufeff"), *questions[1:]]  # a BOM left by a tool
    names: list[str] = []
    texts: list[str] = []
    subs: list[str | None] = []
    current = ""
    for position in range(max(len(questions), len(sublabels))):
        heading = cell_text(questions[position]) if position < len(questions) else ""
        sublabel = cell_text(sublabels[position]) if position < len(sublabels) else ""
        if _PANDAS_BLANK.fullmatch(heading):  # an empty heading, as pandas re-saves one
            heading = ""
        if position == 0 and not heading and sublabel.isdigit():
            sublabel = ""  # pandas' index, written by to_csv over both header rows
        if heading:
            current = heading
        metadata = _metadata_name(heading)
        if metadata is not None:
            names.append(metadata)
            subs.append(None)
        elif not heading and not sublabel:  # no name at all (a comma at the end of a line)
            names.append("")
            subs.append(None)
        elif sublabel in SURVEYMONKEY_SINGLE_COLUMN:
            names.append(current)
            subs.append(None)
        else:
            names.append(f"{current}{SUBLABEL_SEPARATOR}{sublabel}")
            subs.append(sublabel)
        texts.append(current if metadata is None else heading)
    frame = frame_of(path, names, rows[2:])
    columns = list(frame.columns)  # an unnamed, empty last column is dropped
    texts, subs = texts[: len(columns)], subs[: len(columns)]
    question_text = {column: text for column, text in zip(columns, texts, strict=True) if text}
    multi_sets = _multi_sets(frame, columns, texts, subs)
    open_ended = {
        columns[position]
        for position in range(min(len(columns), len(sublabels)))
        if cell_text(sublabels[position]) == "Open-Ended Response"
    }
    return RawExport(
        frame,
        path,
        Layout.SURVEYMONKEY,
        question_text=question_text,
        multi_sets=multi_sets,
        encoding=table.encoding,
        open_text=[column for column in columns if column in open_ended],
    )


def _multi_sets(
    frame: pd.DataFrame, columns: list[str], texts: list[str], subs: list[str | None]
) -> dict[str, list[str]]:
    """Multi-selects: per question, the sub-label columns whose cells are all the sub-label's
    text or blank, when at least one of them holds its sub-label."""
    candidates: dict[str, list[str]] = {}
    ticked: set[str] = set()
    for column, text, sub in zip(columns, texts, subs, strict=True):
        if sub is None:
            continue
        values = {cell_text(value) for value in frame[column].dropna()} - {""}
        if values <= {sub}:
            candidates.setdefault(text, []).append(column)
            if values:
                ticked.add(text)
    return {text: members for text, members in candidates.items() if text in ticked}
