"""The benchmark harness behind ``survey bench``, outside the installed package.

Run it from a clone of the project as ``survey bench``, ``python -m bench`` (or ``python -m
bench.harness``) or ``python bench/harness.py``, e.g. ``--sizes 1800,100000 --runs 3 [--with-r]
[--out bench/results.json] [--readme bench/README.md] [--data DIR]``.

For each wave size it writes a demo wave (:func:`survey.demo.write_demo`, ``2024.csv``), then
runs the whole flow ``runs`` times, each run in a fresh child process so that its peak resident
memory (``getrusage(RUSAGE_SELF).ru_maxrss``, imports included) is the run's own. A run times:

- ``import``, ``validate``: reading, mapping and coding the export, then validating it (the
  two halves of :func:`survey.pipeline.validate_wave`, timed apart);
- ``import_validate``, ``clean``, ``weight``, ``estimates``, ``tests``, ``needs_themes``,
  ``write``: :func:`survey.pipeline.process_wave`'s own ``WaveRun.seconds`` (``estimate`` and
  ``compare`` there), ``reports=False``;
- ``letters``, ``needs``, ``themes``: those tables again, one at a time, on the processed wave
  (weighted and unweighted, as ``process_wave`` makes them; ``themes`` includes the quotes and
  uncoded terms);
- ``report_tables`` (:func:`~survey.report.tables.load_tables` and
  :func:`~survey.report.model.build_report`), then each writer: ``xlsx``, ``html``,
  ``pptx``;
- ``pipeline``: ``process_wave`` from start to end, and ``r_subset``: the work
  ``bench/survey.R`` does in R (``bench/engine.py``'s ``r_subset``);
- ``breakdowns``: every estimate and group test of the processed wave, in a second fresh
  process (:func:`breakdowns_run`), with that process's own peak memory.

Minimum and median over the runs are kept for every stage and for the peak memory. With R
(``with_r`` and ``Rscript`` on the path) the same ``r_subset`` is timed in R's ``survey``
package on the same processed wave, and its estimates, standard errors and Rao-Scott p-values
are compared with Python's (largest absolute differences recorded).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "README_END",
    "README_START",
    "STAGES",
    "machine_info",
    "main",
    "parse_sizes",
    "plot_scaling",
    "readme_table",
    "run_bench",
    "scaling",
    "scaling_table",
    "update_readme",
]

#: Every stage a run times, in the order of the README table.
STAGES = (
    "startup",
    "import",
    "validate",
    "import_validate",
    "clean",
    "weight",
    "estimates",
    "tests",
    "letters",
    "needs",
    "themes",
    "needs_themes",
    "write",
    "report_tables",
    "xlsx",
    "html",
    "pptx",
    "pipeline",
    "r_subset",
    "breakdowns",
    "survey_run",
)
#: What process_wave calls its stages, for the stages taken from ``WaveRun.seconds``.
_FROM_PIPELINE = {
    "import_validate": "import_validate",
    "clean": "clean",
    "weight": "weight",
    "estimates": "estimate",
    "tests": "compare",
    "needs_themes": "needs_themes",
    "write": "write",
}
#: The scaling chart, beside the README.
CHART = "scaling.png"
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"
#: The folder of the harness: ``bench/`` of a clone (the R script is beside it).
HERE = Path(__file__).resolve().parent
#: The R side of ``r_subset``.
R_SCRIPT = HERE / "survey.R"
#: Imported lazily by the stages; the ``startup`` stage imports them first.
_LIBRARIES = (
    "great_expectations", "pingouin", "scipy.stats", "openpyxl", "xlsxwriter", "pptx",
    "plotly.graph_objects", "jinja2", "pyarrow.parquet",
)  # fmt: skip
#: The demo wave the harness runs (Qualtrics layout, the codebook's first wave).
WAVE_FILE = "2024.csv"

Progress = Callable[[str], None]


def peak_rss_mb() -> float:
    """This process's peak resident memory, MB. On Linux ``VmHWM`` of ``/proc/self/status``:
    ``getrusage``'s ``ru_maxrss`` carries over the memory of the process before ``exec``, so a
    child of a large parent (a test run) would report the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024**2


