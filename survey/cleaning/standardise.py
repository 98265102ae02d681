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
    chose_missing,
    code_consent,
    code_scale,
    code_single,
    normalise,
    number_answers,
    parse_dates,
    parse_number,
    parse_weight,
    slot_multi,
    split_multi,
    spread_answered,
    spread_multi,
    weight_text,
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
        One row per exported row, in the same order: metadata (``respondent_id``, numbered
        ``1``, ``2`` ... in file order when the export has no id column; ``start_date``,
        ``end_date`` as datetimes, ``duration_seconds``, ``progress``, ``submit_date``,
        ``consent`` as ``"yes"``/``"no"``), one column per codebook variable, ``<q>__raw``
        beside number questions, ``<q>__n`` and ``<q>__unknown`` beside multi-selects,
        ``answered_share`` (of the closed questions each row was shown), the personal-data
        columns, and the export's weight column (``weighting.base_weight``) as
        ``base_weight__raw`` (its text, missing where blank) and ``base_weight`` (the number,
        NaN where it is none).
    backcodes
        The other-specify answers recoded to an existing option.
    """
    index = mapped.index
    columns: dict[str, pd.Series] = {}
    if column_map.numbered or "respondent_id" not in mapped:
        columns["respondent_id"] = pd.Series(
            [str(number) for number in range(1, len(mapped) + 1)], index=index, dtype=object
        )
    else:
        columns["respondent_id"] = mapped["respondent_id"].map(
            lambda value: None if value is None or pd.isna(value) else str(value).strip() or None
        )
    columns["wave"] = pd.Series(wave.id, index=index, dtype=object)
    for name in ("start_date", "end_date"):
        if name in mapped:
            columns[name] = parse_dates(mapped[name], wave.date_formats)
    if "duration_seconds" in mapped:
        columns["duration_seconds"] = parse_number(mapped["duration_seconds"])
    elif "start_date" in columns and "end_date" in columns:
        columns["duration_seconds"] = (
            columns["end_date"] - columns["start_date"]
        ).dt.total_seconds()
    if codebook.consent is not None and "consent" in mapped:
        columns["consent"] = code_consent(mapped["consent"], codebook.consent.accepted)

    missing = codebook.missing_labels
    # Whether each multi-select was answered at all: one closed question each, however many
    # options it has, for the answered share.
    responded: dict[str, pd.Series] = {}
    for question in codebook.questions:
        kind = question.type
        if kind is QuestionType.SINGLE and question.id in mapped:
            columns[question.id] = code_single(mapped[question.id], question, missing)
        elif kind is QuestionType.LIKERT and question.id in mapped:
            scale = codebook.scales[question.scale or ""]
            columns[question.id] = code_scale(mapped[question.id], scale, missing)
        elif kind is QuestionType.GRID:
            for item in question.items:
                scale = codebook.scales[item.scale]
                for column in question.grid_columns(item):
                    if column in mapped:
                        columns[column] = code_scale(mapped[column], scale, missing)
        elif kind is QuestionType.NUMBER and question.id in mapped:
            answers = number_answers(mapped[question.id], question, missing)
            columns[question.id] = parse_number(answers)
            columns[f"{question.id}__raw"] = answers
        elif kind is QuestionType.MULTI:
            if question.columns:
                parts = slot_multi(mapped, question, missing)
                said = parts[f"{question.id}__n"].notna()
            elif question.id in column_map.spread:
                parts = spread_multi(mapped, question, missing)
                said = spread_answered(mapped, question, missing)
            elif question.id in mapped:
                parts = split_multi(mapped[question.id], question)
                said = parts[f"{question.id}__n"].notna()
            else:
                continue
            columns |= {column: parts[column] for column in parts.columns}
            responded[question.id] = said.where(said)
        elif kind is QuestionType.TEXT and question.id in mapped:
            columns[question.id] = mapped[question.id]
        if question.other and question.other in mapped:
            columns[question.other] = mapped[question.other]

    text_columns = set(codebook.text_columns())
    options = {
        column
        for question in codebook.questions_of(QuestionType.MULTI)
        for column in question.multi_columns()
    }
    # A chosen missing label ("Not applicable to my role") is an answer, though no figure.
    closed_columns = {
        column: _answer_given(columns[column], mapped.get(column), missing)
        for column in codebook.variables()
        if column in columns and column not in text_columns and column not in options
    } | responded
    closed = list(closed_columns)
    branches = [
        question.id
        for question in codebook.questions_of(QuestionType.SINGLE)
        if question.id in columns
    ]
    closed_frame = pd.DataFrame(closed_columns, index=index)
    columns["answered_share"] = answered_share(closed_frame, closed, branches=branches)
    if "progress" in mapped:
        columns["progress"] = parse_number(mapped["progress"])
    if "submit_date" in mapped:
        columns["submit_date"] = mapped["submit_date"]
    for name in codebook.personal_data:
        if name in mapped:
            columns[name] = mapped[name]
    weight = codebook.weighting.base_weight
    if weight is not None and weight in mapped:
        columns["base_weight__raw"] = weight_text(mapped[weight])
        columns["base_weight"] = parse_weight(columns["base_weight__raw"])
    coded = pd.DataFrame(columns, index=index)
    backcodes = _backcode_other(coded, codebook)
    return coded, backcodes


def _answer_given(coded: pd.Series, cells: pd.Series | None, missing: list[str]) -> pd.Series:
    """``coded``, with the cells where a missing label was chosen marked as answered."""
    if cells is None:
        return coded
    chose = chose_missing(cells, missing) & coded.isna()
    if not chose.any():
        return coded
    return coded.astype(object).mask(chose, "(chose a missing label)")


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
