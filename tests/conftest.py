"""Shared fixtures: the reference codebook, and the demo waves written once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

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
