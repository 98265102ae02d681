"""SurveyMonkey exports: two header rows (question text over the first column of each question;
sub-labels, ``Response`` or ``Open-Ended Response`` below), CSV in UTF-8 with or without BOM or
Windows-1252, and XLSX. A multi-select spread over columns holding the option text is reported
as a set. Every fixture is written here; a real module evaluation among the shared samples
(``factories.SAMPLES``) is read too where that folder exists."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from factories import SAMPLES, csv_workbook, needs_samples
from openpyxl import Workbook, load_workbook

from survey.codebook import Codebook, Layout
from survey.demo import write_demo
from survey.errors import DataError
from survey.io import detect_layout, map_to_codebook, read_export
from survey.io import surveymonkey as surveymonkey_reader
from survey.io.raw import SUBLABEL_SEPARATOR

SECTOR = "In which sector do you mainly work?"
BARRIERS = "What gets in the way?"
IMPORTANCE = "How important is this area?"
COMMENTS = "Any other comments?"

# ----------------------------------------------------------------------------- fixtures
#: A single choice with an other box, a multi-select (three options, one never ticked, and an
#: other box), a two-topic grid, an open question; a comment over two lines with curly quotes.
EXPORT = (
    "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,"
    f"Last Name,Custom Data 1,{SECTOR},,{BARRIERS},,,,{IMPORTANCE},,{COMMENTS}\r\n"
    ",,,,,,,,,Response,Other (please specify),Lack of time,Cost,Travel,Other (please specify),"
    "Leadership,Governance,Open-Ended Response\r\n"
    "11405946779,431245332,02/28/2025 11:35:09 AM,02/28/2025 11:55:33 AM,192.0.2.9,"
    "ana@example.org,,,,Public Library ,,Lack of time,,,,Very important,Not important,"
    '"Two lines,\r\nand “quotes” café"\r\n'
    "11405946780,431245332,03/01/2025 08:00:00 AM,03/01/2025 08:01:30 AM,192.0.2.10,,,,,"
    "Other (please specify),public library branch,Lack of time,Cost,,slow internet,"
    "Slightly important,,\r\n"
)
COLUMNS = [
    "respondent_id",
    "collector_id",
    "start_date",
    "end_date",
    "ip_address",
    "email",
    "first_name",
    "last_name",
    "custom_data_1",
    SECTOR,
    f"{SECTOR}{SUBLABEL_SEPARATOR}Other (please specify)",
    f"{BARRIERS}{SUBLABEL_SEPARATOR}Lack of time",
    f"{BARRIERS}{SUBLABEL_SEPARATOR}Cost",
    f"{BARRIERS}{SUBLABEL_SEPARATOR}Travel",
    f"{BARRIERS}{SUBLABEL_SEPARATOR}Other (please specify)",
    f"{IMPORTANCE}{SUBLABEL_SEPARATOR}Leadership",
    f"{IMPORTANCE}{SUBLABEL_SEPARATOR}Governance",
    COMMENTS,
]
FIRST = [
    "11405946779",
    "431245332",
    "02/28/2025 11:35:09 AM",
    "02/28/2025 11:55:33 AM",
    "192.0.2.9",
    "ana@example.org",
    None,
    None,
    None,
    "Public Library ",
    None,
    "Lack of time",
    None,
    None,
    None,
    "Very important",
    "Not important",
    "Two lines,\r\nand “quotes” café",
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_columns_cells_and_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "wave.csv"
    path.write_bytes(EXPORT.encode(encoding))
    assert detect_layout(path) is Layout.SURVEYMONKEY
    export = read_export(path)
    assert export.layout is Layout.SURVEYMONKEY
    assert export.encoding == encoding
    assert list(export.frame.columns) == COLUMNS
    assert export.frame.iloc[0].tolist() == FIRST
    assert export.rows == 2
    assert export.frame[COLUMNS[10]].tolist() == [None, "public library branch"]


def test_question_text_is_the_heading_over_every_column(tmp_path: Path) -> None:
    path = tmp_path / "wave.csv"
    path.write_bytes(EXPORT.encode("utf-8"))
    question_text = read_export(path).question_text
    assert question_text[COLUMNS[13]] == BARRIERS
    assert question_text[COLUMNS[16]] == IMPORTANCE
    assert question_text[SECTOR] == SECTOR
    assert question_text["respondent_id"] == "Respondent ID"


def test_multi_select_set_holds_option_columns_only(tmp_path: Path) -> None:
    path = tmp_path / "wave.csv"
    path.write_bytes(EXPORT.encode("utf-8"))
    # the never-ticked Travel column is blank, so it belongs; the other box holds free text,
    # the grid holds ratings, the sector's other box is never its sub-label
    assert read_export(path).multi_sets == {BARRIERS: COLUMNS[11:14]}


def test_an_export_resaved_by_pandas_reads_like_the_original(tmp_path: Path) -> None:
    # read_csv then to_csv, as an analyst tidying a file does: empty headings become
    # "Unnamed: N" and the frame's index is a first column (blank heading, 0 under it)
    import pandas as pd

    original = tmp_path / "original.csv"
    original.write_bytes(EXPORT.encode("utf-8"))
    resaved = tmp_path / "resaved.csv"
    pd.read_csv(original, dtype=str, keep_default_na=False).to_csv(resaved)
    assert "Unnamed: 10" in resaved.read_text(encoding="utf-8").splitlines()[0]
    assert detect_layout(resaved) is Layout.SURVEYMONKEY
    export = read_export(resaved)
    assert list(export.frame.columns)[1:] == COLUMNS
    assert export.frame.iloc[0, 1:].tolist() == [value or None for value in FIRST]
    assert export.multi_sets == {BARRIERS: COLUMNS[11:14]}


def test_workbook_reads_like_the_csv(tmp_path: Path) -> None:
    path = csv_workbook(tmp_path / "wave.xlsx", EXPORT)
    assert detect_layout(path) is Layout.SURVEYMONKEY
    export = read_export(path)
    assert list(export.frame.columns) == COLUMNS
    assert export.frame.iloc[0].tolist() == FIRST
    assert export.multi_sets == {BARRIERS: COLUMNS[11:14]}
    assert export.encoding is None


def test_older_export_headings(tmp_path: Path) -> None:
    older = EXPORT.replace(
        "Respondent ID,Collector ID,Start Date,End Date",
        "RespondentID,CollectorID,StartDate,EndDate",
    ).replace("Custom Data 1", "Custom Data")
    path = tmp_path / "wave.csv"
    path.write_bytes(older.encode("utf-8"))
    assert detect_layout(path) is Layout.SURVEYMONKEY
    columns = list(read_export(path).frame.columns)
    assert columns[:4] == ["respondent_id", "collector_id", "start_date", "end_date"]
    assert columns[8] == "custom_data"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ([["Respondent ID", "Collector ID"], ["", ""]], True),
        ([["\ufeffRespondent ID"]], True),  # a BOM that a tool left in the first cell
        ([["Collector ID", "Respondent ID", "Q1"], ["", "", "Response"]], True),
        ([["Collector ID", "Start Date", "Q1"], ["1", "2025-01-01", "Yes"]], False),
        ([["respondent_id", "sector"], ["1", "Public"]], False),
        ([["id", "submitdate", "lastpage"]], False),
        ([], False),
    ],
)
def test_looks_like(head: list[list[str]], expected: bool) -> None:
    assert surveymonkey_reader.looks_like(Path("wave.csv"), head) is expected


def test_bom_left_in_the_first_cell(tmp_path: Path) -> None:
    workbook = Workbook()
    for row in csv.reader(io.StringIO(EXPORT)):
        workbook.active.append(row)
    workbook.active["A1"] = "\ufeffRespondent ID"
    workbook.save(tmp_path / "wave.xlsx")
    assert list(read_export(tmp_path / "wave.xlsx").frame.columns) == COLUMNS


def test_comma_at_the_end_of_every_line(tmp_path: Path) -> None:
    path = tmp_path / "wave.csv"
    path.write_bytes(EXPORT.replace("\r\n", ",\r\n").replace(",,\r\nand", ",\r\nand").encode())
    export = read_export(path)
    assert list(export.frame.columns) == COLUMNS
    assert export.frame.iloc[0].tolist() == FIRST


def test_one_header_row_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "wave.csv"
    path.write_bytes(b"Respondent ID,Collector ID\r\n")
    with pytest.raises(DataError, match=r"wave\.csv: a SurveyMonkey export needs two header rows"):
        read_export(path)


def test_headers_without_responses_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "wave.csv"
    path.write_bytes(EXPORT.split("\r\n11405946779")[0].encode("utf-8") + b"\r\n")
    with pytest.raises(DataError, match=r"wave\.csv: the export has headers but no responses"):
        read_export(path)


# ----------------------------------------------------------------------------- the demo
def test_demo_wave_as_windows_1252_csv(tmp_path: Path, codebook: Codebook) -> None:
    """The demo's SurveyMonkey wave (2025.xlsx) saved as a Windows-1252 CSV reads the same, and
    every codebook field is found, the three multi-selects as reported sets."""
    write_demo(tmp_path, n=50)
    workbook = load_workbook(tmp_path / "2025.xlsx", read_only=True)
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(
        ["" if cell is None else cell for cell in row] for row in rows
    )
    path = tmp_path / "2025.csv"
    path.write_bytes(text.getvalue().encode("cp1252"))

    from_csv, from_xlsx = read_export(path), read_export(tmp_path / "2025.xlsx")
    assert from_csv.encoding == "cp1252"
    assert from_csv.frame.equals(from_xlsx.frame)
    _, column_map = map_to_codebook(from_csv, codebook)
    assert column_map.missing == []
    assert column_map.spread == {"barriers", "formats", "networks"}
    by_text = {question.text: question for question in codebook.questions}
    assert {by_text[text].id for text in from_csv.multi_sets} == column_map.spread
    for text, members in from_csv.multi_sets.items():
        question = by_text[text]
        assert members == [column_map.found[column] for column in question.multi_columns()]


# ----------------------------------------------------------------------------- real file
@needs_samples
def test_real_export_from_a_module_evaluation() -> None:
    path = SAMPLES / "sm_monkeyreadr_test-responses.csv"
    assert detect_layout(path) is Layout.SURVEYMONKEY
    export = read_export(path)
    assert export.frame.shape == (16, 20)
    columns = list(export.frame.columns)
    assert columns[:9] == COLUMNS[:9]  # the metadata, named as in the fixture
    support = (
        'To what extent do you agree with this statement? "I was given the support and '
        'information I needed to complete the learning activities to the best of my ability."'
    )
    assert columns[16:18] == [
        support,
        f"{support}{SUBLABEL_SEPARATOR}Is there anything else you would like to say about this?",
    ]
    first = export.frame.iloc[0]
    assert first["respondent_id"] == "19085864118"
    assert first["start_date"] == "07/31/2023 04:21:36 PM"
    assert first["ip_address"] is None
    assert first["How much of this module's learning material was relevant to you?"] == "All of it"
    # text as exported: trailing spaces and the survey's own typos stay
    assert first[columns[9]].endswith("use of models  ")
    assert export.frame.iloc[1][columns[18]] == "Aagree"
    assert export.question_text[columns[17]] == support
    assert export.multi_sets == {}
    assert export.encoding == "utf-8"
