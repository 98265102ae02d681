"""Cleaning end to end on small exports: each rule quarantines the right rows with the right
reason, bad values become missing and flagged, and every row is accounted for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from factories import export, valid_response, write_qualtrics
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from survey.codebook import Codebook
from survey.errors import DataError
from survey.pipeline import process_wave, wave_for_file
from survey.rules import Flag, Reason
from survey.validation import Problem

ROWS = 40


def process(
    codebook: Codebook, raw: Path, *, weighted: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run a raw file through the pipeline beside it; the processed rows and the quarantine."""
    folder = raw.parent
    result = process_wave(
        codebook,
        wave_for_file(codebook, raw),
        out_dir=folder / "reports",
        processed_dir=folder / "processed",
        weighted=weighted,
    )
    processed = pd.read_parquet(folder / "processed" / f"{raw.stem}.parquet")
    quarantine = pd.read_csv(folder / "reports" / "quarantine.csv", dtype=str)
    assert result.rows_in == len(processed) + len(quarantine)
    return processed, quarantine


def run(codebook: Codebook, tmp_path: Path, **overrides) -> tuple[pd.DataFrame, pd.DataFrame]:
    processed, quarantine = process(
        codebook, export(codebook, tmp_path / "wave.csv", ROWS, **overrides)
    )
    assert len(processed) + len(quarantine) == ROWS
    return processed, quarantine


def refused(codebook: Codebook, raw: Path, message: str) -> None:
    """Processing a raw file stops with a data error matching ``message`` and writes nothing."""
    folder = raw.parent
    with pytest.raises(DataError, match=message):
        process_wave(
            codebook,
            wave_for_file(codebook, raw),
            out_dir=folder / "reports",
            processed_dir=folder / "processed",
        )
    assert not (folder / "reports").exists()
    assert not (folder / "processed").exists()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"Progress": "55", "Finished": "False"}, "incomplete"),
        ({"consent": "No"}, "no_consent"),
        ({"consent": ""}, "no_consent"),
        ({"comments": "TEST please ignore"}, "test_response"),
        ({"RecipientFirstName": "Test"}, "test_response"),
        ({"learn_next": "asdf"}, "test_response"),
        ({"Duration (in seconds)": "90"}, "speeder"),
        ({"sector": "Publc libary xyz"}, "invalid_sector"),
        ({"region": "Yukon"}, "invalid_region"),
        ({"ResponseId": ""}, "missing_id"),
        ({"ResponseId": "R_test00001"}, "duplicate_id"),  # a repeat of row 1's id
    ],
)
def test_each_rule_quarantines_with_its_reason(codebook, tmp_path, row, reason):
    processed, quarantine = run(codebook, tmp_path, r5=row)
    assert quarantine["reason"].tolist() == [reason]
    expected_id = {"missing_id": "row:6", "duplicate_id": "R_test00001 (row 6)"}.get(
        reason, "R_test00005"
    )
    assert quarantine["respondent_id"].tolist() == [expected_id]
    assert len(processed) == ROWS - 1
    assert processed["respondent_id"].is_unique


def test_straightliner_ticks_three_everywhere(codebook, tmp_path):
    grid = codebook.question("learning_needs")
    flat = {
        column: codebook.scales[item.scale][3]
        for item in grid.items
        for column in grid.grid_columns(item)
    }
    _, quarantine = run(codebook, tmp_path, r7=flat)
    assert quarantine.to_dict("records") == [
        {"respondent_id": "R_test00007", "reason": "straightliner"}
    ]


def test_same_person_twice_keeps_the_most_complete_then_the_latest(codebook, tmp_path):
    processed, quarantine = run(
        codebook,
        tmp_path,
        # the same person three times: a partial, and two complete on different days
        r2={"RecipientEmail": "Sam.Lee@example.org", "Progress": "60"},
        r3={"RecipientEmail": "sam.lee@example.org ", "EndDate": "2024-03-20 10:00:00"},
        r4={"RecipientEmail": "SAM.LEE@example.org", "EndDate": "2024-03-21 10:00:00"},
    )
    assert sorted(quarantine.to_records(index=False).tolist()) == [
        ("R_test00002", "duplicate"),
        ("R_test00003", "duplicate"),
    ]
    assert "R_test00004" in processed["respondent_id"].tolist()


