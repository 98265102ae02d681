"""The planted mess: the problems of real exports, planted in a few known rows of each wave.

Each kind of mess has a count (``_MESS_COUNTS``: how many rows of a wave of the default size get
it, scaled with ``n`` by :func:`mess_counts`) and a description (``_MESS_DESCRIPTIONS``, in
words for the ground truth and the README). :func:`plant_mess` plants every kind in its own
disjoint set of rows of the complete answers, and :func:`wave_truth` records, by respondent id,
which rows got which kind, why each excluded row should be quarantined (``_EXCLUDING``) and
which ids should survive cleaning.

To plant a new kind of problem: give it a count in ``_MESS_COUNTS`` and a description in
``_MESS_DESCRIPTIONS``; pick its rows and plant it in :func:`plant_mess` (``pick``); if cleaning
should set its rows aside, add it to ``_EXCLUDING`` (its name is then the quarantine reason);
check it in ``tests/test_demo.py`` and ``tests/test_demo_run.py``, and regenerate ``data/raw/``
with ``survey demo``. Mess that only one layout can have is planted under ``layout == ...``
(partial responses, grid ratings exported as digits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from survey.demo.answers import GENUINE_OTHER_SECTORS, Responses
from survey.demo.arrays import Bools, Ints, Strings, text_array
from survey.demo.instrument import Instrument, WaveSpec
from survey.demo.respondents import fallback_email

__all__ = ["Planted", "mess_counts", "mess_descriptions", "plant_mess", "wave_truth"]


_MESS_REFERENCE_ROWS = 750  # the default wave size the mess counts below are meant for


#: How many rows of each kind of mess a wave of the default size gets.
_MESS_COUNTS: dict[str, int] = {
    "sector_variants": 8,
    "other_backcode": 5,
    "invalid_sector": 3,
    "incomplete": 12,
    "duplicate_person": 4,
    "test_response": 3,
    "speeder": 6,
    "straightliner": 5,
    "no_consent": 4,
    "duplicate_id": 1,
    "hours_text": 6,
    "hours_impossible": 4,
    "email_in_text": 6,
    "curly_quotes": 6,
}


#: What each kind of mess is, for the ground truth and the README (``{...}``: codebook labels).
_MESS_DESCRIPTIONS: dict[str, str] = {
    "sector_variants": "sector typed in another case or spacing, or as an option code or alias "
    "('Public Library ', 'PUBLIC', '  academic'); valid once normalised "
    "(expected code in sector_expected)",
    "other_backcode": "sector '{other}' whose text names an existing option "
    "('public library branch', to be back-coded to public), and a couple of genuine others; "
    "expected code in sector_expected",
    "invalid_sector": "a sector answer that matches no option, label or alias; quarantined",
    "incomplete": "a partial response: Qualtrics Progress below 100 and Finished False, "
    "SurveyMonkey answers that stop part-way; later answers blank; excluded",
    "duplicate_person": "the same person (same e-mail) answered twice: the row to drop (less "
    "complete, or as complete but earlier); the row to keep is in duplicate_keep",
    "test_response": "a test: 'TEST please ignore' in the comments, or first name 'Test'; excluded",
    "speeder": "finished in 60-100 seconds against a median of about 15 minutes; excluded",
    "straightliner": "{middle} on every grid item of every grid; excluded",
    "no_consent": "consent 'No' and nothing else answered; excluded",
    "duplicate_id": "a respondent id exported twice (an exact repeat of a row, appended at the "
    "end); the second copy is excluded, the id itself is analysed",
    "hours_text": "cpd_hours typed as text ('40 hrs', 'approx 20', '2,000'); valid once parsed "
    "(expected number in hours_expected)",
    "hours_impossible": "cpd_hours impossible or unparseable ('-1', '5000', 'lots'); the value "
    "becomes missing, the row is analysed",
    "email_in_text": "an e-mail address or phone number inside learn_next or comments (the "
    "planted strings in pii_strings); to be scrubbed, the row is analysed",
    "curly_quotes": "comments with curly quotes (’ “ ”), in the Windows-1252 wave only; valid",
    "grid_digits": "grid ratings exported as digits '1'-'5' instead of labels (Qualtrics only, "
    "about 3% of rows); valid once coded",
}


#: The reason a row of each excluding kind should be quarantined for.
_EXCLUDING = (
    "no_consent",
    "test_response",
    "duplicate_person",
    "incomplete",
    "invalid_sector",
    "speeder",
    "straightliner",
)

#: The text that some kinds of mess plant.
_CURLY_COMMENTS = (
    "The regional “library day” was the best learning I’ve had in years.",
    "Please don’t schedule everything on Fridays – that’s our busiest day.",
    "Our board’s view is “training is a cost”, which makes it hard.",
    "I’d love a “train the trainer” course for small branches.",
    "We can’t travel in winter; the “online first” approach helps.",
    "More “hands-on” sessions, please – webinars aren’t enough.",
)
_INVALID_SECTORS = ("Publc libary xyz", "Libary??", "xyz", "Acadmic libary (see below)")
_HOURS_TEXT = ("{n} hrs", "approx {n}", "{n:,}", "about {n} hours", "~{n}", "{n} hours")
_HOURS_IMPOSSIBLE = ("-1", "5000", "lots", "not sure", "-10", "99999")
_PII_TEMPLATES = (
    "email me at {email} about mentoring",
    "call 250-555-{phone} if you need a presenter",
    "contact {email} or (604) 555 {phone2}",
    "I can host a workshop, reach me at {email}",
    "phone me: 250-555-{phone}",
)
_TEST_VARIANTS = ("comments", "first_name", "learn_next")
_DECLINE = "No"  # the answer of someone who does not consent (the codebook lists only yeses)


def mess_counts(n: int | None, *, curly: bool) -> dict[str, int]:
    """How many rows of each kind a wave gets: at least one each, scaled with ``n``; curly
    quotes only if ``curly`` (a Qualtrics wave not in UTF-8)."""
    scale = 1.0 if n is None else n / _MESS_REFERENCE_ROWS
    counts = {kind: max(1, round(base * scale)) for kind, base in _MESS_COUNTS.items()}
    if not curly:
        counts["curly_quotes"] = 0
    return counts


@dataclass
class Planted:
    """Which rows got which mess (row positions before the final ordering)."""

    kinds: dict[str, Ints] = field(default_factory=dict)
    keep: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sector_expected: dict[int, str] = field(default_factory=dict)
    hours_expected: dict[int, float] = field(default_factory=dict)
    hours_raw: dict[int, str] = field(default_factory=dict)
    pii: dict[int, list[str]] = field(default_factory=dict)


def _fields(instrument: Instrument) -> list[tuple[str, str, bool]]:
    """Answer fields in questionnaire order: (kind, key, closed) with kind ``answer`` or
    ``multi``; consent first."""
    result: list[tuple[str, str, bool]] = [("answer", "consent", True)]
    for question in instrument.questions:
        if question.type == "grid":
            result += [("answer", column, True) for column in instrument.grid_columns()]
        elif question.type == "multi":
            result.append(("multi", question.id, True))
        else:
            result.append(("answer", question.id, question.type in ("single", "likert")))
        if question.other:
            result.append(("answer", question.other, False))
    return result


def _blank_from(
    responses: Responses, rows: Ints, cuts: Ints, answer_fields: list[tuple[str, str, bool]]
) -> None:
    """Blank every answer field at or after position ``cuts[i]`` of row ``rows[i]``."""
    for position, (kind, key, _) in enumerate(answer_fields):
        affected = rows[cuts <= position]
        if affected.size == 0:
            continue
        if kind == "multi":
            responses.multi[key][affected] = False
        else:
            responses.answers[key][affected] = ""


def plant_mess(
    instrument: Instrument,
    rng: np.random.Generator,
    base: Responses,
    counts: Mapping[str, int],
    layout: str,
) -> tuple[Responses, Planted]:
    """Plant the mess in disjoint sets of rows, in place. The last ``duplicate_person`` rows
    of ``base`` are placeholders for the second answers of people who answered twice."""
    q = instrument.question
    sector_q = q("sector")
    pairs = counts["duplicate_person"]
    size = base.rows - pairs
    used = np.zeros(base.rows, dtype=bool)
    order = rng.permutation(size)
    sector_codes = text_array(sector_q.codes)[base.sector]

    def pick(kind: str, count: int, eligible: Bools | None = None) -> Ints:
        candidates = order[~used[order]]
        if eligible is not None:
            candidates = candidates[eligible[candidates]]
        chosen = np.sort(candidates[:count]).astype(np.int64)
        if len(chosen) < count:
            raise ValueError(f"too few rows to plant {count} x {kind}; use a larger n")
        used[chosen] = True
        return chosen

    planted = Planted()
    keep = pick("duplicate_keep", pairs)
    kinds: dict[str, Ints] = {}
    kinds["duplicate_id"] = pick("duplicate_id", counts["duplicate_id"])
    alias_count = counts["other_backcode"] - counts["other_backcode"] // 3
    backcode_public = pick("other_backcode", alias_count, sector_codes == "public")
    backcode_genuine = pick("other_backcode", counts["other_backcode"] - alias_count)
    kinds["other_backcode"] = np.sort(np.concatenate([backcode_public, backcode_genuine]))
    kinds["sector_variants"] = pick(
        "sector_variants", counts["sector_variants"], sector_codes != "other"
    )
    for kind in (
        "invalid_sector",
        "incomplete",
        "test_response",
        "speeder",
        "straightliner",
        "no_consent",
        "hours_text",
        "hours_impossible",
        "email_in_text",
        "curly_quotes",
    ):
        kinds[kind] = pick(kind, counts[kind])

    # the people who answer twice: the kept row is complete and has no "not applicable"
    grid_columns = instrument.grid_columns()
    imp_labels = _grid_labels(instrument)
    answer_fields = _fields(instrument)
    for row in keep:
        if not base.email[row]:
            base.email[row] = fallback_email(rng, int(base.person[row]))
        for column in grid_columns:
            if base.answers[column][row] not in imp_labels[column]:
                base.answers[column][row] = imp_labels[column][int(rng.integers(2, 5))]
        if not base.answers["cpd_hours"][row]:
            base.answers["cpd_hours"][row] = "20"
    responses = base
    dropped = np.arange(size, size + pairs, dtype=np.int64)
    responses.copy_rows(keep, dropped)
    importance_columns = [
        c for c in grid_columns if c.startswith(instrument.grid_items[0].prefix + "_")
    ]
    confidence_columns = [c for c in grid_columns if c not in importance_columns]
    for pair, (kept_row, copy_row) in enumerate(zip(keep, dropped, strict=True)):
        shift = np.timedelta64(int(rng.integers(86400, 9 * 86400)), "s")
        if pair % 2 == 0:  # as complete, but earlier: keep the latest
            responses.start[copy_row] = responses.start[kept_row] - shift
            for column in rng.choice(importance_columns, 3, replace=False):
                responses.answers[str(column)][copy_row] = imp_labels[str(column)][
                    int(rng.integers(1, 6))
                ]
        else:  # later, but less complete: keep the most complete
            responses.start[copy_row] = responses.start[kept_row] + shift
            topics = rng.choice(len(instrument.topics), 3, replace=False)
            for topic in topics:
                responses.answers[importance_columns[int(topic)]][copy_row] = ""
                responses.answers[confidence_columns[int(topic)]][copy_row] = ""
            for key in ("cpd_hours", "learn_next", "comments"):
                responses.answers[key][copy_row] = ""
        responses.duration[copy_row] = int(rng.integers(500, 1500))
        responses.alternative_date[copy_row] = False
    responses.alternative_date[keep] = False
    kinds["duplicate_person"] = dropped
    planted.keep = keep

    responses.email[kinds["duplicate_id"]] = ""

    # sector typed in other ways: case and spacing variants of its label, code or aliases
    variants: tuple[tuple[str, Callable[[str], str]], ...] = (
        ("label", lambda text: text.title() + " "),  # "Public Library "
        ("code", str.upper),  # "PUBLIC"
        ("alias", lambda text: "  " + text),  # "  academic"
        ("code", lambda text: text),  # "public"
        ("label", lambda text: " " + text.upper() + " "),
        ("alias", lambda text: text.lower() + "  "),
        ("code", lambda text: text.title()),
        ("alias", str.upper),
    )
    for number, row in enumerate(kinds["sector_variants"]):
        position = int(responses.sector[row])
        kind, transform = variants[number % len(variants)]
        aliases = sector_q.aliases[position]
        if kind == "alias" and aliases:
            spelling = aliases[int(rng.integers(0, len(aliases)))]
        else:
            spelling = sector_q.labels[position] if kind == "label" else sector_q.codes[position]
        variant = transform(spelling)
        if variant == sector_q.labels[position]:
            variant += " "
        responses.answers["sector"][row] = variant
        planted.sector_expected[int(row)] = sector_q.codes[position]

    other_label = sector_q.labels[sector_q.other_position]
    public_position = sector_q.index("public")
    public_aliases = list(sector_q.aliases[public_position]) or [sector_q.labels[public_position]]
    preferred = [a for a in public_aliases if "branch" in a] + public_aliases
    for number, row in enumerate(backcode_public):
        alias = preferred[number % len(preferred)]
        responses.answers["sector"][row] = other_label
        responses.answers["sector_other"][row] = alias if number % 2 == 0 else alias.capitalize()
        planted.sector_expected[int(row)] = "public"
    for number, row in enumerate(backcode_genuine):
        responses.sector[row] = sector_q.other_position
        responses.answers["sector"][row] = other_label
        responses.answers["sector_other"][row] = GENUINE_OTHER_SECTORS[
            number % len(GENUINE_OTHER_SECTORS)
        ]
        planted.sector_expected[int(row)] = sector_q.codes[sector_q.other_position]

    for number, row in enumerate(kinds["invalid_sector"]):
        responses.answers["sector"][row] = _INVALID_SECTORS[number % len(_INVALID_SECTORS)]
        responses.answers["sector_other"][row] = ""

    # partial responses: answers stop part-way
    rows = kinds["incomplete"]
    closed_positions = [i for i, (_, _, closed) in enumerate(answer_fields) if closed and i > 0]
    if layout == "qualtrics":
        cuts = rng.integers(2, len(answer_fields) - 3, len(rows))
        responses.progress[rows] = np.floor(100 * cuts / len(answer_fields)).astype(np.int64)
        responses.finished[rows] = False
    else:
        most = max(1, int(0.35 * len(closed_positions)))
        answered = rng.integers(1, most + 1, len(rows))
        cuts = np.array([closed_positions[k] for k in answered], dtype=np.int64)
    _blank_from(responses, rows, cuts.astype(np.int64), answer_fields)
    responses.email[rows] = np.where(rng.random(len(rows)) < 0.5, responses.email[rows], "")

    rows = kinds["no_consent"]
    responses.answers["consent"][rows] = _DECLINE
    _blank_from(responses, rows, np.ones(len(rows), dtype=np.int64), answer_fields)
    responses.email[rows] = ""
    responses.first_name[rows] = ""
    responses.last_name[rows] = ""

    for number, row in enumerate(kinds["test_response"]):
        variant = _TEST_VARIANTS[number % len(_TEST_VARIANTS)]
        if variant == "comments":
            responses.answers["comments"][row] = "TEST please ignore"
        elif variant == "first_name":
            responses.first_name[row] = "Test"
            responses.last_name[row] = "Response"
        else:
            responses.answers["learn_next"][row] = "test - please ignore"
        responses.email[row] = ""

    rows = kinds["speeder"]
    responses.duration[rows] = rng.integers(60, 101, len(rows))
    responses.alternative_date[rows] = False

    rows = kinds["straightliner"]
    for item in instrument.grid_items:
        middle = instrument.scales[item.scale][3]
        for topic in instrument.topics:
            responses.answers[f"{item.prefix}_{topic}"][rows] = middle

    for number, row in enumerate(kinds["hours_text"]):
        template = _HOURS_TEXT[number % len(_HOURS_TEXT)]
        value = int(rng.integers(1000, 2001)) if "," in template else int(rng.integers(5, 80))
        responses.answers["cpd_hours"][row] = template.format(n=value)
        planted.hours_expected[int(row)] = float(value)
    for number, row in enumerate(kinds["hours_impossible"]):
        text = _HOURS_IMPOSSIBLE[number % len(_HOURS_IMPOSSIBLE)]
        responses.answers["cpd_hours"][row] = text
        planted.hours_raw[int(row)] = text

    for number, row in enumerate(kinds["email_in_text"]):
        template = _PII_TEMPLATES[number % len(_PII_TEMPLATES)]
        email = fallback_email(rng, int(responses.person[row]))
        phone = f"01{int(rng.integers(0, 100)):02d}"
        phone2 = f"01{int(rng.integers(0, 100)):02d}"
        text = template.format(email=email, phone=phone, phone2=phone2)
        strings = []
        if "{email}" in template:
            strings.append(email)
        if "250-555-{phone}" in template:
            strings.append(f"250-555-{phone}")
        if "(604) 555 {phone2}" in template:
            strings.append(f"(604) 555 {phone2}")
        target = "learn_next" if number % 2 == 0 else "comments"
        responses.answers[target][row] = text
        planted.pii[int(row)] = strings

    for number, row in enumerate(kinds["curly_quotes"]):
        responses.answers["comments"][row] = _CURLY_COMMENTS[number % len(_CURLY_COMMENTS)]

    if layout == "qualtrics":
        share = max(1, round(0.03 * size))
        kinds["grid_digits"] = pick("grid_digits", share)
        responses.grid_digits[kinds["grid_digits"]] = True
    planted.kinds = kinds
    return responses, planted


def _grid_labels(instrument: Instrument) -> dict[str, list[str]]:
    """For every grid column, the labels of codes 0..5 of its scale (0 is blank)."""
    result: dict[str, list[str]] = {}
    for item in instrument.grid_items:
        scale = instrument.scales[item.scale]
        labels = [""] + [scale[code] for code in range(1, 6)]
        for topic in instrument.topics:
            result[f"{item.prefix}_{topic}"] = labels
    return result


def mess_descriptions(instrument: Instrument) -> dict[str, str]:
    """The kinds of mess in words, labels taken from the codebook."""
    sector = instrument.question("sector")
    labels = {
        "other": sector.labels[sector.other_position],
        "middle": "/".join(
            f"'{instrument.scales[item.scale][3]}'" for item in instrument.grid_items
        ),
    }
    return {kind: text.format(**labels) for kind, text in _MESS_DESCRIPTIONS.items()}


def wave_truth(spec: WaveSpec, ids: Strings, final: Ints, planted: Planted) -> dict[str, Any]:
    """The wave's part of the ground truth, by respondent id: the rows of each kind, the
    excluded ids with their reasons, the expected counts and the ids that should be analysed.
    ``final`` is the export order of the rows (re-exported duplicates at the end)."""

    def named(rows: Iterable[int]) -> list[str]:
        return sorted(str(ids[row]) for row in rows)

    kinds = {kind: named(rows) for kind, rows in planted.kinds.items()}
    excluded: dict[str, str] = {}
    for kind in _EXCLUDING:
        for identifier in kinds.get(kind, []):
            excluded.setdefault(identifier, kind)
    repeats = len(planted.kinds["duplicate_id"])  # appended at the end of the file
    unique_ids = ids[final[: len(final) - repeats]]
    analysed = [identifier for identifier in unique_ids.tolist() if identifier not in excluded]
    truth: dict[str, Any] = {
        "file": spec.file,
        "layout": spec.layout,
        "encoding": spec.encoding if spec.layout == "qualtrics" else None,
        "date_formats": list(spec.date_formats),
        "rows": len(final),
        "respondents": len(unique_ids),
    }
    for kind in [*_MESS_COUNTS, "grid_digits"]:
        truth[kind] = kinds.get(kind, [])
    truth["duplicate_keep"] = named(planted.keep)
    truth["duplicate_pairs"] = [
        {"keep": str(ids[keep]), "drop": str(ids[drop])}
        for keep, drop in zip(planted.keep, planted.kinds["duplicate_person"], strict=True)
    ]
    truth["sector_expected"] = {
        str(ids[row]): code for row, code in sorted(planted.sector_expected.items())
    }
    truth["hours_expected"] = {
        str(ids[row]): value for row, value in sorted(planted.hours_expected.items())
    }
    truth["hours_impossible_values"] = {
        str(ids[row]): text for row, text in sorted(planted.hours_raw.items())
    }
    truth["pii_strings"] = {str(ids[row]): strings for row, strings in sorted(planted.pii.items())}
    truth["excluded"] = dict(sorted(excluded.items()))
    reasons = [*excluded.values()] + ["duplicate_id"] * (len(final) - len(unique_ids))
    truth["expected_quarantined_rows"] = {
        reason: reasons.count(reason) for reason in [*_EXCLUDING, "duplicate_id"]
    }
    truth["expected_analysed_count"] = len(analysed)
    truth["expected_analysed"] = analysed
    return truth
