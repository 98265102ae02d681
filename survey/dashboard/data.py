"""Where the dashboard's numbers come from: thin cached wrappers over :mod:`survey`.

Every figure shown is a row of a table the engine wrote (``reports/<wave>/*.csv`` read by
:func:`survey.report.tables.load_tables`) or, for a filtered view in full mode, the engine's own
functions (:func:`~survey.analysis.results.results`, :func:`~survey.analysis.needs.needs`,
:func:`~survey.analysis.letters.significance_letters`,
:func:`~survey.analysis.themes.theme_table`) run on the respondents the filters select. Those
functions apply the small-cell suppression themselves. Nothing here computes a statistic: only
selection of rows and columns.

A weighted filtered view of a raked wave is a domain of the whole wave's raked design, as R's
``svymean(~v, subset(raked, sector == "public"))`` estimates it: the engine gets every
respondent, the wave's design (rebuilt from the processed respondents and the codebook by
:func:`survey.pipeline.raked_design`, checked against their ``weight`` column) and the
filters as a ``domain``, so that standard errors, intervals and letters allow for the raking
as the whole wave's do; ``n`` still counts the selected respondents' answers. When the
design cannot be rebuilt (the codebook changed since the run), and for weights taken as fixed
or an unweighted view, the engine runs on the selected respondents alone, with their weights
(:func:`design_note` says so for the first).

A *view* (:class:`Selection`) is a wave, filters (one group per breakdown dimension at most)
and the weighted/unweighted choice. The ``*_view`` functions return tables in the engine's
own columns where the rows with ``by == "all"`` describe the selected population:

- no filter: the whole wave, straight from the tables;
- full mode with filters: the filtered respondents (``by`` rows are groups within them);
- public mode with a filter: the published rows of that group (``by == "all"`` relabelled),
  the ``by`` rows staying the whole wave's, since published tables never cross two dimensions.

The changes between waves (:func:`trends_view`) follow the same three cases: the latest wave's
``trends.csv``, :func:`survey.analysis.trends.trends` of the filtered respondents' results of
every wave, or the group's published rows of ``trends.csv``.

Public mode (``SURVEY_PUBLIC=1``) never reads respondent-level data: :func:`respondents`
raises :class:`PublicModeError` there.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import streamlit as st

from survey.analysis.design import Design, Variance
from survey.analysis.letters import significance_letters
from survey.analysis.needs import need_grids, needs
from survey.analysis.pairs import share_covariances
from survey.analysis.results import estimate_table, suppress
from survey.analysis.themes import theme_table
from survey.analysis.trends import trends
from survey.codebook import Codebook, QuestionType, load_codebook
from survey.errors import SurveyError
from survey.pipeline import process_wave, raked_design
from survey.report.findings import change_findings as report_change_findings
from survey.report.findings import headline_findings
from survey.report.tables import HISTORY_FILES, ReportTables, load_tables
from survey.runtime import import_in_background
from survey.waves import wave_for_file
from survey.weighting import composition

__all__ = [
    "ENV_CODEBOOK",
    "ENV_PROCESSED",
    "ENV_PUBLIC",
    "ENV_REPORTS",
    "Filters",
    "PublicModeError",
    "Selection",
    "Settings",
    "Upload",
    "WaveSource",
    "change_findings",
    "codebook",
    "composition_view",
    "design_note",
    "findings",
    "letters_view",
    "needs_view",
    "population_size",
    "process_upload",
    "rankings_view",
    "report_waves",
    "respondents",
    "results_view",
    "tables",
    "tests_view",
    "themes_view",
    "trends_view",
    "warm_up",
]

ENV_REPORTS = "SURVEY_REPORTS"
ENV_PROCESSED = "SURVEY_PROCESSED"
ENV_CODEBOOK = "SURVEY_CODEBOOK"
ENV_PUBLIC = "SURVEY_PUBLIC"

#: ``((dimension, group code), ...)``: at most one group per dimension, in codebook order.
Filters = tuple[tuple[str, str], ...]


class PublicModeError(RuntimeError):
    """Respondent-level data was asked for in public mode."""


@dataclass(frozen=True)
class Settings:
    """Where the dashboard reads from, from the environment ``survey dashboard`` sets
    (defaults: ``reports``, ``data/processed``, ``data/raw/codebook.yaml``, full mode, relative
    to the current folder)."""

    reports: Path
    processed: Path
    codebook: Path
    public: bool

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        public = env.get(ENV_PUBLIC, "0").strip().lower() in {"1", "true", "yes", "on"}
        return cls(
            reports=Path(env.get(ENV_REPORTS) or "reports"),
            processed=Path(env.get(ENV_PROCESSED) or "data/processed"),
            codebook=Path(env.get(ENV_CODEBOOK) or "data/raw/codebook.yaml"),
            public=public,
        )


@dataclass(frozen=True)
class WaveSource:
    """One wave's files: its tables' folder, its processed respondents and its codebook."""

    key: str
    wave: str
    folder: str
    parquet: str
    codebook: str
    uploaded: bool = False

    @property
    def label(self) -> str:
        return f"{self.wave} (uploaded)" if self.uploaded else self.wave


@dataclass(frozen=True)
class Selection:
    """What the sidebar chose: a wave, filters, weighted or not, and the mode."""

    source: WaveSource
    filters: Filters = ()
    weighted: bool = False
    public: bool = False


@dataclass(frozen=True)
class Upload:
    """An uploaded export processed into a temporary folder."""

    source: WaveSource
    rows_in: int
    analysed: int
    quarantined: dict[str, int]


def report_waves(settings: Settings) -> list[WaveSource]:
    """The finished waves in the reports folder (those with a ``results.csv``), by name."""
    folders = sorted(path.parent for path in settings.reports.glob("*/results.csv"))
    return [
        WaveSource(
            key=folder.name,
            wave=folder.name,
            folder=str(folder),
            parquet=str(settings.processed / f"{folder.name}.parquet"),
            codebook=str(settings.codebook),
        )
        for folder in folders
    ]


def _stamp(*paths: str | Path) -> int:
    """When the files last changed (a cache key: a new ``survey run`` is read again)."""
    stamp = 0
    for path in paths:
        try:
            stamp = max(stamp, os.stat(path).st_mtime_ns)
        except OSError:
            continue
    return stamp


# ------------------------------------------------------------------------- files as written
# The codebook, a wave's tables and its respondents are read once and shared, never copied
# (``st.cache_resource``): a page reads them several times a run, and unpickling a copy of
# each on every read (``st.cache_data``) cost tens of milliseconds per filter change. Nothing
# in the dashboard changes them: every selection makes a new frame. What is computed from them
# for a view is cached with ``st.cache_data``.
@st.cache_resource(show_spinner=False, max_entries=16)
def _codebook(path: str, stamp: int) -> Codebook:
    return load_codebook(Path(path))


def codebook(source: WaveSource) -> Codebook:
    """The wave's codebook."""
    return _codebook(source.codebook, _stamp(source.codebook))


