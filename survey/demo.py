"""Synthetic demo exports of the reference questionnaire, with planted effects and planted mess.

:func:`write_demo` writes three yearly waves of the Professional Learning Needs Survey as a
survey platform would export them: ``2024.csv`` and ``2026.csv`` in the Qualtrics layout (three
header rows; the 2026 file in Windows-1252), ``2025.xlsx`` in the SurveyMonkey layout (two
header rows, one column per option of a multi-select, no progress or duration). Beside them it
writes a copy of the codebook, ``ground_truth.yaml`` (the planted effects with their intended
sizes, and for every planted kind of mess the respondent ids it was planted in) and a
``README.md`` for people.

No real person answered any of it. Every row carries the marker ``SYNTHETIC-DEMO``
(Qualtrics ``ExternalReference``, SurveyMonkey ``Custom Data 1``); e-mail addresses are at
``example.org``/``.com``/``.net``, IP addresses in the documentation ranges and phone numbers in
the fictional 555-01xx block.

How a wave is made
------------------
1. Respondents. With ``n=None`` a frame of 1,800 people is built whose sector and region counts
   are exactly the codebook's ``frame:`` margins; each wave draws 600-900 of them with uneven
   propensity (school staff and the four northern regions answer less, public-library and
   Mainland/Southwest staff more). With ``n=N`` a wave has exactly ``N`` rows, drawn from the
   same respondent mix.
2. Answers, vectorised over respondents: option codes drawn from group-wise probability tables,
   the importance ratings from discretised normal distributions tuned to the intended effect
   sizes, confidence loosely tied to importance. Each respondent has a level of importance and
   one of confidence that all topics share (a Gaussian copula), so that each grid is a scale
   with a Cronbach's alpha of about 0.85, as real learning-needs grids have; every topic's
   distribution in every group is still exactly the planted one.
3. Mess, planted in small, disjoint sets of rows (a handful each at the default size, scaled
   with ``n``), each recorded in the ground truth.
4. Rendering to the platform's layout (labels read from the codebook) and writing. Files are
   written atomically; the workbook is written by a small deterministic XLSX writer so that the
   bytes are identical on every run.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> [path.name for path in write_demo(folder, n=60)]
['codebook.yaml', '2024.csv', '2025.xlsx', '2026.csv', 'ground_truth.yaml', 'README.md']
>>> truth = yaml.safe_load((folder / "ground_truth.yaml").read_text(encoding="utf-8"))
>>> truth["synthetic"], truth["waves"]["2025"]["rows"]
(True, 60)
"""

from __future__ import annotations

import csv
import json
import re
import textwrap
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml

from survey.writing import atomic_write, atomic_write_bytes

__all__ = ["DEMO_MARKER", "write_demo"]

#: Written on every synthetic row (Qualtrics ``ExternalReference``, SurveyMonkey
#: ``Custom Data 1``) so that nobody mistakes the demo files for real responses.
DEMO_MARKER = "SYNTHETIC-DEMO"

Strings = npt.NDArray[np.object_]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Progress = Callable[[str], None]

# ------------------------------------------------------------------------ design of the demo
#: Frame size and response mix. The frame margins themselves come from the codebook.
_DEFAULT_ROWS = (640, 880)  # rows per wave at n=None, drawn per wave (extras included)
_MESS_REFERENCE_ROWS = 750  # the default wave size the mess counts below are meant for
_MIN_ROWS = 40  # below this the planted mess would swamp the data

_SECTOR_PROPENSITY = {"public": 1.2, "academic": 1.0, "school": 0.5, "special": 1.0, "other": 0.9}
_NORTHERN = ("north_coast", "nechako", "northeast", "cariboo")
_REGION_PROPENSITY = {"mainland_southwest": 1.2, **{region: 0.5 for region in _NORTHERN}}
_LEADERS = ("manager", "director")

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

#: Importance means of the topics (everyone, every wave), where no effect overrides them.
_IMPORTANCE_MEAN = {
    "customer_service": 3.6,
    "programming": 3.4,
    "reference": 3.2,
    "collections": 3.0,
    "technology": 3.6,
    "eresources": 3.4,
    "marketing": 3.2,
    "leadership": 3.0,
    "advocacy": 3.0,
    "edi": 3.7,
    "indigenous": 3.9,
    "wellbeing": 3.8,
    "training_mentoring": 3.1,
    "governance": 3.0,
}
#: Mean importance minus mean confidence per topic (a need where it is large).
_CONFIDENCE_GAP = {
    "customer_service": -0.2,
    "programming": 0.1,
    "reference": -0.3,
    "collections": 0.0,
    "literacy_instruction": 0.3,
    "technology": 0.6,
    "eresources": 0.2,
    "marketing": 0.4,
    "leadership": 0.3,
    "advocacy": 0.4,
    "edi": 0.5,
    "indigenous": 0.7,
    "wellbeing": 0.5,
    "training_mentoring": 0.3,
    "governance": 0.3,
}
_LITERACY_TOP2 = {"school": 0.80, "others": 0.40}
_LEADER_TOPICS = ("leadership", "advocacy", "governance")
_LEADER_IMPORTANCE = 4.3
_LEADER_CONFIDENCE = 2.9
_TRUSTEE_IMPORTANCE = {"leadership": 3.6, "advocacy": 4.0, "governance": 4.6}
_TRUSTEE_CONFIDENCE = 3.0
_TRUSTEE_OPERATIONAL = (
    "customer_service",
    "programming",
    "reference",
    "collections",
    "technology",
    "eresources",
)
_ASSESSMENT_MEANS = (2.8, 3.3, 3.9)  # by wave, in codebook order
_ASSESSMENT_CONFIDENCE = 3.0
_NOT_APPLICABLE_SHARE = 0.05
#: Correlation of a topic's latent importance (and of the noise in its latent confidence) with
#: the respondent's own level, which all topics of the grid share. It makes each grid a scale
#: (Cronbach's alpha about 0.85, as in real learning-needs grids) without changing any topic's
#: distribution; 0 would draw the topics independently.
_IMPORTANCE_LEVEL = 0.55
_CONFIDENCE_LEVEL = 0.55
_CONFIDENCE_PULL = 0.35  # how far confidence follows the topic's importance
_CONFIDENCE_NOISE = 0.75  # standard deviation of the rest of latent confidence
_TRAVEL = {"northern": 0.70, "others": 0.20}
_BANDWIDTH = {"northern": 0.40, "others": 0.08}
_PAID_TIME = {
    "assistant": {"all": 0.20, "some": 0.35, "none": 0.40, "na": 0.05},
    "others": {"all": 0.55, "some": 0.33, "none": 0.08, "na": 0.04},
}

_ROLE_BY_SECTOR: dict[str, dict[str, float]] = {
    "public": {
        "assistant": 30,
        "technician": 10,
        "librarian": 20,
        "manager": 14,
        "director": 6,
        "it": 4,
        "trustee": 10,
        "student": 3,
        "other": 3,
    },
    "academic": {
        "assistant": 15,
        "technician": 20,
        "librarian": 35,
        "manager": 12,
        "director": 4,
        "it": 8,
        "student": 4,
        "other": 2,
    },
    "school": {
        "assistant": 15,
        "technician": 20,
        "librarian": 55,
        "manager": 3,
        "director": 1,
        "it": 1,
        "student": 3,
        "other": 2,
    },
    "special": {
        "assistant": 10,
        "technician": 20,
        "librarian": 45,
        "manager": 12,
        "director": 5,
        "it": 3,
        "student": 2,
        "other": 3,
    },
    "other": {
        "assistant": 10,
        "technician": 10,
        "librarian": 30,
        "manager": 15,
        "director": 10,
        "it": 5,
        "trustee": 5,
        "student": 5,
        "other": 10,
    },
}

#: Region centres (latitude, longitude) for the platform's location columns.
_REGION_CENTRE = {
    "vancouver_island": (48.95, -123.70),
    "mainland_southwest": (49.22, -122.90),
    "thompson_okanagan": (50.30, -119.90),
    "kootenay": (49.45, -117.30),
    "cariboo": (53.40, -122.60),
    "north_coast": (54.30, -130.10),
    "nechako": (54.30, -125.70),
    "northeast": (56.20, -120.80),
}

# Invented names (Windows-1252 safe, none of them "Test").
_FIRST_NAMES = (
    "Alex",
    "Amélie",
    "Anita",
    "Ben",
    "Carmen",
    "Chloé",
    "Daniel",
    "Deepa",
    "Elena",
    "Farah",
    "Gabriel",
    "Grace",
    "Hannah",
    "Harjit",
    "Isaac",
    "Jasmine",
    "Jia",
    "Joël",
    "Kamal",
    "Kiran",
    "Leah",
    "Liam",
    "Maya",
    "Mei",
    "Nadia",
    "Noah",
    "Olivia",
    "Omar",
    "Priya",
    "Raj",
    "Renée",
    "Samira",
    "Sean",
    "Sofia",
    "Tariq",
    "Thomas",
    "Wei",
    "Yusuf",
    "Zoë",
    "Marguerite",
)
_LAST_NAMES = (
    "Anderson",
    "Bains",
    "Brar",
    "Campbell",
    "Chen",
    "Côté",
    "Dhillon",
    "Dubois",
    "Fraser",
    "Gagnon",
    "Gill",
    "Grewal",
    "Harris",
    "Ito",
    "Johal",
    "Kim",
    "Lam",
    "Leblanc",
    "MacDonald",
    "Martin",
    "Morrison",
    "Nguyen",
    "Okafor",
    "Patel",
    "Pelletier",
    "Reid",
    "Roy",
    "Sandhu",
    "Schmidt",
    "Singh",
    "Smith",
    "Tan",
    "Thompson",
    "Tremblay",
    "Wong",
    "Wright",
    "Young",
    "Zhang",
    "Ahmadi",
    "Lindqvist",
)
_DOMAINS = ("example.org", "example.com", "example.net")

