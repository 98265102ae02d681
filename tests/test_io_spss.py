"""SPSS ``.sav`` files: variable labels become question text, value labels become the cells,
user-missing values and ranges are blanked and listed, multiple-response sets are reported.

Fixtures are written here with ``pyreadstat.write_sav``; a multiple-response set (which
pyreadstat cannot write) is added by inserting an ``MRSETS`` record (type 7, subtype 7) into
the written file, with the 8-byte short names SPSS uses there. A real class survey among
the shared samples (``factories.SAMPLES``) is read too where that folder exists."""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from factories import SAMPLES, coded_columns, demo_2024, needs_samples

from survey.codebook import Codebook, Layout
from survey.errors import DataError
from survey.io import detect_layout, map_to_codebook, read_export
from survey.io import spss as spss_reader


# ----------------------------------------------------------------------------- fixtures
def _records_end(data: bytes) -> int:
    """Offset of the dictionary-termination record (type 999) of a little-endian ``.sav``."""
    position = 176
    while True:
        (record,) = struct.unpack_from("<i", data, position)
        if record == 2:
            _, _, has_label, missing_count = struct.unpack_from("<4i", data, position)
            position += 32
            if has_label:
                (length,) = struct.unpack_from("<i", data, position)
                position += 4 + (length + 3) // 4 * 4
            position += abs(missing_count) * 8
        elif record == 3:
            (count,) = struct.unpack_from("<i", data, position + 4)
            position += 8
            for _ in range(count):
                position += 8 + (data[position + 8] + 1 + 7) // 8 * 8
        elif record == 4:
            (count,) = struct.unpack_from("<i", data, position + 4)
            position += 8 + 4 * count
        elif record == 7:
            _, _, size, count = struct.unpack_from("<4i", data, position)
            position += 16 + size * count
        elif record == 999:
            return position
        else:
            raise AssertionError(f"unexpected record type {record}")


def add_mrsets(path: Path, text: str) -> None:
    """Insert an MRSETS record (``$name=D1 1 <len> <label> VAR1 VAR2\\n`` ...) into a .sav."""
    data = path.read_bytes()
    end = _records_end(data)
    body = text.encode("utf-8")
    record = struct.pack("<4i", 7, 7, 1, len(body)) + body
    path.write_bytes(data[:end] + record + data[end:])


@pytest.fixture
def wave_sav(tmp_path: Path) -> Path:
    """Five cases: Qualtrics-style metadata names, a labelled scale with a discrete
    user-missing code (9) and a range (97-99), an unlabelled number with decimals, a labelled
    string with a missing string code, a date and a datetime, and a dichotomy set of three
    options (one with a name longer than 8 bytes)."""
    frame = pd.DataFrame(
        {
            "ResponseId": ["R_1", "R_2", "R_3", "R_4", "R_5"],
            "StartDate": [dt.datetime(2024, 3, 1, 9, 0, 5)] * 4 + [None],
            "Duration__in_seconds_": [432.0, 90.0, 1200.0, 61.0, 5000.0],
            "support": [1.0, 5.0, 9.0, 98.0, None],
            "hours": [40.0, 2.5, 0.0, None, 19085864118.0],
            "sector": ["pub", "aca", "NA", "xx", ""],
            "born": [dt.date(1980, 1, 31)] * 3 + [None, dt.date(2001, 12, 1)],
            "b_time": [1.0, 0.0, 1.0, 0.0, None],
            "b_cost": [0.0, 0.0, 1.0, 1.0, None],
            "b_travel_distance": [1.0, 1.0, 0.0, 0.0, None],
            "comments": ["Two lines,\nand “quotes” café", "", "x", "y", "z"],
        }
    )
    ticks = {1: "Selected", 0: "Not selected"}
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(
        frame,
        path,
        column_labels={
            "support": "My employer actively supports my professional learning.",
            "hours": "About how many hours?",
            "sector": "In which sector do you mainly work?",
            "b_time": "Lack of time",
        },
        variable_value_labels={
            "support": {1: "Strongly disagree", 5: "Strongly agree", 9: "Refused"},
            "sector": {"pub": "Public library", "aca": "Academic library"},
            "b_time": ticks,
            "b_cost": ticks,
            "b_travel_distance": ticks,
        },
        missing_ranges={"support": [9, {"lo": 97, "hi": 99}], "sector": ["NA"]},
    )
    label = "What gets in the way?"
    add_mrsets(path, f"$barriers=D1 1 {len(label)} {label} B_TIME B_COST B_TRAVEL\n")
    return path


# ----------------------------------------------------------------------------- reading
def test_columns_metadata_and_question_text(wave_sav: Path) -> None:
    export = read_export(wave_sav)
    assert export.layout is Layout.SPSS
    assert export.encoding is None
    assert list(export.frame.columns) == [
        "respondent_id",
        "start_date",
        "duration_seconds",
        "support",
        "hours",
        "sector",
        "born",
        "b_time",
        "b_cost",
        "b_travel_distance",
        "comments",
    ]
    assert export.rows == 5
    assert export.question_text == {
        "support": "My employer actively supports my professional learning.",
        "hours": "About how many hours?",
        "sector": "In which sector do you mainly work?",
        "b_time": "Lack of time",
    }