@st.cache_resource(show_spinner=False, max_entries=16)
def _tables(source: WaveSource, stamp: int) -> ReportTables:
    return load_tables(Path(source.folder), codebook(source))


def _tables_stamp(source: WaveSource) -> int:
    folder = Path(source.folder)
    history = [folder / file for file, _columns in HISTORY_FILES.values()]
    return _stamp(folder / "results.csv", folder / "validation.json", *history, source.codebook)


def tables(source: WaveSource) -> ReportTables:
    """The wave's tables as the reports read them (:func:`survey.report.tables.load_tables`)."""
    return _tables(source, _tables_stamp(source))


@st.cache_data(show_spinner=False, max_entries=16)
def _findings(source: WaveSource, stamp: int) -> pd.DataFrame:
    return headline_findings(tables(source))


def findings(source: WaveSource) -> pd.DataFrame:
    """The wave's headline findings (:func:`survey.report.findings.headline_findings`)."""
    return _findings(source, _tables_stamp(source))


@st.cache_data(show_spinner=False, max_entries=16)
def _change_findings(source: WaveSource, stamp: int, weighted: bool) -> pd.DataFrame:
    wave = tables(source)
    if wave.weighted and not weighted:  # the wave's unweighted rows, as an unweighted run has
        wave = dataclasses.replace(wave, weighting=None)
    return report_change_findings(wave)


