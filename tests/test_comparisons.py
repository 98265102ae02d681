"""Group comparisons: pingouin's tests against hand-worked examples, small groups kept out of
tests, and the planted effects significant where planted (and not elsewhere)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from survey.analysis.comparisons import adjust_family, comparison_tests
from survey.analysis.design_tests import rao_scott, wald_means
from survey.analysis.methods import EffectSize, HypothesisTest
from survey.codebook import load_codebook


def _respondents(answers: list[str], groups: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "paid_time": pd.array(answers, dtype="string"),
            "sector": pd.array(groups, dtype="string"),
            "role": pd.array(["librarian"] * len(answers), dtype="string"),
            "region": pd.array(["cariboo"] * len(answers), dtype="string"),
        }
    )


def test_chi_square_and_cramers_v_by_hand(codebook):
    # counts [[10, 20], [20, 10]]: X2 = 60 (10*10 - 20*20)^2 / 30^4 = 6.6667; V = sqrt(X2/60)
    answers = ["all"] * 10 + ["none"] * 20 + ["all"] * 20 + ["none"] * 10
    groups = ["public"] * 30 + ["school"] * 30
    table = comparison_tests(_respondents(answers, groups), codebook, wave="w")
    row = table.query("question == 'paid_time' and by == 'sector'").iloc[0]
    assert row["test"] == "chi2_independence"
    assert row["statistic"] == pytest.approx(60 * 300**2 / 30**4)
    assert row["df"] == 1
    assert row["effect_size"] == pytest.approx(np.sqrt(6.666666 / 60), abs=1e-6)
    assert row["n"] == 60


def test_kruskal_wallis_by_hand(codebook):
    frame = pd.DataFrame(
        {
            "employer_support": [1.0, 2.0, 3.0] * 4 + [4.0, 5.0, 5.0] * 4,
            "sector": ["public"] * 12 + ["school"] * 12,
            "role": "librarian",
            "region": "cariboo",
        }
    )
    table = comparison_tests(frame, codebook, wave="w")
    row = table.query("question == 'employer_support' and test == 'kruskal_wallis'").iloc[0]
    # ranks: 1s -> 2.5, 2s -> 6.5, 3s -> 10.5, 4s -> 14.5, 5s -> 20.5 (8 ties)
    r1, r2 = 4 * (2.5 + 6.5 + 10.5), 4 * 14.5 + 8 * 20.5
    h = 12 / (24 * 25) * (r1**2 / 12 + r2**2 / 12) - 3 * 25
    ties = 1 - sum(t**3 - t for t in (4, 4, 4, 4, 8)) / (24**3 - 24)
    assert row["statistic"] == pytest.approx(h / ties)
    assert row["effect_size"] == pytest.approx((h / ties - 2 + 1) / (24 - 2))


def test_small_groups_are_left_out_of_tests(codebook):
    answers = ["all", "none"] * 15 + ["all", "none"] * 15 + ["all"] * 4
    groups = ["public"] * 30 + ["school"] * 30 + ["special"] * 4
    table = comparison_tests(_respondents(answers, groups), codebook, wave="w")
    row = table.query("question == 'paid_time' and by == 'sector'").iloc[0]
    assert row["n"] == 60  # special (4) is below the threshold of 10
    alone = comparison_tests(
        _respondents(answers[:34], groups[:30] + ["special"] * 4), codebook, wave="w"
    )
    assert alone.query("question == 'paid_time' and by == 'sector'").empty  # one group left


def test_rao_scott_needs_two_rows_and_two_columns():
    assert rao_scott(np.zeros(5, dtype=int), np.arange(5), np.ones(5)) is None


@pytest.fixture(scope="module")
def demo_tests(demo_dir, tmp_path_factory):
    from survey.pipeline import process_wave

    codebook = load_codebook(demo_dir / "codebook.yaml")
    folder = tmp_path_factory.mktemp("wave2024")
    process_wave(codebook, codebook.wave("2024"), out_dir=folder, processed_dir=folder)
    respondents = pd.read_parquet(folder / "2024.parquet")
    table = adjust_family(
        pd.concat(
            [
                comparison_tests(respondents, codebook, wave="2024"),
                comparison_tests(respondents, codebook, wave="2024", weights=respondents["weight"]),
            ],
            ignore_index=True,
        )
    )
    table.attrs["parquet"] = folder / "2024.parquet"
    return table


@pytest.mark.parametrize(
    ("question", "by", "significant"),
    [
        ("barriers__travel", "region", True),
        ("paid_time", "role", True),
        ("imp_literacy_instruction", "sector", True),
        ("imp_leadership", "role", True),
        ("paid_time", "region", False),
        ("barriers__travel", "role", False),
        ("imp_literacy_instruction", "region", False),
    ],
)
def test_planted_effects_are_significant_after_adjustment(demo_tests, question, by, significant):
    rows = demo_tests.query("question == @question and by == @by")
    assert set(rows["test"]) >= {"rao_scott_f", "chi2_independence"}
    assert ((rows["p_adjusted"] < 0.05) == significant).all(), rows


def test_test_and_effect_names_are_the_words_of_the_tables(demo_tests):
    # tests.csv, pairwise.csv and trends.csv are read by these names: the values are contract
    assert list(HypothesisTest) == [
        "rao_scott_f",
        "wald_f",
        "chi2_independence",
        "kruskal_wallis",
        "mann_whitney",
        "two_proportion_z",
        "difference_z",
        "design_difference_z",
    ]
    assert list(EffectSize) == ["cramers_v", "eta_squared", "eta_squared_h", "rank_biserial"]
    assert set(demo_tests["test"]) <= set(HypothesisTest)
    assert set(demo_tests["effect_name"].dropna()) <= set(EffectSize)


def test_benjamini_hochberg_over_the_family(demo_tests):
    p = demo_tests["p"].to_numpy()
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    expected = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1)
    assert demo_tests["p_adjusted"].to_numpy()[order] == pytest.approx(expected)


def _shares(estimates, n, se=None, weighted=False, suppressed=None):
    groups = ["public", "school", "special", "other"][: len(estimates)]
    return pd.DataFrame(
        {
            "wave": "w",
            "question": "q",
            "option": "yes",
            "by": "sector",
            "group": groups,
            "n": n,
            "estimate": estimates,
            "se": se if se is not None else [0.01] * len(n),
            "weighted": weighted,
            "suppressed": suppressed or [False] * len(n),
        }
    )


def test_letters_unweighted_two_proportion_z_with_holm():
    from survey.analysis.letters import significance_letters

    # public vs school: pooled 0.4457, z = 5.09; school vs special: pooled 0.6, z = 3.52;
    # public vs special: z = 0.28. Holm keeps the first two.
    letters = significance_letters(_shares([0.40, 0.75, 0.42], [400, 60, 50]))
    assert letters[["letter", "higher_than"]].values.tolist() == [["A", ""], ["B", "AC"], ["C", ""]]


def test_letters_weighted_use_the_design_standard_errors():
    from survey.analysis.letters import significance_letters

    # the same shares, but SEs so large that nothing differs (z = 0.35 / sqrt(2 * 0.2^2) = 1.24)
    wide = _shares([0.40, 0.75, 0.42], [400, 60, 50], se=[0.2, 0.2, 0.2], weighted=True)
    assert significance_letters(wide)["higher_than"].tolist() == ["", "", ""]
    narrow = _shares([0.40, 0.75, 0.42], [400, 60, 50], se=[0.02, 0.05, 0.07], weighted=True)
    assert significance_letters(narrow)["higher_than"].tolist() == ["", "AC", ""]


def test_suppressed_groups_get_no_letter():
    from survey.analysis.letters import significance_letters

    table = _shares([0.40, 0.75, 0.42, 0.9], [400, 60, 50, 5], suppressed=[False] * 3 + [True])
    assert significance_letters(table)["group"].tolist() == ["public", "school", "special"]


def _letters_block_by_block(results: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The letters worked out one block and one pair at a time, with pingouin's Holm: the
    reference for the engine's vectorised version."""
    from itertools import combinations
    from string import ascii_uppercase

    from pingouin import multicomp
    from scipy.stats import norm

    keys = ["wave", "question", "option", "by", "weighted"]
    shares = results[
        (results["by"] != "all") & (results["option"] != "mean") & ~results["suppressed"]
    ]
    found = {}
    for _, block in shares.groupby(keys, sort=False):
        if len(block) > len(ascii_uppercase):
            continue
        rows = list(block.itertuples())
        pairs = list(combinations(range(len(rows)), 2))
        p = []
        for i, j in pairs:
            a, b = rows[i], rows[j]
            if a.weighted:
                spread = (a.se**2 + b.se**2) ** 0.5
            else:
                pooled = (a.estimate * a.n + b.estimate * b.n) / (a.n + b.n)
                spread = (pooled * (1 - pooled) * (1 / a.n + 1 / b.n)) ** 0.5
            z = (a.estimate - b.estimate) / spread if spread > 0 else 0.0
            p.append(2 * norm.sf(abs(z)) if spread > 0 else 1.0)
        higher: dict[int, set[str]] = {i: set() for i in range(len(rows))}
        if pairs:
            for (i, j), p_adjusted in zip(pairs, multicomp(p, method="holm")[1], strict=True):
                if p_adjusted < alpha:
                    winner, loser = (i, j) if rows[i].estimate > rows[j].estimate else (j, i)
                    higher[winner].add(ascii_uppercase[loser])
        for i, row in enumerate(rows):
            found[row.Index] = (ascii_uppercase[i], "".join(sorted(higher[i])))
    kept = shares.loc[[index for index in shares.index if index in found]]
    return kept[[*keys, "group"]].assign(
        letter=[found[index][0] for index in kept.index],
        higher_than=[found[index][1] for index in kept.index],
    )


