"""Rating scales in answers: a known scale's labels, a numbered scale's value labels, or
whole numbers of a question that asks for a rating; and the draft's set of scales, where a
question reuses a scale whose labels agree."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from survey.draft.vocabulary import INTEGER, KNOWN_SCALES, folded, normalise

__all__ = ["ScaleGuess", "Scales", "guess_scale", "numbered_labels"]


@dataclass
class ScaleGuess:
    family: str
    points: dict[int, str]  # code -> label (as exported where seen)
    seen: set[int]  # codes seen in the answers
    notes: list[str]


def _match_points(values: list[str], variant: list[list[str]]) -> dict[str, int] | None:
    """Each distinct answer's point on a scale variant, or ``None`` if one does not fit.

    An answer fits a point by one of its spellings, or as a near miss (a typo such as
    ``Disgree``); two answers may not share a point."""
    spellings = {spelling: point for point, names in enumerate(variant) for spelling in names}
    placed: dict[str, int] = {}
    for value in values:
        key = folded(value)
        point = spellings.get(key)
        if point is None and len(key) >= 5:
            near = difflib.get_close_matches(key, list(spellings), n=1, cutoff=0.85)
            point = spellings[near[0]] if near else None
        if point is None:
            return None
        placed[value] = point
    if len(set(placed.values())) != len(placed):
        return None
    return placed


def guess_scale(
    values: list[str],
    labels: dict[str, str] | None,
    *,
    rating: bool = False,
    ordinal: bool = False,
) -> ScaleGuess | None:
    """The rating scale these answers come from: a known scale's labels, a numbered scale's
    value labels, value labels declared ordinal (``ordinal``), or whole numbers of a question
    that asks for a rating (``rating``). Whole numbers alone are no scale: codes of a nominal
    question ("which fruit", 1-7) are single choice.

    Labels may be mixed with the digits of their points (``Agree`` and ``4``), as the toolkit
    reads both.

    >>> guess_scale(["1", "3", "2", "5"], None) is None
    True
    >>> guess_scale(["1", "3", "2", "5"], None, rating=True).points
    {1: '1', 2: '2', 3: '3', 4: '4', 5: '5'}
    >>> guess_scale(["Agree", "Strongly agree", "Disgree"], None).family
    'agreement'
    """
    distinct = list(dict.fromkeys(values))
    if len(distinct) < 2:
        return None
    digits = {int(float(v)) for v in distinct if INTEGER.match(v)}
    worded = [value for value in distinct if not INTEGER.match(value)]
    for family, variant in KNOWN_SCALES:
        if not worded or (digits and (min(digits) < 1 or max(digits) > len(variant))):
            continue
        placed = _match_points(worded, variant)
        if placed is None or len(set(placed.values())) < 2:
            continue
        points = {position + 1: names[0].capitalize() for position, names in enumerate(variant)}
        notes: list[str] = []
        for value, point in placed.items():
            points[point + 1] = value
            if folded(value) not in variant[point]:
                notes.append(f"{value!r} read as {variant[point][0]!r} (as exported: a typo?)")
        seen = {point + 1 for point in placed.values()} | digits
        if digits:
            notes.append(
                "some answers are the points' numbers ("
                + ", ".join(str(d) for d in sorted(digits))
                + "): read as those points"
            )
        if labels:
            order = [label for label in labels.values() if label in placed]
            if order != sorted(order, key=lambda label: placed[label]):
                notes.append("the file codes these labels in another order; scale order used")
        return ScaleGuess(family, points, seen, notes)
    numbered = numbered_labels(labels)
    if numbered is not None and all(value in numbered.values() for value in distinct):
        top = max(numbered)
        note = f"a numbered 1-{top} scale from the file's value labels"
        # the worded points are what tells two such scales apart
        seen = {code for code, label in numbered.items() if label != str(code)}
        return ScaleGuess(f"scale_1_{top}", numbered, seen, [note])
    coded = _ordinal_labels(labels) if ordinal else None
    if coded is not None and all(value in coded.values() for value in distinct):
        note = "declared ordinal in the file: its value labels in the order of their codes"
        return ScaleGuess("ordered", coded, set(coded), [note])
    if rating and not worded and len(digits) >= 3 and min(digits) >= 0 and max(digits) <= 11:
        low, high = min(digits), max(digits)
        top = next((t for t in (5, 7, 10) if 0 <= t - high <= 1), high)
        start = 0 if low == 0 else 1
        points = {code: str(code) for code in range(start, top + 1)}
        if labels:
            points |= {
                int(float(code)): label
                for code, label in labels.items()
                if INTEGER.match(code) and start <= int(float(code)) <= top
            }
        note = (
            f"whole numbers {start}-{top} of a rating question read as a {start}-{top} scale "
            "(its length guessed from the answers): write its labels"
        )
        return ScaleGuess(f"scale_{start}_{top}", points, set(digits), [note])
    return None


def _ordinal_labels(labels: dict[str, str] | None) -> dict[int, str] | None:
    """Value labels of whole-number codes (2 to 11 of them), in code order."""
    if not labels or not all(INTEGER.match(code) for code in labels):
        return None
    points = {int(float(code)): label for code, label in labels.items()}
    return dict(sorted(points.items())) if 2 <= len(points) <= 11 else None


def numbered_labels(labels: dict[str, str] | None) -> dict[int, str] | None:
    """Value labels of a numbered rating scale: codes 1..k (k from 4 to 11), most labels just
    the number or starting with it ("1 not at all" ... "7 completely")."""
    if not labels or not all(INTEGER.match(code) for code in labels):
        return None
    points = {int(float(code)): label for code, label in labels.items()}
    if sorted(points) != list(range(1, len(points) + 1)) or not 4 <= len(points) <= 11:
        return None
    numbered = sum(1 for code, label in points.items() if label.strip().startswith(str(code)))
    return points if numbered >= len(points) / 2 else None


class Scales:
    """The scales of the draft: a question's scale is reused where the labels agree."""

    def __init__(self) -> None:
        self.points: dict[str, dict[int, str]] = {}
        self.seen: dict[str, set[int]] = {}
        self.family: dict[str, str] = {}
        self.notes: dict[str, list[str]] = {}

    def unseen_notes(self) -> dict[str, str]:
        """Per scale, the points no answer used (the scale's length is a guess then)."""
        notes: dict[str, str] = {}
        for name, points in self.points.items():
            unseen = [points[code] for code in sorted(set(points) - self.seen[name])]
            if unseen and not self.family[name].startswith("scale_"):
                notes[name] = (
                    f"{len(points)}-point {self.family[name]} scale guessed; never answered: "
                    + ", ".join(repr(label) for label in unseen)
                )
        return notes

    def place(self, guess: ScaleGuess) -> str:
        for name, points in self.points.items():
            if self.family[name] != guess.family or set(points) != set(guess.points):
                continue
            clash = any(
                code in self.seen[name] and normalise(points[code]) != normalise(label)
                for code, label in guess.points.items()
                if code in guess.seen
            )
            if clash:
                continue
            for code in guess.seen - self.seen[name]:
                points[code] = guess.points[code]
            self.seen[name] |= guess.seen
            self.notes[name] += [note for note in guess.notes if note not in self.notes[name]]
            return name
        name, number = guess.family, 1
        while name in self.points:
            number += 1
            name = f"{guess.family}_{number}"
        self.points[name] = dict(guess.points)
        self.seen[name] = set(guess.seen)
        self.family[name] = guess.family
        self.notes[name] = list(guess.notes)
        return name
