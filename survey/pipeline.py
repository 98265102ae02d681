"""Waves through the whole flow: import, validate, clean, weight, analyse, save.

The command line, and later the dashboard's upload page, call :func:`process_wave` (one wave)
or :func:`run_waves` (several, all or nothing); they never repeat its steps. A structural
problem raises :class:`~survey.errors.DataError` before any output is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from survey.analysis.comparisons import pairwise_mann_whitney, wave_tests
from survey.analysis.letters import significance_letters
from survey.analysis.methods import HypothesisTest
from survey.analysis.needs import cronbach_alpha, needs
from survey.analysis.results import results
from survey.analysis.themes import exemplar_quotes, theme_table, uncoded_terms
from survey.cleaning.standardise import Backcode
from survey.codebook import Codebook, Layout, Wave
from survey.errors import DataError
from survey.io import map_to_codebook, read_export
from survey.sidecar import Sidecar, preload
from survey.validation import Action, ValidationReport, validate, write_report
from survey.weighting import composition, rake
from survey.writing import atomic_write, atomic_write_text

__all__ = [
    "WaveRun",
    "codebook_notes",
    "process_wave",
    "run_waves",
    "validate_wave",
    "wave_for_file",
    "wave_history",
]

Progress = Callable[[str], None]

#: The largest wave validated in the sidecar: above it, sending the coded wave there costs
#: more time and memory than importing great-expectations here.
SIDECAR_MAX_ROWS = 100_000
#: What the analysis and the reports import, imported while the sidecar validates.
AFTER_VALIDATION = (
    "scipy.stats", "pingouin", "pyarrow.parquet", "survey.export.html", "survey.export.pptx",
    "pptx", "pptx.chart.data", "plotly.io", "plotly.offline", "jinja2",
)  # fmt: skip


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


def codebook_notes(codebook: Codebook, *, weighted: bool = True) -> list[str]:
    """What a run of this codebook must say whatever the export: questions kept but not
    analysed (``type: skip``), and an export weight the run does not use yet.

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
    if weight and weighted:
        notes.append(
            f"the export's weight column {weight!r} (weighting.base_weight) is not used yet: "
            + (
                "estimates are raked to the frame from equal weights"
                if codebook.frame
                else "estimates are unweighted"
            )
        )
    return notes


def wave_for_file(
    codebook: Codebook, raw: Path, wave_id: str | None = None, *, layout: Layout | None = None
) -> Wave:
    """The codebook's wave for a raw file: by ``wave_id``, else by file name, else a new wave
    named after the file, read as the codebook's waves are (:meth:`Codebook.export_format`)
    or, when they differ, in the layout detected. ``layout`` overrides the wave's layout."""
    override = {"layout": layout} if layout is not None else {}
    if wave_id is not None:
        for wave in codebook.waves:
            if wave.id == wave_id:
                return wave.model_copy(update={"file": str(raw), **override})
    for wave in codebook.waves:
        if Path(wave.file).name == raw.name:
            if wave_id is None:
                return wave.model_copy(update={"file": str(raw), **override})
            return wave.model_copy(update=override)
    known = codebook.export_format()
    if layout is None and known is not None:
        # the codebook says how this questionnaire is exported: a renamed file keeps that
        # layout (detection cannot tell a SurveyMonkey file without its id column from a plain
        # one), unless one of them is an SPSS file and the other is not
        from survey.io import spss

        if (Layout(known.layout) is Layout.SPSS) == spss.looks_like(raw, []):
            renamed = {"id": wave_id or raw.stem, "file": str(raw), "fieldwork": None}
            return known.model_copy(update=renamed)
    if layout is None:
        from survey.io import detect_layout

        layout = detect_layout(raw)
    return Wave(id=wave_id or raw.stem, file=str(raw), layout=layout)


