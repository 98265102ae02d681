"""SPSS ``.sav`` files via pyreadstat: variable labels, value labels, user-missing values and
ranges, multiple-response sets.

A ``.sav`` stores codes (``1``, ``2``) with value labels (``1 = Yes``); the frame holds what a
respondent saw: the label where a value has one, else the value as text (``3``, ``2.5``;
whole numbers without ``.0``), dates as ISO text. Values the file declares missing (discrete
user-missing values and ranges) are blanked and listed in
:attr:`~survey.io.raw.RawExport.missing_values` (a range as ``"97 thru 99"``, as SPSS writes
it). SPSS pads strings with spaces, so trailing spaces of string answers and value labels do
not survive a ``.sav``. Multiple-response sets (``MRSETS``) become
:attr:`~survey.io.raw.RawExport.multi_sets`, named without the ``$``; their cells keep their
labels (a dichotomy set's unticked options read ``Not selected``, not blank). Reading sets
needs a pyreadstat whose metadata has ``mr_sets`` (1.3 has it); with an older one the sets are
not reported.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from survey.codebook import Layout
from survey.errors import DataError
from survey.io.raw import RawExport
from survey.io.text import cell_or_none, frame_of, unique_names

__all__ = ["SPSS_MAGIC", "SPSS_METADATA", "looks_like", "read"]

#: The first bytes of a ``.sav`` (``$FL2``) or a compressed ``.zsav`` (``$FL3``).
SPSS_MAGIC = (b"$FL2", b"$FL3")

_SUFFIXES = {".sav", ".zsav"}

#: Metadata variable names of platforms' SPSS exports and the toolkit's names for them.
SPSS_METADATA = {
    # Qualtrics' SPSS export
    "StartDate": "start_date",
    "EndDate": "end_date",
    "Status": "status",
    "IPAddress": "ip_address",
    "Progress": "progress",
    "Duration__in_seconds_": "duration_seconds",
    "Finished": "finished",
    "RecordedDate": "recorded_date",
    "ResponseId": "respondent_id",
    "RecipientLastName": "last_name",
    "RecipientFirstName": "first_name",
    "RecipientEmail": "email",
    "ExternalReference": "external_reference",
    "LocationLatitude": "location_latitude",
    "LocationLongitude": "location_longitude",
    "DistributionChannel": "distribution_channel",
    "UserLanguage": "user_language",
    # SurveyMonkey's SPSS export
    "date_created": "start_date",
    "date_modified": "end_date",
    "email_address": "email",
}


def looks_like(path: Path, head: list[list[Any]]) -> bool:
    """Whether the file is an SPSS data file: named ``.sav``/``.zsav`` or starting with
    ``$FL2``/``$FL3``. Decided from the file alone (``head`` is not used).

    >>> looks_like(Path("wave.sav"), [])
    True
    """
    if path.suffix.lower() in _SUFFIXES:
        return True
    try:
        with path.open("rb") as file:
            return file.read(4) in SPSS_MAGIC
    except OSError:
        return False


def read(path: Path, encoding: str | None) -> RawExport:
    """Read an SPSS ``.sav`` or ``.zsav`` file.

    Parameters
    ----------
    path
        The file.
    encoding
        The text encoding of the file's strings, used only for an old file that does not
        record its own (a file that does is read in its encoding whatever is given).

    Raises
    ------
    DataError
        The file is not a readable SPSS file, has no cases, or a multiple-response set names a
        variable that is not in the file.
    """
    import pyreadstat  # only an SPSS .sav export needs it: not loaded to read a CSV

    try:
        own_encoding = pyreadstat.read_sav(str(path), metadataonly=True)[1].file_encoding
        data, meta = pyreadstat.read_sav(
            str(path),
            user_missing=True,
            apply_value_formats=False,
            encoding=None if own_encoding else encoding,
        )
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as error:
        raise DataError(f"{path}: not a readable SPSS .sav file ({error})") from None
    except (LookupError, UnicodeError) as error:
        raise DataError(f"{path}: cannot decode the SPSS file's text ({error})") from None
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: not a readable SPSS .sav file ({error})") from None

    variables = [str(name) for name in data.columns]
    columns = unique_names([SPSS_METADATA.get(name, name) for name in variables])
    column_of = dict(zip(variables, columns, strict=True))
    labels_of = meta.variable_value_labels or {}
    declared = {**(meta.missing_user_values or {}), **(meta.missing_ranges or {})}

    question_text = {
        column_of[name]: str(label)
        for name, label in (meta.column_names_to_labels or {}).items()
        if name in column_of and label
    }
    value_labels = {
        column_of[name]: {_code_text(code): str(label) for code, label in labels.items()}
        for name, labels in labels_of.items()
        if name in column_of and labels
    }
    missing_values = {
        column_of[name]: [_missing_text(entry) for entry in entries]
        for name, entries in declared.items()
        if name in column_of and entries
    }
    cells_by_column = [
        [
            _cell(value, labels_of.get(name, {}), declared.get(name, []))
            for value in data[name].tolist()
        ]
        for name in variables
    ]
    rows = [list(row) for row in zip(*cells_by_column, strict=True)]
    if not rows:
        raise DataError(f"{path}: the SPSS file has variables but no cases")
    frame = frame_of(path, columns, rows)
    mr_sets = getattr(meta, "mr_sets", None) or {}  # absent from older pyreadstat
    multi_sets = _multi_sets(path, mr_sets, column_of, meta.file_encoding)
    set_text: dict[str, str] = {}
    set_chosen: dict[str, str] = {}
    categorical: list[str] = []
    for raw_name, spec in mr_sets.items():
        name = str(raw_name).lstrip("$")
        if name not in multi_sets:
            continue
        if spec.get("label"):
            set_text[name] = str(spec["label"])
        if spec.get("type") == "C" or spec.get("is_dichotomy") is False:
            categorical.append(name)
        elif spec.get("counted_value") is not None:
            counted = spec["counted_value"]
            first = multi_sets[name][0]
            labels = value_labels.get(first, {})
            set_chosen[name] = labels.get(_code_text(counted), _code_text(counted))
    measures = {
        column_of[name]: str(level)
        for name, level in (getattr(meta, "variable_measure", None) or {}).items()
        if name in column_of and level in {"nominal", "ordinal", "scale"}
    }
    return RawExport(
        frame,
        path,
        Layout.SPSS,
        question_text=question_text,
        value_labels=value_labels,
        missing_values=missing_values,
        multi_sets=multi_sets,
        encoding=None,
        set_text=set_text,
        set_chosen=set_chosen,
        categorical_sets=categorical,
        measures=measures,
    )


def _code_text(value: Any) -> str:
    """A code as text: whole numbers without ``.0``.

    >>> _code_text(1.0), _code_text(2.5), _code_text("x")
    ('1', '2.5', 'x')
    """
    if isinstance(value, float):
        if math.isinf(value):
            return "highest" if value > 0 else "lowest"
        if value.is_integer():
            return str(int(value))
    return str(value)


def _missing_text(entry: Any) -> str:
    """One declared missing value or range as text (``"9"``, ``"97 thru 99"``)."""
    if isinstance(entry, Mapping):
        low, high = entry.get("lo"), entry.get("hi")
        if low == high:
            return _code_text(low)
        return f"{_code_text(low)} thru {_code_text(high)}"
    return _code_text(entry)


def _is_missing(value: Any, declared: Sequence[Any]) -> bool:
    for entry in declared:
        if isinstance(entry, Mapping):
            low, high = entry.get("lo"), entry.get("hi")
            if isinstance(value, str) or isinstance(low, str):
                if value in (low, high):
                    return True
            elif low is not None and high is not None:
                try:
                    if low <= value <= high:
                        return True
                except TypeError:  # a date or time against a numeric range
                    continue
        elif value == entry:
            return True
    return False


def _cell(value: Any, labels: Mapping[Any, str], declared: Sequence[Any]) -> str | None:
    """One value as a respondent saw it: its label, else its text; missing is ``None``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if declared and _is_missing(value, declared):
        return None
    if labels:
        label = labels.get(value)
        if label is not None:
            return str(label)
    if isinstance(value, float):
        return _code_text(value)
    return cell_or_none(value)


