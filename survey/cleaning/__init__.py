"""Cleaning: from a validated, coded wave to analysed respondents and a quarantine.

:func:`standardise` codes an export; :func:`clean` acts on the validation report (quarantining
rows, making bad values missing), applies the response-quality rules (test responses, the same
person twice, speeders, straight-liners), scrubs open text and drops personal data. Every row
ends in exactly one of ``processed`` and ``quarantine``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from survey.cleaning.pii import scrub_text
from survey.cleaning.quality import (
    duplicate_people,
    durations_usable,
    speeders,
    straightliners,
    test_responses,
)
from survey.cleaning.standardise import Backcode, standardise
from survey.codebook import Codebook, QuestionType
from survey.rules import Flag, Reason
from survey.validation import Action, ValidationReport

__all__ = ["CleanResult", "Reason", "clean", "standardise"]

#: The reasons of rows that are not responses to analyse at all (the duplicate-person rule
#: leaves them out of its comparison).
_NOT_A_RESPONSE = frozenset({Reason.MISSING_ID, Reason.DUPLICATE_ID, Reason.NO_CONSENT})


@dataclass
class CleanResult:
    """The outcome of cleaning one wave.

    Attributes
    ----------
    processed
        One row per analysed respondent: ``respondent_id``, ``wave``, ``weight`` (1.0 here:
        the weighting step sets it), ``base_weight`` when the export has the codebook's weight
        column (``weighting.base_weight``, every one above zero) and the codebook's
        variables; no personal data.
    quarantine
        ``respondent_id, reason`` for every row not analysed. A row without an id is named
        ``row:<n>`` (its data row number in the export); a repeat of an id already used is
        named ``<id> (row <n>)`` so that no name stands for two rows.
    flags
        ``respondent_id, question, reason, value`` for every value made missing or recoded.
    speeder_seconds
        The speeder threshold used (``None``: the rule was not applied).
    reasons
        How many rows were quarantined for each reason.
    notes
        What the summary must say about how the rules were applied (a rule switched off, and
        why).
    """

    processed: pd.DataFrame
    quarantine: pd.DataFrame
    flags: pd.DataFrame
    speeder_seconds: float | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def clean(
    coded: pd.DataFrame,
    report: ValidationReport,
    codebook: Codebook,
    *,
    backcodes: list[Backcode] | None = None,
) -> CleanResult:
    """Clean a coded wave according to its validation report and the codebook's rules.

    Parameters
    ----------
    coded
        From :func:`standardise`, indexed 0..n-1 as validated.
    report
        From :func:`~survey.validation.validate` on the same frame.
    codebook
        The questionnaire and its quality rules.
    backcodes
        Other-specify answers recoded by :func:`standardise`, to list among the flags.
    """
    coded = coded.reset_index(drop=True).copy()
    ids = coded["respondent_id"].astype(object)
    repeated_ids = ids.notna() & ids.duplicated(keep="first")
    labels = [
        f"row:{position + 1}"
        if value is None or pd.isna(value)
        else f"{value} (row {position + 1})"
        if repeated
        else str(value)
        for position, (value, repeated) in enumerate(zip(ids, repeated_ids, strict=True))
    ]
    reasons: list[list[str]] = [[] for _ in range(len(coded))]
    flags: list[tuple[str, str, str, str]] = [
        (backcode.respondent_id, backcode.question, Flag.BACKCODED_OTHER, backcode.code)
        for backcode in backcodes or []
    ]

    for check in report.failures(Action.QUARANTINE):
        for row in check.rows:
            if check.reason == Reason.DUPLICATE_ID and not repeated_ids.iloc[row]:
                continue  # the first row of a repeated id is kept
            reasons[row].append(check.reason)
    for check in report.failures(Action.MAKE_MISSING):
        column = check.column or ""
        question = column.removesuffix("__raw").removesuffix("__n")
        if check.reason == Flag.TOO_MANY_CHOICES:
            targets = codebook.question(question).multi_columns()
        else:
            targets = [question]
        for row in check.rows:
            value = coded.at[row, column]
            flags.append((labels[row], question, check.reason, "" if value is None else str(value)))
            for target in targets:
                coded.at[row, target] = None

    set_aside = pd.Series([bool(r) for r in reasons], index=coded.index)
    not_a_response = pd.Series(
        [not _NOT_A_RESPONSE.isdisjoint(r) for r in reasons],
        index=coded.index,
    )
    tests = test_responses(coded, codebook)
    # An incomplete copy of a person's response is still theirs: compare every real response.
    duplicates = duplicate_people(
        coded, codebook.quality.duplicate_keys, eligible=~not_a_response & ~tests
    )
    fast, threshold = speeders(coded, codebook.quality, eligible=~set_aside)
    notes: list[str] = []
    unusable = durations_usable(coded)
    if unusable is not None:
        notes.append(f"speeder rule not applied: {unusable}")
    flat = straightliners(coded, codebook)
    for mask, reason in (
        (tests, Reason.TEST_RESPONSE),
        (duplicates, Reason.DUPLICATE),
        (fast, Reason.SPEEDER),
        (flat, Reason.STRAIGHTLINER),
    ):
        for position in np.flatnonzero(mask.to_numpy()):
            reasons[int(position)].append(reason.value)

    primary = [min(r, key=Reason.precedence) if r else None for r in reasons]
    keep = np.array([reason is None for reason in primary])
    quarantine = pd.DataFrame(
        {
            "respondent_id": [labels[row] for row in np.flatnonzero(~keep)],
            "reason": [primary[row] for row in np.flatnonzero(~keep)],
        }
    )
    processed = _processed(coded[keep].reset_index(drop=True), codebook)
    if len(processed) + len(quarantine) != len(coded):  # pragma: no cover - an invariant
        raise AssertionError("rows in must equal rows analysed plus rows quarantined")
    counts = quarantine["reason"].value_counts().to_dict() if len(quarantine) else {}
    return CleanResult(
        processed=processed,
        quarantine=quarantine,
        flags=pd.DataFrame(flags, columns=["respondent_id", "question", "reason", "value"]),
        speeder_seconds=threshold,
        reasons={str(key): int(value) for key, value in counts.items()},
        notes=notes,
    )


def _processed(kept: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The analysed respondents in the processed-data contract: typed columns, open text
    scrubbed, no personal data."""
    names: list[str] = []
    for column in ("first_name", "last_name"):
        if column in kept:
            names += [value for value in kept[column].dropna().astype(str)]
    columns: dict[str, pd.Series] = {
        "respondent_id": kept["respondent_id"].astype("string"),
        "wave": kept["wave"].astype("string"),
        "weight": pd.Series(1.0, index=kept.index),
    }
    if "base_weight" in kept:  # validated: every kept row's weight is a number above zero
        columns["base_weight"] = kept["base_weight"].astype(float)
    text_columns = set(codebook.text_columns())
    for question in codebook.questions:
        if question.type is QuestionType.SINGLE:
            values = kept.get(question.id)
            columns[question.id] = (
                values.where(values.isin(question.option_codes())).astype("string")
                if values is not None
                else pd.Series(pd.NA, index=kept.index, dtype="string")
            )
        elif question.type in (QuestionType.LIKERT, QuestionType.NUMBER):
            columns[question.id] = _numeric(kept, question.id)
        elif question.type is QuestionType.GRID:
            for item in question.items:
                for column in question.grid_columns(item):
                    columns[column] = _numeric(kept, column)
        elif question.type is QuestionType.MULTI:
            for column in question.multi_columns():
                values = kept.get(column)
                columns[column] = (
                    values.astype("boolean")
                    if values is not None
                    else pd.Series(pd.NA, index=kept.index, dtype="boolean")
                )
        if question.type is QuestionType.TEXT or (
            question.other and question.other in text_columns
        ):
            for column in (
                [question.id] if question.type is QuestionType.TEXT else [question.other or ""]
            ):
                values = kept.get(column)
                columns[column] = (
                    scrub_text(values, names=names).astype("string")
                    if values is not None
                    else pd.Series(pd.NA, index=kept.index, dtype="string")
                )
    return pd.DataFrame(columns, index=kept.index)


def _numeric(kept: pd.DataFrame, column: str) -> pd.Series:
    if column not in kept:
        return pd.Series(np.nan, index=kept.index, dtype=float)
    return pd.to_numeric(kept[column], errors="coerce").astype(float)
