"""The engine's tables of one wave, as every report writer reads them.

The writers (``xlsx``, ``html``, ``pptx``) and the dashboard never compute a statistic: they
read the files :func:`survey.pipeline.process_wave` wrote into ``reports/<wave>/`` through
:func:`load_tables`, show the rows :meth:`ReportTables.shown` picks (weighted when the wave was
weighted), and name things with :class:`Labels` (the codebook's own wording). Respondent-level
files (``quarantine.csv``, ``flags.csv``) are only ever read as counts by reason here, so no
respondent id can reach a report. Quotes are read back as the respondent wrote them (the CSV
guards formulas with an apostrophe): each writer guards them again for its own format.

A wave with earlier waves before it also has its history (:data:`HISTORY_FILES`, written by
``survey run`` when more than one wave is known): the changes up to this wave
(``trends.csv``), the questions that could not be compared (``trend_flags.csv``) and the
topics' learning-need ranks in every wave so far (``rankings.csv``). For a first wave they are
empty tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from survey.analysis.design import FIXED_WEIGHTS
from survey.analysis.trends import RANKING_COLUMNS, TREND_COLUMNS, TREND_FLAG_COLUMNS
from survey.codebook import Codebook, QuestionType
from survey.errors import DataError
from survey.report.style import restore

__all__ = [
    "HISTORY_FILES",
    "TABLE_FILES",
    "Labels",
    "ReportTables",
    "column_lists",
    "load_tables",
]

#: The engine's tables a report reads, by name.
TABLE_FILES = {
    "results": "results.csv",
    "tests": "tests.csv",
    "letters": "letters.csv",
    "pairwise": "pairwise.csv",
    "needs": "needs.csv",
    "reliability": "reliability.csv",
    "themes": "themes.csv",
    "quotes": "quotes.csv",
}

#: A wave's history: optional, empty tables with these columns when the wave is the first.
HISTORY_FILES = {
    "trends": ("trends.csv", TREND_COLUMNS),
    "trend_flags": ("trend_flags.csv", TREND_FLAG_COLUMNS),
    "rankings": ("rankings.csv", RANKING_COLUMNS),
}

#: Columns read as text whatever they look like (codes such as "1" or "2024" stay codes).
_TEXT_COLUMNS = (
    "wave",
    "question",
    "option",
    "by",
    "group",
    "topic",
    "theme",
    "label",
    "letter",
    "higher_than",
    "group_a",
    "group_b",
    "item",
    "quote",
    "test",
    "effect_name",
    "wave_from",
    "wave_to",
    "reason",
)


@dataclass(frozen=True)
class Labels:
    """The codebook's words for the engine's codes.

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> labels = Labels(load_codebook(reference_codebook_path()))
    >>> labels.group("sector", "school"), labels.dimension("region")
    ('School library (K-12)', 'Region')
    >>> labels.question("imp_literacy_instruction")
    'Teaching patrons: information and digital literacy (importance)'
    >>> labels.option("barriers", "travel"), labels.option("imp_leadership", "top2")
    ('Travel distance', 'Very or extremely important')
    >>> labels.option("employer_support", "top2"), labels.option("employer_support", "4")
    ('Agree or strongly agree', 'Agree')
    >>> labels.question("barriers__travel")
    'What gets in the way of your professional learning? Travel distance'
    """

    codebook: Codebook

    def _grid(self, name: str) -> tuple[Any, Any, Any] | None:
        """``(question, item, topic)`` of a grid column such as ``imp_leadership``."""
        for question in self.codebook.questions_of(QuestionType.GRID):
            for item in question.items:
                for topic in question.topics:
                    if name == f"{item.prefix}_{topic.code}":
                        return question, item, topic
        return None

    def _scale(self, name: str) -> dict[int, str]:
        grid = self._grid(name)
        if grid is not None:
            return self.codebook.scales.get(grid[1].scale, {})
        question = self._question(name)
        if question is not None and question.scale:
            return self.codebook.scales.get(question.scale, {})
        return {}

    def _question(self, name: str) -> Any:
        return next((q for q in self.codebook.questions if q.id == name), None)

    def question(self, name: str) -> str:
        """A question, grid column (``imp_leadership``) or multi-select option column
        (``barriers__travel``) in words."""
        question = self._question(name)
        if question is not None:
            return str(question.text)
        grid = self._grid(name)
        if grid is not None:
            _, item, topic = grid
            return f"{topic.label} ({self.scale_name(item.scale)})"
        if "__" in name:
            question_id, option = name.split("__", 1)
            if self._question(question_id) is not None:
                return f"{self.question(question_id)} {self.option(question_id, option)}"
        return name

    def short(self, name: str) -> str:
        """A grid column's topic alone (``Leadership and management``), else the question."""
        grid = self._grid(name)
        return str(grid[2].label) if grid is not None else self.question(name)

    def topic(self, code: str) -> str:
        """A learning-needs topic in words."""
        for question in self.codebook.questions_of(QuestionType.GRID):
            for topic in question.topics:
                if topic.code == code:
                    return str(topic.label)
        return code

    def scale_name(self, scale: str) -> str:
        """A grid item's scale as a noun: ``importance``, ``confidence``."""
        return scale.replace("_", " ")

    def option(self, name: str, option: str) -> str:
        """An option code of a question (or the ``top2``/``mean`` summaries) in words."""
        if option == "mean":
            return "Mean"
        scale = self._scale(name)
        if option == "top2":
            if len(scale) < 2:
                return "Top two"
            upper, top = (scale[point].split() for point in sorted(scale)[-2:])
            if len(upper) > 1 and len(top) > 1 and upper[-1].lower() == top[-1].lower():
                # "Very important", "Extremely important" -> "Very or extremely important"
                return f"{' '.join(upper[:-1])} or {' '.join(top).lower()}"
            return f"{' '.join(upper)} or {' '.join(top).lower()}"
        question = self._question(name)
        if question is not None:
            for choice in question.options:
                if choice.code == option:
                    return str(choice.label)
        if scale and option.lstrip("-").isdigit() and int(option) in scale:
            return scale[int(option)]
        return option

    def dimension(self, by: str) -> str:
        """A breakdown dimension's name: ``Sector``; ``all`` is ``All respondents``."""
        if by == "all":
            return "All respondents"
        return by.replace("_", " ").capitalize()

    def group(self, by: str, group: str) -> str:
        """A group of a dimension in words (``all`` is ``All respondents``)."""
        if by == "all" or group == "all":
            return "All respondents"
        return self.option(by, group)


