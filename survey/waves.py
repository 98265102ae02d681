"""A codebook's waves and their files: which wave a raw file is, where its export is, which
waves a run knows of and the history of each since the earlier ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from survey.analysis.trends import topic_rankings, trends
from survey.codebook import Codebook, Layout, Wave
from survey.io import detect_layout, spss

__all__ = ["known_waves", "raw_file", "wave_for_file", "wave_history"]


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
    # the codebook says how this questionnaire is exported: a renamed file keeps that layout
    # (detection cannot tell a SurveyMonkey file without its id column from a plain one),
    # unless one of them is an SPSS file and the other is not
    if (
        layout is None
        and known is not None
        and (Layout(known.layout) is Layout.SPSS) == spss.looks_like(raw, [])
    ):
        renamed = {"id": wave_id or raw.stem, "file": str(raw), "fieldwork": None}
        return known.model_copy(update=renamed)
    if layout is None:
        layout = detect_layout(raw)
    return Wave(id=wave_id or raw.stem, file=str(raw), layout=layout)


def raw_file(codebook: Codebook, wave: Wave) -> Path:
    """Where a wave's export is: its file as given when it exists (or is absolute), else
    beside the codebook (:meth:`Codebook.raw_path`)."""
    path = Path(wave.file)
    return path if path.is_absolute() or path.exists() else codebook.raw_path(wave)


def known_waves(
    codebook: Codebook, waves: Sequence[Wave], out_dirs: Sequence[Path]
) -> tuple[Path | None, dict[str, Path]]:
    """The folder of the changes across waves (when the wave folders are ``<root>/<wave
    id>/``, else ``None``), and every wave known, in wave order, with its folder: the
    codebook's waves already run into that root, and this run's waves."""
    roots = {folder.parent for folder in out_dirs}
    root = roots.pop() if len(roots) == 1 else None
    if root is not None and any(f.name != w.id for f, w in zip(out_dirs, waves, strict=True)):
        root = None
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
    return root, {wave_id: folders[wave_id] for wave_id in order}


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
    >>> from survey.pipeline import run_waves
    >>> book = load_codebook("data/raw/codebook.yaml")
    >>> root = Path(tempfile.mkdtemp())
    >>> runs = run_waves(book, book.waves[:2], out_dirs=[root / w.id for w in book.waves[:2]],
    ...                  processed_dir=root, reports=False)
    >>> history = wave_history(book, {w.id: root / w.id for w in book.waves[:2]})
    >>> history["2024"], sorted(history["2025"])
    ({}, ['rankings.csv', 'trend_flags.csv', 'trends.csv'])
    """
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
