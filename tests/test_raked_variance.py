"""Variances under raking against R's ``rake()`` design (tests/golden/raked_*.csv, made by
make_raked.R), with and without the finite population correction.

Three data sets: the 120 respondents of make_golden.R, the demo's 2026 wave and 12 random
designs of two or three margins. Estimates and standard errors to 1e-6 relative, as the issue
asks; Rao-Scott and Wald statistics and p-values the same. The shortcut the estimators take
(each statistic's margin-cell sums) is checked against R's algorithm itself on random
influence values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.analysis.design import Calibration, Design, Variance
from survey.analysis.design_tests import rao_scott, wald_means
from survey.analysis.estimates import beta_interval, category_shares, domain_means
from survey.analysis.letters import significance_letters
from survey.analysis.pairs import share_covariances
from survey.weighting import rake

GOLDEN = Path(__file__).parent / "golden"
BY = {"sample": ["sector", "region", "role"], "demo": ["sector", "region", "role"]}
FACTORS = {"sample": ["barrier"], "demo": ["paid_time"]}
RTOL = 1e-6


def _margins(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    return {
        variable: dict(zip(rows["level"].astype(str), rows["total"].astype(float), strict=True))
        for variable, rows in table.groupby("variable", sort=False)
    }


def _data_sets() -> dict[str, tuple[pd.DataFrame, dict[str, dict[str, float]]]]:
    sample = pd.read_csv(GOLDEN / "sample.csv")
    sample["imp_top2"] = np.where(sample["imp"].isna(), np.nan, (sample["imp"] >= 4) * 1.0)
    found = {
        "sample": (sample, _margins(pd.read_csv(GOLDEN / "margins.csv"))),
        "demo": (
            pd.read_csv(GOLDEN / "demo_2026.csv"),
            _margins(pd.read_csv(GOLDEN / "demo_margins.csv")),
        ),
    }
    random = pd.read_csv(GOLDEN / "random_designs.csv")
    margins = pd.read_csv(GOLDEN / "random_margins.csv")
    for design, rows in random.groupby("design"):
        found[f"random{design}"] = (
            rows.reset_index(drop=True),
            _margins(margins[margins["design"] == design]),
        )
    return found


DATA = _data_sets()


#: The goldens' designs (make_raked.R, make_replicates.R): the variance, with or without the
#: finite population correction.
KINDS = {
    "raked": Variance.RAKED,
    "raked_fpc": Variance.RAKED,
    "jk1": Variance.JK1,
    "jk1_fpc": Variance.JK1,
    "bootstrap": Variance.BOOTSTRAP,
}


def _design(name: str, kind: str, *, replicates: int = 1000, seed: int = 18) -> Design:
    """A data set raked as R rakes it, with the golden design ``kind``'s variance."""
    data, margins = DATA[name]
    raked = rake(data, margins=margins, epsilon=1, max_iterations=50)
    population = sum(next(iter(margins.values())).values()) if kind.endswith("fpc") else None
    return raked.design(KINDS[kind], population=population, replicates=replicates, seed=seed)


def _groups(data: pd.DataFrame, by: str) -> tuple[np.ndarray, list[str]]:
    if by == "all":
        return np.zeros(len(data), dtype=np.int64), ["all"]
    names = sorted(data[by].dropna().astype(str).unique())
    codes = pd.Categorical(data[by].astype(str), categories=names).codes.astype(np.int64)
    return codes, names


