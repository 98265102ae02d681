"""Exports of every common question shape, written byte by byte as the platforms write them,
so that draft -> run is tested without the real corpus (which CI does not have).

Each builder writes one export into a folder and returns it; ``SHAPES`` names them. The
shapes follow the real files of ``corpus/index.json``: Qualtrics matrices (single
answer with a "no basis" point, multi answer), side-by-side, constant sum, slider and rank
order, display-order columns; LimeSurvey arrays, multiple numeric, sliders, ranking and
submit dates; SPSS dichotomous and categorical response sets, numbers labelled only at their
missing codes or their top, ordinal labels, weights, no id, no durations; a pandas CSV with
an empty first header cell, zero durations and skip logic; a KoboToolbox workbook whose start
and end times are not answering times; a SurveyMonkey export without its
Respondent ID; a plain workbook; and an export of five responses.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from factories import QUALTRICS_METADATA

ROLES = ["Librarian", "Library technician", "Manager", "Director"]
AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
FORMATS = ["Webinar", "Workshop", "Conference", "Mentoring"]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _qualtrics_csv(columns: list[tuple[str, str, dict[str, str]]], rows: list[list[str]]) -> str:
    """The text of a current-layout Qualtrics CSV: export tags, question text, ImportId."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([tag for tag, _, _ in columns])
    writer.writerow([text for _, text, _ in columns])
    writer.writerow([json.dumps(import_id) for _, _, import_id in columns])
    writer.writerows(rows)
    return buffer.getvalue()


def _metadata(*tags: str) -> list[tuple[str, str, dict[str, str]]]:
    """Qualtrics metadata columns by their tags: tag, text and ImportId, as a Qualtrics CSV
    has them."""
    known = {column.tag: column for column in QUALTRICS_METADATA}
    return [(tag, known[tag].text, {"ImportId": known[tag].import_id}) for tag in tags]


# ------------------------------------------------------------------------------ Qualtrics
def qualtrics_matrices(folder: Path) -> Path:
    """A Qualtrics export (choice text) with a role question, a matrix of agreement with a
    "No basis to judge" point and its display order, a matrix with several answers a row, a
    side-by-side question (a rating part and a choice part), a constant sum, a slider, a rank
    order and a comment: 40 responses, two of them incomplete."""
    rng = _rng(1)
    statements = ["The training was relevant", "The trainer was clear", "The pace was right"]
    columns = _metadata("StartDate", "EndDate", "Progress", "Duration (in seconds)", "Finished")
    columns += _metadata("ResponseId")
    columns.append(("Q1", "What is your role?", {"ImportId": "QID1"}))
    columns += [
        (f"Q2_{n}", f"How much do you agree? - {s}", {"ImportId": f"QID2_{n}"})
        for n, s in enumerate(statements, 1)
    ]
    columns.append(("Q2_DO", "How much do you agree? - Display Order", {"ImportId": "QID2_DO"}))
    times = ["Morning", "Afternoon", "Evening"]
    columns += [
        (f"Q3_{r}_{c}", f"When could you attend? - {f} - {t}", {"ImportId": f"QID3_{r}_{c}"})
        for r, f in enumerate(FORMATS[:2], 1)
        for c, t in enumerate(times, 1)
    ]
    columns += [
        (f"Q4#1_{n}", f"Each format - Usefulness - {f}", {"ImportId": f"QID4#1_{n}"})
        for n, f in enumerate(FORMATS, 1)
    ]
    columns += [
        (f"Q4#2_{n}", f"Each format - Preferred length - {f}", {"ImportId": f"QID4#2_{n}"})
        for n, f in enumerate(FORMATS, 1)
    ]
    columns += [
        (f"Q5_{n}", f"Share your learning time (100 in all) - {f}", {"ImportId": f"QID5_{n}"})
        for n, f in enumerate(FORMATS[:3], 1)
    ]
    columns.append(("Q6_1", "How many hours a month? - Hours", {"ImportId": "QID6_1"}))
    columns += [
        (f"Q7_{n}", f"Rank the formats - {f}", {"ImportId": f"QID7_{n}"})
        for n, f in enumerate(FORMATS, 1)
    ]
    columns.append(("Q8", "Any comments?", {"ImportId": "QID8_TEXT"}))
    useful = ["Not at all useful", "Slightly useful", "Moderately useful", "Very useful"]
    rows = []
    for number in range(40):
        progress = "100" if number not in (5, 17) else "45"
        row = [
            f"2024-05-{1 + number % 20:02d} 09:00:00",
            f"2024-05-{1 + number % 20:02d} 09:12:00",
            progress,
            str(400 + int(rng.integers(0, 600))),
            "True" if progress == "100" else "False",
            f"R_{number:04d}",
            ROLES[number % 4],
        ]
        row += [
            "No basis to judge" if (number + n) % 9 == 0 else AGREE[int(rng.integers(1, 5))]
            for n in range(3)
        ]
        row.append("|".join(str(x) for x in rng.permutation(3) + 1))
        row += ["1" if rng.random() < 0.4 else "" for _ in range(6)]
        row += [useful[int(rng.integers(0, 4))] for _ in FORMATS]
        row += [["1 hour", "Half a day", "A full day"][int(rng.integers(0, 3))] for _ in FORMATS]
        first = int(rng.integers(0, 101))
        second = int(rng.integers(0, 101 - first))
        row += [str(first), str(second), str(100 - first - second)]
        row.append(str(int(rng.integers(0, 40))))
        row += [str(x) for x in rng.permutation(4) + 1]
        row.append("More workshops in the north" if number % 3 == 0 else "")
        rows.append(row)
    path = folder / "qualtrics_matrices.csv"
    path.write_bytes(_qualtrics_csv(columns, rows).encode("utf-8-sig"))
    return path