@pytest.mark.parametrize("size", [60, 250, 1000])
def test_letters_equal_the_block_by_block_reference(demo_dir, demo_tests, size):
    """Every block, pair and Holm adjustment of a wave's results (a random subset of it, so that
    some groups are suppressed, in shuffled order): the same letters as one block at a time."""
    from survey.analysis.letters import LETTER_COLUMNS, significance_letters
    from survey.analysis.results import results

    codebook = load_codebook(demo_dir / "codebook.yaml")
    respondents = pd.read_parquet(demo_tests.attrs["parquet"])
    respondents = respondents.sample(min(size, len(respondents)), random_state=size)
    table = results(respondents, codebook, wave="2024", weights=respondents["weight"])
    table = table.sample(frac=1, random_state=1)
    letters = significance_letters(table)
    expected = _letters_block_by_block(table)[LETTER_COLUMNS]
    assert letters["higher_than"].str.len().sum() > 0
    pd.testing.assert_frame_equal(letters, expected.reset_index(drop=True), check_dtype=False)


def test_pairwise_mann_whitney_by_hand(codebook):
    from scipy.stats import mannwhitneyu

    from survey.analysis.comparisons import pairwise_mann_whitney

    rng = np.random.default_rng(3)
    ratings = np.concatenate(
        [rng.integers(1, 4, 20), rng.integers(1, 6, 20), rng.integers(3, 6, 20)]
    )
    frame = pd.DataFrame(
        {
            "employer_support": ratings.astype(float),
            "sector": ["public"] * 20 + ["academic"] * 20 + ["school"] * 20,
            "role": "librarian",
            "region": "cariboo",
        }
    )
    pairs = pairwise_mann_whitney(frame, codebook, wave="w").query("question == 'employer_support'")
    assert len(pairs) == 3
    raw = []
    for row in pairs.itertuples():
        a = ratings[frame["sector"].to_numpy() == row.group_a]
        b = ratings[frame["sector"].to_numpy() == row.group_b]
        reference = mannwhitneyu(a, b, alternative="two-sided")
        assert row.statistic == pytest.approx(reference.statistic)
        assert row.p == pytest.approx(reference.pvalue, rel=1e-6)
        assert row.effect_size == pytest.approx(2 * reference.statistic / 400 - 1)
        raw.append(row.p)
    # Holm: sorted p times (3, 2, 1), made monotone
    order = np.argsort(raw)
    holm = np.maximum.accumulate(np.array(raw)[order] * np.array([3, 2, 1])).clip(max=1)
    assert pairs["p_holm"].to_numpy()[order] == pytest.approx(holm)


