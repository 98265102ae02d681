"""The reference codebook as the demo generator reads it: plain frozen data.

:func:`read_instrument` turns the YAML document (``survey/reference/codebook.yaml``, read with
``yaml.safe_load``) into an :class:`Instrument`: the questions with their option codes, labels
and aliases, the learning-needs grid (its items and topics), the scales, the missing labels,
consent, the frame margins, and the waves with their file, layout, encoding, date formats and
fieldwork. Every label the demo writes is taken from here, so the exports follow the codebook.
The generator is written for the reference questionnaire: a question or option it needs and
does not find is a ``KeyError`` that names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["GridItem", "Instrument", "Question", "WaveSpec", "read_instrument"]


@dataclass(frozen=True)
class Question:
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
class GridItem:
    """One item of the grid (importance, confidence): its column prefix, scale and text."""

    prefix: str
    scale: str
    text: str


@dataclass(frozen=True)
class WaveSpec:
    """One wave of the codebook: its file and how the platform exported it."""

    id: str
    file: str
    layout: str
    encoding: str
    date_formats: tuple[str, ...]
    fieldwork: tuple[str, str] | None


@dataclass(frozen=True)
class Instrument:
    """The codebook as plain data (read with ``yaml.safe_load``)."""

    questions: tuple[Question, ...]
    grid: Question
    grid_items: tuple[GridItem, ...]
    topics: tuple[str, ...]
    topic_labels: tuple[str, ...]
    scales: Mapping[str, Mapping[int, str]]
    missing_labels: tuple[str, ...]
    consent_text: str
    consent_yes: str
    frame: Mapping[str, Mapping[str, int]]
    waves: tuple[WaveSpec, ...]
    title: str

    def question(self, question_id: str) -> Question:
        """The question with this id."""
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
        """The grid's answer columns: ``<prefix>_<topic>`` for every item and topic."""
        return [f"{item.prefix}_{topic}" for item in self.grid_items for topic in self.topics]


def _fieldwork(value: Any) -> tuple[str, str] | None:
    if not value:
        return None
    first, last = (str(day) for day in value)
    return first, last


def read_instrument(document: Mapping[str, Any]) -> Instrument:
    """The parts of a codebook document the demo needs (its first grid is the learning-needs
    grid)."""
    questions: list[Question] = []
    grid: Question | None = None
    grid_items: list[GridItem] = []
    topics: list[tuple[str, str]] = []
    for entry in document["questions"]:
        options = entry.get("options") or []
        question = Question(
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
                GridItem(str(item["prefix"]), str(item["scale"]), str(item["text"]))
                for item in entry["items"]
            ]
            topics = [(str(topic["code"]), str(topic["label"])) for topic in entry["topics"]]
    if grid is None:
        raise KeyError("the codebook has no grid question; the demo needs the learning-needs grid")
    consent = document.get("consent") or {}
    waves = tuple(
        WaveSpec(
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
    return Instrument(
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