def qualtrics_small(folder: Path) -> Path:
    """A Qualtrics test export of five responses (durations 0, as Qualtrics' preview writes
    them): everything is below the small-cell threshold."""
    columns = _metadata("ResponseId", "Duration (in seconds)")
    columns += [
        ("Q1", "Which sector do you work in?", {"ImportId": "QID1"}),
        ("Q2", "How satisfied are you with the training?", {"ImportId": "QID2"}),
        ("Q3", "What else would you like to learn?", {"ImportId": "QID3_TEXT"}),
    ]
    satisfied = ["Very satisfied", "Satisfied", "Dissatisfied", "Satisfied", "Very satisfied"]
    sectors = ["Public", "Academic", "Public", "School", "Public"]
    rows = [[f"R_{n}", "0", sectors[n], satisfied[n], "Coding" if n % 2 else ""] for n in range(5)]
    path = folder / "qualtrics_small.csv"
    path.write_text(_qualtrics_csv(columns, rows), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- LimeSurvey
def limesurvey_arrays(folder: Path) -> Path:
    """A LimeSurvey export with question-code headings and answer texts: an array of
    agreement, multiple numeric, a slider, a ranking (each rank's column holds the item),
    a multiple choice of Y/blank cells, and submit dates (blank: not submitted)."""
    rng = _rng(2)
    headings = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]
    headings += ["role"]
    headings += [f"agree[SQ00{n}]" for n in range(1, 4)]
    headings += ["hours[SQ001]", "hours[SQ002]", "confidence[SQ001]"]
    headings += ["rank[1]", "rank[2]", "rank[3]"]
    headings += [f"formats[SQ00{n}]" for n in range(1, 5)]
    rows = []
    for number in range(36):
        submitted = number % 12 != 0
        row = [
            str(number + 1),
            f"2023-10-{1 + number % 28:02d} 12:00:00" if submitted else "",
            "3" if submitted else "1",
            "en",
            str(1000 + number),
            f"2023-10-{1 + number % 28:02d} 11:40:00",
            f"2023-10-{1 + number % 28:02d} 12:00:00",
            ROLES[number % 3],
        ]
        row += [AGREE[int(rng.integers(0, 5))] for _ in range(3)]
        row += [str(int(rng.integers(0, 30))), str(int(rng.integers(0, 12)))]
        row.append(str(int(rng.integers(0, 11))))
        row += [FORMATS[int(i)] for i in rng.permutation(3)]
        row += ["Y" if rng.random() < 0.5 else "" for _ in range(4)]
        rows.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(headings)
    writer.writerows(rows)
    path = folder / "limesurvey_arrays.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------- SPSS
