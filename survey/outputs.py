"""What a run writes, and where: a wave's tables, its processed Parquet file and its manifest,
the cache that reuses an unchanged wave, and the staging folders that make a run of several
waves all or nothing.

:mod:`survey.pipeline` decides what to compute; this module only writes it, each file
atomically (:mod:`survey.writing`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from survey.analysis.replicates import Replicates
from survey.codebook import Codebook
from survey.report.style import neutralise
from survey.validation import ValidationReport, write_report
from survey.writing import atomic_write, atomic_write_text, now_iso

__all__ = [
    "HISTORY",
    "Staging",
    "cache_key",
    "earlier_run",
    "history_changed",
    "history_names",
    "record_outputs",
    "replicate_columns",
    "template_of",
    "write_manifest",
    "write_wave",
]

#: A wave's history: its changes since the earlier waves, and the topics' ranks in each.
HISTORY = ("trends.csv", "trend_flags.csv", "rankings.csv")
#: Respondents' own words in a table, by file: made safe for a spreadsheet when written.
_RESPONDENT_TEXT = {"quotes.csv": "quote", "uncoded_terms.csv": "term"}


def write_wave(
    out_dir: Path,
    processed_dir: Path,
    wave: str,
    report: ValidationReport,
    weighting: dict[str, object] | None,
    tables: Mapping[str, pd.DataFrame],
    processed: pd.DataFrame,
    *,
    replicates: Replicates | None = None,
) -> list[Path]:
    """Write a wave's files: ``validation.json`` and ``validation.html``, ``weighting.json``
    (when weighted) and each of ``tables`` (by file name, in order) into ``out_dir``, and
    ``<wave>.parquet`` into ``processed_dir``; the paths, in that order.

    With ``replicates`` (``weighting.write_replicates: true``), the parquet also holds each
    replicate's raked weights after ``weight``, :func:`replicate_columns`.

    Respondents' text in ``quotes.csv`` and ``uncoded_terms.csv`` gets a leading apostrophe
    where a spreadsheet would read it as a formula (:func:`~survey.report.style.neutralise`).
    """
    outputs = write_report(report, out_dir)
    if weighting is not None:
        path = out_dir / "weighting.json"
        atomic_write_text(path, json.dumps(weighting, indent=2) + "\n")
        outputs.append(path)
    for name, table in tables.items():
        path = out_dir / name
        atomic_write_text(path, _safe_text(table, _RESPONDENT_TEXT.get(name)).to_csv(index=False))
        outputs.append(path)
    if replicates is not None:
        processed = pd.concat([processed, replicate_columns(replicates, processed.index)], axis=1)
    parquet = processed_dir / f"{wave}.parquet"
    atomic_write(parquet, lambda path: processed.to_parquet(path, index=False))
    return [*outputs, parquet]


def replicate_columns(replicates: Replicates, index: pd.Index) -> pd.DataFrame:
    """Each replicate's raked weights, a column each: ``rep_1 .. rep_R`` (JK1: replicate
    ``r`` leaves respondent ``r`` out). R reads them back with ``svrepdesign(repweights =
    "rep_[0-9]+", type = "JK1" or "bootstrap", scale =, rscales = 1, weights = ~weight,
    combined.weights = TRUE, mse = FALSE)``, ``scale`` from ``weighting.json``."""
    names = [f"rep_{number}" for number in range(1, replicates.size + 1)]
    return pd.DataFrame(replicates.weights().T, index=index, columns=names)


def _safe_text(table: pd.DataFrame, column: str | None) -> pd.DataFrame:
    """Respondent text in a CSV that a spreadsheet may open: a cell starting with ``=``, ``+``,
    ``-`` or ``@`` gets a leading apostrophe, so it is never run as a formula."""
    if column is not None and column in table and len(table):
        table = table.assign(**{column: table[column].astype(str).map(neutralise)})
    return table


def write_manifest(
    out_dir: Path,
    codebook: Codebook,
    raw: Path,
    parameters: dict[str, Any],
    summary: dict[str, object],
    outputs: list[Path],
) -> Path:
    """``manifest.json``: what a wave's outputs were made from (the toolkit, the codebook and
    raw file with SHA-256 hashes, the ``parameters`` ``weighted``, ``template`` and
    ``variance`` (the variance method of a weighted run), when), its
    ``summary`` and the files it wrote: those in ``out_dir`` (and the manifest) and its
    Parquet file."""
    weighted, template = bool(parameters["weighted"]), parameters["template"]
    source = codebook.source
    manifest = {
        "cache_key": cache_key(codebook, raw, weighted, template),
        "toolkit": _toolkit(),
        "codebook": str(source) if source else None,
        "codebook_sha256": hashlib.sha256(source.read_bytes()).hexdigest() if source else None,
        "raw": str(raw),
        "raw_sha256": hashlib.sha256(raw.read_bytes()).hexdigest(),
        "parameters": {
            "weighted": weighted,
            "template": str(template) if template else None,
            "variance": parameters.get("variance"),
        },
        "dimensions": list(codebook.dimensions),
        "created": now_iso(),
        "summary": summary,
        "outputs": [
            *sorted(path.name for path in outputs if path.parent == out_dir),
            "manifest.json",
        ],
        "processed": next(path.name for path in outputs if path.suffix == ".parquet"),
    }
    path = out_dir / "manifest.json"
    atomic_write_text(path, json.dumps(manifest, indent=2) + "\n")
    return path


def record_outputs(manifest_path: Path, paths: list[Path]) -> None:
    """Add files written after the manifest (the reports) to it."""
    if not paths:
        return
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["outputs"] = sorted({*manifest["outputs"], *(path.name for path in paths)})
    atomic_write_text(manifest_path, json.dumps(manifest, indent=2) + "\n")


def _toolkit() -> str:
    try:
        return version("library-survey")
    except PackageNotFoundError:
        return "unknown"


def cache_key(codebook: Codebook, raw: Path, weighted: bool, template: Path | None) -> str:
    """What a wave's outputs depend on, hashed: the toolkit's version, the codebook's and the
    raw file's bytes, the parameters and the template's bytes."""
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


def earlier_run(
    out_dir: Path,
    processed_dir: Path,
    codebook: Codebook,
    raw: Path,
    weighted: bool,
    template: Path | None,
) -> tuple[dict[str, Any], list[Path]] | None:
    """The summary and files of the wave's last run into ``out_dir`` when nothing it depends
    on changed (its manifest's :func:`cache_key`) and its files are all still there, else
    ``None``."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        key = cache_key(codebook, raw, weighted, template)
    except (OSError, ValueError):
        return None
    outputs = [out_dir / name for name in manifest.get("outputs", [])]
    parquet = processed_dir / str(manifest.get("processed", ""))
    if manifest.get("cache_key") != key or not all(p.is_file() for p in [*outputs, parquet]):
        return None
    return manifest["summary"], [*outputs, parquet]


def template_of(folder: Path) -> Path | None:
    """The deck template a wave's last run used, if it is still there."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    template = (manifest.get("parameters") or {}).get("template")
    return Path(template) if template and Path(template).is_file() else None


def history_names(folder: Path) -> set[str]:
    """The history files a wave's folder holds."""
    return {name for name in HISTORY if (folder / name).is_file()}


def history_changed(folder: Path, files: dict[str, str]) -> bool:
    """Whether a wave's history files differ from ``files`` (their new text)."""
    if history_names(folder) != set(files):
        return True
    return any((folder / name).read_text(encoding="utf-8") != text for name, text in files.items())


class Staging:
    """The hidden folders a run of several waves writes into, moved into place only when every
    wave has succeeded: one beside each wave's folder (``folders``, by wave), one in the
    processed folder and one in ``root`` (the folder of the changes across every wave).

    On leaving the ``with`` block the staging folders are removed, and so is every folder the
    run created that is still empty (an empty ``reports/`` helps nobody): a failed run leaves
    every destination as it was.
    """

    def __init__(self, folders: dict[str, Path], processed_dir: Path, root: Path | None) -> None:
        token = f"{os.getpid()}-{time.monotonic_ns()}"
        self.folders = folders
        self.waves = {
            wave: folder.parent / f".{folder.name}.staging-{token}"
            for wave, folder in folders.items()
        }
        self.processed_dir = processed_dir
        self.processed = processed_dir / f".staging-{token}"
        self.root = root
        self._root = root / f".trends.staging-{token}" if root is not None else None
        self._all = [*self.waves.values(), self.processed, *([self._root] if self._root else [])]
        self._created = {_first_missing(folder) for folder in self._all}

    def __enter__(self) -> Staging:
        try:
            for folder in self._all:
                folder.mkdir(parents=True)
        except BaseException:
            self._remove()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._remove()

    def write(self, wave: str, files: dict[str, str]) -> None:
        """Stage files of a wave (its history), by name and text."""
        for name, text in files.items():
            atomic_write_text(self.waves[wave] / name, text)

    def stage_history(
        self, history: dict[str, dict[str, str]], *, made: set[str], template: Path | None
    ) -> dict[str, Path | None]:
        """Stage each wave's history (its files' text, by wave) where it is new: every wave
        this run ``made``, and earlier waves whose history changed. Those waves, whose reports
        must be written again, with the template of their deck (``template`` for those made,
        else the one their last run used)."""
        decks: dict[str, Path | None] = {}
        for wave, files in history.items():
            folder = self.folders[wave]
            if wave in made or history_changed(folder, files):
                self.write(wave, files)
                decks[wave] = template if wave in made else template_of(folder)
        return decks

    def move_into_place(
        self, wave: str, outputs: list[Path], history: dict[str, str]
    ) -> list[Path]:
        """Move a wave's staged files into its folder (its Parquet file into the processed
        folder), after removing history files it no longer has; ``outputs`` where they are
        now."""
        stage, folder = self.waves[wave], self.folders[wave]
        moved = {stage: folder, self.processed: self.processed_dir}
        folder.mkdir(parents=True, exist_ok=True)
        for name in history_names(folder) - set(history):
            (folder / name).unlink()  # a wave that became the first has no history
        placed = []
        for path in outputs:
            target = moved[path.parent] / path.name
            os.replace(path, target)
            placed.append(target)
        for path in sorted(stage.iterdir()):  # history, and refreshed reports
            os.replace(path, folder / path.name)
        return placed

    def write_across(self, latest: dict[str, str]) -> list[Path]:
        """``trends.csv`` and ``trend_flags.csv`` across every wave (the latest wave's
        history) into ``root``, or removed from it when there are none; the files written."""
        if self.root is None or self._root is None:
            return []
        written = []
        for name in ("trends.csv", "trend_flags.csv"):
            if name in latest:
                atomic_write_text(self._root / name, latest[name])
                os.replace(self._root / name, self.root / name)
                written.append(self.root / name)
            else:
                (self.root / name).unlink(missing_ok=True)
        return written

    def _remove(self) -> None:
        for folder in self._all:
            shutil.rmtree(folder, ignore_errors=True)
        for folder in sorted(self._created, key=lambda path: len(path.parts), reverse=True):
            for empty in sorted(folder.glob("**/"), key=lambda path: -len(path.parts)):
                with contextlib.suppress(OSError):
                    empty.rmdir()  # only if empty: a finished run's folders stay


def _first_missing(folder: Path) -> Path:
    """The outermost folder of ``folder``'s path that does not exist yet."""
    missing = folder
    for parent in folder.parents:
        if parent.exists():
            break
        missing = parent
    return missing