#: What people would like to learn next: twelve themes, a few phrasings each.
_LEARN_NEXT: dict[str, tuple[str, ...]] = {
    "indigenous": (
        "Indigenous cultural safety",
        "Cultural safety and reconciliation in practice",
        "Working respectfully with Indigenous communities",
    ),
    "ai": (
        "AI tools",
        "How to use AI tools with patrons",
        "Generative AI and information literacy",
    ),
    "grants": ("Grant writing", "Writing grant applications"),
    "patrons": ("Dealing with difficult patrons", "De-escalation at the service desk"),
    "cataloguing": ("Cataloguing and RDA", "RDA refresher", "Copy cataloguing basics"),
    "data": ("Data and assessment", "Using library data to make decisions", "Survey design"),
    "leadership": ("Leadership", "Leading a small team", "Managing change"),
    "social": ("Social media", "Social media for library promotion"),
    "accessibility": ("Accessibility", "Accessible services and documents"),
    "mental_health": ("Mental health first aid", "Trauma-informed service"),
    "coding": ("Coding", "Basic HTML/CSS and coding", "Python for library data"),
    "governance": ("Board governance", "Board governance and policy for trustees"),
}
_COMMENTS = (
    "More webinars please, travel is hard for us.",
    "Recordings of sessions would help part-time staff.",
    "Thanks for running this survey.",
    "Cost is the main issue for our small library.",
    "Regional library days are great for networking.",
    "Please schedule sessions outside desk hours.",
    "We can't get cover for the desk, so online works best.",
    "More content for school library staff would be welcome.",
    "Short modules are easier to fit into a shift.",
)
_CURLY_COMMENTS = (
    "The regional “library day” was the best learning I’ve had in years.",
    "Please don’t schedule everything on Fridays – that’s our busiest day.",
    "Our board’s view is “training is a cost”, which makes it hard.",
    "I’d love a “train the trainer” course for small branches.",
    "We can’t travel in winter; the “online first” approach helps.",
    "More “hands-on” sessions, please – webinars aren’t enough.",
)
_GENUINE_OTHER_SECTORS = (
    "archives consultant",
    "Museum archives",
    "Library co-operative staff",
    "Records management",
    "Freelance indexer",
)
_OTHER_ROLES = (
    "Outreach coordinator",
    "Archivist",
    "Volunteer coordinator",
    "Literacy outreach worker",
    "Board secretary",
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


# ---------------------------------------------------------------------- the codebook, read
@dataclass(frozen=True)
class _Question:
    """One question of the codebook, with the parts the demo needs."""

    id: str
    type: str
    text: str
    codes: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    aliases: tuple[tuple[str, ...], ...] = ()
    other: str | None = None
    scale: str | None = None

    def label(self, code: str) -> str:
        """The label of an option code."""
        return self.labels[self.index(code)]

    def index(self, code: str) -> int:
        """The position of an option code."""
        try:
            return self.codes.index(code)
        except ValueError:
            raise KeyError(
                f"the codebook's question {self.id!r} has no option {code!r}, which the demo "
                "generator needs (it is written for the reference questionnaire)"
            ) from None

    @property
    def other_position(self) -> int:
        """The 0-based position of the other-specify option (``other``, else the last)."""
        return self.codes.index("other") if "other" in self.codes else len(self.codes) - 1


@dataclass(frozen=True)
class _GridItem:
    prefix: str
    scale: str
    text: str


@dataclass(frozen=True)
class _WaveSpec:
    id: str
    file: str
    layout: str
    encoding: str
    date_formats: tuple[str, ...]
    fieldwork: tuple[str, str] | None


@dataclass(frozen=True)
class _Instrument:
    """The codebook as plain data (read with ``yaml.safe_load``)."""

    questions: tuple[_Question, ...]
    grid: _Question
    grid_items: tuple[_GridItem, ...]
    topics: tuple[str, ...]
    topic_labels: tuple[str, ...]
    scales: Mapping[str, Mapping[int, str]]
    missing_labels: tuple[str, ...]
    consent_text: str
    consent_yes: str
    frame: Mapping[str, Mapping[str, int]]
    waves: tuple[_WaveSpec, ...]
    title: str

    def question(self, question_id: str) -> _Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(f"the codebook has no question {question_id!r}")

    def missing(self, label: str) -> str:
        """A missing label the demo uses, checked to be one of the codebook's."""
        if label not in self.missing_labels:
            raise KeyError(f"the codebook's missing_labels lack {label!r}")
        return label

    def grid_columns(self) -> list[str]:
        return [f"{item.prefix}_{topic}" for item in self.grid_items for topic in self.topics]


def _fieldwork(value: Any) -> tuple[str, str] | None:
    if not value:
        return None
    first, last = (str(day) for day in value)
    return first, last


def _read_instrument(document: Mapping[str, Any]) -> _Instrument:
    questions: list[_Question] = []
    grid: _Question | None = None
    grid_items: list[_GridItem] = []
    topics: list[tuple[str, str]] = []
    for entry in document["questions"]:
        options = entry.get("options") or []
        question = _Question(
            id=str(entry["id"]),
            type=str(entry["type"]),
            text=str(entry["text"]),
            codes=tuple(str(option["code"]) for option in options),
            labels=tuple(str(option["label"]) for option in options),
            aliases=tuple(tuple(str(a) for a in option.get("aliases") or ()) for option in options),
            other=entry.get("other"),
            scale=entry.get("scale"),
        )
        questions.append(question)
        if question.type == "grid" and grid is None:
            grid = question
            grid_items = [
                _GridItem(str(item["prefix"]), str(item["scale"]), str(item["text"]))
                for item in entry["items"]
            ]
            topics = [(str(topic["code"]), str(topic["label"])) for topic in entry["topics"]]
    if grid is None:
        raise KeyError("the codebook has no grid question; the demo needs the learning-needs grid")
    consent = document.get("consent") or {}
    waves = tuple(
        _WaveSpec(
            id=str(wave["id"]),
            file=str(wave["file"]),
            layout=str(wave["layout"]),
            encoding=str(wave.get("encoding") or "utf-8"),
            date_formats=tuple(wave.get("date_formats") or ("%Y-%m-%d %H:%M:%S",)),
            fieldwork=_fieldwork(wave.get("fieldwork")),
        )
        for wave in document.get("waves") or []
    )
    scales = {
        str(name): {int(code): str(label) for code, label in scale.items()}
        for name, scale in document["scales"].items()
    }
    frame = {
        str(dimension): {str(code): int(count) for code, count in counts.items()}
        for dimension, counts in (document.get("frame") or {}).items()
    }
    return _Instrument(
        questions=tuple(questions),
        grid=grid,
        grid_items=tuple(grid_items),
        topics=tuple(code for code, _ in topics),
        topic_labels=tuple(label for _, label in topics),
        scales=scales,
        missing_labels=tuple(str(label) for label in document.get("missing_labels") or ()),
        consent_text=str(consent.get("text", "Do you consent to take part in this survey?")),
        consent_yes=str((consent.get("accepted") or ["Yes"])[0]),
        frame=frame,
        waves=waves,
        title=str(document.get("instrument", {}).get("title", "survey")),
    )


# ------------------------------------------------------------------------------ responses
@dataclass
class _Responses:
    """One wave's rows before rendering: true dimension codes, answers as exported labels
    (``""`` is blank), multi-selects as boolean matrices, and platform metadata."""

    person: Ints
    sector: Ints
    role: Ints
    region: Ints
    answers: dict[str, Strings]
    multi: dict[str, Bools]
    start: npt.NDArray[np.datetime64]
    duration: Ints
    progress: Ints
    finished: Bools
    email: Strings
    first_name: Strings
    last_name: Strings
    ip_address: Strings
    latitude: Strings
    longitude: Strings
    alternative_date: Bools
    grid_digits: Bools
    collector: Ints

    @property
    def rows(self) -> int:
        return len(self.person)

    def take(self, index: Ints) -> _Responses:
        """The rows at ``index`` (repeats allowed), as copies."""
        values: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, dict):
                values[item.name] = {key: array[index] for key, array in value.items()}
            else:
                values[item.name] = value[index]  # fancy indexing copies
        return _Responses(**values)

    def copy_rows(self, source: Ints, target: Ints) -> None:
        """Overwrite rows ``target`` with copies of rows ``source``."""
        for item in fields(self):
            value = getattr(self, item.name)
            for array in value.values() if isinstance(value, dict) else [value]:
                array[target] = array[source]


def _probabilities(weights: Mapping[str, float], codes: Sequence[str]) -> Floats:
    table = np.array([float(weights.get(code, 0.0)) for code in codes])
    return table / table.sum()


def _draw(rng: np.random.Generator, table: Floats, group: Ints | None, size: int) -> Ints:
    """One option index per row: row ``i`` drawn from ``table[group[i]]`` (or ``table``)."""
    return _quantile(table, group, rng.random(size))


