"""A weighted filtered view of the dashboard is a domain of the whole wave's raked design.

R's ``svymean(~v, subset(raked, sector == "public"))`` and ``svyby(~v, ~region,
subset(raked, sector == "public"), svymean)`` on the demo's 2026 wave
(tests/golden/raked_domain_*.csv, made by make_raked.R)
against :func:`survey.dashboard.data.results_view` of the filter sector = public: estimates and
standard errors to 1e-6 relative, intervals to 1e-4 (the groups not suppressed). When the
wave's design cannot be rebuilt (weights not those of the codebook's raking), and for
unweighted views, the view is the engine's table of the selected respondents alone, as before.
Under ``weighting.variance: jk1`` the same view against R's ``subset`` of the re-raked JK1
design (tests/golden/replicate_domain_*.csv, made by make_replicates.R): estimates, standard
errors, intervals and MWDS to 1e-6 (2.5e-14 measured).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey.analysis.needs import needs
from survey.analysis.pairs import share_covariances
from survey.analysis.results import estimate_table, results
from survey.codebook import load_codebook
from survey.dashboard import data
from survey.pipeline import raked_design

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
CODEBOOK = REPO / "data" / "raw" / "codebook.yaml"
PUBLIC = (("sector", "public"),)
RTOL = 1e-6


@pytest.fixture(scope="module")
def book():
    return load_codebook(CODEBOOK)


@pytest.fixture(scope="module")
def wave(book) -> pd.DataFrame:
    """The golden's demo wave with its raked weights, as a run's parquet holds it."""
    frame = pd.read_csv(GOLDEN / "demo_2026.csv")
    raked, _design = raked_design(frame, book)
    return frame.assign(wave="2026", weight=raked.weights.to_numpy())


def _source(
    monkeypatch, folder: Path, frame: pd.DataFrame, codebook: Path = CODEBOOK
) -> data.WaveSource:
    import streamlit as st

    parquet = folder / "2026.parquet"
    frame.to_parquet(parquet)
    monkeypatch.setenv(data.ENV_PUBLIC, "0")
    st.cache_data.clear()
    st.cache_resource.clear()
    return data.WaveSource(
        key="2026", wave="2026", folder=str(folder), parquet=str(parquet), codebook=str(codebook)
    )


def _variable(row) -> str | None:
    """The golden's variable of a results row (``None``: not in the golden)."""
    if row.option == "mean" and row.question in ("employer_support", "cpd_hours"):
        return str(row.question)
    if row.question == "barriers" and row.option == "time":
        return "barriers__time"
    if row.question == "paid_time":
        return f"paid_time:{row.option}"
    return None


def _matched(view: pd.DataFrame, golden: str, design: str = "raked") -> pd.DataFrame:
    expected = pd.read_csv(GOLDEN / golden)
    expected = expected[expected["design"] == design]
    view = view.assign(variable=[_variable(row) for row in view.itertuples()])
    matched = expected.merge(view, on=["variable", "by", "group"], suffixes=("_r", ""))
    assert len(matched) == len(expected)
    # the small groups are suppressed (no figure to compare), as in every published table
    assert matched["suppressed"].to_numpy().sum() < len(matched) / 4
    return matched[~matched["suppressed"]]


def _assert_leadership_mwds(view: pd.DataFrame, golden_file: str, design: str) -> None:
    """The leadership topic's MWDS and its SE in a needs view equal R's (svycontrast of
    gap * importance in the domain), for every published group of the golden."""
    golden = pd.read_csv(GOLDEN / golden_file)
    golden = golden[golden["design"] == design]
    found = view[view["topic"] == "leadership"].set_index(["by", "group"])
    found = found.loc[list(zip(golden["by"], golden["group"], strict=True))]
    published = ~found["suppressed"].to_numpy()
    assert published.sum() >= 10
    np.testing.assert_allclose(found["mwds"][published], golden["mwds"][published], rtol=RTOL)
    np.testing.assert_allclose(found["mwds_se"][published], golden["se"][published], rtol=RTOL)