def _resolve(codebook: Codebook, wave: Wave) -> Path:
    path = Path(wave.file)
    return path if path.is_absolute() or path.exists() else codebook.raw_path(wave)


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
    sidecar: Sidecar | None = None,
) -> tuple[ValidationReport, pd.DataFrame, list[Backcode], list[str]]:
    """Import and validate one wave; returns the report, the coded frame, the other-specify
    back-codes and the missing fields. Raises nothing for structural problems: the caller
    decides (``survey validate`` still writes the report).

    With a ``sidecar`` the validation of a wave of up to :data:`SIDECAR_MAX_ROWS` rows runs
    there, while this process imports what the analysis needs next."""
    from survey.cleaning import standardise

    say = progress or (lambda message: None)
    raw = _resolve(codebook, wave)
    say(f"wave {wave.id}: reading {raw.name}")
    export = read_export(raw, layout=wave.layout, encoding=wave.encoding)
    mapped, column_map = map_to_codebook(export, codebook)
    say(f"wave {wave.id}: coding {export.rows} responses")
    coded, backcodes = standardise(mapped, column_map, codebook, wave)
    say(f"wave {wave.id}: validating")
    arguments: dict[str, Any] = {
        "coded": coded,
        "codebook": codebook,
        "wave": wave.id,
        "file": raw.name,
        "layout": Layout(wave.layout).value,
        "column_map": column_map,
    }
    if sidecar is None or len(coded) > SIDECAR_MAX_ROWS:
        report = validate(**arguments)
    else:
        pending = sidecar.call(validate, **arguments)
        preload(AFTER_VALIDATION)
        from survey.export.html import warm_up

        with contextlib.suppress(Exception):  # it only saves time; the report meets any error
            warm_up()
        report = pending.result()
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
    sidecar: Sidecar | None = None,
) -> WaveRun:
    """Run one wave through import, validation, cleaning, weighting and estimation, and write
    its files.

    Writes ``validation.json``, ``validation.html``, ``quarantine.csv``, ``flags.csv``,
    ``weighting.json`` (when weighted), ``results.csv`` and ``tests.csv`` (one family for the
    Benjamini-Hochberg adjustment: the wave's report) into ``out_dir`` and
    ``<wave>.parquet`` into ``processed_dir``, each atomically. ``weighted=False``, or a
    codebook without frame margins, gives every respondent weight 1 and unweighted rows only.
    With ``reports`` (the default) the workbook, HTML report and deck follow
    (:func:`survey.export.write_reports`, the deck on ``template`` if given). A ``sidecar``
    process validates the wave and writes the workbook alongside this one.

    Raises
    ------
    DataError
        The file cannot be accepted (unreadable, empty, missing columns, too few responses);
        nothing has been written.
    """
    from survey.cleaning import clean

    say = progress or (lambda message: None)
    raw = _resolve(codebook, wave)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    report, coded, backcodes, missing = validate_wave(
        codebook, wave, progress=progress, sidecar=sidecar
    )
    seconds["import_validate"] = time.perf_counter() - started
    _check_structure(report, raw, missing, codebook.min_responses)

    say(f"wave {wave.id}: cleaning")
    started = time.perf_counter()
    result = clean(coded, report, codebook, backcodes=backcodes)
    seconds["clean"] = time.perf_counter() - started

    processed = result.processed
    if processed.empty:
        reasons = ", ".join(f"{reason} {count}" for reason, count in result.reasons.items())
        raise DataError(
            f"{raw}: all {len(coded)} responses were set aside ({reasons}); nothing to analyse. "
            "Run `survey validate` to see why"
        )
    weighting: dict[str, object] | None = None
    if weighted and codebook.frame:
        say(f"wave {wave.id}: weighting")
        started = time.perf_counter()
        try:
            raked = rake(
                processed,
                margins=codebook.frame,
                epsilon=codebook.weighting.epsilon,
                max_iterations=codebook.weighting.max_iterations,
                trim_ratio=codebook.weighting.trim_ratio,
            )
        except DataError as error:
            raise DataError(f"{raw}: {error}") from None
        processed = processed.assign(weight=raked.weights.to_numpy())
        weighting = {
            **raked.summary(),
            "composition": composition(
                processed, margins=codebook.frame, weights=raked.weights
            ).to_dict("records"),
        }
        seconds["weight"] = time.perf_counter() - started

    weights = processed["weight"].to_numpy() if weighting is not None else None
    # the learning needs and the comments in the sidecar (when there is one), while this
    # process estimates and compares
    learning = None
    if sidecar is not None and len(processed) <= SIDECAR_MAX_ROWS:
        learning = sidecar.call(
            learning_tables, processed=processed, codebook=codebook, wave=wave.id, weights=weights
        )

    say(f"wave {wave.id}: estimating")
    started = time.perf_counter()
    table = results(
        processed,
        codebook,
        wave=wave.id,
        weights=processed["weight"].to_numpy() if weighting is not None else None,
    )
    seconds["estimate"] = time.perf_counter() - started

    say(f"wave {wave.id}: comparing groups")
    started = time.perf_counter()
    tests = wave_tests(
        processed,
        codebook,
        wave=wave.id,
        weights=processed["weight"].to_numpy() if weighting is not None else None,
    )
    omnibus = tests[(tests["test"] == HypothesisTest.KRUSKAL_WALLIS) & (tests["p_adjusted"] < 0.05)]
    pairwise = pairwise_mann_whitney(
        processed,
        codebook,
        wave=wave.id,
        only=set(zip(omnibus["question"], omnibus["by"], strict=True)),
    )
    seconds["compare"] = time.perf_counter() - started

    say(f"wave {wave.id}: learning needs and comments")
    started = time.perf_counter()
    reliability = cronbach_alpha(processed, codebook)  # (pingouin: not imported in a sidecar)
    if learning is not None:
        learned = learning.result()
    else:
        learned = learning_tables(processed, codebook, wave=wave.id, weights=weights)
    extra_tables = {
        "needs.csv": learned["needs.csv"],
        "reliability.csv": reliability,
        **{name: frame for name, frame in learned.items() if name != "needs.csv"},
    }
    seconds["needs_themes"] = time.perf_counter() - started

    started = time.perf_counter()
    report.notes.extend(result.notes)  # how the rules were applied, beside how it was read
    outputs = write_report(report, out_dir)
    if weighting is not None:
        weighting_path = out_dir / "weighting.json"
        atomic_write_text(weighting_path, json.dumps(weighting, indent=2) + "\n")
        outputs.append(weighting_path)
    results_path = out_dir / "results.csv"
    atomic_write_text(results_path, table.to_csv(index=False))
    tests_path = out_dir / "tests.csv"
    atomic_write_text(tests_path, tests.to_csv(index=False))
    letters_path = out_dir / "letters.csv"
    atomic_write_text(letters_path, significance_letters(table).to_csv(index=False))
    pairwise_path = out_dir / "pairwise.csv"
    atomic_write_text(pairwise_path, pairwise.to_csv(index=False))
    outputs += [results_path, tests_path, letters_path, pairwise_path]
    for name, extra in extra_tables.items():
        atomic_write_text(out_dir / name, extra.to_csv(index=False))
        outputs.append(out_dir / name)
    quarantine_path = out_dir / "quarantine.csv"
    atomic_write_text(quarantine_path, result.quarantine.to_csv(index=False))
    flags_path = out_dir / "flags.csv"
    atomic_write_text(flags_path, result.flags.to_csv(index=False))
    parquet_path = processed_dir / f"{wave.id}.parquet"
    atomic_write(parquet_path, lambda path: processed.to_parquet(path, index=False))
    seconds["write"] = time.perf_counter() - started
    if reports:
        from survey.export import write_reports

        say(f"wave {wave.id}: writing the workbook, HTML report and slides")
        started = time.perf_counter()
        outputs += write_reports(out_dir, codebook, template=template, sidecar=sidecar)
        seconds["reports"] = time.perf_counter() - started
    outputs += [quarantine_path, flags_path, parquet_path]
    run = WaveRun(
        wave=wave.id,
        file=raw,
        rows_in=len(coded),
        analysed=len(result.processed),
        quarantined=result.reasons,
        flagged=len(result.flags),
        outputs=outputs,
        seconds=seconds,
        report=report,
        weighting=weighting,
        notes=[*report.notes, *codebook_notes(codebook, weighted=weighted)],
    )
    manifest_path = out_dir / "manifest.json"
    manifest = _manifest(codebook, raw, weighted, template) | {
        "summary": {
            "rows_in": run.rows_in,
            "analysed": run.analysed,
            "quarantined": run.quarantined,
            "flagged": run.flagged,
            "design_effect": weighting["design_effect"] if weighting else None,
            "notes": run.notes,
        },
        "outputs": [
            *sorted(path.name for path in outputs if path.parent == out_dir),
            "manifest.json",
        ],
        "processed": parquet_path.name,
    }
    atomic_write_text(manifest_path, json.dumps(manifest, indent=2) + "\n")
    run.outputs.insert(0, manifest_path)
    return run


