"""A draft codebook for any questionnaire, guessed from one of its exports.

:func:`draft_codebook` reads what an export says about its columns (a
:class:`~survey.io.RawExport`: question text, value labels, declared missing values,
multiple-response sets) and what its cells hold, and guesses a codebook:

- one question per export column, or per group of columns sharing a stem
  (``text | option``, ``Q2_1``/``Q2_2``, ``Q2[SQ001]``, Qualtrics' ``text - option``);
- its type: ``likert`` when the answers are a known agreement, importance, confidence,
  satisfaction, frequency, likelihood or quality scale (order from that scale, spellings as
  exported) or whole numbers 1-5 / 1-7; ``grid`` for several such columns sharing a stem and a
  scale; ``multi`` for a declared response set, columns holding one value or blank, or one
  column of joined choices; ``number`` when the answers are numbers; ``single`` when few
  distinct answers; ``text`` otherwise;
- options from value labels or from the answers seen, with codes made from the labels;
- "Don't know", "Prefer not to say", -99 ... and the file's declared missing values under
  ``missing_labels``, never as options or scale points;
- personal data by column name (e-mail, names, phone, IP address, address, postal code,
  latitude/longitude, recipient fields) and by content (cells that are e-mail addresses, phone
  numbers or IP addresses) under ``personal_data``, so that it never reaches processed data.

No dimensions and no frame margins are guessed: a run of the draft is unweighted, and
``survey run --by`` picks the breakdowns. :meth:`Draft.to_yaml` writes the draft with comments
saying what to check; the YAML loads with :func:`~survey.codebook.load_codebook` as written.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from survey.demo import write_demo
>>> from survey.io import read_export
>>> folder = Path(tempfile.mkdtemp())
>>> _ = write_demo(folder, n=60)
>>> draft = draft_codebook(read_export(folder / "2024.csv"))
>>> draft.question("barriers")["type"], draft.question("employer_support")["scale"]
('multi', 'agreement')
>>> draft.scales()["agreement"][1], draft.scales()["agreement"][5]
('Strongly disagree', 'Strongly agree')
>>> "email" in draft.personal_data, draft.codebook().dimensions
(True, [])
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from survey.cleaning.recode import NOT_CHOSEN
from survey.codebook import Codebook, Layout, QualityRules, QuestionType
from survey.io.raw import SUBLABEL_SEPARATOR, RawExport

__all__ = ["KNOWN_SCALES", "Draft", "draft_codebook"]

# ------------------------------------------------------------------------------ vocabulary
#: Rating scales recognised in answers: name -> points in order, each point its spellings
#: (normalised: lower case, single spaces, straight quotes). The first spelling is the label
#: written when the export never shows that point. Several variants of one family share a
#: name; the first variant that takes every answer wins (5 points before 4 and 7).
KNOWN_SCALES: list[tuple[str, list[list[str]]]] = [
    (
        "agreement",
        [
            ["strongly disagree"],
            ["disagree"],
            [
                "neither agree nor disagree",
                "neither agree or disagree",
                "neither disagree nor agree",
                "neutral",
                "undecided",
            ],
            ["agree"],
            ["strongly agree"],
        ],
    ),
    ("agreement", [["strongly disagree"], ["disagree"], ["agree"], ["strongly agree"]]),
    (
        "agreement",
        [
            ["strongly disagree"],
            ["disagree"],
            ["somewhat disagree", "slightly disagree", "tend to disagree"],
            ["neither agree nor disagree", "neither agree or disagree", "neutral"],
            ["somewhat agree", "slightly agree", "tend to agree"],
            ["agree"],
            ["strongly agree"],
        ],
    ),
    (
        "agreement",
        [
            ["strongly disagree"],
            ["somewhat disagree", "tend to disagree"],
            ["neither agree nor disagree", "neither agree or disagree", "neutral"],
            ["somewhat agree", "tend to agree"],
            ["strongly agree"],
        ],
    ),
    (
        "agreement",
        [
            ["tout a fait en desaccord", "pas du tout d'accord", "fortement en desaccord"],
            ["plutot en desaccord", "plutot pas d'accord", "en desaccord"],
            ["plutot en accord", "plutot d'accord", "d'accord"],
            ["tout a fait en accord", "tout a fait d'accord", "fortement en accord"],
        ],
    ),
    (
        "importance",
        [
            ["not important", "not at all important", "unimportant"],
            ["slightly important", "of little importance", "low importance"],
            ["moderately important", "somewhat important", "moderate importance"],
            ["very important", "important"],
            ["extremely important", "essential", "critical"],
        ],
    ),
    (
        "confidence",
        [
            ["not at all confident", "not confident"],
            ["slightly confident", "a little confident"],
            ["moderately confident", "somewhat confident"],
            ["very confident", "confident"],
            ["extremely confident", "completely confident", "fully confident"],
        ],
    ),
    (
        "satisfaction",
        [
            ["very dissatisfied", "extremely dissatisfied"],
            ["dissatisfied", "somewhat dissatisfied"],
            ["neither satisfied nor dissatisfied", "neither satisfied or dissatisfied", "neutral"],
            ["satisfied", "somewhat satisfied"],
            ["very satisfied", "extremely satisfied"],
        ],
    ),
    (
        "frequency",
        [
            ["never"],
            ["rarely", "seldom"],
            ["sometimes", "occasionally"],
            ["often", "usually", "frequently"],
            ["always", "very often"],
        ],
    ),
    (
        "likelihood",
        [
            ["very unlikely", "extremely unlikely"],
            ["unlikely", "somewhat unlikely"],
            ["neither likely nor unlikely", "neither likely or unlikely", "neutral"],
            ["likely", "somewhat likely"],
            ["very likely", "extremely likely"],
        ],
    ),
    (
        "quality",
        [["very poor"], ["poor"], ["fair", "average"], ["good"], ["very good", "excellent"]],
    ),
]

#: Answers that usually mean "no answer": kept out of options and scales, listed as missing.
_MISSING_ANSWER = re.compile(
    r"^(?:n/?a|n\.a\.|not applicable\b.*|does not apply|don'?t know|do not know|dk"
    r"|not sure|unsure|no opinion|prefer not to (?:say|answer|disclose|respond)"
    r"|rather not (?:say|answer)|no answer|no response|refused|declined?(?: to answer)?"
    r"|-9|-99|-999|-98|-97|-9999|999|9999)$"
)
#: Of those, the ones that may well be real answers ("Not sure" to "Are you interested?").
_MAYBE_ANSWER = {"not sure", "unsure", "no opinion"}

#: Metadata columns of survey platforms (names normalised: lower case, letters and digits):
#: not questions. The readers rename the common ones to the toolkit's names.
_METADATA = {
    "respondentid", "responseid", "startdate", "enddate", "durationseconds",
    "durationinseconds", "progress", "finished", "status", "recordeddate", "collectorid",
    "distributionchannel", "userlanguage", "responseset", "responsetype", "locationaccuracy",
    "id", "submitdate", "lastpage", "startlanguage", "seed", "datestamp", "interviewtime",
    "refurl", "wave",
}  # fmt: skip
_METADATA_PATTERN = re.compile(r"^(?:customdata\d*|grouptime.*|questiontime.*|q?\d*time)$")

#: Column names that hold personal data (matched on the name's words, lower case).
_PERSONAL_NAMES = [
    re.compile(pattern)
    for pattern in (
        r"\be ?mail\b",
        r"\bemail ?address\b",
        r"^recipient\b",
        r"^(?:first|last|full|given|family|middle|sur|contact|your)? ?name$",
        r"\b(?:first|last|full|given|family|middle) name\b",
        r"\bsurname\b",
        r"\byour name\b",
        r"\b(?:tele)?phone\b",
        r"\b(?:mobile|cell)(?: ?phone| number)?$",
        r"\bip\b",
        r"\bip ?address\b",
        r"\b(?:street|home|postal|mailing|street) address\b",
        r"^address\b",
        r"\bpost(?:al)? ?code\b",
        r"\bzip(?: ?code)?\b",
        r"\b(?:latitude|longitude)\b",
        r"^(?:lat|lon|lng|long)$",
        r"\bexternal (?:data )?reference\b",
        r"^token$",
    )
]
_EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(?:\.[\w-]+)+$")
_IPV4 = re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}$")
_IPV6 = re.compile(r"^[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?\(?\d[\d ().-]{5,}\d$")
_NUMBER = re.compile(
    r"^\s*(?:approx(?:imately)?\.?\s*|about\s*|~\s*)?[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    r"\s*(?:h|hr|hrs|hours?)?\.?\s*$",
    re.IGNORECASE,
)
_INTEGER = re.compile(r"^[-+]?\d+(?:\.0+)?$")
_OTHER = re.compile(r"^other\b")
#: Words of a question that asks for the respondent's own words.
_OPEN_QUESTION = re.compile(
    r"\b(?:comments?|feedback|suggestions?|describe|explain|elaborate|anything else|tell us"
    r"|why|specify|thoughts|ideas)\b"
)
_QUALTRICS_SUFFIX = re.compile(r"\s+-\s+(?:selected choice|text)$", re.IGNORECASE)
_STOPWORD_TEXT = (
    "a an the of to in on at for and or by with from as is are was were be been do does did "
    "you your yours i me my we our us it its this that these those there their they which what "
    "who whom whose how when where why would could should can may might will shall have has "
    "had any all each please following about into than then so if"
)
_STOPWORDS = frozenset(re.findall(r"\S+", _STOPWORD_TEXT))
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})

#: Date formats tried on the start dates, for the wave's ``date_formats``.
_DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d",
]
_DEFAULT_DATE_FORMATS = ["%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M"]
_ACCEPTED_CONSENT = re.compile(r"^(?:yes\b|i agree|agree\b|i consent|consent\b|accept|1$|true$)")


# ---------------------------------------------------------------------------------- helpers
def _normalise(text: object) -> str:
    """Text as a lookup key: quotes straightened, spaces collapsed, case folded."""
    return re.sub(r"\s+", " ", str(text).translate(_QUOTES)).strip().casefold()


def _folded(text: str) -> str:
    """A scale label as a lookup key: normalised, accents dropped, no final full stop."""
    ascii_text = unicodedata.normalize("NFKD", _normalise(text)).encode("ascii", "ignore")
    return ascii_text.decode().rstrip(".")


def _words(text: str, *, camel: bool = False) -> list[str]:
    """The ASCII words of a text, lower case; ``camel`` splits export tags too
    (``RecipientEmail`` -> recipient, email)."""
    if camel:
        text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
        text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", " ", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", ascii_text.casefold().replace("'", ""))


def _identifier(text: str, *, words: int = 4, limit: int = 32, fallback: str = "q") -> str:
    """A lower-case snake-case code made of the first significant words of ``text``."""
    found = _words(text)
    significant = [word for word in found if word not in _STOPWORDS] or found
    code = ""
    for word in significant[:words]:
        candidate = f"{code}_{word}" if code else word
        if len(candidate) > limit and code:
            break
        code = candidate[:limit]
    return code or fallback


def _as_identifier(name: str) -> str | None:
    """The column name itself as a question id, when it is one (``Q1`` -> ``q1``)."""
    lowered = name.strip().casefold()
    return lowered if re.fullmatch(r"[a-z0-9][a-z0-9_]*", lowered) else None


def _is_number(value: str) -> bool:
    return _NUMBER.match(value) is not None


def _is_missing_answer(value: str, *, keep_maybe: bool = False) -> bool:
    """Whether an answer usually means "no answer" ("Not sure" too, unless ``keep_maybe``)."""
    key = _normalise(value).rstrip(".")
    if keep_maybe and key in _MAYBE_ANSWER:
        return False
    return _MISSING_ANSWER.match(key) is not None


#: Cells that only say "chosen", not which option.
_TICK_WORDS = frozenset({"1", "y", "yes", "x", "selected", "checked", "true"})


def _option_tags(members: list[_Column]) -> tuple[str, list[str]] | None:
    """The shared tag and each column's option code when the columns are tagged as a platform
    tags options (``Q2_1``, ``Q2_2``; ``Q2[SQ001]``), else ``None``."""
    parts = [re.fullmatch(r"(\w+?)(?:_(\w+)|\[(\w+)\])", column.name) for column in members]
    if not all(parts):
        return None
    stems = {part.group(1) for part in parts if part}
    codes = [(part.group(2) or part.group(3)).casefold() for part in parts if part]
    if len(stems) != 1 or len(set(codes)) != len(codes):
        return None
    return stems.pop(), codes


class _Names:
    """Codes handed out so far, so that each is unique."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, code: str) -> str:
        unique, number = code, 1
        while unique in self.taken:
            number += 1
            unique = f"{code}_{number}"
        self.taken.add(unique)
        return unique