def test_pairwise_with_two_groups_has_one_uncorrected_comparison(codebook):
    from survey.analysis.comparisons import pairwise_mann_whitney

    frame = pd.DataFrame(
        {
            "employer_support": [1.0, 2.0, 3.0, 4.0, 5.0] * 4 + [3.0, 4.0, 5.0, 5.0, 5.0] * 4,
            "sector": ["public"] * 20 + ["school"] * 20,
            "role": "librarian",
            "region": "cariboo",
        }
    )
    pairs = pairwise_mann_whitney(frame, codebook, wave="w").query("by == 'sector'")
    assert len(pairs) == 1
    assert pairs["p_holm"].tolist() == pairs["p"].tolist()


def test_numbers_get_kruskal_wallis_unweighted(codebook):
    from scipy.stats import kruskal

    hours = [5.0, 10.0, 12.0, 20.0, 8.0] * 4 + [30.0, 45.0, 60.0, 25.0, 40.0] * 4
    frame = pd.DataFrame(
        {
            "cpd_hours": hours,
            "sector": ["public"] * 20 + ["school"] * 20,
            "role": "librarian",
            "region": "cariboo",
        }
    )
    row = comparison_tests(frame, codebook, wave="w").query("question == 'cpd_hours'").iloc[0]
    reference = kruskal(hours[:20], hours[20:])
    assert (row["by"], row["test"]) == ("sector", "kruskal_wallis")
    assert row["statistic"] == pytest.approx(reference.statistic)
    assert row["p"] == pytest.approx(reference.pvalue)