def _multi_sets(
    path: Path,
    mr_sets: Mapping[str, Mapping[str, Any]],
    column_of: Mapping[str, str],
    encoding: str | None,
) -> dict[str, list[str]]:
    """The file's multiple-response sets, by our column names.

    A set lists its variables by their short (8-byte) names; those are matched to the
    columns exactly, then ignoring case, then through the file's long-names record.
    """
    if not mr_sets:
        return {}
    by_folded = {name.casefold(): name for name in column_of}
    long_names: dict[str, str] | None = None
    multi_sets: dict[str, list[str]] = {}
    for set_name, spec in mr_sets.items():
        members: list[str] = []
        for variable in map(str, spec.get("variable_list", [])):
            name = variable if variable in column_of else by_folded.get(variable.casefold())
            if name is None:
                if long_names is None:
                    long_names = _long_names(path, encoding)
                name = long_names.get(variable.casefold())
            if name is None or name not in column_of:
                raise DataError(
                    f"{path}: multiple-response set ${set_name} names variable {variable!r}, "
                    "which is not in the file"
                )
            members.append(column_of[name])
        multi_sets[str(set_name).lstrip("$")] = members
    return multi_sets


def _long_names(path: Path, encoding: str | None) -> dict[str, str]:
    """Short variable name (case-folded) -> long name, from the ``.sav`` long-names record
    (type 7, subtype 13); empty when the file has none or cannot be walked."""
    try:
        data = path.read_bytes()
        if data[:4] != b"$FL2":
            return {}
        order = "<" if struct.unpack_from("<i", data, 64)[0] in (2, 3) else ">"
        position = 176
        while True:
            (record,) = struct.unpack_from(f"{order}i", data, position)
            if record == 2:
                _, _, has_label, missing_count = struct.unpack_from(f"{order}4i", data, position)
                position += 32
                if has_label:
                    (length,) = struct.unpack_from(f"{order}i", data, position)
                    position += 4 + (length + 3) // 4 * 4
                position += abs(missing_count) * 8
            elif record == 3:
                (count,) = struct.unpack_from(f"{order}i", data, position + 4)
                position += 8
                for _ in range(count):
                    position += 8 + (data[position + 8] + 1 + 7) // 8 * 8
            elif record == 4:
                (count,) = struct.unpack_from(f"{order}i", data, position + 4)
                position += 8 + 4 * count
            elif record == 6:
                (lines,) = struct.unpack_from(f"{order}i", data, position + 4)
                position += 8 + 80 * lines
            elif record == 7:
                _, subtype, size, count = struct.unpack_from(f"{order}4i", data, position)
                position += 16
                if subtype == 13:
                    text = data[position : position + size * count].decode(
                        encoding or "utf-8", "replace"
                    )
                    pairs = (entry.split("=", 1) for entry in text.split("\t") if "=" in entry)
                    return {short.casefold(): long for short, long in pairs}
                position += size * count
            else:
                return {}
    except (OSError, struct.error, IndexError, LookupError):
        return {}
