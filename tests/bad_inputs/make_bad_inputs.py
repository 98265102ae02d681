"""Write the hostile-input corpus: files a survey platform, a spreadsheet or a person can hand
the toolkit, each of which must end in a clear error or a run with the bad rows quarantined.

Run ``python tests/bad_inputs/make_bad_inputs.py [FOLDER]`` to (re)write the corpus (default:
this folder). The small files are committed; the large ones (``LARGE``) are written only when
the script runs, so the repository stays small. ``tests/test_bad_inputs.py`` writes the whole
corpus into a temporary folder, checks that the committed files are the same bytes, and runs
``survey run`` on every file.

Each case says what must happen: ``error`` (exit 1, one line naming the file and the problem,
no traceback, nothing written), ``ok`` (exit 0, every row analysed or quarantined) or
``either`` (one of the two, whichever the importers can do with it).
"""

from __future__ import annotations

import gzip
import io
import json
import random
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/: factories

from factories import columns, qualtrics_text, valid_response  # noqa: E402

from survey.codebook import Codebook, load_codebook  # noqa: E402

CODEBOOK = HERE.parents[1] / "data" / "raw" / "codebook.yaml"
ROWS = 60  # responses in a base export: enough to weight and report
QUOTED = 120  # enough for every group to reach the threshold a quote needs


@dataclass(frozen=True)
class Case:
    """One hostile input: its file, what must happen, and a phrase the error must contain."""

    name: str
    file: str
    expect: str  # "error", "ok" or "either"
    needle: str = ""  # in the error line (lower case)
    wave: str = "2024"  # the codebook wave it is run as (2024: Qualtrics, 2025: SurveyMonkey)
    large: bool = False  # written by the script, not committed


def _rows(book: Codebook, count: int = ROWS) -> list[dict[str, str]]:
    return [valid_response(book, number) for number in range(count)]


def _csv_text(book: Codebook, rows: list[dict[str, str]], names: list[str] | None = None) -> str:
    return qualtrics_text(names or columns(book), rows)


def _base(book: Codebook) -> str:
    return _csv_text(book, _rows(book))


def _with(book: Codebook, changes: dict[int, dict[str, str]], count: int = ROWS) -> str:
    rows = _rows(book, count)
    for number, change in changes.items():
        rows[number].update(change)
    return _csv_text(book, rows)


