"""LimeSurvey exports: CSV with question-code headings (comma or semicolon), CSV with full
headings, and the R export (data CSV plus syntax file, read as text, never run). Every fixture
is written here byte by byte, in the forms of LimeSurvey's own files; where the shared samples
(``factories.SAMPLES``) are on the machine, their real R export is read too."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from factories import SAMPLES, coded_columns, csv_workbook, demo_2024, needs_samples

from survey.codebook import Codebook, Layout
from survey.errors import DataError
from survey.io import detect_layout, map_to_codebook, read_export
from survey.io import limesurvey as limesurvey_reader

# ----------------------------------------------------------------------------- fixtures
#: Question codes: a list question with "other" (Q1, Q1[other]), a multi-select with an other
#: box (Q2[SQ001..3], Q2[other]), an array rated A1..A3 (Q3[SQ001..2]), the interview time.
CODES = (
    "id,submitdate,lastpage,startlanguage,seed,startdate,datestamp,ipaddr,"
    "Q1,Q1[other],Q2[SQ001],Q2[SQ002],Q2[SQ003],Q2[other],Q3[SQ001],Q3[SQ002],Q4,interviewtime\r\n"
    "1,2024-03-01 09:07:12,3,en,1041181964,2024-03-01 09:00:00,2024-03-01 09:07:12,192.0.2.1,"
    'A1,,Y,,Y,,A3,A1,"Two lines,\r\nand “quotes” café",432.5\r\n'
    "2,,1,fr,577890317,2024-03-02 10:00:00,2024-03-02 10:01:30,192.0.2.2,"
    "-oth-,public library branch ,,,,bandwidth,A2,,,90\r\n"
    "3,2024-03-03 11:00:00,3,en,247458310,2024-03-03 10:50:00,2024-03-03 11:00:00,,"
    "A2,,,Y,,,,,N/A,600\r\n"
)
#: The toolkit's names for the metadata columns every LimeSurvey response export starts with.
METADATA_COLUMNS = [
    "respondent_id",
    "submit_date",
    "last_page",
    "user_language",
    "seed",
    "start_date",
    "end_date",
]
CODE_COLUMNS = [
    *METADATA_COLUMNS,
    "ip_address",
    "Q1",
    "Q1[other]",
    "Q2[SQ001]",
    "Q2[SQ002]",
    "Q2[SQ003]",
    "Q2[other]",
    "Q3[SQ001]",
    "Q3[SQ002]",
    "Q4",
    "duration_seconds",
]
CODE_FIRST = [
    "1",
    "2024-03-01 09:07:12",
    "3",
    "en",
    "1041181964",
    "2024-03-01 09:00:00",
    "2024-03-01 09:07:12",
    "192.0.2.1",
    "A1",
    None,
    "Y",
    None,
    "Y",
    None,
    "A3",
    "A1",
    "Two lines,\r\nand “quotes” café",
    "432.5",
]

#: Full headings (LimeSurvey's English metadata headings; "question [subquestion]").
HEADINGS = (
    '"Response ID","Date submitted","Last page","Start language","Seed","Date started",'
    '"Date last action","In which sector do you mainly work?",'
    '"In which sector do you mainly work? [Other]",'
    '"What gets in the way? [Lack of time]","What gets in the way? [Cost]",'
    '"What gets in the way? [Other]",'
    '"How important is this area? [Leadership]","How important is this area? [Governance]",'
    '"Your age [years]","Total time"\r\n'
    '"7","2024-03-01 09:07:12","3","en","1","2024-03-01 09:00:00","2024-03-01 09:07:12",'
    '"Public library","","Yes","","","Very important","Not important","44","432.5"\r\n'
    '"8","","2","en","2","2024-03-02 10:00:00","2024-03-02 10:01:30",'
    '"Other","a branch","","Yes","slow internet","","Slightly important","","90"\r\n'
)

#: The R export as LimeSurvey writes it: a data file with full headings, every field quoted,
#: and a syntax file naming columns 1..9 (column 10, the timing, is not in it).
R_DATA = (
    '\ufeff"Response ID","Date submitted","Last page","Start language","Seed","Date started",'
    '"Date last action","How do you identify?","How do you identify? [Other]",'
    '"Which educations? [Primary School]","Which educations? [Secondary School]",'
    '"Please order [Rank 1]","Total time"\n'
    '"1","2021-09-24 11:39:34","4","en","1041181964","2021-09-24 11:33:56",'
    '"2021-09-24 11:39:34","man","","1","0","west","339.28"\n'
    '"5","","3","nl-informal","247458310","2021-11-11 15:01:28","2021-11-11 15:06:30",'
    '"-oth-","4444","0","0","","303.88"\n'
    '"9","","1","nl-informal","1073924392","2022-03-15 09:54:36","2022-03-15 09:56:23",'
    '"","","","","tita",""\n'
)


def _r_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def r_column(
    position: int,
    name: str,
    label: str,
    *,
    conversion: str = "as.character",
    factor: tuple[str, str] | None = None,
) -> list[str]:
    """The lines of an R syntax file that describe one column, as LimeSurvey writes them: its
    conversion, its variable label (an R string literal), its factor's levels and labels (R
    vectors' insides, for a coded column) and its name."""
    cells = f"data[, {position}]"
    lines = [
        f"{cells} <- {conversion}({cells})",
        f"attributes(data)$variable.labels[{position}] <- {label}",
    ]
    if factor is not None:
        lines.append(f"{cells} <- factor({cells}, levels=c({factor[0]}),labels=c({factor[1]}))")
    return [*lines, f"names(data)[{position}] <- {_r_string(name)}"]