def change_findings(source: WaveSource, *, weighted: bool = True) -> pd.DataFrame:
    """What changed significantly since the wave before, for the whole wave
    (:func:`survey.report.findings.change_findings`: the sentences of the workbook and the
    deck); ``weighted=False`` says it from the unweighted rows of ``trends.csv``."""
    return _change_findings(source, _tables_stamp(source), weighted and tables(source).weighted)


@st.cache_resource(show_spinner=False, max_entries=8)
def _respondents(parquet: str, stamp: int) -> pd.DataFrame:
    return pd.read_parquet(parquet)


def respondents(source: WaveSource) -> pd.DataFrame:
    """The wave's processed respondents (never in public mode)."""
    if Settings.from_env().public:
        raise PublicModeError("public mode shows published tables only, never respondent rows")
    return _respondents(source.parquet, _stamp(source.parquet))


@dataclass(frozen=True, eq=False)
class _WaveDesign:
    """A wave's raked design as the dashboard rebuilt it (``None``: weights taken as they
    are), and why it could not be rebuilt (``None``: no reason to tell)."""

    design: Design | None
    note: str | None = None


@st.cache_resource(show_spinner=False, max_entries=8)
def _wave_design(source: WaveSource, stamp: int) -> _WaveDesign:
    book = codebook(source)
    if not book.frame or book.weighting.variance is Variance.FIXED:
        return _WaveDesign(None)  # the weights were taken as fixed by the run too
    frame = respondents(source)
    fallback = (
        "Standard errors of the selection treat its weights as fixed: the weighting could "
        "not be rebuilt from the codebook as the run made it"
    )
    try:
        _raked, design = raked_design(frame, book)
    except SurveyError as error:
        return _WaveDesign(None, f"{fallback} ({error}).")
    written = frame["weight"].to_numpy(dtype=float)
    if len(written) != len(design) or not np.allclose(
        np.asarray(design), written, rtol=1e-12, atol=1e-12
    ):
        return _WaveDesign(None, f"{fallback} (has the codebook changed since?).")
    return _WaveDesign(design)


def _design(source: WaveSource) -> _WaveDesign:
    """The wave's design, rebuilt once per change of its respondents or codebook."""
    return _wave_design(source, _stamp(source.parquet, source.codebook))


def design_note(selection: Selection) -> str | None:
    """Why a weighted filtered view's standard errors treat the selection's weights as fixed
    (its wave's raked design could not be rebuilt), to show beside it; ``None`` otherwise."""
    if not selection.filters or selection.public or not selection.weighted:
        return None
    return _design(selection.source).note


# ------------------------------------------------------------------------------ selections
def _mask(frame: pd.DataFrame, filters: Filters) -> npt.NDArray[np.bool_]:
    """Which respondents the filters select."""
    keep = np.ones(len(frame), dtype=bool)
    for dimension, group in filters:
        keep &= (frame[dimension].astype("string") == group).fillna(False).to_numpy(dtype=bool)
    return keep


def _chosen(source: WaveSource, filters: Filters, columns: list[str] | None) -> pd.DataFrame:
    """The respondents the filters select, with only the columns asked for (all: ``None``).

    The columns are taken with the rows, in one step: copying every column of the selected
    rows first (open text included) cost tens of milliseconds at 100,000 respondents."""
    frame = respondents(source)
    keep = _mask(frame, filters)
    if columns is None:
        return frame.loc[keep].reset_index(drop=True)
    wanted = set(columns)
    names = [column for column in frame.columns if column in wanted]
    return frame.loc[keep, names].reset_index(drop=True)