def run_waves(
    codebook: Codebook,
    waves: Sequence[Wave],
    *,
    out_dirs: Sequence[Path],
    processed_dir: Path,
    progress: Progress | None = None,
    weighted: bool = True,
    jobs: int = 1,
    template: Path | None = None,
    force: bool = False,
    reports: bool = True,
    sidecar: Sidecar | None = None,
) -> list[WaveRun]:
    """Run several waves as one run: every wave's files are written, or none are.

    Each wave is processed (:func:`process_wave`) into a hidden staging folder beside its
    destination. Only when every wave has succeeded do the files move into place, each with an
    atomic rename; a wave that fails leaves every destination as it was and raises its error
    (the first failing wave in the given order). With ``jobs > 1`` the waves run in that many
    separate processes: each wave is independent, and on two cores the three demo waves take
    13.1 s instead of 17.1 s (each process pays the imports again).

    A wave whose raw file, codebook, parameters and toolkit version are those of its last run
    (``manifest.json``'s ``cache_key``), with every file of that run still there, is reused,
    not processed again (``force`` processes it anyway).

    Every wave after the first gets its history (:func:`wave_history`: ``trends.csv``,
    ``trend_flags.csv``, ``rankings.csv``), and its reports show it. The waves known are this
    run's and, when the wave folders are ``<root>/<wave id>/``, every codebook wave already run
    into ``<root>``; a wave whose history changed (an earlier wave was re-run, a wave was
    inserted before it) gets its history and reports rewritten, so adding a wave refreshes
    every cross-wave output. ``<root>/trends.csv`` and ``<root>/trend_flags.csv`` hold the
    changes across every known wave (the same rows as the latest wave's).

    One wave to process with ``jobs > 1`` runs beside a :class:`~survey.sidecar.Sidecar`
    (``sidecar``, started early by the caller and closed by it, or one of the run's own).
    """
    say = progress or (lambda message: None)
    if len(out_dirs) != len(waves):
        raise ValueError("one output folder per wave")
    token = f"{os.getpid()}-{time.monotonic_ns()}"
    options: dict[str, Any] = {"weighted": weighted, "template": template}
    reused = [
        None if force else _cached(codebook, wave, folder, processed_dir, options)
        for wave, folder in zip(waves, out_dirs, strict=True)
    ]
    todo = [index for index, run in enumerate(reused) if run is None]
    for run in reused:
        if run is not None:
            say(f"wave {run.wave}: unchanged since its last run, reused")
    # cross-wave outputs live beside the wave folders when they are <root>/<wave id>/
    roots = {folder.parent for folder in out_dirs}
    root = roots.pop() if len(roots) == 1 else None
    if root is not None and any(f.name != w.id for f, w in zip(out_dirs, waves, strict=True)):
        root = None
    # every wave known: the codebook's waves already run into root, then this run's waves
    folders: dict[str, Path] = {}
    if root is not None:
        folders = {
            wave.id: root / wave.id
            for wave in codebook.waves
            if (root / wave.id / "results.csv").is_file()
            and (root / wave.id / "needs.csv").is_file()
        }
    folders |= {wave.id: folder for wave, folder in zip(waves, out_dirs, strict=True)}
    order = [wave.id for wave in codebook.waves if wave.id in folders]
    order += [wave_id for wave_id in folders if wave_id not in order]
    # a staging folder for each wave whose files this run writes (all waves of the run, and
    # earlier runs' waves whose history changes), moved into place only at the very end
    stages = {
        wave_id: folders[wave_id].parent / f".{folders[wave_id].name}.staging-{token}"
        for wave_id in order
    }
    processed_stage = processed_dir / f".staging-{token}"
    root_stage = root / f".trends.staging-{token}" if root is not None else None
    staging = [*stages.values(), processed_stage, *([root_stage] if root_stage else [])]
    # folders this run creates, removed again if the run fails (an empty reports/ helps nobody)
    created = {_first_missing(folder) for folder in staging}
    fresh_ids = {waves[index].id for index in todo}
    try:
        for folder in staging:
            folder.mkdir(parents=True)
        with _Workers(jobs, len(todo), say, sidecar) as workers:
            fresh = workers.run(
                "processing",
                [waves[index].id for index in todo],
                process_wave,
                [
                    {
                        "codebook": codebook,
                        "wave": waves[index],
                        "out_dir": stages[waves[index].id],
                        "processed_dir": processed_stage,
                        "reports": False,
                        **options,
                    }
                    for index in todo
                ],
            )
            # the history of every known wave, from this run's results where it made them
            source = {w: stages[w] if w in fresh_ids else folders[w] for w in order}
            if len(order) > 1:
                say(f"trends across waves {', '.join(order)}")
            history = wave_history(codebook, source)
            rewrite: dict[str, Path | None] = {}  # wave -> the template of its deck
            for wave_id in order:
                files = history[wave_id]
                changed = wave_id in fresh_ids or _history_changed(folders[wave_id], files)
                if not changed:
                    continue
                for name, content in files.items():
                    atomic_write_text(stages[wave_id] / name, content)
                if wave_id in fresh_ids:
                    rewrite[wave_id] = template
                else:
                    rewrite[wave_id] = _template_of(folders[wave_id])
            written: dict[str, tuple[list[Path], float]] = {}
            if reports:
                calls = [
                    {
                        "folder": source[wave_id],
                        "codebook": codebook,
                        "template": deck,
                        "out_dir": stages[wave_id],
                        "history": stages[wave_id],
                    }
                    for wave_id, deck in rewrite.items()
                ]
                say_reports = "writing the workbook, HTML report and slides"
                made = workers.run(say_reports, list(rewrite), _write_reports, calls)
                written = dict(zip(rewrite, made, strict=True))
        by_index = dict(zip(todo, fresh, strict=True))
        runs: list[WaveRun] = []
        for index, earlier in enumerate(reused):
            runs.append(by_index[index] if earlier is None else earlier)
        for run in fresh:
            paths, seconds = written.get(run.wave, ([], 0.0))
            if paths:
                run.outputs += paths
                run.seconds["reports"] = seconds
                _record_outputs(stages[run.wave] / "manifest.json", paths)
        # every wave has succeeded: move the files into place
        for wave_id in order:
            stage, folder = stages[wave_id], folders[wave_id]
            moved = {stage: folder, processed_stage: processed_dir}
            folder.mkdir(parents=True, exist_ok=True)
            for name in _history_names(folder) - set(history[wave_id]):
                (folder / name).unlink()  # a wave that became the first has no history
            run_of = {run.wave: run for run in fresh}.get(wave_id)
            if run_of is not None:
                outputs = []
                for path in run_of.outputs:
                    target = moved[path.parent] / path.name
                    os.replace(path, target)
                    outputs.append(target)
                run_of.outputs = outputs
            for path in sorted(stage.iterdir()):  # history, and refreshed reports
                os.replace(path, folder / path.name)
        runs_by_wave = {run.wave: run for run in runs}
        for wave_id in order:
            if wave_id in runs_by_wave and history[wave_id]:
                runs_by_wave[wave_id].outputs += [
                    folders[wave_id] / name for name in sorted(history[wave_id])
                ]
        if root is not None and root_stage is not None:
            latest = history[order[-1]] if order else {}
            for name in ("trends.csv", "trend_flags.csv"):
                if name in latest:
                    atomic_write_text(root_stage / name, latest[name])
                    os.replace(root_stage / name, root / name)
                    runs[-1].outputs.append(root / name)
                else:
                    (root / name).unlink(missing_ok=True)
        return runs
    finally:
        for folder in staging:
            shutil.rmtree(folder, ignore_errors=True)
        for folder in sorted(created, key=lambda path: len(path.parts), reverse=True):
            for empty in sorted(folder.glob("**/"), key=lambda path: -len(path.parts)):
                with contextlib.suppress(OSError):
                    empty.rmdir()  # only if empty: a finished run's folders stay