#: The columns ``R_SYNTAX`` describes: LimeSurvey's field type (F is read as a number), the
#: name, the variable label as an R literal where it is not the name (one with an escaped
#: quote and apostrophe), and a coded column's levels and labels.
YES_NOT_SELECTED = ("1,0", '"Yes", "Not selected"')
R_COLUMNS: list[tuple[str, str, str | None, tuple[str, str] | None]] = [
    ("F", "id", None, None),
    ("DATETIME23.2", "submitdate", None, None),
    ("F", "lastpage", None, None),
    ("A", "startlanguage", None, None),
    ("A", "seed", None, None),
    ("DATETIME23.2", "startdate", None, None),
    ("DATETIME23.2", "datestamp", None, None),
    (
        "A",
        "gender",
        r'"How do you \"identify\"? It\'s up to you"',
        ('"man","woman"', r'"Man", "Woman, \"she\""'),
    ),
    ("A", "gender_other", '"[Other] How do you identify?"', None),
    ("F", "education_primary", '"[Primary School] Which educations?"', YES_NOT_SELECTED),
    ("F", "education_secondary", '"[Secondary School] Which educations?"', YES_NOT_SELECTED),
    ("A", "order_1", '"[Rank 1] Please order"', ('"tita","west"', '"Titanic", "West was won"')),
]
R_SYNTAX = "\n".join(
    [
        r"""data <- read.csv("survey_1_R_data_file.csv", quote = "'\"", """
        r"""na.strings=c("", "\"\""))""",
        "",
        "",
        *(
            line
            for position, (field_type, name, label, factor) in enumerate(R_COLUMNS, start=1)
            for line in [
                f"# LimeSurvey Field type: {field_type}",
                *r_column(
                    position,
                    name,
                    label or _r_string(name),
                    conversion="as.numeric" if field_type == "F" else "as.character",
                    factor=factor,
                ),
            ]
        ),
        "",
    ]
)


def write_r_export(folder: Path, syntax: str = R_SYNTAX, stem: str = "survey_1") -> Path:
    """The R export's two files in ``folder``; returns the data file."""
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / f"{stem}_R_data_file.csv"
    data.write_bytes(R_DATA.encode("utf-8"))
    (folder / f"{stem}_R_syntax_file.R").write_bytes(syntax.encode("utf-8"))
    return data