def _selected(
    view: _Filtered, columns: list[str] | None
) -> tuple[pd.DataFrame, Any, npt.NDArray[np.bool_] | None]:
    """What the engine takes for a filtered view: the respondents, their weights and the
    domain. Weighted, with the wave's raked design: every respondent (the columns asked for),
    the design and the filters as the domain; else the selected respondents, their weights
    (weighted) or ``None``, and no domain."""
    design = _design(view.source).design if view.weighted else None
    if design is None:
        chosen = _chosen(view.source, view.filters, columns)
        return chosen, _weights(chosen, view.weighted), None
    frame = respondents(view.source)
    domain = _mask(frame, view.filters)
    if columns is not None:
        wanted = set(columns)
        frame = frame[[column for column in frame.columns if column in wanted]]
    return frame, design, domain


#: Which breakdowns a view needs: ``None`` every dimension, ``()`` none (the overall rows
#: only), else these dimensions.
Breakdowns = tuple[str, ...] | None


@dataclass(frozen=True)
class _Filtered:
    """A full-mode view with filters as the cached estimates are keyed: the wave, when its
    respondents last changed (:func:`_stamp`), the filters and the weighting."""

    source: WaveSource
    stamp: int
    filters: Filters
    weighted: bool


def _filtered(selection: Selection) -> _Filtered | None:
    """The selection's filtered respondents, estimated afresh, or ``None`` when the view
    shows the wave's own tables (no filter, or public mode)."""
    if not selection.filters or selection.public:
        return None
    source = selection.source
    return _Filtered(source, _stamp(source.parquet), selection.filters, selection.weighted)


def _columns(book: Codebook, questions: tuple[str, ...], by: Breakdowns) -> list[str]:
    """The processed columns the engine needs for these questions and breakdowns: a function
    such as ``results`` estimates every question and dimension it finds, and each
    (question, option, dimension) block, suppression included, does not depend on the others,
    so leaving columns out only leaves rows out."""
    wanted = {"weight", *(book.dimensions if by is None else by)}
    by_id = {question.id: question for question in book.questions}
    for name in questions:
        question = by_id.get(name)
        if question is None:
            wanted.add(name)  # a grid column such as imp_leadership
        elif question.type is QuestionType.MULTI:
            wanted.update(question.multi_columns())
        elif question.type is QuestionType.GRID:
            for item in question.items:
                wanted.update(question.grid_columns(item))
        else:
            wanted.add(name)
    return sorted(wanted)


def _shown(table: pd.DataFrame, weighted: bool) -> pd.DataFrame:
    if "weighted" not in table:
        return table.reset_index(drop=True)
    return table[table["weighted"] == weighted].reset_index(drop=True)


def _weights(chosen: pd.DataFrame, weighted: bool) -> Any:
    return chosen["weight"].to_numpy(dtype=float) if weighted else None


