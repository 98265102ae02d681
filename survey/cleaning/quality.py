"""Response-quality rules: each a pure function from the coded wave to a boolean mask.

The thresholds come from the codebook's ``quality`` section.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from survey.cleaning.recode import map_distinct, normalise
from survey.codebook import Codebook, QualityRules, QuestionType

__all__ = [
    "duplicate_people",
    "durations_usable",
    "speeders",
    "straightliners",
    "test_responses",
]


def test_responses(coded: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """Rows whose open text or name matches one of the codebook's test patterns.

    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> codebook = load_codebook(reference_codebook_path())
    >>> coded = pd.DataFrame({"comments": ["TEST please ignore", "Testing tools", None],
    ...                       "first_name": [None, None, "test"]})
    >>> test_responses(coded, codebook).tolist()
    [True, False, True]
    """
    patterns = codebook.quality.test_patterns
    flagged = pd.Series(False, index=coded.index)
    if not patterns:
        return flagged
    pattern = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    columns = [*codebook.text_columns(), "first_name", "last_name"]
    for column in columns:
        if column in coded:
            matches = map_distinct(
                coded[column],
                lambda value: isinstance(value, str) and pattern.search(value) is not None,
                missing=False,
            )
            flagged |= pd.Series(matches.astype(bool), index=coded.index)
    return flagged


#: Durations that are not answering times: more than this share of responses ending before they
#: start (clock or time-zone trouble), or a median response longer than this.
NEGATIVE_DURATIONS_MAX = 0.01
MEDIAN_SECONDS_MAX = 2 * 3600


def durations_usable(coded: pd.DataFrame) -> str | None:
    """Why the speeder rule cannot be applied to a wave (``None``: it can): the export has no
    durations, every duration is zero (as in test and imported exports), or they are not
    answering times (many end before they start; a median of hours, as in interviewer forms).

    >>> durations_usable(pd.DataFrame({"duration_seconds": [0, 0, None]}))
    'every response took 0 seconds'
    >>> durations_usable(pd.DataFrame({"duration_seconds": [0, 95]})) is None
    True
    >>> durations_usable(pd.DataFrame({"duration_seconds": [600, 13777, 77364]}))[:26]
    'the median response took 3'
    """
    if "duration_seconds" not in coded:
        return "the export has no durations"
    durations = pd.to_numeric(coded["duration_seconds"], errors="coerce")
    if durations.notna().sum() == 0:
        return "the export has no durations"
    if (durations.fillna(0) <= 0).all():
        return "every response took 0 seconds"
    backwards = int((durations < 0).sum())
    if backwards > NEGATIVE_DURATIONS_MAX * durations.notna().sum():
        return (
            f"{backwards} responses end before they start: the start and end times do not time "
            "the answering"
        )
    median = float(durations.median())
    if median > MEDIAN_SECONDS_MAX:
        return (
            f"the median response took {median / 3600:.1f} hours: the start and end times "
            "record something else than answering (a form left open, an interview saved later)"
        )
    return None


def speeders(
    coded: pd.DataFrame, quality: QualityRules, *, eligible: pd.Series | None = None
) -> tuple[pd.Series, float | None]:
    """Rows completed faster than ``max(speeder_min_seconds, speeder_fraction x median)``.

    The median is taken over the ``eligible`` rows (those not already set aside). Returns the
    mask and the threshold in seconds (``None``, and no row flagged, when the durations cannot
    be used: :func:`durations_usable`).

    >>> rules = QualityRules(speeder_fraction=0.3, speeder_min_seconds=120)
    >>> mask, threshold = speeders(pd.DataFrame({"duration_seconds": [90, 900, 1000, 250]}), rules)
    >>> mask.tolist(), threshold
    ([True, False, False, False], 172.5)
    """
    if durations_usable(coded) is not None:
        return pd.Series(False, index=coded.index), None
    durations = pd.to_numeric(coded["duration_seconds"], errors="coerce")
    pool = durations[eligible] if eligible is not None else durations
    median = float(pool.median()) if pool.notna().any() else float(durations.median())
    threshold = max(quality.speeder_min_seconds, quality.speeder_fraction * median)
    return (durations < threshold).fillna(False).astype(bool), threshold


def straightliners(coded: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """Rows giving one and the same answer to every grid item they answered, over at least
    ``straightline_min_items`` items, in each grid that asks for the check.

    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> codebook = load_codebook(reference_codebook_path())
    >>> grid = codebook.question("learning_needs")
    >>> columns = [c for item in grid.items for c in grid.grid_columns(item)]
    >>> coded = pd.DataFrame([[3] * 32, [3] * 31 + [4]], columns=columns)
    >>> straightliners(coded, codebook).tolist()
    [True, False]
    """
    flagged = pd.Series(False, index=coded.index)
    for question in codebook.questions_of(QuestionType.GRID):
        if not question.straightline_check:
            continue
        columns = [
            column
            for item in question.items
            for column in question.grid_columns(item)
            if column in coded
        ]
        if not columns:
            continue
        values = coded[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        answered = (~np.isnan(values)).sum(axis=1)
        # one distinct answer: the highest equals the lowest (fmax/fmin pass over missing)
        same = np.fmax.reduce(values, axis=1) == np.fmin.reduce(values, axis=1)
        flagged |= pd.Series(
            (answered >= codebook.quality.straightline_min_items) & same, index=coded.index
        )
    return flagged


def duplicate_people(
    coded: pd.DataFrame, keys: list[str], *, eligible: pd.Series | None = None
) -> pd.Series:
    """Every row but one of each person who answered twice (same e-mail, say).

    The kept row is the most complete (``progress``, then share of questions answered), then
    the latest (``end_date``). Rows with a blank key are never duplicates.

    >>> coded = pd.DataFrame({"email": ["a@example.org", "A@example.org ", None, None],
    ...                       "progress": [100, 40, 100, 100],
    ...                       "answered_share": [1.0, 0.4, 1.0, 1.0]})
    >>> duplicate_people(coded, ["email"]).tolist()
    [False, True, False, False]
    """
    flagged = pd.Series(False, index=coded.index)
    pool = coded if eligible is None else coded[eligible]
    for key in keys:
        if key not in pool:
            continue
        person = pool[key].map(
            lambda value: None if value is None or pd.isna(value) else normalise(value) or None
        )
        candidates = pool[person.notna()].assign(_person=person[person.notna()])
        if candidates.empty:
            continue
        order = [c for c in ("progress", "answered_share", "end_date") if c in candidates]
        ranked = candidates.sort_values(order, ascending=False, na_position="last", kind="stable")
        repeats = ranked.duplicated("_person", keep="first")
        flagged.loc[repeats[repeats].index] = True
    return flagged