def test_cells_are_labels_numbers_as_text_and_iso_dates(wave_sav: Path) -> None:
    frame = read_export(wave_sav).frame
    assert frame["respondent_id"].tolist() == ["R_1", "R_2", "R_3", "R_4", "R_5"]
    assert frame["start_date"].tolist() == ["2024-03-01 09:00:05"] * 4 + [None]
    assert frame["duration_seconds"].tolist() == ["432", "90", "1200", "61", "5000"]
    # 9 is user-missing, 98 is in the missing range 97-99, the last is system-missing
    assert frame["support"].tolist() == ["Strongly disagree", "Strongly agree", None, None, None]
    assert frame["hours"].tolist() == ["40", "2.5", "0", None, "19085864118"]
    # "NA" is a declared missing string; "xx" has no label and stays as it is
    assert frame["sector"].tolist() == ["Public library", "Academic library", None, "xx", None]
    assert frame["born"].tolist() == ["1980-01-31"] * 3 + [None, "2001-12-01"]
    assert frame["b_time"].tolist() == [
        "Selected",
        "Not selected",
        "Selected",
        "Not selected",
        None,
    ]
    assert frame["comments"].tolist() == ["Two lines,\nand “quotes” café", None, "x", "y", "z"]


def test_value_labels_and_missing_values(wave_sav: Path) -> None:
    export = read_export(wave_sav)
    assert export.value_labels["support"] == {
        "1": "Strongly disagree",
        "5": "Strongly agree",
        "9": "Refused",
    }
    assert export.value_labels["sector"] == {"pub": "Public library", "aca": "Academic library"}
    assert export.value_labels["b_cost"] == {"1": "Selected", "0": "Not selected"}
    assert sorted(export.value_labels) == [
        "b_cost",
        "b_time",
        "b_travel_distance",
        "sector",
        "support",
    ]
    assert sorted(export.missing_values["support"]) == ["9", "97 thru 99"]
    assert export.missing_values["sector"] == ["NA"]
    assert set(export.missing_values) == {"support", "sector"}


def test_multiple_response_set_by_short_names(wave_sav: Path) -> None:
    # B_TRAVEL is the short name of b_travel_distance: found through the long-names record
    assert read_export(wave_sav).multi_sets == {
        "barriers": ["b_time", "b_cost", "b_travel_distance"]
    }


def test_no_sets_no_missing_without_declarations(tmp_path: Path) -> None:
    path = tmp_path / "plain.sav"
    pyreadstat.write_sav(pd.DataFrame({"q": [1.0, 2.0]}), path)
    export = read_export(path)
    assert export.frame["q"].tolist() == ["1", "2"]
    assert (export.multi_sets, export.missing_values, export.value_labels) == ({}, {}, {})


def test_compressed_zsav_reads_the_same(tmp_path: Path) -> None:
    frame = pd.DataFrame({"q": [1.0, 2.0], "t": ["a", "b"]})
    pyreadstat.write_sav(frame, tmp_path / "a.sav", variable_value_labels={"q": {1: "Yes"}})
    pyreadstat.write_sav(
        frame, tmp_path / "a.zsav", compress=True, variable_value_labels={"q": {1: "Yes"}}
    )
    plain, compressed = read_export(tmp_path / "a.sav"), read_export(tmp_path / "a.zsav")
    assert compressed.frame.to_dict("list") == {"q": ["Yes", "2"], "t": ["a", "b"]}
    pd.testing.assert_frame_equal(plain.frame, compressed.frame)


# ----------------------------------------------------------------------------- detection
def test_detected_by_magic_bytes_whatever_the_name(wave_sav: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "export.dat"
    renamed.write_bytes(wave_sav.read_bytes())
    assert spss_reader.looks_like(renamed, []) is True
    assert detect_layout(renamed) is Layout.SPSS
    assert detect_layout(wave_sav) is Layout.SPSS
    assert read_export(renamed).rows == 5


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("wave.csv", b"respondent_id,sector\r\n1,Public\r\n", False),
        ("wave.txt", b"id,$FL2\r\n1,2\r\n", False),
        ("wave.bin", b"$FL3....", True),
        ("wave.SAV", b"anything", True),
    ],
)
def test_looks_like_decides_from_the_file_alone(
    tmp_path: Path, name: str, content: bytes, expected: bool
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert spss_reader.looks_like(path, []) is expected


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "content",
    [
        b"$FL2" + b"\x00" * 60,  # the magic, then nothing usable
        b"respondent_id,sector\r\n1,Public\r\n",  # a CSV saved as .sav
    ],
)
def test_corrupt_sav_is_a_data_error_naming_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.sav"
    path.write_bytes(content)
    with pytest.raises(DataError, match=r"broken\.sav: not a readable SPSS \.sav file"):
        read_export(path)