# ----------------------------------------------------------------------------- one column
@dataclass
class _Column:
    """One export column: its name, the question text, its answers (stripped, not blank)."""

    name: str
    text: str
    values: list[str]
    labels: dict[str, str] | None = None  # value labels, code -> label, in the file's order
    declared_missing: list[str] = field(default_factory=list)

    @cached_property
    def distinct(self) -> list[str]:
        """The answers, one spelling each (the most frequent), most frequent first."""
        spellings: dict[str, Counter[str]] = {}
        for value in self.values:
            spellings.setdefault(_normalise(value), Counter())[value] += 1
        ranked = sorted(spellings.values(), key=lambda counts: -sum(counts.values()))
        return [counts.most_common(1)[0][0] for counts in ranked]

    def answers(self) -> list[str]:
        """The answers that are not missing-value candidates."""
        return [value for value in self.values if not _is_missing_answer(value)]

    def missing_seen(self) -> list[str]:
        """Missing-value candidates among the answers, one spelling each."""
        seen: dict[str, str] = {}
        for value in self.values:
            if _is_missing_answer(value):
                seen.setdefault(_normalise(value), value)
        return list(seen.values())


def _stem_of(column: _Column) -> tuple[tuple[str, str] | None, str]:
    """The stem a column shares with its siblings, and its own part (its sub-label)."""
    name, text = column.name, _QUALTRICS_SUFFIX.sub("", column.text.strip())
    if SUBLABEL_SEPARATOR in name:
        stem, sub = name.split(SUBLABEL_SEPARATOR, 1)
        return ("text", stem), sub
    bracket = re.fullmatch(r"(.+?)\[(.+)\]", name)
    if bracket:
        label = re.search(r"\[([^\[\]]+)\]\s*$", text)
        return ("tag", bracket.group(1)), label.group(1) if label else bracket.group(2)
    prefixed = re.fullmatch(r"\[([^\[\]]+)\]\s*(.+)", text, re.DOTALL)
    if prefixed and text != name:  # LimeSurvey: "[Sub-question] Question"
        return ("text", prefixed.group(2)), prefixed.group(1).strip()
    if " - " in text and text != name:
        stem, sub = text.rsplit(" - ", 1)
        return ("text", stem), sub
    numbered = re.fullmatch(r"(.+?)_(\d+)", name)
    if numbered:
        dash = re.search(r"\s*-\s*([^-]+)$", text) if text != name else None
        return ("tag", numbered.group(1)), dash.group(1).strip() if dash else numbered.group(2)
    return None, name


