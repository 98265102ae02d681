"""Headline findings say only what the statistics back, in the codebook's words; the tables
are read as the engine wrote them."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from survey.errors import DataError
from survey.report.findings import FINDING_COLUMNS, headline_findings
from survey.report.style import percent
from survey.report.tables import load_tables


@pytest.fixture(scope="module")
def every_finding(wave_tables):
    return headline_findings(wave_tables, limit=None, per_group=None)


def test_codes_stay_text_and_quarantine_is_only_counts(wave_tables, report_folder):
    results = wave_tables.results
    assert results["option"].map(type).eq(str).all()
    assert {"1", "5", "top2", "mean"} <= set(results.query("question == 'imp_leadership'").option)
    assert wave_tables.weighted and wave_tables.shown("results")["weighted"].all()
    quarantine = pd.read_csv(report_folder / "quarantine.csv")
    assert wave_tables.quarantined.to_dict() == quarantine["reason"].value_counts().to_dict()
    assert wave_tables.quarantined.index.name == "reason"  # counts only: no respondent ids


def test_a_folder_without_a_run_is_a_clear_error(tmp_path, codebook):
    with pytest.raises(DataError, match=r"results\.csv: not found; run `survey run` first"):
        load_tables(tmp_path, codebook)


def test_every_finding_is_backed_by_an_adjusted_test_and_a_published_group(
    wave_tables, every_finding
):
    assert list(every_finding.columns) == FINDING_COLUMNS
    assert len(every_finding) >= 10
    tests = wave_tables.shown("tests").set_index(["question", "by", "test"])
    results = wave_tables.shown("results").set_index(["question", "option", "by", "group"])
    for row in every_finding.itertuples():
        question = row.question
        tested = question if (question, row.by, row.test) in tests.index else None
        tested = tested or f"{question}__{row.option}"  # a multi-select option's own test
        test = tests.loc[(tested, row.by, row.test)]
        assert test["p_adjusted"] < 0.05 and test["p_adjusted"] == row.p_adjusted
        shown = results.loc[(question, row.option, row.by, row.group)]
        assert not shown["suppressed"] and shown["n"] >= wave_tables.threshold
        assert (row.estimate, row.n) == (shown["estimate"], shown["n"])
        overall = results.loc[(question, row.option, "all", "all")]["estimate"]
        assert row.overall == overall and row.difference == pytest.approx(row.estimate - overall)
    strength = every_finding["effect_size"].where(
        every_finding["effect_name"] == "cramers_v", every_finding["effect_size"] ** 0.5
    )
    assert strength.is_monotonic_decreasing
    assert every_finding["rank"].tolist() == list(range(1, len(every_finding) + 1))


def test_the_planted_effects_are_headlines(every_finding):
    said = set(
        zip(every_finding["question"], every_finding["by"], every_finding["group"], strict=True)
    )
    assert ("imp_literacy_instruction", "sector", "school") in said
    assert ("imp_governance", "role", "trustee") in said
    assert ("imp_leadership", "role", "director") in said
    northern = {"north_coast", "nechako", "northeast", "cariboo"}
    travel = every_finding.query("question == 'barriers' and option == 'travel'")
    assert set(travel["group"]) & northern and set(travel["by"]) == {"region"}


def test_the_sentence_uses_the_codebook_words_and_the_tables_numbers(wave_tables, every_finding):
    school = every_finding.query(
        "question == 'imp_literacy_instruction' and by == 'sector' and group == 'school'"
    ).iloc[0]
    assert school["text"] == (
        f"School library (K-12) (sector): {percent(school['estimate'])} rate "
        '"Teaching patrons: information and digital literacy" as very or extremely important, '
        f"against {percent(school['overall'])} overall."
    )
    travel = every_finding.query("question == 'barriers' and option == 'travel'").iloc[0]
    assert travel["text"].endswith(
        f'chose "Travel distance" for "What gets in the way of your professional learning?", '
        f"against {percent(travel['overall'])} overall."
    )


def test_profile_questions_and_dimensions_are_never_findings(wave_tables, every_finding):
    left_out = {*wave_tables.codebook.dimensions, *wave_tables.codebook.profile}
    assert left_out == {"sector", "role", "region", "library_size", "years", "employment", "cltp"}
    assert not set(every_finding["question"]) & left_out


def test_nothing_is_said_without_significance(wave_tables):
    tests = wave_tables.tests.assign(p_adjusted=0.2)
    assert headline_findings(dataclasses.replace(wave_tables, tests=tests)).empty
    letters = wave_tables.letters.assign(higher_than=pd.NA)
    assert headline_findings(dataclasses.replace(wave_tables, letters=letters)).empty


def test_a_suppressed_group_is_never_named(wave_tables, every_finding):
    first = every_finding.iloc[0]
    key = ["question", "option", "by", "group"]
    hidden = wave_tables.results.copy()
    mask = (hidden[key] == first[key].to_numpy()).all(axis=1)
    hidden.loc[mask, ["estimate", "se", "ci_low", "ci_high"]] = float("nan")
    hidden.loc[mask, "suppressed"] = True
    again = headline_findings(
        dataclasses.replace(wave_tables, results=hidden), limit=None, per_group=None
    )
    named = set(map(tuple, again[key].to_numpy()))
    assert tuple(first[key]) not in named


def test_one_group_fills_at_most_two_headlines(wave_tables):
    findings = headline_findings(wave_tables)
    assert 5 <= len(findings) <= 12
    assert findings.groupby(["by", "group"]).size().max() <= 2
