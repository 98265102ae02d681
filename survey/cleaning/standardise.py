"""From an export named by the codebook to one coded frame (the frame validation checks).

:func:`standardise` codes every question (labels and aliases to option codes, scale labels to
numbers, typed numbers to floats, multi-selects to booleans), parses dates and consent, derives
duration and progress where an export has none, and back-codes other-specify text that plainly
names an existing option. Values that cannot be coded are kept as text for validation to report.
Personal-data columns are carried along for the duplicate check and dropped by :func:`clean`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from survey.cleaning.recode import (
    answered_share,
    code_consent,
    code_scale,
    code_single,
    normalise,
    parse_dates,
    parse_number,
    split_multi,
    spread_multi,
)
from survey.codebook import Codebook, QuestionType, Wave
from survey.io.columns import ColumnMap

__all__ = ["Backcode", "standardise"]


@dataclass(frozen=True)
class Backcode:
    """An other-specify answer recoded to an existing option."""

    respondent_id: str
    question: str
    code: str


def standardise(
    mapped: pd.DataFrame, column_map: ColumnMap, codebook: Codebook, wave: Wave
) -> tuple[pd.DataFrame, list[Backcode]]:
    """Code every column of an export named by :func:`~survey.io.map_to_codebook`.

    Returns
    -------
    coded
        One row per exported row, in the same order: metadata (``respondent_id``,
        ``start_date``, ``end_date`` as datetimes, ``duration_seconds``, ``progress``,
        ``consent`` as ``"yes"``/``"no"``), one column per codebook variable, ``<q>__raw``
        beside number questions, ``<q>__n`` and ``<q>__unknown`` beside multi-selects, and the
        personal-data columns.
    backcodes
        The other-specify answers recoded to an existing option.
    """
    coded = pd.DataFrame(index=mapped.index)
    coded["respondent_id"] = (
        mapped["respondent_id"].map(
            lambda value: None if value is None or pd.isna(value) else str(value).strip() or None
        )
        if "respondent_id" in mapped
        else pd.Series([None] * len(mapped), index=mapped.index)
    )
    coded["wave"] = wave.id
    for name in ("start_date", "end_date"):
        if name in mapped:
            coded[name] = parse_dates(mapped[name], wave.date_formats)
    if "duration_seconds" in mapped:
        coded["duration_seconds"] = parse_number(mapped["duration_seconds"])
    elif "start_date" in coded and "end_date" in coded:
        coded["duration_seconds"] = (coded["end_date"] - coded["start_date"]).dt.total_seconds()
    if codebook.consent is not None and "consent" in mapped:
        coded["consent"] = code_consent(mapped["consent"], codebook.consent.accepted)

    missing = codebook.missing_labels
    for question in codebook.questions:
        kind = question.type
        if kind is QuestionType.SINGLE and question.id in mapped:
            coded[question.id] = code_single(mapped[question.id], question, missing)
        elif kind is QuestionType.LIKERT and question.id in mapped:
            scale = codebook.scales[question.scale or ""]
            coded[question.id] = code_scale(mapped[question.id], scale, missing)
        elif kind is QuestionType.GRID:
            for item in question.items:
                scale = codebook.scales[item.scale]
                for column in question.grid_columns(item):
                    if column in mapped:
                        coded[column] = code_scale(mapped[column], scale, missing)
        elif kind is QuestionType.NUMBER and question.id in mapped:
            coded[question.id] = parse_number(mapped[question.id])
            coded[f"{question.id}__raw"] = mapped[question.id]
        elif kind is QuestionType.MULTI:
            if question.id in column_map.spread:
                parts = spread_multi(mapped, question)
            elif question.id in mapped:
                parts = split_multi(mapped[question.id], question)
            else:
                continue
            for column in parts.columns:
                coded[column] = parts[column]
        elif kind is QuestionType.TEXT and question.id in mapped:
            coded[question.id] = mapped[question.id]
        if question.other and question.other in mapped:
            coded[question.other] = mapped[question.other]

    closed = [
        column
        for column in codebook.variables()
        if column in coded and column not in codebook.text_columns()
    ]
    coded["answered_share"] = answered_share(coded, closed)
    if "progress" in mapped:
        coded["progress"] = parse_number(mapped["progress"])
    for name in codebook.personal_data:
        if name in mapped:
            coded[name] = mapped[name]
    backcodes = _backcode_other(coded, codebook)
    return coded, backcodes


def _backcode_other(coded: pd.DataFrame, codebook: Codebook) -> list[Backcode]:
    """Recode "Other (please specify)" to an existing option where the text is plainly one:
    the text, normalised, is that option's code, label or one of its aliases."""
    backcodes: list[Backcode] = []
    for question in codebook.questions_of(QuestionType.SINGLE):
        if not question.other or question.other not in coded or question.id not in coded:
            continue
        table: dict[str, str] = {}
        for option in question.options:
            if option.code == "other":
                continue
            for spelling in (option.code, option.label, *option.aliases):
                table.setdefault(normalise(spelling), option.code)
        other_rows = coded[question.id] == "other"
        for index in coded.index[other_rows.fillna(False).astype(bool)]:
            text = coded.at[index, question.other]
            if not isinstance(text, str):
                continue
            code = table.get(normalise(text))
            if code is not None:
                coded.at[index, question.id] = code
                backcodes.append(Backcode(str(coded.at[index, "respondent_id"]), question.id, code))
    return backcodes
