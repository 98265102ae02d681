"""Qualtrics exports as the platform (and the tools around it) write them: the current layout
(three header rows; ImportId in JSON or single-quoted), the legacy layout (V1... ids over labels,
BOM, a comma at the end of every line), CSV or TSV, UTF-8 with or without BOM or UTF-16, and
XLSX. Every fixture is written here byte by byte; the real current, legacy and QualtricsTools
files of the shared samples (``factories.SAMPLES``) are read too where that folder exists."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from factories import SAMPLES, csv_bytes, csv_workbook, needs_samples, write

from survey.codebook import Codebook, Layout
from survey.errors import DataError
from survey.io import detect_layout, map_to_codebook, read_export
from survey.io.qualtrics import QUALTRICS_METADATA

# ----------------------------------------------------------------------------- fixtures
#: The current layout: ids, question text, ImportId; a per-choice multi-select (Q2_1..Q2_3,
#: coded 1/blank), an other-specify ``_TEXT`` column, a text cell over two lines with a comma.
CURRENT = (
    "StartDate,EndDate,Progress,Duration (in seconds),Finished,ResponseId,RecipientEmail,"
    "Q1,Q2_1,Q2_2,Q2_3,Q5,Q5_4_TEXT,Q6\r\n"
    "Start Date,End Date,Progress,Duration (in seconds),Finished,Response ID,Recipient Email,"
    "In which sector do you mainly work?,"
    "What gets in the way? - Selected Choice - Time,"
    "What gets in the way? - Selected Choice - Cost,"
    "What gets in the way? - Selected Choice - Travel,"
    "Which best describes your role? - Selected Choice,"
    "Which best describes your role? - Other (please specify) - Text,"
    '"Comments, if any"\r\n'
    '"{""ImportId"":""startDate"",""timeZone"":""America/Vancouver""}",'
    '"{""ImportId"":""endDate"",""timeZone"":""America/Vancouver""}",'
    '"{""ImportId"":""progress""}","{""ImportId"":""duration""}","{""ImportId"":""finished""}",'
    '"{""ImportId"":""_recordId""}","{""ImportId"":""recipientEmail""}",'
    '"{""ImportId"":""QID1""}",'
    '"{""ImportId"":""QID2"",""choiceId"":""1""}",'
    '"{""ImportId"":""QID2"",""choiceId"":""2""}",'
    '"{""ImportId"":""QID2"",""choiceId"":""3""}",'
    '"{""ImportId"":""QID5""}","{""ImportId"":""QID5_4_TEXT""}","{""ImportId"":""QID6_TEXT""}"'
    "\r\n"
    "2024-03-01 09:00:00,2024-03-01 09:07:12,100,432,True,R_1aa,ana@example.org,"
    'Public Library ,1,,1,Other,public library branch,"Two lines,\r\nand “quotes” café"\r\n'
    "2024-03-02 10:00:00,2024-03-02 10:01:30,40,90,False,R_2bb,,"
    "public,,,,N/A,,\r\n"
)

#: The same export as ``CURRENT``, cells as the reader must return them.
CURRENT_COLUMNS = [
    "start_date",
    "end_date",
    "progress",
    "duration_seconds",
    "finished",
    "respondent_id",
    "email",
    "Q1",
    "Q2_1",
    "Q2_2",
    "Q2_3",
    "Q5",
    "Q5_4_TEXT",
    "Q6",
]
CURRENT_FIRST = [
    "2024-03-01 09:00:00",
    "2024-03-01 09:07:12",
    "100",
    "432",
    "True",
    "R_1aa",
    "ana@example.org",
    "Public Library ",
    "1",
    None,
    "1",
    "Other",
    "public library branch",
    "Two lines,\r\nand “quotes” café",
]
CURRENT_SECOND = [
    "2024-03-02 10:00:00",
    "2024-03-02 10:01:30",
    "40",
    "90",
    "False",
    "R_2bb",
    None,
    "public",
    None,
    None,
    None,
    "N/A",
    None,
    None,
]

#: The legacy layout as ropensci/qualtRics' sample has it: BOM, V1... ids, labels, a trailing
#: comma on every line.
LEGACY = (
    b"\xef\xbb\xbfV1,V2,V3,V4,V5,V6,V7,V8,V9,V10,Q1,Q2_1,Q2_2,Q3_4_TEXT,LocationLatitude,\r\n"
    b"ResponseID,ResponseSet,Name,ExternalDataReference,EmailAddress,IPAddress,Status,"
    b"StartDate,EndDate,Finished,In which sector do you mainly work?,"
    b"What gets in the way?-Time,What gets in the way?-Cost,"
    b"Which best describes your role?-Other (please specify),LocationLatitude,\r\n"
    b'R_9zz,Default Response Set,"Doe, Jane",,jane@example.org,10.0.0.1,0,'
    b"2013-05-01 08:00:00,2013-05-01 08:09:00,1,Academic,1,,,49.2,\r\n"
    b"R_8yy,Default Response Set,Anonymous,,,10.0.0.2,0,"
    b"2013-05-02 08:00:00,2013-05-02 08:02:00,0,School,,1,library tech,,\r\n"
)

#: The toolkit's names for the legacy layout's metadata columns (V1..V10), in their order.
LEGACY_METADATA_COLUMNS = [
    "respondent_id",
    "response_set",
    "recipient_name",
    "external_reference",
    "email",
    "ip_address",
    "status",
    "start_date",
    "end_date",
    "finished",
]


def encoded(text: str, encoding: str, delimiter: str = ",") -> bytes:
    """``text`` (comma-separated) re-written with another separator and encoding."""
    return csv_bytes(list(csv.reader(io.StringIO(text, newline=""))), delimiter, encoding)


# ------------------------------------------------------------------------- current layout
def test_current_layout_keeps_text_and_renames_metadata(tmp_path: Path) -> None:
    path = write(tmp_path, "wave.csv", CURRENT.encode("utf-8"))
    assert detect_layout(path) is Layout.QUALTRICS
    export = read_export(path)
    assert export.layout is Layout.QUALTRICS
    assert export.rows == 2
    assert list(export.frame.columns) == CURRENT_COLUMNS
    assert export.frame.iloc[0].tolist() == CURRENT_FIRST
    assert export.frame.iloc[1].tolist() == CURRENT_SECOND
    assert export.encoding == "utf-8"
    assert export.question_text["Q1"] == "In which sector do you mainly work?"
    assert export.question_text["Q5_4_TEXT"] == (
        "Which best describes your role? - Other (please specify) - Text"
    )
    assert export.question_text["respondent_id"] == "Response ID"
    assert export.question_text["Q6"] == "Comments, if any"


def test_per_choice_columns_are_a_multi_set_named_by_the_export_tag(tmp_path: Path) -> None:
    export = read_export(write(tmp_path, "wave.csv", CURRENT.encode("utf-8")))
    # Q5 (single) and Q5_4_TEXT (other-specify) are not part of any set.
    assert export.multi_sets == {"Q2": ["Q2_1", "Q2_2", "Q2_3"]}


def test_multi_select_in_one_column_stays_joined_text(tmp_path: Path) -> None:
    text = (
        "ResponseId,barriers\r\nResponse ID,What gets in the way? - Selected Choice\r\n"
        '"{""ImportId"":""_recordId""}","{""ImportId"":""QID20""}"\r\n'
        'R_1,"Lack of time / workload,Cost / no training budget"\r\nR_2,\r\n'
    )
    export = read_export(write(tmp_path, "wave.csv", text.encode("utf-8")))
    assert export.frame["barriers"].tolist() == [
        "Lack of time / workload,Cost / no training budget",
        None,
    ]
    assert export.multi_sets == {}


def test_single_quoted_import_ids(tmp_path: Path) -> None:
    """QualtricsTools writes the third row as Python dicts: ``{'ImportId': 'QID2-1'}``."""
    text = (
        "ResponseID,Finished,fruits,Q2_1,Q2_2,Q3_1\r\n"
        "ResponseID,Finished,Pick a fruit,Which colours? - Red,Which colours? - Blue,"
        "Rate it - Taste\r\n"
        "{'ImportId': 'responseId'},{'ImportId': 'finished'},{'ImportId': 'QID1'},"
        "{'ImportId': 'QID2-1'},{'ImportId': 'QID2-2'},{'ImportId': 'QID3-1'}\r\n"
        "R_e8z,1,apple,1,,4\r\n"
    )
    path = write(tmp_path, "insights.csv", text.encode("utf-8"))
    assert detect_layout(path) is Layout.QUALTRICS
    export = read_export(path)
    assert list(export.frame.columns) == [
        "respondent_id",
        "finished",
        "fruits",
        "Q2_1",
        "Q2_2",
        "Q3_1",
    ]
    assert export.frame.iloc[0].tolist() == ["R_e8z", "1", "apple", "1", None, "4"]
    assert export.question_text["Q2_2"] == "Which colours? - Blue"
    # ``QID2-1`` cannot tell a multi-select choice from a matrix row (``QID3-1``): no set.
    assert export.multi_sets == {}


def test_single_quoted_choice_ids_make_a_multi_set(tmp_path: Path) -> None:
    text = (
        "ResponseId,Q7_1,Q7_2\r\nResponse ID,Formats - Webinar,Formats - Workshop\r\n"
        "{'ImportId': '_recordId'},\"{'ImportId': 'QID7', 'choiceId': '1'}\","
        "\"{'ImportId': 'QID7', 'choiceId': 2}\"\r\n"
        "R_1,Webinar,\r\n"
    )
    export = read_export(write(tmp_path, "wave.csv", text.encode("utf-8")))
    assert export.multi_sets == {"Q7": ["Q7_1", "Q7_2"]}
    assert export.frame.iloc[0].tolist() == ["R_1", "Webinar", None]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "recorded"),
    [
        ("utf-8", ",", "utf-8"),
        ("utf-8-sig", ",", "utf-8-sig"),
        ("utf-16", "\t", "utf-16"),  # Qualtrics' "tab-separated" download: UTF-16LE with BOM
        ("utf-16", ",", "utf-16"),
        ("utf-8", "\t", "utf-8"),
        ("utf-8-sig", ";", "utf-8-sig"),
    ],
)
def test_encodings_and_separators(
    tmp_path: Path, encoding: str, delimiter: str, recorded: str
) -> None:
    data = encoded(CURRENT, encoding, delimiter)
    if encoding == "utf-16":
        assert data.startswith(b"\xff\xfe")
    path = write(tmp_path, "wave.tsv" if delimiter == "\t" else "wave.csv", data)
    assert detect_layout(path) is Layout.QUALTRICS
    export = read_export(path)
    assert export.encoding == recorded
    assert list(export.frame.columns) == CURRENT_COLUMNS
    assert export.frame.iloc[0].tolist() == CURRENT_FIRST
    assert export.frame.iloc[1].tolist() == CURRENT_SECOND
    assert export.multi_sets == {"Q2": ["Q2_1", "Q2_2", "Q2_3"]}


def test_utf16_tsv_with_the_codebook_saying_utf8(tmp_path: Path) -> None:
    """The byte-order mark decides: a codebook's ``encoding: utf-8`` does not garble it."""
    path = write(tmp_path, "wave.tsv", encoded(CURRENT, "utf-16", "\t"))
    export = read_export(path, layout="qualtrics", encoding="utf-8")
    assert export.encoding == "utf-16"
    assert export.frame.iloc[0].tolist() == CURRENT_FIRST


