"""Time the statistical engine on a processed wave, and the subset R is compared on.

    python bench/engine.py data/processed/2024.parquet [--codebook data/raw/codebook.yaml]
           [--runs 3] [--out bench/results.json]

Stages: rake; results.csv (every estimate, weighted and unweighted); tests.csv; letters;
needs; themes; and "r_subset" — rake plus the weighted top-2 share of each importance topic by
sector, role and region (48 svyby tables) and a Rao-Scott test for each (48 svychisq), the work
bench/engine.R times in R. Minimum and median of --runs runs are recorded.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from survey.analysis.comparisons import comparison_tests
from survey.analysis.design_tests import rao_scott
from survey.analysis.estimates import beta_interval, domain_means
from survey.analysis.letters import significance_letters
from survey.analysis.needs import needs
from survey.analysis.results import groupings, results
from survey.analysis.themes import theme_table
from survey.codebook import Codebook, load_codebook
from survey.weighting import rake


def r_subset(respondents: pd.DataFrame, codebook: Codebook) -> int:
    """Rake, then 48 top-2 tables and 48 Rao-Scott tests, as bench/engine.R does."""
    weights = rake(respondents, margins=codebook.frame).weights.to_numpy()
    grid = codebook.question("learning_needs")
    breakdowns = [b for b in groupings(respondents, codebook) if b[0] != "all"]
    done = 0
    for column in grid.grid_columns(grid.items[0]):
        ratings = respondents[column].to_numpy(dtype=float)
        top2 = np.where(np.isnan(ratings), np.nan, (ratings >= 4).astype(float))
        for _, codes, names in breakdowns:
            result = domain_means(top2, weights, codes, groups=len(names))
            beta_interval(result.estimate, result.se, result.n)
            rao_scott(np.where(np.isnan(top2), -1, top2).astype(np.int64), codes, weights)
            done += 2
    return done


def timed(function: Callable[[], object], runs: int) -> dict[str, float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return {"min": round(min(seconds), 4), "median": round(statistics.median(seconds), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("processed", type=Path)
    parser.add_argument("--codebook", type=Path, default=Path("data/raw/codebook.yaml"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    arguments = parser.parse_args()

    codebook = load_codebook(arguments.codebook)
    respondents = pd.read_parquet(arguments.processed)
    weights = rake(respondents, margins=codebook.frame).weights.to_numpy()
    table = results(respondents, codebook, wave="bench", weights=weights)
    stages: dict[str, Callable[[], object]] = {
        "rake": lambda: rake(respondents, margins=codebook.frame),
        "results": lambda: results(respondents, codebook, wave="bench", weights=weights),
        "tests_weighted": lambda: comparison_tests(
            respondents, codebook, wave="bench", weights=weights
        ),
        "tests_unweighted": lambda: comparison_tests(respondents, codebook, wave="bench"),
        "letters": lambda: significance_letters(table),
        "needs": lambda: needs(respondents, codebook, wave="bench", weights=weights),
        "themes": lambda: theme_table(respondents, codebook, wave="bench", weights=weights),
        "r_subset": lambda: r_subset(respondents, codebook),
    }
    measured = {name: timed(stage, arguments.runs) for name, stage in stages.items()}
    record = {
        "file": str(arguments.processed),
        "respondents": len(respondents),
        "runs": arguments.runs,
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {__import__('os').cpu_count()} cores",
        "seconds": measured,
    }
    print(json.dumps(record, indent=2))
    if arguments.out:
        existing = json.loads(arguments.out.read_text()) if arguments.out.exists() else []
        existing.append(record)
        arguments.out.write_text(json.dumps(existing, indent=2) + "\n")


if __name__ == "__main__":
    main()
