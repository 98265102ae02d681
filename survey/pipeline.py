"""Waves through the whole flow: import, validate, clean, weight, analyse, write.

The command line and the dashboard's upload page call :func:`process_wave` (one wave) or
:func:`run_waves` (several, all or nothing); they never repeat its steps. A structural problem
raises :class:`~survey.errors.DataError` before any output is written. What is written, and
where, is :mod:`survey.outputs`'s; which waves there are, :mod:`survey.waves`'s.

Every step is a plain function of the package, run here one after another. The slowest are
called through a :class:`~survey.steps.Steps` object whose methods are those plain functions;
:mod:`survey.runtime` passes one that runs some of them beside others (in another process, on
threads, several waves at once), with the same results. Nothing here knows how.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from survey import outputs
from survey.analysis.comparisons import pairwise_mann_whitney
from survey.analysis.design import Design, Variance
from survey.analysis.letters import significance_letters
from survey.analysis.methods import ALPHA, HypothesisTest
from survey.analysis.needs import cronbach_alpha, needs
from survey.analysis.pairs import share_covariances
from survey.analysis.themes import exemplar_quotes, theme_table, uncoded_terms
from survey.cleaning import CleanResult, clean, standardise
from survey.cleaning.standardise import Backcode
from survey.codebook import Codebook, Layout, Wave
from survey.errors import DataError
from survey.io import map_to_codebook, read_export
from survey.steps import Progress, Steps
from survey.validation import Action, ValidationReport
from survey.waves import known_waves, raw_file, wave_for_file, wave_history
from survey.weighting import RakingResult, composition, rake, weight_summary

__all__ = [
    "WaveRun",
    "codebook_notes",
    "learning_tables",
    "process_wave",
    "raked_design",
    "run_waves",
    "validate_wave",
    "wave_for_file",  # (survey.waves's, here for the flow's callers)
    "wave_history",  # (survey.waves's)
]


def _silent(message: str) -> None:
    """Progress nobody follows."""


@dataclass
class WaveRun:
    """What a wave's run did: counts, files written and how long each step took."""

    wave: str
    file: Path
    rows_in: int
    analysed: int
    quarantined: dict[str, int]
    flagged: int
    outputs: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    report: ValidationReport | None = None
    weighting: dict[str, object] | None = None
    cached: bool = False  # reused from an earlier run: nothing it depends on changed
    notes: list[str] = field(default_factory=list)  # what the summary must say

    @property
    def quarantined_total(self) -> int:
        """Rows not analysed, over every reason."""
        return sum(self.quarantined.values())

    def summary(self) -> dict[str, object]:
        """What ``manifest.json`` keeps of the run, for a later run that reuses it."""
        return {
            "rows_in": self.rows_in,
            "analysed": self.analysed,
            "quarantined": self.quarantined,
            "flagged": self.flagged,
            "design_effect": self.weighting["design_effect"] if self.weighting else None,
            "notes": self.notes,
        }


class _Track:
    """A wave's progress lines, and how long each step took (``seconds``, by step)."""

    def __init__(self, wave: str, progress: Progress | None) -> None:
        self.wave, self.say = wave, progress or _silent
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, step: str, doing: str | None = None) -> Iterator[None]:
        """Time ``step``, saying first what it is ``doing``."""
        if doing is not None:
            self.say(f"wave {self.wave}: {doing}")
        started = time.perf_counter()
        yield
        self.seconds[step] = time.perf_counter() - started


#: The variance methods that repeat the raking on replicate weights.
_REPLICATED = (Variance.JK1, Variance.BOOTSTRAP)


def codebook_notes(codebook: Codebook, *, weighted: bool = True) -> list[str]:
    """What a run of this codebook must say whatever the export: questions kept but not
    analysed (``type: skip``), an export weight an unweighted run leaves aside, and a finite
    population correction asked for without the frame's counts it needs.

    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> codebook_notes(load_codebook(reference_codebook_path()))
    []
    """
    notes: list[str] = []
    skipped = codebook.skipped()
    if skipped:
        listed = "; ".join(f"{q.id} ({q.reason})" for q in skipped[:5])
        more = f"; and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        notes.append(
            f"{len(skipped)} question{'s' if len(skipped) != 1 else ''} kept in the codebook "
            f"but not analysed (type: skip): {listed}{more}"
        )
    weight = codebook.weighting.base_weight
    if weight and not weighted:
        notes.append(
            f"unweighted run: the export's weight column {weight!r} (weighting.base_weight) "
            "is not applied; every weight is 1"
        )
    rules = codebook.weighting
    if weighted and not codebook.frame and rules.fpc:
        notes.append(
            "weighting.fpc is not applied: the finite population correction needs the "
            "frame's counts (frame:)"
        )
    if weighted and not codebook.frame and weight and rules.variance in _REPLICATED:
        notes.append(
            f"weighting.variance: {rules.variance} replicates re-rake to the frame, and there "
            "is none: standard errors treat the export's weights as fixed"
        )
    return notes