# ------------------------------------------------------------------------------- scales
@dataclass
class _ScaleGuess:
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
        key = _folded(value)
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


def _guess_scale(values: list[str], labels: dict[str, str] | None) -> _ScaleGuess | None:
    """The rating scale these answers come from, if it is a known one or numbers 1-5 / 1-7.

    Labels may be mixed with the digits of their points (``Agree`` and ``4``), as the toolkit
    reads both."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) < 2:
        return None
    digits = {int(float(v)) for v in distinct if _INTEGER.match(v)}
    worded = [value for value in distinct if not _INTEGER.match(value)]
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
            if _folded(value) not in variant[point]:
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
        return _ScaleGuess(family, points, seen, notes)
    numbered = _numbered_labels(labels)
    if numbered is not None and all(value in numbered.values() for value in distinct):
        top = max(numbered)
        note = f"a numbered 1-{top} scale from the file's value labels"
        # the worded points are what tells two such scales apart
        seen = {code for code, label in numbered.items() if label != str(code)}
        return _ScaleGuess(f"scale_1_{top}", numbered, seen, [note])
    if not worded and len(digits) >= 3:
        numbers = sorted(digits)
        for top in (5, 7):
            if numbers[0] >= 1 and numbers[-1] <= top and numbers[-1] >= top - 1:
                points = {code: str(code) for code in range(1, top + 1)}
                if labels:
                    points |= {
                        int(code): label
                        for code, label in labels.items()
                        if _INTEGER.match(code) and 1 <= int(float(code)) <= top
                    }
                note = f"whole numbers 1-{top} read as a 1-{top} scale: write its labels"
                return _ScaleGuess(f"scale_1_{top}", points, set(numbers), [note])
    return None


def _numbered_labels(labels: dict[str, str] | None) -> dict[int, str] | None:
    """Value labels of a numbered rating scale: codes 1..k (k from 4 to 11), most labels just
    the number or starting with it ("1 not at all" ... "7 completely")."""
    if not labels or not all(_INTEGER.match(code) for code in labels):
        return None
    points = {int(float(code)): label for code, label in labels.items()}
    if sorted(points) != list(range(1, len(points) + 1)) or not 4 <= len(points) <= 11:
        return None
    numbered = sum(1 for code, label in points.items() if label.strip().startswith(str(code)))
    return points if numbered >= len(points) / 2 else None


class _Scales:
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

    def place(self, guess: _ScaleGuess) -> str:
        for name, points in self.points.items():
            if self.family[name] != guess.family or set(points) != set(guess.points):
                continue
            clash = any(
                code in self.seen[name] and _normalise(points[code]) != _normalise(label)
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


# ---------------------------------------------------------------------------- the draft
@dataclass
class Draft:
    """A guessed codebook: the document it holds, and what was guessed and left out.

    Attributes
    ----------
    document
        The codebook as YAML would hold it (:meth:`codebook` checks it).
    notes
        Question id (or ``scale:<name>``) -> what to check about the guess.
    personal_data
        Export columns treated as personal data: dropped before anything is saved.
    left_out
        Platform metadata columns not described as questions.
    unfindable
        Questions whose export columns ``survey run`` cannot find under the draft's names
        (multi-selects exported one column per option under tags such as ``Q2_1``).
    export
        The file the draft was made from, and its layout.
    """

    document: dict[str, Any]
    notes: dict[str, list[str]]
    personal_data: list[str]
    left_out: list[str]
    unfindable: list[str]
    export: Path
    layout: Layout

    def question(self, question_id: str) -> dict[str, Any]:
        """The drafted question with this id (``KeyError`` if there is none)."""
        for question in self.document["questions"]:
            if question["id"] == question_id:
                return dict(question)
        raise KeyError(question_id)

    def scales(self) -> dict[str, dict[int, str]]:
        """The drafted scales: name -> code -> label."""
        return dict(self.document["scales"])

    def type_counts(self) -> dict[str, int]:
        """How many questions of each type, in the codebook's order of types."""
        counts = Counter(question["type"] for question in self.document["questions"])
        return {kind.value: counts[kind.value] for kind in QuestionType if counts[kind.value]}

    def codebook(self) -> Codebook:
        """The draft as a checked :class:`~survey.codebook.Codebook`."""
        return Codebook.model_validate(self.document)

    def to_yaml(self) -> str:
        """The draft as a commented YAML codebook."""
        return _render(self)