def _as_population(table: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Public mode: the published rows of the filtered group become the population
    (``by == "all"``); the breakdowns stay the whole wave's."""
    by, group = filters[0]
    chosen = table[(table["by"] == by) & (table["group"] == group)].assign(by="all", group="all")
    return pd.concat([chosen, table[table["by"] != "all"]], ignore_index=True)


def _guard(selection: Selection) -> None:
    if selection.public:
        raise PublicModeError("public mode shows published tables only, never respondent rows")


def _subset(book: Codebook, questions: tuple[str, ...] | None, by: Breakdowns) -> list[str] | None:
    if questions is None and by is None:
        return None
    if questions is None:
        questions = tuple(book.variables())
    return _columns(book, questions, by)


def _only(table: pd.DataFrame, by: Breakdowns) -> pd.DataFrame:
    """The overall rows and those of the dimensions ``by`` (``None``: every row)."""
    if by is None:
        return table
    return table[table["by"].isin(["all", *by])].reset_index(drop=True)


def _from_tables(
    table: pd.DataFrame, selection: Selection, questions: tuple[str, ...] | None, by: Breakdowns
) -> pd.DataFrame:
    """The rows of one of the wave's tables that a view shows."""
    table = _shown(table, selection.weighted)
    if questions is not None and "question" in table:
        table = table[table["question"].isin(questions)].reset_index(drop=True)
    if selection.filters and "by" in table:
        table = _as_population(table, selection.filters)
    return _only(table, by) if "by" in table else table


@st.cache_data(show_spinner=False, max_entries=256)
def _filtered_results(
    view: _Filtered,
    questions: tuple[str, ...] | None,
    by: Breakdowns,
    scale_points: bool = True,
) -> pd.DataFrame:
    book = codebook(view.source)
    frame, weights, domain = _selected(view, _subset(book, questions, by))
    return _results_of_one_kind(frame, book, view.source.wave, weights, domain, scale_points)


def _results_of_one_kind(
    frame: pd.DataFrame,
    book: Codebook,
    wave: str,
    weights: Any,
    domain: npt.NDArray[np.bool_] | None,
    scale_points: bool = True,
) -> pd.DataFrame:
    """The weighted or the unweighted rows of :func:`survey.analysis.results.results`, without
    estimating the other kind: ``results`` is :func:`~survey.analysis.results.estimate_table`
    of each kind, suppressed together by :func:`~survey.analysis.results.suppress`, whose
    blocks never mix the two kinds (``weighted`` is one of its keys)."""
    table = estimate_table(
        frame, book, wave=wave, weights=weights, scale_points=scale_points, domain=domain
    )
    return suppress(table, threshold=book.small_cell_threshold).reset_index(drop=True)


def results_view(
    selection: Selection,
    questions: tuple[str, ...] | None = None,
    *,
    by: Breakdowns = None,
    whole: bool = False,
) -> pd.DataFrame:
    """``results.csv`` rows of the view: of ``questions`` (``None``: all), overall and by the
    dimensions ``by`` (``None``: all, ``()``: overall only).

    Full mode with filters runs :func:`survey.analysis.results.results` on the filtered
    respondents, with only the columns these questions and dimensions need; with ``whole``,
    on every column but without the ratings' per-point shares (the table :func:`trends_view`
    needs of each wave, so that a page showing both estimates it once), keeping the rows asked
    for. Either way the rows are the same: each (question, option, dimension) block of
    ``results`` does not depend on the others, suppression included."""
    filtered = _filtered(selection)
    if filtered is not None:
        table = _filtered_results(
            filtered, None if whole else questions, None if whole else by, not whole
        )
        if questions is not None:  # (a dimension's column brings its own question's rows)
            table = table[table["question"].isin(questions)].reset_index(drop=True)
        return _only(table, by)
    return _from_tables(tables(selection.source).results, selection, questions, by)


@st.cache_data(show_spinner=False, max_entries=256)
def _filtered_letters(
    view: _Filtered, questions: tuple[str, ...] | None, by: Breakdowns
) -> pd.DataFrame:
    table = _filtered_results(view, questions, by)
    if not view.weighted or _design(view.source).design is None:
        return significance_letters(table)  # groups of a selection's own weights: independent
    # the groups of a domain of a raked design vary together: their letters allow for it
    book = codebook(view.source)
    frame, weights, domain = _selected(view, _subset(book, questions, by))
    covariances = share_covariances(
        frame, book, wave=view.source.wave, weights=weights, domain=domain
    )
    return significance_letters(table, covariances=covariances)


def letters_view(
    selection: Selection, questions: tuple[str, ...] | None = None, *, by: Breakdowns = None
) -> pd.DataFrame:
    """Significance letters of the view's groups: ``letters.csv`` of the wave, or
    :func:`survey.analysis.letters.significance_letters` of the filtered results (full mode).
    Public mode's breakdowns are the whole wave's, and so are their letters."""
    filtered = _filtered(selection)
    if filtered is not None:
        return _filtered_letters(filtered, questions, by)
    table = _shown(tables(selection.source).letters, selection.weighted)
    if questions is not None:
        table = table[table["question"].isin(questions)]
    if by is not None:
        table = table[table["by"].isin(by)]
    return table.reset_index(drop=True)


def tests_view(selection: Selection) -> pd.DataFrame:
    """``tests.csv`` rows of the whole wave for the weighted choice: tests are never rerun on
    a filtered selection (the pages say so)."""
    return _shown(tables(selection.source).tests, selection.weighted)


@st.cache_data(show_spinner=False, max_entries=128)
def _filtered_needs(view: _Filtered) -> pd.DataFrame:
    book = codebook(view.source)
    grids = tuple(grid.id for grid in need_grids(book))
    frame, weights, domain = _selected(view, _columns(book, grids, None))  # what needs() reads
    table = needs(frame, book, wave=view.source.wave, weights=weights, domain=domain)
    return _shown(table, view.weighted)


def needs_view(selection: Selection) -> pd.DataFrame:
    """``needs.csv`` rows of the view (:func:`survey.analysis.needs.needs` when filtered)."""
    filtered = _filtered(selection)
    if filtered is not None:
        return _filtered_needs(filtered)
    return _from_tables(tables(selection.source).needs, selection, None, None)


@st.cache_data(show_spinner=False, max_entries=128)
def _filtered_themes(
    view: _Filtered, questions: tuple[str, ...] | None, by: Breakdowns
) -> pd.DataFrame:
    book = codebook(view.source)
    chosen = _chosen(view.source, view.filters, _subset(book, questions, by))
    weights = _weights(chosen, view.weighted)
    return _shown(theme_table(chosen, book, wave=view.source.wave, weights=weights), view.weighted)


def themes_view(
    selection: Selection, questions: tuple[str, ...] | None = None, *, by: Breakdowns = None
) -> pd.DataFrame:
    """``themes.csv`` rows of the view (:func:`survey.analysis.themes.theme_table` when
    filtered), of these text ``questions`` and dimensions ``by`` (``None``: all)."""
    filtered = _filtered(selection)
    if filtered is not None:
        return _only(_filtered_themes(filtered, questions, by), by)
    return _from_tables(tables(selection.source).themes, selection, questions, by)


@st.cache_data(show_spinner=False, max_entries=64)
def _filtered_trends(
    sources: tuple[WaveSource, ...], stamp: int, filters: Filters, weighted: bool
) -> pd.DataFrame:
    # the rows trends() compares (its ratings' top-2 shares and means, not each scale point),
    # the same cached table as the page's lines (results_view(..., whole=True))
    results_by_wave = {
        source.wave: _filtered_results(
            _Filtered(source, _stamp(source.parquet), filters, weighted), None, None, False
        )
        for source in sources
    }
    table, _flags = trends(results_by_wave, codebook(sources[-1]))
    return table


def trends_view(
    selection: Selection,
    sources: Sequence[WaveSource],
    questions: tuple[str, ...] | None = None,
    *,
    by: Breakdowns = None,
) -> pd.DataFrame:
    """``trends.csv`` rows of the view: the changes between the waves ``sources`` (in wave
    order, ``selection.source`` the last) of ``questions`` (``None``: all), overall and by the
    dimensions ``by`` (``None``: all, ``()``: overall only), weighted or not as the selection
    (every wave the same kind: a weighted estimate is never compared with an unweighted one).

    - No filter: the last wave's ``trends.csv`` (its comparisons among the waves up to it).
    - Full mode with filters: :func:`survey.analysis.trends.trends` of every wave's
      :func:`~survey.analysis.results.results` of the filtered respondents, so that
      ``p_adjusted`` is adjusted over every comparison of the selection for a pair of waves
      (as ``trends.csv`` is over the whole wave's).
    - Public mode with a filter: the group's published rows of ``trends.csv``, relabelled as
      the population, the ``by`` rows staying the whole wave's.
    """
    if selection.filters and not selection.public:
        table = _filtered_trends(
            tuple(sources),
            _stamp(*(source.parquet for source in sources)),
            selection.filters,
            selection.weighted,
        )
        if questions is not None:
            table = table[table["question"].isin(questions)]
        return _only(table.reset_index(drop=True), by)
    return _from_tables(tables(selection.source).trends, selection, questions, by)


def rankings_view(source: WaveSource, *, weighted: bool = True) -> pd.DataFrame:
    """The topics' learning-need ranks in every wave up to ``source`` (``rankings.csv``), of
    all respondents, weighted (when the wave was) or not."""
    rankings = tables(source).rankings
    rankings = rankings[(rankings["by"] == "all") & (rankings["group"] == "all")]
    return _shown(rankings, weighted and tables(source).weighted)


@st.cache_data(show_spinner=False, max_entries=256)
def _filtered_count(source: WaveSource, stamp: int, filters: Filters) -> int:
    return len(_chosen(source, filters, list(dict(filters))))


def population_size(selection: Selection) -> int:
    """Respondents analysed in the view: the wave's (as the reports count them), the filtered
    respondents (full mode), or the published group's base (public mode: its largest ``n``)."""
    wave = tables(selection.source)
    if not selection.filters:
        return wave.analysed
    if selection.public:
        by, group = selection.filters[0]
        rows = wave.results[(wave.results["by"] == by) & (wave.results["group"] == group)]
        return int(rows["n"].max()) if len(rows) else 0
    source = selection.source
    return _filtered_count(source, _stamp(source.parquet), selection.filters)


@st.cache_data(show_spinner=False, max_entries=16)
def _composition(source: WaveSource, stamp: int) -> pd.DataFrame:
    book = codebook(source)
    return composition(respondents(source), margins=book.frame)


def composition_view(selection: Selection) -> pd.DataFrame | None:
    """Sample against the frame for each margin category, for the whole wave: from
    ``weighting.json`` when the wave was weighted, else (full mode) from
    :func:`survey.weighting.composition` of the respondents; ``None`` when there is neither."""
    wave = tables(selection.source)
    if wave.weighting is not None:
        return pd.DataFrame(wave.weighting.get("composition", []))
    if selection.public or not wave.codebook.frame:
        return None
    return _composition(selection.source, _stamp(selection.source.parquet))


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread:
    """Once per server: import what the first filtered estimate needs (scipy's
    distributions, about 0.7 s) in the background after the first page is drawn, so that the
    first filter change does not wait for it."""
    return import_in_background(["scipy.stats"], name="survey-dashboard-warm-up")


# ---------------------------------------------------------------------------------- upload
def process_upload(
    settings: Settings,
    raw_name: str,
    raw_bytes: bytes,
    codebook_file: tuple[str, bytes] | None = None,
) -> Upload:
    """Run an uploaded export through :func:`survey.pipeline.process_wave` (no reports) into a
    temporary folder, with the uploaded codebook if any, else the dashboard's.

    Raises
    ------
    SurveyError
        As the command line would report it, naming the uploaded file (not the temporary
        folder).
    """
    folder = Path(tempfile.mkdtemp(prefix="survey-upload-"))
    inbox = folder / "raw"
    inbox.mkdir()
    raw = inbox / (Path(raw_name).name or "export.csv")
    raw.write_bytes(raw_bytes)
    book_path = settings.codebook
    try:
        if codebook_file is not None:
            book_path = inbox / (Path(codebook_file[0]).name or "codebook.yaml")
            book_path.write_bytes(codebook_file[1])
        book = load_codebook(book_path)
        wave = wave_for_file(book, raw)
        out_dir = folder / "reports" / wave.id
        run = process_wave(
            book, wave, out_dir=out_dir, processed_dir=folder / "processed", reports=False
        )
    except SurveyError as error:
        shutil.rmtree(folder, ignore_errors=True)
        message = str(error).replace(f"{inbox}{os.sep}", "").replace(str(inbox), "")
        raise type(error)(message) from None
    source = WaveSource(
        key=f"upload:{wave.id}",
        wave=wave.id,
        folder=str(out_dir),
        parquet=str(folder / "processed" / f"{wave.id}.parquet"),
        codebook=str(book_path),
        uploaded=True,
    )
    return Upload(
        source=source,
        rows_in=run.rows_in,
        analysed=run.analysed,
        quarantined=dict(run.quarantined),
    )