_HISTORY = ("trends.csv", "trend_flags.csv", "rankings.csv")


def _history_names(folder: Path) -> set[str]:
    return {name for name in _HISTORY if (folder / name).is_file()}


def _history_changed(folder: Path, files: dict[str, str]) -> bool:
    """Whether a wave's history files differ from ``files`` (their new text)."""
    if _history_names(folder) != set(files):
        return True
    return any((folder / name).read_text(encoding="utf-8") != text for name, text in files.items())


def _template_of(folder: Path) -> Path | None:
    """The deck template a wave's last run used, if it is still there."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    template = (manifest.get("parameters") or {}).get("template")
    return Path(template) if template and Path(template).is_file() else None


def _write_reports(
    folder: Path,
    codebook: Codebook,
    template: Path | None,
    out_dir: Path,
    history: Path,
    sidecar: Sidecar | None = None,
) -> tuple[list[Path], float]:
    """A wave's reports from the tables in ``folder`` and the history in ``history``, and the
    seconds they took."""
    from survey.export import write_reports

    started = time.perf_counter()
    paths = write_reports(
        folder, codebook, template=template, out_dir=out_dir, history=history, sidecar=sidecar
    )
    return paths, time.perf_counter() - started


def _record_outputs(manifest_path: Path, paths: list[Path]) -> None:
    """Add files written after :func:`process_wave` (the reports) to its manifest."""
    if not paths:
        return
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["outputs"] = sorted({*manifest["outputs"], *(path.name for path in paths)})
    atomic_write_text(manifest_path, json.dumps(manifest, indent=2) + "\n")


def _manifest(
    codebook: Codebook, raw: Path, weighted: bool, template: Path | None
) -> dict[str, object]:
    """What a wave's outputs were made from: the toolkit, the codebook and raw file (with
    SHA-256 hashes), the parameters and when."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    from survey.writing import now_iso

    try:
        toolkit = version("library-survey")
    except PackageNotFoundError:
        toolkit = "unknown"
    source = codebook.source
    return {
        "cache_key": _cache_key(codebook, raw, weighted, template),
        "toolkit": toolkit,
        "codebook": str(source) if source else None,
        "codebook_sha256": hashlib.sha256(source.read_bytes()).hexdigest() if source else None,
        "raw": str(raw),
        "raw_sha256": hashlib.sha256(raw.read_bytes()).hexdigest(),
        "parameters": {"weighted": weighted, "template": str(template) if template else None},
        "dimensions": list(codebook.dimensions),
        "created": now_iso(),
    }


