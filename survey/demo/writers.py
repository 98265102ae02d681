"""The export writers: a demo wave rendered in its survey platform's layout, and written.

Each layout the demo can write (a wave's ``layout`` in the codebook) turns a
:class:`~survey.demo.wave.Wave` into columns (``_Column``: header cells and values, labels
taken from the codebook) and writes them:

- ``qualtrics``: three header rows (export tag, question text, ``{"ImportId": ...}``), the
  platform's metadata first, one column per grid topic, multi-selects as chosen labels joined
  by ``,``, a few rows of grid ratings as digits; written as CSV (comma, minimal quoting, CRLF)
  in the wave's encoding;
- ``surveymonkey``: two header rows (question, then option or ``Response``), one column per
  option of a multi-select, no progress or duration; written as a one-sheet XLSX workbook with
  fixed document properties, so that the same data gives the same bytes.

Dates are written in the wave's first date format, a few rows in its second. Every row carries
:data:`DEMO_MARKER`. :func:`wave_writer` picks the writer of the wave's layout (``_WRITERS``).

To add an export layout: write its ``_<layout>_columns`` and a writer that returns a function of
the path, and register the writer in ``_WRITERS``. The layout's respondent ids and row order are
chosen in :func:`survey.demo.wave.make_wave`; mess only some layouts have (partial responses,
grid digits) is planted in :func:`survey.demo.mess.plant_mess`.
"""

from __future__ import annotations

import csv
import json
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import xlsxwriter

from survey.demo.answers import Responses
from survey.demo.arrays import Bools, Strings, constant_text, int_text, text_array
from survey.demo.instrument import Instrument, WaveSpec
from survey.demo.wave import Wave

__all__ = ["DEMO_MARKER", "wave_writer"]


#: Written on every synthetic row (Qualtrics ``ExternalReference``, SurveyMonkey
#: ``Custom Data 1``) so that nobody mistakes the demo files for real responses.
DEMO_MARKER = "SYNTHETIC-DEMO"

#: A ``strftime`` directive or a run of literal text.
_DATE_TOKEN = re.compile(r"%.|[^%]+")


def _format_dates(times: npt.NDArray[np.datetime64], date_format: str) -> Strings:
    """``strftime`` for the directives exports use (%Y %m %d %H %I %M %S %p), vectorised:
    the ISO text of each time is cut into characters and reassembled in the wanted order."""
    size = len(times)
    seconds = times.astype("datetime64[s]")
    characters = np.ascontiguousarray(np.datetime_as_string(seconds, unit="s").astype("<U19"))
    grid = characters.view("<U1").reshape(size, 19)
    hour = (seconds.astype("datetime64[h]").astype(np.int64) % 24).astype(np.int64)
    twelve = np.array([f"{(h + 11) % 12 + 1:02d}" for h in range(24)], dtype="<U2")[hour]
    meridiem = np.where(hour < 12, "AM", "PM").astype("<U2")
    slices = {
        "%Y": (0, 4),
        "%m": (5, 7),
        "%d": (8, 10),
        "%H": (11, 13),
        "%M": (14, 16),
        "%S": (17, 19),
    }
    blocks: list[npt.NDArray[np.str_]] = []
    for token in _DATE_TOKEN.findall(date_format):
        if token in slices:
            first, last = slices[token]
            blocks.append(grid[:, first:last])
        elif token == "%I":
            blocks.append(np.ascontiguousarray(twelve).view("<U1").reshape(size, 2))
        elif token == "%p":
            blocks.append(np.ascontiguousarray(meridiem).view("<U1").reshape(size, 2))
        elif token.startswith("%") and token != "%%":
            raise ValueError(f"date format directive {token} is not supported by the demo")
        else:
            literal = "%" if token == "%%" else token
            blocks.append(
                np.broadcast_to(np.array(list(literal), dtype="<U1"), (size, len(literal)))
            )
    joined = np.ascontiguousarray(np.concatenate(blocks, axis=1))
    result: Strings = joined.view(f"<U{joined.shape[1]}").ravel().astype(object)
    return result