def test_numbers_get_a_wald_test_of_means_weighted(codebook):
    hours = [5.0, 10.0, 12.0, 20.0, 8.0] * 4 + [30.0, 45.0, 60.0, 25.0, 40.0] * 4
    frame = pd.DataFrame(
        {
            "cpd_hours": [*hours, np.nan],
            "sector": ["public"] * 20 + ["school"] * 20 + ["public"],
            "role": "librarian",
            "region": "cariboo",
        }
    )
    table = comparison_tests(frame, codebook, wave="w", weights=np.ones(41))
    row = table.query("question == 'cpd_hours'").iloc[0]
    # means 11 and 40; each group's variance of the mean is sum((y - mean)^2) / 20^2, times
    # n/(n-1) with n = 41, the whole wave (a missing answer still counts, as in R)
    a, b = np.array(hours[:20]), np.array(hours[20:])
    var = [np.sum((x - x.mean()) ** 2) / 400 * 41 / 40 for x in (a, b)]
    assert (row["test"], row["df"], row["df2"], row["n"]) == ("wald_f", 1, 38, 40)
    assert row["statistic"] == pytest.approx(29**2 / sum(var))
    between = 20 * (11 - 25.5) ** 2 + 20 * (40 - 25.5) ** 2
    total = np.sum((np.array(hours) - 25.5) ** 2)
    assert row["effect_name"] == "eta_squared"
    assert row["effect_size"] == pytest.approx(between / total)


def test_unweighted_tests_equal_pingouins_on_a_demo_wave(demo_dir, tmp_path_factory, demo_tests):
    """The chi-square and Kruskal-Wallis rows are pingouin's ``chi2_independence`` (Pearson)
    and ``kruskal``, row by row, on the respondents each test used."""
    import warnings

    import pingouin

    from survey.analysis.comparisons import _categorical, _groups, _testable

    codebook = load_codebook(demo_dir / "codebook.yaml")
    respondents = pd.read_parquet(demo_tests.attrs["parquet"])
    answers = {name: answer for name, answer, _ in _categorical(respondents, codebook)}
    answers["cpd_hours"] = pd.to_numeric(respondents["cpd_hours"])
    groups = _groups(respondents, codebook)
    rows = demo_tests.query("not weighted")
    assert len(rows) > 250
    for row in rows.itertuples():
        kept, _ = _testable(answers[row.question], groups[row.by], codebook.small_cell_threshold)
        data = pd.DataFrame(
            {"answer": answers[row.question][kept], "group": groups[row.by][kept].astype(str)}
        )
        assert len(data) == row.n
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if row.test == "chi2_independence":
                data["answer"] = data["answer"].astype(str)
                _, _, stats = pingouin.chi2_independence(
                    data, x="answer", y="group", correction=False
                )
                reference = stats.set_index("test").loc["pearson"]
                expected = (reference["chi2"], reference["dof"], reference["pval"])
                effect = reference["cramer"]
            else:
                data["answer"] = data["answer"].astype(float)
                reference = pingouin.kruskal(data, dv="answer", between="group").iloc[0]
                p = reference["p_unc"] if "p_unc" in reference else reference["p-unc"]
                expected = (reference["H"], reference["ddof1"], p)
                k = data["group"].nunique()
                effect = (reference["H"] - k + 1) / (len(data) - k)
        assert (row.statistic, row.df, row.p) == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert row.effect_size == pytest.approx(effect, rel=1e-9)