@dataclass(frozen=True)
class ReportTables:
    """Everything a report of one wave shows, as the engine wrote it.

    Attributes
    ----------
    wave
        The wave's name.
    codebook
        The questionnaire (for labels and the suppression threshold).
    results, tests, letters, pairwise, needs, reliability, themes, quotes
        The engine's tables (``results.csv`` ...), codes kept as text.
    quarantined
        Rows set aside, by reason (a count, no respondent ids).
    flagged
        Values made missing or recoded, by reason (a count).
    validation
        ``validation.json`` without its per-check examples.
    weighting
        ``weighting.json`` (raking diagnostics and composition), ``None`` when unweighted.
    trends, trend_flags, rankings
        The wave's history (``trends.csv`` ...): empty for a first wave.
    """

    wave: str
    codebook: Codebook
    results: pd.DataFrame
    tests: pd.DataFrame
    letters: pd.DataFrame
    pairwise: pd.DataFrame
    needs: pd.DataFrame
    reliability: pd.DataFrame
    themes: pd.DataFrame
    quotes: pd.DataFrame
    quarantined: pd.Series
    flagged: pd.Series
    validation: dict[str, Any]
    weighting: dict[str, Any] | None
    trends: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TREND_COLUMNS))
    trend_flags: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=TREND_FLAG_COLUMNS)
    )
    rankings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RANKING_COLUMNS))
    labels: Labels = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", Labels(self.codebook))

    @property
    def weighted(self) -> bool:
        """Whether the wave was weighted (reports then show the weighted figures)."""
        return self.weighting is not None

    @property
    def raked(self) -> bool:
        """Whether the weights were raked to the frame (a wave weighted without a frame has
        the export's own weights, ``weighting.base_weight``, as they are)."""
        return self.weighting is not None and bool(self.weighting.get("raked", True))

    @property
    def unraked_weights(self) -> str:
        """Where the weights of a wave weighted without a frame came from, in one sentence."""
        column = (self.weighting or {}).get("base_weight") or self.codebook.weighting.base_weight
        return (
            f"Weights are the export's own (column {column}), used as they are: the codebook "
            "has no sampling frame to rake them to."
        )

    @property
    def variance_method(self) -> str | None:
        """How the weighted figures' margins of error were computed, in one sentence a member
        can read (``weighting.json``'s ``variance_method``; waves weighted before it was
        recorded treated the weights as fixed); ``None`` when unweighted."""
        if self.weighting is None:
            return None
        return str(self.weighting.get("variance_method", FIXED_WEIGHTS))

    @property
    def threshold(self) -> int:
        """The smallest group a published row may describe."""
        return int(self.codebook.small_cell_threshold)

    def shown(self, name: str) -> pd.DataFrame:
        """The rows of a table a report shows: the weighted rows of a weighted wave, else the
        unweighted ones (tables without a ``weighted`` column as they are)."""
        table: pd.DataFrame = getattr(self, name)
        if "weighted" not in table:
            return table
        return table[table["weighted"] == self.weighted].reset_index(drop=True)

    @property
    def previous_wave(self) -> str | None:
        """The wave just before this one that its trends compare with, if any."""
        ending_here = self.trends.loc[self.trends["wave_to"] == self.wave, "wave_from"]
        earlier = [str(wave) for wave in ending_here.dropna().unique()]
        order = [wave.id for wave in self.codebook.waves]
        # the pair ending here with the latest start (first-to-last also ends here)
        return max(earlier, key=lambda w: (order.index(w) if w in order else -1, w), default=None)

    @property
    def notes(self) -> list[str]:
        """How the export was read and the rules applied (``validation.json``'s notes: ids
        numbered, the speeder rule switched off ...)."""
        return [str(note) for note in self.validation.get("notes", [])]

    @property
    def skipped(self) -> list[tuple[str, str, str]]:
        """The questions kept in the codebook but not analysed: ``(id, text, reason)``."""
        return [(q.id, q.text, q.reason or "") for q in self.codebook.skipped()]

    @property
    def too_few(self) -> bool:
        """Whether the wave is too small to publish any figure: every estimate suppressed."""
        shown = self.shown("results")
        return bool(len(shown)) and bool(shown["suppressed"].all())

    @property
    def analysed(self) -> int:
        """Respondents analysed (the base of the whole wave)."""
        overall = self.results[(self.results["by"] == "all")]
        return int(overall["n"].max()) if len(overall) else 0