# ----------------------------------------------------------------------------- code headings
@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(",", "utf-8"), (";", "utf-8-sig"), (";", "cp1252")]
)
def test_code_headings(tmp_path: Path, delimiter: str, encoding: str) -> None:
    text = CODES if delimiter == "," else CODES.replace(",", ";").replace(";\r\nand", ",\r\nand")
    path = tmp_path / "results-survey1.csv"
    path.write_bytes(text.encode(encoding))
    assert detect_layout(path) is Layout.LIMESURVEY
    export = read_export(path)
    assert export.layout is Layout.LIMESURVEY
    assert list(export.frame.columns) == CODE_COLUMNS
    assert export.frame.iloc[0].tolist() == CODE_FIRST
    assert export.rows == 3
    assert export.encoding == encoding
    # the other box of a list question and of a multi-select stay text, spaces and all
    assert export.frame["Q1[other]"].tolist() == [None, "public library branch ", None]
    assert export.frame["Q2[other]"].tolist() == [None, "bandwidth", None]
    assert export.frame["Q1"].tolist() == ["A1", "-oth-", "A2"]
    assert export.frame["Q4"].tolist()[2] == "N/A"
    # ticks Y/blank make a set; an array rated A1..A3 does not
    assert export.multi_sets == {"Q2": ["Q2[SQ001]", "Q2[SQ002]", "Q2[SQ003]"]}
    assert export.question_text == {}
    assert export.value_labels == {}


def test_code_headings_in_a_workbook(tmp_path: Path) -> None:
    path = csv_workbook(tmp_path / "results-survey1.xlsx", CODES)
    assert detect_layout(path) is Layout.LIMESURVEY
    export = read_export(path)
    assert list(export.frame.columns) == CODE_COLUMNS
    assert export.frame.iloc[0].tolist() == CODE_FIRST
    assert export.multi_sets == {"Q2": ["Q2[SQ001]", "Q2[SQ002]", "Q2[SQ003]"]}
    assert export.encoding is None


# ----------------------------------------------------------------------------- full headings
def test_full_headings(tmp_path: Path) -> None:
    path = tmp_path / "results-survey1.csv"
    path.write_bytes(HEADINGS.encode("utf-8"))
    assert detect_layout(path) is Layout.LIMESURVEY
    export = read_export(path)
    assert list(export.frame.columns) == [
        *METADATA_COLUMNS,
        "In which sector do you mainly work?",
        "In which sector do you mainly work? | Other",
        "What gets in the way? | Lack of time",
        "What gets in the way? | Cost",
        "What gets in the way? | Other",
        "How important is this area? | Leadership",
        "How important is this area? | Governance",
        "Your age [years]",  # one column: a bracket in the text, not a subquestion
        "duration_seconds",
    ]
    assert export.frame["What gets in the way? | Other"].tolist() == [None, "slow internet"]
    assert export.frame["submit_date"].tolist() == ["2024-03-01 09:07:12", None]
    assert export.multi_sets == {
        "What gets in the way?": [
            "What gets in the way? | Lack of time",
            "What gets in the way? | Cost",
        ]
    }
    assert export.question_text["How important is this area? | Governance"] == (
        "How important is this area?"
    )
    assert export.question_text["respondent_id"] == "Response ID"


def test_an_export_of_answers_only_with_answer_ids(tmp_path: Path) -> None:
    # LimeSurvey 6's English heading for the id, then only `question [subquestion]` headings
    path = tmp_path / "results_english.csv"
    path.write_text(
        '"Answer ID","What is your background? [Engineering]",'
        '"What is your background? [Computer science]","Comments"\n'
        '"1","Yes","No","fine"\n"2","No","Yes",""\n',
        encoding="utf-8",
    )
    assert detect_layout(path) is Layout.LIMESURVEY
    export = read_export(path)
    assert list(export.frame.columns) == [
        "respondent_id",
        "What is your background? | Engineering",
        "What is your background? | Computer science",
        "Comments",
    ]
    assert export.frame["respondent_id"].tolist() == ["1", "2"]