def _check_structure(
    report: ValidationReport, raw: Path, missing_fields: list[str], min_responses: int
) -> None:
    stops = report.failures(Action.STOP)
    if not stops:
        return
    if any(check.reason == "too_few_responses" for check in stops):
        raise DataError(
            f"{raw}: only {report.rows} responses, at least {min_responses} are needed "
            "(min_responses in the codebook)"
        )
    names = missing_fields or [check.column or "" for check in stops]
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    raise DataError(
        f"{raw}: missing {len(names)} column{'s' if len(names) != 1 else ''} the codebook "
        f"expects ({shown}); check the wave's layout, or update the codebook"
    )


def validate_wave(
    codebook: Codebook,
    wave: Wave,
    *,
    progress: Progress | None = None,
    steps: Steps | None = None,
) -> tuple[ValidationReport, pd.DataFrame, list[Backcode], list[str]]:
    """Import and validate one wave; returns the report, the coded frame, the other-specify
    back-codes and the missing fields. Raises nothing for structural problems: the caller
    decides (``survey validate`` still writes the report)."""
    say = progress or _silent
    raw = raw_file(codebook, wave)
    say(f"wave {wave.id}: reading {raw.name}")
    export = read_export(raw, layout=wave.layout, encoding=wave.encoding)
    mapped, column_map = map_to_codebook(export, codebook)
    say(f"wave {wave.id}: coding {export.rows} responses")
    coded, backcodes = standardise(mapped, column_map, codebook, wave)
    say(f"wave {wave.id}: validating")
    report = (steps or Steps()).validate(
        coded=coded,
        codebook=codebook,
        wave=wave.id,
        file=raw.name,
        layout=Layout(wave.layout).value,
        column_map=column_map,
    )
    return report, coded, list(backcodes), column_map.missing


def process_wave(
    codebook: Codebook,
    wave: Wave,
    *,
    out_dir: Path,
    processed_dir: Path,
    progress: Progress | None = None,
    weighted: bool = True,
    reports: bool = True,
    template: Path | None = None,
    steps: Steps | None = None,
) -> WaveRun:
    """Import, validate, clean, weight and analyse one wave, and write its files: into
    ``out_dir``, and ``<wave>.parquet`` into ``processed_dir`` (:mod:`survey.outputs`), then
    with ``reports`` the workbook, HTML report and deck (on ``template`` if given).
    A codebook with frame margins rakes to them (from the export's weights,
    ``weighting.base_weight``, where it has them); without a frame the export's weights are
    the weights; ``weighted=False``, or neither frame nor export weights, gives every weight
    1 and unweighted rows only. ``steps`` carries out the slowest steps
    (:class:`~survey.steps.Steps`).
    Raises :class:`~survey.errors.DataError`, before writing anything, when the file cannot be
    accepted (unreadable, empty, missing columns, too few responses).
    """
    steps, track, raw = steps or Steps(), _Track(wave.id, progress), raw_file(codebook, wave)
    with track("import_validate"):
        report, coded, backcodes, missing = validate_wave(
            codebook, wave, progress=track.say, steps=steps
        )
    _check_structure(report, raw, missing, codebook.min_responses)
    with track("clean", "cleaning"):
        cleaned = clean(coded, report, codebook, backcodes=backcodes)
    _check_analysable(cleaned, raw, rows=len(coded))
    processed, weighting, design = cleaned.processed, None, None
    if weighted and (codebook.frame or "base_weight" in processed):
        with track("weight", "weighting"):
            processed, weighting, design = _weight(processed, codebook, raw)
    tables = _analyse(processed, codebook, design=design, track=track, steps=steps)
    tables |= {"quarantine.csv": cleaned.quarantine, "flags.csv": cleaned.flags}
    report.notes.extend(cleaned.notes)  # how the rules were applied, beside how it was read
    with track("write"):
        written = outputs.write_wave(
            out_dir,
            processed_dir,
            wave.id,
            report,
            weighting,
            tables,
            processed,
            replicates=design.replicates
            if design is not None and codebook.weighting.write_replicates
            else None,
        )
    if reports:
        with track("reports", "writing the workbook, HTML report and slides"):
            written += steps.reports(out_dir, codebook, template=template)
    run = WaveRun(
        wave.id,
        raw,
        rows_in=len(coded),
        analysed=len(processed),
        quarantined=cleaned.reasons,
        flagged=len(cleaned.flags),
        outputs=written,
        seconds=track.seconds,
        report=report,
        weighting=weighting,
        notes=[*report.notes, *codebook_notes(codebook, weighted=weighted)],
    )
    parameters = {
        "weighted": weighted,
        "template": template,
        "variance": None if design is None else design.summary(),
    }
    manifest = outputs.write_manifest(out_dir, codebook, raw, parameters, run.summary(), written)
    run.outputs.insert(0, manifest)
    return run


