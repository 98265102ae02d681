"""Barriers and formats: each multi-select question overall and by every dimension (where is
travel the barrier, who wants webinars)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from survey.codebook import QuestionType
from survey.dashboard import data, state, ui
from survey.report import rules, style

PAGE = "barriers"

selection, tables, labels, book, who = ui.open_page("Barriers and formats")

present = set(tables.results["question"].astype(str))
multis = [q.id for q in book.questions_of(QuestionType.MULTI) if q.id in present]
if not multis:
    st.info("The codebook has no multi-select question.")
    st.stop()
question = state.page_choice(PAGE, "question", "Question", multis, format_func=labels.question)
st.caption(
    "Each option is the share choosing it among those who answered the question; several "
    "options can be chosen, so shares add up to more than 100%."
)

rows = data.results_view(selection, (question,))
rows = rows[rows["question"] == question]
codes = [code for code in book.question(question).option_codes() if code in set(rows["option"])]

# overall, biggest first
cells = ui.records(rows, "by", "group", "option")
overall = {code: cells.get(("all", "all", code)) for code in codes}
shown = sorted(
    (code for code in codes if rules.published(overall[code], threshold=tables.threshold)),
    key=lambda code: -float(overall[code]["estimate"]),  # type: ignore[index]
)
if shown:
    ui.plot(
        ui.bar_figure(
            [labels.option(question, code) for code in shown],
            [float(overall[code]["estimate"]) for code in shown],  # type: ignore[index]
            lows=[float(overall[code]["ci_low"]) for code in shown],  # type: ignore[index]
            highs=[float(overall[code]["ci_high"]) for code in shown],  # type: ignore[index]
            title=f"{labels.question(question)} ({who}, 95% CI)",
            x_title="Share of those who answered",
            y_title="Option",
            share=True,
            horizontal=True,
        ),
        key="barriers_overall",
        alt=f"Share choosing each option of {labels.question(question)}",
    )
else:
    st.warning(f"{ui.markdown_text(who)}: {ui.suppression_note(tables.threshold)}")
order = shown + [code for code in codes if code not in shown]
option_names = [labels.option(question, code) for code in order]

# by each dimension
dimensions = list(book.dimensions)
tabs = st.tabs([f"By {labels.dimension(d).lower()}" for d in dimensions])
for tab, by in zip(tabs, dimensions, strict=True):
    with tab:
        groups = rules.group_order(book, by, rows.loc[rows["by"] == by, "group"].astype(str))
        columns = [ui.population_column(selection, labels), *[labels.group(by, g) for g in groups]]
        z, text = ui.cell_grid(
            [
                [overall[code], *(cells.get((by, group, code)) for group in groups)]
                for code in order
            ],
            threshold=tables.threshold,
        )
        ui.plot(
            ui.heatmap_figure(
                z,
                text,
                rows=option_names,
                columns=columns,
                title=f"{labels.question(question)} by {labels.dimension(by).lower()}",
                x_title=labels.dimension(by),
                y_title="Option",
                colour_title="Share",
            ),
            key=f"barriers_heatmap_{by}",
            alt=f"Heatmap of each option's share by {labels.dimension(by).lower()}",
        )
        if any(style.SUPPRESSED in line for line in text):
            st.caption(ui.suppression_note(tables.threshold))
        with st.expander("As a table"):
            ui.table(
                pd.DataFrame(text, columns=columns, index=option_names),
                key=f"barriers_table_{by}",
                index=True,
            )
