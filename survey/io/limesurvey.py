"""LimeSurvey exports: CSV (or XLSX) with question-code headings (``Q1``, ``Q2[SQ001]``) or
full headings (``question text [subquestion]``), and the R export (a data CSV plus a syntax
file with codes, question text and value labels).

Question-code headings
    The first column is ``id``; ``submitdate``, ``lastpage``, ``startlanguage`` follow.
    Comma or semicolon separated. Columns keep their codes; ``Q2[SQ001]`` columns whose cells
    are ticks (``Y``, or blank) are the multi-select set ``Q2``; ``Q2[other]`` and comment
    columns stay text.
Full headings
    The first column is ``Response ID``; ``Date submitted``, ``Last page`` follow (LimeSurvey's
    English headings). ``question text [subquestion]`` (where several columns share the
    text) is named
    ``question text | subquestion``, as SurveyMonkey's sub-labels are, so that
    :func:`~survey.io.map_to_codebook` finds grid and multi-select columns by their text.
R export
    ``…_R_data_file.csv`` with ``…_R_syntax_file.R`` beside it (or ``name.csv`` with
    ``name.R``). The syntax file is read as text, never run: ``names(data)[i] <- "code"``
    names column *i*, ``attributes(data)$variable.labels[i] <- "text"`` gives its question
    text, ``data[, i] <- factor(data[, i], levels=c(...), labels=c(...))`` its value labels.
    Cells hold the labels; a value without a label (``-oth-`` for "Other") stays as
    exported. Columns after the last one the syntax file names (LimeSurvey's timings) keep
    the data file's headings.

Metadata columns are renamed to the toolkit's names (``id`` -> ``respondent_id``,
``startdate`` -> ``start_date``, ``datestamp`` (last action) -> ``end_date``, ``submitdate``
-> ``submit_date``, blank for an incomplete response; ``interviewtime`` / ``Total time`` ->
``duration_seconds``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from survey.codebook import Layout
from survey.errors import DataError
from survey.io.raw import SUBLABEL_SEPARATOR, RawExport
from survey.io.text import cell_text, decode, frame_of, read_table

__all__ = [
    "LIMESURVEY_CODE_METADATA",
    "LIMESURVEY_HEADING_METADATA",
    "LIMESURVEY_TICKS",
    "looks_like",
    "read",
    "syntax_file_of",
]

#: Metadata columns of a question-code export and the toolkit's names for them.
LIMESURVEY_CODE_METADATA = {
    "id": "respondent_id",
    "submitdate": "submit_date",
    "lastpage": "last_page",
    "startlanguage": "user_language",
    "seed": "seed",
    "startdate": "start_date",
    "datestamp": "end_date",
    "ipaddr": "ip_address",
    "refurl": "referrer_url",
    "token": "token",
    "interviewtime": "duration_seconds",
    "email": "email",
    "firstname": "first_name",
    "lastname": "last_name",
}

#: Metadata columns of a full-headings export (LimeSurvey's English headings).
LIMESURVEY_HEADING_METADATA = {
    "Response ID": "respondent_id",
    "Answer ID": "respondent_id",  # (LimeSurvey 5-6's English heading)
    "Date submitted": "submit_date",
    "Last page": "last_page",
    "Start language": "user_language",
    "Seed": "seed",
    "Date started": "start_date",
    "Date last action": "end_date",
    "IP address": "ip_address",
    "Referrer URL": "referrer_url",
    "Token": "token",
    "Access code": "token",
    "Total time": "duration_seconds",
    "Email address": "email",
    "First name": "first_name",
    "Last name": "last_name",
}

#: What a multi-select option's cell holds: ticked (``Y``, ``Yes``, ``1``) or, with
#: LimeSurvey's "convert N to" option, not ticked; blank is always "not ticked".
LIMESURVEY_TICKS = frozenset({"Y", "N", "Yes", "No", "Not selected", "1", "0"})

_CODE_SIGNATURE = {"submitdate", "lastpage", "startlanguage"}
_HEADING_SIGNATURE = {"Date submitted", "Last page", "Start language"}
_DATA_SUFFIX = "_R_data_file.csv"
_SYNTAX_SUFFIX = "_R_syntax_file.R"
_SUBQUESTION_CODE = re.compile(r"^(?P<code>[A-Za-z][A-Za-z0-9_]*)\[(?P<sub>[^\[\]]+)\]$")
_SUBQUESTION_TEXT = re.compile(r"^(?P<text>.*?\S)\s*\[(?P<sub>[^\[\]]+)\]$")
_NOT_OPTIONS = re.compile(r"(?i)^(other|.*comment)$")
_R_BARE = re.compile(r"[^,)\s]+")


def syntax_file_of(path: Path) -> Path | None:
    """The R syntax file that goes with an R data file, if the data file is named so.

    >>> syntax_file_of(Path("survey_998192_R_data_file.csv")).name
    'survey_998192_R_syntax_file.R'
    >>> syntax_file_of(Path("wave.csv")).name
    'wave.R'
    >>> syntax_file_of(Path("wave.xlsx")) is None
    True
    """
    if path.name.endswith(_DATA_SUFFIX):
        return path.with_name(path.name[: -len(_DATA_SUFFIX)] + _SYNTAX_SUFFIX)
    if path.suffix.lower() == ".csv":
        return path.with_suffix(".R")
    return None


def _data_file_of(syntax: Path) -> Path:
    if syntax.name.endswith(_SYNTAX_SUFFIX):
        return syntax.with_name(syntax.name[: -len(_SYNTAX_SUFFIX)] + _DATA_SUFFIX)
    return syntax.with_suffix(".csv")


def _is_r_export(path: Path) -> bool:
    syntax = syntax_file_of(path)
    return path.name.endswith(_SYNTAX_SUFFIX) or (syntax is not None and syntax.is_file())


def _header_kind(names: list[str]) -> str | None:
    """``"code"`` for question-code headings, ``"heading"`` for full headings, else ``None``."""
    present = set(names)
    codes, headings = len(present & _CODE_SIGNATURE), len(present & _HEADING_SIGNATURE)
    if codes and (names[0] == "id" or codes > 1):
        return "code"
    if headings and (names[0] in {"Response ID", "Answer ID"} or headings > 1):
        return "heading"
    subquestions = sum(1 for name in names if _SUBQUESTION_TEXT.match(name))
    if names and names[0] in {"Response ID", "Answer ID"} and subquestions >= 2:
        return "heading"  # an export of the answers only: the id, then `text [subquestion]`
    return None


def looks_like(path: Path, head: list[list[Any]]) -> bool:
    """Whether the file is a LimeSurvey export: question-code headings (``id`` first, with
    ``submitdate`` / ``lastpage`` / ``startlanguage``), full headings (``Response ID``,
    ``Date submitted`` ...), or an R data file with its syntax file beside it.

    >>> looks_like(Path("x.csv"), [["id", "submitdate", "lastpage", "Q1"]])
    True
    >>> looks_like(Path("x.csv"), [["respondent_id", "sector"]])
    False
    """
    if _is_r_export(path):
        return True
    names = [cell_text(cell) for cell in head[0]] if head and head[0] else []
    return _header_kind(names) is not None


def read(path: Path, encoding: str | None) -> RawExport:
    """Read a LimeSurvey export: CSV/XLSX with code or full headings, or the R export.

    Parameters
    ----------
    path
        The CSV or XLSX export; for the R export, the data CSV (or the syntax file).
    encoding
        The text encoding of the CSV and of the syntax file, used as
        :func:`~survey.io.text.read_table` does (a byte-order mark wins; ``None`` tries UTF-8,
        then Windows-1252).

    Raises
    ------
    DataError
        The file has no LimeSurvey headings or no responses; an R data file's syntax file is
        missing or cannot be read.
    """
    if path.name.endswith(_SYNTAX_SUFFIX):
        data = _data_file_of(path)
        if not data.is_file():
            raise DataError(f"{path}: the R data file {data.name} is not beside this syntax file")
        return _read_r(data, path, encoding)
    syntax = syntax_file_of(path)
    if syntax is not None and syntax.is_file():
        return _read_r(path, syntax, encoding)
    if syntax is not None and path.name.endswith(_DATA_SUFFIX):
        raise DataError(
            f"{path}: the R syntax file {syntax.name} is not beside it "
            "(it holds the question codes and value labels; export both files)"
        )
    rows, used, headings = _rows(path, encoding)
    kind = _header_kind(headings)
    if kind is None:
        first = headings[0] if headings else ""
        raise DataError(
            f"{path}: not a LimeSurvey export (the first heading is {first!r}; expected 'id' "
            "with question codes, or 'Response ID' with full headings)"
        )
    if kind == "code":
        return _read_codes(path, headings, rows[1:], used)
    return _read_headings(path, headings, rows[1:], used)


def _read_codes(
    path: Path, headings: list[str], rows: list[list[Any]], encoding: str | None
) -> RawExport:
    names = [LIMESURVEY_CODE_METADATA.get(name, name) for name in headings]
    frame = frame_of(path, names, rows)
    columns = list(frame.columns)  # an unnamed, empty last column is dropped
    headings = headings[: len(columns)]
    groups: dict[str, list[str]] = {}
    for column, heading in zip(columns, headings, strict=True):
        match = _SUBQUESTION_CODE.match(heading)
        if match and not _NOT_OPTIONS.match(match["sub"]):
            groups.setdefault(match["code"], []).append(column)
    return RawExport(
        frame,
        path,
        Layout.LIMESURVEY,
        multi_sets=_tick_sets(frame, groups),
        encoding=encoding,
    )


def _read_headings(
    path: Path, headings: list[str], rows: list[list[Any]], encoding: str | None
) -> RawExport:
    split: list[tuple[str, str] | None] = []
    for heading in headings:
        match = _SUBQUESTION_TEXT.match(heading)
        split.append((match["text"], match["sub"]) if match else None)
    texts = Counter(part[0] for part in split if part is not None)
    whole = set(headings)
    names: list[str] = []
    question_texts: list[str] = []
    groups: dict[str, list[int]] = {}
    for position, (heading, part) in enumerate(zip(headings, split, strict=True)):
        if heading in LIMESURVEY_HEADING_METADATA:
            names.append(LIMESURVEY_HEADING_METADATA[heading])
            question_texts.append(heading)
        elif part is not None and (texts[part[0]] > 1 or part[0] in whole):
            text, sub = part
            names.append(f"{text}{SUBLABEL_SEPARATOR}{sub}")
            question_texts.append(text)
            if not _NOT_OPTIONS.match(sub):
                groups.setdefault(text, []).append(position)
        else:
            names.append(heading)
            question_texts.append(heading)
    frame = frame_of(path, names, rows)
    columns = list(frame.columns)  # an unnamed, empty last column is dropped
    question_text = {
        column: text for column, text in zip(columns, question_texts, strict=False) if text
    }
    member_columns = {
        text: [columns[position] for position in positions if position < len(columns)]
        for text, positions in groups.items()
    }
    return RawExport(
        frame,
        path,
        Layout.LIMESURVEY,
        question_text=question_text,
        multi_sets=_tick_sets(frame, member_columns),
        encoding=encoding,
    )


def _tick_sets(frame: pd.DataFrame, groups: dict[str, list[str]]) -> dict[str, list[str]]:
    """The groups whose cells are all ticks or blank, with at least one tick."""
    sets: dict[str, list[str]] = {}
    for name, members in groups.items():
        values = {cell_text(value) for column in members for value in frame[column].dropna()}
        values.discard("")
        if values and values <= LIMESURVEY_TICKS:
            sets[name] = members
    return sets


# --- the R export -------------------------------------------------------------------------


@dataclass
class _Syntax:
    """What an R syntax file says about the data file's columns (1-based positions)."""

    names: dict[int, str] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)
    factors: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)


