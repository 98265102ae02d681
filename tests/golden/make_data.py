"""Write the small deterministic input data used to produce the R golden values.

Outputs (next to this file):
  sample.csv   120 respondents, columns
               id, sector, region, role, travel, imp, hours, rare, barrier
               (missing values are empty cells)
  margins.csv  population totals for raking: variable, level, total
               (sector and region margins, each summing to 1800)

Run from the repo root:
    . .venv/bin/activate && python tests/golden/make_data.py

The data are generated with numpy.random.default_rng(7), so re-running this
script reproduces the committed files byte for byte.  If you change anything
here, re-run tests/golden/make_golden.R as well (see README.md).
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
N = 120

SECTORS = ["public", "academic", "school", "special"]
SECTOR_P = [0.50, 0.25, 0.15, 0.10]
REGIONS = ["north", "south", "east"]
REGION_P = [0.20, 0.55, 0.25]
ROLES = ["assistant", "librarian", "manager"]
ROLE_P = [0.40, 0.40, 0.20]
BARRIERS = ["time", "cost", "travel", "none"]

# P(travel = 1) by region: north much higher
TRAVEL_P = {"north": 0.75, "south": 0.20, "east": 0.35}
# mean Likert score by sector
IMP_MEAN = {"public": 3.4, "academic": 3.9, "school": 2.8, "special": 3.2}
# P(rare = 1) for the sectors where it is not fixed
RARE_P = {"public": 0.30, "academic": 0.15}
# barrier distribution by region (time, cost, travel, none)
BARRIER_P = {
    "north": [0.20, 0.15, 0.50, 0.15],
    "south": [0.40, 0.25, 0.10, 0.25],
    "east": [0.25, 0.40, 0.20, 0.15],
}

N_MISSING = {"travel": 8, "imp": 6, "hours": 5, "barrier": 7}

# population totals by variable and level, in the shape rake() takes its margins
MARGINS = {
    "sector": {"public": 1060, "academic": 380, "school": 220, "special": 140},
    "region": {"north": 300, "south": 1100, "east": 400},
}


def make_sample(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    sector = rng.choice(SECTORS, size=N, p=SECTOR_P)
    region = rng.choice(REGIONS, size=N, p=REGION_P)
    role = rng.choice(ROLES, size=N, p=ROLE_P)

    travel = (rng.random(N) < np.array([TRAVEL_P[r] for r in region])).astype(float)

    imp_raw = np.array([IMP_MEAN[s] for s in sector]) + rng.normal(0.0, 1.0, N)
    imp = np.clip(np.rint(imp_raw), 1, 5).astype(float)

    hours = np.round(rng.lognormal(mean=1.5, sigma=0.8, size=N), 2)

    u = rng.random(N)
    rare = np.empty(N)
    for i, s in enumerate(sector):
        if s == "special":
            rare[i] = 0.0
        elif s == "school":
            rare[i] = 1.0
        else:
            rare[i] = float(u[i] < RARE_P[s])

    barrier = np.array([rng.choice(BARRIERS, p=BARRIER_P[r]) for r in region], dtype=object)

    # Missing values at distinct random positions per column.
    for col, k in N_MISSING.items():
        idx = rng.choice(N, size=k, replace=False)
        if col == "travel":
            travel[idx] = np.nan
        elif col == "imp":
            imp[idx] = np.nan
        elif col == "hours":
            hours[idx] = np.nan
        elif col == "barrier":
            barrier[idx] = None

    df = pd.DataFrame(
        {
            "id": np.arange(1, N + 1),
            "sector": sector,
            "region": region,
            "role": role,
            "travel": pd.array(travel, dtype="Float64").astype("Int64"),
            "imp": pd.array(imp, dtype="Float64").astype("Int64"),
            "hours": hours,
            "rare": rare.astype(int),
            "barrier": barrier,
        }
    )
    return df


def make_margins() -> pd.DataFrame:
    rows = [
        (variable, level, total)
        for variable, totals in MARGINS.items()
        for level, total in totals.items()
    ]
    return pd.DataFrame(rows, columns=["variable", "level", "total"])


def main() -> None:
    sample = make_sample()
    margins = make_margins()
    # Sanity checks that the golden tests rely on.
    assert set(sample["sector"]) == set(SECTORS)
    assert set(sample["region"]) == set(REGIONS)
    assert set(sample["role"]) == set(ROLES)
    assert (sample.loc[sample["sector"] == "special", "rare"] == 0).all()
    assert (sample.loc[sample["sector"] == "school", "rare"] == 1).all()
    for var, tot in margins.groupby("variable")["total"].sum().items():
        assert tot == 1800, (var, tot)
    sample.to_csv(HERE / "sample.csv", index=False)
    margins.to_csv(HERE / "margins.csv", index=False)
    print(f"wrote {len(sample)} rows to {HERE / 'sample.csv'}")
    print(f"wrote {len(margins)} rows to {HERE / 'margins.csv'}")


if __name__ == "__main__":
    main()
