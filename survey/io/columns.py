"""Naming an export's columns by the codebook.

Exports name question columns differently: Qualtrics by export tags (``sector``,
``imp_leadership``), SurveyMonkey by question text and sub-label
(``How important ... | Leadership and management``). :func:`map_to_codebook` finds the column
of every codebook field under any of the names it can have, and renames it to the toolkit's
name. Values are not touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from survey.codebook import Codebook, QuestionType
from survey.io.read import SUBLABEL_SEPARATOR, RawExport

__all__ = ["ColumnMap", "map_to_codebook"]

#: Metadata columns the toolkit uses when an export has them (besides the respondent id,
#: which the codebook names).
METADATA = (
    "start_date",
    "end_date",
    "duration_seconds",
    "progress",
    "finished",
    "submit_date",
)

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


@dataclass(frozen=True)
class ColumnMap:
    """Which export column each codebook field came from.

    Attributes
    ----------
    found
        Field name (``sector``, ``imp_leadership``, ``barriers`` or ``barriers__time``) to the
        export column it was read from.
    missing
        Required fields with no column in the export.
    spread
        Multi-select questions exported as one column per option (the others are one column of
        joined labels).
    ignored
        Export columns the codebook does not describe (kept out of the analysis).

    A field ``<question>[k]`` is the k-th of a multi-select's ``columns``; ``respondent_id``
    is absent when the export has no id column (:attr:`numbered`).
    """

    found: dict[str, str]
    missing: list[str]
    spread: set[str] = field(default_factory=set)
    ignored: list[str] = field(default_factory=list)

    @property
    def numbered(self) -> bool:
        """Whether the export has no respondent-id column: responses are numbered instead."""
        return "respondent_id" not in self.found


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", str(name).translate(_QUOTES)).strip().casefold()


def _sub(text: str, label: str) -> str:
    return f"{text}{SUBLABEL_SEPARATOR}{label}"


def _first(column: str | None, names: list[str]) -> list[str]:
    return [column, *names] if column else names


def _candidates(codebook: Codebook) -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]:
    """Names each required field may have, and per multi question the names of spread columns.

    A column the codebook names (``column``, ``options[].column``, ``topics[].columns``) comes
    first; the names a platform gives follow."""
    single: dict[str, list[str]] = {}
    spread: dict[str, dict[str, list[str]]] = {}
    if codebook.consent is not None:
        single["consent"] = [codebook.consent.column, codebook.consent.text]
    for question in codebook.questions:
        if question.type is QuestionType.SKIP:
            continue
        if question.type is QuestionType.GRID:
            for item in question.items:
                for topic, column in zip(question.topics, question.grid_columns(item), strict=True):
                    # LimeSurvey names an array's cells imp[leadership]
                    single[column] = _first(
                        topic.columns.get(item.prefix),
                        [column, _sub(item.text, topic.label), f"{item.prefix}[{topic.code}]"],
                    )
            continue
        if question.type is QuestionType.MULTI and question.columns:
            for field_name, column in zip(question.slot_fields(), question.columns, strict=True):
                single[field_name] = [column]
        else:
            single[question.id] = _first(question.column, [question.id, question.text])
            if question.renamed_from:
                single[question.id].append(question.renamed_from)
        if question.type is QuestionType.MULTI and not question.columns:
            # also as Qualtrics (Q2_1) and LimeSurvey (Q2[SQ001], R export Q2_SQ001) tag them
            spread[question.id] = {
                column: _first(
                    option.column,
                    [
                        column,
                        _sub(question.text, option.label),
                        f"{question.id}_{option.code}",
                        f"{question.id}[{option.code}]",
                    ],
                )
                for column, option in zip(question.multi_columns(), question.options, strict=True)
            }
        if question.other:
            labels = [option.label for option in question.options if option.code == "other"]
            single[question.other] = _first(
                question.other_column,
                [
                    question.other,
                    f"{question.id}[other]",
                    _sub(question.text, "Other (please specify)"),
                    *[_sub(question.text, label) for label in labels],
                ],
            )
    return single, spread


def map_to_codebook(export: RawExport, codebook: Codebook) -> tuple[pd.DataFrame, ColumnMap]:
    """Rename an export's columns to the codebook's field names.

    Parameters
    ----------
    export
        An export as read by :func:`~survey.io.read_export`.
    codebook
        The questionnaire it answers.

    Returns
    -------
    frame
        Metadata and personal-data columns under the toolkit's names, then one column per
        codebook field found; values exactly as exported.
    column_map
        Where each field came from, and which required fields are missing.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> from survey.demo import write_demo
    >>> from survey.io import read_export
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = write_demo(folder, n=50)
    >>> codebook = load_codebook(reference_codebook_path())
    >>> frame, column_map = map_to_codebook(read_export(folder / "2025.xlsx"), codebook)
    >>> column_map.missing, sorted(column_map.spread)
    ([], ['barriers', 'formats', 'networks'])
    >>> column_map.found["imp_leadership"][:40]
    'How important is this area to your work '
    """
    exact = {str(column) for column in export.frame.columns}
    by_key: dict[str, str] = {}
    for column in export.frame.columns:
        by_key.setdefault(_key(column), column)
    single, spread = _candidates(codebook)

    def find(names: list[str]) -> str | None:
        for name in names:
            if name in exact:
                return name
            column = by_key.get(_key(name))
            if column is not None:
                return column
        return None

    found: dict[str, str] = {}
    missing: list[str] = []
    spread_questions: set[str] = set()
    if codebook.respondent_id is not None:
        id_column = find([codebook.respondent_id])
        if id_column is not None:
            found["respondent_id"] = id_column
    # a multi-select whose options name their columns is found by them, not by a joined column
    by_option = {
        question.id
        for question in codebook.questions_of(QuestionType.MULTI)
        if any(option.column for option in question.options)
    }
    for name, names in single.items():
        match = None if name in by_option else find(names)
        if match is not None:
            found[name] = match
        elif name in spread:
            option_columns = {
                option: find(option_names) for option, option_names in spread[name].items()
            }
            if any(option_columns.values()):
                spread_questions.add(name)
                for option, option_column in option_columns.items():
                    if option_column is None:
                        missing.append(option)
                    else:
                        found[option] = option_column
            else:
                missing.append(name)
        else:
            missing.append(name)
    weight = codebook.weighting.base_weight
    extra = [*METADATA, *codebook.personal_data, *([weight] if weight else [])]
    for name in extra:
        if name in export.frame.columns and name not in found:
            found[name] = name
    used = set(found.values())
    ignored = [column for column in export.frame.columns if column not in used]
    frame = export.frame.loc[:, list(found.values())].copy()
    frame.columns = list(found.keys())
    return frame, ColumnMap(found, missing, spread_questions, ignored)