def _quantile(table: Floats, group: Ints | None, uniform: Floats) -> Ints:
    """The inverse distribution function: for row ``i`` the option of ``table[group[i]]`` (or
    ``table``) at cumulative probability ``uniform[i]``. Uniform values give draws from the
    table; dependent uniform values give dependent draws with the same distribution."""
    size = len(uniform)
    cumulative = np.cumsum(np.atleast_2d(table), axis=1)
    cumulative[:, -1] = 1.0
    if group is None:
        picked = np.searchsorted(cumulative[0], uniform, side="right")
    else:
        picked = np.zeros(size, dtype=np.int64)
        for row in range(cumulative.shape[0]):
            members = np.flatnonzero(group == row)
            picked[members] = np.searchsorted(cumulative[row], uniform[members], side="right")
    return np.minimum(picked, cumulative.shape[1] - 1).astype(np.int64)


def _ordinal(
    *, mean: float | None = None, top2: float | None = None, spread: float = 1.0
) -> Floats:
    """Probabilities of 1-5: a discretised normal whose mean (or share of 4-5) is the target."""
    points = np.arange(1.0, 6.0)

    def shape(centre: float) -> Floats:
        weights = np.exp(-0.5 * ((points - centre) / spread) ** 2)
        result: Floats = weights / weights.sum()
        return result

    target = mean if mean is not None else top2
    if target is None:
        raise ValueError("give mean or top2")
    low, high = -6.0, 12.0
    for _ in range(100):
        middle = (low + high) / 2
        probabilities = shape(middle)
        value = (
            float(probabilities @ points) if mean is not None else float(probabilities[3:].sum())
        )
        low, high = (middle, high) if value < target else (low, middle)
    return shape((low + high) / 2)


def _labels(values: Sequence[object]) -> Strings:
    result = np.empty(len(values), dtype=object)
    result[:] = list(values)
    return result


def _int_text(values: npt.NDArray[np.integer[Any]]) -> Strings:
    """Non-negative integers as text: a lookup table when they are small, else numpy's."""
    if values.size and values.min() >= 0 and values.max() < 200_000:
        return _labels([str(i) for i in range(int(values.max()) + 1)])[values]
    result: Strings = values.astype(str).astype(object)
    return result


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def _frame_people(instrument: _Instrument, rng: np.random.Generator) -> dict[str, Any]:
    """The sampling frame: one entry per person, sector and region margins exactly the
    codebook's frame counts."""
    sector_q, region_q = instrument.question("sector"), instrument.question("region")
    sector_counts = instrument.frame.get("sector") or {}
    region_counts = instrument.frame.get("region") or {}
    size = sum(sector_counts.values())
    if size == 0 or size != sum(region_counts.values()):
        raise ValueError(
            "the codebook's frame margins must be non-empty and add up to the same total "
            f"(sector {size}, region {sum(region_counts.values())})"
        )
    sector = np.repeat(
        [sector_q.index(code) for code in sector_counts], list(sector_counts.values())
    )
    region = np.repeat(
        [region_q.index(code) for code in region_counts], list(region_counts.values())
    )
    sector = rng.permutation(sector).astype(np.int64)
    region = rng.permutation(region).astype(np.int64)
    return _people(instrument, rng, sector, region, np.arange(1, size + 1, dtype=np.int64))


def _propensity(instrument: _Instrument, sector: Ints, region: Ints) -> Floats:
    sector_q, region_q = instrument.question("sector"), instrument.question("region")
    by_sector = np.array([_SECTOR_PROPENSITY.get(code, 1.0) for code in sector_q.codes])
    by_region = np.array([_REGION_PROPENSITY.get(code, 1.0) for code in region_q.codes])
    result: Floats = by_sector[sector] * by_region[region]
    return result


def _synthetic_people(
    instrument: _Instrument, rng: np.random.Generator, size: int
) -> dict[str, Any]:
    """``size`` people drawn from the respondent mix (frame share times response propensity)."""
    sector_q, region_q = instrument.question("sector"), instrument.question("region")
    sector_counts = instrument.frame.get("sector") or {code: 1 for code in sector_q.codes}
    region_counts = instrument.frame.get("region") or {code: 1 for code in region_q.codes}
    sector_weights = {c: n * _SECTOR_PROPENSITY.get(c, 1.0) for c, n in sector_counts.items()}
    region_weights = {c: n * _REGION_PROPENSITY.get(c, 1.0) for c, n in region_counts.items()}
    sector = _draw(rng, _probabilities(sector_weights, sector_q.codes), None, size)
    region = _draw(rng, _probabilities(region_weights, region_q.codes), None, size)
    return _people(instrument, rng, sector, region, np.arange(1, size + 1, dtype=np.int64))


def _people(
    instrument: _Instrument, rng: np.random.Generator, sector: Ints, region: Ints, number: Ints
) -> dict[str, Any]:
    """Attributes that belong to a person rather than to one answer: role, names, e-mail."""
    size = len(sector)
    sector_q, role_q = instrument.question("sector"), instrument.question("role")
    role_table = np.array(
        [
            _probabilities(_ROLE_BY_SECTOR.get(code, _ROLE_BY_SECTOR["other"]), role_q.codes)
            for code in sector_q.codes
        ]
    )
    role = _draw(rng, role_table, sector, size)
    first_index = rng.integers(0, len(_FIRST_NAMES), size)
    last_index = rng.integers(0, len(_LAST_NAMES), size)
    first_ascii = _labels([_ascii(name) for name in _FIRST_NAMES])
    last_ascii = _labels([_ascii(name) for name in _LAST_NAMES])
    style = rng.integers(0, 3, size)
    first_part = np.where(
        style == 1,
        first_ascii[first_index].astype(str).astype("<U1"),
        first_ascii[first_index].astype(str),
    ).astype(object)
    joiner = _labels((".", "", "_"))[style]
    domain = _labels(_DOMAINS)[rng.choice(3, size, p=[0.5, 0.3, 0.2])]
    email = first_part + joiner + last_ascii[last_index] + _int_text(number) + "@" + domain
    return {
        "person": number,
        "sector": sector,
        "region": region,
        "role": role,
        "first_name": _labels(_FIRST_NAMES)[first_index],
        "last_name": _labels(_LAST_NAMES)[last_index],
        "email": email,
    }


