"""Agreement with R's survey package on fixed data (tests/golden/, made by make_golden.R).

Weights, estimates and SEs to 1e-6; beta intervals to 1e-4 (DESIGN.md). R is not needed:
the golden files are committed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey.analysis.estimates import beta_interval, domain_means
from survey.weighting import rake

GOLDEN = Path(__file__).parent / "golden"
DIMENSIONS = ["sector", "region", "role"]


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    frame = pd.read_csv(GOLDEN / "sample.csv")
    frame["imp_top2"] = np.where(frame["imp"].isna(), np.nan, (frame["imp"] >= 4).astype(float))
    return frame


@pytest.fixture(scope="module")
def margins() -> dict[str, dict[str, float]]:
    table = pd.read_csv(GOLDEN / "margins.csv")
    return {
        variable: dict(zip(rows["level"], rows["total"].astype(float), strict=True))
        for variable, rows in table.groupby("variable", sort=False)
    }


@pytest.fixture(scope="module")
def raked_weights(sample, margins) -> np.ndarray:
    return rake(sample, margins=margins).weights.to_numpy()


def test_rake_matches_r_with_its_default_controls(sample, margins):
    # R: rake(svydesign(ids=~1, weights=~w0), list(~sector, ~region), pops)  (epsilon 1, maxit 10)
    expected = pd.read_csv(GOLDEN / "rake_weights.csv")["weight"].to_numpy()
    got = rake(sample, margins=margins, epsilon=1, max_iterations=10).weights.to_numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_rake_matches_r_converged(sample, margins):
    # R: the same with control = list(maxit = 100, epsilon = 1e-10)
    expected = pd.read_csv(GOLDEN / "rake_weights_converged.csv")["weight"].to_numpy()
    got = rake(sample, margins=margins, epsilon=1e-10, max_iterations=100).weights.to_numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    totals = pd.Series(got).groupby(sample["region"]).sum()
    assert totals.to_dict() == pytest.approx(margins["region"], abs=1e-6)


def _values(sample: pd.DataFrame, variable: str) -> np.ndarray:
    if variable.startswith("barrier:"):
        level = variable.split(":", 1)[1]
        answered = sample["barrier"].notna()
        return np.where(answered, (sample["barrier"] == level).astype(float), np.nan)
    return sample[variable].to_numpy(dtype=float)


def _groups(sample: pd.DataFrame, by: str) -> tuple[np.ndarray, list[str]]:
    if by == "all":
        return np.zeros(len(sample), dtype=np.int64), ["all"]
    names = sorted(sample[by].dropna().unique())
    return np.asarray(pd.Categorical(sample[by], categories=names).codes, dtype=np.int64), names


def _ours(sample, weights, design, variable, by):
    w = weights if design == "weighted" else np.ones(len(sample))
    codes, names = _groups(sample, by)
    result = domain_means(_values(sample, variable), w, codes, groups=len(names))
    return {name: (result, position) for position, name in enumerate(names)}


def test_estimates_and_standard_errors_match_svymean_and_svyby(sample, raked_weights):
    golden = pd.read_csv(GOLDEN / "estimates.csv")
    assert len(golden) > 150
    for (design, variable, by), rows in golden.groupby(["design", "variable", "by"]):
        ours = _ours(sample, raked_weights, design, variable, by)
        for row in rows.itertuples():
            result, position = ours[row.group]
            where = f"{design} {variable} by {by} = {row.group}"
            assert result.estimate[position] == pytest.approx(row.estimate, abs=1e-6), where
            assert result.se[position] == pytest.approx(row.se, abs=1e-6), where


def test_beta_intervals_match_svyciprop(sample, raked_weights):
    golden = pd.read_csv(GOLDEN / "ciprop.csv")
    checked = 0
    for (design, variable, by), rows in golden.groupby(["design", "variable", "by"]):
        ours = _ours(sample, raked_weights, design, variable, by)
        for row in rows.itertuples():
            result, position = ours[row.group]
            low, high = beta_interval(
                result.estimate[[position]], result.se[[position]], result.n[[position]]
            )
            where = f"{design} {variable} by {by} = {row.group}"
            assert result.estimate[position] == pytest.approx(row.estimate, abs=1e-6), where
            if np.isnan(row.ci_low):
                # R gives no interval at 0% and 100%; ours is Clopper-Pearson for the count
                assert result.estimate[position] in (0.0, 1.0), where
                n = result.n[position]
                bound = 1 - 0.025 ** (1 / n)
                expected = (0.0, bound) if result.estimate[position] == 0 else (1 - bound, 1.0)
                assert (low[0], high[0]) == pytest.approx(expected, abs=1e-9), where
            else:
                assert low[0] == pytest.approx(row.ci_low, abs=1e-4), where
                assert high[0] == pytest.approx(row.ci_high, abs=1e-4), where
            checked += 1
    assert checked > 50


def test_rao_scott_matches_svychisq(sample, raked_weights):
    from survey.analysis.design_tests import rao_scott

    golden = pd.read_csv(GOLDEN / "chisq.csv")
    checked = 0
    for row in golden.itertuples():
        w = raked_weights if row.design == "weighted" else np.ones(len(sample))
        variable = sample[row.variable].astype("string")
        rows = pd.Categorical(variable).codes
        columns = pd.Categorical(sample[row.by]).codes
        test = rao_scott(rows, columns, w)
        where = f"{row.design} {row.variable} by {row.by} ({row.statistic_type})"
        if row.statistic_type == "F":
            assert test.statistic == pytest.approx(row.statistic, abs=1e-6), where
            assert test.ndf == pytest.approx(row.ndf, abs=1e-6), where
            assert test.ddf == pytest.approx(row.ddf, abs=1e-4), where
            assert test.p == pytest.approx(row.p, abs=1e-4), where
        else:
            assert test.chisq == pytest.approx(row.statistic, abs=1e-6), where
            assert test.chisq_df == row.ndf, where
            assert test.chisq_p == pytest.approx(row.p, abs=1e-4), where
        checked += 1
    assert checked == 24


def test_wald_test_of_means_matches_regtermtest(sample, raked_weights):
    from survey.analysis.design_tests import wald_means

    golden = pd.read_csv(GOLDEN / "wald.csv")
    for row in golden.itertuples():
        w = raked_weights if row.design == "weighted" else np.ones(len(sample))
        test = wald_means(sample[row.variable], pd.Categorical(sample[row.by]).codes, w)
        where = f"{row.design} {row.variable} by {row.by}"
        assert test.statistic == pytest.approx(row.statistic, abs=1e-6), where
        assert (test.ndf, test.ddf) == (row.ndf, row.ddf), where
        assert test.p == pytest.approx(row.p, abs=1e-4), where
    assert len(golden) == 6


# the golden sample's variables as results.csv rows of reference-codebook questions: a share of
# a single-choice question, and the mean of a number and of a Likert item (trends() reads the
# question's type from the codebook)
_AS_RESULTS = {
    "travel": ("paid_time", "travel"),
    "imp_top2": ("paid_time", "imp_top2"),
    "hours": ("cpd_hours", "mean"),
    "imp": ("employer_support", "mean"),
}


def test_change_between_waves_matches_svycontrast(sample, raked_weights):
    """R: each wave its own design; the change tested by svycontrast in the stacked design with
    the wave as stratum (weighted, and the unweighted means), or prop.test without continuity
    correction (unweighted shares). See make_golden.R."""
    from survey.analysis.trends import trends
    from survey.codebook import load_codebook, reference_codebook_path

    golden = pd.read_csv(GOLDEN / "change.csv")
    assert len(golden) == 88
    book = load_codebook(reference_codebook_path())
    wave_of = np.where(sample["id"] <= 60, "a", "b")
    rows = []
    for design in ("weighted", "unweighted"):
        for wave in ("a", "b"):
            part = sample[wave_of == wave].reset_index(drop=True)
            weights = raked_weights[wave_of == wave]
            for variable, (question, option) in _AS_RESULTS.items():
                for by in ("all", "sector", "region", "role"):
                    for group, (result, position) in _ours(
                        part, weights, design, variable, by
                    ).items():
                        rows.append(
                            {
                                "wave": wave,
                                "question": question,
                                "option": option,
                                "by": by,
                                "group": group,
                                "n": int(result.n[position]),
                                "estimate": result.estimate[position],
                                "se": result.se[position],
                                "weighted": design == "weighted",
                                "suppressed": False,
                            }
                        )
    table = pd.DataFrame(rows)
    ours, flags = trends({wave: table[table["wave"] == wave] for wave in ("a", "b")}, book)
    assert flags.empty
    ours["design"] = np.where(ours["weighted"], "weighted", "unweighted")
    ours["variable"] = [
        next(v for v, (q, o) in _AS_RESULTS.items() if (q, o) == key)
        for key in zip(ours["question"], ours["option"], strict=True)
    ]
    merged = golden.merge(ours, on=["design", "variable", "by", "group"], validate="1:1")
    assert len(merged) == len(golden) == len(ours)
    np.testing.assert_allclose(merged["estimate_from"], merged["estimate_a"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(merged["estimate_to"], merged["estimate_b"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(merged["change_x"], merged["change_y"], rtol=0, atol=1e-12)
    shares = (merged["design"] == "unweighted") & merged["variable"].isin(["travel", "imp_top2"])
    expected = np.where(shares, merged["p_prop"], merged["p_x"])
    # R gives NaN (0/0) where both waves are 0% or 100% in a group; no change is p = 1 here
    undefined = np.isnan(expected)
    assert 0 < undefined.sum() < 5
    assert (merged.loc[undefined, "change_x"] == 0).all()
    assert (merged.loc[undefined, "p_y"] == 1).all()
    np.testing.assert_allclose(
        merged.loc[~undefined, "p_y"], expected[~undefined], rtol=1e-9, atol=1e-12
    )
    assert set(merged.loc[shares, "test"]) == {"two_proportion_z"}
    assert set(merged.loc[merged["design"] == "weighted", "test"]) == {"design_difference_z"}
