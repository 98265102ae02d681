"""Write the inputs of ``make_base_weight.R``: a small export with its own weight column.

Outputs (next to this file):
  base_weight.csv          160 responses: respondent_id, sector, region, role, cltp (option
                           codes of the reference codebook) and base_weight, the export's
                           weight as text; four rows have a bad weight ("", "abc", "0", "-2")
                           that validation quarantines (reason bad_weight); numpy
                           ``default_rng(1818)``
  base_weight_margins.csv  the reference codebook's frame: variable, level, total

Run from the repo root:
    python tests/golden/make_base_weight_data.py

The file is reproduced byte for byte. If you change anything here, run ``make_base_weight.R``
again. ``tests/test_base_weight.py`` turns each row into a Qualtrics export of the reference
questionnaire and runs ``survey run`` on it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from survey.codebook import load_codebook, reference_codebook_path

HERE = Path(__file__).resolve().parent
ROWS = 160
#: Rows whose weight is bad, and the weight each has.
BAD = {7: "", 31: "abc", 58: "0", 101: "-2"}


def main() -> None:
    codebook = load_codebook(reference_codebook_path())
    rng = np.random.default_rng(1818)
    sectors = list(codebook.frame["sector"])
    regions = list(codebook.frame["region"])
    roles = codebook.question("role").option_codes()
    cltp = codebook.question("cltp").option_codes()
    # every frame category answered by some respondent with a good weight, then at random
    sector = [sectors[i % len(sectors)] for i in range(10)]
    region = [regions[i % len(regions)] for i in range(10)]
    sector += list(rng.choice(sectors, ROWS - 10, p=[0.5, 0.2, 0.15, 0.1, 0.05]))
    region += list(rng.choice(regions, ROWS - 10, p=[0.4, 0.2, 0.12, 0.08, 0.08, 0.05, 0.04, 0.03]))
    # weights that differ by sector, so that starting from them moves the raked weights
    scale = {"public": 1.0, "academic": 1.6, "school": 0.7, "special": 2.2, "other": 1.3}
    weights = [
        f"{scale[s] * value:.4f}"
        for s, value in zip(sector, rng.lognormal(0, 0.4, ROWS), strict=True)
    ]
    for row, value in BAD.items():
        weights[row] = value
    table = pd.DataFrame(
        {
            "respondent_id": [f"R_bw{number:04d}" for number in range(ROWS)],
            "sector": sector,
            "region": region,
            "role": rng.choice(roles, ROWS),
            "cltp": rng.choice(cltp, ROWS, p=[0.3, 0.3, 0.4]),
            "base_weight": weights,
        }
    )
    table.to_csv(HERE / "base_weight.csv", index=False)
    margins = pd.DataFrame(
        [
            {"variable": variable, "level": level, "total": total}
            for variable, counts in codebook.frame.items()
            for level, total in counts.items()
        ]
    )
    margins.to_csv(HERE / "base_weight_margins.csv", index=False)


if __name__ == "__main__":
    main()