def test_a_filtered_weighted_view_equals_r_domain_of_the_raked_design(monkeypatch, tmp_path, wave):
    source = _source(monkeypatch, tmp_path, wave)
    selection = data.Selection(source=source, filters=PUBLIC, weighted=True)
    view = data.results_view(selection)
    assert data.design_note(selection) is None
    assert view["weighted"].all()
    matched = _matched(view, "raked_domain_estimates.csv")
    assert len(matched) > 100
    np.testing.assert_allclose(matched["estimate"], matched["estimate_r"], rtol=RTOL)
    np.testing.assert_allclose(matched["se"], matched["se_r"], rtol=RTOL)
    intervals = _matched(view, "raked_domain_ciprop.csv")
    np.testing.assert_allclose(intervals["ci_low"], intervals["ci_low_r"], rtol=1e-4)
    np.testing.assert_allclose(intervals["ci_high"], intervals["ci_high_r"], rtol=1e-4)
    # n is still the selected respondents' answers, and the groups theirs
    public = wave[wave["sector"] == "public"]
    overall = view[(view["question"] == "cpd_hours") & (view["by"] == "all")]
    assert overall["n"].tolist() == [int(public["cpd_hours"].notna().sum())]
    regions = view.loc[(view["question"] == "cpd_hours") & (view["by"] == "region"), "group"]
    assert set(regions) == set(public["region"].dropna())


def test_a_filtered_view_of_a_jk1_wave_equals_r_domain_of_its_replicates(
    monkeypatch, tmp_path, wave
):
    """With ``weighting.variance: jk1`` the filtered view's standard errors come from the
    wave's re-raked JK1 replicates, restricted to the domain: R's svyby of
    ``subset(rake(as.svrepdesign(..., type = "JK1"), ...), sector == "public")``
    (replicate_domain_*.csv, made by make_replicates.R)."""
    text = CODEBOOK.read_text(encoding="utf-8")
    assert "weighting:\n  epsilon" in text
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text(text.replace("weighting:\n", "weighting:\n  variance: jk1\n"), "utf-8")
    folder = tmp_path / "wave"
    folder.mkdir()
    source = _source(monkeypatch, folder, wave, codebook)
    selection = data.Selection(source=source, filters=PUBLIC, weighted=True)
    assert data.design_note(selection) is None
    view = data.results_view(selection)
    matched = _matched(view, "replicate_domain_estimates.csv", "jk1")
    assert len(matched) > 100
    np.testing.assert_allclose(matched["estimate"], matched["estimate_r"], rtol=RTOL)
    np.testing.assert_allclose(matched["se"], matched["se_r"], rtol=RTOL)
    # the domain's replicates differ from the raked design's linearisation
    linearised = data.Selection(source=_source(monkeypatch, tmp_path, wave), filters=PUBLIC,
                                weighted=True)  # fmt: skip
    raked = _matched(data.results_view(linearised), "replicate_domain_estimates.csv", "jk1")
    assert not np.allclose(raked["se"], matched["se"], rtol=1e-3)
    intervals = _matched(view, "replicate_domain_ciprop.csv", "jk1")  # 6e-15 measured
    np.testing.assert_allclose(intervals["ci_low"], intervals["ci_low_r"], rtol=RTOL)
    np.testing.assert_allclose(intervals["ci_high"], intervals["ci_high_r"], rtol=RTOL)
    _assert_leadership_mwds(data.needs_view(selection), "replicate_domain_mwds.csv", "jk1")


def test_needs_and_letters_of_a_filtered_view_use_the_domain(monkeypatch, tmp_path, wave, book):
    """The MWDS of the leadership topic and its standard error against R's svycontrast of
    gap * importance in the domain (raked_domain_mwds.csv); the letters allow for raking."""
    source = _source(monkeypatch, tmp_path, wave)
    selection = data.Selection(source=source, filters=PUBLIC, weighted=True)
    _raked, design = raked_design(wave, book)
    domain = (wave["sector"] == "public").to_numpy()
    view = data.needs_view(selection)
    expected = needs(wave, book, wave="2026", weights=design, domain=domain)
    pd.testing.assert_frame_equal(view, expected)
    _assert_leadership_mwds(view, "raked_domain_mwds.csv", "raked")
    letters = data.letters_view(selection)
    assert len(letters) and letters["weighted"].all()