def _python_estimates(name: str, design: Design, golden: pd.DataFrame) -> pd.DataFrame:
    """The golden rows of one data set, with our estimate and se under ``design`` beside
    R's."""
    data, _ = DATA[name]
    rows = []
    for (variable, by), expected in golden.groupby(["variable", "by"], sort=False):
        codes, names = _groups(data, by)
        base, _, level = variable.partition(":")
        if level:  # a factor's level: a share of the categorical answer
            levels = sorted(data[base].dropna().astype(str).unique())
            answer = pd.Categorical(data[base].astype(str).where(data[base].notna()),
                                    categories=levels).codes.astype(np.int64)  # fmt: skip
            found = category_shares(
                answer, design, codes, groups=len(names), categories=len(levels),
                options=[[levels.index(level)]],
            )  # fmt: skip
            estimate, se = found.estimate[0], found.se[0]
        else:
            found = domain_means(data[variable].to_numpy(float), design, codes,
                                 groups=len(names))  # fmt: skip
            estimate, se = found.estimate, found.se
        ours = dict(zip(names, zip(estimate, se, strict=True), strict=True))
        for row in expected.itertuples():
            rows.append((row.estimate, row.se, *ours[str(row.group)]))
    return pd.DataFrame(rows, columns=["r_estimate", "r_se", "estimate", "se"])


ESTIMATES = pd.concat(
    [pd.read_csv(GOLDEN / "raked_estimates.csv"), pd.read_csv(GOLDEN / "replicate_estimates.csv")]
)


