"""The dashboard benchmark (bench/dashboard.py): every page's filter change timed, uncached
then cached, on the demo's three waves as `survey run` leaves them; its table, its Markdown and
its command line."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pandas as pd
import pytest
from factories import PAGE_PATHS

from bench.dashboard import (
    BENCH_COLUMNS,
    CHANGES,
    FilterChoice,
    _one_script_cache,
    bench_dashboard,
    default_filter,
    main,
    markdown_table,
)

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "data" / "raw" / "codebook.yaml"
RUNS = 2
PAGES = PAGE_PATHS


@pytest.fixture(scope="module")
def folders(history_root) -> tuple[Path, Path]:
    """``(reports, processed)`` of the three demo waves run together."""
    return history_root, history_root.parent / "processed"


@pytest.fixture(scope="module")
def timings(folders) -> pd.DataFrame:
    reports, processed = folders
    return bench_dashboard(reports, processed, CODEBOOK, runs=RUNS)


def test_every_page_and_change_is_timed(timings, folders):
    _reports, processed = folders
    assert list(timings.columns) == BENCH_COLUMNS
    assert list(timings["page"]) == [page for page in PAGES for _ in CHANGES]
    assert list(timings["change"]) == list(CHANGES) * len(PAGES)
    assert set(timings["runs"]) == {RUNS}
    for column in ("min", "median", "cpu_min", "cpu_median"):
        assert pd.api.types.is_float_dtype(timings[column]), column
        assert (timings[column] > 0).all(), column
    assert (timings["min"] <= timings["median"]).all()
    assert (timings["cpu_min"] <= timings["cpu_median"]).all()
    # the latest wave, filtered by its largest sector
    respondents = pd.read_parquet(processed / "2026.parquet")
    largest = respondents["sector"].value_counts().index[0]
    assert set(timings["wave"]) == {"2026"}
    assert set(timings["respondents"]) == {len(respondents)}
    assert set(timings["dimension"]) == {"sector"} and set(timings["group"]) == {largest}
    assert set(timings["selected"]) == {int((respondents["sector"] == largest).sum())}


def test_the_markdown_table_has_a_line_per_page(timings):
    lines = markdown_table(timings).splitlines()
    assert lines[0].startswith("| page | uncached")
    assert len(lines) == 2 + timings["page"].nunique()
    quality = next(line for line in lines if line.startswith("| quality |"))
    row = timings[(timings["page"] == "quality") & (timings["change"] == "uncached")].iloc[0]
    assert f"| {row['min'] * 1000:.0f} / {row['median'] * 1000:.0f} |" in quality


def test_the_command_line_times_the_chosen_pages_and_filter(folders, tmp_path, capsys):
    reports, processed = folders
    out = tmp_path / "dashboard.json"
    main(
        [
            "--reports", str(reports), "--processed", str(processed), "--codebook",
            str(CODEBOOK), "--runs", "1", "--pages", "trends,quality", "--wave", "2025",
            "--filter", "region=mainland_southwest", "--json", str(out),
        ]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert "wave 2025" in printed and "region = mainland_southwest" in printed
    assert "| trends |" in printed and "| quality |" in printed and "| needs |" not in printed
    rows = json.loads(out.read_text())
    assert [(row["page"], row["change"]) for row in rows] == [
        (page, change) for page in ("trends", "quality") for change in CHANGES
    ]
    assert all(row["min"] > 0 and row["group"] == "mainland_southwest" for row in rows)


def test_the_default_filter_is_the_largest_group_of_the_first_dimension(folders):
    reports, processed = folders
    respondents = pd.read_parquet(processed / "2024.parquet")
    assert default_filter(reports, CODEBOOK, "2024") == FilterChoice(
        "sector", respondents["sector"].value_counts().index[0]
    )


def test_nothing_to_time_is_an_error(folders, tmp_path):
    reports, processed = folders
    with pytest.raises(FileNotFoundError, match="no finished wave"):
        bench_dashboard(tmp_path, processed, CODEBOOK, runs=1)
    with pytest.raises(ValueError, match="wave 1999"):
        bench_dashboard(reports, processed, CODEBOOK, runs=1, wave="1999")
    with pytest.raises(ValueError, match="at least one run"):
        bench_dashboard(reports, processed, CODEBOOK, runs=0)


def test_the_runs_share_one_compiled_copy_of_the_scripts_as_a_server_does(tmp_path):
    """AppTest alone compiles the script again on every run; a server (and the benchmark)
    compiles it once."""
    from unittest import mock

    from streamlit.runtime.scriptrunner import magic
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "page.py"
    script.write_text("import streamlit as st\nst.write('hello')\n")

    def compiles(shared: bool) -> int:
        with (
            mock.patch.object(magic, "add_magic", wraps=magic.add_magic) as add_magic,
            _one_script_cache() if shared else contextlib.nullcontext(),
        ):
            at = AppTest.from_file(str(script))
            for _ in range(3):
                at.run()
            assert at.markdown[0].value == "hello"
        return add_magic.call_count

    assert compiles(shared=False) == 3
    assert compiles(shared=True) == 1