def spss_sets(folder: Path) -> Path:
    """An SPSS file with no respondent id and no durations: a dichotomy set (1 = Selected),
    a categorical set (three choices with the same value labels), a count labelled only at
    its top ("8 = Eight or more"), a number whose labels only name missing codes (98, 99),
    an item declared ordinal with labels of no known scale, a nominal question coded 1-4,
    and two weight columns."""
    import pyreadstat
    from test_io_spss import add_mrsets

    rng = _rng(3)
    n = 48
    frame = pd.DataFrame(
        {
            "region": rng.integers(1, 5, n).astype(float),
            "b_time": rng.integers(0, 2, n).astype(float),
            "b_cost": rng.integers(0, 2, n).astype(float),
            "b_travel": rng.integers(0, 2, n).astype(float),
            "choice1": rng.integers(1, 5, n).astype(float),
            "choice2": rng.integers(1, 5, n).astype(float),
            "choice3": np.where(rng.random(n) < 0.3, np.nan, rng.integers(1, 5, n)),
            "courses": rng.integers(0, 9, n).astype(float),
            "hours": np.where(rng.random(n) < 0.15, 98.0, rng.integers(0, 60, n)),
            "effort": rng.integers(1, 5, n).astype(float),
            "weight_a": np.round(rng.uniform(0.5, 2.0, n), 3),
            "weight_b": np.round(rng.uniform(0.5, 2.0, n), 3),
        }
    )
    frame.loc[frame["choice2"] == frame["choice1"], "choice2"] = np.nan
    ticks = {1: "Selected", 0: "Not selected"}
    choices = {1: "Webinar", 2: "Workshop", 3: "Conference", 4: "Mentoring"}
    path = folder / "spss_sets.sav"
    pyreadstat.write_sav(
        frame,
        path,
        column_labels={
            "region": "Which region is your library in?",
            "courses": "How many courses did you take?",
            "hours": "Hours of training last year",
            "effort": "How much effort did the course take?",
            "b_time": "Lack of time",
            "b_cost": "Cost",
            "b_travel": "Travel distance",
        },
        variable_value_labels={
            "region": {1: "North", 2: "South", 3: "East", 4: "West"},
            "b_time": ticks,
            "b_cost": ticks,
            "b_travel": ticks,
            "choice1": choices,
            "choice2": choices,
            "choice3": choices,
            "courses": {8: "Eight or more"},
            "hours": {98: "Don't know", 99: "Refused"},
            "effort": {1: "Little", 2: "Some", 3: "Much", 4: "A great deal"},
        },
        variable_measure={"effort": "ordinal", "courses": "scale", "hours": "scale"},
    )
    barriers, formats = "What gets in the way?", "Which formats do you prefer?"
    add_mrsets(
        path,
        f"$barriers=D1 1 {len(barriers)} {barriers} B_TIME B_COST B_TRAVEL\n"
        f"$formats=C {len(formats)} {formats} CHOICE1 CHOICE2 CHOICE3\n",
    )
    return path


# ----------------------------------------------------------------------------- plain CSV
def pandas_csv(folder: Path) -> Path:
    """``DataFrame.to_csv()`` of survey responses: its index under an empty first header,
    a ``unique_id``, durations that are all zero, a sector question whose public-library
    respondents alone were asked the library's size and its number of branches (skip logic:
    the others leave two of seven questions blank), a nominal question coded 1-7 without
    labels, and a rating."""
    rng = _rng(4)
    n = 60
    sector = np.array(["Public", "Academic", "School"])[rng.integers(0, 3, n)]
    size = np.where(
        sector == "Public", np.array(["Small", "Medium", "Large"])[rng.integers(0, 3, n)], None
    )
    branches = np.where(sector == "Public", rng.integers(1, 12, n).astype(float), np.nan)
    frame = pd.DataFrame(
        {
            "unique_id": [f"u{1000 + i}" for i in range(n)],
            "duration": 0,
            "sector": sector,
            "library_size": size,
            "branches": branches,
            "fruit": rng.integers(1, 8, n),
            "satisfaction": np.array(AGREE)[rng.integers(0, 5, n)],
        }
    )
    public = np.flatnonzero(sector == "Public")[:2]
    frame.loc[public, "satisfaction"] = None  # two skipped the last question: still complete
    path = folder / "pandas_export.csv"
    frame.to_csv(path)
    return path