def test_xlsx_current_layout(tmp_path: Path) -> None:
    path = csv_workbook(tmp_path / "wave.xlsx", CURRENT, numbers=False)
    assert detect_layout(path) is Layout.QUALTRICS
    export = read_export(path)
    assert export.encoding is None
    assert list(export.frame.columns) == CURRENT_COLUMNS
    assert export.frame.iloc[0].tolist() == CURRENT_FIRST
    assert export.multi_sets == {"Q2": ["Q2_1", "Q2_2", "Q2_3"]}


# -------------------------------------------------------------------------- legacy layout
def test_legacy_layout(tmp_path: Path) -> None:
    path = write(tmp_path, "legacy.csv", LEGACY)
    assert detect_layout(path) is Layout.QUALTRICS
    export = read_export(path)
    assert export.encoding == "utf-8-sig"
    assert export.rows == 2
    # V-numbered columns are named by their label; the empty column after the trailing
    # comma is gone.
    assert list(export.frame.columns) == [
        *LEGACY_METADATA_COLUMNS,
        "Q1",
        "Q2_1",
        "Q2_2",
        "Q3_4_TEXT",
        "location_latitude",
    ]
    assert export.frame.iloc[0].tolist() == [
        "R_9zz",
        "Default Response Set",
        "Doe, Jane",
        None,
        "jane@example.org",
        "10.0.0.1",
        "0",
        "2013-05-01 08:00:00",
        "2013-05-01 08:09:00",
        "1",
        "Academic",
        "1",
        None,
        None,
        "49.2",
    ]
    assert export.frame.loc[1, "Q3_4_TEXT"] == "library tech"
    assert export.question_text["Q1"] == "In which sector do you mainly work?"
    assert export.question_text["respondent_id"] == "ResponseID"
    assert export.multi_sets == {}