_R_NAME = re.compile(r'^names\(data\)\[(?P<position>\d+)\]\s*<-\s*(?P<value>".*)$')
_R_LABEL = re.compile(
    r'^attributes\(data\)\$variable\.labels\[(?P<position>\d+)\]\s*<-\s*(?P<value>".*)$'
)
_R_FACTOR = re.compile(
    r"^data\[,\s*(?P<position>\d+)\]\s*<-\s*factor\(data\[,\s*(?P=position)\],\s*(?P<rest>.*)$"
)
_R_FACTOR_ARGUMENT = re.compile(r"\s*,?\s*(?P<key>levels|labels)\s*=\s*c\(")
_R_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}


def _r_string(text: str, start: int) -> tuple[str, int]:
    """The R string literal starting at ``text[start]`` (a ``"``), and the index after it."""
    characters: list[str] = []
    position = start + 1
    while position < len(text):
        character = text[position]
        if character == "\\" and position + 1 < len(text):
            escaped = text[position + 1]
            characters.append(_R_ESCAPES.get(escaped, escaped))
            position += 2
        elif character == '"':
            return "".join(characters), position + 1
        else:
            characters.append(character)
            position += 1
    raise ValueError("unterminated string")


def _r_whole_string(text: str) -> str:
    value, end = _r_string(text, 0)
    if text[end:].strip():
        raise ValueError("text after the string")
    return value


