"""Weighting and estimates on the demo waves and on small tables: errors with messages,
suppression (primary and complementary), planted effects recovered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from factories import NEEDS_CONTRACT, TESTS_CONTRACT

from survey.analysis.results import RESULT_COLUMNS, estimate_table, results, suppress
from survey.codebook import load_codebook
from survey.errors import DataError
from survey.weighting import composition, rake

MARGINS = {"sector": {"public": 60.0, "school": 40.0}, "region": {"north": 30.0, "south": 70.0}}
PEOPLE = pd.DataFrame(
    {
        "sector": ["public", "public", "school", "school", "school", "public"],
        "region": ["north", "south", "north", "south", "south", "south"],
    }
)


@pytest.mark.parametrize(
    ("people", "message"),
    [
        (PEOPLE.assign(sector="public"), r"nobody answered from sector \['school'\]"),
        (
            PEOPLE.assign(region=["north", "south", "east", "south", "south", "south"]),
            r"region \['east'\] are not in the frame margins",
        ),
        (
            PEOPLE.assign(sector=["public", None, "school", "school", "school", "public"]),
            "1 respondents have no sector",
        ),
        (PEOPLE.drop(columns="region"), "no column 'region' to rake on"),
    ],
)
def test_raking_problems_are_errors_with_messages(people, message):
    with pytest.raises(DataError, match=message):
        rake(people, margins=MARGINS)


def test_no_convergence_is_an_error_not_a_weight_of_one():
    with pytest.raises(DataError, match="raking did not converge in 1 passes"):
        rake(PEOPLE, margins=MARGINS, epsilon=1e-12, max_iterations=1)


def test_raked_weights_match_every_margin():
    raked = rake(PEOPLE, margins=MARGINS, epsilon=1e-10, max_iterations=100)
    for name, counts in MARGINS.items():
        totals = raked.weights.groupby(PEOPLE[name]).sum()
        assert totals.to_dict() == pytest.approx(counts, abs=1e-8)
    assert raked.design_effect == pytest.approx(
        len(PEOPLE) * (raked.weights**2).sum() / raked.weights.sum() ** 2
    )
    assert raked.effective_n == pytest.approx(len(PEOPLE) / raked.design_effect)


def test_trimming_caps_weights_and_rakes_again():
    people = pd.DataFrame({"sector": ["public"] * 9 + ["school"], "region": ["north", "south"] * 5})
    untrimmed = rake(people, margins=MARGINS, epsilon=1e-9, max_iterations=200)
    assert untrimmed.weights.max() / untrimmed.weights.mean() > 3
    trimmed = rake(people, margins=MARGINS, epsilon=1e-9, max_iterations=200, trim_ratio=3)
    assert trimmed.trimmed >= 1
    assert trimmed.weights.sum() == pytest.approx(100)
    assert trimmed.weights.max() < untrimmed.weights.max()


def test_composition_compares_sample_and_frame():
    raked = rake(PEOPLE, margins=MARGINS, epsilon=1e-10, max_iterations=100)
    table = composition(PEOPLE, margins=MARGINS, weights=raked.weights).set_index("category")
    assert table.loc["school", ["frame", "respondents"]].tolist() == [40.0, 3]
    assert table.loc["school", "sample_share"] == pytest.approx(0.5)
    assert table.loc["school", "weighted_share"] == pytest.approx(0.4)
    assert table.loc["school", "response_rate"] == pytest.approx(3 / 40)


def _table(groups: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave": "w",
            "question": "q",
            "option": "a",
            "by": "region",
            "group": list(groups),
            "n": list(groups.values()),
            "estimate": 0.5,
            "se": 0.1,
            "ci_low": 0.3,
            "ci_high": 0.7,
            "weighted": False,
            "suppressed": False,
        }
    )


@pytest.mark.parametrize(
    ("groups", "hidden"),
    [
        ({"a": 50, "b": 30, "c": 20}, []),
        ({"a": 50, "b": 30, "c": 9}, ["c", "b"]),  # b is the next smallest
        ({"a": 50, "b": 3, "c": 9}, ["b", "c"]),  # two small: nothing more to hide
        ({"a": 50, "b": 10}, []),  # the threshold itself is shown
        ({"a": 50, "b": 9}, ["b", "a"]),  # two groups: the other would give it away
    ],
)
def test_primary_and_complementary_suppression(groups, hidden):
    table = suppress(_table(groups), threshold=10)
    assert sorted(table.loc[table["suppressed"], "group"]) == sorted(hidden)
    assert (
        table.loc[table["suppressed"], ["estimate", "se", "ci_low", "ci_high"]].isna().all().all()
    )
    assert table.loc[~table["suppressed"], "estimate"].notna().all()
    assert table["n"].tolist() == list(groups.values())  # n stays, as the contract says


@pytest.fixture(scope="module")
def demo_results(demo_dir):
    codebook = load_codebook(demo_dir / "codebook.yaml")
    import tempfile
    from pathlib import Path

    from survey.pipeline import process_wave

    folder = Path(tempfile.mkdtemp())
    tables = {}
    for wave in codebook.waves:
        process_wave(codebook, wave, out_dir=folder / wave.id, processed_dir=folder / "processed")
        tables[wave.id] = pd.read_csv(folder / wave.id / "results.csv", dtype={"wave": str})
    return codebook, tables, folder


def _row(table, question, option, by, group, weighted=True):
    rows = table[
        (table["question"] == question)
        & (table["option"] == option)
        & (table["by"] == by)
        & (table["group"] == group)
        & (table["weighted"] == weighted)
    ]
    assert len(rows) == 1, (question, option, by, group)
    return rows.iloc[0]


@pytest.mark.parametrize("wave", ["2024", "2025", "2026"])
def test_results_follow_the_contract(demo_results, wave):
    codebook, tables, folder = demo_results
    table = tables[wave]
    assert list(table.columns) == RESULT_COLUMNS
    assert set(table["weighted"]) == {True, False}
    published = table[~table["suppressed"]]
    assert (published["n"] >= codebook.small_cell_threshold).all()
    assert table.loc[table["suppressed"], "estimate"].isna().all()
    shares = published[~published["option"].isin(["mean"])]
    assert shares["estimate"].between(0, 1).all()
    assert (shares["ci_low"] <= shares["estimate"] + 1e-12).all()
    assert (shares["estimate"] <= shares["ci_high"] + 1e-12).all()
    processed = pd.read_parquet(folder / "processed" / f"{wave}.parquet")
    for name, counts in codebook.frame.items():
        totals = processed.groupby(name)["weight"].sum()
        assert totals.to_dict() == pytest.approx(counts, abs=2)  # R's epsilon = 1


@pytest.mark.parametrize("wave", ["2024", "2025", "2026"])
def test_planted_effects_come_out_where_they_were_planted(demo_results, wave):
    _, tables, _ = demo_results
    table = tables[wave]
    school = _row(table, "imp_literacy_instruction", "top2", "sector", "school")
    public = _row(table, "imp_literacy_instruction", "top2", "sector", "public")
    assert school["estimate"] - public["estimate"] > 0.2
    assert school["ci_low"] > public["ci_high"]
    travel = {
        g: _row(table, "barriers", "travel", "region", g, weighted=False)
        for g in ("mainland_southwest", "cariboo")
    }
    assert travel["cariboo"]["estimate"] > travel["mainland_southwest"]["estimate"] + 0.3
    assistants = _row(table, "paid_time", "all", "role", "assistant")
    librarians = _row(table, "paid_time", "all", "role", "librarian")
    assert assistants["ci_high"] < librarians["ci_low"]
    for topic in ("leadership", "advocacy", "governance"):
        managers = _row(table, f"imp_{topic}", "mean", "role", "manager")
        everyone = _row(table, f"imp_{topic}", "mean", "all", "all")
        assert managers["estimate"] > everyone["estimate"] + 0.5, topic


def test_assessment_importance_rises_across_waves(demo_results):
    _, tables, _ = demo_results
    means = [
        _row(tables[w], "imp_assessment", "mean", "all", "all")["estimate"]
        for w in ("2024", "2025", "2026")
    ]
    assert means[0] + 0.3 < means[1] < means[2] - 0.3


def test_every_engine_table_is_written_with_its_contract_columns(demo_results):
    _, _, folder = demo_results
    wave = folder / "2024"
    needs_table = pd.read_csv(wave / "needs.csv")
    assert list(needs_table.columns[:9]) == NEEDS_CONTRACT
    assert set(needs_table["weighted"]) == {True, False}
    leaders = needs_table.query("by == 'role' and group == 'manager' and weighted")
    top = leaders.sort_values("rank").head(3)["topic"]
    assert set(top) == {"leadership", "advocacy", "governance"}
    tests_table = pd.read_csv(wave / "tests.csv")
    assert list(tests_table.columns[:10]) == TESTS_CONTRACT
    pairwise = pd.read_csv(wave / "pairwise.csv")
    omnibus = tests_table.query("test == 'kruskal_wallis' and p_adjusted < 0.05")
    assert set(zip(pairwise["question"], pairwise["by"], strict=True)) == set(
        zip(omnibus["question"], omnibus["by"], strict=True)
    )  # post-hoc tests only where the omnibus test is significant
    themes = pd.read_csv(wave / "themes.csv")
    coded = themes.query("question == 'learn_next' and by == 'all' and theme != 'uncoded'")
    assert (coded["count"] > 0).all() and len(coded) >= 10
    quotes = pd.read_csv(wave / "quotes.csv")
    assert len(quotes) > 0 and not quotes["quote"].str.contains("@").any()
    reliability = pd.read_csv(wave / "reliability.csv")
    assert sorted(reliability["item"]) == ["comp", "imp"]


def test_a_breakdown_nobody_answered_is_left_out(codebook):
    from survey.analysis.needs import needs

    respondents = pd.DataFrame(
        {
            "sector": pd.array([None, None], dtype="string"),
            "role": ["librarian"] * 2,
            "region": ["cariboo"] * 2,
            "imp_leadership": [4.0, 5.0],
            "comp_leadership": [2.0, 3.0],
        }
    )
    table = needs(respondents, codebook, wave="w")
    assert set(table["by"]) == {"all", "role", "region"}
    assert set(results(respondents, codebook, wave="w")["by"]) == {"all", "role", "region"}


def test_raking_a_column_of_numbers_matches_the_frame_as_text():
    # margins are text; a column of codes written as numbers is raked as its text, as before
    people = PEOPLE.assign(region=[1, 2, 1, 2, 2, 2])
    raked = rake(people, margins={**MARGINS, "region": {"1": 30.0, "2": 70.0}})
    by_text = rake(PEOPLE, margins=MARGINS)
    assert raked.weights.tolist() == by_text.weights.tolist()


def test_groupings_number_the_codebook_groups_that_answered(codebook):
    from survey.analysis.results import groupings

    respondents = pd.DataFrame(
        {
            "sector": pd.array(["school", None, "public", "nonsense", "school"], dtype="string"),
            "role": pd.array([None] * 5, dtype="string"),
        }
    )
    found = {by: (codes.tolist(), names) for by, codes, names in groupings(respondents, codebook)}
    # public before school (codebook order); no role answered, so no role breakdown
    assert found == {"all": ([0] * 5, ["all"]), "sector": ([1, -1, 0, -1, 1], ["public", "school"])}


def _answers(rng, respondents: int, variables: int):
    values = rng.integers(0, 3, (respondents, variables)).astype(float)
    values[:, ::2] = rng.normal(size=(respondents, (variables + 1) // 2))
    values[rng.random(values.shape) < 0.2] = np.nan
    return values


@pytest.mark.parametrize("seed", range(20))
def test_domain_means_of_many_variables_are_each_variables_own(seed):
    """A matrix of variables gives, bit for bit, what each column gives alone (the 16 topics
    of a breakdown are estimated in one call)."""
    from survey.analysis.estimates import domain_means

    rng = np.random.default_rng(seed)
    respondents, groups = int(rng.integers(2, 300)), int(rng.integers(1, 7))
    values = _answers(rng, respondents, int(rng.integers(1, 9)))
    values = np.asfortranarray(values) if seed % 2 else values  # a DataFrame block's layout
    weights = rng.uniform(0.2, 5.0, respondents)
    group = rng.integers(-1, groups, respondents)
    together = domain_means(values, weights, group, groups=groups)
    for column in range(values.shape[1]):
        alone = domain_means(values[:, column], weights, group, groups=groups)
        for field in ("estimate", "se", "n", "weight"):
            np.testing.assert_array_equal(getattr(together, field)[column], getattr(alone, field))


def test_domain_means_by_hand_with_a_matrix():
    from survey.analysis.estimates import domain_means

    values = np.array([[1.0, 2.0], [0.0, np.nan], [1.0, 4.0], [np.nan, 6.0]])
    result = domain_means(values, np.array([1.0, 2.0, 1.0, 1.0]), [0, 0, 1, 1], groups=2)
    # first variable, group 0: (1*1 + 2*0) / 3; second, group 1: (4 + 6) / 2
    assert result.estimate.tolist() == [[pytest.approx(1 / 3), 1.0], [2.0, 5.0]]
    assert result.n.tolist() == [[2, 1], [1, 2]]
    assert result.weight.tolist() == [[3.0, 1.0], [1.0, 2.0]]


def test_beta_intervals_in_one_call_equal_scipy_per_interval():
    """Korn-Graubard bounds, and Clopper-Pearson at 0% and 100%, each as scipy gives it."""
    from scipy.stats import beta

    from survey.analysis.estimates import beta_interval

    rng = np.random.default_rng(4)
    p = np.concatenate([rng.uniform(0.01, 0.99, 40), [0.0, 1.0, 0.0, 1.0, 0.5]])
    se = np.concatenate([rng.uniform(0.005, 0.2, 40), [0.0, 0.0, 0.0, 0.0, np.nan]])
    n = np.concatenate([rng.integers(5, 500, 40), [12, 7, 300, 1, 0]])
    low, high = beta_interval(p, se, n)
    lower, upper = (1 - 0.95) / 2, 1 - (1 - 0.95) / 2  # as beta_interval(level=0.95)
    for i in range(len(p)):
        if p[i] == 0:
            expected = (0.0, beta.ppf(upper, 1, n[i]))
        elif p[i] == 1:
            expected = (beta.ppf(lower, n[i], 1), 1.0)
        else:
            size = p[i] * (1 - p[i]) / se[i] ** 2
            expected = (
                beta.ppf(lower, size * p[i], size * (1 - p[i]) + 1),
                beta.ppf(upper, size * p[i] + 1, size * (1 - p[i])),
            )
        np.testing.assert_array_equal((low[i], high[i]), expected)


def test_domain_means_of_no_respondents_is_empty_not_an_error():
    """A filter that selects nobody (the dashboard's too-small group) gives NaN means and no
    answers, for one variable and for a matrix."""
    from survey.analysis.estimates import domain_means

    none = np.array([], dtype=np.int64)
    one = domain_means(np.array([]), np.array([]), none, groups=3)
    assert np.isnan(one.estimate).all() and one.n.tolist() == [0, 0, 0]
    matrix = domain_means(np.empty((0, 4)), np.array([]), none, groups=3)
    assert matrix.estimate.shape == (4, 3) and matrix.n.sum() == 0


def test_without_scale_points_the_other_rows_are_the_same(demo_results):
    """estimate_table(scale_points=False), which the dashboard's trends use, leaves out only
    the ratings' per-point shares; every other row, suppression included, is unchanged."""
    from survey.analysis.results import estimate_table, suppress

    codebook, _, folder = demo_results
    respondents = pd.read_parquet(folder / "processed" / "2024.parquet")
    weights = respondents["weight"].to_numpy()
    every = suppress(
        estimate_table(respondents, codebook, wave="2024", weights=weights),
        threshold=codebook.small_cell_threshold,
    )
    fewer = suppress(
        estimate_table(respondents, codebook, wave="2024", weights=weights, scale_points=False),
        threshold=codebook.small_cell_threshold,
    )
    ratings = set(every.loc[every["option"] == "top2", "question"])
    dropped = every["question"].isin(ratings) & ~every["option"].isin(["top2", "mean"])
    assert dropped.sum() > 1000 and every.loc[dropped, "option"].str.fullmatch(r"\d+").all()
    pd.testing.assert_frame_equal(
        fewer.reset_index(drop=True), every[~dropped].reset_index(drop=True)
    )


@pytest.mark.parametrize("seed", range(12))
def test_category_shares_are_domain_means_of_each_options_indicator(seed):
    """One pass over a categorical answer gives each option's share as domain_means of its
    0/1 indicator: the same estimates, counts and weights, standard errors to rounding, and a
    standard error of exactly 0 where a group chose one option only."""
    from survey.analysis.estimates import category_shares, domain_means

    rng = np.random.default_rng(seed)
    n, groups, categories = int(rng.integers(30, 400)), 4, 5
    codes = rng.integers(-1, categories, n)
    group = rng.integers(-1, groups, n)
    group[group == 2] = -1  # an empty group
    codes[group == 3] = 1  # a group where everyone who answered chose category 1
    weights = rng.uniform(0.2, 3.0, n) if seed % 2 else np.ones(n)
    options = [[0], [1], [2], [3], [4], [3, 4]]
    shares = category_shares(
        codes, weights, group, groups=groups, categories=categories, options=options
    )
    for row, option in enumerate(options):
        indicator = np.where(codes >= 0, np.isin(codes, option), np.nan)
        expected = domain_means(indicator, weights, group, groups=groups)
        np.testing.assert_array_equal(shares.estimate[row], expected.estimate)
        np.testing.assert_array_equal(shares.n[row], expected.n)
        np.testing.assert_array_equal(shares.weight[row], expected.weight)
        np.testing.assert_allclose(shares.se[row], expected.se, rtol=1e-12, equal_nan=True)
    assert shares.se[1, 3] == 0.0 and shares.estimate[1, 3] == 1.0
    assert np.isnan(shares.estimate[:, 2]).all()


@pytest.mark.parametrize("seed", range(6))
def test_several_groupings_at_once_give_each_groupings_own_numbers(seed):
    """A matrix of groupings (each with its own group numbers) is estimated in one call:
    every group's numbers are those of its grouping alone, bit for bit."""
    from survey.analysis.estimates import category_shares, domain_means

    rng = np.random.default_rng(seed)
    n, categories = int(rng.integers(2, 300)), int(rng.integers(2, 12))
    sizes = [1, *rng.integers(1, 9, 3)]
    alone = [rng.integers(-1, size, n) for size in sizes]
    alone[0][:] = 0  # the total
    starts = np.cumsum([0, *sizes[:-1]])
    stacked = np.vstack(
        [np.where(g >= 0, g + start, -1) for g, start in zip(alone, starts, strict=True)]
    )
    weights = rng.uniform(0.2, 3.0, n) if seed % 2 else np.ones(n)
    codes = rng.integers(-1, categories, n)
    options = [[c] for c in range(categories)] + [[categories - 2, categories - 1]]
    values = rng.normal(3.0, 1.0, (n, 5))
    values[rng.random((n, 5)) < 0.2] = np.nan
    together = (
        category_shares(codes, weights, stacked, groups=sum(sizes), categories=categories,
                        options=options),
        domain_means(values, weights, stacked, groups=sum(sizes)),
    )  # fmt: skip
    for g, start, size in zip(alone, starts, sizes, strict=True):
        own = (
            category_shares(codes, weights, g, groups=size, categories=categories,
                            options=options),
            domain_means(values, weights, g, groups=size),
        )  # fmt: skip
        for mine, theirs in zip(own, together, strict=True):
            for field in ("estimate", "se", "n", "weight"):
                np.testing.assert_array_equal(
                    getattr(theirs, field)[..., start : start + size], getattr(mine, field)
                )


def _suppress_by_groupby(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The suppression rule written plainly with pandas (the engine's was, before it was made
    faster with numpy): the reference the engine is checked against."""
    table = table.copy()
    small = table["n"] < threshold
    keys = ["wave", "question", "option", "by", "weighted"]
    breakdowns = table["by"] != "all"
    counts = small[breakdowns].groupby([table.loc[breakdowns, k] for k in keys]).transform("sum")
    lone = pd.Series(False, index=table.index)
    lone[breakdowns] = counts == 1
    candidates = table[lone & ~small]
    if not candidates.empty:
        order = candidates.sort_values(["n", "group"], kind="stable")
        small[order.groupby(keys, sort=False).head(1).index] = True
    table["suppressed"] = small.to_numpy()
    table.loc[small, ["estimate", "se", "ci_low", "ci_high"]] = np.nan
    return table


@pytest.mark.parametrize("seed", range(8))
def test_suppression_is_the_rule_written_plainly(demo_results, seed):
    """On random subsets of a wave, at thresholds where many breakdowns have one small group,
    in any row order and with any index: the same table as the plain pandas rule."""
    codebook, _, folder = demo_results
    rng = np.random.default_rng(seed)
    respondents = pd.read_parquet(folder / "processed" / "2025.parquet")
    respondents = respondents.sample(int(rng.integers(40, 400)), random_state=seed)
    table = pd.concat(
        [
            estimate_table(respondents, codebook, wave="2025"),
            estimate_table(respondents, codebook, wave="2025", weights=respondents["weight"]),
        ],
        ignore_index=True,
    )
    table = table.sample(frac=1, random_state=seed).set_axis(range(7, 7 + len(table)))
    companions = 0
    for threshold in (5, 10, 30, 80):
        expected = _suppress_by_groupby(table, threshold)
        pd.testing.assert_frame_equal(suppress(table, threshold=threshold), expected)
        companions += int(expected["suppressed"].sum() - (table["n"] < threshold).sum())
    assert companions > 0  # the second rule was exercised


def test_breakdowns_one_call_each_give_the_same_tables(demo_results, monkeypatch):
    """A large wave's breakdowns are estimated a call each (a smaller one's in one call): the
    same bytes either way."""
    from survey.analysis import results as engine

    codebook, _, folder = demo_results
    respondents = pd.read_parquet(folder / "processed" / "2025.parquet")
    weights = respondents["weight"].to_numpy()

    def table() -> str:
        return engine.results(respondents, codebook, wave="2025", weights=weights).to_csv()

    monkeypatch.setattr(engine, "_APART_FROM", 10**9)
    one = table()
    monkeypatch.setattr(engine, "_APART_FROM", 1)
    assert table() == one