def draft_codebook(
    export: RawExport, *, codebook_path: Path | None = None, single_max: int = 20
) -> Draft:
    """Guess a codebook from an export.

    Parameters
    ----------
    export
        An export as read by :func:`~survey.io.read_export`, in any layout.
    codebook_path
        Where the draft will be written: its wave's ``file`` is relative to that folder
        (default: the current folder).
    single_max
        At most this many distinct answers make a single-choice question; more is text.

    Returns
    -------
    Draft
        The guessed codebook, with notes on what to check.

    Examples
    --------
    >>> import tempfile
    >>> from survey.demo import write_demo
    >>> from survey.io import read_export
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = write_demo(folder, n=60)
    >>> draft = draft_codebook(read_export(folder / "2025.xlsx"))
    >>> draft.type_counts()
    {'single': 9, 'multi': 3, 'likert': 2, 'number': 1, 'text': 2, 'grid': 1}
    """
    return _Drafter(export, codebook_path, single_max).draft()


class _Drafter:
    """The guessing, column by column, then group by group."""

    def __init__(self, export: RawExport, codebook_path: Path | None, single_max: int) -> None:
        self.export = export
        self.codebook_path = codebook_path
        self.single_max = single_max
        self.ids = _Names()
        self.scales = _Scales()
        self.notes: dict[str, list[str]] = {}
        self.missing: dict[str, str] = {}  # normalised -> spelling
        self.questions: list[dict[str, Any]] = []
        self.unfindable: list[str] = []  # questions whose columns `survey run` cannot find

    # ------------------------------------------------------------------------ columns
    def column(self, name: str) -> _Column:
        series = self.export.frame[name]
        values = [str(value).strip() for value in series.tolist() if _present(value)]
        values = [value for value in values if value]
        declared = [str(code) for code in self.export.missing_values.get(name, [])]
        return _Column(
            name,
            self.export.question_text.get(name, name) or name,
            values,
            self.export.value_labels.get(name),
            declared,
        )

    def draft(self) -> Draft:
        frame = self.export.frame
        columns = [self.column(str(name)) for name in frame.columns]
        left_out = [c.name for c in columns if _is_metadata(c.name)]
        personal = [c.name for c in columns if c.name not in left_out and _is_personal(c)]
        consent = self.consent([c for c in columns if c.name not in {*left_out, *personal}])
        skip = {*left_out, *personal, *([consent["column"]] if consent else [])}
        remaining = [c for c in columns if c.name not in skip]
        self.declared_missing(remaining)
        self.build(remaining)
        document: dict[str, Any] = {
            "instrument": {
                "id": _identifier(self.export.path.stem, words=6, limit=40, fallback="survey"),
                "title": self.export.path.stem.replace("_", " "),
            },
            "small_cell_threshold": Codebook.model_fields["small_cell_threshold"].default,
            "min_responses": max(
                1, min(Codebook.model_fields["min_responses"].default, len(frame))
            ),
            "missing_labels": list(self.missing.values()),
            "personal_data": personal,
        }
        if consent:
            document["consent"] = consent
        document["quality"] = QualityRules(
            test_patterns=[r"^\s*test\b", "please ignore", r"\btest response\b"],
            duplicate_keys=[name for name in ("email",) if name in personal],
        ).model_dump()
        document |= {
            "dimensions": [],
            "frame": {},
            "scales": {name: dict(points) for name, points in self.scales.points.items()},
            "questions": self.questions,
            "waves": [self.wave()],
        }
        unseen = self.scales.unseen_notes()
        for name, notes in self.scales.notes.items():
            notes = [*notes, *([unseen[name]] if name in unseen else [])]
            if notes:
                self.notes[f"scale:{name}"] = notes
        return Draft(
            document=document,
            notes=self.notes,
            personal_data=personal,
            left_out=left_out,
            unfindable=self.unfindable,
            export=self.export.path,
            layout=self.export.layout,
        )

    def consent(self, columns: list[_Column]) -> dict[str, Any] | None:
        for column in columns:
            words = " ".join(_words(column.name) + _words(column.text))
            distinct = column.distinct
            if "consent" not in words or not 1 <= len(distinct) <= 4:
                continue
            accepted = [v for v in distinct if _ACCEPTED_CONSENT.match(_normalise(v))]
            if accepted:
                return {"column": column.name, "text": column.text, "accepted": accepted}
        return None

    def declared_missing(self, columns: list[_Column]) -> None:
        for column in columns:
            for code in column.declared_missing:
                label = (column.labels or {}).get(code)
                for value in (label, code):
                    if value:
                        self.missing.setdefault(_normalise(value), value)

    def wave(self) -> dict[str, Any]:
        path = self.export.path
        base = (self.codebook_path or Path("codebook.yaml")).resolve().parent
        try:
            file = os.path.relpath(path.resolve(), base)
        except ValueError:  # another drive
            file = str(path.resolve())
        if file.startswith(".."):  # not beside the codebook: where it is
            file = str(path.resolve())
        wave: dict[str, Any] = {
            "id": path.stem,
            "file": Path(file).as_posix(),
            "layout": self.export.layout.value,
        }
        if self.export.encoding and self.export.encoding.replace("-", "").casefold() not in {
            "utf8",
            "utf8sig",
        }:
            wave["encoding"] = self.export.encoding
        formats = _date_formats(self.export.frame)
        if not set(formats) <= set(_DEFAULT_DATE_FORMATS):
            wave["date_formats"] = formats
        return wave

    # ------------------------------------------------------------------------- groups
    def build(self, columns: list[_Column]) -> None:
        by_name = {column.name: column for column in columns}
        in_sets: set[str] = set()
        units: list[tuple[str, Any]] = []  # ("set", (name, columns)) or ("column", column)
        sets = {
            name: [by_name[c] for c in members if c in by_name]
            for name, members in self.export.multi_sets.items()
        }
        for members in sets.values():
            in_sets |= {c.name for c in members}
        stems: dict[tuple[str, str], list[_Column]] = {}
        subs: dict[str, str] = {}
        for column in columns:
            stem, sub = _stem_of(column)
            subs[column.name] = sub
            if stem is not None and column.name not in in_sets:
                stems.setdefault(stem, []).append(column)
        placed: set[str] = set()
        for column in columns:
            if column.name in placed:
                continue
            for name, members in sets.items():
                if members and members[0].name == column.name:
                    units.append(("set", (name, members)))
                    placed |= {c.name for c in members}
                    break
            else:
                stem, _ = _stem_of(column)
                group = stems.get(stem, []) if stem is not None else []
                if len(group) >= 2:
                    units.append(("group", (stem, group)))
                    placed |= {c.name for c in group}
                else:
                    units.append(("column", column))
                    placed.add(column.name)
        others: list[tuple[_Column, str]] = []
        for kind, unit in units:
            if kind == "set":
                name, members = unit
                text = _common_text(members) or name
                self.multi(
                    name,
                    text,
                    members,
                    {c.name: subs.get(c.name, c.name) for c in members},
                    reason="columns of a response set the file declares",
                )
            elif kind == "group":
                stem, members = unit
                self.group(stem, members, subs)
            elif _is_other_text(unit, subs.get(unit.name, "")):
                others.append((unit, subs.get(unit.name, "")))
            else:
                self.single_column(unit)
        for column, sub in others:
            if not self.attach_other(column, sub):
                self.single_column(column)
        self.merge_grids()

    def group(self, stem: tuple[str, str], members: list[_Column], subs: dict[str, str]) -> None:
        kind, stem_text = stem
        text = stem_text if kind == "text" else _common_text(members) or stem_text
        labels = {c.name: subs[c.name] for c in members}
        if _ticks(members, labels):
            self.multi(stem_text, text, members, labels)
            return
        values = [value for c in members for value in c.answers()]
        guess = _guess_scale(values, members[0].labels)
        if guess is not None:
            for column in members:
                self.note_missing(column)
            self.grid(stem, text, members, labels, guess)
            return
        for column in members:
            self.single_column(column)

    def multi(
        self,
        stem: str,
        text: str,
        members: list[_Column],
        labels: dict[str, str],
        *,
        reason: str = "columns holding one value or blank",
    ) -> None:
        tags = _option_tags(members)
        claimed = None
        if tags is not None:  # Q2_1, Q2[SQ001]: the tag is the id, each suffix a code
            wanted = _as_identifier(tags[0])
            claimed = self.ids.claim(wanted) if wanted else None
            if claimed != wanted:
                tags, claimed = None, None
        question_id = claimed or self.ids.claim(_identifier(stem, words=3, fallback="multi"))
        codes = _Names()
        options = []
        notes: list[str] = []
        for position, column in enumerate(members):
            label = labels.get(column.name) or column.name
            said = {value for value in column.values if _normalise(value) not in NOT_CHOSEN}
            if len(said) == 1 and _normalise(next(iter(said))) not in _TICK_WORDS:
                label = next(iter(said))  # the cells name the option (SurveyMonkey, Qualtrics)
            if tags is not None:
                code = tags[1][position]
            else:
                code = "other" if _OTHER.match(_normalise(label)) else _option_code(label)
            options.append({"code": codes.claim(code), "label": label})
        mapped = tags is not None or all(
            SUBLABEL_SEPARATOR in column.name
            and column.name.split(SUBLABEL_SEPARATOR, 1)[0] == text
            for column in members
        )
        if not mapped:
            names = ", ".join(column.name for column in members[:3])
            notes.append(
                f"CANNOT RUN YET: one column per option ({names}...); the toolkit finds them "
                f"only when named '{question_id}__<option code>' or '<text> | <option label>'"
            )
            self.unfindable.append(question_id)
        ticked = [c for c in members if not _OTHER.match(_normalise(labels.get(c.name, "")))]
        two_valued = sorted(
            {v for c in ticked if len({_normalise(x) for x in c.values}) > 1 for v in c.distinct}
        )
        unknown = [v for v in two_valued if _normalise(v) not in NOT_CHOSEN]
        if len(unknown) > 1:
            notes.append(
                f"cells hold {', '.join(map(repr, unknown[:3]))}: the toolkit counts a cell as "
                "ticked unless it is blank or says not chosen (N, No, 0, Not selected); check"
            )
        self.add(
            {"id": question_id, "type": "multi", "text": text, "options": options},
            [f"multi-select: {len(members)} {reason}", *notes],
        )

    def grid(
        self,
        stem: tuple[str, str],
        text: str,
        members: list[_Column],
        labels: dict[str, str],
        guess: _ScaleGuess,
    ) -> None:
        scale = self.scales.place(guess)
        names = [column.name for column in members]
        codes = _tag_codes(names)
        if codes is not None:
            prefix, topics = codes
        elif all(SUBLABEL_SEPARATOR in name for name in names):
            prefix = _identifier(stem[1], words=2, limit=20, fallback="grid")
            topic_names = _Names()
            topics = [topic_names.claim(_option_code(labels[name])) for name in names]
        else:
            for column in members:
                self.likert(column, scale, note="one of a group of rating columns")
            return
        question_id = self.ids.claim(prefix)
        self.add(
            {
                "id": question_id,
                "type": "grid",
                "text": text,
                "items": [{"prefix": prefix, "scale": scale, "text": text}],
                "topics": [
                    {"code": code, "label": labels[name]}
                    for code, name in zip(topics, names, strict=True)
                ],
            },
            [f"grid: {len(members)} columns rated on the {scale} scale"],
        )

    def merge_grids(self) -> None:
        """Grids asking different things of the same topics become one grid of several items
        (importance and confidence of each topic)."""
        merged: list[dict[str, Any]] = []
        by_topics: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
        for question in self.questions:
            if question["type"] != "grid":
                merged.append(question)
                continue
            key = tuple((topic["code"], topic["label"]) for topic in question["topics"])
            first = by_topics.get(key)
            if first is None:
                by_topics[key] = question
                merged.append(question)
                continue
            first["items"] = [*first["items"], *question["items"]]
            texts = [item["text"] for item in first["items"]]
            first["text"] = _common_prefix_text(texts) or " / ".join(texts)
            self.notes[first["id"]] = [
                f"grid: {len(first['items'])} ratings of the same {len(key)} topics, scales "
                + ", ".join(item["scale"] for item in first["items"]),
                *self.notes[first["id"]][1:],
                *self.notes.pop(question["id"], [])[1:],
            ]
        self.questions = merged

    def likert(self, column: _Column, scale: str, *, note: str) -> None:
        question_id, text, notes = self.naming(column)
        self.add(
            {"id": question_id, "type": "likert", "scale": scale, "text": text},
            [f"likert on the {scale} scale ({note})", *notes],
        )

    def naming(self, column: _Column) -> tuple[str, str, list[str]]:
        """A question's id and text such that the toolkit finds its column by either: the
        column name as id when it is one (an export tag), else the column name as text."""
        as_id = _as_identifier(column.name)
        text = _QUALTRICS_SUFFIX.sub("", column.text.strip()) or column.name
        if as_id is not None and as_id not in self.ids.taken:
            return self.ids.claim(as_id), text, []
        stem, sub = _stem_of(column)
        words = sub if stem is not None and stem[0] == "text" and sub else column.name
        question_id = self.ids.claim(_identifier(words))
        notes = [] if text == column.name else [f"question: {text}"]
        return question_id, column.name, notes

    def note_missing(self, column: _Column, *, keep_maybe: bool = False) -> None:
        """List a column's "no answer" answers under missing_labels."""
        for value in column.missing_seen():
            if not (keep_maybe and _normalise(value) in _MAYBE_ANSWER):
                self.missing.setdefault(_normalise(value), value)

    def single_column(self, column: _Column) -> None:
        answers = column.answers()
        if not answers:
            question_id, text, notes = self.naming(column)
            self.add(
                {"id": question_id, "type": "text", "text": text},
                ["no answers in this export: type unknown, text assumed", *notes],
            )
            return
        guess = _guess_scale(answers, column.labels)
        if guess is not None:
            self.note_missing(column)
            self.likert(column, self.scales.place(guess), note=_scale_reason(guess))
            return
        numbers = [value for value in answers if _is_number(value)]
        is_number = len(numbers) >= 0.9 * len(answers) and not column.labels
        if is_number and not _few_codes(numbers):
            self.note_missing(column)
            self.number(column, numbers)
            return
        choices = _joined_choices(answers)
        if choices is not None and not column.labels:
            self.note_missing(column)
            question_id, text, notes = self.naming(column)
            codes = _Names()
            options = [{"code": codes.claim(_option_code(c)), "label": c} for c in choices]
            self.add(
                {"id": question_id, "type": "multi", "text": text, "options": options},
                ["multi-select: one column of joined choices; options in order seen", *notes],
            )
            return
        if self._is_choice(column):
            self.note_missing(column, keep_maybe=True)
            self.single(column)
            return
        question_id, text, notes = self.naming(column)
        self.add(
            {"id": question_id, "type": "text", "text": text},
            [f"text: {len({_normalise(v) for v in answers})} different answers", *notes],
        )

    def _is_choice(self, column: _Column) -> bool:
        """Few distinct short answers (or value labels): a single-choice question."""
        if column.labels:
            return len(column.labels) <= self.single_max  # more: free text coded by the file
        answers = [v for v in column.values if not _is_missing_answer(v, keep_maybe=True)]
        distinct = {_normalise(value) for value in answers}
        if not distinct or len(distinct) > self.single_max:
            return False
        words = " ".join(_words(column.name) + _words(column.text))
        if _OPEN_QUESTION.search(words) and len(distinct) > 3:
            return False
        mean_length = sum(len(value) for value in answers) / len(answers)
        sentences = sum(1 for value in answers if re.search(r"[.!?]$|\. ", value))
        if mean_length > 40 or sentences >= 0.3 * len(answers):
            return False
        if any(re.search(r"@\w|https?://|www\.", value) for value in answers):
            return False  # an e-mail address or a link: someone's own words
        counts = Counter(_normalise(value) for value in answers)
        once = sum(1 for count in counts.values() if count == 1)
        if len(distinct) > 8 and once > 0.4 * len(distinct):
            return False
        return len(distinct) <= 3 or len(answers) < 5 or len(distinct) <= 0.6 * len(answers)

    def single(self, column: _Column) -> None:
        question_id, text, notes = self.naming(column)
        codes = _Names()
        options: list[dict[str, Any]] = []
        if column.labels:
            missing_codes = set(column.declared_missing)
            for code, label in column.labels.items():
                if code in missing_codes or _is_missing_answer(label, keep_maybe=True):
                    self.missing.setdefault(_normalise(label), label)
                    continue
                option: dict[str, Any] = {"code": codes.claim(_option_code(label)), "label": label}
                if _normalise(code) != _normalise(label):
                    option["aliases"] = [code]
                options.append(option)
            notes.append("options from the file's value labels, in its order")
            seen = {_normalise(label) for label in column.labels.values()}
            extra = [
                v
                for v in column.distinct
                if _normalise(v) not in seen
                and not _is_missing_answer(v, keep_maybe=True)
                and v != "-oth-"
            ]
            if extra:
                notes.append(f"answers without a value label: {', '.join(map(repr, extra[:5]))}")
        else:
            distinct = [v for v in column.distinct if not _is_missing_answer(v, keep_maybe=True)]
            counts = Counter(_normalise(value) for value in column.values)
            if all(_INTEGER.match(value) for value in distinct):
                distinct.sort(key=lambda value: float(value))
                notes.append("options are numbers: codes without labels? write the labels")
            else:
                notes.append("options in order of frequency: put them in questionnaire order")
            rare = [
                v
                for v in distinct
                if counts[_normalise(v)] == 1 and not _OTHER.match(_normalise(v))
            ]
            if len(distinct) > 3 and len(column.values) >= 20 and rare:
                notes.append(
                    "seen once: "
                    + ", ".join(repr(value) for value in rare[:4])
                    + " (check: a misspelt option? then make it an alias of that option)"
                )
            left = [v for v in column.missing_seen() if _is_missing_answer(v, keep_maybe=True)]
            if left:
                notes.append(
                    ", ".join(repr(value) for value in left)
                    + " left out as missing: make it an option if it is an answer here"
                )
            for label in distinct:
                code = "other" if _OTHER.match(_normalise(label)) else _option_code(label)
                options.append({"code": codes.claim(code), "label": label})
        if "-oth-" in column.values and "other" not in {o["code"] for o in options}:
            options.append({"code": "other", "label": "Other", "aliases": ["-oth-"]})
            notes.append("'-oth-' is LimeSurvey's 'Other' answer")
        if len(options) == 1:
            notes.append("one option only: a tick of a multi-select? then make one multi question")
        self.add(
            {"id": question_id, "type": "single", "text": text, "options": options},
            [f"single choice: {len(options)} options", *notes],
        )

    def number(self, column: _Column, numbers: list[str]) -> None:
        question_id, text, notes = self.naming(column)
        parsed = pd.to_numeric(
            pd.Series(numbers)
            .str.extract(r"([-+]?[\d,]*\.?\d+)", expand=False)
            .str.replace(",", "", regex=False),
            errors="coerce",
        ).dropna()
        question: dict[str, Any] = {"id": question_id, "type": "number", "text": text}
        note = "number"
        if len(parsed):
            low, high = float(parsed.min()), float(parsed.max())
            note = f"number: answers from {low:g} to {high:g}"
            codes = [value for value in column.values if _is_missing_answer(value)]
            if codes and low >= 0:
                question["range"] = [0, high]
                note += f"; {', '.join(sorted(set(codes)))} look like missing codes"
        self.add(question, [note, *notes])

    def attach_other(self, column: _Column, sub: str) -> bool:
        """Make an "Other (please specify)" text column the ``other`` of its question."""
        stem, _ = _stem_of(column)
        base = re.sub(r"(?:_\d+)?_text$", "", column.name, flags=re.IGNORECASE)
        for question in self.questions:
            if question["type"] != "single" or "other" in question:
                continue
            by_text = stem is not None and stem[1] == question["text"]
            by_tag = base != column.name and _as_identifier(base) == question["id"]
            if not (by_text or by_tag):
                continue
            own_id = _as_identifier(column.name)
            if own_id is not None and own_id not in self.ids.taken:
                other = self.ids.claim(own_id)
            else:
                labels = [o["label"] for o in question["options"] if o["code"] == "other"]
                findable = _normalise(sub) == "other (please specify)" or any(
                    _normalise(sub) == _normalise(label) for label in labels
                )
                if not findable:
                    return False
                other = self.ids.claim(f"{question['id']}_other")
            question["other"] = other
            self.notes[question["id"]].append(f"other-specify text in column {column.name!r}")
            return True
        return False

    def add(self, question: dict[str, Any], notes: list[str]) -> None:
        self.questions.append(question)
        self.notes[question["id"]] = notes


