"""Learning needs (top-2 importance, mean gap, Borich's MWDS and its rank) and Cronbach's alpha:
a table worked by hand, the MWDS standard error against two independent computations,
suppression, and the effects planted in the demo waves."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin
import pytest
from factories import NEEDS_CONTRACT

from survey.analysis.needs import ALPHA_COLUMNS, NEEDS_COLUMNS, cronbach_alpha, needs
from survey.codebook import Codebook, load_codebook

#: What a suppressed row blanks: the contract's three figures, the two means (with them the
#: gap and the MWDS could be worked out again), and the MWDS's standard error and interval.
FIGURES = [*NEEDS_CONTRACT[5:8], "mean_importance", "mean_confidence"]
FIGURES += ["mwds_se", "mwds_ci_low", "mwds_ci_high"]


@pytest.fixture
def no_threshold(codebook: Codebook) -> Codebook:
    """The reference codebook with nothing suppressed, for tables of a handful of people."""
    return codebook.model_copy(update={"small_cell_threshold": 1})


def _row(table: pd.DataFrame, topic: str, by: str = "all", group: str = "all") -> pd.Series:
    rows = table[(table["topic"] == topic) & (table["by"] == by) & (table["group"] == group)]
    assert len(rows) == 1, (topic, by, group)
    return rows.iloc[0]


# ------------------------------------------------------------------------ worked by hand
# Five respondents, two topics (leadership before advocacy in the codebook), weights 1 2 1 3 1.
HAND = pd.DataFrame(
    {
        "role": ["manager", "manager", "librarian", "librarian", "librarian"],
        "imp_leadership": [5.0, 4.0, 3.0, 2.0, np.nan],
        "comp_leadership": [2.0, 4.0, 1.0, np.nan, 3.0],
        "imp_advocacy": [4.0, 2.0, np.nan, 5.0, 4.0],
        "comp_advocacy": [3.0, 1.0, 2.0, 2.0, 4.0],
    }
)
HAND_WEIGHTS = np.array([1.0, 2.0, 1.0, 3.0, 1.0])


def test_worked_example_unweighted(no_threshold):
    table = needs(HAND, no_threshold, wave="hand")
    assert list(table.columns[: len(NEEDS_CONTRACT)]) == NEEDS_CONTRACT
    assert list(table.columns) == NEEDS_COLUMNS
    assert not table["weighted"].any()
    # leadership, all. Importance rated by 1-4: 5 4 3 2, top-2 (4 or 5) = 2/4.
    # Paired (both ratings) = 1, 2, 3: gaps 3 0 2 -> G = 5/3; importance 5 4 3 -> I = 4;
    # confidence 2 4 1 -> 7/3; MWDS = G I = 20/3 (= mean of gap_i x I = (12 + 0 + 8)/3).
    leadership = _row(table, "leadership")
    assert leadership["n"] == 3
    assert leadership["top2_importance"] == pytest.approx(2 / 4, abs=1e-12)
    assert leadership["mean_gap"] == pytest.approx(5 / 3, abs=1e-12)
    assert leadership["mean_importance"] == pytest.approx(4, abs=1e-12)
    assert leadership["mean_confidence"] == pytest.approx(7 / 3, abs=1e-12)
    assert leadership["mwds"] == pytest.approx(20 / 3, abs=1e-12)
    # Its SE: u_i = I (gap_i - G) + G (imp_i - I) = 7, -20/3, -1/3 (sum 0); z_i = u_i / 3;
    # variance = 5/4 (49/9 + 400/81 + 1/81) = 2105/162 (n = 5, all respondents of the wave).
    assert leadership["mwds_se"] == pytest.approx(math.sqrt(2105 / 162), abs=1e-12)
    half = 1.959963984540054 * math.sqrt(2105 / 162)
    assert leadership["mwds_ci_low"] == pytest.approx(20 / 3 - half, abs=1e-9)
    assert leadership["mwds_ci_high"] == pytest.approx(20 / 3 + half, abs=1e-9)
    # advocacy, all. Importance rated by 1 2 4 5: 4 2 5 4, top-2 = 3/4.
    # Paired = 1 2 4 5: gaps 1 1 3 0 -> G = 5/4; importance 4 2 5 4 -> I = 15/4;
    # MWDS = 75/16 = 4.6875 < 20/3: leadership is the bigger need unweighted.
    advocacy = _row(table, "advocacy")
    assert advocacy["n"] == 4
    assert advocacy["top2_importance"] == pytest.approx(3 / 4, abs=1e-12)
    assert advocacy["mean_gap"] == pytest.approx(5 / 4, abs=1e-12)
    assert advocacy["mwds"] == pytest.approx(75 / 16, abs=1e-12)
    assert (leadership["rank"], advocacy["rank"]) == (1, 2)


def test_worked_example_weighted(no_threshold):
    table = needs(HAND, no_threshold, wave="hand", weights=HAND_WEIGHTS)
    assert table["weighted"].all()
    # leadership, all. Raters 1-4, weights 1 2 1 3 (7); 4-5 by 1 and 2 -> top-2 = 3/7.
    # Paired 1 2 3, weights 1 2 1 (4): G = (3 + 0 + 2)/4 = 5/4; I = (5 + 8 + 3)/4 = 4;
    # MWDS = 5.
    leadership = _row(table, "leadership")
    assert leadership["n"] == 3  # unweighted count
    assert leadership["top2_importance"] == pytest.approx(3 / 7, abs=1e-12)
    assert leadership["mean_gap"] == pytest.approx(5 / 4, abs=1e-12)
    assert leadership["mwds"] == pytest.approx(5, abs=1e-12)
    # advocacy, all. Raters 1 2 4 5, weights 1 2 3 1 (7); 4-5 by 1, 4, 5 -> top-2 = 5/7.
    # Paired 1 2 4 5 (7): G = (1 + 2 + 9 + 0)/7 = 12/7; I = (4 + 4 + 15 + 4)/7 = 27/7;
    # MWDS = 324/49 = 6.61 > 5: weighting makes advocacy the bigger need.
    advocacy = _row(table, "advocacy")
    assert advocacy["top2_importance"] == pytest.approx(5 / 7, abs=1e-12)
    assert advocacy["mean_gap"] == pytest.approx(12 / 7, abs=1e-12)
    assert advocacy["mean_importance"] == pytest.approx(27 / 7, abs=1e-12)
    assert advocacy["mwds"] == pytest.approx(324 / 49, abs=1e-12)
    assert (advocacy["rank"], leadership["rank"]) == (1, 2)
    # role = manager (1, 2; weights 1 2). leadership: gaps 3 0 -> G = 1, I = 13/3, MWDS = 13/3,
    # top-2 = 1; advocacy: gaps 1 1 -> G = 1, I = 8/3, MWDS = 8/3, top-2 = 1/3.
    manager_l = _row(table, "leadership", "role", "manager")
    manager_a = _row(table, "advocacy", "role", "manager")
    assert manager_l["mwds"] == pytest.approx(13 / 3, abs=1e-12)
    assert manager_a["mwds"] == pytest.approx(8 / 3, abs=1e-12)
    assert manager_a["top2_importance"] == pytest.approx(1 / 3, abs=1e-12)
    assert (manager_l["rank"], manager_a["rank"]) == (1, 2)
    # role = librarian (3 4 5; weights 1 3 1). leadership: paired only 3: G = 2, I = 3, MWDS 6,
    # top-2 over 3, 4 (3, 2) = 0; advocacy: paired 4 5 (3, 1): G = 9/4, I = 19/4,
    # MWDS = 171/16, top-2 = 1.
    librarian_l = _row(table, "leadership", "role", "librarian")
    librarian_a = _row(table, "advocacy", "role", "librarian")
    assert (librarian_l["n"], librarian_a["n"]) == (1, 2)
    assert librarian_l["mwds"] == pytest.approx(6, abs=1e-12)
    assert librarian_l["top2_importance"] == 0
    assert librarian_a["mwds"] == pytest.approx(171 / 16, abs=1e-12)
    assert (librarian_a["rank"], librarian_l["rank"]) == (1, 2)
    # groups in codebook option order (librarian before manager), only those present
    assert table.loc[table["by"] == "role", "group"].tolist()[:2] == ["librarian", "manager"]


def test_ties_in_mwds_go_to_the_higher_top2(no_threshold):
    # The same paired answers for both topics, so the same MWDS; respondent 4 rated only the
    # importance of advocacy, 5, which raises its top-2 (3/4 against 2/3), not its MWDS.
    respondents = pd.DataFrame(
        {
            "imp_leadership": [5.0, 4.0, 2.0, np.nan],
            "comp_leadership": [2.0, 4.0, 1.0, np.nan],
            "imp_advocacy": [5.0, 4.0, 2.0, 5.0],
            "comp_advocacy": [2.0, 4.0, 1.0, np.nan],
        }
    )
    table = needs(respondents, no_threshold, wave="tie")
    leadership, advocacy = _row(table, "leadership"), _row(table, "advocacy")
    assert leadership["mwds"] == advocacy["mwds"]
    assert advocacy["top2_importance"] == pytest.approx(3 / 4, abs=1e-12)
    assert leadership["top2_importance"] == pytest.approx(2 / 3, abs=1e-12)
    assert (advocacy["rank"], leadership["rank"]) == (1, 2)  # despite coming later


# ------------------------------------------------------------------ the MWDS standard error
def _random_wave(seed: int, size: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    importance = np.clip(rng.integers(1, 6, size) + rng.integers(0, 2, size), 1, 5).astype(float)
    confidence = np.clip(importance - rng.integers(-1, 3, size), 1, 5).astype(float)
    importance[rng.random(size) < 0.1] = np.nan
    confidence[rng.random(size) < 0.1] = np.nan
    respondents = pd.DataFrame(
        {
            "role": rng.choice(["librarian", "manager", "director"], size, p=[0.5, 0.35, 0.15]),
            "imp_leadership": importance,
            "comp_leadership": confidence,
        }
    )
    return respondents, rng.lognormal(0.0, 0.5, size)


def _mwds(respondents: pd.DataFrame, weights: np.ndarray, role: str | None) -> float:
    """The weighted MWDS written directly: no domain_means, no linearisation."""
    imp = respondents["imp_leadership"].to_numpy()
    comp = respondents["comp_leadership"].to_numpy()
    inside = ~np.isnan(imp) & ~np.isnan(comp)
    if role is not None:
        inside &= respondents["role"].to_numpy() == role
    gap = np.average(imp[inside] - comp[inside], weights=weights[inside])
    return float(gap * np.average(imp[inside], weights=weights[inside]))


@pytest.mark.parametrize("role", [None, "manager", "director"])
def test_mwds_se_is_the_numerical_delta_method(codebook, role):
    # The linearised SE is sqrt(n/(n-1) sum_i d_i^2) with d_i = w_i d(MWDS)/d(w_i), the
    # estimator's response to scaling one respondent's weight (0 outside the group). Here d_i
    # comes from central finite differences of the directly written estimator.
    respondents, weights = _random_wave(seed=7, size=300)
    table = needs(respondents, codebook, wave="r", weights=weights)
    row = _row(table, "leadership", *(("all", "all") if role is None else ("role", role)))
    step = 1e-6
    influence = np.empty(len(weights))
    for i in range(len(weights)):
        up, down = weights.copy(), weights.copy()
        up[i] *= 1 + step
        down[i] *= 1 - step
        influence[i] = (_mwds(respondents, up, role) - _mwds(respondents, down, role)) / (2 * step)
    size = len(weights)
    numerical = math.sqrt(size / (size - 1) * np.sum(influence**2))
    assert row["mwds"] == pytest.approx(_mwds(respondents, weights, role), rel=1e-12)
    assert row["mwds_se"] == pytest.approx(numerical, rel=1e-6)
    assert row["mwds_ci_high"] - row["mwds_ci_low"] == pytest.approx(
        2 * 1.959963984540054 * row["mwds_se"], rel=1e-12
    )


@pytest.mark.parametrize("weighted", [False, True])
def test_mwds_se_agrees_with_a_bootstrap(codebook, weighted):
    # Resampling respondents with replacement (with their weights); the bootstrap SD of the
    # MWDS should be within a few percent of the linearised SE (Monte-Carlo error about 1.6%
    # with 2000 replicates).
    respondents, weights = _random_wave(seed=11, size=400)
    weights = weights if weighted else np.ones(len(weights))
    table = needs(respondents, codebook, wave="r", weights=weights if weighted else None)
    se = _row(table, "leadership", "role", "manager")["mwds_se"]
    rng = np.random.default_rng(3)
    draws = rng.integers(0, len(weights), size=(2000, len(weights)))
    imp = respondents["imp_leadership"].to_numpy()
    comp = respondents["comp_leadership"].to_numpy()
    inside = ~np.isnan(imp) & ~np.isnan(comp) & (respondents["role"] == "manager").to_numpy()
    w = np.where(inside, weights, 0.0)[draws]
    gap, importance = np.nan_to_num(imp - comp)[draws], np.nan_to_num(imp)[draws]
    total = w.sum(axis=1)
    replicates = (w * gap).sum(axis=1) / total * (w * importance).sum(axis=1) / total
    assert np.std(replicates, ddof=1) == pytest.approx(se, rel=0.08)


# --------------------------------------------------------------------------- suppression
def _people(sizes: dict[str, int]) -> pd.DataFrame:
    roles = [role for role, size in sizes.items() for _ in range(size)]
    count = len(roles)
    ramp = np.arange(count)
    return pd.DataFrame(
        {
            "role": roles,
            "imp_leadership": 1.0 + ramp % 5,
            "comp_leadership": 1.0 + (ramp // 2) % 5,
            "imp_advocacy": 1.0 + (ramp // 3) % 5,
            "comp_advocacy": 1.0 + ramp % 3,
        }
    )


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ({"librarian": 50, "manager": 30, "director": 20}, []),
        ({"librarian": 50, "manager": 30, "director": 9}, ["director", "manager"]),
        ({"librarian": 50, "manager": 3, "director": 9}, ["manager", "director"]),
        ({"librarian": 50, "director": 10}, []),  # the threshold itself is shown
        ({"librarian": 50, "director": 9}, ["director", "librarian"]),
    ],
)
def test_small_groups_are_suppressed_and_unranked(codebook, sizes, hidden):
    assert codebook.small_cell_threshold == 10
    table = needs(_people(sizes), codebook, wave="s", weights=np.ones(sum(sizes.values())))
    for topic in ("leadership", "advocacy"):
        rows = table[(table["topic"] == topic) & (table["by"] == "role")]
        assert sorted(rows.loc[rows["suppressed"], "group"]) == sorted(hidden)
        assert rows.loc[rows["suppressed"], FIGURES].isna().all().all()
        assert rows.loc[rows["suppressed"], "rank"].isna().all()
        assert rows.loc[~rows["suppressed"], [*FIGURES, "rank"]].notna().all().all()
        assert rows["n"].tolist() == list(sizes.values())  # n stays
        assert not _row(table, topic)["suppressed"]  # the total is not a breakdown


def test_ranks_count_only_unsuppressed_topics(codebook):
    # Librarians rate advocacy's confidence only 5 times: that row is suppressed and advocacy
    # unranked, leadership is their rank 1 whatever its MWDS.
    respondents = _people({"librarian": 40, "manager": 40})
    respondents.loc[5:39, "comp_advocacy"] = np.nan
    table = needs(respondents, codebook, wave="s")
    advocacy = _row(table, "advocacy", "role", "librarian")
    assert advocacy["n"] == 5
    assert advocacy["suppressed"]
    assert pd.isna(advocacy["rank"])
    assert pd.isna(advocacy["mwds"])
    assert _row(table, "leadership", "role", "librarian")["rank"] == 1
    # the manager row of advocacy goes too: with the total it would give librarians' away
    assert _row(table, "advocacy", "role", "manager")["suppressed"]
    assert _row(table, "leadership", "role", "manager")["rank"] == 1


def test_no_grid_columns_gives_an_empty_table_with_the_columns(codebook):
    table = needs(pd.DataFrame({"role": ["manager"]}), codebook, wave="e")
    assert table.empty
    assert list(table.columns) == NEEDS_COLUMNS


def test_weights_of_the_wrong_length_are_refused(codebook):
    with pytest.raises(ValueError, match="expected 5 values"):
        needs(HAND, codebook, wave="w", weights=[1.0, 2.0])


# ------------------------------------------------------------------------- the demo waves
@pytest.fixture(scope="module")
def demo_reports(demo_dir, tmp_path_factory):
    """The demo waves run through the pipeline: the codebook, and a folder with each wave's
    report files in ``<wave>/`` and the processed respondents in ``processed/``."""
    from survey.pipeline import process_wave

    codebook = load_codebook(demo_dir / "codebook.yaml")
    folder = tmp_path_factory.mktemp("demo_reports")
    for wave in codebook.waves:
        process_wave(codebook, wave, out_dir=folder / wave.id, processed_dir=folder / "processed")
    return codebook, folder


@pytest.fixture(scope="module")
def demo_waves(demo_reports):
    """The processed demo waves, with both needs tables each."""
    codebook, folder = demo_reports
    waves: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    for wave in codebook.waves:
        respondents = pd.read_parquet(folder / "processed" / f"{wave.id}.parquet")
        table = pd.concat(
            [
                needs(respondents, codebook, wave=wave.id),
                needs(respondents, codebook, wave=wave.id, weights=respondents["weight"]),
            ],
            ignore_index=True,
        )
        waves[wave.id] = (respondents, table)
    return codebook, waves


def _demo_row(table, topic, by, group, weighted):
    rows = table[
        (table["topic"] == topic)
        & (table["by"] == by)
        & (table["group"] == group)
        & (table["weighted"] == weighted)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize("wave", ["2024", "2025", "2026"])
def test_demo_tables_follow_the_contract(demo_waves, wave):
    codebook, waves = demo_waves
    respondents, table = waves[wave]
    topics = codebook.question("learning_needs").topics
    assert list(table.columns) == NEEDS_COLUMNS
    groups = 1 + sum(respondents[d].dropna().nunique() for d in codebook.dimensions)
    assert len(table) == 2 * len(topics) * groups
    assert (table.loc[~table["suppressed"], "n"] >= codebook.small_cell_threshold).all()
    shown = table[~table["suppressed"]]
    assert shown["top2_importance"].between(0, 1).all()
    assert np.allclose(shown["mwds"], shown["mean_gap"] * shown["mean_importance"])
    assert np.allclose(shown["mean_gap"], shown["mean_importance"] - shown["mean_confidence"])
    assert (shown["mwds_ci_low"] < shown["mwds"]).all()
    assert (shown["mwds"] < shown["mwds_ci_high"]).all()
    # every unsuppressed group ranks its topics 1..k
    for _, ranks in shown.groupby(["by", "group", "weighted"])["rank"]:
        assert sorted(ranks) == list(range(1, len(ranks) + 1))


@pytest.mark.parametrize("wave", ["2024", "2025", "2026"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("role", ["manager", "director"])
def test_leaders_top_needs_are_leadership_advocacy_governance(demo_waves, wave, weighted, role):
    _, waves = demo_waves
    _, table = waves[wave]
    rows = table[
        (table["by"] == "role") & (table["group"] == role) & (table["weighted"] == weighted)
    ]
    top3 = set(rows.loc[rows["rank"] <= 3, "topic"])
    assert top3 == {"leadership", "advocacy", "governance"}


@pytest.mark.parametrize("wave", ["2024", "2025", "2026"])
@pytest.mark.parametrize("weighted", [False, True])
def test_school_staff_rate_literacy_instruction_far_more_important(demo_waves, wave, weighted):
    _, waves = demo_waves
    _, table = waves[wave]
    school = _demo_row(table, "literacy_instruction", "sector", "school", weighted)
    public = _demo_row(table, "literacy_instruction", "sector", "public", weighted)
    assert school["top2_importance"] - public["top2_importance"] > 0.25  # planted: 0.8 vs 0.4


@pytest.mark.parametrize("weighted", [False, True])
def test_assessment_importance_rises_across_waves(demo_waves, weighted):
    _, waves = demo_waves
    means = [
        _demo_row(waves[w][1], "assessment", "all", "all", weighted)["mean_importance"]
        for w in ("2024", "2025", "2026")
    ]
    assert means[0] + 0.3 < means[1] < means[2] - 0.3  # planted: 2.8, 3.3, 3.9


# ---------------------------------------------------------------------------- Cronbach's alpha
def _alpha_by_formula(ratings: pd.DataFrame) -> float:
    """alpha = k/(k-1) (1 - sum of item variances / variance of the total), complete cases."""
    complete = ratings.dropna()
    k = complete.shape[1]
    return k / (k - 1) * (1 - complete.var(ddof=1).sum() / complete.sum(axis=1).var(ddof=1))


@pytest.mark.parametrize("wave", ["2024", "2025", "2026"])
def test_cronbach_alpha_is_pingouins_with_listwise_deletion(demo_waves, wave):
    codebook, waves = demo_waves
    respondents, _ = waves[wave]
    table = cronbach_alpha(respondents, codebook)
    assert list(table.columns) == ALPHA_COLUMNS
    grid = codebook.question("learning_needs")
    assert table["item"].tolist() == ["imp", "comp"]
    for item, row in zip(grid.items, table.itertuples(), strict=True):
        ratings = respondents[grid.grid_columns(item)]
        complete = ratings.dropna()
        alpha, interval = pingouin.cronbach_alpha(complete)
        assert row.n == len(complete) < len(respondents)
        assert row.alpha == pytest.approx(alpha, abs=1e-12)
        assert row.alpha == pytest.approx(_alpha_by_formula(ratings), abs=1e-12)
        # pingouin's own listwise deletion gives the same alpha (its interval uses the n
        # before deletion, which is why the rows are dropped before calling it)
        assert row.alpha == pytest.approx(
            pingouin.cronbach_alpha(ratings, nan_policy="listwise")[0], abs=1e-12
        )
        assert [row.ci_low, row.ci_high] == pytest.approx(list(interval))
        assert row.ci_low <= row.alpha <= row.ci_high
        assert row.alpha < 1  # how high it is, is test_demo_grids_are_scales


@pytest.mark.parametrize("wave", ["2024", "2025", "2026"])
def test_demo_grids_are_scales(demo_reports, wave):
    # The demo gives every respondent a level of importance and one of confidence that all 16
    # topics share, as in real learning-needs grids (alpha about 0.8-0.9); planted about 0.85.
    _, folder = demo_reports
    reliability = pd.read_csv(folder / wave / "reliability.csv")
    assert sorted(reliability["item"]) == ["comp", "imp"]
    assert reliability["alpha"].between(0.7, 0.95).all(), reliability


def test_cronbach_alpha_of_a_consistent_scale_is_high(codebook):
    rng = np.random.default_rng(5)
    grid = codebook.question("learning_needs")
    level = rng.integers(1, 6, size=(200, 1))
    columns = grid.grid_columns(grid.items[0]) + grid.grid_columns(grid.items[1])
    respondents = pd.DataFrame(
        np.clip(level + rng.integers(-1, 2, size=(200, 32)), 1, 5).astype(float), columns=columns
    )
    respondents.iloc[:10, 3] = np.nan  # imp_collections not applicable for 10 people
    table = cronbach_alpha(respondents, codebook)
    assert table["n"].tolist() == [190, 200]
    assert table["alpha"].between(0.9, 1).all()
    assert table.loc[0, "alpha"] == pytest.approx(
        _alpha_by_formula(respondents[columns[:16]]), abs=1e-12
    )