def test_a_table_whose_empty_cells_make_the_test_singular_has_no_test():
    # three groups answer only 2-4 while two others also use 1 and 5. R's svychisq stops with
    # "system is computationally singular" on this table (checked with weights 1, as on the
    # demo's comp_marketing by region in 2024); no test is published
    answers = np.array([1, 2, 3, 4, 5] * 6 + [2, 3, 4] * 12)
    groups = np.array([0] * 15 + [1] * 15 + [2] * 12 + [3] * 12 + [4] * 12)
    rng = np.random.default_rng(1)
    assert rao_scott(answers - 1, groups, rng.uniform(0.5, 2, len(answers))) is None
    full = np.array([1, 2, 3, 4, 5] * 12)
    assert rao_scott(full - 1, np.repeat([0, 1, 2, 3], 15), np.ones(60)) is not None


def test_a_sparse_rating_gets_the_wald_test_of_its_mean(codebook):
    # public and academic use the whole scale; school, special and other only 2-4
    ratings = [1.0, 2.0, 3.0, 4.0, 5.0] * 6 + [2.0, 3.0, 4.0] * 12
    sectors = ["public"] * 15 + ["academic"] * 15 + ["school"] * 12 + ["special"] * 12
    frame = pd.DataFrame(
        {
            "employer_support": ratings,
            "sector": sectors + ["other"] * 12,
            "role": "librarian",
            "region": "cariboo",
        }
    )
    table = comparison_tests(frame, codebook, wave="w", weights=np.ones(len(frame)))
    row = table.query("question == 'employer_support' and by == 'sector'")
    assert row["test"].tolist() == ["wald_f"]  # Rao-Scott is singular on this table
    codes = pd.Categorical(frame["sector"]).codes
    reference = wald_means(frame["employer_support"], codes, np.ones(len(frame)))
    assert row["statistic"].iloc[0] == pytest.approx(reference.statistic)
    assert row["df"].iloc[0] == 4