def _check_analysable(cleaned: CleanResult, raw: Path, *, rows: int) -> None:
    if cleaned.processed.empty:
        reasons = ", ".join(f"{reason} {count}" for reason, count in cleaned.reasons.items())
        raise DataError(
            f"{raw}: all {rows} responses were set aside ({reasons}); nothing to analyse. "
            "Run `survey validate` to see why"
        )


def _weight(
    processed: pd.DataFrame, codebook: Codebook, raw: Path
) -> tuple[pd.DataFrame, dict[str, object], Design]:
    """The respondents with their weights, what ``weighting.json`` says of them (where they
    came from, diagnostics, the variance method and, when raked, the sample's composition),
    and the design the variances use.

    With frame margins the weights are raked to them, starting from the export's weights
    (``base_weight``, R's ``rake(svydesign(ids = ~1, weights = ~base_weight, data), ...)``)
    or from 1; without, the export's weights are the weights, taken as fixed
    (``svydesign(ids = ~1, weights = ~base_weight, data)``).
    """
    rules = codebook.weighting
    base = processed.get("base_weight")
    source = {"base_weight": rules.base_weight if base is not None else None}
    if not codebook.frame:
        if base is None:  # pragma: no cover - process_wave weights only with one or the other
            raise ValueError("weighting needs frame margins or the export's weights")
        weights = base.to_numpy(dtype=float)
        fixed = Design(weights, calibration=None, variance=Variance.FIXED)
        return (
            processed.assign(weight=weights),
            {**source, "raked": False, **weight_summary(weights), **fixed.summary()},
            fixed,
        )
    try:
        raked, design = raked_design(processed, codebook)
    except DataError as error:
        raise DataError(f"{raw}: {error}") from None
    processed = processed.assign(weight=raked.weights.to_numpy())
    sample = composition(processed, margins=codebook.frame, weights=raked.weights)
    return (
        processed,
        {
            **source,
            "raked": True,
            **raked.summary(),
            **design.summary(),
            "composition": sample.to_dict("records"),
        },
        design,
    )


def raked_design(processed: pd.DataFrame, codebook: Codebook) -> tuple[RakingResult, Design]:
    """The respondents raked to the codebook's frame as a run rakes them (from their
    ``base_weight`` where they have one), and the design the variances use.

    The dashboard rebuilds a wave's design from its processed respondents with this: the
    weights come out as the run wrote them while the codebook is the same.

    Raises
    ------
    DataError
        When the respondents cannot be raked to the frame (:func:`survey.weighting.rake`).
    """
    rules = codebook.weighting
    raked = rake(
        processed,
        margins=codebook.frame,
        base_weight=processed.get("base_weight"),
        epsilon=rules.epsilon,
        max_iterations=rules.max_iterations,
        trim_ratio=rules.trim_ratio,
    )
    population = sum(next(iter(codebook.frame.values())).values()) if rules.fpc else None
    design = raked.design(
        rules.variance, population=population, replicates=rules.replicates, seed=rules.seed
    )
    return raked, design


