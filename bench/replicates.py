"""Replicate variances' cost: JK1 (one replicate per respondent) and the bootstrap against the
linearised raked design, at a wave's sizes (issue #18).

Run from a clone: ``python -m bench.replicates [--sizes 1800,10000] [--bootstrap 200]``.

Each size is a synthetic wave shaped like the demo's (sector 5 categories, region 8, role 9,
raked to sector and region; 60 answers with a tenth missing: the size of the demo's results
table, about 60 variables by the 22 groups of three breakdowns). Timed, best of ``--runs``:

- ``design``: ``rake`` and ``RakingResult.design`` (the replicates made and raked);
- ``estimates``: ``domain_means`` of the 60 variables by the three breakdowns at once, the
  variances from the design (linearised, or every replicate's group means).

Prints a Markdown table; ``bench/README.md`` keeps the latest.
"""

from __future__ import annotations

import argparse
import functools
import resource
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from survey.analysis.estimates import domain_means
from survey.codebook import Variance
from survey.weighting import rake

__all__ = ["main", "wave"]

SECTORS = {"public": 1060, "academic": 380, "school": 220, "special": 100, "other": 40}
REGIONS = {f"r{k}": total for k, total in enumerate([940, 360, 230, 90, 70, 40, 40, 30])}
VARIABLES = 60


def wave(n: int, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """``n`` synthetic respondents (sector, region), their answers (n x 60, NaN missing) and
    their groups in the three breakdowns (3 x n, groups numbered across them)."""
    rng = np.random.default_rng(seed)
    sector = rng.choice(list(SECTORS), n, p=np.array([0.6, 0.2, 0.1, 0.06, 0.04]))
    region = rng.choice(list(REGIONS), n, p=np.array(list(REGIONS.values())) / 1800)
    role = rng.integers(0, 9, n)
    answers = rng.normal(3, 1, (n, VARIABLES)) + (sector == "public")[:, None]
    answers[rng.random(answers.shape) < 0.1] = np.nan
    codes = np.stack([
        pd.Categorical(sector, categories=list(SECTORS)).codes,
        5 + pd.Categorical(region, categories=list(REGIONS)).codes,
        13 + role,
    ]).astype(np.int64)  # fmt: skip
    return pd.DataFrame({"sector": sector, "region": region}), answers, codes


def _best(work: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, found = [], None
    for _ in range(runs):
        start = time.perf_counter()
        found = work()
        times.append(time.perf_counter() - start)
    return min(times), found


def _design(respondents: pd.DataFrame, margins: Any, method: Variance, size: int) -> Any:
    raked = rake(respondents, margins=margins, epsilon=1, max_iterations=50)
    return raked.design(method, replicates=size)


def main(argv: Sequence[str] | None = None) -> None:
    """Time the variance methods at each size and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1800,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bootstrap", type=int, default=200)
    args = parser.parse_args(argv)
    print("| respondents | method | design (s) | estimates (s) | peak memory (MB) |")
    print("|---|---|---|---|---|")
    margins = {"sector": SECTORS, "region": REGIONS}
    for n in (int(size) for size in args.sizes.split(",")):
        respondents, answers, codes = wave(n)
        for method in (Variance.RAKED, Variance.BOOTSTRAP, Variance.JK1):
            make = functools.partial(_design, respondents, margins, method, args.bootstrap)
            design_seconds, design = _best(make, args.runs)
            estimate = functools.partial(domain_means, answers, design, codes, groups=22)
            estimate_seconds, _ = _best(estimate, args.runs)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            label = f"bootstrap ({args.bootstrap})" if method is Variance.BOOTSTRAP else method
            print(
                f"| {n:,} | {label} | {design_seconds:.3f} | {estimate_seconds:.3f} | {peak:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