def _r_vector(text: str, start: int) -> tuple[list[str], int]:
    """The items of ``c(...)`` whose ``(`` is at ``text[start]``, and the index after ``)``."""
    items: list[str] = []
    position = start + 1
    while position < len(text):
        character = text[position]
        if character in " ,":
            position += 1
        elif character == ")":
            return items, position + 1
        elif character == '"':
            value, position = _r_string(text, position)
            items.append(value)
        else:
            match = _R_BARE.match(text, position)
            if match is None:
                break
            items.append(match.group())
            position = match.end()
    raise ValueError("unclosed c(")


def _r_factor(rest: str) -> tuple[list[str], list[str]]:
    """``levels=c(...), labels=c(...))`` -> (levels, labels)."""
    vectors: dict[str, list[str]] = {}
    position = 0
    while (match := _R_FACTOR_ARGUMENT.match(rest, position)) is not None:
        vectors[match["key"]], position = _r_vector(rest, match.end() - 1)
    if set(vectors) != {"levels", "labels"} or not re.fullmatch(
        r"\s*(,[^)]*)?\)\s*", rest[position:]
    ):
        raise ValueError("expected factor(data[, i], levels=c(...), labels=c(...))")
    levels, labels = vectors["levels"], vectors["labels"]
    if len(levels) != len(labels):
        raise ValueError(f"{len(levels)} levels but {len(labels)} labels")
    return levels, labels


