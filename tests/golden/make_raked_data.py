"""Write the inputs of ``make_raked.R``: an extract of the demo's 2026 wave and random designs.

Outputs (next to this file):
  demo_2026.csv         the demo's 2026 wave as the pipeline analyses it (after cleaning):
                        respondent_id, sector, region, role, paid_time, employer_support,
                        cpd_hours, barriers__time, imp_leadership, comp_leadership (missing
                        values are empty cells)
  demo_margins.csv      the demo codebook's frame: variable, level, total
  random_designs.csv    12 random designs: design, id, a, b, c, g, y, x (two or three
                        margins a, b, c; g a grouping; y a number with missing values; x a
                        category) with numpy ``default_rng(18)``
  random_margins.csv    their margins: design, variable, level, total

Run from the repo root, after ``survey demo`` and ``survey run`` in a scratch folder:
    python tests/golden/make_raked_data.py SCRATCH/data/processed/2026.parquet \\
        SCRATCH/data/raw/codebook.yaml

The demo's seed is fixed, so the extract is the same on every machine; the random designs are
reproduced byte for byte. If you change anything here, run ``make_raked.R`` again.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
DEMO_COLUMNS = [
    "respondent_id",
    "sector",
    "region",
    "role",
    "paid_time",
    "employer_support",
    "cpd_hours",
    "barriers__time",
    "imp_leadership",
    "comp_leadership",
]


def demo_extract(processed: Path, codebook: Path) -> None:
    """The demo wave's columns the golden values use, and its frame."""
    wave = pd.read_parquet(processed)[DEMO_COLUMNS]
    wave["barriers__time"] = wave["barriers__time"].astype("Float64").round().astype("Int64")
    wave.to_csv(HERE / "demo_2026.csv", index=False)
    frame = yaml.safe_load(codebook.read_text(encoding="utf-8"))["frame"]
    rows = [
        (variable, level, total)
        for variable, levels in frame.items()
        for level, total in levels.items()
    ]
    pd.DataFrame(rows, columns=["variable", "level", "total"]).to_csv(
        HERE / "demo_margins.csv", index=False
    )


def random_designs(seed: int = 18, designs: int = 12) -> None:
    """Small random designs with two or three margins and uneven cells."""
    rng = np.random.default_rng(seed)
    samples, margins = [], []
    for design in range(1, designs + 1):
        n = int(rng.integers(40, 220))
        names = ["a", "b", "c"][: int(rng.integers(2, 4))]
        frame = pd.DataFrame({"design": design, "id": np.arange(1, n + 1)})
        for name in ["a", "b", "c"]:
            levels = int(rng.integers(2, 5))
            share = rng.dirichlet(np.full(levels, 3.0))
            codes = rng.choice(levels, size=n, p=share)
            codes[:levels] = np.arange(levels)  # every level has a respondent
            frame[name] = [f"{name}{code}" for code in codes]
            if name in names:
                target = rng.dirichlet(np.full(levels, 3.0)) * 1000
                margins += [(design, name, f"{name}{k}", round(float(t), 3)) for k, t in
                            enumerate(target)]  # fmt: skip
        frame["g"] = [f"g{code}" for code in rng.integers(0, 3, size=n)]
        y = rng.normal(size=n) + (frame["a"] == "a0") * 0.8 - (frame["b"] == "b1") * 0.5
        y[rng.random(n) < 0.1] = np.nan
        frame["y"] = np.round(y, 4)
        frame["x"] = [f"x{code}" for code in rng.integers(0, 3, size=n)]
        samples.append(frame)
    pd.concat(samples).to_csv(HERE / "random_designs.csv", index=False)
    pd.DataFrame(margins, columns=["design", "variable", "level", "total"]).to_csv(
        HERE / "random_margins.csv", index=False
    )


if __name__ == "__main__":
    demo_extract(Path(sys.argv[1]), Path(sys.argv[2]))
    random_designs()
