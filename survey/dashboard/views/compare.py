"""Compare groups: any question by a dimension, bars with intervals, the test in plain words
(``tests.csv``, whole wave) and the significance letters."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from survey.analysis.methods import HypothesisTest
from survey.codebook import QuestionType
from survey.dashboard import data, state, ui
from survey.report import rules

PAGE = "compare"

selection, tables, labels, book, who = ui.open_page("Compare groups")

questions = list(dict.fromkeys(tables.results["question"].astype(str)))
findings = data.findings(selection.source)
first = findings.iloc[0] if not findings.empty else None
default_question = (
    str(first["question"])
    if first is not None
    else next((q for q in questions if q not in book.dimensions), questions[0])
)
controls = st.columns([4, 1, 2])
question = state.page_choice(
    PAGE,
    "question",
    "Question",
    questions,
    default=default_question,
    format_func=labels.question,
    container=controls[0],
)
dimensions = [dimension for dimension in book.dimensions if dimension != question]
by = state.page_choice(
    PAGE,
    "by",
    "Compare by",
    dimensions,
    default=str(first["by"]) if first is not None else None,
    format_func=labels.dimension,
    container=controls[1],
)
options = list(
    dict.fromkeys(tables.results.loc[tables.results["question"] == question, "option"].astype(str))
)
default_option = (
    str(first["option"])
    if first is not None and first["question"] == question
    else ("top2" if "top2" in options else options[0])
)
option = state.page_choice(
    PAGE,
    "option",
    "Answer",
    options,
    default=default_option,
    format_func=lambda code: labels.option(question, code),
    container=controls[2],
)
share = option != "mean"

rows = data.results_view(selection, (question,), by=(by,))
rows = rows[(rows["question"] == question) & (rows["option"] == option)]
overall = rows[rows["by"] == "all"]
in_groups = rows[rows["by"] == by]
groups = rules.group_order(book, by, in_groups["group"].astype(str))
by_group = {str(row["group"]): row.to_dict() for _, row in in_groups.iterrows()}


def shows(row: dict[Any, Any] | None) -> bool:
    """Whether a row of this view may show its figure (the one published rule)."""
    return rules.published(row, threshold=tables.threshold)


letters = data.letters_view(selection, (question,), by=(by,))
letters = letters[
    (letters["question"] == question) & (letters["option"] == option) & (letters["by"] == by)
]
letter_of = {
    str(g): str(letter) for g, letter in zip(letters["group"], letters["letter"], strict=True)
}
higher_of = {
    str(g): "" if ui.missing(higher) else str(higher)
    for g, higher in zip(letters["group"], letters["higher_than"], strict=True)
}

answer = labels.option(question, option)
subject = labels.question(question)
st.subheader(ui.markdown_text(subject))
st.markdown(f"Answer: **{ui.markdown_text(answer)}**")

# the overall figure of the selected population
population = overall.iloc[0].to_dict() if len(overall) else None
if population is not None:
    st.metric(
        ui.markdown_text(who),
        ui.estimate_text(population["estimate"], not shows(population), share=share),
        help=f"n = {ui.count_text(population['n'])}; 95% CI "
        + (
            ui.ci_text(
                population["ci_low"], population["ci_high"], not shows(population), share=share
            )
            or "not shown"
        ),
    )

# the test, for the whole wave
asked = {q.id: q for q in book.questions}.get(question)  # None: a grid column (imp_leadership)
multi = asked is not None and asked.type is QuestionType.MULTI
test_name = f"{question}__{option}" if multi else question  # a multi-select's options each
tests = data.tests_view(selection)
tests = tests[(tests["question"] == test_name) & (tests["by"] == by)]
preference = (
    [
        HypothesisTest.WALD_F,
        HypothesisTest.KRUSKAL_WALLIS,
        HypothesisTest.RAO_SCOTT_F,
        HypothesisTest.CHI2_INDEPENDENCE,
    ]
    if not share
    else [
        HypothesisTest.RAO_SCOTT_F,
        HypothesisTest.CHI2_INDEPENDENCE,
        HypothesisTest.WALD_F,
        HypothesisTest.KRUSKAL_WALLIS,
    ]
)
tests = tests.assign(order=[preference.index(t) if t in preference else 9 for t in tests["test"]])
tests = tests.sort_values("order", kind="stable")
dimension_words = labels.dimension(by).lower()
if tests.empty:
    st.info(
        f"No test of this question by {dimension_words} (too few groups at the threshold, or a "
        "table too sparse for one)."
    )
else:
    sentence = ui.test_sentence(tests.iloc[0], subject="This answer", dimension=dimension_words)
    st.info(ui.markdown_text(sentence))
if selection.filters and not selection.public:
    st.caption(
        f"Estimates and letters are for {ui.markdown_text(who)}; the test is for the whole wave."
    )
elif selection.filters:
    st.caption("The test and the letters are for the whole wave.")

# bars of the published groups
shown = [g for g in groups if shows(by_group[g])]
hidden = [g for g in groups if g not in shown]
if shown:
    names = [
        f"{labels.group(by, g)} ({letter_of[g]})" if g in letter_of else labels.group(by, g)
        for g in shown
    ]
    texts = [
        ui.estimate_text(by_group[g]["estimate"], False, share=share)
        + (f" > {higher_of[g]}" if higher_of.get(g) else "")
        for g in shown
    ]
    reference = None
    if population is not None and shows(population):
        reference = (
            float(population["estimate"]),
            f"{who}: {ui.estimate_text(population['estimate'], False, share=share)}",
        )
    figure = ui.bar_figure(
        names,
        [float(by_group[g]["estimate"]) for g in shown],
        lows=[float(by_group[g]["ci_low"]) for g in shown],
        highs=[float(by_group[g]["ci_high"]) for g in shown],
        texts=texts,
        reference=reference,
        title=f"{answer}, by {dimension_words} (95% CI)",
        x_title=labels.dimension(by),
        y_title="Share" if share else "Mean",
        share=share,
    )
    ui.plot(figure, key="compare_bars", alt=f"{answer} by {dimension_words}, with intervals")
    if letter_of:
        st.caption(
            "Letters: each group has a letter; “> BC” above a bar means its share is significantly "
            "higher than the groups lettered B and C (Holm-adjusted z tests)."
        )
else:
    st.write("No group of this breakdown is published.")
if hidden:
    st.caption(
        "Not shown: "
        + ", ".join(ui.markdown_text(labels.group(by, g)) for g in hidden)
        + f". {ui.suppression_note(tables.threshold)}"
    )

# the table
table_rows = []
if population is not None:
    table_rows.append((ui.population_column(selection, labels), "", population))
table_rows += [(labels.group(by, g), letter_of.get(g, ""), by_group[g]) for g in groups]
table = pd.DataFrame(
    {
        "Group": [name for name, _, _ in table_rows],
        "Letter": [letter for _, letter, _ in table_rows],
        "n": [ui.count_text(row["n"]) for _, _, row in table_rows],
        "Share" if share else "Mean": [
            ui.estimate_text(row["estimate"], not shows(row), share=share)
            for _, _, row in table_rows
        ],
        "95% CI": [
            ui.ci_text(row["ci_low"], row["ci_high"], not shows(row), share=share)
            for _, _, row in table_rows
        ],
        "Significantly higher than": [
            ", ".join(higher_of.get(str(row["group"]), "")) if str(row["by"]) == by else ""
            for _, _, row in table_rows
        ],
    }
)
ui.table(table, key="compare_table")
