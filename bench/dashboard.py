"""Server time of a filter change on every page of the dashboard (issue #8).

:func:`bench_dashboard` runs the real app (``survey/dashboard/app.py``, the one the installed
package ships) in this process with
Streamlit's ``AppTest``, over the tables ``survey run`` wrote (``reports/`` and the processed
waves), as ``survey dashboard`` would serve them. For every page it opens the page with no
filter, then, ``runs`` times:

1. empties the view caches (``st.cache_data``; the files read stay loaded, as on a running
   server) and draws the page with no filter again (not timed);
2. ``uncached``: picks a group in the sidebar's filter (by default the largest group of the
   codebook's first breakdown dimension), a selection nobody asked for yet;
3. sets the filter back to All (not timed), then ``cached``: picks the same group again.

A time is the wall time of one ``AppTest`` run: the whole page script on the server, the
Streamlit messages turned into ``AppTest``'s element tree included; no browser, no network.
Before the runs, each page goes once through the same steps untimed, so that no run pays an
import (plotly, scipy) a running server has long done; and the runs share one compiled copy of
the app's scripts, as a server's do (``AppTest`` alone would compile them again each run).

Run it from the root of a clone as ``python -m bench.dashboard ROOT`` where ``ROOT`` holds
``reports/``, ``data/processed/`` and ``raw/codebook.yaml`` (or give each with ``--reports``,
``--processed``, ``--codebook``); it prints a Markdown table (``--json FILE`` also writes the
rows).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest

import survey.dashboard
from survey.codebook import load_codebook
from survey.dashboard import PAGES
from survey.report.tables import load_tables

__all__ = [
    "BENCH_COLUMNS",
    "CHANGES",
    "FilterChoice",
    "bench_dashboard",
    "default_filter",
    "main",
    "markdown_table",
]

#: The columns of :func:`bench_dashboard`'s table.
BENCH_COLUMNS = [
    "page",
    "change",
    "wave",
    "respondents",
    "dimension",
    "group",
    "selected",
    "runs",
    "min",
    "median",
    "cpu_min",
    "cpu_median",
]
#: The two filter changes timed on each page, in table order.
CHANGES = ("uncached", "cached")

#: The app ``survey dashboard`` serves, inside the installed package.
APP = Path(survey.dashboard.__file__).resolve().with_name("app.py")
_ALL = "all"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class FilterChoice:
    """The sidebar filter a benchmark sets: a breakdown dimension and one of its groups."""

    dimension: str
    group: str


@contextlib.contextmanager
def _environment(reports: Path, processed: Path, codebook: Path) -> Iterator[None]:
    """The variables ``survey dashboard`` sets for the app, restored afterwards."""
    wanted = {
        "SURVEY_REPORTS": str(reports.resolve()),
        "SURVEY_PROCESSED": str(processed.resolve()),
        "SURVEY_CODEBOOK": str(codebook.resolve()),
        "SURVEY_PUBLIC": "0",
    }
    before = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _one_script_cache() -> Iterator[None]:
    """``AppTest`` compiles the app's scripts again on every run (each run makes a new
    ``ScriptCache``), which a server does once per script: 1 to 13 ms a page that is not a
    server's time. The runs share one cache here, as the runs of a server's session do."""
    shared = ScriptCache()
    with (
        mock.patch("streamlit.testing.v1.app_test.ScriptCache", return_value=shared),
        mock.patch("streamlit.testing.v1.local_script_runner.ScriptCache", return_value=shared),
    ):
        yield


def _waves(reports: Path) -> list[str]:
    return sorted(path.parent.name for path in reports.glob("*/results.csv"))


def default_filter(reports: Path, codebook: Path, wave: str) -> FilterChoice:
    """The largest group (most respondents in ``wave``, as ``results.csv`` counts them) of the
    codebook's first breakdown dimension: the selection that costs the most to estimate."""
    book = load_codebook(codebook)
    if not book.dimensions:
        raise ValueError(f"{codebook}: the codebook has no breakdown dimension to filter by")
    dimension = book.dimensions[0]
    results = load_tables(reports / wave, book).results
    shares = results[
        (results["question"] == dimension) & (results["by"] == _ALL) & ~results["weighted"]
    ]
    shares = shares[shares["estimate"].notna()]
    if shares.empty:
        return FilterChoice(dimension, book.question(dimension).option_codes()[0])
    largest = shares.sort_values("estimate", ascending=False, kind="stable").iloc[0]
    return FilterChoice(dimension, str(largest["option"]))