# ----------------------------------------------------------------------------- the R export
def test_r_export_codes_labels_and_text(tmp_path: Path) -> None:
    data = write_r_export(tmp_path)
    assert detect_layout(data) is Layout.LIMESURVEY
    export = read_export(data)
    assert export.path == data
    assert export.encoding == "utf-8-sig"
    assert list(export.frame.columns) == [
        *METADATA_COLUMNS,
        "gender",
        "gender_other",
        "education_primary",
        "education_secondary",
        "order_1",
        "duration_seconds",  # "Total time", after the columns the syntax file names
    ]
    frame = export.frame
    # cells hold labels; "-oth-" has none and stays as exported, its text is beside it
    assert frame["gender"].tolist() == ["Man", "-oth-", None]
    assert frame["gender_other"].tolist() == [None, "4444", None]
    assert frame["education_primary"].tolist() == ["Yes", "Not selected", None]
    assert frame["education_secondary"].tolist() == ["Not selected", "Not selected", None]
    assert frame["order_1"].tolist() == ["West was won", None, "Titanic"]
    assert frame["duration_seconds"].tolist() == ["339.28", "303.88", None]
    assert frame["respondent_id"].tolist() == ["1", "5", "9"]
    assert export.value_labels == {
        "gender": {"man": "Man", "woman": 'Woman, "she"'},
        "education_primary": {"1": "Yes", "0": "Not selected"},
        "education_secondary": {"1": "Yes", "0": "Not selected"},
        "order_1": {"tita": "Titanic", "west": "West was won"},
    }
    assert export.question_text["gender"] == 'How do you "identify"? It\'s up to you'
    assert export.question_text["education_primary"] == "[Primary School] Which educations?"
    assert export.question_text["duration_seconds"] == "Total time"
    assert export.multi_sets == {"education": ["education_primary", "education_secondary"]}


def test_r_export_read_from_its_syntax_file(tmp_path: Path) -> None:
    data = write_r_export(tmp_path)
    syntax = tmp_path / "survey_1_R_syntax_file.R"
    assert detect_layout(syntax) is Layout.LIMESURVEY
    by_syntax = read_export(syntax)
    assert by_syntax.path == data
    pd.testing.assert_frame_equal(by_syntax.frame, read_export(data).frame)


def test_r_export_renamed_to_a_wave_name(tmp_path: Path) -> None:
    write_r_export(tmp_path)
    shutil.move(tmp_path / "survey_1_R_data_file.csv", tmp_path / "2024.csv")
    shutil.move(tmp_path / "survey_1_R_syntax_file.R", tmp_path / "2024.R")
    export = read_export(tmp_path / "2024.csv")
    assert export.frame["gender"].tolist() == ["Man", "-oth-", None]


def test_data_file_without_its_syntax_file(tmp_path: Path) -> None:
    data = write_r_export(tmp_path)
    (tmp_path / "survey_1_R_syntax_file.R").unlink()
    with pytest.raises(
        DataError,
        match=r"survey_1_R_data_file\.csv: the R syntax file survey_1_R_syntax_file\.R is not",
    ):
        read_export(data, layout="limesurvey")


def test_syntax_file_without_its_data_file(tmp_path: Path) -> None:
    write_r_export(tmp_path)
    (tmp_path / "survey_1_R_data_file.csv").unlink()
    with pytest.raises(DataError, match=r"the R data file survey_1_R_data_file\.csv is not"):
        read_export(tmp_path / "survey_1_R_syntax_file.R")


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            R_SYNTAX.replace('names(data)[8] <- "gender"', 'names(data)[8] <- "gender'),
            r"survey_1_R_syntax_file\.R: line 36 cannot be read \(unterminated string\)",
        ),
        (
            R_SYNTAX.replace('labels=c("Titanic", ', "labels=c("),
            r"survey_1_R_syntax_file\.R: line 54 cannot be read \(2 levels but 1 labels\)",
        ),
        (
            R_SYNTAX.replace("levels=c(1,0),labels", "levels=c(1,0)),labels"),
            r"line 44 cannot be read \(expected factor",
        ),
        (
            R_SYNTAX.replace("names(data)[12]", "names(data)[14]"),
            r"survey_1_R_syntax_file\.R: describes column 14 but survey_1_R_data_file\.csv "
            r"has only 13 columns",
        ),
        (
            "# an R script, but not LimeSurvey's\nx <- 1\n",
            r"survey_1_R_syntax_file\.R: not a LimeSurvey R syntax file",
        ),
    ],
)
def test_malformed_syntax_file(tmp_path: Path, broken: str, message: str) -> None:
    data = write_r_export(tmp_path, syntax=broken)
    with pytest.raises(DataError, match=message):
        read_export(data)