def _analyse(
    processed: pd.DataFrame,
    codebook: Codebook,
    *,
    design: Design | None,
    track: _Track,
    steps: Steps,
) -> dict[str, pd.DataFrame]:
    """A wave's tables by file name: the estimates (``results.csv``), the group comparisons
    (``tests.csv``, and ``pairwise.csv`` where a Kruskal-Wallis test is significant), the
    significance letters, and the learning needs and comments (:func:`learning_tables`, which
    may run beside the rest) with the needs grid's reliability."""
    wave = track.wave
    weights = design  # the weights, and how their variances allow for the raking
    learning = steps.beside(
        learning_tables, processed=processed, codebook=codebook, wave=wave, weights=weights
    )
    with track("estimate", "estimating"):
        table = steps.estimate(processed, codebook, wave=wave, weights=weights)
    with track("compare", "comparing groups"):
        tests = steps.compare(processed, codebook, wave=wave, weights=weights)
        omnibus = tests[
            (tests["test"] == HypothesisTest.KRUSKAL_WALLIS) & (tests["p_adjusted"] < ALPHA)
        ]
        only = set(zip(omnibus["question"], omnibus["by"], strict=True))
        pairwise = pairwise_mann_whitney(processed, codebook, wave=wave, only=only)
    with track("letters"):
        covariances = share_covariances(processed, codebook, wave=wave, weights=design)
        letters = significance_letters(table, covariances=covariances)
    with track("needs_themes", "learning needs and comments"):
        reliability = cronbach_alpha(processed, codebook)
        learned = learning.result()
    return {
        "results.csv": table,
        "tests.csv": tests,
        "letters.csv": letters,
        "pairwise.csv": pairwise,
        "needs.csv": learned["needs.csv"],
        "reliability.csv": reliability,
        **{name: frame for name, frame in learned.items() if name != "needs.csv"},
    }


def learning_tables(
    processed: pd.DataFrame, codebook: Codebook, *, wave: str, weights: Any = None
) -> dict[str, pd.DataFrame]:
    """A wave's ``needs.csv``, ``themes.csv``, ``quotes.csv`` and ``uncoded_terms.csv``
    (unweighted rows, then weighted ones when there are ``weights``), by file name."""
    need_tables = [needs(processed, codebook, wave=wave)]
    theme_tables = [theme_table(processed, codebook, wave=wave)]
    if weights is not None:
        need_tables.append(needs(processed, codebook, wave=wave, weights=weights))
        theme_tables.append(theme_table(processed, codebook, wave=wave, weights=weights))
    return {
        "needs.csv": pd.concat(need_tables, ignore_index=True),
        "themes.csv": pd.concat(theme_tables, ignore_index=True),
        "quotes.csv": exemplar_quotes(processed, codebook, min_chars=20),
        "uncoded_terms.csv": uncoded_terms(processed, codebook),
    }


def run_waves(
    codebook: Codebook,
    waves: Sequence[Wave],
    *,
    out_dirs: Sequence[Path],
    processed_dir: Path,
    progress: Progress | None = None,
    weighted: bool = True,
    template: Path | None = None,
    force: bool = False,
    reports: bool = True,
    steps: Steps | None = None,
) -> list[WaveRun]:
    """Run several waves as one run: every wave's files are written, or none are.

    Each wave is processed (:func:`process_wave`) into a staging folder
    (:class:`survey.outputs.Staging`), moved into place only when every wave has succeeded; a
    failing wave leaves every destination as it was and raises its error (the first in the
    given order). A wave unchanged since its last run (``manifest.json``'s ``cache_key``, its
    files all there) is reused unless ``force``. Every wave after the first gets its history
    (:func:`wave_history`) and its reports show it; the waves known are this run's and, when
    the wave folders are ``<root>/<wave id>/``, every codebook wave already run into
    ``<root>``, and a wave whose history changed gets its history and reports rewritten.
    ``<root>/trends.csv`` and ``trend_flags.csv`` hold the changes across every known wave.
    """
    steps, say = steps or Steps(), progress or _silent
    if len(out_dirs) != len(waves):
        raise ValueError("one output folder per wave")
    options: dict[str, Any] = {"weighted": weighted, "template": template}
    reused = [
        None if force else _cached(codebook, wave, folder, processed_dir, **options)
        for wave, folder in zip(waves, out_dirs, strict=True)
    ]
    for earlier in filter(None, reused):
        say(f"wave {earlier.wave}: unchanged since its last run, reused")
    todo = [wave for wave, earlier in zip(waves, reused, strict=True) if earlier is None]
    root, folders = known_waves(codebook, waves, out_dirs)
    with outputs.Staging(folders, processed_dir, root) as staging:
        with steps.waves(len(todo)):
            made = _process(codebook, todo, staging, steps, say, options)
            # the history of every known wave, from this run's tables where it made them
            tables = {w: staging.waves[w] if w in made else f for w, f in folders.items()}
            if len(folders) > 1:
                say(f"trends across waves {', '.join(folders)}")
            history = wave_history(codebook, tables)
            decks = staging.stage_history(history, made=set(made), template=template)
            if reports:
                _rewrite_reports(codebook, decks, tables, staging, made, steps, say)
        for wave_id in folders:  # every wave has succeeded: move the files into place
            run = made.get(wave_id)
            placed = staging.move_into_place(wave_id, run.outputs if run else [], history[wave_id])
            if run is not None:
                run.outputs = placed
        runs = [earlier or made[wave.id] for wave, earlier in zip(waves, reused, strict=True)]
        for run in runs:
            run.outputs += [folders[run.wave] / name for name in sorted(history[run.wave])]
        if runs:
            runs[-1].outputs += staging.write_across(history[next(reversed(folders))])
    return runs


