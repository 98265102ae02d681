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

from survey.analysis.comparisons import (
    adjust_family,
    comparison_tests,
    pairwise_mann_whitney,
)
from survey.analysis.letters import significance_letters
from survey.analysis.needs import cronbach_alpha, needs
from survey.analysis.results import results
from survey.analysis.themes import exemplar_quotes, theme_table, uncoded_terms
from survey.cleaning.standardise import Backcode
from survey.codebook import Codebook, Layout, Wave
from survey.errors import DataError
from survey.io import map_to_codebook, read_export
from survey.validation import Action, ValidationReport, validate, write_report
from survey.weighting import composition, rake
from survey.writing import atomic_write, atomic_write_text

__all__ = ["WaveRun", "process_wave", "run_waves", "validate_wave", "wave_for_file"]

Progress = Callable[[str], None]


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

    @property
    def quarantined_total(self) -> int:
        """Rows not analysed, over every reason."""
        return sum(self.quarantined.values())


def wave_for_file(codebook: Codebook, raw: Path, wave_id: str | None = None) -> Wave:
    """The codebook's wave for a raw file: by ``wave_id``, else by file name, else a new wave
    named after the file (its layout detected)."""
    if wave_id is not None:
        for wave in codebook.waves:
            if wave.id == wave_id:
                return wave.model_copy(update={"file": str(raw)})
    for wave in codebook.waves:
        if Path(wave.file).name == raw.name:
            return wave.model_copy(update={"file": str(raw)}) if wave_id is None else wave
    from survey.io import detect_layout

    return Wave(id=wave_id or raw.stem, file=str(raw), layout=detect_layout(raw))


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
    codebook: Codebook, wave: Wave, *, progress: Progress | None = None
) -> tuple[ValidationReport, pd.DataFrame, list[Backcode], list[str]]:
    """Import and validate one wave; returns the report, the coded frame, the other-specify
    back-codes and the missing fields. Raises nothing for structural problems: the caller
    decides (``survey validate`` still writes the report)."""
    from survey.cleaning import standardise

    say = progress or (lambda message: None)
    raw = _resolve(codebook, wave)
    say(f"wave {wave.id}: reading {raw.name}")
    export = read_export(raw, layout=wave.layout, encoding=wave.encoding)
    mapped, column_map = map_to_codebook(export, codebook)
    say(f"wave {wave.id}: coding {export.rows} responses")
    coded, backcodes = standardise(mapped, column_map, codebook, wave)
    say(f"wave {wave.id}: validating")
    report = validate(
        coded,
        codebook,
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
) -> WaveRun:
    """Run one wave through import, validation, cleaning, weighting and estimation, and write
    its files.

    Writes ``validation.json``, ``validation.html``, ``quarantine.csv``, ``flags.csv``,
    ``weighting.json`` (when weighted), ``results.csv`` and ``tests.csv`` (one family for the
    Benjamini-Hochberg adjustment: the wave's report) into ``out_dir`` and
    ``<wave>.parquet`` into ``processed_dir``, each atomically. ``weighted=False``, or a
    codebook without frame margins, gives every respondent weight 1 and unweighted rows only.
    With ``reports`` (the default) the workbook, HTML report and deck follow
    (:func:`survey.export.write_reports`, the deck on ``template`` if given).

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
    report, coded, backcodes, missing = validate_wave(codebook, wave, progress=progress)
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
    comparison_tables = [comparison_tests(processed, codebook, wave=wave.id)]
    if weighting is not None:
        comparison_tables.append(
            comparison_tests(processed, codebook, wave=wave.id, weights=processed["weight"])
        )
    tests = adjust_family(pd.concat(comparison_tables, ignore_index=True))
    omnibus = tests[(tests["test"] == "kruskal_wallis") & (tests["p_adjusted"] < 0.05)]
    pairwise = pairwise_mann_whitney(
        processed,
        codebook,
        wave=wave.id,
        only=set(zip(omnibus["question"], omnibus["by"], strict=True)),
    )
    seconds["compare"] = time.perf_counter() - started

    say(f"wave {wave.id}: learning needs and comments")
    started = time.perf_counter()
    weights = processed["weight"].to_numpy() if weighting is not None else None
    need_tables = [needs(processed, codebook, wave=wave.id)]
    theme_tables = [theme_table(processed, codebook, wave=wave.id)]
    if weights is not None:
        need_tables.append(needs(processed, codebook, wave=wave.id, weights=weights))
        theme_tables.append(theme_table(processed, codebook, wave=wave.id, weights=weights))
    extra_tables = {
        "needs.csv": pd.concat(need_tables, ignore_index=True),
        "reliability.csv": cronbach_alpha(processed, codebook),
        "themes.csv": pd.concat(theme_tables, ignore_index=True),
        "quotes.csv": _safe_text(exemplar_quotes(processed, codebook, min_chars=20), "quote"),
        "uncoded_terms.csv": _safe_text(uncoded_terms(processed, codebook), "term"),
    }
    seconds["needs_themes"] = time.perf_counter() - started

    started = time.perf_counter()
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
        outputs += write_reports(out_dir, codebook, template=template)
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
    )
    manifest_path = out_dir / "manifest.json"
    manifest = _manifest(codebook, raw, weighted, template) | {
        "summary": {
            "rows_in": run.rows_in,
            "analysed": run.analysed,
            "quarantined": run.quarantined,
            "flagged": run.flagged,
            "design_effect": weighting["design_effect"] if weighting else None,
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
    not processed again (``force`` processes it anyway). When the wave folders are
    ``<root>/<wave id>/``, ``trends.csv`` and ``trend_flags.csv`` are written into ``<root>``
    across every codebook wave with results there, so adding a wave refreshes them.
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
    stages = {
        index: out_dirs[index].parent / f".{out_dirs[index].name}.staging-{token}" for index in todo
    }
    processed_stage = processed_dir / f".staging-{token}"
    trend_stage = root / f".trends.staging-{token}" if root is not None else None
    staging = [*stages.values(), processed_stage, *([trend_stage] if trend_stage else [])]
    # folders this run creates, removed again if the run fails (an empty reports/ helps nobody)
    created = {_first_missing(folder) for folder in staging}
    try:
        for folder in staging:
            folder.mkdir(parents=True)
        fresh = _process_all(
            codebook,
            [waves[index] for index in todo],
            [stages[index] for index in todo],
            processed_stage,
            say,
            options,
            jobs,
        )
        by_index = dict(zip(todo, fresh, strict=True))
        runs: list[WaveRun] = []
        for index, earlier in enumerate(reused):
            runs.append(by_index[index] if earlier is None else earlier)
        trend_files: list[Path] = []
        if trend_stage is not None and root is not None:
            sources = {
                wave.id: root / wave.id / "results.csv"
                for wave in codebook.waves
                if (root / wave.id / "results.csv").is_file()
            }
            sources |= {waves[index].id: stages[index] / "results.csv" for index in todo}
            sources |= {run.wave: root / run.wave / "results.csv" for run in runs if run.cached}
            order = [wave.id for wave in codebook.waves if wave.id in sources]
            order += [wave_id for wave_id in sources if wave_id not in order]
            if len(order) > 1:
                say(f"trends across waves {', '.join(order)}")
                trend_files = _write_trends(codebook, {w: sources[w] for w in order}, trend_stage)
        for index in todo:
            run, stage, folder = by_index[index], stages[index], out_dirs[index]
            folder.mkdir(parents=True, exist_ok=True)
            moved = {stage: folder, processed_stage: processed_dir}
            outputs = []
            for path in run.outputs:
                target = moved[path.parent] / path.name
                os.replace(path, target)
                outputs.append(target)
            run.outputs = outputs
        if trend_files and root is not None:
            for path in trend_files:
                os.replace(path, root / path.name)
            runs[-1].outputs += [root / path.name for path in trend_files]
        return runs
    finally:
        for folder in staging:
            shutil.rmtree(folder, ignore_errors=True)
        for folder in sorted(created, key=lambda path: len(path.parts), reverse=True):
            for empty in sorted(folder.glob("**/"), key=lambda path: -len(path.parts)):
                with contextlib.suppress(OSError):
                    empty.rmdir()  # only if empty: a finished run's folders stay


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
    digest.update(json.dumps({"weighted": weighted}).encode())
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
        outputs=[*outputs, parquet],
        weighting=(
            {"design_effect": summary["design_effect"]}
            if summary.get("design_effect") is not None
            else None
        ),
        cached=True,
    )


def _write_trends(codebook: Codebook, sources: dict[str, Path], folder: Path) -> list[Path]:
    """``trends.csv`` and ``trend_flags.csv`` across the waves whose ``results.csv`` are given
    (in wave order), written into ``folder`` (a staging folder)."""
    from survey.analysis.trends import trends

    text = {name: "string" for name in ("wave", "question", "option", "by", "group")}
    results_by_wave = {wave: pd.read_csv(path, dtype=text) for wave, path in sources.items()}
    table, flags = trends(results_by_wave, codebook)
    written = [folder / "trends.csv", folder / "trend_flags.csv"]
    atomic_write_text(written[0], table.to_csv(index=False))
    atomic_write_text(written[1], flags.to_csv(index=False))
    return written


def _safe_text(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Respondent text in a CSV that a spreadsheet may open: a cell starting with ``=``, ``+``,
    ``-`` or ``@`` gets a leading apostrophe, so it is never run as a formula."""
    from survey.export.style import neutralise

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