def plain_xlsx(folder: Path) -> Path:
    """A workbook with one header row (a tidied export): an id, a role, a rating, a number of
    hours and a multi-select of joined choices."""
    rng = _rng(5)
    n = 30
    frame = pd.DataFrame(
        {
            "id": range(1, n + 1),
            "Role": np.array(ROLES)[rng.integers(0, 4, n)],
            "I feel supported": np.array(AGREE)[rng.integers(0, 5, n)],
            "Hours of training": rng.integers(0, 80, n),
            "Formats": [
                ", ".join(sorted(set(np.array(FORMATS)[rng.integers(0, 4, 2)]))) for _ in range(n)
            ],
        }
    )
    path = folder / "plain_export.xlsx"
    frame.to_excel(path, index=False)
    return path


def kobo_form(folder: Path) -> Path:
    """A KoboToolbox workbook of interviews: ``start`` and ``end`` times with their time zones
    that do not time the answering (a tenth end before they start, the rest saved hours later),
    ``_id``/``_uuid``/``_submission_time``, group-path names (``general_info.province``), a
    role, a number and an agreement rating with "Not applicable" chosen by some."""
    rng = _rng(7)
    n = 40
    start = pd.Timestamp("2024-03-01T09:00:00") + pd.to_timedelta(rng.integers(0, 900_000, n), "s")
    hours = rng.uniform(2.5, 30, n)
    hours[::10] = -rng.uniform(0.5, 4.5, len(hours[::10]))  # clock or time-zone trouble
    end = start + pd.to_timedelta(hours * 3600, "s")
    rating = np.array([*AGREE, "Not applicable"])[rng.integers(0, 6, n)]
    frame = pd.DataFrame(
        {
            "start": [f"{stamp.isoformat(timespec='milliseconds')}+04:30" for stamp in start],
            "end": [f"{stamp.isoformat(timespec='milliseconds')}+04:30" for stamp in end],
            "general_info.province": np.array(["Balkh", "Herat", "Kabul"])[rng.integers(0, 3, n)],
            "general_info.role": np.array(ROLES)[rng.integers(0, 4, n)],
            "household.members": rng.integers(1, 12, n),
            "services.satisfied": rating,
            "_id": range(9001, 9001 + n),
            "_uuid": [f"5f0c{i:04x}-aa1e-4c9e-9a1b-0c1d2e3f4a5b" for i in range(n)],
            "_submission_time": [stamp.isoformat() for stamp in end],
        }
    )
    path = folder / "kobo_export.xlsx"
    frame.to_excel(path, index=False)
    return path


# ---------------------------------------------------------------------------- SurveyMonkey
def surveymonkey_no_id(folder: Path) -> Path:
    """A SurveyMonkey export trimmed of its metadata columns (no Respondent ID): two header
    rows, ``Response`` under single-column questions, a multi-select spread over option
    columns, a matrix of agreement."""
    rng = _rng(6)
    statements = ["Content", "Trainer"]
    first = ["What is your role?", "Which formats do you like?", "", "", ""]
    first += ["How much do you agree?", ""]
    first += ["What would you like to learn next?"]
    second = ["Response", *FORMATS, *statements, "Open-Ended Response"]
    rows = []
    for number in range(25):
        row = [ROLES[number % 4]]
        row += [f if rng.random() < 0.5 else "" for f in FORMATS]
        row += [AGREE[int(rng.integers(0, 5))] for _ in statements]
        row.append("Grant writing" if number % 4 == 0 else "")
        rows.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(first)
    writer.writerow(second)
    writer.writerows(rows)
    path = folder / "surveymonkey_no_id.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


#: Every shape's builder by name.
SHAPES: dict[str, Callable[[Path], Path]] = {
    "qualtrics_matrices": qualtrics_matrices,
    "qualtrics_small": qualtrics_small,
    "limesurvey_arrays": limesurvey_arrays,
    "spss_sets": spss_sets,
    "pandas_csv": pandas_csv,
    "plain_xlsx": plain_xlsx,
    "kobo_form": kobo_form,
    "surveymonkey_no_id": surveymonkey_no_id,
}