# --------------------------------------------------------------------------- detectors
def _present(value: object) -> bool:
    if value is None:
        return False
    try:
        return not bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return True


def _is_metadata(name: str) -> bool:
    key = re.sub(r"[^a-z0-9]", "", name.casefold())
    return key != "" and (key in _METADATA or _METADATA_PATTERN.match(key) is not None)


def _is_personal(column: _Column) -> bool:
    """Personal data by name (a short column name or question) or by content."""
    names = [
        " ".join(words)
        for words in (_words(column.name, camel=True), _words(column.text, camel=True))
    ]
    names = [name for name in names if name and len(name.split()) <= 8]
    if any(pattern.search(name) for pattern in _PERSONAL_NAMES for name in names):
        return True
    values = column.values
    if not values:
        return False
    looks = sum(
        1
        for value in values
        if _EMAIL.match(value)
        or _IPV4.match(value)
        or (":" in value and _IPV6.match(value))
        or (_PHONE.match(value) and 9 <= sum(ch.isdigit() for ch in value) <= 15)
    )
    return looks >= 0.5 * len(values)


def _is_other_text(column: _Column, sub: str) -> bool:
    """An "Other (please specify)" text column (by sub-label or a ``_TEXT`` tag)."""
    return bool(_OTHER.match(_normalise(sub))) or bool(
        re.search(r"_text$", column.name, re.IGNORECASE)
    )


