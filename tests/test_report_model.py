"""The report model (:mod:`survey.report`): the one published rule, the one group order, and
the cells, groups, sections and findings every writer renders, checked against the engine's
own tables."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from survey.report import (
    RowKind,
    build_report,
    group_order,
    published,
    published_mask,
)
from survey.report.findings import change_findings, headline_findings

THRESHOLD = 10


@pytest.mark.parametrize(
    ("row", "shown"),
    [
        ({"n": 40, "estimate": 0.5, "suppressed": False}, True),
        ({"n": 10, "estimate": 0.0, "suppressed": False}, True),  # the threshold itself, 0%
        ({"n": 9, "estimate": 0.5, "suppressed": False}, False),  # under the threshold
        ({"n": 40, "estimate": 0.5, "suppressed": True}, False),  # the engine suppressed it
        ({"n": 40, "estimate": None, "suppressed": False}, False),
        ({"n": 40, "estimate": float("nan"), "suppressed": False}, False),
        ({"n": 40, "estimate": pd.NA, "suppressed": False}, False),
        ({"comments": 3, "share": 0.2, "suppressed": False}, True),  # a table without n
        (None, False),
    ],
)
def test_the_published_rule(row, shown):
    column = "share" if row is not None and "share" in row else "estimate"
    assert published(row, threshold=THRESHOLD, column=column) is shown
    if row is not None:
        frame = pd.DataFrame([row])
        assert published_mask(frame, threshold=THRESHOLD, column=column).tolist() == [shown]


def test_groups_in_questionnaire_order_then_unknown_codes(codebook):
    codes = codebook.question("region").option_codes()
    assert group_order(codebook, "region", [codes[3], "zzz", codes[0], "aaa"]) == [
        codes[0],
        codes[3],
        "aaa",
        "zzz",
    ]
    assert group_order(codebook, "not_a_question", ["b", "a"]) == ["a", "b"]


@pytest.fixture(scope="module")
def model(wave_tables):
    return build_report(wave_tables)


def test_every_cell_is_a_shown_row_with_the_rule_applied(model, wave_tables):
    shown = wave_tables.shown("results")
    assert len(model._cells) == len(shown)
    mask = published_mask(shown, threshold=wave_tables.threshold)
    for row, ok in zip(shown.to_dict("records"), mask.tolist(), strict=True):
        cell = model.cell(row["question"], row["option"], row["by"], row["group"])
        assert cell is not None and cell.n == row["n"] and cell.published is ok
        if ok:
            assert (cell.estimate, cell.ci_low, cell.ci_high) == (
                row["estimate"],
                row["ci_low"],
                row["ci_high"],
            )
        else:
            assert cell.estimate is None and cell.ci_low is None
    assert mask.sum() < len(shown)  # the demo has suppressed rows: the rule is exercised


def test_cells_carry_the_engines_letters(model, wave_tables):
    letters = wave_tables.shown("letters").dropna(subset=["higher_than"]).head(50)
    assert len(letters)
    for row in letters.to_dict("records"):
        cell = model.cell(row["question"], row["option"], row["by"], row["group"])
        assert (cell.letter, cell.higher_than) == (row["letter"], row["higher_than"])


def test_everyone_is_one_cell_whatever_the_dimension(model):
    everyone = model.cell("imp_leadership", "top2", "sector", "all")
    assert everyone is model.cell("imp_leadership", "top2", "region", "all")
    assert everyone.by == "all" and everyone.published


def test_groups_all_first_then_each_dimension_in_codebook_order(model, codebook):
    assert (model.groups[0].by, model.groups[0].code) == ("all", "all")
    for by in codebook.dimensions:
        listed = codebook.question(by).option_codes()
        codes = model.groups_of(by)
        assert codes == [code for code in listed if code in codes]
        assert codes, by
    assert [group.by for group in model.groups[1:]] == sorted(
        (group.by for group in model.groups[1:]), key=list(codebook.dimensions).index
    )


def test_sections_hold_every_estimated_closed_question_once(model, wave_tables):
    listed = [
        (row.question, row.option)
        for section in model.sections
        for block in section.blocks
        for row in block.rows
    ]
    assert len(listed) == len(set(listed))
    shown = wave_tables.shown("results")
    estimated = set(zip(shown["question"], shown["option"], strict=True))
    assert set(listed) <= estimated
    kinds = {row.option: row.kind for s in model.sections for b in s.blocks for row in b.rows}
    assert kinds["mean"] is RowKind.MEAN and kinds["top2"] is RowKind.SHARE
    titles = [section.title for section in model.sections]
    assert titles[0] == "About you" and "Other questions" in titles


def test_findings_are_chosen_among_published_rows_only(model, wave_tables):
    assert model.findings.equals(headline_findings(wave_tables))
    assert len(model.findings) > 0
    for row in model.findings.to_dict("records"):
        cell = model.cell(row["question"], row["option"], row["by"], row["group"])
        assert cell.published and cell.estimate == row["estimate"]
    # a group that is not published is never a finding, even when it differs most
    first = model.findings.iloc[0]
    results = wave_tables.results
    group = (
        (results["question"] == first["question"])
        & (results["by"] == first["by"])
        & (results["group"] == first["group"])
    )
    hidden = dataclasses.replace(
        wave_tables, results=results.assign(suppressed=results["suppressed"] | group)
    )
    chosen = headline_findings(hidden, limit=None, per_group=None)
    assert len(chosen) > 0
    same = (
        (chosen["question"] == first["question"])
        & (chosen["by"] == first["by"])
        & (chosen["group"] == first["group"])
    )
    assert not same.any()


def test_changes_are_every_significant_change_ranked(latest_tables):
    model = build_report(latest_tables)
    # all of them: each writer shows as many as it has room for
    assert model.changes.equals(change_findings(latest_tables, limit=None))
    assert len(model.changes) > 0 and model.changes["text"].str.len().gt(0).all()
    assert model.changes.head(3).equals(change_findings(latest_tables, limit=3))
    assert model.changes["rank"].tolist() == list(range(1, len(model.changes) + 1))


def test_a_first_wave_has_no_changes(wave_tables):
    first = dataclasses.replace(wave_tables, trends=wave_tables.trends.iloc[0:0])
    assert build_report(first).changes.empty