def _read_syntax(syntax: Path, encoding: str | None) -> _Syntax:
    parsed = _Syntax()
    for number, line in enumerate(decode(syntax, encoding).splitlines(), start=1):
        line = line.strip()
        try:
            if line.startswith("names(data)["):
                match = _R_NAME.match(line)
                if match is None:
                    raise ValueError('expected names(data)[i] <- "code"')
                parsed.names[int(match["position"])] = _r_whole_string(match["value"])
            elif line.startswith("attributes(data)$variable.labels["):
                match = _R_LABEL.match(line)
                if match is None:
                    raise ValueError('expected attributes(data)$variable.labels[i] <- "text"')
                parsed.labels[int(match["position"])] = _r_whole_string(match["value"])
            elif line.startswith("data[") and "factor(" in line:
                match = _R_FACTOR.match(line)
                if match is None:
                    raise ValueError(
                        "expected data[, i] <- factor(data[, i], levels=..., labels=...)"
                    )
                parsed.factors[int(match["position"])] = _r_factor(match["rest"])
        except ValueError as error:
            raise DataError(f"{syntax}: line {number} cannot be read ({error})") from None
    if not parsed.names:
        raise DataError(
            f'{syntax}: not a LimeSurvey R syntax file (no names(data)[i] <- "code" lines)'
        )
    return parsed


def _labelled(value: Any, labels: dict[str, str], numeric: dict[float, str]) -> Any:
    text = cell_text(value)
    if text in labels:
        return labels[text]
    if numeric and text:
        try:
            return numeric.get(float(text), value)
        except ValueError:
            return value
    return value


def _numeric_levels(levels: Iterable[str], labels: Iterable[str]) -> dict[float, str]:
    try:
        return {float(level): label for level, label in zip(levels, labels, strict=True)}
    except ValueError:
        return {}


