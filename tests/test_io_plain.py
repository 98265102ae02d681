"""Plain CSV and XLSX with one header row, and the shared text helpers every reader uses:
separator and encoding detection, and the damaged files each reader must turn into one clear
:class:`~survey.errors.DataError` (binary content, an unterminated quote, a huge cell, a
truncated workbook)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from factories import csv_bytes, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.codebook import Layout
from survey.errors import DataError
from survey.io import detect_layout, read_export
from survey.io.plain import looks_like
from survey.io.text import MAX_CELL_CHARS, MAX_COLUMNS, decode_text, detect_delimiter, read_table

#: A small plain export: a repeated column name, a cell with every separator in it, a cell
#: over two lines, curly quotes and an accent (all in Windows-1252 too), an empty cell.
HEADER = ["respondent_id", "sector", "Q1", "Q1", "comment"]
ROWS = [
    ["1", "Public Library ", "4", "5", "“great”, café; a|b\tc"],
    ["2", "school", "", "3", "two\r\nlines"],
    ["3", "N/A", "1", "", ""],
]
EXPECTED_COLUMNS = ["respondent_id", "sector", "Q1", "Q1 (2)", "comment"]
EXPECTED_ROWS = [
    ["1", "Public Library ", "4", "5", "“great”, café; a|b\tc"],
    ["2", "school", None, "3", "two\r\nlines"],
    ["3", "N/A", "1", None, None],
]


# ------------------------------------------------------------------------- the plain layout
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize(
    ("encoding", "recorded"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("cp1252", "cp1252")],
)
def test_separator_and_encoding_are_detected(
    tmp_path: Path, delimiter: str, encoding: str, recorded: str
) -> None:
    path = write(tmp_path, "export.csv", csv_bytes([HEADER, *ROWS], delimiter, encoding))
    assert detect_layout(path) is Layout.CSV
    export = read_export(path)
    assert export.layout is Layout.CSV
    assert export.encoding == recorded
    assert export.rows == 3
    assert list(export.frame.columns) == EXPECTED_COLUMNS
    assert export.frame.to_numpy().tolist() == EXPECTED_ROWS
    assert export.question_text == {}
    assert export.multi_sets == {}


def test_codebook_encoding_is_used_without_a_bom(tmp_path: Path) -> None:
    # "Ã©" in cp1252 is valid UTF-8 for "é": only the codebook can say which it is.
    path = write(tmp_path, "export.csv", "id,comment\r\n1,cafÃ©\r\n".encode("cp1252"))
    assert read_export(path, layout="csv").frame.loc[0, "comment"] == "café"
    export = read_export(path, layout="csv", encoding="cp1252")
    assert (export.frame.loc[0, "comment"], export.encoding) == ("cafÃ©", "cp1252")


def test_utf16_without_bom_is_recognised(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", "id\tcomment\r\n1\tcafé\r\n".encode("utf-16-le"))
    assert decode_text(path, None) == ("id\tcomment\r\n1\tcafé\r\n", "utf-16-le")
    export = read_export(path)
    assert (export.layout, export.encoding) == (Layout.CSV, "utf-16-le")
    assert export.frame.to_numpy().tolist() == [["1", "café"]]


def test_excel_sep_line_names_the_separator(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", b"sep=;\r\nid;comment,with comma\r\n1;yes, indeed\r\n")
    export = read_export(path)
    assert list(export.frame.columns) == ["id", "comment,with comma"]
    assert export.frame.to_numpy().tolist() == [["1", "yes, indeed"]]


def test_trailing_comma_makes_no_unnamed_column(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", b"id,sector,\r\n1,public,\r\n2,school,\r\n")
    export = read_export(path)
    assert list(export.frame.columns) == ["id", "sector"]
    # ... but an unnamed column with values is kept, under a name.
    path = write(tmp_path, "named.csv", b"id,sector,\r\n1,public,x\r\n")
    assert list(read_export(path, layout="csv").frame.columns) == ["id", "sector", "unnamed"]


def test_xlsx_with_one_header_row(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["respondent_id", "sector", "cpd_hours", "start_date", "sector"])
    sheet.append([101, "Public Library ", 12.5, datetime(2024, 3, 1, 9, 30), None])
    sheet.append([102, None, 40.0, datetime(2024, 3, 2, 10, 0), "school"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    assert detect_layout(path) is Layout.CSV
    export = read_export(path)
    assert export.encoding is None
    assert list(export.frame.columns) == [
        "respondent_id",
        "sector",
        "cpd_hours",
        "start_date",
        "sector (2)",
    ]
    assert export.frame.to_numpy().tolist() == [
        ["101", "Public Library ", "12.5", "2024-03-01 09:30:00", None],
        ["102", None, "40", "2024-03-02 10:00:00", "school"],
    ]


@pytest.mark.parametrize(
    ("first_row", "expected"),
    [
        (["respondent_id", "sector", "comment"], True),
        (["id", "", "", ""], True),  # trailing empty cells: a trailing separator
        (["Q1", "Q2", "Q2 - Text", "Q3"], True),
        (["1", "2", "3"], False),  # a data row, no header
        (["id", "", "comment"], False),  # a header has no gaps
        (["a", "a", "a", "b"], False),  # mostly repeats
        ([], False),
    ],
)
def test_what_looks_like_a_header(first_row: list[str], expected: bool) -> None:
    assert looks_like(Path("export.csv"), [first_row, ["1", "x", "y"]]) is expected


def test_no_layout_fits_lists_the_layouts(tmp_path: Path) -> None:
    path = write(tmp_path, "numbers.csv", b"1,2,3\r\n4,5,6\r\n")
    with pytest.raises(DataError) as caught:
        read_export(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: cannot tell the export layout")
    assert "(qualtrics, surveymonkey, limesurvey, spss, csv)" in message
    assert "\n" not in message
    # Told the layout, the file is read.
    assert read_export(path, layout="csv").frame.to_numpy().tolist() == [["4", "5", "6"]]


# --------------------------------------------------------------------- the text helpers
@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\r\n1,2,3\r\n", ","),
        ("a;b;c\r\n1,5;2,5;3\r\n", ";"),  # decimal commas
        ("a\tb\r\n1\tx, y, z\r\n", "\t"),
        ("a|b\r\n1|x;y\r\n", "|"),
        ('"a, b";c\r\n1;2\r\n', ";"),  # a comma inside a quoted name
        ("single\r\n1\r\n", ","),
    ],
)
def test_detect_delimiter(text: str, delimiter: str) -> None:
    assert detect_delimiter(text) == delimiter


def test_large_cell_reads_whole(tmp_path: Path) -> None:
    long_text = "x" * 1_000_000 + ", with a comma"
    path = write(
        tmp_path, "export.csv", csv_bytes([["id", "comment"], ["1", long_text]], ",", "utf-8")
    )
    assert read_export(path).frame.loc[0, "comment"] == long_text


def test_stray_quotes_are_read_leniently(tmp_path: Path) -> None:
    """As the csv module reads them: a quote inside an unquoted cell is text, text after a
    closing quote joins the cell."""
    data = b'id,comment,n\r\n1,she said "hi",5\r\n2,"closed"then more,6\r\n'
    export = read_export(write(tmp_path, "export.csv", data))
    assert export.frame.to_numpy().tolist() == [
        ["1", 'she said "hi"', "5"],
        ["2", "closedthen more", "6"],
    ]


def test_newlines_inside_quoted_cells(tmp_path: Path) -> None:
    data = b'id,comment,n\r\n1,"line one\r\nline two\nline three\rend",5\r\n2,plain,6\r\n'
    export = read_export(write(tmp_path, "export.csv", data))
    assert export.frame.to_numpy().tolist() == [
        ["1", "line one\r\nline two\nline three\rend", "5"],
        ["2", "plain", "6"],
    ]


#: Damaged files: (name, bytes, what the error says, whether every layout fails the same way
#: -- a damage found while decoding or splitting the text -- or only plain's).
DAMAGED = [
    ("nul.csv", b"id,comment\r\n" + b"1,fine\r\n" * 1000 + b"2,bad\x00cell\r\n", "binary content"),
    ("nul16.csv", "id,comment\r\n1,a\x00b\r\n".encode("utf-16"), "binary content"),
    ("zip.csv", b"PK\x03\x04" + b"\x00" * 100, "give a workbook the .xlsx extension"),
    (
        "open.csv",
        b'id,comment\r\n1,fine\r\n2,"never closed\r\n3,more\r\n',
        "unterminated quote near line 3",
    ),
    (
        "huge.csv",
        b'id,comment\r\n1,"' + b"x" * (MAX_CELL_CHARS + 10) + b'"\r\n',
        "longer than 10,485,760 characters",
    ),
    (
        "wide_line.csv",
        b"id,comment\r\n1" + b"," * (MAX_COLUMNS + 1) + b"\r\n",
        "line 2 has more than 100,000 commas",
    ),
    ("empty.csv", b"", "the file is empty"),
    ("cp1252.csv", b"id,comment\r\n1,caf\x81\r\n", "set the wave's encoding"),
    ("broken.xlsx", b"PK\x03\x04 truncated", "not a readable .xlsx workbook"),
]
DAMAGED_PLAIN = [
    ("wide.csv", b"id,comment\r\n1,a,b,c\r\n", "response row 1 has values in 4 columns"),
    ("header.csv", b"id,comment\r\n", "the export has headers but no responses"),
    ("blank.csv", b"id,comment\r\n,\r\n , \r\n", "the export has headers but no responses"),
]


@pytest.mark.parametrize(
    ("name", "data", "message", "layouts"),
    [
        *[(*case, (None, "csv", "qualtrics", "surveymonkey")) for case in DAMAGED],
        *[(*case, (None, "csv")) for case in DAMAGED_PLAIN],
    ],
    ids=[case[0] for case in [*DAMAGED, *DAMAGED_PLAIN]],
)
def test_damaged_files_are_one_line_data_errors(
    tmp_path: Path, name: str, data: bytes, message: str, layouts: tuple[str | None, ...]
) -> None:
    path = write(tmp_path, name, data)
    for layout in layouts:
        with pytest.raises(DataError) as caught:
            read_export(path, layout=layout)
        text = str(caught.value)
        assert message in text, layout
        assert text.startswith(str(path))
        assert "\n" not in text


def test_truncated_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    for number in range(2000):
        workbook.active.append([number, f"comment {number}"])
    whole = tmp_path / "whole.xlsx"
    workbook.save(whole)
    path = write(tmp_path, "cut.xlsx", whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(DataError, match=r"not a readable \.xlsx workbook"):
        read_export(path)


def test_workbook_claiming_the_whole_sheet_reads_only_its_cells(tmp_path: Path) -> None:
    """A workbook whose dimension says A1:XFD1048576 is not read as 17 billion cells."""
    import re
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["respondent_id", "sector"])
    workbook.active.append([1, "public"])
    honest = tmp_path / "honest.xlsx"
    workbook.save(honest)
    path = tmp_path / "claims.xlsx"
    with zipfile.ZipFile(honest) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
            target.writestr(item, data)
    export = read_export(path)
    assert export.frame.to_numpy().tolist() == [["1", "public"]]
    assert list(export.frame.columns) == ["respondent_id", "sector"]


def test_unknown_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", b"id\r\n1\r\n")
    with pytest.raises(DataError, match="unknown encoding 'klingon' in the codebook"):
        read_export(path, encoding="klingon")


def test_a_bom_decides_the_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", "id;comment\r\n1;ça\r\n".encode("utf-16"))
    assert decode_text(path, "cp1252") == ("id;comment\r\n1;ça\r\n", "utf-16")
    table = read_table(path, None)
    assert (table.rows, table.delimiter) == ([["id", "comment"], ["1", "ça"]], ";")


# ----------------------------------------------------------------- round trip (property)
_CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_any_text_survives_the_round_trip(
    tmp_path: Path, cells: list[list[str]], delimiter: str, encoding: str
) -> None:
    """Whatever respondents typed comes back as typed, whichever separator and encoding."""
    rows = [[f"r{number}", *row] for number, row in enumerate(cells)]
    path = write(
        tmp_path, "export.csv", csv_bytes([["id", "a", "b", "c"], *rows], delimiter, encoding)
    )
    export = read_export(path, layout="csv")
    assert export.encoding == encoding
    assert export.frame.to_numpy().tolist() == [
        [cell if cell != "" else None for cell in row] for row in rows
    ]
