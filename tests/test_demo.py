"""Tests of the synthetic demo exports (:mod:`survey.demo`).

The oracle is the specification of the two platform layouts and the reference codebook: header
rows are rebuilt here from the codebook, planted mess and effects are checked on the raw
exported labels, and every id in the ground truth is looked up in the files.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib.resources import files
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from factories import QUALTRICS_METADATA
from openpyxl import load_workbook

from survey.demo import DEMO_MARKER, write_demo
from survey.io.qualtrics import QUALTRICS_METADATA as IMPORTER_NAMES

SURVEYMONKEY_METADATA = [
    "Respondent ID",
    "Collector ID",
    "Start Date",
    "End Date",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "Custom Data 1",
]
CONSENT_TEXT = "Do you consent to take part in this survey?"
DOCUMENTATION_NETWORKS = [
    ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
]
EXAMPLE_DOMAINS = {"example.org", "example.com", "example.net"}
EMAIL = re.compile(r"[\w.+'-]+@([\w-]+(?:\.[\w-]+)+)")
NORTHERN = ["north_coast", "nechako", "northeast", "cariboo"]
KINDS = [
    "sector_variants",
    "other_backcode",
    "invalid_sector",
    "incomplete",
    "duplicate_person",
    "test_response",
    "speeder",
    "straightliner",
    "no_consent",
    "duplicate_id",
    "hours_text",
    "hours_impossible",
    "email_in_text",
    "curly_quotes",
    "grid_digits",
]


# ---------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def codebook() -> dict[str, Any]:
    text = (files("survey") / "reference" / "codebook.yaml").read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return document


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], list[str]]:
    """The default demo, written once for the module, with the progress messages."""
    folder = tmp_path_factory.mktemp("demo")
    messages: list[str] = []
    paths = write_demo(folder, progress=messages.append)
    return folder, paths, messages


@pytest.fixture(scope="module")
def demo_dir(demo: tuple[Path, list[Path], list[str]]) -> Path:
    return demo[0]


@pytest.fixture(scope="module")
def truth(demo_dir: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(
        (demo_dir / "ground_truth.yaml").read_text(encoding="utf-8")
    )
    return document


@pytest.fixture(scope="module")
def waves(demo_dir: Path, codebook: dict[str, Any]) -> dict[str, Export]:
    return {str(wave["id"]): read_wave(demo_dir, wave, codebook) for wave in codebook["waves"]}


# ----------------------------------------------------------------------------------- readers
class Export:
    """One exported wave, read with the standard library (not with the toolkit's readers):
    ``header`` rows as exported, ``frame`` one text column per question column (named by
    the codebook: ``sector``, ``imp_leadership``, multi-selects as ``barriers`` holding the
    chosen labels joined by ",") plus ``respondent_id``, ``email``, ``first_name``,
    ``start``, ``end`` and, for Qualtrics, ``duration``."""

    def __init__(self, layout: str, header: list[list[str]], frame: pd.DataFrame) -> None:
        self.layout = layout
        self.header = header
        self.frame = frame


def question_columns(codebook: dict[str, Any]) -> list[str]:
    """Codebook column ids in questionnaire order (multi-selects as one column)."""
    columns = []
    for question in codebook["questions"]:
        if question["type"] == "grid":
            for item in question["items"]:
                columns += [f"{item['prefix']}_{topic['code']}" for topic in question["topics"]]
        else:
            columns.append(question["id"])
        if question.get("other"):
            columns.append(question["other"])
    return columns


def labels(codebook: dict[str, Any], question_id: str) -> dict[str, str]:
    question = next(q for q in codebook["questions"] if q["id"] == question_id)
    return {option["code"]: option["label"] for option in question["options"]}


def read_wave(folder: Path, wave: dict[str, Any], codebook: dict[str, Any]) -> Export:
    path = folder / wave["file"]
    if wave["layout"] == "qualtrics":
        text = path.read_bytes().decode(wave.get("encoding") or "utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        frame = pd.DataFrame(rows[3:], columns=rows[0], dtype=object)
        frame = frame.rename(
            columns={
                "ResponseId": "respondent_id",
                "RecipientEmail": "email",
                "RecipientFirstName": "first_name",
                "StartDate": "start",
                "EndDate": "end",
                "Duration (in seconds)": "duration",
            }
        )
        return Export("qualtrics", rows[:3], frame)
    workbook = load_workbook(path, read_only=True)
    cells = [
        ["" if value is None else str(value) for value in row]
        for row in workbook.worksheets[0].iter_rows(values_only=True)
    ]
    workbook.close()
    header, body = cells[:2], cells[2:]
    names = {
        "Respondent ID": "respondent_id",
        "Email Address": "email",
        "First Name": "first_name",
        "Start Date": "start",
        "End Date": "end",
    }
    columns: dict[str, list[str]] = {}
    position = 0
    for name in SURVEYMONKEY_METADATA:
        columns[names.get(name, name)] = [row[position] for row in body]
        position += 1
    columns["consent"] = [row[position] for row in body]
    position += 1
    for question in codebook["questions"]:
        if question["type"] == "grid":
            for item in question["items"]:
                for topic in question["topics"]:
                    columns[f"{item['prefix']}_{topic['code']}"] = [row[position] for row in body]
                    position += 1
        elif question["type"] == "multi":
            width = len(question["options"])
            columns[question["id"]] = [
                ",".join(cell for cell in row[position : position + width] if cell) for row in body
            ]
            position += width
        else:
            columns[question["id"]] = [row[position] for row in body]
            position += 1
        if question.get("other"):
            columns[question["other"]] = [row[position] for row in body]
            position += 1
    return Export("surveymonkey", header, pd.DataFrame(columns, dtype=object))


def parse_time(text: str, formats: list[str]) -> datetime:
    for date_format in formats:
        try:
            return datetime.strptime(text, date_format)
        except ValueError:
            continue
    raise AssertionError(f"{text!r} is in none of {formats}")


def by_id(export: Export) -> pd.DataFrame:
    return export.frame.drop_duplicates("respondent_id").set_index("respondent_id")


class Planted:
    """One demo wave beside its ground truth: the ``export``, its ``wave`` of the truth, its
    ``rows`` by respondent id and the date ``formats`` its codebook wave declares."""

    def __init__(self, export: Export, wave: dict[str, Any], formats: list[str]) -> None:
        self.export = export
        self.wave = wave
        self.rows = by_id(export)
        self.formats = formats


@pytest.fixture(params=["2024", "2025", "2026"])
def planted(
    request: pytest.FixtureRequest,
    waves: dict[str, Export],
    truth: dict[str, Any],
    codebook: dict[str, Any],
) -> Planted:
    wave_id = request.param
    formats = next(w for w in codebook["waves"] if str(w["id"]) == wave_id)["date_formats"]
    return Planted(waves[wave_id], truth["waves"][wave_id], formats)


def scale_value(codebook: dict[str, Any]) -> Callable[[str], float]:
    table: dict[str, float] = {}
    for scale in codebook["scales"].values():
        for code, label in scale.items():
            table[label] = float(code)
            table[str(code)] = float(code)
    return lambda text: table.get(text, np.nan)


# ------------------------------------------------------------------------- files and sizes
def test_writes_the_six_files_in_order(demo: tuple[Path, list[Path], list[str]]) -> None:
    folder, paths, _ = demo
    assert [path.name for path in paths] == [
        "codebook.yaml",
        "2024.csv",
        "2025.xlsx",
        "2026.csv",
        "ground_truth.yaml",
        "README.md",
    ]
    assert all(path.parent == folder and path.is_file() for path in paths)
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], "temporary files left"


def test_codebook_is_a_byte_copy(demo_dir: Path) -> None:
    packaged = (files("survey") / "reference" / "codebook.yaml").read_bytes()
    assert (demo_dir / "codebook.yaml").read_bytes() == packaged


def test_progress_reports_each_wave(
    demo: tuple[Path, list[Path], list[str]], truth: dict[str, Any]
) -> None:
    messages = demo[2]
    assert messages == [
        f"wave {w}: {truth['waves'][w]['rows']} rows" for w in ("2024", "2025", "2026")
    ]


def test_readme_says_synthetic_and_how_to_regenerate(demo_dir: Path) -> None:
    readme = (demo_dir / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower()
    assert "survey demo --out data/raw" in readme
    assert "Planted effects" in readme and "Planted mess" in readme


def test_default_waves_have_600_to_900_rows_each_different(
    waves: dict[str, Export], truth: dict[str, Any]
) -> None:
    counts = {wave_id: len(export.frame) for wave_id, export in waves.items()}
    assert all(600 <= count <= 900 for count in counts.values()), counts
    assert len(set(counts.values())) == 3
    assert counts == {wave_id: truth["waves"][wave_id]["rows"] for wave_id in counts}


def test_n_gives_exactly_n_rows(tmp_path: Path, codebook: dict[str, Any]) -> None:
    write_demo(tmp_path, n=200)
    for wave in codebook["waves"]:
        assert len(read_wave(tmp_path, wave, codebook).frame) == 200


@pytest.mark.parametrize("n", [0, 10, 39])
def test_too_small_n_is_refused(tmp_path: Path, n: int) -> None:
    with pytest.raises(ValueError, match="at least"):
        write_demo(tmp_path, n=n)


# ---------------------------------------------------------------------------- determinism
def test_same_seed_same_output(demo_dir: Path, tmp_path: Path) -> None:
    write_demo(tmp_path)
    for name in ("2024.csv", "2026.csv", "ground_truth.yaml", "README.md"):
        assert (tmp_path / name).read_bytes() == (demo_dir / name).read_bytes(), name

    def cells(path: Path) -> list[tuple[Any, ...]]:
        workbook = load_workbook(path, read_only=True)
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
        return rows

    assert cells(tmp_path / "2025.xlsx") == cells(demo_dir / "2025.xlsx")
    # the workbook writer fixes zip timestamps and document properties: the bytes agree too
    assert (tmp_path / "2025.xlsx").read_bytes() == (demo_dir / "2025.xlsx").read_bytes()


def test_one_wave_alone_is_the_same_wave(demo_dir: Path, tmp_path: Path) -> None:
    """``waves=`` writes only those waves (for a large benchmark wave), byte for byte as in the
    full run; a wave the codebook does not list is refused."""
    written = write_demo(tmp_path, waves=["2026"])
    assert [path.name for path in written] == [
        "codebook.yaml", "2026.csv", "ground_truth.yaml", "README.md"
    ]  # fmt: skip
    assert (tmp_path / "2026.csv").read_bytes() == (demo_dir / "2026.csv").read_bytes()
    truth = yaml.safe_load((tmp_path / "ground_truth.yaml").read_text(encoding="utf-8"))
    assert list(truth["waves"]) == ["2026"]
    with pytest.raises(ValueError, match="waves: 2099 not in the codebook"):
        write_demo(tmp_path, waves=["2099"])


def test_another_seed_other_output(demo_dir: Path, tmp_path: Path) -> None:
    write_demo(tmp_path, seed=7)
    assert (tmp_path / "2024.csv").read_bytes() != (demo_dir / "2024.csv").read_bytes()


# --------------------------------------------------------------------------- Qualtrics layout
@pytest.mark.parametrize("wave_id", ["2024", "2026"])
def test_qualtrics_header_rows(
    waves: dict[str, Export], codebook: dict[str, Any], wave_id: str
) -> None:
    ids, texts, import_ids = waves[wave_id].header
    questions = {q["id"]: q for q in codebook["questions"]}
    grid = questions["learning_needs"]
    tags = [column.tag for column in QUALTRICS_METADATA]
    assert ids == [*tags, "consent", *question_columns(codebook)]
    assert set(tags) <= set(IMPORTER_NAMES)  # the importer names each of them
    assert texts[:17] == [column.text for column in QUALTRICS_METADATA]
    assert texts[17] == CONSENT_TEXT
    text_of = dict(zip(ids, texts, strict=True))
    assert text_of["sector"] == f"{questions['sector']['text']} - Selected Choice"
    assert text_of["region"] == f"{questions['region']['text']} - Selected Choice"
    assert text_of["sector_other"] == (
        f"{questions['sector']['text']} - Other (please specify) - Text"
    )
    assert text_of["barriers"] == f"{questions['barriers']['text']} - Selected Choice"
    assert text_of["cpd_hours"] == questions["cpd_hours"]["text"]
    assert text_of["employer_support"] == questions["employer_support"]["text"]
    for item in grid["items"]:
        for topic in grid["topics"]:
            assert (
                text_of[f"{item['prefix']}_{topic['code']}"] == f"{item['text']} - {topic['label']}"
            )
    parsed = [json.loads(cell) for cell in import_ids]
    assert all(set(cell) == {"ImportId"} for cell in parsed)
    import_of = dict(zip(ids, (cell["ImportId"] for cell in parsed), strict=True))
    assert [import_of[tag] for tag in tags] == [column.import_id for column in QUALTRICS_METADATA]
    assert import_of["consent"] == "QID2"
    assert import_of["sector"] == "QID3"
    assert import_of["sector_other"] == "QID3_5_TEXT"
    assert import_of["role_other"] == "QID4_9_TEXT"
    assert import_of["imp_customer_service"] == "QID10_1"
    assert import_of["comp_governance"] == "QID11_16"
    assert import_of["cpd_hours"].endswith("_TEXT")
    assert len(set(import_of.values())) == len(ids)


def test_qualtrics_import_id_row_is_csv_quoted(demo_dir: Path) -> None:
    third_line = (demo_dir / "2024.csv").read_text(encoding="utf-8").splitlines()[2]
    assert third_line.startswith('"{""ImportId"":""startDate""}",')


@pytest.mark.parametrize("wave_id", ["2024", "2026"])
def test_qualtrics_metadata_values(
    waves: dict[str, Export], codebook: dict[str, Any], wave_id: str
) -> None:
    frame = waves[wave_id].frame
    wave = next(w for w in codebook["waves"] if str(w["id"]) == wave_id)
    assert set(frame["Status"]) == {"IP Address"}
    assert set(frame["ExternalReference"]) == {DEMO_MARKER}
    assert set(frame["DistributionChannel"]) == {"anonymous"}
    assert set(frame["UserLanguage"]) == {"EN"}
    assert frame["respondent_id"].str.fullmatch(r"R_[A-Za-z0-9]{15}").all()
    progress = frame["Progress"].astype(int)
    assert progress.between(0, 100).all()
    assert ((progress == 100) == (frame["Finished"] == "True")).all()
    assert set(frame["Finished"]) <= {"True", "False"}
    assert set(frame["consent"]) == {"Yes", "No"}
    duration = frame["duration"].astype(int)
    assert 600 <= duration.median() <= 1200  # about 15 minutes
    formats = wave["date_formats"]
    starts = [parse_time(text, formats) for text in frame["start"]]
    ends = [parse_time(text, formats) for text in frame["end"]]
    for start, end, seconds in zip(starts, ends, duration, strict=True):
        assert abs((end - start) - timedelta(seconds=int(seconds))) <= timedelta(seconds=60)
    assert (frame["RecordedDate"] == frame["end"]).all()
    second = frame["start"].map(lambda text: _matches(text, formats[1]))
    assert 0.01 <= second.mean() <= 0.12  # about 5% in the wave's second format
    assert all(ip_address(ip) in net for ip in frame["IPAddress"] for net in [_network(ip)])
    latitude = frame["LocationLatitude"].astype(float)
    longitude = frame["LocationLongitude"].astype(float)
    assert latitude.between(48.0, 60.0).all() and longitude.between(-139.1, -114.0).all()
    given = frame["email"] != ""
    assert 0.45 <= given.mean() <= 0.75  # a prize-draw e-mail for about 60%
    digits = frame["imp_leadership"].str.fullmatch(r"[1-5]")
    assert 0.005 <= digits.mean() <= 0.06  # about 3% of rows with digits for grid labels


def _matches(text: str, date_format: str) -> bool:
    try:
        datetime.strptime(text, date_format)
    except ValueError:
        return False
    return True


def _network(ip: str) -> Any:
    matching = [net for net in DOCUMENTATION_NETWORKS if ip_address(ip) in net]
    assert matching, f"{ip} is not in a documentation range"
    return matching[0]


def test_qualtrics_multi_select_joins_labels_without_space(
    waves: dict[str, Export], codebook: dict[str, Any]
) -> None:
    frame = waves["2024"].frame
    options = set(labels(codebook, "barriers").values())
    chosen = frame.loc[frame["barriers"] != "", "barriers"].str.split(",")
    assert all(set(parts) <= options for parts in chosen)
    assert (frame["barriers"].str.contains(", ", regex=False) == False).all()  # noqa: E712
    formats = frame.loc[frame["formats"] != "", "formats"].str.split(",").map(len)
    assert formats.max() <= 3


def test_2026_is_windows_1252_and_2024_utf8(demo_dir: Path, truth: dict[str, Any]) -> None:
    data = (demo_dir / "2026.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp1252")
    assert all(character in text for character in "’“”")
    (demo_dir / "2024.csv").read_bytes().decode("utf-8")
    assert truth["waves"]["2026"]["curly_quotes"]
    assert not truth["waves"]["2024"]["curly_quotes"]


def test_curly_quotes_only_in_planted_rows(waves: dict[str, Export], truth: dict[str, Any]) -> None:
    frame = waves["2026"].frame
    curly = frame[frame["comments"].str.contains("[’“”]", regex=True)]
    assert set(curly["respondent_id"]) == set(truth["waves"]["2026"]["curly_quotes"])


# ------------------------------------------------------------------------ SurveyMonkey layout
def test_surveymonkey_header_rows(waves: dict[str, Export], codebook: dict[str, Any]) -> None:
    questions_row, sublabels_row = waves["2025"].header
    assert questions_row[:9] == SURVEYMONKEY_METADATA
    assert sublabels_row[:9] == [""] * 9
    assert (questions_row[9], sublabels_row[9]) == (CONSENT_TEXT, "Response")
    expected: list[tuple[str, str]] = []
    for question in codebook["questions"]:
        if question["type"] == "grid":
            for item in question["items"]:
                for k, topic in enumerate(question["topics"]):
                    expected.append((item["text"] if k == 0 else "", topic["label"]))
        elif question["type"] == "multi":
            for k, option in enumerate(question["options"]):
                expected.append((question["text"] if k == 0 else "", option["label"]))
        elif question["type"] in ("number", "text"):
            expected.append((question["text"], "Open-Ended Response"))
        else:
            expected.append((question["text"], "Response"))
        if question.get("other"):
            expected.append(("", "Other (please specify)"))
    assert list(zip(questions_row[10:], sublabels_row[10:], strict=True)) == expected


def test_surveymonkey_has_no_progress_or_duration(waves: dict[str, Export]) -> None:
    questions_row, sublabels_row = waves["2025"].header
    cells = " ".join(questions_row + sublabels_row).lower()
    assert "progress" not in cells and "duration" not in cells and "finished" not in cells


def test_surveymonkey_values(
    demo_dir: Path, waves: dict[str, Export], codebook: dict[str, Any]
) -> None:
    workbook = load_workbook(demo_dir / "2025.xlsx", read_only=True)
    first_data_row = next(workbook.worksheets[0].iter_rows(min_row=3, max_row=3, values_only=True))
    properties = workbook.properties
    workbook.close()
    assert isinstance(first_data_row[0], int) and isinstance(first_data_row[1], int)
    assert "synthetic" in (properties.title or "").lower()
    assert "synthetic" in (properties.description or "").lower()
    frame = waves["2025"].frame
    assert frame["respondent_id"].str.fullmatch(r"\d{11}").all()
    assert set(frame["Custom Data 1"]) == {DEMO_MARKER}
    formats = next(w for w in codebook["waves"] if str(w["id"]) == "2025")["date_formats"]
    assert all(_matches(text, formats[0]) or _matches(text, formats[1]) for text in frame["start"])
    second = frame["start"].map(lambda text: _matches(text, formats[1]))
    assert 0.01 <= second.mean() <= 0.12
    named = frame["first_name"] != ""
    assert 0.15 <= named.mean() <= 0.45  # names for about 30%
    seconds = [
        (parse_time(end, formats) - parse_time(start, formats)).total_seconds()
        for start, end in zip(frame["start"], frame["end"], strict=True)
    ]
    assert 600 <= float(np.median(seconds)) <= 1200
    barriers = labels(codebook, "barriers")
    assert frame["barriers"].str.contains(barriers["time"], regex=False).mean() > 0.4


def test_workbook_reads_with_pandas(demo_dir: Path, truth: dict[str, Any]) -> None:
    table = pd.read_excel(demo_dir / "2025.xlsx", header=[0, 1])
    assert len(table) == truth["waves"]["2025"]["rows"]


# ----------------------------------------------------------------------------- ground truth
def test_ground_truth_structure(truth: dict[str, Any]) -> None:
    assert truth["synthetic"] is True and truth["marker"] == DEMO_MARKER
    assert [effect["id"] for effect in truth["effects"]] == [
        "school_literacy",
        "northern_travel",
        "assistant_paid_time",
        "leaders_needs",
        "assessment_trend",
    ]
    for wave_id, layout in (("2024", "qualtrics"), ("2025", "surveymonkey"), ("2026", "qualtrics")):
        wave = truth["waves"][wave_id]
        assert wave["layout"] == layout
        for key in [*KINDS, "duplicate_keep", "excluded", "expected_analysed", "hours_expected"]:
            assert key in wave, (wave_id, key)


@pytest.mark.parametrize("wave_id", ["2024", "2025", "2026"])
def test_ground_truth_ids_exist_and_add_up(
    waves: dict[str, Export], truth: dict[str, Any], wave_id: str
) -> None:
    wave = truth["waves"][wave_id]
    ids = waves[wave_id].frame["respondent_id"]
    present = set(ids)
    planted: list[str] = []
    for kind in [*KINDS, "duplicate_keep"]:
        assert set(wave[kind]) <= present, kind
        if kind != "grid_digits" or wave[kind]:
            planted += wave[kind]
    assert len(planted) == len(set(planted)), "kinds of mess overlap"
    for kind in KINDS:
        if kind not in ("curly_quotes", "grid_digits") or wave["layout"] == "qualtrics":
            if kind == "curly_quotes" and wave_id != "2026":
                continue
            assert 1 <= len(wave[kind]) <= 15 or kind == "grid_digits", kind
    assert len(wave["duplicate_id"]) == 1
    assert (ids == wave["duplicate_id"][0]).sum() == 2
    assert ids.iloc[-1] == wave["duplicate_id"][0]  # the re-exported row comes last
    assert set(wave["excluded"]) <= present
    analysed = set(wave["expected_analysed"])
    assert analysed == present - set(wave["excluded"])
    assert wave["expected_analysed_count"] == len(analysed) == len(wave["expected_analysed"])
    quarantined = sum(wave["expected_quarantined_rows"].values())
    assert quarantined + len(analysed) == len(ids) == wave["rows"]
    for kind in (
        "incomplete",
        "test_response",
        "speeder",
        "straightliner",
        "no_consent",
        "invalid_sector",
        "duplicate_person",
    ):
        assert {i: wave["excluded"][i] for i in wave[kind]} == dict.fromkeys(wave[kind], kind)


def test_mess_scales_with_n(tmp_path: Path) -> None:
    write_demo(tmp_path, n=3000)
    document = yaml.safe_load((tmp_path / "ground_truth.yaml").read_text(encoding="utf-8"))
    wave = document["waves"]["2024"]
    assert len(wave["speeder"]) == round(6 * 3000 / 750)
    assert len(wave["incomplete"]) == round(12 * 3000 / 750)
    assert wave["rows"] == 3000


# ------------------------------------------------------------------------- the planted mess
def test_planted_rows_look_as_recorded(planted: Planted, codebook: dict[str, Any]) -> None:
    export, wave, rows, formats = planted.export, planted.wave, planted.rows, planted.formats
    sector = next(q for q in codebook["questions"] if q["id"] == "sector")
    grid = next(q for q in codebook["questions"] if q["id"] == "learning_needs")
    grid_columns = [f"{i['prefix']}_{t['code']}" for i in grid["items"] for t in grid["topics"]]
    answers = question_columns(codebook)

    def seconds(identifier: str) -> float:
        if export.layout == "qualtrics":
            return float(rows.at[identifier, "duration"])
        start = parse_time(rows.at[identifier, "start"], formats)
        return (parse_time(rows.at[identifier, "end"], formats) - start).total_seconds()

    durations = [seconds(i) for i in rows.index]
    assert min(seconds(i) for i in set(rows.index) - set(wave["speeder"])) >= 400
    assert all(60 <= seconds(i) <= 100 for i in wave["speeder"])
    assert np.median(durations) > 600

    middle = {codebook["scales"][item["scale"]][3] for item in grid["items"]}
    for identifier in wave["straightliner"]:
        assert set(rows.loc[identifier, grid_columns]) == middle

    for identifier in wave["no_consent"]:
        assert rows.at[identifier, "consent"] == "No"
        assert (rows.loc[identifier, answers] == "").all()
    assert (rows.drop(index=wave["no_consent"])["consent"] == "Yes").all()

    for identifier in wave["incomplete"]:
        answered = (rows.loc[identifier, answers] != "").mean()
        if export.layout == "qualtrics":
            assert int(rows.at[identifier, "Progress"]) < 100
            assert rows.at[identifier, "Finished"] == "False"
        else:
            assert answered <= 0.40
        assert rows.at[identifier, answers[-1]] == ""  # later answers blank

    for identifier in wave["test_response"]:
        row = rows.loc[identifier]
        fields = (row["comments"], row["learn_next"], row["first_name"])
        assert any(re.match(r"\s*test\b", text, re.IGNORECASE) for text in fields)

    spellings: dict[str, set[str]] = {}
    for option in sector["options"]:
        for spelling in [option["code"], option["label"], *option.get("aliases", [])]:
            spellings.setdefault(" ".join(spelling.split()).casefold(), set()).add(option["code"])
    for identifier in wave["sector_variants"]:
        typed = rows.at[identifier, "sector"]
        assert typed not in {option["label"] for option in sector["options"]}
        assert spellings[" ".join(typed.split()).casefold()] == {
            wave["sector_expected"][identifier]
        }
    other_label = labels(codebook, "sector")["other"]
    for identifier in wave["other_backcode"]:
        assert rows.at[identifier, "sector"] == other_label
        text = " ".join(rows.at[identifier, "sector_other"].split()).casefold()
        expected = wave["sector_expected"][identifier]
        assert spellings.get(text, {"other"}) == {expected}
    assert "public" in {wave["sector_expected"][i] for i in wave["other_backcode"]}
    for identifier in wave["invalid_sector"]:
        assert " ".join(rows.at[identifier, "sector"].split()).casefold() not in spellings

    for identifier, value in wave["hours_expected"].items():
        typed = rows.at[identifier, "cpd_hours"]
        assert not typed.isdigit()
        assert float(re.sub(r"[^\d]", "", typed)) == value
    for identifier in wave["hours_impossible"]:
        assert rows.at[identifier, "cpd_hours"] == wave["hours_impossible_values"][identifier]

    for identifier, strings in wave["pii_strings"].items():
        text = rows.at[identifier, "learn_next"] + " " + rows.at[identifier, "comments"]
        assert strings and all(string in text for string in strings)
    assert set(wave["pii_strings"]) == set(wave["email_in_text"])


def test_duplicate_people_share_an_email_and_the_keeper_is_right(
    planted: Planted, codebook: dict[str, Any]
) -> None:
    export, wave, rows, formats = planted.export, planted.wave, planted.rows, planted.formats
    answers = question_columns(codebook)
    emails = export.frame.loc[export.frame["email"] != "", "email"]
    repeated = set(emails[emails.duplicated()])
    assert len(repeated) == len(wave["duplicate_pairs"])
    for pair in wave["duplicate_pairs"]:
        keep, drop = rows.loc[pair["keep"]], rows.loc[pair["drop"]]
        assert keep["email"] == drop["email"] != ""
        kept_answers = (keep[answers] != "").sum()
        dropped_answers = (drop[answers] != "").sum()
        later = parse_time(keep["end"], formats) > parse_time(drop["end"], formats)
        assert kept_answers > dropped_answers or (kept_answers == dropped_answers and later)
    assert sorted(p["keep"] for p in wave["duplicate_pairs"]) == sorted(wave["duplicate_keep"])


# ------------------------------------------------------------------------ the planted effects
def test_effects_are_visible_in_raw_labels(
    waves: dict[str, Export], codebook: dict[str, Any]
) -> None:
    value = scale_value(codebook)
    sector, region, role = (labels(codebook, q) for q in ("sector", "region", "role"))
    barriers, paid = labels(codebook, "barriers"), labels(codebook, "paid_time")
    assessment_means = []
    for export in waves.values():
        frame = export.frame[export.frame["consent"] == "Yes"]
        northern = frame["region"].isin([region[code] for code in NORTHERN])
        travel = frame["barriers"].str.contains(barriers["travel"], regex=False)
        assert travel[northern].mean() - travel[~northern].mean() > 0.3

        school = frame["sector"] == sector["school"]
        literacy = frame["imp_literacy_instruction"].map(value)
        top2 = (literacy >= 4).where(literacy.notna())
        assert top2[school].mean() - top2[~school].mean() > 0.2

        assistant = frame["role"] == role["assistant"]
        all_paid = frame["paid_time"] == paid["all"]
        assert all_paid[~assistant].mean() - all_paid[assistant].mean() > 0.2

        leaders = frame["role"].isin([role["manager"], role["director"]])
        leadership = frame["imp_leadership"].map(value)
        assert leadership[leaders].mean() - leadership[~leaders].mean() > 0.8

        assessment_means.append(frame["imp_assessment"].map(value).mean())
    assert assessment_means == sorted(assessment_means)
    assert assessment_means[-1] - assessment_means[0] > 0.7


def test_response_is_uneven_against_the_frame(
    waves: dict[str, Export], codebook: dict[str, Any]
) -> None:
    frame_sector, frame_region = codebook["frame"]["sector"], codebook["frame"]["region"]
    total = sum(frame_sector.values())
    sector, region = labels(codebook, "sector"), labels(codebook, "region")
    answered = pd.concat([export.frame for export in waves.values()])
    answered = answered[answered["consent"] == "Yes"]
    share = answered["sector"].value_counts(normalize=True)
    assert share[sector["school"]] < frame_sector["school"] / total
    assert share[sector["public"]] > frame_sector["public"] / total
    regions = answered["region"].value_counts(normalize=True)
    northern = sum(regions.get(region[code], 0.0) for code in NORTHERN)
    assert northern < sum(frame_region[code] for code in NORTHERN) / total
    assert regions[region["mainland_southwest"]] > frame_region["mainland_southwest"] / total


# ---------------------------------------------------------------------------- personal data
def test_no_email_outside_the_example_domains(demo_dir: Path) -> None:
    texts = [
        (demo_dir / "2024.csv").read_text(encoding="utf-8"),
        (demo_dir / "2026.csv").read_bytes().decode("cp1252"),
        (demo_dir / "ground_truth.yaml").read_text(encoding="utf-8"),
        (demo_dir / "README.md").read_text(encoding="utf-8"),
    ]
    workbook = load_workbook(demo_dir / "2025.xlsx", read_only=True)
    texts.append(
        "\n".join(
            str(cell)
            for row in workbook.worksheets[0].iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    )
    workbook.close()
    domains = {match.group(1).lower() for text in texts for match in EMAIL.finditer(text)}
    assert domains and domains <= EXAMPLE_DOMAINS