def _rao_scott_reference(rows, columns, weights):
    """The Rao-Scott F statistic and p-value with the n x cells matrix of linearised values,
    as the module docstring writes it (the test before rao_scott_tests formed the covariance
    from per-cell sums)."""
    from scipy.stats import f

    both = (rows >= 0) & (columns >= 0)
    _, r_index = np.unique(rows[both], return_inverse=True)
    _, c_index = np.unique(columns[both], return_inverse=True)
    nr, nc, n, w = r_index.max() + 1, c_index.max() + 1, int(both.sum()), weights[both]
    cell = r_index + nr * c_index
    p = np.bincount(cell, weights=w, minlength=nr * nc) / w.sum()
    z = -np.outer(w, p)
    z[np.arange(n), cell] += w
    variance = len(weights) / (len(weights) - 1) * (z / w.sum()).T @ (z / w.sum())
    observed = (p * n).reshape(nc, nr).T
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / n
    pearson = np.sum((observed - expected) ** 2 / expected)
    main = np.column_stack(
        [np.ones(nr * nc)]
        + [np.arange(nr * nc) % nr == i for i in range(1, nr)]
        + [np.arange(nr * nc) // nr == j for j in range(1, nc)]
    )
    interactions = np.column_stack(
        [(np.arange(nr * nc) % nr == i) & (np.arange(nr * nc) // nr == j)
         for j in range(1, nc) for i in range(1, nr)]
    ).astype(float)  # fmt: skip
    contrasts = interactions - main @ np.linalg.lstsq(main, interactions, rcond=None)[0]
    scaled = contrasts * np.divide(1, p, out=np.zeros_like(p), where=p > 0)[:, None]
    delta = np.linalg.solve(contrasts.T @ scaled / n, scaled.T @ variance @ scaled)
    d0 = np.trace(delta) ** 2 / np.trace(delta @ delta)
    statistic = pearson / np.trace(delta)
    return statistic, float(f.sf(statistic, d0, d0 * (n - 1)))


@pytest.mark.parametrize("seed", range(12))
def test_rao_scott_tests_of_many_tables_equal_each_table_and_the_formula(seed):
    from survey.analysis.design_tests import rao_scott_tests

    rng = np.random.default_rng(seed)
    n, tables = int(rng.integers(30, 400)), int(rng.integers(1, 6))
    nr, nc = int(rng.integers(2, 6)), int(rng.integers(2, 7))
    rows = rng.integers(-1, nr, (tables, n))
    columns = rng.integers(-1, nc, n)
    if seed % 3 == 0:  # sparse: group 0 answers only the middle of the scale, maybe singular
        rows[:, columns == 0] = rng.integers(1, max(nr - 1, 2), (tables, int((columns == 0).sum())))
    if seed % 4 == 0:
        rows = np.where(rows >= 0, 3 * rows + 70, -1)  # codes with gaps, above 64
    weights = rng.uniform(0.2, 4.0, n)
    together = rao_scott_tests(rows, columns, weights)
    for table, test in enumerate(together):
        alone = rao_scott(rows[table], columns, weights)
        assert (test is None) == (alone is None)
        if test is None:
            continue
        assert vars(test) == pytest.approx(vars(alone), rel=1e-13)
        statistic, p = _rao_scott_reference(rows[table], columns, weights)
        assert test.statistic == pytest.approx(statistic, rel=1e-12)
        assert test.p == pytest.approx(p, rel=1e-9, abs=1e-15)


def _counts(samples, values):
    return np.array([[np.sum(sample == value) for value in values] for sample in samples])


@pytest.mark.parametrize("seed", range(40))
def test_mann_whitney_from_counts_equals_scipy(seed):
    """U and p of every pair, with ties and unequal groups (and, for groups of 8 or fewer
    without ties, scipy's exact test), equal scipy.stats.mannwhitneyu's."""
    from scipy.stats import mannwhitneyu

    from survey.analysis.comparisons import _mann_whitney

    rng = np.random.default_rng(seed)
    values = np.sort(rng.choice(np.arange(-3.0, 40.0, 0.5), int(rng.integers(2, 12)), False))
    if seed % 5 == 0:
        values = np.sort(rng.normal(size=60))  # (almost) no ties: small pairs are exact
    pairs = []
    for _ in range(15):
        sizes = rng.integers(1, 9, 2) if seed % 5 == 0 else rng.integers(1, 400, 2)
        pairs.append([rng.choice(values, size) for size in sizes])
    first = _counts([a for a, _ in pairs], values)
    second = _counts([b for _, b in pairs], values)
    u, p = _mann_whitney(first, second)
    for pair, (a, b) in enumerate(pairs):
        reference = mannwhitneyu(a, b, alternative="two-sided")
        assert u[pair] == reference.statistic
        assert p[pair] == pytest.approx(reference.pvalue, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("seed", range(30))
def test_kruskal_wallis_from_counts_equals_scipy(seed):
    from scipy.stats import kruskal

    from survey.analysis.comparisons import _kruskal_wallis

    rng = np.random.default_rng(seed)
    values = np.sort(rng.choice(np.arange(1.0, 60.0), int(rng.integers(2, 10)), False))
    groups = [rng.choice(values, int(rng.integers(1, 3000))) for _ in range(rng.integers(2, 8))]
    statistic, p = _kruskal_wallis(_counts(groups, values))
    reference = kruskal(*groups)
    assert statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert p == pytest.approx(reference.pvalue, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("seed", range(8))
def test_pairwise_rows_equal_scipy_and_pingouins_holm(codebook, seed):
    """Every row of pairwise_mann_whitney on random ratings (ties, unequal and small groups,
    missing answers) against scipy.stats.mannwhitneyu and pingouin's Holm adjustment."""
    import pingouin
    from scipy.stats import mannwhitneyu

    from survey.analysis.comparisons import pairwise_mann_whitney

    rng = np.random.default_rng(seed)
    n = int(rng.integers(60, 800))
    sectors = codebook.question("sector").option_codes()
    frame = pd.DataFrame(
        {
            "employer_support": rng.integers(1, 6, n).astype(float),
            "sector": rng.choice(sectors, n, p=rng.dirichlet(np.ones(len(sectors)))),
            "role": "librarian",
            "region": rng.choice(["cariboo", "north_coast"], n),
        }
    )
    frame.loc[rng.random(n) < 0.1, "employer_support"] = np.nan
    frame.loc[rng.random(n) < 0.05, "sector"] = None
    pairs = pairwise_mann_whitney(frame, codebook, wave="w").query("question == 'employer_support'")
    assert len(pairs) > 0
    for (_, by), family in pairs.groupby(["question", "by"]):
        for row in family.itertuples():
            a = frame.loc[frame[by] == row.group_a, "employer_support"].dropna()
            b = frame.loc[frame[by] == row.group_b, "employer_support"].dropna()
            assert (row.n_a, row.n_b) == (len(a), len(b))
            assert min(len(a), len(b)) >= codebook.small_cell_threshold
            reference = mannwhitneyu(a, b, alternative="two-sided")
            assert row.statistic == reference.statistic
            assert row.p == pytest.approx(reference.pvalue, rel=1e-12)
        holm = pingouin.multicomp(family["p"].to_numpy(), method="holm")[1]
        np.testing.assert_array_equal(family["p_holm"].to_numpy(), holm)