def _process_all(
    codebook: Codebook,
    waves: Sequence[Wave],
    stages: Sequence[Path],
    processed_stage: Path,
    say: Progress,
    options: dict[str, Any],
    jobs: int,
) -> list[WaveRun]:
    """:func:`process_wave` for each wave, in this process or in ``jobs`` worker processes."""
    if jobs <= 1 or len(waves) <= 1:
        return [
            process_wave(
                codebook,
                wave,
                out_dir=stage,
                processed_dir=processed_stage,
                progress=say,
                **options,
            )
            for wave, stage in zip(waves, stages, strict=True)
        ]
    import multiprocessing
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

    names = ", ".join(wave.id for wave in waves)
    workers = min(jobs, len(waves))
    say(f"waves {names}: processing on {workers} processes")
    # spawn, not fork: the parent may hold a progress thread's lock when it forks
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [
            pool.submit(
                process_wave,
                codebook,
                wave,
                out_dir=stage,
                processed_dir=processed_stage,
                **options,
            )
            for wave, stage in zip(waves, stages, strict=True)
        ]
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
            if any(future.exception() is not None for future in finished):
                for future in pending:
                    future.cancel()
                break
            done = [wave.id for wave, future in zip(waves, futures, strict=True) if future.done()]
            say(f"waves {names}: {len(done)} of {len(waves)} done ({', '.join(done)})")
        for future in futures:  # the first failure in wave order, as a sequential run
            if future.done() and future.exception() is not None:
                raise future.exception()  # type: ignore[misc]
        return [future.result() for future in futures]