def _rows(path: Path, encoding: str | None) -> tuple[list[list[Any]], str | None, list[str]]:
    """The export's rows, the encoding they were read in, and the first row as text (an
    empty file is a :class:`DataError`)."""
    table = read_table(path, encoding)
    if not table.rows:
        raise DataError(f"{path}: the file is empty; export the responses again")
    return table.rows, table.encoding, [cell_text(cell) for cell in table.rows[0]]


def _read_r(data: Path, syntax: Path, encoding: str | None) -> RawExport:
    parsed = _read_syntax(syntax, encoding)
    rows, used, headings = _rows(data, encoding)
    width = len(headings)
    beyond = max([*parsed.names, *parsed.labels, *parsed.factors])
    if beyond > width:
        raise DataError(
            f"{syntax}: describes column {beyond} but {data.name} has only {width} columns; "
            "export the data and syntax files together"
        )
    names: list[str] = []
    for position, heading in enumerate(headings, start=1):
        code = parsed.names.get(position)
        if code is not None:
            names.append(LIMESURVEY_CODE_METADATA.get(code, code))
        else:
            names.append(
                LIMESURVEY_HEADING_METADATA.get(
                    heading, LIMESURVEY_CODE_METADATA.get(heading, heading)
                )
            )
    converters: dict[int, tuple[dict[str, str], dict[float, str]]] = {}
    for position, (levels, labels) in parsed.factors.items():
        converters[position - 1] = (
            dict(zip(levels, labels, strict=True)),
            _numeric_levels(levels, labels),
        )
    body = []
    for row in rows[1:]:
        cells = [None if cell == '""' else cell for cell in row]
        for index, (labels_of, numeric) in converters.items():
            if index < len(cells) and cells[index] is not None:
                cells[index] = _labelled(cells[index], labels_of, numeric)
        body.append(cells)
    frame = frame_of(data, names, body)
    columns = list(frame.columns)  # an unnamed, empty last column is dropped
    texts = [parsed.labels.get(number, heading) for number, heading in enumerate(headings, 1)]
    question_text = {column: text for column, text in zip(columns, texts, strict=False) if text}
    value_labels = {
        columns[position - 1]: dict(zip(levels, labels, strict=True))
        for position, (levels, labels) in sorted(parsed.factors.items())
        if position <= len(columns)
    }
    return RawExport(
        frame,
        data,
        Layout.LIMESURVEY,
        question_text=question_text,
        value_labels=value_labels,
        multi_sets=_r_multi_sets(parsed, columns),
        encoding=used,
    )


_LEADING_SUB = re.compile(r"^\[(?P<sub>[^\]]*)\]\s*(?P<text>.*)$", re.DOTALL)


def _r_multi_sets(parsed: _Syntax, columns: list[str]) -> dict[str, list[str]]:
    """Multi-selects of an R export: columns coded ``1``/``0`` whose labels read
    ``[option] question``, grouped by question; named by the codes' common stem
    (``education_primary``, ``education_secondary`` -> ``education``)."""
    groups: dict[str, list[int]] = {}
    for position, (levels, _) in parsed.factors.items():
        match = _LEADING_SUB.match(parsed.labels.get(position, ""))
        if match and sorted(levels) == ["0", "1"] and not _NOT_OPTIONS.match(match["sub"]):
            groups.setdefault(match["text"], []).append(position)
    sets: dict[str, list[str]] = {}
    for text, positions in groups.items():
        members = [
            columns[position - 1] for position in sorted(positions) if position <= len(columns)
        ]
        stem = _stem([parsed.names.get(position, "") for position in sorted(positions)])
        if members:
            sets[stem or text] = members
    return sets


def _stem(codes: list[str]) -> str:
    """The ``_``-separated parts the codes share before their own last part.

    >>> _stem(["education_primary", "education_secondary"]), _stem(["Q2_SQ001"]), _stem(["q2"])
    ('education', 'Q2', '')
    """
    shared: list[str] | None = None
    for code in codes:
        parts = code.split("_")[:-1]
        if shared is None:
            shared = parts
        else:
            length = 0
            while length < min(len(shared), len(parts)) and shared[length] == parts[length]:
                length += 1
            shared = shared[:length]
    return "_".join(shared or [])