def _answers(
    instrument: _Instrument,
    rng: np.random.Generator,
    people: Mapping[str, Any],
    wave_position: int,
    year: int,
    fieldwork: tuple[str, str] | None,
) -> _Responses:
    """Complete, consenting answers of every person, with the planted effects."""
    size = len(people["sector"])
    q = instrument.question
    sector_q, role_q, region_q = q("sector"), q("role"), q("region")
    sector: Ints = people["sector"]
    role: Ints = people["role"]
    region: Ints = people["region"]
    is_school = sector == sector_q.index("school")
    is_public = sector == sector_q.index("public")
    is_other_sector = sector == sector_q.index("other")
    is_northern = np.isin(region, [region_q.index(code) for code in _NORTHERN])
    is_assistant = role == role_q.index("assistant")
    is_leader = np.isin(role, [role_q.index(code) for code in _LEADERS])
    is_trustee = role == role_q.index("trustee")
    is_student = role == role_q.index("student")

    answers: dict[str, Strings] = {}
    answers["consent"] = _constant(instrument.consent_yes, size)

    def single(question_id: str, table: Floats, group: Ints | None = None) -> Ints:
        question = q(question_id)
        codes = _draw(rng, table, group, size)
        answers[question_id] = _labels(question.labels)[codes]
        if question.other:
            answers[question.other] = _constant("", size)
        return codes

    answers["sector"] = _labels(sector_q.labels)[sector]
    answers["sector_other"] = _constant("", size)
    genuine = _labels(_GENUINE_OTHER_SECTORS)[rng.integers(0, len(_GENUINE_OTHER_SECTORS), size)]
    answers["sector_other"][is_other_sector] = genuine[is_other_sector]
    answers["role"] = _labels(role_q.labels)[role]
    answers["role_other"] = _constant("", size)
    other_roles = _labels(_OTHER_ROLES)[rng.integers(0, len(_OTHER_ROLES), size)]
    is_other_role = role == role_q.index("other")
    answers["role_other"][is_other_role] = other_roles[is_other_role]
    answers["region"] = _labels(region_q.labels)[region]

    size_q = q("library_size")
    size_table = np.array(
        [
            _probabilities({"na": 1}, size_q.codes),
            _probabilities(
                {"lt5k": 15, "5k_20k": 25, "20k_100k": 30, "100k_plus": 30}, size_q.codes
            ),
        ]
    )
    single("library_size", size_table, is_public.astype(np.int64))
    years_q = q("years")
    years_table = np.array(
        [
            _probabilities(
                {"lt2": 10, "2_5": 20, "6_10": 22, "11_20": 25, "20_plus": 23}, years_q.codes
            ),
            _probabilities({"lt2": 70, "2_5": 30}, years_q.codes),
            _probabilities({"2_5": 5, "6_10": 15, "11_20": 35, "20_plus": 45}, years_q.codes),
        ]
    )
    years_group = np.where(is_student, 1, np.where(is_leader, 2, 0)).astype(np.int64)
    single("years", years_table, years_group)
    employment_q = q("employment")
    employment_table = np.array(
        [
            _probabilities(
                {"full_time": 62, "part_time": 25, "casual": 7, "volunteer": 2, "not_employed": 4},
                employment_q.codes,
            ),
            _probabilities({"volunteer": 90, "not_employed": 10}, employment_q.codes),
            _probabilities({"part_time": 40, "casual": 20, "not_employed": 40}, employment_q.codes),
        ]
    )
    employment_group = np.where(is_trustee, 1, np.where(is_student, 2, 0)).astype(np.int64)
    single("employment", employment_table, employment_group)
    cltp_q = q("cltp")
    cltp_table = np.array(
        [
            _probabilities({"certificate": 5, "some": 10, "no": 85}, cltp_q.codes),
            _probabilities({"certificate": 25, "some": 35, "no": 40}, cltp_q.codes),
            _probabilities({"some": 10, "no": 90}, cltp_q.codes),
        ]
    )
    cltp_group = np.where(is_trustee, 2, np.where(is_public, 1, 0)).astype(np.int64)
    single("cltp", cltp_table, cltp_group)

    _grid_answers(instrument, rng, answers, is_school, is_leader, is_trustee, wave_position)

    hours = np.exp(rng.normal(np.log(25.0), 0.9, size))
    hours = np.clip(np.rint(hours), 0, 400).astype(np.int64)
    hours[rng.random(size) < 0.02] = 0
    cpd = _int_text(hours)
    cpd[rng.random(size) < 0.02] = ""
    answers["cpd_hours"] = cpd

    paid_q = q("paid_time")
    paid_table = np.array(
        [
            _probabilities(_PAID_TIME["others"], paid_q.codes),
            _probabilities(_PAID_TIME["assistant"], paid_q.codes),
        ]
    )
    single("paid_time", paid_table, is_assistant.astype(np.int64))
    prefer_not = instrument.missing("Prefer not to say")
    for question_id, weights in (
        ("employer_support", (6, 12, 22, 38, 22)),
        ("compulsory_cpd", (12, 20, 30, 25, 13)),
    ):
        scale = instrument.scales[q(question_id).scale or "agreement"]
        codes = _draw(rng, np.array(weights, dtype=float) / sum(weights), None, size)
        values = _labels([scale[code] for code in sorted(scale)])[codes]
        values[rng.random(size) < 0.03] = prefer_not
        answers[question_id] = values

    multi: dict[str, Bools] = {}
    barriers_q = q("barriers")
    chance = {
        "time": 0.65,
        "cost": 0.45,
        "cover": 0.25,
        "support": 0.10,
        "relevance": 0.15,
        "awareness": 0.20,
        "other": 0.04,
    }
    ticks = np.zeros((size, len(barriers_q.codes)), dtype=bool)
    for position, code in enumerate(barriers_q.codes):
        if code == "travel":
            p = np.where(is_northern, _TRAVEL["northern"], _TRAVEL["others"])
        elif code == "bandwidth":
            p = np.where(is_northern, _BANDWIDTH["northern"], _BANDWIDTH["others"])
        else:
            p = np.full(size, chance.get(code, 0.1))
        ticks[:, position] = rng.random(size) < p
    ticks[~ticks.any(axis=1), barriers_q.index("time")] = True
    multi["barriers"] = ticks

    formats_q = q("formats")
    format_weights = np.array(
        [
            {
                "workshop": 1.0,
                "webinar": 1.2,
                "self_paced": 1.1,
                "conference": 0.8,
                "mentoring": 0.5,
                "peer_network": 0.5,
                "micro": 0.8,
                "certificate": 0.4,
            }.get(code, 0.5)
            for code in formats_q.codes
        ]
    )
    keys = np.log(format_weights)[None, :] + rng.gumbel(size=(size, len(format_weights)))
    ranks = np.argsort(np.argsort(-keys, axis=1), axis=1)
    chosen = _draw(rng, np.array([0.2, 0.35, 0.45]), None, size) + 1
    multi["formats"] = ranks < chosen[:, None]

    mentoring_q = q("mentoring")
    single(
        "mentoring",
        _probabilities(
            {"have_mentor": 12, "am_mentor": 10, "both": 6, "interested": 42, "not_interested": 30},
            mentoring_q.codes,
        ),
    )
    networks_q = q("networks")
    network_chance = {
        "events": 0.55,
        "association": 0.45,
        "social": 0.35,
        "linkedin": 0.30,
        "newsletters": 0.35,
        "lists": 0.40,
    }
    ticks = np.zeros((size, len(networks_q.codes)), dtype=bool)
    for position, code in enumerate(networks_q.codes):
        ticks[:, position] = rng.random(size) < network_chance.get(code, 0.0)
    if "none" in networks_q.codes:
        ticks[~ticks.any(axis=1), networks_q.index("none")] = True
    else:
        ticks[~ticks.any(axis=1), 0] = True
    multi["networks"] = ticks

    phrases = [phrase for group in _LEARN_NEXT.values() for phrase in group]
    phrase_weights = np.array([1.0 / len(group) for group in _LEARN_NEXT.values() for _ in group])
    learn = _labels(phrases)[_draw(rng, phrase_weights / phrase_weights.sum(), None, size)]
    learn[rng.random(size) < 0.30] = ""
    answers["learn_next"] = learn
    comments = _labels(_COMMENTS)[rng.integers(0, len(_COMMENTS), size)]
    comments[rng.random(size) >= 0.12] = ""
    answers["comments"] = comments

    start = np.sort(_start_times(rng, size, year, fieldwork))  # rows in time order, as exported
    duration = np.exp(rng.normal(np.log(900.0), 0.45, size))
    duration = np.clip(np.rint(duration), 420, 10800).astype(np.int64)
    centres = np.array([_REGION_CENTRE.get(code, (50.0, -123.0)) for code in region_q.codes])
    latitude = centres[region, 0] + rng.uniform(-0.35, 0.35, size)
    longitude = centres[region, 1] + rng.uniform(-0.35, 0.35, size)
    networks_prefix = _labels(("192.0.2.", "198.51.100.", "203.0.113."))[rng.integers(0, 3, size)]
    ip = networks_prefix + _int_text(rng.integers(1, 255, size))
    gives_email = rng.random(size) < 0.60
    gives_name = rng.random(size) < 0.30
    blank = _constant("", size)
    return _Responses(
        person=people["person"],
        sector=sector,
        role=role,
        region=region,
        answers=answers,
        multi=multi,
        start=start,
        duration=duration,
        progress=np.full(size, 100, dtype=np.int64),
        finished=np.ones(size, dtype=bool),
        email=np.where(gives_email, people["email"], blank),
        first_name=np.where(gives_name, people["first_name"], blank),
        last_name=np.where(gives_name, people["last_name"], blank),
        ip_address=ip,
        latitude=_fixed4(latitude),
        longitude=_fixed4(longitude),
        alternative_date=rng.random(size) < 0.05,
        grid_digits=np.zeros(size, dtype=bool),
        collector=(rng.random(size) < 0.2).astype(np.int64),
    )


def _grid_answers(
    instrument: _Instrument,
    rng: np.random.Generator,
    answers: dict[str, Strings],
    is_school: Bools,
    is_leader: Bools,
    is_trustee: Bools,
    wave_position: int,
) -> None:
    """Importance and confidence of every topic, with the planted effects.

    Each grid is a scale: every respondent has a level of importance and a level of confidence,
    standard normal and independent of each other, that all topics share (a Gaussian copula).
    A topic's importance is the quantile of its group's distribution at
    ``Phi(r * level + sqrt(1 - r**2) * e)`` with ``e`` standard normal per topic and ``r``
    :data:`_IMPORTANCE_LEVEL`; the argument of ``Phi`` is standard normal, so every topic's
    distribution in every group is exactly the planted one. Confidence is its group's mean plus
    a pull towards the topic's importance plus normal noise, part of which (correlation
    :data:`_CONFIDENCE_LEVEL`) is the respondent's confidence level; the noise stays normal
    with the same spread and independent of importance, so its distribution is unchanged too.

    The levels come from a child generator (``rng.spawn``), and each topic's own terms are drawn
    from ``rng`` with the same calls as without levels (``e`` through a uniform), so ``rng``
    leaves the grid in the same state either way: the rest of the wave does not depend on how
    the grid is correlated.
    """
    from scipy.special import ndtr, ndtri

    size = len(is_school)
    levels = rng.spawn(1)[0]
    importance_level = levels.standard_normal(size)
    confidence_level = levels.standard_normal(size)
    importance_own = np.sqrt(1.0 - _IMPORTANCE_LEVEL**2)
    confidence_own = np.sqrt(1.0 - _CONFIDENCE_LEVEL**2)
    not_applicable = instrument.missing("Not applicable to my role")
    assessment = _ASSESSMENT_MEANS[min(wave_position, len(_ASSESSMENT_MEANS) - 1)]
    if len(instrument.grid_items) != 2:
        raise ValueError("the demo needs a grid with two items: importance, then confidence")
    importance_item, confidence_item = instrument.grid_items
    importance_labels = _labels(
        [""] + [instrument.scales[importance_item.scale][c] for c in range(1, 6)]
    )
    confidence_labels = _labels(
        [""] + [instrument.scales[confidence_item.scale][c] for c in range(1, 6)]
    )
    group = np.where(is_trustee, 2, np.where(is_leader, 1, 0)).astype(np.int64)
    for topic in instrument.topics:
        # (importance distribution, mean confidence) for everyone / leaders / trustees
        if topic == "literacy_instruction":
            tables = [
                _ordinal(top2=_LITERACY_TOP2["others"]),
                _ordinal(top2=_LITERACY_TOP2["school"]),
            ]
            rows = is_school.astype(np.int64)
            gap = _CONFIDENCE_GAP[topic]
            confidence = [float(t @ np.arange(1, 6)) - gap for t in tables]
        elif topic == "assessment":
            tables = [_ordinal(mean=assessment)]
            rows = np.zeros(size, dtype=np.int64)
            confidence = [_ASSESSMENT_CONFIDENCE]
        else:
            base = _IMPORTANCE_MEAN.get(topic, 3.3)
            gap = _CONFIDENCE_GAP.get(topic, 0.3)
            means = [base, base, base]
            confidence = [base - gap, base - gap, base - gap]
            if topic in _LEADER_TOPICS:
                means[1], confidence[1] = _LEADER_IMPORTANCE, _LEADER_CONFIDENCE
                means[2] = _TRUSTEE_IMPORTANCE.get(topic, base)
                confidence[2] = _TRUSTEE_CONFIDENCE
            elif topic in _TRUSTEE_OPERATIONAL:
                means[2], confidence[2] = base - 0.7, base - 0.7 - gap
            tables = [_ordinal(mean=m) for m in means]
            rows = group
        table = np.array(tables)
        own = ndtri(rng.random(size))  # standard normal, through a uniform (see above)
        importance_latent = _IMPORTANCE_LEVEL * importance_level + importance_own * own
        importance = _quantile(table, rows, ndtr(importance_latent)) + 1
        expected = (table @ np.arange(1.0, 6.0))[rows]
        confidence_mean = np.array(confidence)[rows]
        noise = _CONFIDENCE_NOISE * (
            _CONFIDENCE_LEVEL * confidence_level + confidence_own * rng.standard_normal(size)
        )
        latent = confidence_mean + _CONFIDENCE_PULL * (importance - expected) + noise
        confidence_value = np.clip(np.rint(latent), 1, 5).astype(np.int64)
        missing = rng.random(size) < _NOT_APPLICABLE_SHARE
        imp_text = importance_labels[importance]
        comp_text = confidence_labels[confidence_value]
        imp_text[missing] = not_applicable
        comp_text[missing] = not_applicable
        answers[f"{importance_item.prefix}_{topic}"] = imp_text
        answers[f"{confidence_item.prefix}_{topic}"] = comp_text