def test_bad_values_become_missing_and_are_flagged(codebook, tmp_path):
    processed, quarantine = run(
        codebook,
        tmp_path,
        r1={"cpd_hours": "lots"},
        r2={"cpd_hours": "-1"},
        r3={"cpd_hours": "2,000"},
        r4={"cpd_hours": "approx 20"},
        r6={"formats": "Live webinar,In-person workshop,Certificate program,Micro"},
        r8={"employer_support": "Agree strongly!!"},
        r9={"years": "forever"},
        r10={"imp_leadership": "Not applicable to my role"},
    )
    assert quarantine.empty
    by_id = processed.set_index("respondent_id")
    assert pd.isna(by_id.at["R_test00001", "cpd_hours"])
    assert pd.isna(by_id.at["R_test00002", "cpd_hours"])
    assert by_id.at["R_test00003", "cpd_hours"] == 2000
    assert by_id.at["R_test00004", "cpd_hours"] == 20
    assert by_id.loc["R_test00006", ["formats__webinar", "formats__workshop"]].isna().all()
    assert pd.isna(by_id.at["R_test00008", "employer_support"])
    assert pd.isna(by_id.at["R_test00009", "years"])
    assert pd.isna(by_id.at["R_test00010", "imp_leadership"])  # missing, never zero
    flags = pd.read_csv(tmp_path / "reports" / "flags.csv", dtype=str)
    assert sorted(
        flags[["respondent_id", "question", "reason"]].to_records(index=False).tolist()
    ) == [
        ("R_test00001", "cpd_hours", "unparseable_number"),
        ("R_test00002", "cpd_hours", "out_of_range"),
        ("R_test00006", "formats", "too_many_choices"),
        ("R_test00008", "employer_support", "invalid_value"),
        ("R_test00009", "years", "invalid_value"),
    ]
    # every check names its reason by one definition: a Reason, a Flag or a Problem
    checks = json.loads((tmp_path / "reports" / "validation.json").read_text())["checks"]
    named = {*Reason, *Flag, *Problem, *(Reason.invalid(d) for d in codebook.dimensions)}
    assert {check["reason"] for check in checks} <= named


@pytest.mark.parametrize(
    ("question", "written", "code"),
    [
        ("sector", "public library branch", "public"),
        ("sector", "Archives consultant", "other"),
        ("role", "Branch Manager", "manager"),
    ],
)
def test_other_specify_is_backcoded_where_it_plainly_is_an_option(
    codebook, tmp_path, question, written, code
):
    other = {question: "Other (please specify)", f"{question}_other": written}
    processed, _ = run(codebook, tmp_path, r1=other)
    respondent = processed.set_index("respondent_id").loc["R_test00001"]
    assert respondent[question] == code
    flags = pd.read_csv(tmp_path / "reports" / "flags.csv", dtype=str)
    backcoded = flags[flags["reason"] == "backcoded_other"]
    flagged = backcoded[["respondent_id", "value"]].to_records(index=False).tolist()
    if code == "other":  # not plainly an option: kept as written, not flagged
        assert respondent[f"{question}_other"] == written
        assert flagged == []
    else:
        assert flagged == [("R_test00001", code)]


def test_processed_data_follows_the_contract(codebook, tmp_path):
    processed, _ = run(codebook, tmp_path, r1={"comments": "call me: 250-555-0142, a@example.org"})
    assert list(processed.columns) == ["respondent_id", "wave", "weight", *codebook.variables()]
    assert (processed["weight"] > 0).all()  # raked to the frame of 1,800
    assert processed["weight"].sum() == pytest.approx(sum(codebook.frame["sector"].values()))
    assert (processed["wave"] == "wave").all()
    assert str(processed["sector"].dtype) == "string"
    assert str(processed["barriers__travel"].dtype) == "boolean"
    assert processed["imp_leadership"].dtype == float
    assert set(processed["sector"].dropna()) <= set(codebook.question("sector").option_codes())
    comment = processed.set_index("respondent_id").at["R_test00001", "comments"]
    assert comment == "call me: [phone], [email]"


def test_too_few_responses_is_an_error_with_no_outputs(codebook, tmp_path):
    raw = export(codebook, tmp_path / "small.csv", codebook.min_responses - 1)
    refused(codebook, raw, r"small\.csv: only 29 responses, at least 30")


def test_missing_columns_are_all_named(codebook, tmp_path):
    rows = [valid_response(codebook, number) for number in range(ROWS)]
    raw = write_qualtrics(codebook, tmp_path / "cut.csv", rows)
    text = raw.read_text().splitlines()
    keep = [i for i, name in enumerate(text[0].split(",")) if name not in {"region", "cpd_hours"}]
    raw.write_text("\n".join(",".join(line.split(",")[i] for i in keep) for line in text) + "\n")
    refused(codebook, raw, r"cut\.csv: missing 2 columns .*\(region, cpd_hours\)")


