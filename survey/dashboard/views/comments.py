"""Comments: the themes of the open answers by group (``themes.csv``, or
:func:`survey.analysis.themes.theme_table` on the filtered respondents) and exemplar quotes
(``quotes.csv``), shown as plain text, never as markdown or HTML."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from survey.dashboard import data, state, ui
from survey.report import rules, style

PAGE = "comments"

selection, tables, labels, book, who = ui.open_page("Comments")

published_themes = tables.themes
questions = list(dict.fromkeys(published_themes["question"].dropna().astype(str)))
if not questions:
    st.info("No open question has themes in the codebook.")
    st.stop()
controls = st.columns([3, 1])
question = state.page_choice(
    PAGE, "question", "Question", questions, format_func=labels.question, container=controls[0]
)
by = state.page_choice(
    PAGE,
    "by",
    "Compare by",
    list(book.dimensions),
    format_func=labels.dimension,
    container=controls[1],
)
rows = data.themes_view(selection, (question,), by=(by,))
rows = rows[rows["question"] == question]
codes = list(dict.fromkeys(rows["theme"].astype(str)))
names = {str(code): str(label) for code, label in zip(rows["theme"], rows["label"], strict=True)}
cells = ui.records(rows, "by", "group", "theme")
overall = {code: cells.get(("all", "all", code)) for code in codes}
comments = max((int(row["comments"]) for row in overall.values() if row), default=0)
st.caption(
    f"{ui.count_text(comments)} comments from {ui.markdown_text(who)}. A comment can have "
    "several themes, so shares add up to more than 100%; “uncoded” comments match no theme."
)

shown = sorted(
    (
        code
        for code in codes
        if rules.published(overall[code], threshold=tables.threshold, column="share")
        and code != "uncoded"
    ),
    key=lambda code: -float(overall[code]["share"]),  # type: ignore[index]
)
if shown:
    ui.plot(
        ui.bar_figure(
            [names[code] for code in shown],
            [float(overall[code]["share"]) for code in shown],  # type: ignore[index]
            texts=[
                f"{style.percent(float(overall[code]['share']))} "  # type: ignore[index]
                f"({ui.count_text(overall[code]['count'])})"  # type: ignore[index]
                for code in shown
            ],
            title=f"Themes of “{labels.question(question)}” ({who})",
            x_title="Share of comments",
            y_title="Theme",
            share=True,
            horizontal=True,
        ),
        key="comments_overall",
        alt="Share of comments coded to each theme",
    )
else:
    st.warning(f"{ui.markdown_text(who)}: {ui.suppression_note(tables.threshold)}")

st.header(f"Themes by {labels.dimension(by).lower()}")
groups = rules.group_order(book, by, rows.loc[rows["by"] == by, "group"].astype(str))
order = shown + [code for code in codes if code not in shown]
_, text = ui.cell_grid(
    [[overall[code], *(cells.get((by, group, code)) for group in groups)] for code in order],
    threshold=tables.threshold,
    column="share",
)
table = pd.DataFrame(
    text,
    columns=[ui.population_column(selection, labels), *(labels.group(by, g) for g in groups)],
    index=[names[code] for code in order],
)
ui.table(table, key="comments_table", index=True)
if any(style.SUPPRESSED in line for line in text):
    st.caption(ui.suppression_note(tables.threshold))

st.header("What people wrote")
st.caption(
    "Up to three short quotes per theme from the whole wave, chosen only from groups at or "
    "above the threshold and scrubbed of personal data; shown exactly as written."
)
quotes = tables.quotes
quotes = quotes[quotes["question"] == question] if "question" in quotes else quotes.iloc[0:0]
if quotes.empty:
    st.write("No quote for this question.")
quoted = [
    (code, quotes[quotes["theme"] == code]["quote"].dropna().astype(str).tolist()) for code in order
]
quoted = [(code, chosen) for code, chosen in quoted if chosen]
for index, column in enumerate(st.columns(3)):
    with column:
        for code, chosen in quoted[index::3]:
            st.markdown(f"**{ui.markdown_text(names[code])}**")
            for quote in chosen:
                st.text(f"“{quote}”")  # as written: never read as markdown or HTML