def _cache_key(codebook: Codebook, raw: Path, weighted: bool, template: Path | None) -> str:
    """What a wave's outputs depend on, hashed: the toolkit's version, the codebook's and the
    raw file's bytes, the parameters and the template's bytes."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    try:
        digest.update(version("library-survey").encode())
    except PackageNotFoundError:
        digest.update(b"unknown")
    for path in (codebook.source, raw, template):
        digest.update(path.read_bytes() if path is not None and path.is_file() else b"-")
    # the breakdowns: `survey run --by` sets them for one run, over the codebook file's
    digest.update(json.dumps({"weighted": weighted, "dimensions": codebook.dimensions}).encode())
    return digest.hexdigest()


def _cached(
    codebook: Codebook,
    wave: Wave,
    out_dir: Path,
    processed_dir: Path,
    options: dict[str, Any],
) -> WaveRun | None:
    """The wave's earlier run when nothing it depends on changed and its files are all there."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        raw = _resolve(codebook, wave)
        key = _cache_key(codebook, raw, bool(options["weighted"]), options["template"])
    except (OSError, ValueError, DataError):
        return None
    outputs = [out_dir / name for name in manifest.get("outputs", [])]
    parquet = processed_dir / str(manifest.get("processed", ""))
    if manifest.get("cache_key") != key or not all(p.is_file() for p in [*outputs, parquet]):
        return None
    summary = manifest["summary"]
    return WaveRun(
        wave=wave.id,
        file=raw,
        rows_in=int(summary["rows_in"]),
        analysed=int(summary["analysed"]),
        quarantined={str(k): int(v) for k, v in summary["quarantined"].items()},
        flagged=int(summary["flagged"]),
        notes=[str(note) for note in summary.get("notes", [])],
        outputs=[*outputs, parquet],
        weighting=(
            {"design_effect": summary["design_effect"]}
            if summary.get("design_effect") is not None
            else None
        ),
        cached=True,
    )