def _ticks(members: list[_Column], labels: dict[str, str]) -> bool:
    """Whether columns are one option each: every cell blank, "not chosen" (N, No, 0, Not
    selected: :data:`~survey.cleaning.recode.NOT_CHOSEN`) or one value (the same token in every
    column, or the column's own option label)."""
    if not any(column.values for column in members):
        return False
    tokens: set[str] = set()
    for column in members:
        distinct = {_normalise(value) for value in column.values} - NOT_CHOSEN
        if len(distinct) > 1:
            if not _OTHER.match(_normalise(labels.get(column.name, ""))):
                return False
            continue
        for value in distinct:
            if value != _normalise(labels.get(column.name, "")):
                tokens.add(value)
    return len(tokens) <= 1


def _joined_choices(values: list[str]) -> list[str] | None:
    """The options of one column of joined choices (``A,B``, ``A;B`` or ``A, B``), or
    ``None`` when the answers are not that: every piece of a joined answer must recur (be
    part of another answer, or an answer alone)."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) < 2:
        return None
    for separator in (r",(?!\s)", r"\s*;\s*", r",\s+"):
        split = [[piece.strip() for piece in re.split(separator, v)] for v in distinct]
        joined = [pieces for pieces in split if len(pieces) > 1]
        if len(joined) < max(2, 0.1 * len(distinct)):
            continue
        holders: Counter[str] = Counter()
        spelling: dict[str, str] = {}
        for pieces in split:
            for piece in dict.fromkeys(_normalise(p) for p in pieces if p):
                holders[piece] += 1
        for pieces in split:
            for piece in pieces:
                if piece:
                    spelling.setdefault(_normalise(piece), piece)
        if len(spelling) > 30:
            continue
        fragments = {_normalise(p) for pieces in joined for p in pieces if p}
        recurring = [piece for piece in fragments if holders[piece] >= 2]
        if len(recurring) < 0.75 * len(fragments):
            continue
        return list(spelling.values())
    return None


def _tag_codes(names: list[str]) -> tuple[str, list[str]] | None:
    """Grid prefix and topic codes when the column names are ``<prefix>_<topic>`` ids."""
    lowered = [_as_identifier(name) for name in names]
    if any(name is None for name in lowered):
        return None
    keys = [name for name in lowered if name is not None]
    common = _common_prefix(keys)
    cut = common.rfind("_")
    if cut <= 0:
        return None
    prefix, topics = common[:cut], [key[cut + 1 :] for key in keys]
    if not all(re.fullmatch(r"[a-z0-9][a-z0-9_]*", topic) for topic in topics):
        return None
    if len(set(topics)) != len(topics):
        return None
    return prefix, topics


def _few_codes(numbers: list[str]) -> bool:
    """Whole numbers 0-9 taking at most four values: codes of a choice, not amounts."""
    distinct = {value.strip() for value in numbers}
    return (
        len(distinct) <= 4
        and len(numbers) > len(distinct)
        and all(re.fullmatch(r"\d", value) for value in distinct)
    )


def _option_code(label: str) -> str:
    return _identifier(label, words=4, limit=32, fallback="option")


def _common_text(members: list[_Column]) -> str:
    texts = [_QUALTRICS_SUFFIX.sub("", column.text.strip()) for column in members]
    stems = {text.rsplit(" - ", 1)[0] if " - " in text else text for text in texts}
    if len(stems) == 1:
        return stems.pop()
    return _common_prefix_text(texts)


def _common_prefix(texts: list[str]) -> str:
    """The longest text every one of ``texts`` starts with."""
    if not texts:
        return ""
    first, last = min(texts), max(texts)
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    return first[:length]


def _common_prefix_text(texts: list[str]) -> str:
    common = _common_prefix(texts).rstrip(" -|:")
    return common if len(common) >= 10 else ""


def _scale_reason(guess: _ScaleGuess) -> str:
    if guess.family.startswith("scale_"):
        return "answers are whole numbers"
    return f"answers are {guess.family} labels"


def _date_formats(frame: pd.DataFrame) -> list[str]:
    """The date formats that read the export's start dates, most useful first."""
    if "start_date" not in frame:
        return []
    dates = frame["start_date"].dropna().astype(str).str.strip()
    dates = dates[dates != ""].head(500)
    if dates.empty:
        return []
    chosen: list[str] = []
    left = dates
    for date_format in _DATE_FORMATS:
        parsed = pd.to_datetime(left, format=date_format, errors="coerce")
        if parsed.notna().any():
            chosen.append(date_format)
            left = left[parsed.isna()]
        if left.empty:
            break
    return chosen


