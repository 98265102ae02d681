"""Small exports built from the codebook, for tests: a valid complete response by default,
with any field overridden per row."""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import io
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from survey.codebook import Codebook, QuestionType, load_codebook
from survey.demo import write_demo
from survey.io import RawExport, read_export
from survey.report import ReportModel, ReportTables, build_report

ROOT = Path(__file__).resolve().parents[1]


def _load_corpus() -> ModuleType:
    """``corpus/corpus.py`` (a script beside the package, not a module of it) as ``real_corpus``."""
    spec = importlib.util.spec_from_file_location("real_corpus", ROOT / "corpus" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["real_corpus"] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


#: The real-export corpus's script: its index, its runs, where the shared samples are.
corpus = sys.modules.get("real_corpus") or _load_corpus()
#: The steering repository's real exports, read where that folder exists.
SAMPLES: Path = corpus.SAMPLES
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="the shared real-export samples are not on this machine"
)

#: The contract columns of DESIGN.md ("What a run writes"), as it writes them.
NEEDS_CONTRACT = [
    "wave", "topic", "by", "group", "n", "top2_importance", "mean_gap", "mwds", "rank",
]  # fmt: skip
TESTS_CONTRACT = [
    "wave", "question", "by", "test", "statistic", "df", "p", "p_adjusted", "effect_size",
    "effect_name",
]  # fmt: skip
TRENDS_CONTRACT = [
    "question", "option", "by", "group", "wave_from", "wave_to", "estimate_from", "estimate_to",
    "change", "p", "significant",
]  # fmt: skip

METADATA = [
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
]


def columns(codebook: Codebook) -> list[str]:
    """Qualtrics export tags of every codebook field (multi-selects joined in one column)."""
    names = [*METADATA, codebook.consent.column if codebook.consent else "consent"]
    for question in codebook.questions:
        if question.type is QuestionType.GRID:
            for item in question.items:
                names += question.grid_columns(item)
        else:
            names.append(question.id)
        if question.other:
            names.append(question.other)
    return names


def valid_response(codebook: Codebook, number: int) -> dict[str, Any]:
    """A complete, plausible response (labels as exported), different for each number."""
    row: dict[str, Any] = {
        "StartDate": f"2024-03-{1 + number % 27:02d} 10:00:00",
        "EndDate": f"2024-03-{1 + number % 27:02d} 10:15:00",
        "Status": "IP Address",
        "IPAddress": f"192.0.2.{number % 250}",
        "Progress": "100",
        "Duration (in seconds)": str(700 + number * 7 % 400),
        "Finished": "True",
        "RecordedDate": "2024-03-02 10:15:00",
        "ResponseId": f"R_test{number:05d}",
        "RecipientLastName": "",
        "RecipientFirstName": "",
        "RecipientEmail": "",
        "consent": "Yes",
    }
    for question in codebook.questions:
        if question.type is QuestionType.SINGLE:
            # every sector of the frame appears (raking needs them); other roles do not
            keep_other = question.id in codebook.frame
            choices = [o for o in question.options if keep_other or o.code != "other"]
            row[question.id] = choices[number % len(choices)].label
        elif question.type is QuestionType.LIKERT:
            scale = codebook.scales[question.scale or ""]
            row[question.id] = scale[1 + number % len(scale)]
        elif question.type is QuestionType.GRID:
            for item in question.items:
                scale = codebook.scales[item.scale]
                for offset, column in enumerate(question.grid_columns(item)):
                    row[column] = scale[1 + (number + offset) % len(scale)]
        elif question.type is QuestionType.NUMBER:
            row[question.id] = str(10 + number % 50)
        elif question.type is QuestionType.MULTI:
            row[question.id] = question.options[number % len(question.options)].label
        elif question.type is QuestionType.TEXT:
            row[question.id] = ""
        if question.other:
            chose_other = row.get(question.id) == "Other (please specify)"
            row[question.other] = "Archives consultant" if chose_other else ""
    return row


def write_qualtrics(
    codebook: Codebook, path: Path, rows: list[dict[str, Any]], *, encoding: str = "utf-8"
) -> Path:
    """Write rows as a three-header-row Qualtrics CSV (ids, text, ImportId)."""
    path.write_bytes(qualtrics_text(columns(codebook), rows).encode(encoding))
    return path


