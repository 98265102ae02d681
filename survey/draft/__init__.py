"""A draft codebook for any questionnaire, guessed from one of its exports.

:func:`draft_codebook` reads what an export says about its columns (a
:class:`~survey.io.RawExport`: question text, value labels, declared missing values and
measurement levels, multiple-response sets) and what its cells hold, and guesses a codebook
that runs on that export as written:

- the respondent-id column (the platform's, ``id``, ``unique_id`` ...; none: responses are
  numbered in file order), platform metadata left out, a weight column as
  ``weighting.base_weight``, personal data (by name and by content) under ``personal_data``;
- one question per export column, or per group of columns sharing a stem (``text | option``,
  ``Q2_1``/``Q2_2``, ``Q2[SQ001]``, side-by-side ``Q4#1_1``, Qualtrics' ``text - option``),
  each naming the export columns it reads;
- its type (:mod:`survey.draft.guess`): ``likert`` only for an ordered scale (known scale
  labels, numbered or ordinal value labels, or whole numbers of a question asking for a
  rating), ``grid`` for several such columns, ``multi`` for a response set (dichotomous or
  categorical), option columns or joined choices, ``number`` for amounts (with the labels of
  missing codes and top codes), rankings as numbers (a mean rank), ``single`` for few answers,
  ``text`` otherwise; ``skip``, with its reason, for what is no answer (display order, timers,
  uploads) or cannot be typed;
- "Don't know", "Prefer not to say", -99 and the file's missing values under
  ``missing_labels``;
- breakdown ``dimensions`` from profile-like single-choice questions, and quality thresholds
  that fit the file (:mod:`survey.draft.check`), with the rows each rule would set aside.

No frame margins are guessed: a run of the draft is unweighted. :meth:`Draft.to_yaml` writes
the draft with comments saying what each guess rests on (:mod:`survey.draft.render`).

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
(True, ['sector', 'role', 'region'])
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey.codebook import Codebook, Layout, QualityRules, QuestionType
from survey.draft.check import RuleCounts, settle
from survey.draft.columns import date_formats
from survey.draft.guess import Drafter
from survey.draft.render import render
from survey.draft.vocabulary import DEFAULT_DATE_FORMATS, KNOWN_SCALES, identifier
from survey.io.raw import RawExport

__all__ = ["KNOWN_SCALES", "Draft", "draft_codebook"]

#: Answers in open text that mark a test response.
TEST_PATTERNS = [r"^\s*test\b", "please ignore", r"\btest response\b"]


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
    weights
        Weight columns of the export (the first is ``weighting.base_weight``).
    rules
        What the quality rules would do to the export the draft was made from.
    export
        The file the draft was made from, and its layout.
    """

    document: dict[str, Any]
    notes: dict[str, list[str]]
    personal_data: list[str]
    left_out: list[str]
    weights: list[str]
    rules: RuleCounts
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

    @property
    def skipped(self) -> list[str]:
        """The questions drafted as ``skip`` (kept, not analysed)."""
        return [q["id"] for q in self.document["questions"] if q["type"] == "skip"]

    @property
    def respondent_id(self) -> str | None:
        """The export column drafted as the respondent id (``None``: rows are numbered)."""
        return self.document["respondent_id"]

    def codebook(self) -> Codebook:
        """The draft as a checked :class:`~survey.codebook.Codebook`."""
        return Codebook.model_validate(self.document)

    def to_yaml(self) -> str:
        """The draft as a commented YAML codebook."""
        return render(self)


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
        The guessed codebook, with notes on what to check. It runs on ``export`` as written.

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
    drafter = Drafter(export, single_max=single_max)
    drafter.run()
    setting = drafter.setting
    document: dict[str, Any] = {
        "instrument": {
            "id": identifier(export.path.stem, words=6, limit=40, fallback="survey"),
            "title": export.path.stem.replace("_", " "),
        },
        "respondent_id": setting.respondent_id,
        "small_cell_threshold": Codebook.model_fields["small_cell_threshold"].default,
        "min_responses": max(1, min(Codebook.model_fields["min_responses"].default, export.rows)),
        "missing_labels": list(drafter.missing.values()),
        "personal_data": setting.personal,
    }
    if setting.consent:
        document["consent"] = setting.consent
    document["quality"] = QualityRules(
        test_patterns=TEST_PATTERNS,
        duplicate_keys=[name for name in ("email",) if name in setting.personal],
    ).model_dump()
    document |= {
        "dimensions": [],
        "profile": [],
        "frame": {},
        **({"weighting": {"base_weight": setting.weights[0]}} if setting.weights else {}),
        "scales": {name: dict(points) for name, points in drafter.scales.points.items()},
        "questions": drafter.questions,
        "waves": [_wave(export, codebook_path)],
    }
    rules = settle(document, export, drafter.notes)
    return Draft(
        document=document,
        notes=drafter.notes,
        personal_data=setting.personal,
        left_out=setting.left_out,
        weights=setting.weights,
        rules=rules,
        export=export.path,
        layout=export.layout,
    )


def _wave(export: RawExport, codebook_path: Path | None) -> dict[str, Any]:
    """The draft's one wave: the export's file (relative to the codebook's folder where it
    is beside or below it), layout, encoding and date formats."""
    path = export.path
    base = (codebook_path or Path("codebook.yaml")).resolve().parent
    try:
        file = os.path.relpath(path.resolve(), base)
    except ValueError:  # another drive
        file = str(path.resolve())
    if file.startswith(".."):  # not beside the codebook: where it is
        file = str(path.resolve())
    wave: dict[str, Any] = {
        "id": path.stem,
        "file": Path(file).as_posix(),
        "layout": export.layout.value,
    }
    if export.encoding and export.encoding.replace("-", "").casefold() not in {"utf8", "utf8sig"}:
        wave["encoding"] = export.encoding
    formats = date_formats(export.frame)
    if not set(formats) <= set(DEFAULT_DATE_FORMATS):
        wave["date_formats"] = formats
    return wave