# ------------------------------------------------------------------------------- writing
_HEADER = """\
# DRAFT codebook, guessed by `survey codebook` from {export} ({layout} export).
# It loads as written{runs}, but every line is a guess: read it before
# trusting a result.{cannot_run}
# Check, at least:
#   - each question's type (single, multi, likert, grid, number, text) and its options: codes
#     are made from the labels, options are in order of frequency, not questionnaire order;
#   - the order and labels of every scale under `scales` (1 is the lowest point);
#   - missing_labels: answers that mean "no answer", kept out of options and scales;
#   - personal_data: columns dropped before anything is saved (add any that were missed);
#   - dimensions: none chosen. Pick breakdowns per run with `survey run ... --by Q1,Q2`, or
#     list single-choice question ids here;
#   - frame: no margins, so runs are unweighted. Add the sampling frame's counts per
#     category of a dimension to weight (see data/raw/codebook.yaml).
# Lines starting with `#` above a question say what its guess rests on.
"""


def _dump(value: Any, *, flow: bool | None = False) -> str:
    """YAML of a value: block style, or (``flow=None``) leaf collections inline."""
    return yaml.safe_dump(
        value, sort_keys=False, allow_unicode=True, default_flow_style=flow, width=100
    )


def _inline(value: Any) -> str:
    """A value on one line, in YAML flow style."""
    return yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**6
    ).strip()