def _dates(responses: Responses, spec: WaveSpec, times: npt.NDArray[np.datetime64]) -> Strings:
    """Each time in the wave's first date format, or in its second for the rows exported so."""
    result = _format_dates(times, spec.date_formats[0])
    if len(spec.date_formats) > 1:
        rows = np.flatnonzero(responses.alternative_date)
        result[rows] = _format_dates(times[rows], spec.date_formats[1])
    return result


@dataclass(frozen=True)
class _Column:
    """One exported column: its header cells and its values (``""`` is an empty cell)."""

    headers: tuple[str, ...]
    values: Strings
    numeric: bool = False


def _joined_multi(ticks: Bools, labels: Sequence[str]) -> Strings:
    """A multi-select as Qualtrics writes it: chosen labels joined by "," (blank if none)."""
    bits = (ticks.astype(np.int64) << np.arange(ticks.shape[1], dtype=np.int64)).sum(axis=1)
    combinations, inverse = np.unique(bits, return_inverse=True)
    texts = text_array(
        [
            ",".join(label for j, label in enumerate(labels) if combination >> j & 1)
            for combination in combinations.tolist()
        ]
    )
    result: Strings = texts[inverse.ravel()]
    return result


def _qualtrics_columns(instrument: Instrument, wave: Wave) -> list[_Column]:
    """The wave's columns in the Qualtrics layout: metadata, then the questions in order."""
    responses, spec = wave.responses, wave.spec
    size = responses.rows
    end = responses.start + responses.duration.astype("timedelta64[s]")
    start_text, end_text = _dates(responses, spec, responses.start), _dates(responses, spec, end)
    metadata: list[tuple[str, str, str, Strings]] = [
        ("StartDate", "Start Date", "startDate", start_text),
        ("EndDate", "End Date", "endDate", end_text),
        ("Status", "Response Type", "status", constant_text("IP Address", size)),
        ("IPAddress", "IP Address", "ipAddress", responses.ip_address),
        ("Progress", "Progress", "progress", int_text(responses.progress)),
        (
            "Duration (in seconds)",
            "Duration (in seconds)",
            "duration",
            int_text(responses.duration),
        ),
        (
            "Finished",
            "Finished",
            "finished",
            text_array(("False", "True"))[responses.finished.astype(np.int64)],
        ),
        ("RecordedDate", "Recorded Date", "recordedDate", end_text),
        ("ResponseId", "Response ID", "_recordId", wave.ids),
        ("RecipientLastName", "Recipient Last Name", "recipientLastName", responses.last_name),
        ("RecipientFirstName", "Recipient First Name", "recipientFirstName", responses.first_name),
        ("RecipientEmail", "Recipient Email", "recipientEmail", responses.email),
        (
            "ExternalReference",
            "External Data Reference",
            "externalDataReference",
            constant_text(DEMO_MARKER, size),
        ),
        ("LocationLatitude", "Location Latitude", "locationLatitude", responses.latitude),
        ("LocationLongitude", "Location Longitude", "locationLongitude", responses.longitude),
        (
            "DistributionChannel",
            "Distribution Channel",
            "distributionChannel",
            constant_text("anonymous", size),
        ),
        ("UserLanguage", "User Language", "userLanguage", constant_text("EN", size)),
    ]
    columns = [
        _Column((name, text, _import_id(tag)), values) for name, text, tag, values in metadata
    ]
    columns.append(
        _Column(
            ("consent", instrument.consent_text, _import_id("QID2")), responses.answers["consent"]
        )
    )
    digits = _digit_map(instrument)
    number = 2
    for question in instrument.questions:
        number += 1
        qid = f"QID{number}"
        if question.type == "grid":
            for item_position, item in enumerate(instrument.grid_items):
                if item_position:
                    number += 1
                    qid = f"QID{number}"
                for k, (topic, label) in enumerate(
                    zip(instrument.topics, instrument.topic_labels, strict=True), 1
                ):
                    values = responses.answers[f"{item.prefix}_{topic}"].copy()
                    rows = np.flatnonzero(responses.grid_digits)
                    values[rows] = [digits.get(str(v), str(v)) for v in values[rows]]
                    columns.append(
                        _Column(
                            (
                                f"{item.prefix}_{topic}",
                                f"{item.text} - {label}",
                                _import_id(f"{qid}_{k}"),
                            ),
                            values,
                        )
                    )
        elif question.type == "multi":
            columns.append(
                _Column(
                    (question.id, f"{question.text} - Selected Choice", _import_id(qid)),
                    _joined_multi(responses.multi[question.id], question.labels),
                )
            )
        elif question.type == "single":
            columns.append(
                _Column(
                    (question.id, f"{question.text} - Selected Choice", _import_id(qid)),
                    responses.answers[question.id],
                )
            )
        elif question.type in ("number", "text"):
            columns.append(
                _Column(
                    (question.id, question.text, _import_id(f"{qid}_TEXT")),
                    responses.answers[question.id],
                )
            )
        else:
            columns.append(
                _Column(
                    (question.id, question.text, _import_id(qid)), responses.answers[question.id]
                )
            )
        if question.other:
            position = question.other_position
            columns.append(
                _Column(
                    (
                        question.other,
                        f"{question.text} - {question.labels[position]} - Text",
                        _import_id(f"{qid}_{position + 1}_TEXT"),
                    ),
                    responses.answers[question.other],
                )
            )
    return columns