def _timed(seconds: dict[str, float], stage: str, work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    value = work()
    seconds[stage] = time.perf_counter() - started
    return value


def one_run(folder: Path, work_dir: Path) -> dict[str, Any]:
    """One timed run over ``folder``'s demo wave, writing into ``work_dir``; run it in a fresh
    process (``python -m bench.harness --child``) so that the peak memory is its own."""
    # imported in the child run, whose time and memory they belong to; the parent stays light
    import pandas as pd

    from survey.analysis.letters import significance_letters
    from survey.analysis.needs import needs
    from survey.analysis.themes import exemplar_quotes, theme_table, uncoded_terms
    from survey.cleaning import standardise
    from survey.codebook import Layout, load_codebook
    from survey.export.html import write_html
    from survey.export.pptx import write_pptx
    from survey.export.xlsx import write_xlsx
    from survey.io import map_to_codebook, read_export
    from survey.pipeline import process_wave, wave_for_file
    from survey.report import build_report, load_tables
    from survey.runtime.steps import Threads
    from survey.validation import validate

    codebook = load_codebook(folder / "codebook.yaml")
    raw = folder / WAVE_FILE
    wave = wave_for_file(codebook, raw)
    seconds: dict[str, float] = {}
    # the heavy libraries the stages import lazily, imported first so that no stage pays them
    _timed(seconds, "startup", lambda: [importlib.import_module(name) for name in _LIBRARIES])

    def import_wave() -> tuple[Any, Any]:
        export = read_export(raw, layout=wave.layout, encoding=wave.encoding)
        mapped, column_map = map_to_codebook(export, codebook)
        coded, _ = standardise(mapped, column_map, codebook, wave)
        return coded, column_map

    coded, column_map = _timed(seconds, "import", import_wave)
    layout = Layout(wave.layout).value
    _timed(
        seconds,
        "validate",
        lambda: validate(
            coded, codebook, wave=wave.id, file=raw.name, layout=layout, column_map=column_map
        ),
    )
    coded = None  # free it before the pipeline runs

    out_dir, processed_dir = work_dir / "reports", work_dir / "processed"
    run = _timed(
        seconds,
        "pipeline",
        lambda: process_wave(
            codebook,
            wave,
            out_dir=out_dir,
            processed_dir=processed_dir,
            reports=False,
            steps=Threads(),  # as `survey run`: a large wave's estimates and tests on threads
        ),
    )
    for stage, name in _FROM_PIPELINE.items():
        if name in run.seconds:
            seconds[stage] = run.seconds[name]

    processed = pd.read_parquet(processed_dir / f"{wave.id}.parquet")
    weights = processed["weight"].to_numpy() if "weight" in processed else None
    table = pd.read_csv(out_dir / "results.csv", keep_default_na=False, na_values=[""])
    _timed(seconds, "letters", lambda: significance_letters(table))

    def both(function: Callable[..., Any]) -> None:
        function(processed, codebook, wave=wave.id)
        if weights is not None:
            function(processed, codebook, wave=wave.id, weights=weights)

    _timed(seconds, "needs", lambda: both(needs))

    def themes() -> None:
        both(theme_table)
        exemplar_quotes(processed, codebook, min_chars=20)
        uncoded_terms(processed, codebook)

    _timed(seconds, "themes", themes)

    def report_model() -> Any:
        return build_report(load_tables(out_dir, codebook))

    model = _timed(seconds, "report_tables", report_model)
    _timed(seconds, "xlsx", lambda: write_xlsx(model, work_dir / "report.xlsx"))
    _timed(seconds, "html", lambda: write_html(model, work_dir / "report.html"))
    _timed(seconds, "pptx", lambda: write_pptx(model, work_dir / "slides.pptx"))

    r_subset_python = _r_subset_python(processed, codebook)
    _timed(seconds, "r_subset", lambda: r_subset_python(None))
    return {
        "rows_in": run.rows_in,
        "analysed": run.analysed,
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def _r_subset_python(processed: Any, codebook: Any) -> Callable[[Path | None], Any]:
    """``bench/engine.py``'s ``r_subset`` (rake; each importance topic's weighted top-2 share
    by every dimension; a Rao-Scott test for each), returning a function that does it and,
    given a path, writes the estimates, standard errors and p-values there as CSV.

    It calls what ``results()`` and ``comparison_tests()`` call: ``domain_means`` on the 16
    topics at once for each breakdown, one ``beta_interval`` over all 48 tables, and
    ``rao_scott_tests`` on the 16 topics' tables of each breakdown."""
    # imported in the child run or the R comparison, not by a harness that only spawns runs
    import numpy as np
    import pandas as pd

    from survey.analysis.design_tests import rao_scott_tests
    from survey.analysis.estimates import beta_interval, domain_means
    from survey.analysis.results import groupings
    from survey.weighting import rake

    grid = codebook.question("learning_needs")
    topics = grid.grid_columns(grid.items[0])

    def work(path: Path | None) -> Any:
        weights = rake(
            processed,
            margins=codebook.frame,
            epsilon=codebook.weighting.epsilon,
            max_iterations=codebook.weighting.max_iterations,
        ).weights.to_numpy()
        ratings = processed[topics].to_numpy(dtype=float)  # respondents x topics
        top2 = np.where(np.isnan(ratings), np.nan, (ratings >= 4).astype(float))
        answers = np.where(np.isnan(top2), -1, top2).astype(np.int64).T  # topics x respondents
        tables = []
        for by, codes, names in groupings(processed, codebook):
            if by == "all":
                continue
            result = domain_means(top2, weights, codes, groups=len(names))  # topics x groups
            tables.append((by, names, result, rao_scott_tests(answers, codes, weights)))
        beta_interval(
            np.concatenate([result.estimate.ravel() for _, _, result, _ in tables]),
            np.concatenate([result.se.ravel() for _, _, result, _ in tables]),
            np.concatenate([result.n.ravel() for _, _, result, _ in tables]),
        )
        if path is None:
            return 2 * len(topics) * len(tables)
        rows: list[dict[str, Any]] = []
        for number, topic in enumerate(topics):
            for by, names, result, tests in tables:
                for kind, values in (("estimate", result.estimate), ("se", result.se)):
                    rows += [
                        {"topic": topic, "by": by, "group": group, "kind": kind, "value": value}
                        for group, value in zip(names, values[number], strict=True)
                    ]
                test = tests[number]
                p = test.p if test is not None else float("nan")
                rows.append({"topic": topic, "by": by, "group": "", "kind": "p", "value": p})
        pd.DataFrame(rows).to_csv(path, index=False)
        return len(rows)

    return work


def breakdowns_run(folder: Path, work_dir: Path) -> dict[str, Any]:
    """Every breakdown of a processed wave, alone in a fresh process (``python -m bench.harness
    --breakdowns``): the estimates with their standard errors (weighted and unweighted) and
    the group tests (Rao-Scott and chi-square, Kruskal-Wallis, the Benjamini-Hochberg family,
    the pairwise post-hoc tests), from ``work_dir``'s processed parquet. Returns the seconds
    of each part and the peak memory of the process, imports included."""
    # imported in the child, whose peak memory includes them
    import pandas as pd

    from survey.analysis.comparisons import pairwise_mann_whitney
    from survey.analysis.methods import HypothesisTest
    from survey.codebook import load_codebook
    from survey.runtime.steps import Threads

    steps = Threads()  # as `survey run` estimates and compares: large waves on two threads

    codebook = load_codebook(folder / "codebook.yaml")
    seconds: dict[str, float] = {}
    _timed(seconds, "startup", lambda: importlib.import_module("scipy.stats"))
    processed = _timed(
        seconds, "load", lambda: pd.read_parquet(work_dir / "processed" / "2024.parquet")
    )
    weights = processed["weight"].to_numpy()
    _timed(
        seconds,
        "estimates",
        lambda: steps.estimate(processed, codebook, wave="2024", weights=weights),
    )

    def tests() -> None:
        family = steps.compare(processed, codebook, wave="2024", weights=weights)
        kruskal = family["test"] == HypothesisTest.KRUSKAL_WALLIS
        omnibus = family[kruskal & (family["p_adjusted"] < 0.05)]
        pairwise_mann_whitney(
            processed,
            codebook,
            wave="2024",
            only=set(zip(omnibus["question"], omnibus["by"], strict=True)),
        )

    _timed(seconds, "tests", tests)
    seconds["breakdowns"] = seconds["estimates"] + seconds["tests"]
    return {"seconds": seconds, "peak_rss_mb": peak_rss_mb()}


def _r_run(folder: Path, work_dir: Path, runs: int) -> dict[str, Any]:
    """Time ``bench/survey.R`` on the processed wave of one child run, and compare its numbers
    with Python's."""
    # only with --with-r: the parent imports pandas for the comparison, and only then
    import pandas as pd

    from survey.codebook import load_codebook

    codebook = load_codebook(folder / "codebook.yaml")
    processed = pd.read_parquet(work_dir / "processed" / "2024.parquet")
    csv = work_dir / "processed.csv"
    processed.to_csv(csv, index=False)
    margins = work_dir / "margins.csv"
    pd.DataFrame(
        [
            {"variable": dimension, "level": level, "Freq": count}
            for dimension, counts in codebook.frame.items()
            for level, count in counts.items()
        ]
    ).to_csv(margins, index=False)
    r_numbers, py_numbers = work_dir / "r_numbers.csv", work_dir / "py_numbers.csv"
    command = [
        "Rscript", str(R_SCRIPT), str(csv), str(margins), str(runs), str(r_numbers),
        str(codebook.weighting.epsilon), str(codebook.weighting.max_iterations),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-2000:]}
    reported = json.loads(done.stdout.strip().splitlines()[-1])
    _r_subset_python(processed, codebook)(py_numbers)
    keys = ["topic", "by", "group", "kind"]
    ours = pd.read_csv(py_numbers, keep_default_na=False, na_values=["", "NA", "nan"])
    theirs = pd.read_csv(r_numbers, keep_default_na=False, na_values=["", "NA", "nan"])
    both = ours.merge(theirs, on=keys, how="outer", suffixes=("_python", "_r"), indicator=True)
    difference = (both["value_python"] - both["value_r"]).abs()
    max_difference = {
        kind: float(difference[both["kind"] == kind].max()) for kind in ("estimate", "se", "p")
    }
    return {
        "seconds": reported["r_subset"],
        "r": reported["r"],
        "survey": reported["survey"],
        "compared": int((both["_merge"] == "both").sum()),
        "unmatched": int((both["_merge"] != "both").sum()),
        "max_difference": max_difference,
        "agree": bool(
            (both["_merge"] == "both").all()
            and max_difference["estimate"] <= 1e-6
            and max_difference["se"] <= 1e-6
            and max_difference["p"] <= 1e-4
        ),
    }


def survey_run_seconds(folder: Path, work_dir: Path) -> float:
    """Wall time of the command itself, ``survey run -c CODEBOOK WAVE`` on the demo wave in a
    fresh folder (``reports/`` and ``data/processed/`` written there), start to exit: what a
    user waits for, start-up, the sidecar and the three reports included."""
    executable = Path(sys.executable).with_name("survey")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "survey"]
    work_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "run", "-c", str(folder / "codebook.yaml"), str(folder / WAVE_FILE)],
        cwd=work_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"survey run failed:\n{done.stderr[-3000:]}")
    return seconds