def _question_lines(question: dict[str, Any]) -> list[str]:
    """One question as a block mapping, its options, topics and items one a line."""
    lines: list[str] = []
    for position, (key, value) in enumerate(question.items()):
        lead = "  - " if position == 0 else "    "
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{lead}{key}:")
            lines += [f"      - {_inline(entry)}" for entry in value]
        elif isinstance(value, list | tuple | dict):
            lines.append(
                f"{lead}{key}: {_inline(list(value) if isinstance(value, tuple) else value)}"
            )
        else:
            lines.append(f"{lead}{_inline({key: value})[1:-1]}")
    return lines


def _comment(text: str, indent: str = "") -> list[str]:
    return [f"{indent}# {line}".rstrip() for line in text.splitlines()]


def _render(draft: Draft) -> str:
    document = draft.document
    cannot_run = (
        "\n# CANNOT RUN YET: `survey run` cannot find the columns of "
        + ", ".join(draft.unfindable)
        + "\n# (see below): remove those questions, or export their options as 'question | option'."
        if draft.unfindable
        else ""
    )
    lines = _HEADER.format(
        export=draft.export.name,
        layout=draft.layout.value,
        runs="" if draft.unfindable else " and `survey run` reads it",
        cannot_run=cannot_run,
    ).splitlines()
    lines.append("")
    lines.append("# What the questionnaire is called (the reports' titles): name it.")
    lines += _dump({"instrument": document["instrument"]}).splitlines()
    lines.append("# Published tables never show a group of fewer respondents than this.")
    lines += _dump({"small_cell_threshold": document["small_cell_threshold"]}).splitlines()
    default = Codebook.model_fields["min_responses"].default
    lines.append(
        "# Fewer responses than this and a wave is not accepted"
        + (
            f" (lowered from {default} to this export's size)."
            if document["min_responses"] < default
            else "."
        )
    )
    lines += _dump({"min_responses": document["min_responses"]}).splitlines()
    lines += [
        "",
        "# Answers that mean no answer wherever they appear (never an option or a scale point).",
        "# Guessed: remove any that is a real answer to one of the questions.",
    ]
    lines += _dump({"missing_labels": document["missing_labels"]}).splitlines()
    lines += ["", "# Columns that identify people: used for checks, dropped before saving."]
    lines += _dump({"personal_data": document["personal_data"]}).splitlines()
    if "consent" in document:
        lines += ["", "# Where consent is recorded; rows without an accepted answer are set aside."]
        lines += _dump({"consent": document["consent"]}).splitlines()
    lines += ["", "# Response-quality rules (the toolkit's defaults)."]
    lines += _dump({"quality": document["quality"]}).splitlines()
    singles = [
        f"{q['id']} ({len(q['options'])})"
        for q in document["questions"]
        if q["type"] == "single" and 2 <= len(q["options"]) <= 12
    ]
    lines += ["", "# Breakdown dimensions: single-choice question ids. None guessed; candidates:"]
    lines += _comment(_wrap(", ".join(singles) or "none", 96))
    lines += ["dimensions: []", ""]
    lines += [
        "# Sampling-frame counts per category of a dimension, for weighting. None: unweighted.",
        "# e.g.  frame: {" + "sector: {public: 1060, academic: 380}}",
        "frame: {}",
        "",
    ]
    lines.append("scales:" if document["scales"] else "scales: {}")
    for name, points in document["scales"].items():
        for note in draft.notes.get(f"scale:{name}", []):
            lines += _comment(note, "  ")
        lines += ["  " + line for line in _dump({name: points}).splitlines()]
    lines += ["", "questions:"]
    for question in document["questions"]:
        for note in draft.notes.get(question["id"], []):
            lines += _comment(note, "  ")
        lines += _question_lines(question)
    lines += [
        "",
        "# The export this draft was made from. `survey run EXPORT --codebook THIS` also runs",
        "# any other export of the same questionnaire (its wave is named after its file).",
    ]
    lines += _dump({"waves": document["waves"]}).splitlines()
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
