"""The draft tried on the export it was made from, before it is written.

:func:`settle` makes sure the draft runs as written: a question that is not a valid codebook
question, or whose columns the toolkit cannot find in the export, becomes ``type: skip`` with
the reason. It then codes the export with the draft (as ``survey run`` would), proposes the
breakdown dimensions from profile-like single-choice questions answered by (nearly) everyone,
takes the speeder threshold from the durations, and counts how many rows each quality rule
would set aside, for the draft's comments.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from survey.cleaning.quality import (
    duplicate_people,
    durations_usable,
    speeders,
    straightliners,
    test_responses,
)
from survey.cleaning.recode import normalise
from survey.cleaning.standardise import standardise
from survey.codebook import Codebook, QualityRules, Question, QuestionType, Wave
from survey.draft.vocabulary import PROFILE_WORDS, identifier
from survey.io.columns import METADATA, map_to_codebook
from survey.io.raw import RawExport
from survey.rules import Reason

__all__ = ["RuleCounts", "settle"]

#: The share of rows that must give a valid answer to a question proposed as a breakdown
#: (a row without one is set aside as ``invalid_<dimension>``).
DIMENSION_MIN_ANSWERED = 0.95
#: The most breakdowns proposed.
DIMENSIONS_MAX = 3


@dataclass
class RuleCounts:
    """What the quality rules would do to the export the draft was made from.

    Attributes
    ----------
    rows
        Rows in the export.
    by_rule
        Rule (``incomplete``, ``speeder``, ``invalid_<dimension>`` ...) -> rows it would set
        aside (a row may fall under several).
    set_aside
        Rows any rule would set aside.
    median_seconds
        The median duration of the responses, where durations can be used.
    durations
        Why the speeder rule cannot be applied (``None``: it can).
    relaxed
        The thresholds lowered so that some rows remain, and why.
    """

    rows: int
    by_rule: dict[str, int] = field(default_factory=dict)
    set_aside: int = 0
    median_seconds: float | None = None
    durations: str | None = None
    relaxed: list[str] = field(default_factory=list)


def settle(document: dict[str, Any], export: RawExport, notes: dict[str, list[str]]) -> RuleCounts:
    """Make the drafted ``document`` run on ``export`` (in place) and count its rules.

    Questions that cannot be read become ``skip`` (their ``notes`` say why); ``dimensions``,
    ``profile`` and the speeder threshold are filled in from the data.
    """
    _valid_questions(document, notes)
    codebook = _skip_unfound(document, export, notes)
    wave = Wave.model_validate(document["waves"][0])
    mapped, column_map = map_to_codebook(export, codebook)
    coded, _ = standardise(mapped, column_map, codebook, wave)
    counts = RuleCounts(rows=len(coded))
    _fit_completeness(document, mapped, coded, codebook, counts)
    quality = dict(document["quality"])
    counts.durations = durations_usable(coded)
    # rows set aside before the speeder and breakdown rules (as a run's cleaning takes them):
    # their durations are not the median's, their missing breakdowns count against nothing
    earlier = _set_aside(coded, codebook) | _incomplete(coded, QualityRules.model_validate(quality))
    if counts.durations is None:
        durations = pd.to_numeric(coded["duration_seconds"], errors="coerce")
        pool = durations[~earlier] if (~earlier).any() else durations
        median = float(pool.median())
        counts.median_seconds = median
        default = QualityRules.model_fields["speeder_min_seconds"].default
        quality["speeder_min_seconds"] = float(
            min(default, math.floor(quality["speeder_fraction"] * median))
        )
    document["quality"] = quality
    dimensions = [
        _named(document, question_id, notes)
        for question_id in _dimensions(document, coded, earlier)
    ]
    document["dimensions"] = dimensions
    document["profile"] = list(dimensions)
    codebook = Codebook.model_validate(document)
    if any(dimension not in coded for dimension in dimensions):  # renamed: code it again
        mapped, column_map = map_to_codebook(export, codebook)
        coded, _ = standardise(mapped, column_map, codebook, wave)
    counts.by_rule, every = _rule_counts(coded, codebook)
    if every.all() and len(coded):
        _relax(document, coded, counts)
        codebook = Codebook.model_validate(document)
        counts.by_rule, every = _rule_counts(coded, codebook)
    counts.set_aside = int(every.sum())
    return counts


# ------------------------------------------------------------------------ questions
def _skip(question: dict[str, Any], reason: str, columns: list[str]) -> dict[str, Any]:
    return {
        "id": question["id"],
        "type": "skip",
        "text": question["text"],
        "reason": reason,
        **({"columns": columns} if columns else {}),
    }


def _export_columns(question: dict[str, Any]) -> list[str]:
    """The export columns a drafted question names."""
    named: list[str] = []
    if question.get("column"):
        named.append(question["column"])
    named += question.get("columns", [])
    named += [o["column"] for o in question.get("options", []) if o.get("column")]
    for topic in question.get("topics", []):
        named += list(topic.get("columns", {}).values())
    if question.get("other_column"):
        named.append(question["other_column"])
    return named


def _valid_questions(document: dict[str, Any], notes: dict[str, list[str]]) -> None:
    """Questions that are not valid as drafted become ``skip``."""
    scales = document["scales"]
    for position, question in enumerate(document["questions"]):
        try:
            checked = Question.model_validate(question)
        except ValidationError as error:
            problem = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
            reason = f"the draft could not describe it ({problem})"
        else:
            wanted = [checked.scale] if checked.scale else []
            wanted += [item.scale for item in checked.items]
            if all(scale in scales for scale in wanted):
                continue
            reason = "the draft found no scale for it"
        document["questions"][position] = _skip(question, reason, _export_columns(question))
        notes[question["id"]] = [f"not analysed: {reason}"]


def _skip_unfound(
    document: dict[str, Any], export: RawExport, notes: dict[str, list[str]]
) -> Codebook:
    """Questions whose columns :func:`~survey.io.map_to_codebook` does not find become
    ``skip``; the checked codebook of what is left."""
    while True:
        codebook = Codebook.model_validate(document)
        _, column_map = map_to_codebook(export, codebook)
        if not column_map.missing:
            return codebook
        missing = set(column_map.missing)
        changed = False
        if "consent" in missing and "consent" in document:
            del document["consent"]  # its column is not in the export after all
            changed = True
        for position, question in enumerate(document["questions"]):
            checked = codebook.question(question["id"])
            fields = _fields(checked)
            lost = [name for name in fields if name in missing]
            if not lost:
                continue
            reason = "the toolkit cannot find its columns in the export: " + ", ".join(lost[:3])
            document["questions"][position] = _skip(question, reason, _export_columns(question))
            notes[question["id"]] = [f"not analysed: {reason}"]
            changed = True
        if not changed:
            return codebook


def _fields(question: Question) -> list[str]:
    """The fields :func:`~survey.io.map_to_codebook` looks for, for one question."""
    if question.type is QuestionType.GRID:
        return [c for item in question.items for c in question.grid_columns(item)]
    if question.type is QuestionType.MULTI:
        fields = [question.id, *question.multi_columns(), *question.slot_fields()]
    else:
        fields = [question.id]
    return [*fields, *([question.other] if question.other else [])]


# ------------------------------------------------------------------------ dimensions
#: Question text that asks for a view, or one statement of a set (``Question [statement]``):
#: never a profile question, whatever words it holds.
OPINION = re.compile(
    r"(?i)\bhow (?:would|do|did) you (?:describe|rate|feel|find|judge)|\bplease rate|\brelevant"
    r"|\bimportan|\[[^\]]+\]\s*$"
)


def _dimensions(document: dict[str, Any], coded: pd.DataFrame, base: pd.Series) -> list[str]:
    """Up to :data:`DIMENSIONS_MAX` single-choice questions to break results down by: about
    the respondent (in their words: role, sector, region, age ...), of 2 to 12 options,
    answered with a valid option by at least :data:`DIMENSION_MIN_ANSWERED` of the rows no
    other rule sets aside, in questionnaire order."""
    pool = coded[~base] if (~base).any() else coded
    chosen: list[str] = []
    for question in document["questions"]:
        if question["type"] != "single" or question["id"] not in pool or not len(pool):
            continue
        if PROFILE_WORDS.search(f"{question['id'].replace('_', ' ')} {question['text']}") is None:
            continue
        if OPINION.search(question["text"]):
            continue  # a view of something ("how would you describe the job board"), not who
        codes = {option["code"] for option in question["options"]}
        if not 2 <= len(codes) <= 12:
            continue
        valid = pool[question["id"]].isin(codes)
        if valid.mean() < DIMENSION_MIN_ANSWERED or pool[question["id"]][valid].nunique() < 2:
            continue  # many without an answer, or one group only: nothing to compare
        chosen.append(question["id"])
    return chosen[:DIMENSIONS_MAX]


def _named(document: dict[str, Any], question_id: str, notes: dict[str, list[str]]) -> str:
    """A breakdown's id in words when it is a bare export tag (``q1`` of "What is your
    role?" becomes ``role``): it names a dimension in every table."""
    if not re.fullmatch(r"q\d+(?:_\d+)*", question_id):
        return question_id
    question = next(q for q in document["questions"] if q["id"] == question_id)
    taken = {q["id"] for q in document["questions"]}
    names = [identifier(question["text"], words=count, limit=24, fallback="") for count in (1, 2)]
    wanted = next(
        (name for name in names if name not in taken and re.fullmatch(r"[a-z][a-z0-9_]*", name)),
        None,
    )
    if wanted is None:
        return question_id
    question.setdefault("column", question_id)
    question["id"] = wanted
    notes[wanted] = notes.pop(question_id, [])
    return wanted