def _in_child(kind: str, folder: Path, work_dir: Path, what: str) -> dict[str, Any]:
    """``python -m bench.harness KIND FOLDER WORK_DIR`` in a fresh process: its JSON record.

    The clone holding this harness goes first on the child's ``PYTHONPATH``, so that the child
    finds ``bench`` from any folder (``survey bench`` and ``python bench/harness.py`` alike)."""
    clone = str(HERE.parent)
    path = os.pathsep.join(filter(None, [clone, os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "bench.harness", kind, str(folder), str(work_dir)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": path},
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    record: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return record


def _summary(values: Sequence[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values)}


def machine_info() -> dict[str, Any]:
    """Platform, cores, memory, Python and the versions of the packages that do the work."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    except (ValueError, OSError, AttributeError):
        memory = float("nan")
    versions: dict[str, str | None] = {}
    for package in (
        "library-survey", "pandas", "numpy", "scipy", "pingouin", "pyarrow",
        "great-expectations", "openpyxl", "xlsxwriter", "python-pptx", "plotly",
    ):  # fmt: skip
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": versions,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _demo_folder(data_dir: Path, size: int, say: Progress) -> tuple[Path, float | None]:
    """The demo wave of ``size`` rows, written once and reused (``.complete`` marks it)."""
    # pandas and numpy behind it: only when a wave must be written
    from survey.demo import write_demo

    folder = data_dir / f"n{size}"
    if (folder / ".complete").exists():
        return folder, None
    say(f"writing demo waves of {size:,} respondents into {folder}")
    started = time.perf_counter()
    write_demo(folder, n=size, waves=[WAVE_FILE.removesuffix(".csv")])
    (folder / ".complete").write_text("")
    return folder, time.perf_counter() - started


def run_bench(
    sizes: Sequence[int] = (1800,),
    *,
    runs: int | Sequence[int] = 3,
    with_r: bool = False,
    r_runs: int | None = None,
    r_max: int = 100_000,
    cli_max: int = 10_000,
    data_dir: Path | None = None,
    out: Path | None = None,
    readme: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Benchmark every stage at each size; returns the record, and appends it to ``out`` (a
    JSON list of records) and regenerates ``readme``'s table when given (with several sizes
    also the scaling table and :data:`CHART` beside it). With ``with_r``, R runs the same
    work at the sizes up to ``r_max``. Up to ``cli_max`` respondents each run also times the
    command, ``survey run`` with every report (``survey_run``, :func:`survey_run_seconds`).

    Returns
    -------
    dict
        ``machine`` (:func:`machine_info`), ``runs`` and ``sizes``: per size ``respondents``,
        ``analysed``, ``seconds`` (per stage ``{"min", "median"}``), ``peak_rss_mb``
        (``{"min", "median", "max"}``), ``generate_seconds`` (None when the demo wave was
        reused) and, with R, ``r``.
    """
    runs_per_size = [runs] * len(sizes) if isinstance(runs, int) else list(runs)
    if len(runs_per_size) == 1:
        runs_per_size *= len(sizes)
    if len(runs_per_size) != len(sizes) or min(runs_per_size) < 1:
        raise ValueError("runs: one number (at least 1), or one per size")
    say = progress or (lambda message: None)
    data_dir = data_dir or Path(tempfile.gettempdir()) / "survey-bench"
    rscript = shutil.which("Rscript")
    record: dict[str, Any] = {
        "harness": "survey bench",
        "machine": machine_info(),
        "runs": runs_per_size,
    }
    results = []
    for size, runs in zip(sizes, runs_per_size, strict=True):
        folder, generated = _demo_folder(data_dir, size, say)
        measured: list[dict[str, Any]] = []
        last_work: Path | None = None
        for number in range(runs):
            work_dir = Path(tempfile.mkdtemp(prefix=f"survey-bench-{size}-"))
            say(f"{size:,} respondents: run {number + 1} of {runs}")
            started = time.perf_counter()
            child = _in_child("--child", folder, work_dir, f"benchmark run at {size}")
            child["seconds"]["process"] = time.perf_counter() - started
            breakdowns = _in_child("--breakdowns", folder, work_dir, f"breakdowns at {size}")
            child["seconds"]["breakdowns"] = breakdowns["seconds"]["breakdowns"]
            child["breakdowns_peak_rss_mb"] = breakdowns["peak_rss_mb"]
            if size <= cli_max:
                child["seconds"]["survey_run"] = survey_run_seconds(folder, work_dir / "cli")
            measured.append(child)
            if last_work is not None:
                shutil.rmtree(last_work, ignore_errors=True)
            last_work = work_dir
        stages = [s for s in (*STAGES, "process") if all(s in m["seconds"] for m in measured)]
        peaks = [m["peak_rss_mb"] for m in measured]
        entry: dict[str, Any] = {
            "respondents": measured[0]["rows_in"],
            "analysed": measured[0]["analysed"],
            "runs": runs,
            "generate_seconds": generated,
            "seconds": {s: _summary([m["seconds"][s] for m in measured]) for s in stages},
            "peak_rss_mb": {**_summary(peaks), "max": max(peaks)},
            "breakdowns_peak_rss_mb": max(m["breakdowns_peak_rss_mb"] for m in measured),
        }
        if with_r and size > r_max:
            say(f"{size:,} respondents: R not run (over {r_max:,}; R takes minutes there)")
        elif with_r and rscript and last_work is not None:
            say(f"{size:,} respondents: R survey package")
            entry["r"] = _r_run(folder, last_work, r_runs or runs)
            if "seconds" in entry["r"]:
                python = entry["seconds"]["r_subset"]["min"]
                entry["r"]["ratio_to_python"] = entry["r"]["seconds"]["min"] / python
        elif with_r:
            entry["r"] = {"error": "Rscript not found"}
        if last_work is not None:
            shutil.rmtree(last_work, ignore_errors=True)
        results.append(entry)
    record["sizes"] = results
    if out is not None:
        history = json.loads(out.read_text()) if out.exists() else []
        if not isinstance(history, list):
            history = [history]
        history.append(record)
        out.write_text(json.dumps(history, indent=2) + "\n")
    if readme is not None:
        if len(results) > 1:
            plot_scaling(record, readme.parent / CHART)
        update_readme(readme, record)
    return record


def _seconds(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def readme_table(record: dict[str, Any]) -> str:
    """The Markdown table of one record: a row per stage, min / median per size."""
    machine = record["machine"]
    packages = machine["packages"]
    sizes = record["sizes"]
    load = machine.get("load_average")
    lines = [
        f"Measured {machine['date'][:10]} by `survey bench` on {machine['platform']}, "
        f"{machine['cores']} cores, {machine['memory_gib']} GiB, {machine['python']}, "
        f"pandas {packages.get('pandas')}, numpy {packages.get('numpy')}, scipy "
        f"{packages.get('scipy')}"
        + (f"; load average {load[0]:.1f} at the start" if load else "")
        + ". Seconds, min / median of the runs; each run is a fresh process.",
        "",
        "| stage | " + " | ".join(f"{s['respondents']:,} (runs {s['runs']})" for s in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    names = [s for s in (*STAGES, "process") if any(s in size["seconds"] for size in sizes)]
    for stage in names:
        cells = []
        for size in sizes:
            timing = size["seconds"].get(stage)
            cells.append(
                f"{_seconds(timing['min'])} / {_seconds(timing['median'])}" if timing else ""
            )
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    if all("breakdowns_peak_rss_mb" in s for s in sizes):
        lines.append(
            "| **peak RSS of the breakdowns alone, MB** | "
            + " | ".join(f"{s['breakdowns_peak_rss_mb']:.0f}" for s in sizes)
            + " |"
        )
    lines.append(
        "| **peak RSS, MB** | "
        + " | ".join(
            f"{s['peak_rss_mb']['min']:.0f} / {s['peak_rss_mb']['median']:.0f}" for s in sizes
        )
        + " |"
    )
    if any("r" in size for size in sizes):
        cells = []
        for size in sizes:
            r = size.get("r")
            if not r:
                cells.append("")
            elif "error" in r:
                cells.append("failed")
            else:
                cells.append(
                    f"{_seconds(r['seconds']['min'])} / {_seconds(r['seconds']['median'])} "
                    f"({r['ratio_to_python']:.0f}x Python)"
                )
        lines.append("| **r_subset in R survey** | " + " | ".join(cells) + " |")
        cells = []
        for size in sizes:
            r = size.get("r")
            if not r or "error" in r:
                cells.append("")
            else:
                d = r["max_difference"]
                verdict = "agree" if r["agree"] else "DIFFER"
                cells.append(
                    f"{verdict}: {r['compared']} numbers, max diff est {d['estimate']:.1e}, "
                    f"se {d['se']:.1e}, p {d['p']:.1e}"
                )
        lines.append("| R vs Python | " + " | ".join(cells) + " |")
    r_versions = {(s["r"]["r"], s["r"]["survey"]) for s in sizes if "r" in s and "r" in s["r"]}
    for r_version, survey_version in sorted(r_versions):
        lines += ["", f"R: {r_version}, survey {survey_version}."]
    if len(sizes) > 1:
        lines += ["", *scaling_table(record), "", f"![Stage time against wave size]({CHART})"]
    return "\n".join(lines)


#: The stages whose cost grows with the respondents, for the scaling table and chart.
SCALING_STAGES = (
    "import", "validate", "clean", "weight", "estimates", "tests", "needs_themes", "write",
    "breakdowns", "pipeline",
)  # fmt: skip


def scaling(record: dict[str, Any]) -> dict[str, list[tuple[int, float]]]:
    """Per stage of :data:`SCALING_STAGES`, ``(respondents, microseconds per respondent)`` at
    each size (from the minimum of the runs): flat when the stage is linear in the rows."""
    curves: dict[str, list[tuple[int, float]]] = {}
    for stage in SCALING_STAGES:
        points = [
            (size["respondents"], size["seconds"][stage]["min"] / size["respondents"] * 1e6)
            for size in record["sizes"]
            if stage in size["seconds"]
        ]
        if len(points) > 1:
            curves[stage] = points
    return curves


def scaling_table(record: dict[str, Any]) -> list[str]:
    """The Markdown lines of :func:`scaling`: microseconds per respondent, a row per stage."""
    sizes = [size["respondents"] for size in record["sizes"]]
    lines = [
        "Scaling: microseconds per respondent (min of the runs). A linear stage keeps the same "
        "number as the wave grows; fixed costs (imports, great-expectations' per-check "
        "overhead) make the small waves' numbers larger.",
        "",
        "| stage | " + " | ".join(f"{n:,}" for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for stage, points in scaling(record).items():
        per = dict(points)
        cells = [f"{per[n]:.0f}" if n in per else "" for n in sizes]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    return lines


def plot_scaling(record: dict[str, Any], path: Path) -> dict[str, list[tuple[int, float]]]:
    """Draw :func:`scaling`'s seconds against respondents (log-log, with a line of slope 1
    through each stage's largest wave: a linear stage follows it) as a PNG; returns the
    curves drawn (stage -> (respondents, seconds))."""
    # optional and heavy (not a dependency of the package): only to draw the chart
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    drawn: dict[str, list[tuple[int, float]]] = {}
    figure, axes = plt.subplots(figsize=(8, 5), dpi=110)
    for stage, points in scaling(record).items():
        seconds = [(n, per * n / 1e6) for n, per in points]
        drawn[stage] = seconds
        line = axes.plot(*zip(*seconds, strict=True), marker="o", label=stage)[0]
        first_n, first_s = seconds[-1]
        axes.plot(
            [n for n, _ in seconds],
            [first_s * n / first_n for n, _ in seconds],
            linestyle=":",
            color=line.get_color(),
            linewidth=0.8,
        )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("respondents in the wave")
    axes.set_ylabel("seconds (min of runs)")
    axes.set_title("Stage time against wave size (dotted: linear through the largest wave)")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize="small", ncols=2)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return drawn


def update_readme(readme: Path, record: dict[str, Any]) -> None:
    """Replace the text between :data:`README_START` and :data:`README_END` with the table of
    ``record`` (the markers are appended, under a heading, when missing)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    block = f"{README_START}\n{readme_table(record)}\n{README_END}"
    if README_START in text and README_END in text:
        head, rest = text.split(README_START, 1)
        _, tail = rest.split(README_END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## Latest harness run\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """The harness's command line (``python -m bench``): :func:`run_bench` with the options of
    ``survey bench``, its table printed; ``--child`` and ``--breakdowns`` are one run's child
    processes (their JSON record printed).

    Parameters
    ----------
    argv
        The arguments (``None``: ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--child", nargs=2, type=Path, metavar=("DEMO", "WORK"))
    parser.add_argument("--breakdowns", nargs=2, type=Path, metavar=("DEMO", "WORK"))
    parser.add_argument("--sizes", default="1800")
    parser.add_argument("--runs", default="3", help="one number, or one per size")
    parser.add_argument("--with-r", action="store_true")
    parser.add_argument("--r-runs", type=int, default=None)
    parser.add_argument("--cli-max", type=int, default=10_000)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--readme", type=Path, default=None)
    arguments = parser.parse_args(argv)
    if arguments.child:
        print(json.dumps(one_run(*arguments.child)))
        return
    if arguments.breakdowns:
        print(json.dumps(breakdowns_run(*arguments.breakdowns)))
        return
    record = run_bench(
        parse_sizes(arguments.sizes),
        runs=[int(part) for part in arguments.runs.split(",")],
        with_r=arguments.with_r,
        r_runs=arguments.r_runs,
        cli_max=arguments.cli_max,
        data_dir=arguments.data,
        out=arguments.out,
        readme=arguments.readme,
        progress=lambda message: print(message, file=sys.stderr),
    )
    print(readme_table(record))


def parse_sizes(text: str) -> list[int]:
    """``"1800,100000"`` (also ``1_000_000``, ``100k``, ``1m``) as a list of sizes."""
    sizes = []
    for part in text.split(","):
        word = part.strip().lower().replace("_", "")
        scale = {"k": 1_000, "m": 1_000_000}.get(word[-1:], 1)
        sizes.append(int(float(word[:-1] if scale > 1 else word) * scale))
    return sizes


if __name__ == "__main__":
    main()