def _import_id(tag: str) -> str:
    """The third Qualtrics header cell: ``{"ImportId":"QID3"}``."""
    return json.dumps({"ImportId": tag}, separators=(",", ":"))


def _digit_map(instrument: Instrument) -> dict[str, str]:
    """Grid labels to their codes as digits, for the rows whose ratings are exported so."""
    result: dict[str, str] = {}
    for item in instrument.grid_items:
        for code, label in instrument.scales[item.scale].items():
            result[label] = str(code)
    return result


def _surveymonkey_columns(instrument: Instrument, wave: Wave) -> list[_Column]:
    """The wave's columns in the SurveyMonkey layout: metadata, then one column per answer or
    option, the question text over the first option only."""
    responses, spec = wave.responses, wave.spec
    size = responses.rows
    end = responses.start + responses.duration.astype("timedelta64[s]")
    collectors = np.array([431_000_000, 431_000_000], dtype=np.int64)
    collectors += np.array([int(zlib.crc32(spec.id.encode()) % 900_000), 912_345], dtype=np.int64)
    columns = [
        _Column(("Respondent ID", ""), wave.ids, numeric=True),
        _Column(
            ("Collector ID", ""),
            int_text(collectors[responses.collector]),
            numeric=True,
        ),
        _Column(("Start Date", ""), _dates(responses, spec, responses.start)),
        _Column(("End Date", ""), _dates(responses, spec, end)),
        _Column(("IP Address", ""), responses.ip_address),
        _Column(("Email Address", ""), responses.email),
        _Column(("First Name", ""), responses.first_name),
        _Column(("Last Name", ""), responses.last_name),
        _Column(("Custom Data 1", ""), constant_text(DEMO_MARKER, size)),
        _Column((instrument.consent_text, "Response"), responses.answers["consent"]),
    ]
    for question in instrument.questions:
        if question.type == "grid":
            for item in instrument.grid_items:
                for k, (topic, label) in enumerate(
                    zip(instrument.topics, instrument.topic_labels, strict=True)
                ):
                    columns.append(
                        _Column(
                            (item.text if k == 0 else "", label),
                            responses.answers[f"{item.prefix}_{topic}"],
                        )
                    )
        elif question.type == "multi":
            ticks = responses.multi[question.id]
            for k, label in enumerate(question.labels):
                values = constant_text("", size)
                values[ticks[:, k]] = label
                columns.append(_Column((question.text if k == 0 else "", label), values))
        elif question.type in ("number", "text"):
            columns.append(
                _Column((question.text, "Open-Ended Response"), responses.answers[question.id])
            )
        else:
            columns.append(_Column((question.text, "Response"), responses.answers[question.id]))
        if question.other:
            columns.append(
                _Column(
                    ("", question.labels[question.other_position]),
                    responses.answers[question.other],
                )
            )
    return columns