# ----------------------------------------------------------------------------- detection
@pytest.mark.parametrize(
    ("first_rows", "expected"),
    [
        ([["id", "submitdate", "lastpage", "startlanguage", "Q1"]], True),
        ([["id", "lastpage", "Q1"]], True),
        ([["Response ID", "Date submitted", "Last page", "Q1"]], True),
        ([["respondent_id", "sector", "role"]], False),
        ([["id", "sector", "role"]], False),
        ([["Respondent ID", "Collector ID"], ["", ""]], False),
    ],
)
def test_looks_like(tmp_path: Path, first_rows: list[list[str]], expected: bool) -> None:
    path = tmp_path / "export.csv"
    path.write_text("\n".join(",".join(row) for row in first_rows) + "\n", encoding="utf-8")
    assert limesurvey_reader.looks_like(path, first_rows) is expected


def test_other_layouts_are_not_taken_for_limesurvey(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"respondent_id,sector\r\n1,Public\r\n")
    with pytest.raises(DataError, match=r"export\.csv: not a LimeSurvey export \(the first "):
        read_export(path, layout="limesurvey")


# ----------------------------------------------------------------------------- the demo
#: The toolkit's metadata names and LimeSurvey's codes for them.
LIMESURVEY_CODES = {
    "respondent_id": "id",
    "start_date": "startdate",
    "end_date": "datestamp",
    "ip_address": "ipaddr",
    "email": "email",
    "user_language": "startlanguage",
}


def _demo_2024(folder: Path, codebook: Codebook) -> tuple[pd.DataFrame, dict[str, str], set[str]]:
    """The demo's 2024 wave as read, its question text, and its closed-question columns."""
    original = demo_2024(folder)
    return original.frame, original.question_text, coded_columns(codebook)


def _question_columns(frame: pd.DataFrame) -> list[str]:
    return list(frame.columns[list(frame.columns).index("consent") :])


def _limesurvey_frame(original: pd.DataFrame) -> pd.DataFrame:
    """The wave with LimeSurvey's metadata columns (submitdate blank for a partial response,
    the interview time last) and the questions under their tags."""
    finished = original["finished"] == "True"
    frame = pd.DataFrame(
        {
            "id": original["respondent_id"],
            "submitdate": original["end_date"].where(finished, None),
            "lastpage": ["3" if done else "1" for done in finished],
            "startlanguage": original["user_language"],
            "seed": [str(1000 + number) for number in range(len(original))],
            "startdate": original["start_date"],
            "datestamp": original["end_date"],
            "ipaddr": original["ip_address"],
            "email": original["email"],
        }
    )
    questions = original[_question_columns(original)]
    return pd.concat([frame, questions, original[["duration_seconds"]]], axis=1).rename(
        columns={"duration_seconds": "interviewtime"}
    )


def _assert_same_answers(export: pd.DataFrame, original: pd.DataFrame) -> None:
    for column in [*_question_columns(original), *LIMESURVEY_CODES, "duration_seconds"]:
        assert export[column].tolist() == original[column].tolist(), column


def test_demo_questionnaire_as_code_csv(tmp_path: Path, codebook: Codebook) -> None:
    original, _, _ = _demo_2024(tmp_path / "demo", codebook)
    text = io.StringIO()
    _limesurvey_frame(original).to_csv(text, sep=";", index=False)
    path = tmp_path / "results-survey2024.csv"
    path.write_bytes(text.getvalue().encode("utf-8-sig"))
    export = read_export(path)
    assert export.layout is Layout.LIMESURVEY
    _, column_map = map_to_codebook(export, codebook)
    assert column_map.missing == []
    assert column_map.found["imp_leadership"] == "imp_leadership"
    _assert_same_answers(export.frame, original)
    assert export.frame["submit_date"].isna().sum() == (original["finished"] != "True").sum()