def wave_history(codebook: Codebook, folders: dict[str, Path]) -> dict[str, dict[str, str]]:
    """Each wave's history as the CSV text of its files: for every wave after the first (in
    the order given, which is wave order), ``trends.csv`` and ``trend_flags.csv`` between the
    waves up to it (consecutive pairs, and first to it), and ``rankings.csv`` (the topics'
    learning-need ranks in each of those waves).

    ``folders`` maps each wave's id to the folder holding its ``results.csv`` and
    ``needs.csv``. The first wave has no history (an empty dict).

    Examples
    --------
    >>> import tempfile
    >>> from survey.codebook import load_codebook
    >>> book = load_codebook("data/raw/codebook.yaml")
    >>> root = Path(tempfile.mkdtemp())
    >>> runs = run_waves(book, book.waves[:2], out_dirs=[root / w.id for w in book.waves[:2]],
    ...                  processed_dir=root, reports=False)
    >>> history = wave_history(book, {w.id: root / w.id for w in book.waves[:2]})
    >>> history["2024"], sorted(history["2025"])
    ({}, ['rankings.csv', 'trend_flags.csv', 'trends.csv'])
    """
    from survey.analysis.trends import topic_rankings, trends

    text = {name: "string" for name in ("wave", "question", "option", "by", "group", "topic")}

    def read(path: Path) -> pd.DataFrame:
        table = pd.read_csv(path, dtype=text)
        return table

    results_by_wave = {wave: read(folder / "results.csv") for wave, folder in folders.items()}
    needs_by_wave = {wave: read(folder / "needs.csv") for wave, folder in folders.items()}
    order = list(folders)
    history: dict[str, dict[str, str]] = {order[0]: {}} if order else {}
    for end in range(1, len(order)):
        known = order[: end + 1]
        table, flags = trends({wave: results_by_wave[wave] for wave in known}, codebook)
        ranks = topic_rankings({wave: needs_by_wave[wave] for wave in known})
        history[order[end]] = {
            "trends.csv": table.to_csv(index=False),
            "trend_flags.csv": flags.to_csv(index=False),
            "rankings.csv": ranks.to_csv(index=False),
        }
    return history


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
        "quotes.csv": _safe_text(exemplar_quotes(processed, codebook, min_chars=20), "quote"),
        "uncoded_terms.csv": _safe_text(uncoded_terms(processed, codebook), "term"),
    }