def test_differences_the_letters_of_a_domain_take_equal_r(wave, book):
    """The variance of two groups' difference in the domain, ``V_a + V_b - 2 C_ab`` from
    estimate_table's SEs and share_covariances (what letters_view takes), against R's
    svycontrast in subset(raked, sector == "public") (raked_domain_differences.csv)."""
    golden = pd.read_csv(GOLDEN / "raked_domain_differences.csv")
    golden = golden[golden["design"] == "raked"]
    _raked, design = raked_design(wave, book)
    domain = (wave["sector"] == "public").to_numpy()
    table = estimate_table(wave, book, wave="2026", weights=design, domain=domain)
    table = table[(table["question"] == "barriers") & (table["option"] == "time")]
    covariances = share_covariances(wave, book, wave="2026", weights=design, domain=domain)
    assert covariances is not None
    covariances = covariances[
        (covariances["question"] == "barriers") & (covariances["option"] == "time")
    ].set_index(["by", "group", "other"])["covariance"]
    shares = table.set_index(["by", "group"])
    a = shares.loc[list(zip(golden["by"], golden["group"], strict=True))]
    b = shares.loc[list(zip(golden["by"], golden["other"], strict=True))]
    pairs = list(zip(golden["by"], golden["group"], golden["other"], strict=True))
    se = np.sqrt(a["se"].to_numpy() ** 2 + b["se"].to_numpy() ** 2
                 - 2 * covariances.loc[pairs].to_numpy())  # fmt: skip
    difference = a["estimate"].to_numpy() - b["estimate"].to_numpy()
    np.testing.assert_allclose(difference, golden["difference"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(se, golden["se"], rtol=RTOL)


def test_weights_not_the_codebooks_raking_fall_back_to_the_selection_with_a_note(
    monkeypatch, tmp_path, wave, book
):
    changed = wave.assign(weight=wave["weight"] * np.linspace(0.99, 1.01, len(wave)))
    source = _source(monkeypatch, tmp_path, changed)
    selection = data.Selection(source=source, filters=PUBLIC, weighted=True)
    note = data.design_note(selection)
    assert note is not None and "codebook" in note
    chosen = changed[changed["sector"] == "public"].reset_index(drop=True)
    expected = results(chosen, book, wave="2026", weights=chosen["weight"].to_numpy())
    expected = expected[expected["weighted"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(data.results_view(selection), expected)


def test_an_unweighted_filtered_view_is_the_selections_own_table(monkeypatch, tmp_path, wave, book):
    source = _source(monkeypatch, tmp_path, wave)
    selection = data.Selection(source=source, filters=PUBLIC, weighted=False)
    assert data.design_note(selection) is None
    chosen = wave[wave["sector"] == "public"].reset_index(drop=True)
    expected = results(chosen, book, wave="2026")
    pd.testing.assert_frame_equal(data.results_view(selection), expected)


def test_the_page_says_when_a_selection_falls_back_to_fixed_weights(
    monkeypatch, tmp_path, wave, book
):
    """The view line under a page's title carries the fallback's note (and nothing when the
    wave's raked design was rebuilt)."""
    from types import SimpleNamespace

    from survey.dashboard import ui
    from survey.report.tables import Labels

    shown: list[str] = []
    monkeypatch.setattr(ui.st, "caption", lambda text, **_: shown.append(str(text)))
    monkeypatch.setattr(data, "population_size", lambda selection: 100)  # no tables here
    tables = SimpleNamespace(labels=Labels(book))
    source = _source(monkeypatch, tmp_path, wave)
    ui.show_view(data.Selection(source=source, filters=PUBLIC, weighted=True), tables)
    assert not any("treat its weights as fixed" in text for text in shown)
    shown.clear()
    changed = wave.assign(weight=wave["weight"] * np.linspace(0.99, 1.01, len(wave)))
    source = _source(monkeypatch, tmp_path, changed)
    ui.show_view(data.Selection(source=source, filters=PUBLIC, weighted=True), tables)
    assert any("treat its weights as fixed" in text for text in shown), shown