def _read(path: Path) -> pd.DataFrame:
    try:
        header = pd.read_csv(path, nrows=0)
    except FileNotFoundError:
        raise DataError(f"{path}: not found; run `survey run` first") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: empty; run `survey run` again") from None
    text = {column: "string" for column in header.columns if column in _TEXT_COLUMNS}
    table = pd.read_csv(path, dtype=text, keep_default_na=False, na_values=[""])
    for column in ("weighted", "suppressed", "significant"):
        if column in table:
            table[column] = table[column].astype(str).str.lower().eq("true")
    return table


def _counts(path: Path) -> pd.Series:
    if not path.exists():
        return pd.Series(dtype="int64", name="count")
    reasons = pd.read_csv(path, usecols=["reason"], dtype="string")["reason"]
    return reasons.value_counts().rename("count")


def load_tables(folder: Path, codebook: Codebook, *, history: Path | None = None) -> ReportTables:
    """Read a wave's tables from the folder ``survey run`` wrote (``reports/<wave>/``), its
    history (:data:`HISTORY_FILES`) from ``history`` if given, else from the same folder.

    Raises
    ------
    DataError
        A table is missing or empty (the folder is not a finished run).
    """
    tables = {name: _read(folder / file) for name, file in TABLE_FILES.items()}
    for name, (file, columns) in HISTORY_FILES.items():
        path = (history or folder) / file
        if path.is_file():
            tables[name] = _read(path)
            if name == "rankings":
                for column in ("rank", "rank_before"):
                    tables[name][column] = tables[name][column].astype("Int64")
        else:
            tables[name] = pd.DataFrame(columns=columns)
    if "quote" in tables["quotes"]:  # as the respondent wrote it; each writer guards it again
        tables["quotes"]["quote"] = tables["quotes"]["quote"].map(restore, na_action="ignore")
    validation_path = folder / "validation.json"
    try:
        validation = json.loads(validation_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{validation_path}: not found; run `survey run` first") from None
    for check in validation.get("checks", []):
        check.pop("examples", None)
    weighting_path = folder / "weighting.json"
    weighted = bool(tables["results"]["weighted"].any())
    weighting = (
        json.loads(weighting_path.read_text(encoding="utf-8"))
        if weighted and weighting_path.exists()
        else None
    )
    waves = tables["results"]["wave"].dropna().unique()
    return ReportTables(
        wave=str(waves[0]) if len(waves) else str(validation.get("wave", folder.name)),
        codebook=codebook,
        quarantined=_counts(folder / "quarantine.csv"),
        flagged=_counts(folder / "flags.csv"),
        validation=validation,
        weighting=weighting,
        **tables,
    )


def column_lists(table: pd.DataFrame, *names: str) -> list[list[Any]]:
    """The columns ``names`` of a table as Python lists, to walk row by row together (far
    faster than pandas' Arrow strings value by value).

    >>> column_lists(pd.DataFrame({"by": ["all", "sector"], "n": [9, 4]}), "n", "by")
    [[9, 4], ['all', 'sector']]
    """
    return [table[name].tolist() for name in names]