def _process(
    codebook: Codebook,
    waves: list[Wave],
    staging: outputs.Staging,
    steps: Steps,
    say: Progress,
    options: dict[str, Any],
) -> dict[str, WaveRun]:
    """Each wave processed (without its reports) into its staging folder, by wave."""
    common = {"codebook": codebook, "processed_dir": staging.processed, "reports": False}
    calls = {w.id: {**common, **options, "wave": w, "out_dir": staging.waves[w.id]} for w in waves}
    runs = steps.each("processing", process_wave, calls, say)
    return {run.wave: run for run in runs}


def _rewrite_reports(
    codebook: Codebook,
    decks: dict[str, Path | None],
    tables: dict[str, Path],
    staging: outputs.Staging,
    made: dict[str, WaveRun],
    steps: Steps,
    say: Progress,
) -> None:
    """The reports of each wave of ``decks`` (on its deck's template) from its ``tables`` and
    staged history, into its staging folder; a wave this run made lists them in its outputs
    and manifest."""
    calls = {
        w: dict(wave=w, folder=tables[w], staged=staging.waves[w], codebook=codebook, template=deck)
        for w, deck in decks.items()
    }
    written = steps.each("writing the workbook, HTML report and slides", _wave_reports, calls, say)
    for wave_id, (paths, seconds) in zip(decks, written, strict=True):
        if wave_id in made and paths:
            made[wave_id].outputs += paths
            made[wave_id].seconds["reports"] = seconds
            outputs.record_outputs(staging.waves[wave_id] / "manifest.json", paths)


def _wave_reports(
    wave: str,
    folder: Path,
    staged: Path,
    codebook: Codebook,
    template: Path | None,
    progress: Progress | None = None,
    steps: Steps | None = None,
) -> tuple[list[Path], float]:
    """A wave's reports from the tables in ``folder`` and its history ``staged``, into
    ``staged``, and the seconds they took."""
    track = _Track(wave, progress)
    with track("reports", "writing the workbook, HTML report and slides"):
        paths = (steps or Steps()).reports(
            folder, codebook, template=template, out_dir=staged, history=staged
        )
    return paths, track.seconds["reports"]


def _cached(
    codebook: Codebook,
    wave: Wave,
    out_dir: Path,
    processed_dir: Path,
    *,
    weighted: bool,
    template: Path | None,
) -> WaveRun | None:
    """The wave's earlier run when nothing it depends on changed and its files are all there."""
    try:
        raw = raw_file(codebook, wave)
    except (OSError, DataError):
        return None
    earlier = outputs.earlier_run(out_dir, processed_dir, codebook, raw, weighted, template)
    if earlier is None:
        return None
    summary, files = earlier
    effect = summary.get("design_effect")
    return WaveRun(
        wave=wave.id,
        file=raw,
        rows_in=int(summary["rows_in"]),
        analysed=int(summary["analysed"]),
        quarantined={str(k): int(v) for k, v in summary["quarantined"].items()},
        flagged=int(summary["flagged"]),
        notes=[str(note) for note in summary.get("notes", [])],
        outputs=files,
        weighting={"design_effect": effect} if effect is not None else None,
        cached=True,
    )