def test_legacy_layout_tab_separated_utf16(tmp_path: Path) -> None:
    text = LEGACY.decode("utf-8-sig")
    path = write(tmp_path, "legacy.tsv", encoded(text, "utf-16", "\t"))
    export = read_export(path)
    assert export.layout is Layout.QUALTRICS
    assert export.encoding == "utf-16"
    assert export.frame.columns[0] == "respondent_id"
    assert "unnamed" not in export.frame.columns
    assert export.frame["recipient_name"].tolist() == ["Doe, Jane", "Anonymous"]


# --------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a,b\r\nc,d\r\ne,f\r\n", "the third row is not Qualtrics' ImportId row"),
        (b"a,b\r\nc,d\r\n", "needs three header rows"),
        (CURRENT.encode().split(b"2024-03-01")[0], "the export has headers but no responses"),
        (CURRENT.encode().replace(b'"Two lines', b'"Two lines\r\n,,,'), None),
        (CURRENT.encode().replace(b",public,", b',"public,'), "unterminated quote near line 6"),
    ],
)
def test_broken_exports_are_one_line_data_errors(
    tmp_path: Path, data: bytes, message: str | None
) -> None:
    path = write(tmp_path, "wave.csv", data)
    if message is None:  # a quoted cell may hold separators and line breaks
        assert read_export(path, layout="qualtrics").frame.loc[0, "Q6"].startswith("Two lines")
        return
    with pytest.raises(DataError) as caught:
        read_export(path, layout="qualtrics")
    text = str(caught.value)
    assert message in text
    assert text.startswith(str(path))
    assert "\n" not in text