def _xlsx(book: Codebook, rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    names = columns(book)
    sheet.append(names)
    sheet.append(names)
    sheet.append([json.dumps({"ImportId": name}) for name in names])
    for row in rows:
        sheet.append([row.get(name, "") for name in names])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _deterministic_zip(data: bytes) -> bytes:
    """The workbook re-zipped with fixed timestamps, so the corpus is the same bytes each time."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # created/modified: the time of writing
                content = re.sub(
                    rb">\d{4}-\d\d-\d\dT[\d:.]+Z?<", b">2024-01-01T00:00:00Z<", content
                )
            target.writestr(info, content)
    return out.getvalue()


def _themed(count: int) -> dict[int, dict[str, str]]:
    """Comments on one theme from every respondent (a theme is quoted only when enough people
    raise it), longer than the hostile ones so that those are the quotes chosen."""
    text = (
        "I would like much more training about reconciliation and treaty relationships "
        "in our library"
    )
    return {number: {"learn_next": text} for number in range(count)}


def _mixed(book: Codebook) -> bytes:
    """Half the rows in UTF-8, half in Windows-1252 (two exports pasted together)."""
    text = _with(book, {number: {"comments": "Café réunion à Montréal"} for number in range(ROWS)})
    lines = text.splitlines(keepends=True)
    half = 3 + ROWS // 2
    return "".join(lines[:half]).encode("utf-8") + "".join(lines[half:]).encode("cp1252")


def _makers(book: Codebook) -> dict[str, Callable[[], bytes]]:
    rng = random.Random(20241122)
    base = _base(book)
    header_end = base.index("\n", base.index("\n", base.index("\n") + 1) + 1) + 1
    lines = base.splitlines(keepends=True)
    names = columns(book)
    workbook = _deterministic_zip(_xlsx(book, _rows(book)))
    return {
        "empty": lambda: b"",
        "header_only": lambda: base[:header_end].encode(),
        "binary_junk": lambda: bytes(rng.getrandbits(8) for _ in range(4096)),
        "truncated_xlsx": lambda: workbook[: len(workbook) // 2],
        "xlsx_renamed_csv": lambda: workbook,
        "wrong_delimiter": lambda: base.replace(",", ";").encode(),
        "duplicate_columns": lambda: _csv_text(
            book, _rows(book), [*names, "sector", "region"]
        ).encode(),
        "huge_cell": lambda: _with(book, {3: {"comments": "more training " * 80_000}}).encode(),
        "ten_thousand_columns": lambda: _csv_text(
            book, _rows(book), [*names, *(f"extra_{i}" for i in range(10_000))]
        ).encode(),
        "nul_bytes": lambda: base.replace("Yes", "Y\x00es", 5).encode(),
        "unterminated_quote": lambda: (base + '"R_open,never closed\n' + lines[-1]).encode(),
        "newlines_in_fields": lambda: _with(
            book, {number: {"comments": "line one\nline two\r\nline three"} for number in range(5)}
        ).encode(),
        "mixed_encodings": lambda: _mixed(book),
        "formula_cells": lambda: _with(
            book,
            _themed(QUOTED)
            | {
                number: {"learn_next": text, "comments": text}
                for number, text in enumerate(
                    [
                        '=HYPERLINK("http://evil.example","reconciliation training please")',
                        "+cmd|' /C calc'!A0 more webinars on reconciliation and treaties",
                        "@SUM(1+1) and mentoring about reconciliation in libraries",
                        "-2+3 workshops on reconciliation and cultural safety please",
                    ],
                    start=1,
                )
            },
            count=QUOTED,
        ).encode(),
        "html_and_script": lambda: _with(
            book,
            _themed(QUOTED)
            | {
                1: {"learn_next": "<script>alert('owned')</script> reconciliation training"},
                2: {"learn_next": '<img src=x onerror="alert(1)"> cultural safety workshops'},
            },
            count=QUOTED,
        ).encode(),
        "excel_mangled_bands": lambda: _with(
            book,
            {
                number: {"years_experience": value}
                for number, value in enumerate(["41310", "5-Feb", "43862", "2-5", "Feb-10"])
            },
        ).encode(),
        "codebook_mismatch": lambda: b"id,colour,score\n1,red,3\n2,blue,4\n",
        "wrong_layout_override": lambda: base.encode(),
        "utf16_without_bom": lambda: base.encode("utf-16-le"),
        "utf16_with_bom": lambda: base.encode("utf-16"),
        "only_metadata": lambda: _csv_text(book, _rows(book), names[:13]).encode(),
        "every_row_a_test": lambda: _with(
            book, {number: {"comments": "test response please ignore"} for number in range(ROWS)}
        ).encode(),
        "three_rows": lambda: _csv_text(book, _rows(book, 3)).encode(),
        "crlf_and_bom": lambda: b"\xef\xbb\xbf" + base.replace("\n", "\r\n").encode(),
        "trailing_commas": lambda: "".join(line.rstrip("\n") + ",\n" for line in lines).encode(),
        "blank_lines": lambda: "".join(
            line + ("\n\n" if number % 7 == 6 else "") for number, line in enumerate(lines)
        ).encode(),
        "ragged_rows": lambda: "".join(
            line.rstrip("\n") + (",x,y\n" if number % 5 == 4 else "\n")
            if number < 20
            else ",".join(line.rstrip("\n").split(",")[:-3]) + "\n"
            for number, line in enumerate(lines)
        ).encode(),
        "invalid_codes": lambda: _with(
            book, {1: {"sector": "Bakery"}, 2: {"region": "Atlantis"}, 3: {"role": "Wizard"}}
        ).encode(),
        "text_in_numbers": lambda: _with(
            book,
            {
                1: {"cpd_hours": "about 10"},
                2: {"cpd_hours": "1e309"},
                3: {"cpd_hours": "-5"},
                4: {"cpd_hours": "NaN"},
                5: {"Duration (in seconds)": "inf"},
            },
        ).encode(),
        "garbage_dates": lambda: _with(
            book, {1: {"StartDate": "yesterday"}, 2: {"EndDate": "31/02/2024 25:61:00"}}
        ).encode(),
        "gzip_named_csv": lambda: gzip.compress(base.encode(), mtime=0),
        "html_page": lambda: (
            b"<!DOCTYPE html><html><head><title>Survey results</title></head>"
            b"<body><table><tr><td>sector</td></tr></table></body></html>\n"
        ),
        "json_file": lambda: json.dumps([{"sector": "Public library"}] * 5).encode(),
        "one_long_line": lambda: ("x," * 2_000_000).encode(),
        "duplicate_ids": lambda: _with(
            book, {number: {"ResponseId": "R_same"} for number in range(ROWS)}
        ).encode(),
        "xlsx_with_formulas": lambda: _deterministic_zip(
            _xlsx(book, [{**row, "cpd_hours": "=1+1"} for row in _rows(book)])
        ),
    }


CASES = [
    Case("empty", "empty.csv", "error", "empty"),
    Case("header_only", "header_only.csv", "error", "no responses"),
    Case("binary_junk", "binary_junk.csv", "error"),
    Case("truncated_xlsx", "truncated.xlsx", "error", "xlsx"),
    Case("xlsx_renamed_csv", "workbook_named.csv", "either"),
    Case("wrong_delimiter", "semicolons.csv", "either"),
    Case("duplicate_columns", "duplicate_columns.csv", "either"),
    Case("huge_cell", "huge_cell.csv", "ok", large=True),
    Case("ten_thousand_columns", "ten_thousand_columns.csv", "ok", large=True),
    Case("nul_bytes", "nul_bytes.csv", "either"),
    Case("unterminated_quote", "unterminated_quote.csv", "either"),
    Case("newlines_in_fields", "newlines_in_fields.csv", "ok"),
    Case("mixed_encodings", "mixed_encodings.csv", "either"),
    Case("formula_cells", "formula_cells.csv", "ok"),
    Case("html_and_script", "html_and_script.csv", "ok"),
    Case("excel_mangled_bands", "excel_mangled_bands.csv", "ok"),
    Case("codebook_mismatch", "other_questionnaire.csv", "error"),
    Case("wrong_layout_override", "qualtrics_as_surveymonkey.csv", "error", wave="2025"),
    Case("utf16_without_bom", "utf16_no_bom.csv", "either"),
    Case("utf16_with_bom", "utf16_bom.csv", "either"),
    Case("only_metadata", "only_metadata.csv", "error", "missing"),
    Case("every_row_a_test", "every_row_a_test.csv", "error", "set aside"),
    Case("three_rows", "three_rows.csv", "error"),
    Case("crlf_and_bom", "crlf_and_bom.csv", "ok"),
    Case("trailing_commas", "trailing_commas.csv", "ok"),
    Case("blank_lines", "blank_lines.csv", "ok"),
    Case("ragged_rows", "ragged_rows.csv", "either"),
    Case("invalid_codes", "invalid_codes.csv", "ok"),
    Case("text_in_numbers", "text_in_numbers.csv", "ok"),
    Case("garbage_dates", "garbage_dates.csv", "ok"),
    Case("gzip_named_csv", "gzipped.csv", "error"),
    Case("html_page", "saved_web_page.csv", "error"),
    Case("json_file", "results.json.csv", "error"),
    Case("one_long_line", "one_long_line.csv", "error", large=True),
    Case("duplicate_ids", "duplicate_ids.csv", "either"),
    Case("xlsx_with_formulas", "formulas.xlsx", "either"),
]


def write_corpus(folder: Path, *, large: bool = True) -> list[Path]:
    """Write every case's file into ``folder`` (the large ones only with ``large``)."""
    book = load_codebook(CODEBOOK)
    makers = _makers(book)
    written = []
    for case in CASES:
        if case.large and not large:
            continue
        path = folder / case.file
        path.write_bytes(makers[case.name]())
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    paths = write_corpus(target, large=target != HERE)
    print(f"wrote {len(paths)} files into {target}")