def _pages() -> list[str]:
    """The url path of every page of the app, from ``survey.dashboard.PAGES`` (the app, any copy
    of it, imports its pages' list from the installed package)."""
    return [url_path for _file, _title, url_path in PAGES]


def _timed(step: Callable[[], object]) -> tuple[float, float]:
    """Wall seconds and CPU seconds of this process (every thread: the script runs in one of
    ``AppTest``'s) of one step."""
    started, cpu = time.perf_counter(), time.process_time()
    step()
    return time.perf_counter() - started, time.process_time() - cpu


def bench_dashboard(
    reports: Path,
    processed: Path,
    codebook: Path,
    *,
    runs: int = 5,
    pages: Sequence[str] | None = None,
    wave: str | None = None,
    choice: FilterChoice | None = None,
    timeout: float = 600.0,
    app: Path = APP,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Time a filter change on every page of the dashboard over a ``survey run`` output.

    Parameters
    ----------
    reports, processed, codebook
        What ``survey dashboard --reports --processed --codebook`` would be given.
    runs
        Timed runs of each change on each page (min and median are kept).
    pages
        The pages' url paths (``None``: every page of ``dashboard.PAGES``).
    wave
        The wave shown (``None``: the latest, as the app opens).
    choice
        The filter set (``None``: :func:`default_filter`).
    timeout
        Seconds one script run may take before ``AppTest`` gives up.
    app
        The app's entry point (another copy of ``survey/dashboard/app.py``, to compare versions).
    progress
        Called with a line of text before each page.

    Returns
    -------
    pandas.DataFrame
        :data:`BENCH_COLUMNS`, one row per page and change (:data:`CHANGES`): the wave shown,
        its ``respondents`` (rows of its processed file), the filter's ``dimension`` and
        ``group``, the respondents it ``selected``, the number of ``runs``, the ``min`` and
        ``median`` server time in seconds (wall clock) and the ``cpu_min`` and ``cpu_median``
        CPU seconds of this process in the same steps (on a busy machine the wall time grows
        with the other processes' load, the CPU time much less).

    Raises
    ------
    RuntimeError
        When a page raises an exception or shows an error element.

    Examples
    --------
    >>> table = bench_dashboard(Path("reports"), Path("data/processed"),
    ...                         Path("data/raw/codebook.yaml"), runs=1, pages=["quality"])
    ... # doctest: +SKIP
    >>> table[["page", "change", "runs"]].to_dict("records")  # doctest: +SKIP
    [{'page': 'quality', 'change': 'uncached', 'runs': 1},
     {'page': 'quality', 'change': 'cached', 'runs': 1}]
    """
    if runs < 1:
        raise ValueError(f"runs = {runs}: at least one run")
    say = progress or (lambda _message: None)
    waves = _waves(reports)
    if not waves:
        raise FileNotFoundError(f"{reports}: no finished wave (no */results.csv)")
    shown = wave or waves[-1]
    if shown not in waves:
        raise ValueError(f"wave {shown}: not among the finished waves {waves}")
    choice = choice or default_filter(reports, codebook, shown)
    wanted = list(pages) if pages is not None else _pages()
    frame = pd.read_parquet(processed / f"{shown}.parquet", columns=[choice.dimension])
    selected = int((frame[choice.dimension].astype("string") == choice.group).fillna(False).sum())

    def checked(at: AppTest, what: str) -> AppTest:
        problems = [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]
        if problems:
            raise RuntimeError(f"{what}: {problems[0]}")
        return at

    def set_filter(at: AppTest, group: str, page: str) -> None:
        at.sidebar.selectbox(key=choice.dimension).set_value(group)
        at.run(timeout=timeout)
        checked(at, f"page {page}, {choice.dimension} = {group}")

    def one_run(at: AppTest, page: str) -> tuple[tuple[float, float], tuple[float, float]]:
        st.cache_data.clear()
        set_filter(at, _ALL, page)
        uncached = _timed(lambda: set_filter(at, choice.group, page))
        set_filter(at, _ALL, page)
        cached = _timed(lambda: set_filter(at, choice.group, page))
        return uncached, cached

    rows = []
    with _environment(reports, processed, codebook), _one_script_cache():
        st.cache_data.clear()
        st.cache_resource.clear()
        for page in wanted:
            say(f"page {page}: {choice.dimension} = {choice.group}, {runs} runs")
            at = AppTest.from_file(str(app), default_timeout=timeout)
            at.query_params = {"wave": shown}
            at.switch_page(f"views/{page}.py")
            at.run(timeout=timeout)
            checked(at, f"page {page}")
            one_run(at, page)  # warm-up: imports, files read once per server
            times = [one_run(at, page) for _ in range(runs)]
            for index, change in enumerate(CHANGES):
                seconds = [pair[index][0] for pair in times]
                cpu = [pair[index][1] for pair in times]
                rows.append(
                    {
                        "page": page,
                        "change": change,
                        "wave": shown,
                        "respondents": None,
                        "dimension": choice.dimension,
                        "group": choice.group,
                        "selected": selected,
                        "runs": runs,
                        "min": min(seconds),
                        "median": statistics.median(seconds),
                        "cpu_min": min(cpu),
                        "cpu_median": statistics.median(cpu),
                    }
                )
        st.cache_data.clear()
        st.cache_resource.clear()
    table = pd.DataFrame(rows, columns=BENCH_COLUMNS)
    table["respondents"] = len(frame)
    return table


def markdown_table(table: pd.DataFrame) -> str:
    """One line per page: each change's server time, min / median milliseconds, and the
    median CPU milliseconds."""

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f}"

    lines = [
        "| page | uncached: min / median | cached: min / median | CPU uncached / cached |",
        "|---|---|---|---|",
    ]
    for page, rows in table.groupby("page", sort=False):
        by_change = {str(row["change"]): row for row in rows.to_dict("records")}
        wall = {
            change: f"{ms(row['min'])} / {ms(row['median'])}" for change, row in by_change.items()
        }
        cpu = " / ".join(ms(by_change[change]["cpu_median"]) for change in CHANGES)
        lines.append(f"| {page} | {wall['uncached']} | {wall['cached']} | {cpu} |")
    return "\n".join(lines)


def _codebook_in(root: Path) -> Path:
    for candidate in (root / "raw" / "codebook.yaml", root / "data" / "raw" / "codebook.yaml"):
        if candidate.is_file():
            return candidate
    return root / "raw" / "codebook.yaml"


def _quiet_streamlit() -> None:
    """No warnings that only say the app runs without a server ("No runtime found", "missing
    ScriptRunContext"): Streamlit resets its loggers' levels, so filter their records."""

    def errors_only(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR

    for name in (
        "streamlit.runtime.caching.cache_data_api",
        "streamlit.runtime.scriptrunner_utils.script_run_context",
    ):
        logging.getLogger(name).addFilter(errors_only)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "root", type=Path, nargs="?", default=Path("."), help="where `survey run` was run"
    )
    parser.add_argument("--reports", type=Path, help="default: ROOT/reports")
    parser.add_argument("--processed", type=Path, help="default: ROOT/data/processed")
    parser.add_argument(
        "--codebook", type=Path, help="default: ROOT/raw/codebook.yaml or ROOT/data/raw/..."
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", help="url paths, comma-separated (default: every page)")
    parser.add_argument("--wave", help="default: the latest")
    parser.add_argument("--filter", help="DIMENSION=GROUP (default: the largest group)")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--app", type=Path, default=APP, help="another survey/dashboard/app.py")
    arguments = parser.parse_args(argv)
    _quiet_streamlit()
    root: Path = arguments.root
    choice = None
    if arguments.filter:
        dimension, _, group = arguments.filter.partition("=")
        if not group:
            parser.error(f"--filter {arguments.filter}: expected DIMENSION=GROUP")
        choice = FilterChoice(dimension.strip(), group.strip())
    table = bench_dashboard(
        arguments.reports or root / "reports",
        arguments.processed or root / "data" / "processed",
        arguments.codebook or _codebook_in(root),
        runs=arguments.runs,
        pages=arguments.pages.split(",") if arguments.pages else None,
        wave=arguments.wave,
        choice=choice,
        app=arguments.app,
        progress=lambda message: print(message, file=sys.stderr),
    )
    first = table.iloc[0]
    print(
        f"wave {first['wave']}, {first['respondents']:,} respondents; filter "
        f"{first['dimension']} = {first['group']} ({first['selected']:,} selected); "
        f"server time of a filter change in ms, min / median of {first['runs']} runs\n"
    )
    print(markdown_table(table))
    if arguments.json:
        arguments.json.write_text(
            json.dumps(table.to_dict("records"), indent=2) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
