"""Qualtrics exports, CSV (comma or tab, UTF-8 or UTF-16) or XLSX.

Two layouts:

- current: three header rows, export tags (``StartDate``, ``Q1``, ``Q2_1``), question text,
  and ``{"ImportId": ...}`` (written with single quotes by some tools);
- legacy: two header rows, ids (``V1`` ... ``V10`` for metadata, then export tags) and labels
  (``ResponseID``, ``StartDate`` ..., then question text).

Metadata columns are renamed to the toolkit's names; multi-select questions exported one column
per choice (``{"ImportId": "QID2", "choiceId": "1"}``) are recorded in
:attr:`~survey.io.raw.RawExport.multi_sets` under their export tag.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from survey.codebook import Layout
from survey.errors import DataError
from survey.io.raw import RawExport
from survey.io.text import cell_or_none, cell_text, frame_of, read_table

__all__ = ["QUALTRICS_LEGACY_METADATA", "QUALTRICS_METADATA", "looks_like", "read"]

#: Qualtrics metadata column ids and the toolkit's names for them.
QUALTRICS_METADATA = {
    "StartDate": "start_date",
    "EndDate": "end_date",
    "Status": "status",
    "IPAddress": "ip_address",
    "Progress": "progress",
    "Duration (in seconds)": "duration_seconds",
    "Finished": "finished",
    "RecordedDate": "recorded_date",
    "ResponseId": "respondent_id",
    "ResponseID": "respondent_id",
    "ResponseSet": "response_set",
    "RecipientLastName": "last_name",
    "RecipientFirstName": "first_name",
    "RecipientEmail": "email",
    "ExternalReference": "external_reference",
    "ExternalDataReference": "external_reference",
    "LocationLatitude": "location_latitude",
    "LocationLongitude": "location_longitude",
    "LocationAccuracy": "location_accuracy",
    "DistributionChannel": "distribution_channel",
    "UserLanguage": "user_language",
}

#: The legacy layout's labels of its ``V1`` ... columns and the toolkit's names for them.
QUALTRICS_LEGACY_METADATA = {
    **QUALTRICS_METADATA,
    "ResponseID": "respondent_id",
    "ResponseSet": "response_set",
    "Name": "recipient_name",
    "ExternalDataReference": "external_reference",
    "EmailAddress": "email",
    "IPAddress": "ip_address",
    "Status": "status",
    "StartDate": "start_date",
    "EndDate": "end_date",
    "Finished": "finished",
}

_LEGACY_ID = re.compile(r"V\d+")
#: A ``"key": "value"`` (or ``'key': 'value'``, or ``"key": 1``) pair of an ImportId cell.
_PAIR = re.compile(r"""(["'])(\w+)\1\s*:\s*(?:(["'])(.*?)\3|([^,}\s]+))""")
#: ImportId cells longer than this are not read (a Qualtrics one is a few dozen characters).
_IMPORT_ID_CHARS = 1000


def _is_current(head: list[list[Any]]) -> bool:
    return len(head) >= 3 and any("ImportId" in cell_text(cell) for cell in head[2][:5])


def _is_legacy(head: list[list[Any]]) -> bool:
    return (
        len(head) >= 2
        and bool(head[0])
        and cell_text(head[0][0]) == "V1"
        and "ResponseID" in {cell_text(cell) for cell in head[1][:10]}
    )


def looks_like(path: Path, head: list[list[Any]]) -> bool:
    """Whether an export's first rows are Qualtrics': the third holds ``ImportId``, or (the
    legacy layout) the first starts with ``V1`` and the second names ``ResponseID``."""
    return _is_current(head) or _is_legacy(head)


def _import_fields(cell: Any) -> dict[str, str]:
    """The fields of an ImportId cell: ``{"ImportId":"QID2","choiceId":"1"}`` or the
    single-quoted ``{'ImportId': 'QID2-1'}``."""
    text = cell_text(cell)
    if len(text) > _IMPORT_ID_CHARS or "ImportId" not in text:
        return {}
    return {
        match.group(2): match.group(4) if match.group(3) else match.group(5)
        for match in _PAIR.finditer(text)
    }


def _set_name(tags: list[str], choices: list[str], import_id: str) -> str:
    """A multi-select's name: its export tag (``Q2`` for ``Q2_1``, ``Q2_2`` ...)."""
    prefixes = {tag.removesuffix(f"_{choice}") for tag, choice in zip(tags, choices, strict=True)}
    if len(prefixes) == 1 and all(
        tag.endswith(f"_{choice}") for tag, choice in zip(tags, choices, strict=True)
    ):
        return prefixes.pop()
    common = ""
    if len(tags) > 1:
        for letters in zip(*tags, strict=False):
            if len(set(letters)) > 1:
                break
            common += letters[0]
    return common.rstrip("_-#. ") or import_id


def _multi_sets(tags: list[str], import_ids: list[Any], columns: list[str]) -> dict[str, list[str]]:
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for tag, cell, column in zip(tags, import_ids, columns, strict=False):
        fields = _import_fields(cell)
        if "choiceId" in fields and fields.get("ImportId") and not tag.endswith("_TEXT"):
            groups.setdefault(fields["ImportId"], []).append((tag, fields["choiceId"], column))
    sets: dict[str, list[str]] = {}
    for import_id, members in groups.items():
        name = _set_name([m[0] for m in members], [m[1] for m in members], import_id)
        if name in sets:
            name = import_id
        sets[name] = [m[2] for m in members]
    return sets


#: An import id of a question's part: ``QID44-1-1``, ``QID11#2-1-3``, ``QID5-1``.
_PART_ID = re.compile(r"(QID\d+(?:#\d+)?(?:-\d+)*)-\d+")


def _groups(import_ids: list[Any], columns: list[str]) -> dict[str, str]:
    """Each column's group: its import id without the last part, where two or more columns
    share it (``QID44-1`` for ``QID44-1-1``, ``QID44-1-2``); text entries are left alone."""
    keys: dict[str, str] = {}
    for cell, column in zip(import_ids, columns, strict=False):
        import_id = _import_fields(cell).get("ImportId", "")
        part = _PART_ID.fullmatch(import_id)
        if part is not None:
            keys[column] = part.group(1)
    counts: dict[str, int] = {}
    for key in keys.values():
        counts[key] = counts.get(key, 0) + 1
    return {column: key for column, key in keys.items() if counts[key] > 1}


def _text(cell: Any) -> str:
    return cell_or_none(cell) or ""


def read(path: Path, encoding: str | None) -> RawExport:
    """Read a Qualtrics export (CSV or XLSX, current or legacy layout).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "legacy.csv"
    >>> _ = path.write_bytes(
    ...     b"\\xef\\xbb\\xbfV1,V8,Q1,\\r\\n"
    ...     b"ResponseID,StartDate,How useful was it?,\\r\\n"
    ...     b"R_1,2024-03-01 10:00:00,Very,\\r\\n"
    ... )
    >>> export = read(path, None)
    >>> list(export.frame.columns), export.question_text["Q1"], export.encoding
    (['respondent_id', 'start_date', 'Q1'], 'How useful was it?', 'utf-8-sig')
    """
    table = read_table(path, encoding)
    rows = table.rows
    if _is_legacy(rows[:2]) and not _is_current(rows[:3]):
        ids, texts = [_text(cell) for cell in rows[0]], rows[1]
        import_ids: list[Any] = []
        body = rows[2:]
        columns = []
        for tag, text in zip(ids, [*texts, *[""] * len(ids)], strict=False):
            label = _text(text)
            if _LEGACY_ID.fullmatch(tag.strip()):
                columns.append(QUALTRICS_LEGACY_METADATA.get(label.strip(), label or tag))
            else:
                columns.append(QUALTRICS_METADATA.get(tag.strip(), tag))
    else:
        if len(rows) < 3:
            raise DataError(
                f"{path}: a Qualtrics export needs three header rows (ids, question text, "
                "ImportId), or two in the legacy layout (V1 ..., then ResponseID ...)"
            )
        if not _is_current(rows):
            raise DataError(
                f"{path}: the third row is not Qualtrics' ImportId row; export again with "
                "the default header rows, or set the wave's layout to csv"
            )
        ids, texts, import_ids = [_text(cell) for cell in rows[0]], rows[1], rows[2]
        body = rows[3:]
        columns = [QUALTRICS_METADATA.get(tag.strip(), tag) for tag in ids]
    frame = frame_of(path, columns, body)
    names = [str(name) for name in frame.columns]
    question_text = {
        name: _text(text) for name, text in zip(names, texts, strict=False) if _text(text)
    }
    multi_sets = _multi_sets(ids[: len(names)], list(import_ids), names)
    return RawExport(
        frame,
        path,
        Layout.QUALTRICS,
        question_text,
        multi_sets=multi_sets,
        encoding=table.encoding,
        groups=_groups(list(import_ids), names),
        open_text=[
            name
            for cell, name in zip(import_ids, names, strict=False)
            if re.search(r"[-_]TEXT$", _import_fields(cell).get("ImportId", ""))
        ],
    )