def test_truncated_sav_is_a_data_error(wave_sav: Path, tmp_path: Path) -> None:
    path = tmp_path / "truncated.sav"
    path.write_bytes(wave_sav.read_bytes()[:300])
    with pytest.raises(DataError, match=r"truncated\.sav: not a readable SPSS \.sav file"):
        read_export(path, layout="spss")


def test_set_naming_an_unknown_variable_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "sets.sav"
    pyreadstat.write_sav(pd.DataFrame({"a": [1.0], "b": [0.0]}), path)
    add_mrsets(path, "$s=D1 1 3 Set A NOPE\n")
    with pytest.raises(DataError, match=r"sets\.sav: multiple-response set \$s names .*'NOPE'"):
        read_export(path)


def test_file_with_no_cases_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.sav"
    pyreadstat.write_sav(pd.DataFrame({"q": pd.Series([], dtype=float)}), path)
    with pytest.raises(DataError, match=r"empty\.sav: .*no cases"):
        read_export(path)


# ----------------------------------------------------------------------------- the demo
def _demo_as_sav(folder: Path, codebook: Codebook, target: Path) -> tuple[pd.DataFrame, set[str]]:
    """The demo's 2024 wave written as SPSS does it: answers of closed questions as numeric
    codes with value labels, open answers as strings, the question text as variable labels,
    Qualtrics' SPSS names for the metadata. Returns the original frame and the coded columns."""
    original = demo_2024(folder)
    coded = coded_columns(codebook)
    renames = {toolkit: name for name, toolkit in spss_reader.SPSS_METADATA.items()}
    renames |= {"start_date": "StartDate", "end_date": "EndDate", "email": "RecipientEmail"}
    frame = pd.DataFrame(index=original.frame.index)
    labels: dict[str, dict[int, str]] = {}
    for column in original.frame.columns:
        cells = original.frame[column]
        name = renames.get(column, column)
        if column in coded:
            values = sorted(cells.dropna().unique())
            codes = {value: number for number, value in enumerate(values, start=1)}
            frame[name] = [float(codes[cell]) if isinstance(cell, str) else None for cell in cells]
            labels[name] = {number: value for value, number in codes.items()}
        else:
            frame[name] = ["" if cell is None else cell for cell in cells]
    column_labels = {
        renames.get(column, column): text for column, text in original.question_text.items()
    }
    pyreadstat.write_sav(frame, target, column_labels=column_labels, variable_value_labels=labels)
    return original.frame, coded


def test_demo_questionnaire_as_sav_maps_every_field(tmp_path: Path, codebook: Codebook) -> None:
    original, coded = _demo_as_sav(tmp_path / "demo", codebook, tmp_path / "2024.sav")
    export = read_export(tmp_path / "2024.sav")
    assert export.layout is Layout.SPSS
    _, column_map = map_to_codebook(export, codebook)
    assert column_map.missing == []
    assert column_map.found["sector"] == "sector"
    assert column_map.found["respondent_id"] == "respondent_id"
    assert export.value_labels["consent"] == {"1": "No", "2": "Yes"}
    # every answer comes back, less trailing spaces (a .sav pads strings and labels)
    for column in original.columns:
        expected = [cell.rstrip() or None if cell else None for cell in original[column]]
        assert export.frame[column].tolist() == expected, column
    assert len(export.value_labels["sector"]) == original["sector"].nunique()
    assert set(export.value_labels) == coded


# ----------------------------------------------------------------------------- real file
@needs_samples
def test_real_sav_from_a_class_survey() -> None:
    path = SAMPLES / "spss_sondage.sav"
    assert detect_layout(path) is Layout.SPSS
    export = read_export(path)
    assert export.frame.shape == (57, 21)
    first = export.frame.iloc[0]
    assert first["Horodateur"] == "2020-02-04"
    assert first["Quelleestvotreannéedenaissance"] == "1998"
    assert first["genre"] == "Femme"
    assert first["maitrise"] == "Tout à fait en accord"
    assert first["facebook"] == "1"  # 1 has no label: the code stays
    assert first["instagram"] == "Instagram"
    assert first["selection1"] == "Not Selected"
    assert export.question_text["genre"] == "Êtes-vous"
    assert "Horodateur" not in export.question_text
    assert export.value_labels["maitrise"] == {
        "1": "Plutôt en accord",
        "2": "Plutôt en désaccord",
        "3": "Tout à fait en accord",
        "4": "Tout à fait en désaccord",
    }
    assert (export.missing_values, export.multi_sets) == ({}, {})


def test_a_codebook_encoding_does_not_override_the_files_own(wave_sav: Path) -> None:
    # the file records UTF-8; a wave's encoding meant for its CSV exports must not garble it
    export = read_export(wave_sav, encoding="cp1252")
    assert export.frame["comments"].tolist()[0] == "Two lines,\nand “quotes” café"