def test_demo_questionnaire_as_r_export(tmp_path: Path, codebook: Codebook) -> None:
    original, question_text, coded = _demo_2024(tmp_path / "demo", codebook)
    wave = _limesurvey_frame(original)
    timing = wave.pop("interviewtime")  # after the columns the syntax file names, as LimeSurvey
    lines = ['data <- read.csv("survey_2024_R_data_file.csv", quote = "\'\\"")', ""]
    headings = []
    for position, column in enumerate(wave.columns, start=1):
        text = question_text.get(column, column)
        headings.append(text)
        factor = None
        if column in coded:
            labels = sorted(wave[column].dropna().unique())
            codes = [str(number) for number in range(1, len(labels) + 1)]
            wave[column] = wave[column].map(dict(zip(labels, codes, strict=True)))
            factor = (",".join(codes), ", ".join(map(_r_string, labels)))
        lines += r_column(position, column, _r_string(text), factor=factor)
    wave["Total time"] = timing
    data = io.StringIO()
    writer = csv.writer(data, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow([*headings, "Total time"])
    writer.writerows(wave.astype(object).where(wave.notna(), "").itertuples(index=False))
    (tmp_path / "survey_2024_R_data_file.csv").write_bytes(data.getvalue().encode("utf-8-sig"))
    (tmp_path / "survey_2024_R_syntax_file.R").write_text("\n".join(lines), encoding="utf-8")

    path = tmp_path / "survey_2024_R_data_file.csv"
    assert detect_layout(path) is Layout.LIMESURVEY
    export = read_export(path)
    _, column_map = map_to_codebook(export, codebook)
    assert column_map.missing == []
    _assert_same_answers(export.frame, original)
    assert set(export.value_labels) == coded
    assert export.value_labels["consent"] == {"1": "No", "2": "Yes"}
    assert export.question_text["sector"] == question_text["sector"]


# ----------------------------------------------------------------------------- real file
@needs_samples
def test_real_r_export() -> None:
    path = SAMPLES / "ls_limonaid_survey_998192_R_data_file.csv"
    assert detect_layout(path) is Layout.LIMESURVEY
    export = read_export(path)
    assert export.frame.shape == (7, 71)
    columns = list(export.frame.columns)
    assert columns[:12] == [
        *METADATA_COLUMNS,
        "generalIntro",
        "informedConsent",
        "gender",
        "gender_other",
        "age",
    ]
    assert columns[50:53] == [
        "order_5",
        "duration_seconds",
        "Group time: The very first question group",
    ]
    frame = export.frame
    assert frame["respondent_id"].tolist() == ["1", "4", "5", "6", "7", "8", "9"]
    assert frame["informedConsent"].tolist()[:2] == ["Over my dead body", "Yes please"]
    assert frame["gender"].tolist()[1:3] == ["Man", "-oth-"]
    assert frame["gender_other"].tolist()[2] == "4444"
    assert frame["education_tertairy"].tolist()[1] == "Yes"
    assert frame["activities_exp#0"].tolist()[6] == "3"
    assert frame["personality_open"].tolist()[2] == "3"
    assert frame["order_1"].tolist()[0] == "How the west was won"
    assert frame["yesno"].tolist()[0] == "Yes"
    assert frame["duration_seconds"].tolist()[0] == "339.28"
    assert frame["submit_date"].isna().sum() == 5
    assert export.value_labels["personality_open"]["7"] == "7 agree strongly"
    assert export.question_text["gender_other"] == "[Other] How do you identify?"
    assert export.question_text["maleBoomer"] == (
        '{if((age.NAOK > 65) && (gender.NAOK == "man"), 1,0)}'
    )
    assert export.multi_sets == {
        "education": [
            "education_primary",
            "education_secondary",
            "education_tertairy",
            "education_quartiary",
        ]
    }


@needs_samples
def test_real_r_data_file_alone_reads_by_its_full_headings(tmp_path: Path) -> None:
    path = tmp_path / "responses.csv"
    shutil.copy(SAMPLES / "ls_limonaid_survey_998192_R_data_file.csv", path)
    export = read_export(path)
    assert export.layout is Layout.LIMESURVEY
    assert export.frame.shape == (7, 71)
    assert export.frame["How do you identify? | Other"].tolist()[2] == "4444"
    assert export.frame["Please enter your address | City"].tolist()[1] == "gdgd"
    (name,) = export.multi_sets
    assert name.startswith("Which educations have you ever done")
    assert len(export.multi_sets[name]) == 4