def _safe_text(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Respondent text in a CSV that a spreadsheet may open: a cell starting with ``=``, ``+``,
    ``-`` or ``@`` gets a leading apostrophe, so it is never run as a formula."""
    from survey.report.style import neutralise

    if column in table and len(table):
        table = table.assign(**{column: table[column].astype(str).map(neutralise)})
    return table


def _first_missing(folder: Path) -> Path:
    """The outermost folder of ``folder``'s path that does not exist yet."""
    missing = folder
    for parent in folder.parents:
        if parent.exists():
            break
        missing = parent
    return missing


class _Workers:
    """Runs calls in this process, or in ``jobs`` spawned worker processes kept for the whole
    run (each pays the imports once, then processes waves and writes reports). One wave with
    ``jobs > 1`` runs in this process with a :class:`~survey.sidecar.Sidecar` beside it."""

    def __init__(
        self, jobs: int, waves: int, say: Progress, sidecar: Sidecar | None = None
    ) -> None:
        self.workers = min(jobs, waves)
        self.say = say
        self.pool: Any = None
        self.wants_sidecar = waves == 1 and jobs > 1
        self.given = sidecar if self.wants_sidecar else None
        self.sidecar: Sidecar | None = self.given

    def __enter__(self) -> _Workers:
        if self.wants_sidecar and self.sidecar is None:
            self.sidecar = Sidecar()
        if self.workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn, not fork: the parent may hold a progress thread's lock when it forks
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        if self.sidecar is not None and self.sidecar is not self.given:
            self.sidecar.close(wait=kind is None)

    def run(
        self, what: str, names: list[str], function: Callable[..., Any], calls: list[dict]
    ) -> list[Any]:
        """``function(**call)`` for each call, in order; the first failure (in the given
        order, as a sequential run would meet it) is raised."""
        if self.pool is None or len(calls) <= 1:
            results = []
            for name, call in zip(names, calls, strict=True):
                if function is process_wave:
                    call = {**call, "progress": self.say}
                else:
                    self.say(f"wave {name}: {what}")
                if self.sidecar is not None:
                    call = {**call, "sidecar": self.sidecar}
                results.append(function(**call))
            return results
        from concurrent.futures import FIRST_EXCEPTION, wait

        listed = ", ".join(names)
        self.say(f"waves {listed}: {what} on {self.workers} processes")
        futures = [self.pool.submit(function, **call) for call in calls]
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
            if any(future.exception() is not None for future in finished):
                for future in pending:
                    future.cancel()
                break
            done = [name for name, future in zip(names, futures, strict=True) if future.done()]
            self.say(f"waves {listed}: {len(done)} of {len(calls)} done ({', '.join(done)})")
        for future in futures:  # the first failure in wave order, as a sequential run
            if future.done() and future.exception() is not None:
                raise future.exception()
        return [future.result() for future in futures]