def _start_times(
    rng: np.random.Generator, size: int, year: int, fieldwork: tuple[str, str] | None
) -> npt.NDArray[np.datetime64]:
    """When each response started: mostly early in fieldwork and after the reminders."""
    first = np.datetime64(fieldwork[0] if fieldwork else f"{year}-03-01", "D")
    last = np.datetime64(fieldwork[1], "D") if fieldwork else first + np.timedelta64(41, "D")
    days = max(int((last - first).astype(int)) + 1, 1)
    weight = 0.35 + np.exp(-np.arange(days) / 4.0)
    for reminder in (days // 3, 2 * days // 3):
        weight[reminder : reminder + 3] += 0.6
    day = _draw(rng, weight / weight.sum(), None, size)
    hour_weights = np.array(
        [0, 0, 0, 0, 0, 0, 0, 1, 3, 6, 7, 7, 6, 6, 7, 7, 6, 4, 3, 4, 4, 3, 2, 1], dtype=float
    )
    hour = _draw(rng, hour_weights / hour_weights.sum(), None, size)
    seconds = day * 86400 + hour * 3600 + rng.integers(0, 3600, size)
    result: npt.NDArray[np.datetime64] = first.astype("datetime64[s]") + seconds.astype(
        "timedelta64[s]"
    )
    return result


def _fixed4(values: Floats) -> Strings:
    """Numbers with four decimals, as text (vectorised)."""
    scaled = np.rint(np.abs(values) * 10000).astype(np.int64)
    pad = _labels([f"{i:04d}" for i in range(10000)])
    sign = _labels(("", "-"))[(values < 0).astype(np.int64)]
    result: Strings = sign + _int_text(scaled // 10000) + "." + pad[scaled % 10000]
    return result


# ---------------------------------------------------------------------------------- mess
def _mess_counts(n: int | None, *, curly: bool) -> dict[str, int]:
    scale = 1.0 if n is None else n / _MESS_REFERENCE_ROWS
    counts = {kind: max(1, round(base * scale)) for kind, base in _MESS_COUNTS.items()}
    if not curly:
        counts["curly_quotes"] = 0
    return counts


@dataclass
class _Planted:
    """Which rows got which mess (row positions before the final ordering)."""

    kinds: dict[str, Ints] = field(default_factory=dict)
    keep: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sector_expected: dict[int, str] = field(default_factory=dict)
    hours_expected: dict[int, float] = field(default_factory=dict)
    hours_raw: dict[int, str] = field(default_factory=dict)
    pii: dict[int, list[str]] = field(default_factory=dict)


def _fields(instrument: _Instrument) -> list[tuple[str, str, bool]]:
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
    responses: _Responses, rows: Ints, cuts: Ints, answer_fields: list[tuple[str, str, bool]]
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


def _plant(
    instrument: _Instrument,
    rng: np.random.Generator,
    base: _Responses,
    counts: Mapping[str, int],
    layout: str,
) -> tuple[_Responses, _Planted]:
    """Plant the mess in disjoint sets of rows, in place. The last ``duplicate_person`` rows
    of ``base`` are placeholders for the second answers of people who answered twice."""
    q = instrument.question
    sector_q = q("sector")
    pairs = counts["duplicate_person"]
    size = base.rows - pairs
    used = np.zeros(base.rows, dtype=bool)
    order = rng.permutation(size)
    sector_codes = _labels(sector_q.codes)[base.sector]

    def pick(kind: str, count: int, eligible: Bools | None = None) -> Ints:
        candidates = order[~used[order]]
        if eligible is not None:
            candidates = candidates[eligible[candidates]]
        chosen = np.sort(candidates[:count]).astype(np.int64)
        if len(chosen) < count:
            raise ValueError(f"too few rows to plant {count} x {kind}; use a larger n")
        used[chosen] = True
        return chosen

    planted = _Planted()
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
            base.email[row] = _fallback_email(rng, int(base.person[row]))
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
        responses.answers["sector_other"][row] = _GENUINE_OTHER_SECTORS[
            number % len(_GENUINE_OTHER_SECTORS)
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
        email = _fallback_email(rng, int(responses.person[row]))
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


def _grid_labels(instrument: _Instrument) -> dict[str, list[str]]:
    """For every grid column, the labels of codes 0..5 of its scale (0 is blank)."""
    result: dict[str, list[str]] = {}
    for item in instrument.grid_items:
        scale = instrument.scales[item.scale]
        labels = [""] + [scale[code] for code in range(1, 6)]
        for topic in instrument.topics:
            result[f"{item.prefix}_{topic}"] = labels
    return result


def _fallback_email(rng: np.random.Generator, person: int) -> str:
    first = _ascii(_FIRST_NAMES[int(rng.integers(0, len(_FIRST_NAMES)))])
    last = _ascii(_LAST_NAMES[int(rng.integers(0, len(_LAST_NAMES)))])
    domain = _DOMAINS[int(rng.integers(0, len(_DOMAINS)))]
    return f"{first}.{last}{person}@{domain}"


# ----------------------------------------------------------------------------- one wave
@dataclass
class _Wave:
    spec: _WaveSpec
    responses: _Responses
    ids: Strings
    truth: dict[str, Any]


def _wave_key(wave_id: str) -> int:
    return int(wave_id) if wave_id.isdigit() else zlib.crc32(wave_id.encode("utf-8"))


def _make_wave(
    instrument: _Instrument,
    spec: _WaveSpec,
    position: int,
    seed: int,
    frame: Mapping[str, Any] | None,
    n: int | None,
) -> _Wave:
    """One wave: respondents, answers, planted mess, ids, export order and ground truth. The
    generator is seeded by ``seed`` and the wave id, so each wave is reproducible alone."""
    rng = np.random.default_rng([seed, _wave_key(spec.id)])
    counts = _mess_counts(
        n,
        curly=spec.layout == "qualtrics"
        and spec.encoding.lower() not in ("utf-8", "utf8", "utf-8-sig"),
    )
    extras = counts["duplicate_person"] + counts["duplicate_id"]
    total = int(rng.integers(*_DEFAULT_ROWS)) if n is None else n
    planted_rows = sum(counts.values()) + counts["duplicate_person"]
    if n is not None and (n < _MIN_ROWS or planted_rows > n // 2):
        raise ValueError(
            f"n must be at least {_MIN_ROWS} so that the planted mess stays a minority"
        )
    size = total - extras
    if frame is not None:
        weights = _propensity(instrument, frame["sector"], frame["region"])
        chosen = np.sort(
            rng.choice(len(weights), size=size, replace=False, p=weights / weights.sum())
        )
        people = {key: value[chosen] for key, value in frame.items()}
    else:
        people = _synthetic_people(instrument, rng, size)
    # placeholder rows at the end for the second answers of people who answered twice
    placeholders = np.arange(counts["duplicate_person"]) % size
    people = {key: np.concatenate([value, value[placeholders]]) for key, value in people.items()}
    year = int(spec.id) if spec.id.isdigit() else 2024 + position
    base = _answers(instrument, rng, people, position, year, spec.fieldwork)
    responses, planted = _plant(instrument, rng, base, counts, spec.layout)

    # final order: Qualtrics by recorded (end) date, SurveyMonkey by start; re-exported rows last
    end = responses.start + responses.duration.astype("timedelta64[s]")
    key = end if spec.layout == "qualtrics" else responses.start
    order = np.argsort(key, kind="stable").astype(np.int64)
    if spec.layout == "qualtrics":
        ids = _qualtrics_ids(rng, responses.rows)
    else:
        start_id = int(rng.integers(11_400_000_000, 11_500_000_000))
        ids = np.empty(responses.rows, dtype=object)
        ids[order] = _int_text(start_id + np.cumsum(rng.integers(1, 60, responses.rows)))
    repeated = planted.kinds["duplicate_id"]
    final = np.concatenate([order, repeated]).astype(np.int64)
    truth = _wave_truth(spec, ids, final, planted)
    return _Wave(spec, responses.take(final), ids[final], truth)


def _qualtrics_ids(rng: np.random.Generator, size: int) -> Strings:
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


def _wave_truth(spec: _WaveSpec, ids: Strings, final: Ints, planted: _Planted) -> dict[str, Any]:
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


# ---------------------------------------------------------------------------- rendering
_DATE_TOKEN = re.compile(r"%.|[^%]+")


def _format_dates(times: npt.NDArray[np.datetime64], date_format: str) -> Strings:
    """``strftime`` for the directives exports use (%Y %m %d %H %I %M %S %p), vectorised:
    the ISO text of each time is cut into characters and reassembled in the wanted order."""
    size = len(times)
    seconds = times.astype("datetime64[s]")
    characters = np.ascontiguousarray(np.datetime_as_string(seconds, unit="s").astype("<U19"))
    grid = characters.view("<U1").reshape(size, 19)
    hour = (seconds.astype("datetime64[h]").astype(np.int64) % 24).astype(np.int64)
    twelve = np.array([f"{(h + 11) % 12 + 1:02d}" for h in range(24)], dtype="<U2")[hour]
    meridiem = np.where(hour < 12, "AM", "PM").astype("<U2")
    slices = {
        "%Y": (0, 4),
        "%m": (5, 7),
        "%d": (8, 10),
        "%H": (11, 13),
        "%M": (14, 16),
        "%S": (17, 19),
    }
    blocks: list[npt.NDArray[np.str_]] = []
    for token in _DATE_TOKEN.findall(date_format):
        if token in slices:
            first, last = slices[token]
            blocks.append(grid[:, first:last])
        elif token == "%I":
            blocks.append(np.ascontiguousarray(twelve).view("<U1").reshape(size, 2))
        elif token == "%p":
            blocks.append(np.ascontiguousarray(meridiem).view("<U1").reshape(size, 2))
        elif token.startswith("%") and token != "%%":
            raise ValueError(f"date format directive {token} is not supported by the demo")
        else:
            literal = "%" if token == "%%" else token
            blocks.append(
                np.broadcast_to(np.array(list(literal), dtype="<U1"), (size, len(literal)))
            )
    joined = np.ascontiguousarray(np.concatenate(blocks, axis=1))
    result: Strings = joined.view(f"<U{joined.shape[1]}").ravel().astype(object)
    return result


def _dates(responses: _Responses, spec: _WaveSpec, times: npt.NDArray[np.datetime64]) -> Strings:
    """Each time in the wave's first date format, or in its second for the rows exported so."""
    result = _format_dates(times, spec.date_formats[0])
    if len(spec.date_formats) > 1:
        rows = np.flatnonzero(responses.alternative_date)
        result[rows] = _format_dates(times[rows], spec.date_formats[1])
    return result


@dataclass(frozen=True)
class _Column:
    """One exported column: its header cells and its values (``""`` is an empty cell)."""

    headers: tuple[str, ...]
    values: Strings
    numeric: bool = False


def _constant(value: str, size: int) -> Strings:
    result = np.empty(size, dtype=object)
    result.fill(value)  # much faster than np.full for text
    return result


def _joined_multi(ticks: Bools, labels: Sequence[str]) -> Strings:
    """A multi-select as Qualtrics writes it: chosen labels joined by "," (blank if none)."""
    bits = (ticks.astype(np.int64) << np.arange(ticks.shape[1], dtype=np.int64)).sum(axis=1)
    combinations, inverse = np.unique(bits, return_inverse=True)
    texts = _labels(
        [
            ",".join(label for j, label in enumerate(labels) if combination >> j & 1)
            for combination in combinations.tolist()
        ]
    )
    result: Strings = texts[inverse.ravel()]
    return result


def _qualtrics_columns(instrument: _Instrument, wave: _Wave) -> list[_Column]:
    responses, spec = wave.responses, wave.spec
    size = responses.rows
    end = responses.start + responses.duration.astype("timedelta64[s]")
    start_text, end_text = _dates(responses, spec, responses.start), _dates(responses, spec, end)
    metadata: list[tuple[str, str, str, Strings]] = [
        ("StartDate", "Start Date", "startDate", start_text),
        ("EndDate", "End Date", "endDate", end_text),
        ("Status", "Response Type", "status", _constant("IP Address", size)),
        ("IPAddress", "IP Address", "ipAddress", responses.ip_address),
        ("Progress", "Progress", "progress", _int_text(responses.progress)),
        (
            "Duration (in seconds)",
            "Duration (in seconds)",
            "duration",
            _int_text(responses.duration),
        ),
        (
            "Finished",
            "Finished",
            "finished",
            _labels(("False", "True"))[responses.finished.astype(np.int64)],
        ),
        ("RecordedDate", "Recorded Date", "recordedDate", end_text),
        ("ResponseId", "Response ID", "_recordId", wave.ids),
        ("RecipientLastName", "Recipient Last Name", "recipientLastName", responses.last_name),
        ("RecipientFirstName", "Recipient First Name", "recipientFirstName", responses.first_name),
        ("RecipientEmail", "Recipient Email", "recipientEmail", responses.email),
        (
            "ExternalReference",
            "External Data Reference",
            "externalDataReference",
            _constant(DEMO_MARKER, size),
        ),
        ("LocationLatitude", "Location Latitude", "locationLatitude", responses.latitude),
        ("LocationLongitude", "Location Longitude", "locationLongitude", responses.longitude),
        (
            "DistributionChannel",
            "Distribution Channel",
            "distributionChannel",
            _constant("anonymous", size),
        ),
        ("UserLanguage", "User Language", "userLanguage", _constant("EN", size)),
    ]
    columns = [
        _Column((name, text, _import_id(tag)), values) for name, text, tag, values in metadata
    ]
    columns.append(
        _Column(
            ("consent", instrument.consent_text, _import_id("QID2")), responses.answers["consent"]
        )
    )
    digits = _digit_map(instrument)
    number = 2
    for question in instrument.questions:
        number += 1
        qid = f"QID{number}"
        if question.type == "grid":
            for item_position, item in enumerate(instrument.grid_items):
                if item_position:
                    number += 1
                    qid = f"QID{number}"
                for k, (topic, label) in enumerate(
                    zip(instrument.topics, instrument.topic_labels, strict=True), 1
                ):
                    values = responses.answers[f"{item.prefix}_{topic}"].copy()
                    rows = np.flatnonzero(responses.grid_digits)
                    values[rows] = [digits.get(str(v), str(v)) for v in values[rows]]
                    columns.append(
                        _Column(
                            (
                                f"{item.prefix}_{topic}",
                                f"{item.text} - {label}",
                                _import_id(f"{qid}_{k}"),
                            ),
                            values,
                        )
                    )
        elif question.type == "multi":
            columns.append(
                _Column(
                    (question.id, f"{question.text} - Selected Choice", _import_id(qid)),
                    _joined_multi(responses.multi[question.id], question.labels),
                )
            )
        elif question.type == "single":
            columns.append(
                _Column(
                    (question.id, f"{question.text} - Selected Choice", _import_id(qid)),
                    responses.answers[question.id],
                )
            )
        elif question.type in ("number", "text"):
            columns.append(
                _Column(
                    (question.id, question.text, _import_id(f"{qid}_TEXT")),
                    responses.answers[question.id],
                )
            )
        else:
            columns.append(
                _Column(
                    (question.id, question.text, _import_id(qid)), responses.answers[question.id]
                )
            )
        if question.other:
            position = question.other_position
            columns.append(
                _Column(
                    (
                        question.other,
                        f"{question.text} - {question.labels[position]} - Text",
                        _import_id(f"{qid}_{position + 1}_TEXT"),
                    ),
                    responses.answers[question.other],
                )
            )
    return columns


def _import_id(tag: str) -> str:
    return json.dumps({"ImportId": tag}, separators=(",", ":"))


def _digit_map(instrument: _Instrument) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in instrument.grid_items:
        for code, label in instrument.scales[item.scale].items():
            result[label] = str(code)
    return result


def _surveymonkey_columns(instrument: _Instrument, wave: _Wave) -> list[_Column]:
    responses, spec = wave.responses, wave.spec
    size = responses.rows
    end = responses.start + responses.duration.astype("timedelta64[s]")
    collectors = np.array([431_000_000, 431_000_000], dtype=np.int64)
    collectors += np.array([int(zlib.crc32(spec.id.encode()) % 900_000), 912_345], dtype=np.int64)
    columns = [
        _Column(("Respondent ID", ""), wave.ids, numeric=True),
        _Column(
            ("Collector ID", ""),
            _int_text(collectors[responses.collector]),
            numeric=True,
        ),
        _Column(("Start Date", ""), _dates(responses, spec, responses.start)),
        _Column(("End Date", ""), _dates(responses, spec, end)),
        _Column(("IP Address", ""), responses.ip_address),
        _Column(("Email Address", ""), responses.email),
        _Column(("First Name", ""), responses.first_name),
        _Column(("Last Name", ""), responses.last_name),
        _Column(("Custom Data 1", ""), _constant(DEMO_MARKER, size)),
        _Column((instrument.consent_text, "Response"), responses.answers["consent"]),
    ]
    for question in instrument.questions:
        if question.type == "grid":
            for item in instrument.grid_items:
                for k, (topic, label) in enumerate(
                    zip(instrument.topics, instrument.topic_labels, strict=True)
                ):
                    columns.append(
                        _Column(
                            (item.text if k == 0 else "", label),
                            responses.answers[f"{item.prefix}_{topic}"],
                        )
                    )
        elif question.type == "multi":
            ticks = responses.multi[question.id]
            for k, label in enumerate(question.labels):
                values = _constant("", size)
                values[ticks[:, k]] = label
                columns.append(_Column((question.text if k == 0 else "", label), values))
        elif question.type in ("number", "text"):
            columns.append(
                _Column((question.text, "Open-Ended Response"), responses.answers[question.id])
            )
        else:
            columns.append(_Column((question.text, "Response"), responses.answers[question.id]))
        if question.other:
            columns.append(
                _Column(
                    ("", question.labels[question.other_position]),
                    responses.answers[question.other],
                )
            )
    return columns


# ------------------------------------------------------------------------------ writing
def _write_csv(path: Path, columns: Sequence[_Column], header_rows: int, encoding: str) -> None:
    """A table as CSV the way Qualtrics writes it: comma, minimal quoting, CRLF."""
    headers = [[column.headers[k] for column in columns] for k in range(header_rows)]
    body = pd.DataFrame({position: column.values for position, column in enumerate(columns)})
    with path.open("w", encoding=encoding, newline="") as stream:
        csv.writer(stream, lineterminator="\r\n").writerows(headers)
        body.to_csv(stream, header=False, index=False, lineterminator="\r\n", chunksize=50_000)


def _write_xlsx(
    path: Path, columns: Sequence[_Column], *, title: str, description: str, created: datetime
) -> None:
    """A one-sheet workbook as SurveyMonkey writes it (XlsxWriter; fixed document properties,
    so the same data gives the same bytes)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,  # rows are streamed to disk in order
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties(
        {
            "title": title,
            "comments": description,
            "author": "survey demo (synthetic)",
            "created": created,
        }
    )
    sheet = workbook.add_worksheet("Sheet")
    header_count = len(columns[0].headers)
    for k in range(header_count):
        sheet.write_row(k, 0, [column.headers[k] for column in columns])
    numeric = [column.numeric for column in columns]
    for row, values in enumerate(zip(*(column.values for column in columns), strict=True)):
        for position, value in enumerate(values):
            if value == "":
                continue
            if numeric[position]:
                sheet.write_number(header_count + row, position, float(value))
            else:
                sheet.write_string(header_count + row, position, value)
    workbook.close()


# --------------------------------------------------------------------------- ground truth
def _mess_descriptions(instrument: _Instrument) -> dict[str, str]:
    """The kinds of mess in words, labels taken from the codebook."""
    sector = instrument.question("sector")
    labels = {
        "other": sector.labels[sector.other_position],
        "middle": "/".join(
            f"'{instrument.scales[item.scale][3]}'" for item in instrument.grid_items
        ),
    }
    return {kind: text.format(**labels) for kind, text in _MESS_DESCRIPTIONS.items()}


def _effect_descriptions(instrument: _Instrument) -> dict[str, str]:
    """The planted effects in words, labels taken from the codebook."""
    q = instrument.question
    topic_label = dict(zip(instrument.topics, instrument.topic_labels, strict=True))
    importance, confidence = instrument.grid_items[0], instrument.grid_items[-1]
    top2 = " or ".join(instrument.scales[importance.scale][code] for code in (4, 5))
    northern = ", ".join(q("region").label(code) for code in _NORTHERN)
    leaders = " and ".join(f"'{q('role').label(code)}'" for code in _LEADERS)
    leader_topics = ", ".join(f"'{topic_label[topic]}'" for topic in _LEADER_TOPICS)
    waves = ", ".join(
        f"{_ASSESSMENT_MEANS[min(i, len(_ASSESSMENT_MEANS) - 1)]} ({wave.id})"
        for i, wave in enumerate(instrument.waves)
    )
    return {
        "school_literacy": f"Staff of '{q('sector').label('school')}' rate "
        f"'{topic_label['literacy_instruction']}' far more important than everyone else: about "
        f"{_LITERACY_TOP2['school']:.0%} answer {top2}, against about "
        f"{_LITERACY_TOP2['others']:.0%}.",
        "northern_travel": f"Staff in the northern regions ({northern}) tick "
        f"'{q('barriers').label('travel')}' as a barrier far more often (about "
        f"{_TRAVEL['northern']:.0%} against {_TRAVEL['others']:.0%}), and "
        f"'{q('barriers').label('bandwidth')}' more often too (about "
        f"{_BANDWIDTH['northern']:.0%} against {_BANDWIDTH['others']:.0%}).",
        "assistant_paid_time": f"'{q('role').label('assistant')}' staff less often learn in "
        f"paid time: '{q('paid_time').label('all')}' about "
        f"{_PAID_TIME['assistant']['all']:.0%} against {_PAID_TIME['others']['all']:.0%}, "
        f"'{q('paid_time').label('none')}' about {_PAID_TIME['assistant']['none']:.0%} "
        f"against {_PAID_TIME['others']['none']:.0%}.",
        "leaders_needs": f"{leaders} rate {leader_topics} highly (mean importance about "
        f"{_LEADER_IMPORTANCE} against {_IMPORTANCE_MEAN['leadership']}) with only moderate "
        f"confidence (about {_LEADER_CONFIDENCE}), so these are their top needs by the Borich "
        f"score; '{q('role').label('trustee')}' respondents rate "
        f"'{topic_label['governance']}' highest of all topics (about "
        f"{_TRUSTEE_IMPORTANCE['governance']}).",
        "assessment_trend": f"'{topic_label['assessment']}' grows more important wave by wave "
        f"(mean {importance.prefix} about {waves}); every other topic has the same "
        f"distribution of importance and confidence ('{confidence.prefix}') in every wave.",
    }


def _effects(instrument: _Instrument) -> list[dict[str, Any]]:
    sector_codes = list(instrument.question("sector").codes)
    region_codes = list(instrument.question("region").codes)
    role_codes = list(instrument.question("role").codes)
    others = [code for code in role_codes if code not in (*_LEADERS, "trustee")]
    text = _effect_descriptions(instrument)
    return [
        {
            "id": "school_literacy",
            "description": text["school_literacy"],
            "question": "imp_literacy_instruction",
            "statistic": "top2_share",
            "groups": {
                "school": {"sector": ["school"]},
                "others": {"sector": [c for c in sector_codes if c != "school"]},
            },
            "intended": dict(_LITERACY_TOP2),
        },
        {
            "id": "northern_travel",
            "description": text["northern_travel"],
            "question": "barriers",
            "statistic": "share_ticked",
            "groups": {
                "northern": {"region": list(_NORTHERN)},
                "others": {"region": [c for c in region_codes if c not in _NORTHERN]},
            },
            "intended": {"travel": dict(_TRAVEL), "bandwidth": dict(_BANDWIDTH)},
        },
        {
            "id": "assistant_paid_time",
            "description": text["assistant_paid_time"],
            "question": "paid_time",
            "statistic": "share_by_option",
            "groups": {
                "assistant": {"role": ["assistant"]},
                "others": {"role": [c for c in role_codes if c != "assistant"]},
            },
            "intended": {group: dict(shares) for group, shares in _PAID_TIME.items()},
        },
        {
            "id": "leaders_needs",
            "description": text["leaders_needs"],
            "questions": [
                f"{item.prefix}_{topic}"
                for item in instrument.grid_items
                for topic in _LEADER_TOPICS
            ],
            "statistic": "mean",
            "groups": {
                "leaders": {"role": list(_LEADERS)},
                "trustees": {"role": ["trustee"]},
                "others": {"role": others},
            },
            "intended": {
                "leaders": {f"imp_{topic}": _LEADER_IMPORTANCE for topic in _LEADER_TOPICS}
                | {f"comp_{topic}": _LEADER_CONFIDENCE for topic in _LEADER_TOPICS},
                "trustees": {f"imp_{topic}": value for topic, value in _TRUSTEE_IMPORTANCE.items()}
                | {f"comp_{topic}": _TRUSTEE_CONFIDENCE for topic in _LEADER_TOPICS},
                "others": {f"imp_{topic}": _IMPORTANCE_MEAN[topic] for topic in _LEADER_TOPICS}
                | {
                    f"comp_{topic}": round(_IMPORTANCE_MEAN[topic] - _CONFIDENCE_GAP[topic], 2)
                    for topic in _LEADER_TOPICS
                },
            },
            "top_needs": {"leaders": list(_LEADER_TOPICS), "trustees": ["governance"]},
        },
        {
            "id": "assessment_trend",
            "description": text["assessment_trend"],
            "question": "imp_assessment",
            "statistic": "mean_by_wave",
            "groups": {"everyone": {}},
            "intended": {
                wave.id: _ASSESSMENT_MEANS[min(position, len(_ASSESSMENT_MEANS) - 1)]
                for position, wave in enumerate(instrument.waves)
            },
            "stable_topics": [topic for topic in instrument.topics if topic != "assessment"],
        },
    ]


def _ground_truth(
    instrument: _Instrument, waves: Mapping[str, dict[str, Any]], *, seed: int, n: int | None
) -> dict[str, Any]:
    return {
        "synthetic": True,
        "marker": DEMO_MARKER,
        "generator": "survey.demo.write_demo",
        "seed": seed,
        "n": n,
        "notes": [
            "Respondent ids are text: Qualtrics ResponseId, SurveyMonkey Respondent ID.",
            "Each kind lists the ids it was planted in; the kinds are disjoint except that "
            "duplicate_id names an id that appears on two rows.",
            "excluded maps every id that should not be analysed to the reason; "
            "expected_analysed lists the ids that survive cleaning if every rule works "
            "(the first copy of a duplicate_id is analysed).",
            "no_consent rows have ordinary durations, so that they are not also speeders.",
        ],
        "mess_kinds": _mess_descriptions(instrument),
        "effects": _effects(instrument),
        "waves": dict(waves),
    }


_PLAIN_YAML = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}
_PLAIN_LINES = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_]*\n)*[A-Za-z_][A-Za-z0-9_]*")


def _yaml_scalar(text: str) -> str:
    if _PLAIN_YAML.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return "'" + text.replace("'", "''") + "'"


def _dump_yaml(document: Mapping[str, Any]) -> bytes:
    """The ground truth as YAML. The id lists of each wave (up to a million ids at large
    ``n``) are written directly, one per line, which is much faster than the YAML emitter."""
    fast: dict[str, str] = {}
    waves: dict[str, Any] = {}
    for wave_id, truth in document["waves"].items():
        waves[wave_id] = dict(truth)
        for key, value in truth.items():
            if isinstance(value, list) and all(isinstance(item, str) for item in value):
                plain = _PLAIN_LINES.fullmatch("\n".join(value)) and _YAML_WORDS.isdisjoint(
                    item.lower() for item in value
                )
                lines = [f"- {item}" if plain else f"- {_yaml_scalar(item)}" for item in value]
            elif isinstance(value, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                lines = [f"  {_yaml_scalar(k)}: {_yaml_scalar(v)}" for k, v in value.items()]
            else:
                continue
            marker = f"__fast_{len(fast)}__"
            fast[marker] = "\n".join(lines)
            waves[wave_id][key] = marker if lines else value
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(
        {**document, "waves": waves},
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )

    def expand(match: re.Match[str]) -> str:
        indent, key, marker = match.groups()
        body = "\n".join(indent + line for line in fast[marker].split("\n"))
        return f"{indent}{key}:\n{body}"

    text = re.sub(r"^( *)([^\n:]+): (__fast_\d+__)$", expand, text, flags=re.MULTILINE)
    return text.encode("utf-8")


def _readme(instrument: _Instrument, waves: Mapping[str, dict[str, Any]], n: int | None) -> bytes:
    def paragraph(text: str) -> str:
        return textwrap.fill(text, width=96)

    def item(text: str, prefix: str = "- ") -> str:
        indent = " " * len(prefix)
        return textwrap.fill(text, width=96, initial_indent=prefix, subsequent_indent=indent)

    files_list = [
        item(
            f"`{truth['file']}`: wave {wave_id}, {truth['layout']} layout"
            + (f", encoded {truth['encoding']}" if truth.get("encoding") else "")
            + f", {truth['rows']} rows, {truth['expected_analysed_count']} of them should be "
            "analysed."
        )
        for wave_id, truth in waves.items()
    ]
    files_list += [
        item("`codebook.yaml`: a copy of the reference codebook the files follow."),
        item(
            "`ground_truth.yaml`: what was planted where: the effects with their intended "
            "sizes; for every kind of mess the respondent ids it was planted in; the ids that "
            "should survive cleaning."
        ),
    ]
    region = instrument.question("region")
    northern = ", ".join(region.label(code) for code in _NORTHERN)
    size_note = (
        "Each wave draws its respondents from a frame of 1,800 people whose sector and region "
        "counts are the codebook's `frame:` margins."
        if n is None
        else f"This copy was written with `n={n}` rows per wave."
    )
    effects = [
        item(text, f"{number}. ")
        for number, text in enumerate(_effect_descriptions(instrument).values(), 1)
    ]
    mess = [item(f"**{kind}**: {text}.") for kind, text in _mess_descriptions(instrument).items()]
    sections = [
        "# Demo data: SYNTHETIC survey exports",
        paragraph(
            "**Everything in this folder is synthetic.** No real person answered these "
            f"questionnaires. Every row carries the marker `{DEMO_MARKER}`; e-mail addresses are "
            "at example.org, example.com and example.net, IP addresses come from the "
            "documentation ranges, phone numbers from the fictional 555-01xx block, and the "
            "names are invented."
        ),
        paragraph(
            "These files are for people trying the toolkit, writing its documentation and "
            "testing it: three yearly waves of the reference questionnaire "
            f"({instrument.title}), exported the way survey platforms export them, and messy "
            "the way real exports are."
        ),
        "\n".join(files_list),
        paragraph(
            f"{size_note} Response is uneven, as in real waves: school staff and the northern "
            f"regions ({northern}) answer less often, public-library staff and "
            f"{region.label('mainland_southwest')} more often, so weighted and unweighted "
            "figures differ."
        ),
        "## Planted effects (every wave)",
        "\n".join(effects),
        paragraph(
            "Other answers are plausible and mostly independent. In the learning-needs grid, "
            "some people rate every topic as more important than others do, and some feel more "
            "confident about every topic, so importance and confidence each form a scale "
            "(Cronbach's alpha about 0.85, as in real surveys); each topic's ratings in each "
            "group keep the distribution planted above."
        ),
        "## Planted mess (every wave, a handful of rows each)",
        "\n".join(mess),
        paragraph(
            "Dates come in two formats in each wave (about 5% of rows in the second format the "
            "codebook lists for the wave). SurveyMonkey exports no progress, so its partial "
            "responses are rows whose answers stop part-way."
        ),
        "## Regenerate",
        "```\nsurvey demo --out data/raw\n```",
        paragraph(
            'or from Python: `from survey.demo import write_demo; write_demo(Path("data/raw"))`. '
            "The output is the same, byte for byte, on every run with the same seed."
        ),
    ]
    return ("\n\n".join(sections) + "\n").encode("utf-8")


# ----------------------------------------------------------------------------------- API
def write_demo(
    out_dir: Path,
    *,
    n: int | None = None,
    seed: int = 20240301,
    progress: Progress | None = None,
    waves: Sequence[str] | None = None,
) -> list[Path]:
    """Write the synthetic demo waves, the codebook, the ground truth and a README.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing). Existing files of the same names are
        replaced atomically.
    n
        Rows per wave. ``None`` (the default) draws 600-900 respondents per wave from a frame
        of 1,800 people with the codebook's frame margins; an integer gives exactly that many
        rows per wave (at least 40), drawn from the same respondent mix, with the mess scaled
        in proportion.
    seed
        Seed of the random generator; the same seed gives the same bytes.
    progress
        Called with short messages (``"wave 2024: 812 rows"``).
    waves
        Only these waves (ids), e.g. ``["2024"]`` for one large wave to benchmark; the others
        are not written (the codebook still lists them). Each wave's bytes do not depend on
        which others are written.

    Returns
    -------
    list of Path
        The files written: ``codebook.yaml``, one file per wave in codebook order
        (``2024.csv``, ``2025.xlsx``, ``2026.csv``), ``ground_truth.yaml``, ``README.md``.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_demo(Path(tempfile.mkdtemp()), n=50, progress=print)
    wave 2024: 50 rows
    wave 2025: 50 rows
    wave 2026: 50 rows
    >>> paths[1].read_text(encoding="utf-8").splitlines()[0][:30]
    'StartDate,EndDate,Status,IPAdd'
    """
    if n is not None and n < _MIN_ROWS:
        raise ValueError(
            f"n must be at least {_MIN_ROWS} so that the planted mess stays a minority"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = (files("survey") / "reference" / "codebook.yaml").read_bytes()
    instrument = _read_instrument(yaml.safe_load(raw))
    written = [atomic_write_bytes(out_dir / "codebook.yaml", raw)]
    frame = _frame_people(instrument, np.random.default_rng([seed, 0])) if n is None else None
    truths: dict[str, dict[str, Any]] = {}
    known = [spec.id for spec in instrument.waves]
    unknown = sorted(set(waves or []) - set(known))
    if unknown:
        raise ValueError(f"waves: {', '.join(unknown)} not in the codebook ({', '.join(known)})")
    for position, spec in enumerate(instrument.waves):
        if waves is not None and spec.id not in waves:
            continue
        wave = _make_wave(instrument, spec, position, seed, frame, n)
        write: Callable[[Path], None]
        if spec.layout == "qualtrics":
            columns = _qualtrics_columns(instrument, wave)
            write = partial(_write_csv, columns=columns, header_rows=3, encoding=spec.encoding)
        elif spec.layout == "surveymonkey":
            write = partial(
                _write_xlsx,
                columns=_surveymonkey_columns(instrument, wave),
                title=f"SYNTHETIC demo data: {instrument.title} {spec.id}",
                description="Synthetic demo export written by survey.demo (SurveyMonkey layout). "
                f"No real person answered it; every row is marked {DEMO_MARKER}.",
                created=datetime(int(spec.id) if spec.id.isdigit() else 2025, 5, 1),
            )
        else:
            raise ValueError(f"wave {spec.id}: the demo cannot write layout {spec.layout!r}")
        written.append(atomic_write(out_dir / spec.file, write))
        truths[spec.id] = wave.truth
        if progress is not None:
            progress(f"wave {spec.id}: {wave.truth['rows']} rows")
    document = _ground_truth(instrument, truths, seed=seed, n=n)
    written.append(atomic_write_bytes(out_dir / "ground_truth.yaml", _dump_yaml(document)))
    readme = _readme(instrument, truths, n)
    written.append(atomic_write_bytes(out_dir / "README.md", readme))
    return written