def qualtrics_text(
    names: list[str], rows: list[dict[str, Any]], *, lineterminator: str = "\n"
) -> str:
    """Rows as the text of a three-header-row Qualtrics CSV (ids, text, ImportId)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerow(names)
    writer.writerow(names)
    writer.writerow([json.dumps({"ImportId": name}) for name in names])
    for row in rows:
        writer.writerow([row.get(name, "") for name in names])
    return buffer.getvalue()


def export(codebook: Codebook, path: Path, count: int, **overrides: dict[str, Any]) -> Path:
    """``count`` valid responses, with ``overrides[f"r{i}"]`` applied to row i."""
    rows = []
    for number in range(count):
        row = valid_response(codebook, number)
        row.update(overrides.get(f"r{number}", {}))
        rows.append(row)
    return write_qualtrics(codebook, path, rows)


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """``rows`` as a CSV file's bytes: ``delimiter`` between cells, CRLF line ends, quoting
    where a cell needs it, in ``encoding``."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def write(folder: Path, name: str, data: bytes) -> Path:
    """``data`` written as ``folder/name``; returns the path."""
    path = folder / name
    path.write_bytes(data)
    return path


def csv_workbook(path: Path, text: str, *, numbers: bool = True) -> Path:
    """The CSV ``text`` saved as the first sheet of a workbook at ``path``, as a spreadsheet
    program imports it: blank cells empty and (with ``numbers``) whole numbers as numbers."""
    workbook = Workbook()
    for row in csv.reader(io.StringIO(text, newline="")):
        workbook.active.append(
            [int(cell) if numbers and cell.isdigit() else (cell or None) for cell in row]
        )
    workbook.save(path)
    return path


def run_demo_waves(folder: Path, *, reports: bool = True) -> Path:
    """The committed demo's three waves run together in ``folder`` (``reports/<wave>/`` and
    ``processed/``), each later wave with its history; ``reports=False`` writes the tables
    but not the workbook, page and deck. Returns ``folder``."""
    # late: the runtime starts worker processes; most test modules never need it
    from survey.runtime import run_waves

    book = load_codebook(ROOT / "data" / "raw" / "codebook.yaml")
    run_waves(
        book,
        book.waves,
        out_dirs=[folder / "reports" / wave.id for wave in book.waves],
        processed_dir=folder / "processed",
        jobs=2,
        reports=reports,
    )
    return folder


def demo_2024(folder: Path) -> RawExport:
    """The demo's 2024 wave (Qualtrics CSV) of 50 responses, written in ``folder`` and read."""
    write_demo(folder, n=50)
    return read_export(folder / "2024.csv")


def coded_columns(codebook: Codebook) -> set[str]:
    """The export columns of the codebook's closed questions (consent, single choice, Likert,
    grid cells): the ones an SPSS or R export holds as codes with value labels."""
    coded = {codebook.consent.column} if codebook.consent else set()
    for question in codebook.questions:
        if question.type is QuestionType.GRID:
            coded |= {column for item in question.items for column in question.grid_columns(item)}
        elif question.type in (QuestionType.SINGLE, QuestionType.LIKERT):
            coded.add(question.id)
    return coded


def survey(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``survey ARGS`` in a fresh process, as a user runs it (no inherited environment)."""
    return corpus.survey(
        *args, cwd=cwd, env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"}, timeout=300
    )


def one_error_line(completed: subprocess.CompletedProcess[str]) -> str:
    """The one ``error:`` line of a run that failed with exit 1 and no traceback."""
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, completed.stderr
    return lines[0]


#: Every page of the dashboard by its url path, in menu order: a contract (links, the tests,
#: ``bench.dashboard``), so written out here rather than read from ``dashboard.PAGES``.
PAGE_PATHS = [
    "overview",
    "needs",
    "compare",
    "barriers",
    "trends",
    "comments",
    "quality",
    "downloads",
    "upload",
]


def formula_cells(sheets: Iterable[Worksheet]) -> list[Cell]:
    """Every cell of ``sheets`` (a workbook, or some of its sheets) that holds a formula."""
    return [
        cell for ws in sheets for row in ws.iter_rows() for cell in row if cell.data_type == "f"
    ]


def trend_flags(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """A ``trend_flags`` table as the report tables hold it, from (question, wave_from,
    wave_to, reason) rows."""
    return pd.DataFrame(
        rows, columns=["question", "wave_from", "wave_to", "reason"], dtype="string"
    )


def model_of(tables: ReportTables, findings: pd.DataFrame | None = None) -> ReportModel:
    """The report model of ``tables``, with other headline ``findings`` if given (a test's
    own selection)."""
    model = build_report(tables)
    return model if findings is None else dataclasses.replace(model, findings=findings)