MESSY = {
    "sector": ["Public library", "PUBLIC ", "Publc", "", "Other (please specify)", "museum"],
    "region": ["Cariboo", "north east", "Yukon", "", "Kootenay"],
    "Progress": ["100", "100", "40", "", "abc"],
    "consent": ["Yes", "Yes", "No", ""],
    "Duration (in seconds)": ["900", "60", "", "x", "1200"],
    "cpd_hours": ["40 hrs", "-1", "lots", "", "2,000"],
    "ResponseId": ["", "dup", None],
    "RecipientEmail": ["", "same@example.org", None],
    "comments": ["", "TEST please ignore", "mail a@example.org", None],
    "imp_leadership": ["Very important", "9", "", "Not applicable to my role"],
    "formats": ["Live webinar", "Live webinar,In-person workshop,Micro,Knitting", ""],
}


@st.composite
def messy_exports(draw: st.DrawFn) -> list[dict[str, str | None]]:
    count = draw(st.integers(min_value=30, max_value=60))
    rows = []
    for _ in range(count):
        row = {}
        for column, choices in MESSY.items():
            choice = draw(st.sampled_from(choices))
            if choice is not None:
                row[column] = choice
        rows.append(row)
    return rows


@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking a pipeline run is slow
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(messy_exports())
def test_every_row_is_accounted_for(codebook, tmp_path_factory, overrides):
    folder = tmp_path_factory.mktemp("messy")
    rows = []
    for number, override in enumerate(overrides):
        row = valid_response(codebook, number)
        row.update(override)
        rows.append(row)
    raw = write_qualtrics(codebook, folder / "messy.csv", rows)
    try:
        processed, quarantine = process(codebook, raw, weighted=False)
    except DataError as error:  # every row set aside: a clear error, and nothing written
        assert f"all {len(rows)} responses were set aside" in str(error)
        assert not (folder / "processed").exists()
        return
    assert len(processed) + len(quarantine) == len(rows)
    assert not set(processed["respondent_id"]) & set(quarantine["respondent_id"])
    assert processed["respondent_id"].notna().all() and processed["respondent_id"].is_unique
    assert processed["sector"].dropna().isin(codebook.question("sector").option_codes()).all()
    assert processed["cpd_hours"].dropna().between(0, 2000).all()
    assert not processed["comments"].dropna().str.contains("@").any()


def test_straightliners_match_the_distinct_count_rule(codebook):
    """One answer repeated over at least the minimum of items, missing items passed over: the
    same rows as pandas' row-wise distinct count (the rule as written before it was
    vectorised)."""
    import numpy as np

    from survey.cleaning.quality import straightliners

    grid = codebook.question("learning_needs")
    columns = [c for item in grid.items for c in grid.grid_columns(item)]
    rng = np.random.default_rng(3)
    values = rng.integers(1, 4, size=(2_000, len(columns))).astype(float)
    values[rng.random(values.shape) < 0.6] = np.nan
    values[:300] = 2.0  # straight lines, some with gaps and some too short
    values[:300][rng.random((300, len(columns))) < 0.5] = np.nan
    values[300:310] = np.nan  # answered nothing
    coded = pd.DataFrame(values, columns=columns)
    expected = (coded.notna().sum(axis=1) >= codebook.quality.straightline_min_items) & (
        coded.nunique(axis=1) == 1
    )
    flagged = straightliners(coded, codebook)
    assert flagged.tolist() == expected.tolist()
    assert 0 < flagged.sum() < 300


def test_reasons_are_the_quarantine_words_in_order_of_precedence():
    assert list(Reason) == [
        "missing_id",
        "duplicate_id",
        "no_consent",
        "test_response",
        "duplicate",
        "incomplete",
        "invalid_",
        "bad_weight",
        "speeder",
        "straightliner",
    ]
    reasons = ["straightliner", "invalid_region", "duplicate", "bogus", "missing_id"]
    assert sorted(reasons, key=Reason.precedence) == [
        "missing_id",
        "duplicate",
        "invalid_region",
        "straightliner",
        "bogus",
    ]


def test_validation_does_not_import_cleaning():
    # cleaning acts on validation's report; validation shares only survey.rules with it
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, survey.validation; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'survey.rules'" in loaded
    assert "survey.cleaning" not in loaded