# ---------------------------------------------------------------------- the demo's waves
def legacy_of(rows: list[list[str]]) -> list[list[str]]:
    """A current-layout export re-written in the legacy layout: V1... ids with their labels
    for the metadata Qualtrics numbered, other ids as they were, no ImportId row."""
    numbered = {
        "ResponseId": ("V1", "ResponseID"),
        "ExternalReference": ("V4", "ExternalDataReference"),
        "RecipientEmail": ("V5", "EmailAddress"),
        "IPAddress": ("V6", "IPAddress"),
        "Status": ("V7", "Status"),
        "StartDate": ("V8", "StartDate"),
        "EndDate": ("V9", "EndDate"),
        "Finished": ("V10", "Finished"),
    }
    ids, texts = rows[0], rows[1]
    order = sorted(
        range(len(ids)),
        key=lambda k: int(numbered[ids[k]][0][1:]) if ids[k] in numbered else 100 + k,
    )
    legacy_ids = [numbered[ids[k]][0] if ids[k] in numbered else ids[k] for k in order]
    labels = [numbered[ids[k]][1] if ids[k] in numbered else texts[k] for k in order]
    body = [[row[k] for k in order] for row in rows[3:]]
    return [legacy_ids, labels, *body]


@pytest.fixture(scope="module")
def demo_2024(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from survey.demo import write_demo

    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder, n=50)
    return folder / "2024.csv"