# ---------------------------------------------------------------------------- rules
def _set_aside(coded: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """Rows that are not responses to analyse whatever the thresholds: no id, a repeated
    id, no consent, a test response."""
    ids = coded["respondent_id"]
    aside = ids.isna() | (ids.notna() & ids.duplicated(keep="first"))
    if codebook.consent is not None and "consent" in coded:
        aside |= coded["consent"] != "yes"
    return aside | test_responses(coded, codebook)


def _rule_counts(coded: pd.DataFrame, codebook: Codebook) -> tuple[dict[str, int], pd.Series]:
    """Rows each rule sets aside, and the rows any rule does, as a run would apply them."""
    quality = codebook.quality
    ids = coded["respondent_id"]
    rules: dict[str, pd.Series] = {
        Reason.MISSING_ID: ids.isna(),
        Reason.DUPLICATE_ID: ids.notna() & ids.duplicated(keep="first"),
    }
    if codebook.consent is not None and "consent" in coded:
        rules[Reason.NO_CONSENT] = coded["consent"] != "yes"
    rules[Reason.TEST_RESPONSE] = test_responses(coded, codebook)
    not_a_response = (
        rules[Reason.MISSING_ID]
        | rules[Reason.DUPLICATE_ID]
        | rules.get(Reason.NO_CONSENT, pd.Series(False, index=coded.index))
    )
    rules[Reason.DUPLICATE] = duplicate_people(
        coded, quality.duplicate_keys, eligible=~not_a_response & ~rules[Reason.TEST_RESPONSE]
    )
    rules[Reason.INCOMPLETE] = _incomplete(coded, quality)
    for dimension in codebook.dimensions:
        codes = codebook.question(dimension).option_codes()
        rules[Reason.invalid(dimension)] = ~coded[dimension].isin(codes)
    aside = np.logical_or.reduce([mask.to_numpy(dtype=bool) for mask in rules.values()])
    rules[Reason.SPEEDER], _ = speeders(
        coded, quality, eligible=pd.Series(~aside, index=coded.index)
    )
    rules[Reason.STRAIGHTLINER] = straightliners(coded, codebook)
    every = pd.Series(
        np.logical_or.reduce([mask.to_numpy(dtype=bool) for mask in rules.values()]),
        index=coded.index,
    )
    return {str(name): int(mask.sum()) for name, mask in rules.items()}, every


def _incomplete(coded: pd.DataFrame, quality: QualityRules) -> pd.Series:
    """The completeness rule of validation: progress, else a submit date, else the share of
    the questions shown that were answered."""
    if "progress" in coded:
        return ~(coded["progress"] >= quality.min_progress)
    if "submit_date" in coded and coded["submit_date"].notna().any():
        return coded["submit_date"].isna()
    return ~(coded["answered_share"] >= quality.min_answered_share)


#: A response whose last answer is in this last share of the questionnaire's columns (in export
#: order, among the columns anyone answered) reached the end of the questionnaire.
FINISHED_REACH = 0.9


def finished(cells: pd.DataFrame, missing: Iterable[str]) -> pd.Series:
    """Responses that reached the end of the questionnaire: their last answer is in its last
    :data:`FINISHED_REACH` of ``cells``' columns (answers only, in export order, among the
    columns anyone answered). Blanks and ``missing`` labels are no answer.

    >>> cells = pd.DataFrame({**{f"q{n}": ["a", "a", None] for n in range(9)},
    ...                       "q9": ["a", "N/A", "a"], "q10": [None, None, None]})
    >>> finished(cells, ["N/A"]).tolist()
    [True, False, True]
    """
    missing_keys = {normalise(label) for label in missing}
    text = cells.apply(lambda column: column.map(normalise, na_action="ignore"))
    said = (text.notna() & (text != "") & ~text.isin(missing_keys)).to_numpy(dtype=bool)
    said = said[:, said.any(axis=0)]
    if not said.shape[1]:
        return pd.Series(False, index=cells.index)
    last = np.where(said.any(axis=1), said.shape[1] - 1 - np.argmax(said[:, ::-1], axis=1), -1)
    return pd.Series(last >= math.ceil(FINISHED_REACH * (said.shape[1] - 1)), index=cells.index)


def _fit_completeness(
    document: dict[str, Any],
    mapped: pd.DataFrame,
    coded: pd.DataFrame,
    codebook: Codebook,
    counts: RuleCounts,
) -> None:
    """Where completeness is the share of questions answered (no progress, no submit date),
    lower ``min_answered_share`` to what the responses that reached the end of the
    questionnaire answered: a finished response that left optional questions blank is not a
    break-off."""
    if "progress" in coded or ("submit_date" in coded and coded["submit_date"].notna().any()):
        return
    meta = {"respondent_id", *METADATA, *codebook.personal_data, codebook.weighting.base_weight}
    answers = [column for column in mapped.columns if column not in meta]
    done = finished(mapped[answers], codebook.missing_labels)
    if not done.any():
        return
    quality = dict(document["quality"])
    least = float(coded.loc[done, "answered_share"].min())
    threshold = math.floor(least * 100) / 100
    if threshold >= quality["min_answered_share"]:
        return
    quality["min_answered_share"] = threshold
    document["quality"] = quality
    counts.relaxed.append(
        f"min_answered_share lowered to {threshold:g}: the {int(done.sum())} responses that "
        f"reached the end of the questionnaire answered as few as {least:.1%} of the closed "
        "questions they were shown (questions left blank on the way are optional, not a "
        "break-off)"
    )


def _relax(document: dict[str, Any], coded: pd.DataFrame, counts: RuleCounts) -> None:
    """Every row would be set aside: lower the completeness and speed thresholds to what the
    export's best rows reach, so that a run of the draft has something to analyse (the
    comments say so)."""
    quality = dict(document["quality"])
    if "progress" in coded and coded["progress"].notna().any():
        best = float(coded["progress"].max())
        if best < quality["min_progress"]:
            quality["min_progress"] = best
            counts.relaxed.append(
                f"min_progress lowered to {best:g}: no response in this export reached "
                f"{document['quality']['min_progress']:g}%"
            )
    elif "answered_share" in coded:
        best = float(coded["answered_share"].max())
        if best < quality["min_answered_share"]:
            quality["min_answered_share"] = math.floor(best * 100) / 100
            counts.relaxed.append(
                f"min_answered_share lowered to {quality['min_answered_share']:g}: no response "
                "in this export answered more of the questions it was shown"
            )
    if counts.durations is None and quality["speeder_fraction"] > 0:
        quality["speeder_fraction"] = 0.0
        quality["speeder_min_seconds"] = 0.0
        counts.relaxed.append("speeder rule switched off: it would set every response aside")
    document["quality"] = quality
