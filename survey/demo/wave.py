"""One demo wave: respondents, answers, planted mess, ids, export order and ground truth.

:func:`make_wave` makes one wave of the codebook, with a random generator seeded by the seed
and the wave id so that each wave is reproducible alone: its respondents
(:mod:`survey.demo.respondents`), their complete answers (:mod:`survey.demo.answers`), the
planted mess (:mod:`survey.demo.mess`), then the platform's respondent ids and row order
(Qualtrics: ``R_...`` ids, rows by recorded date; SurveyMonkey: numeric ids, rows by start
date; re-exported rows last) and the wave's ground truth. :mod:`survey.demo.writers` renders the
:class:`Wave` in its layout.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from survey.demo.answers import Responses, complete_answers
from survey.demo.arrays import Strings, int_text
from survey.demo.instrument import Instrument, WaveSpec
from survey.demo.mess import mess_counts, plant_mess, wave_truth
from survey.demo.respondents import propensity, synthetic_people

__all__ = ["MIN_ROWS", "Wave", "make_wave"]


#: The range of a wave's rows at ``n=None`` (drawn per wave; re-exported rows included).
_DEFAULT_ROWS = (640, 880)
MIN_ROWS = 40  # below this the planted mess would swamp the data


@dataclass
class Wave:
    """One wave, ready to render: its rows in export order, their ids and its ground truth."""

    spec: WaveSpec
    responses: Responses
    ids: Strings
    truth: dict[str, Any]


def _wave_key(wave_id: str) -> int:
    """The wave's part of the seed: the year, or a checksum of another id."""
    return int(wave_id) if wave_id.isdigit() else zlib.crc32(wave_id.encode("utf-8"))


def make_wave(
    instrument: Instrument,
    spec: WaveSpec,
    position: int,
    seed: int,
    frame: Mapping[str, Any] | None,
    n: int | None,
) -> Wave:
    """One wave: respondents, answers, planted mess, ids, export order and ground truth. The
    generator is seeded by ``seed`` and the wave id, so each wave is reproducible alone."""
    rng = np.random.default_rng([seed, _wave_key(spec.id)])
    counts = mess_counts(
        n,
        curly=spec.layout == "qualtrics"
        and spec.encoding.lower() not in ("utf-8", "utf8", "utf-8-sig"),
    )
    extras = counts["duplicate_person"] + counts["duplicate_id"]
    total = int(rng.integers(*_DEFAULT_ROWS)) if n is None else n
    planted_rows = sum(counts.values()) + counts["duplicate_person"]
    if n is not None and (n < MIN_ROWS or planted_rows > n // 2):
        raise ValueError(f"n must be at least {MIN_ROWS} so that the planted mess stays a minority")
    size = total - extras
    if frame is not None:
        weights = propensity(instrument, frame["sector"], frame["region"])
        chosen = np.sort(
            rng.choice(len(weights), size=size, replace=False, p=weights / weights.sum())
        )
        people = {key: value[chosen] for key, value in frame.items()}
    else:
        people = synthetic_people(instrument, rng, size)
    # placeholder rows at the end for the second answers of people who answered twice
    placeholders = np.arange(counts["duplicate_person"]) % size
    people = {key: np.concatenate([value, value[placeholders]]) for key, value in people.items()}
    year = int(spec.id) if spec.id.isdigit() else 2024 + position
    base = complete_answers(instrument, rng, people, position, year, spec.fieldwork)
    responses, planted = plant_mess(instrument, rng, base, counts, spec.layout)

    # final order: Qualtrics by recorded (end) date, SurveyMonkey by start; re-exported rows last
    end = responses.start + responses.duration.astype("timedelta64[s]")
    key = end if spec.layout == "qualtrics" else responses.start
    order = np.argsort(key, kind="stable").astype(np.int64)
    if spec.layout == "qualtrics":
        ids = _qualtrics_ids(rng, responses.rows)
    else:
        start_id = int(rng.integers(11_400_000_000, 11_500_000_000))
        ids = np.empty(responses.rows, dtype=object)
        ids[order] = int_text(start_id + np.cumsum(rng.integers(1, 60, responses.rows)))
    repeated = planted.kinds["duplicate_id"]
    final = np.concatenate([order, repeated]).astype(np.int64)
    truth = wave_truth(spec, ids, final, planted)
    return Wave(spec, responses.take(final), ids[final], truth)


def _qualtrics_ids(rng: np.random.Generator, size: int) -> Strings:
    """``size`` distinct Qualtrics response ids (``R_`` and 15 base-62 characters)."""
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    while True:
        digits = rng.integers(0, 62, (size, 15))
        # ten base-62 digits fit an int64: if they are unique, so are the ids (else check all)
        key = (digits[:, :10] * (62 ** np.arange(10, dtype=np.int64))).sum(axis=1)
        characters = np.ascontiguousarray(alphabet[digits])
        tails = characters.view("<U15").ravel()
        if len(np.unique(key)) == size or len(np.unique(tails)) == size:
            result: Strings = np.asarray("R_" + tails.astype(object), dtype=object)
            return result