def test_demo_wave_as_legacy_and_utf16_tsv_maps_every_field(
    demo_2024: Path, codebook: Codebook, tmp_path: Path
) -> None:
    original = read_export(demo_2024)
    original_frame, original_map = map_to_codebook(original, codebook)
    assert original_map.missing == []
    rows = list(csv.reader(io.StringIO(demo_2024.read_text(encoding="utf-8"), newline="")))

    legacy = io.StringIO(newline="")
    csv.writer(legacy, lineterminator=",\r\n").writerows(legacy_of(rows))
    tsv = io.StringIO(newline="")
    csv.writer(tsv, delimiter="\t", lineterminator="\r\n").writerows(rows)
    variants = {
        "legacy.csv": b"\xef\xbb\xbf" + legacy.getvalue().encode("utf-8"),
        "qualtrics.tsv": tsv.getvalue().encode("utf-16"),
    }
    for name, data in variants.items():
        path = write(tmp_path, name, data)
        assert detect_layout(path) is Layout.QUALTRICS, name
        export = read_export(path)
        assert export.rows == original.rows == 50
        assert "unnamed" not in export.frame.columns
        frame, column_map = map_to_codebook(export, codebook)
        assert column_map.missing == [], name
        assert column_map.found.keys() == original_map.found.keys(), name
        # Every field, metadata included, holds the same text as from the original file.
        assert frame[list(original_frame.columns)].equals(original_frame), name


def test_metadata_names_are_the_toolkits() -> None:
    assert QUALTRICS_METADATA["ResponseId"] == "respondent_id"
    assert QUALTRICS_METADATA["Duration (in seconds)"] == "duration_seconds"


# ------------------------------------------------------------------------ the real files
@needs_samples
def test_real_current_sample() -> None:
    export = read_export(SAMPLES / "qualtrics_sample.csv")
    assert export.layout is Layout.QUALTRICS
    assert export.rows == 1
    assert export.encoding == "utf-8"
    assert list(export.frame.columns)[-4:] == ["user_language", "Q1", "Q2", "Q2 - Topics"]
    row = export.frame.iloc[0]
    assert row["respondent_id"] == "R_2YPOQ602ER1jkf1"
    assert row["start_date"] == "2017-07-18 08:28:09"
    assert row["Q1"] == "2"
    assert row["Q2"] == "Hello World!"
    assert row["email"] is None
    assert export.question_text["Q1"] == "This is a multiple choice question."
    assert export.question_text["last_name"] == "Nachname des Empfängers"


@needs_samples
def test_real_legacy_sample() -> None:
    export = read_export(SAMPLES / "qualtrics_sample_legacy.csv")
    assert export.layout is Layout.QUALTRICS
    assert export.encoding == "utf-8-sig"
    assert list(export.frame.columns) == [
        *LEGACY_METADATA_COLUMNS,
        "Q1",
        "Q2",
        "location_latitude",
        "location_longitude",
        "location_accuracy",
    ]
    assert export.frame.iloc[0].tolist() == [
        "R_2YPOQ602ER1jkf1",
        "Standard-Antwortsatz",
        "Anonym",
        None,
        None,
        "130.92.34.66",
        "0",
        "2017-07-18 08:28:09",
        "2017-07-18 08:28:48",
        "1",
        "2",
        "Hello World!",
        "47.115097045898",
        "7.2315979003906",
        "-1",
    ]
    assert export.question_text["Q2"] == "This is a free text question."


@needs_samples
def test_real_insights_sample() -> None:
    export = read_export(SAMPLES / "qtools_Sample_Survey_insights.csv")
    assert export.layout is Layout.QUALTRICS
    assert export.rows == 5
    assert export.frame.shape[1] == 190
    assert list(export.frame.columns[:14]) == [
        "respondent_id",
        "response_set",
        "ip_address",
        "start_date",
        "end_date",
        "last_name",
        "first_name",
        "email",
        "external_reference",
        "finished",
        "status",
        "fruits",
        "Q2_1",
        "Q2_2",
    ]
    # The file repeats some export tags; the repeats get a suffix.
    assert "Q50#1_wedges_23234_TEXT (2)" in export.frame.columns
    first = export.frame.iloc[0]
    assert first["respondent_id"] == "R_e8z6glNpLL4PkcR"
    assert (first["Q2_1"], first["Q2_2"], first["Q2_3"]) == ("1", None, "1")
    assert export.question_text["Q2_1"].startswith(
        "This is a multiple choice multiple answer vertical question"
    )
    assert export.frame.columns[-1] == "location_accuracy"