@pytest.mark.parametrize(
    ("name", "kind"),
    [(name, kind) for name in DATA for kind in ("raked", "raked_fpc")]
    + [(name, kind) for name in ("sample", "demo") for kind in ("jk1", "jk1_fpc")],
)
def test_estimates_and_standard_errors_equal_r(name, kind):
    """Linearised under raking (make_raked.R) and JK1 replicates re-raked (make_replicates.R):
    estimates bit for bit up to rounding, standard errors to 1e-6."""
    golden = ESTIMATES[(ESTIMATES["data"] == name) & (ESTIMATES["design"] == kind)]
    assert len(golden) >= 12
    found = _python_estimates(name, _design(name, kind), golden)
    np.testing.assert_allclose(found["estimate"], found["r_estimate"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(found["se"], found["r_se"], rtol=RTOL)


def test_raking_and_fpc_change_standard_errors_as_r_does():
    """The goldens are not the fixed design's: raking and the FPC each move them."""
    data, margins = DATA["demo"]
    raked = rake(data, margins=margins, epsilon=1, max_iterations=50)
    codes, names = _groups(data, "region")
    y = data["cpd_hours"].to_numpy(float)
    fixed = domain_means(y, raked.weights.to_numpy(), codes, groups=len(names)).se
    calibrated = domain_means(y, _design("demo", "raked"), codes, groups=len(names)).se
    corrected = domain_means(y, _design("demo", "raked_fpc"), codes, groups=len(names)).se
    assert np.all(calibrated != fixed)
    n, population = len(data), sum(margins["sector"].values())
    np.testing.assert_allclose(corrected, calibrated * np.sqrt(1 - n / population), rtol=1e-12)
    # the sector shares are raked to the frame: no sampling error is left in them
    sector = pd.Categorical(data["sector"]).codes.astype(np.int64)
    shares = category_shares(sector, _design("demo", "raked"), np.zeros(n, dtype=np.int64),
                             groups=1, categories=5, options=[[k] for k in range(5)])  # fmt: skip
    assert np.all(shares.se < 1e-6)  # raking stops within epsilon = 1 of the margins, as R


def test_a_design_taken_as_fixed_gives_todays_standard_errors():
    data, margins = DATA["sample"]
    raked = rake(data, margins=margins, epsilon=1, max_iterations=50)
    fixed = raked.design(Variance.FIXED)
    codes, names = _groups(data, "sector")
    y = data["hours"].to_numpy(float)
    plain = domain_means(y, raked.weights.to_numpy(), codes, groups=len(names))
    assert domain_means(y, fixed, codes, groups=len(names)).se.tolist() == plain.se.tolist()


def test_beta_intervals_equal_r_raked_design():
    golden = pd.read_csv(GOLDEN / "raked_ciprop.csv")
    for (name, kind), rows in golden.groupby(["data", "design"]):
        found = _python_estimates(name, _design(name, kind), rows.assign(se=np.nan))
        data, _ = DATA[name]
        n, group = [], []  # each row's answers, and its group's respondents
        for row in rows.itertuples():
            member = data[row.by] == row.group if row.by != "all" else np.ones(len(data), bool)
            n.append(int((member & data[row.variable].notna()).sum()))
            group.append(int(member.sum()))
        degrees = (np.array(group) - 1, len(data) - 1)
        low, high = beta_interval(found["estimate"], found["se"], n, degrees=degrees)
        # at 0% and 100% R has no interval (NaN); ours is the exact one there (DESIGN.md)
        defined = rows["ci_low"].notna().to_numpy()
        assert defined.sum() >= len(rows) - 4
        np.testing.assert_allclose(low[defined], rows["ci_low"][defined], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(high[defined], rows["ci_high"][defined], rtol=1e-6, atol=1e-9)


def _codes(column: pd.Series) -> np.ndarray:
    levels = sorted(column.dropna().astype(str).unique())
    text = column.astype(str).where(column.notna())
    return pd.Categorical(text, categories=levels).codes.astype(np.int64)


def _rao_scott(data: pd.DataFrame, variable: str, by: str, design: Design):
    return rao_scott(_codes(data[variable]), _codes(data[by]), design)


def _wald(data: pd.DataFrame, variable: str, by: str, design: Design):
    return wald_means(data[variable].to_numpy(float), _codes(data[by]), design)


@pytest.mark.parametrize("kind", ["raked", "raked_fpc", "jk1", "jk1_fpc"])
@pytest.mark.parametrize(
    ("golden_file", "test"),
    [("chisq.csv", _rao_scott), ("wald.csv", _wald)],
    ids=["svychisq", "regTermTest"],
)
def test_design_tests_equal_r(kind, golden_file, test):
    """Rao-Scott against R's svychisq, the Wald test of means against regTermTest, on the
    raked design (linearised) and on JK1 replicates re-raked.

    With replicates, R's degrees of freedom are the rank of the part's replicate weights
    found numerically (``qr``, tol 1e-5), which after raking lands a step or two from the
    exact rank we use (710 of 713 rows on the demo, where the exact rank gives 712): the
    statistic and its numerator degrees are R's to 1e-6, the denominator degrees within
    three (times d0), and the p-value to 1e-3 of itself (or 1e-9 in the far tail, where one
    degree moves a p of 1e-48 by 0.3 %)."""
    replicated = kind.startswith("jk1")
    golden = pd.read_csv(GOLDEN / (("replicate_" if replicated else "raked_") + golden_file))
    golden = golden[golden["design"] == kind]
    assert len(golden) == (6 if replicated else 18)
    for row in golden.itertuples():
        data, _ = DATA[row.data]
        found = test(data, row.variable, row.by, _design(row.data, kind))
        assert found is not None
        message = f"{row.data} {row.variable} by {row.by}"
        if not replicated:
            np.testing.assert_allclose(
                [found.statistic, found.ndf, found.ddf, found.p],
                [row.statistic, row.ndf, row.ddf, row.p],
                rtol=RTOL,
                err_msg=message,
            )
            continue
        np.testing.assert_allclose(
            [found.statistic, found.ndf], [row.statistic, row.ndf], rtol=RTOL, err_msg=message
        )
        assert abs(found.ddf / found.ndf - row.ddf / row.ndf) <= 3, message
        np.testing.assert_allclose(found.p, row.p, rtol=1e-3, atol=1e-9, err_msg=message)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(8, 80),
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3),
)
def test_cell_sums_shortcut_equals_r_algorithm(seed, n, sizes):
    """``squares`` and ``cross`` from margin-cell sums equal R's svyrecvar loop run on the
    respondents x statistics matrix, on random margins, weights and influence values."""
    rng = np.random.default_rng(seed)
    cells = tuple(rng.integers(0, size, n).astype(np.int64) for size in sizes)
    weights = tuple(rng.uniform(0.2, 5.0, n) for _ in sizes)
    calibration = Calibration(cells, weights)
    z = rng.normal(size=(n, 3))
    z -= z.mean(axis=0)  # influence values add up to 0
    direct = calibration.residuals(z)
    direct -= direct.mean(axis=0)
    u, v = (
        np.concatenate(
            [np.stack([np.bincount(cell, weights=z[:, j] * factor(psw), minlength=k)
                       for j in range(3)]) for cell, psw, k in calibration.margins],
            axis=1,
        )
        for factor in (lambda psw: psw, lambda psw: 1 / psw)
    )  # fmt: skip
    squares = calibration.squares((z**2).sum(axis=0), u, v, n=n)
    cross = calibration.cross(z.T @ z, u, v, n=n)
    expected = direct.T @ direct
    scale = np.abs(expected).max()
    np.testing.assert_allclose(squares, np.diag(expected), atol=1e-9 * scale)
    np.testing.assert_allclose(cross, expected, atol=1e-9 * scale)


@pytest.mark.parametrize("source", ["raked", "replicate"])
def test_differences_of_groups_equal_r_svycontrast(source):
    """The variance of two groups' difference, ``V_a + V_b - 2 C_ab``, as the letters take it:
    linearised under raking, and from JK1 replicates."""
    golden = pd.read_csv(GOLDEN / f"{source}_differences.csv")
    assert len(golden) == 172
    for (name, kind, variable, by), rows in golden.groupby(["data", "design", "variable", "by"]):
        data, _ = DATA[name]
        codes, names = _groups(data, by)
        found = domain_means(data[variable].to_numpy(float), _design(name, kind), codes,
                             groups=len(names), covariance=True)  # fmt: skip
        assert found.covariance is not None
        np.testing.assert_allclose(np.diag(found.covariance), found.se**2, rtol=1e-12)
        a = np.array([names.index(str(group)) for group in rows["group"]])
        b = np.array([names.index(str(group)) for group in rows["other"]])
        se = np.sqrt(found.se[a] ** 2 + found.se[b] ** 2 - 2 * found.covariance[a, b])
        np.testing.assert_allclose(found.estimate[a] - found.estimate[b], rows["difference"],
                                   rtol=1e-9, atol=1e-12)  # fmt: skip
        np.testing.assert_allclose(se, rows["se"], rtol=RTOL, err_msg=f"{name} {variable} {by}")
        # taken as fixed, the groups are independent: no covariance
        fixed = domain_means(data[variable].to_numpy(float), _design(name, kind).weights, codes,
                             groups=len(names), covariance=True).covariance  # fmt: skip
        assert fixed is not None
        assert np.all(fixed[~np.eye(len(names), dtype=bool)] == 0)


def test_letters_take_the_covariance_of_a_raked_design_off_the_difference():
    """Two shares 0.10 apart with SEs of 0.04: z = 1.77 (no letter) if independent; with a
    covariance of 0.0006 the difference's SE is 0.02 and z = 3.5 (a letter)."""
    table = pd.DataFrame({"wave": "w", "question": "q", "option": "yes", "by": "sector",
                          "group": ["public", "school"], "n": [400, 300],
                          "estimate": [0.40, 0.50], "se": [0.04, 0.04],
                          "weighted": True, "suppressed": False})  # fmt: skip
    plain = significance_letters(table)
    assert plain["higher_than"].tolist() == ["", ""]
    covariances = pd.DataFrame({"wave": "w", "question": "q", "option": "yes", "by": "sector",
                                "group": ["public", "school"], "other": ["school", "public"],
                                "covariance": 0.0006})  # fmt: skip
    tied = significance_letters(table, covariances=covariances)
    assert tied["higher_than"].tolist() == ["", "A"]


def test_share_covariances_are_domain_means_covariances():
    from survey.codebook import load_codebook, reference_codebook_path

    data, _ = DATA["demo"]
    codebook = load_codebook(reference_codebook_path())
    design = _design("demo", "raked")
    table = share_covariances(data, codebook, wave="2026", weights=design)
    assert table is not None
    assert share_covariances(data, codebook, wave="2026", weights=design.weights) is None
    rows = table[(table["question"] == "barriers") & (table["option"] == "time")
                 & (table["by"] == "region")]  # fmt: skip
    names = [code for code in codebook.question("region").option_codes()
             if code in set(data["region"])]  # fmt: skip
    codes = pd.Categorical(data["region"], categories=names).codes.astype(np.int64)
    found = domain_means(data["barriers__time"].to_numpy(float), design, codes,
                         groups=len(names), covariance=True).covariance  # fmt: skip
    assert found is not None
    expected = [found[names.index(a), names.index(b)] for a, b in
                zip(rows["group"], rows["other"], strict=True)]  # fmt: skip
    assert len(rows) == len(names) * (len(names) - 1)
    np.testing.assert_allclose(rows["covariance"], expected, rtol=1e-12)


@pytest.mark.parametrize("kind", ["raked", "raked_fpc", "jk1", "jk1_fpc"])
def test_needs_mwds_equals_r(kind):
    """Borich's MWDS and its standard error in ``needs.csv``, against R's svycontrast of
    gap * importance (the delta method: with replicates, on their covariance of the two
    means, which the replicates of the linearised values give exactly)."""
    from survey.analysis.needs import needs
    from survey.codebook import load_codebook, reference_codebook_path

    prefix = "replicate" if kind.startswith("jk1") else "raked"
    golden = pd.read_csv(GOLDEN / f"{prefix}_mwds.csv")
    golden = golden[golden["design"] == kind]
    data, _ = DATA["demo"]
    table = needs(data, load_codebook(reference_codebook_path()), wave="2026",
                  weights=_design("demo", kind))  # fmt: skip
    table = table[table["topic"] == "leadership"].set_index(["by", "group"])
    found = table.loc[list(zip(golden["by"], golden["group"], strict=True))]
    assert len(found) == len(golden) == 23
    published = ~found["suppressed"].to_numpy()  # a suppressed row has no figures
    assert published.sum() >= 15
    np.testing.assert_allclose(found["mwds"][published], golden["mwds"][published], rtol=1e-9)
    np.testing.assert_allclose(found["mwds_se"][published], golden["se"][published], rtol=RTOL)


def test_the_demo_run_publishes_r_raked_design_standard_errors(history_root):
    """The whole pipeline on the demo's 2026 wave: ``results.csv``'s weighted rows of a share,
    a rating's mean and a number, overall and by sector, region and role, are R's raked
    design (the golden extract is that wave's processed data)."""
    results = pd.read_csv(history_root / "2026" / "results.csv")
    published = results[results["weighted"] & ~results["suppressed"]]
    golden = ESTIMATES[(ESTIMATES["data"] == "demo") & (ESTIMATES["design"] == "raked")]
    where = {
        "barriers__time": ("barriers", "time"),
        "employer_support": ("employer_support", "mean"),
        "cpd_hours": ("cpd_hours", "mean"),
    }
    compared = 0
    for variable, (question, option) in where.items():
        rows = golden[golden["variable"] == variable]
        ours = published[(published["question"] == question) & (published["option"] == option)]
        merged = rows.merge(ours.astype({"group": str}), on=["by", "group"], suffixes=("_r", ""))
        assert len(merged) >= len(rows) - 6  # all but the suppressed groups
        np.testing.assert_allclose(merged["estimate"], merged["estimate_r"], rtol=1e-12)
        np.testing.assert_allclose(merged["se"], merged["se_r"], rtol=RTOL, err_msg=variable)
        compared += len(merged)
    assert compared >= 50


def test_the_method_sentence_names_the_variance_and_the_correction():
    """What the reports say: the method, and the share of the variance the correction takes
    off (750 of 1,830 members answered: 41 %)."""
    weights = np.ones(750)
    raked = Design(weights, variance=Variance.RAKED).describe()
    assert raked.startswith("Margins of error allow for the weighting: standard errors are")
    assert "finite population" not in raked
    corrected = Design(weights, fpc=1 - 750 / 1830, variance=Variance.RAKED).describe()
    assert "a finite population correction takes off 41% of the variance" in corrected
    assert Design(weights).describe().startswith("Margins of error treat the weights as fixed")