def _write_csv(path: Path, columns: Sequence[_Column], header_rows: int, encoding: str) -> None:
    """A table as CSV the way Qualtrics writes it: comma, minimal quoting, CRLF."""
    headers = [[column.headers[k] for column in columns] for k in range(header_rows)]
    body = pd.DataFrame({position: column.values for position, column in enumerate(columns)})
    with path.open("w", encoding=encoding, newline="") as stream:
        csv.writer(stream, lineterminator="\r\n").writerows(headers)
        body.to_csv(stream, header=False, index=False, lineterminator="\r\n", chunksize=50_000)


def _write_xlsx(
    path: Path, columns: Sequence[_Column], *, title: str, description: str, created: datetime
) -> None:
    """A one-sheet workbook as SurveyMonkey writes it (XlsxWriter; fixed document properties,
    so the same data gives the same bytes)."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,  # rows are streamed to disk in order
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties(
        {
            "title": title,
            "comments": description,
            "author": "survey demo (synthetic)",
            "created": created,
        }
    )
    sheet = workbook.add_worksheet("Sheet")
    header_count = len(columns[0].headers)
    for k in range(header_count):
        sheet.write_row(k, 0, [column.headers[k] for column in columns])
    numeric = [column.numeric for column in columns]
    for row, values in enumerate(zip(*(column.values for column in columns), strict=True)):
        for position, value in enumerate(values):
            if value == "":
                continue
            if numeric[position]:
                sheet.write_number(header_count + row, position, float(value))
            else:
                sheet.write_string(header_count + row, position, value)
    workbook.close()


def _qualtrics_writer(instrument: Instrument, wave: Wave) -> Callable[[Path], None]:
    """The wave as a Qualtrics CSV: three header rows, in the wave's encoding."""
    columns = _qualtrics_columns(instrument, wave)
    return partial(_write_csv, columns=columns, header_rows=3, encoding=wave.spec.encoding)


def _surveymonkey_writer(instrument: Instrument, wave: Wave) -> Callable[[Path], None]:
    """The wave as a SurveyMonkey workbook, its document properties fixed by the wave."""
    spec = wave.spec
    return partial(
        _write_xlsx,
        columns=_surveymonkey_columns(instrument, wave),
        title=f"SYNTHETIC demo data: {instrument.title} {spec.id}",
        description="Synthetic demo export written by survey.demo (SurveyMonkey layout). "
        f"No real person answered it; every row is marked {DEMO_MARKER}.",
        created=datetime(int(spec.id) if spec.id.isdigit() else 2025, 5, 1),
    )


#: The writer of each layout the demo can write: it renders the wave and returns the function
#: that writes the file to a path (:func:`survey.writing.atomic_write` gives it a temporary one).
_WRITERS: dict[str, Callable[[Instrument, Wave], Callable[[Path], None]]] = {
    "qualtrics": _qualtrics_writer,
    "surveymonkey": _surveymonkey_writer,
}


def wave_writer(instrument: Instrument, wave: Wave) -> Callable[[Path], None]:
    """The function that writes ``wave`` in its platform's layout to the path it is given.

    Parameters
    ----------
    instrument
        The codebook, for question texts and labels.
    wave
        A wave made by :func:`survey.demo.wave.make_wave`.

    Returns
    -------
    Callable[[Path], None]
        Writes the export to a path; for :func:`survey.writing.atomic_write`.

    Raises
    ------
    ValueError
        If the demo cannot write the wave's layout.
    """
    layout = wave.spec.layout
    if layout not in _WRITERS:
        raise ValueError(f"wave {wave.spec.id}: the demo cannot write layout {layout!r}")
    return _WRITERS[layout](instrument, wave)
