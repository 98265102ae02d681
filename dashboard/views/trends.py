"""Trends: each topic's top-two importance across the known waves, from each wave's own
results (overall, or the selection's), with intervals. The tests of change between waves come
with the waves issue."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, state, ui
from survey.analysis.needs import need_grids
from survey.export import style

selection = state.current()
tables = data.tables(selection.source)
labels = tables.labels
book = tables.codebook
who = ui.population_words(selection, labels)

st.title("Trends")
ui.show_view(selection, tables, breakdowns=False)

settings = data.Settings.from_env()
sources = [s for s in data.report_waves(settings) if s.codebook == selection.source.codebook]
if selection.source.uploaded:
    st.caption("Trends use the waves of the reports folder; an uploaded wave is not among them.")
if len(sources) < 2:
    st.info(
        "Trends need more than one wave; only "
        + (sources[0].wave if sources else "one wave")
        + " is known. Run `survey run` on the other waves' exports."
    )
    st.stop()

grids = need_grids(book)
if not grids:
    st.info("The codebook has no importance grid to follow across waves.")
    st.stop()
columns = tuple(column for grid in grids for column in grid.grid_columns(grid.items[0]))


topics = {column: labels.short(column) for column in columns}

# the topics, most important first in the latest wave as published (whole wave: the order does
# not jump when a filter changes)
latest_source = sources[-1]
latest_tables = data.tables(latest_source)
published_rows = ui.records(
    latest_tables.shown("results").query("by == 'all' and option == 'top2'"), "question"
)
ranked = sorted(
    columns,
    key=lambda c: (
        -float(published_rows[(c,)]["estimate"]) if ui.published(published_rows.get((c,))) else 1.0
    ),
)
chosen = st.multiselect(
    "Topics",
    list(ranked),
    default=list(ranked[:5]),
    format_func=lambda column: topics[column],
    key="trends_topics",
    help="Listed from the most important in the latest wave (all respondents).",
)
if not chosen:
    st.info("Choose one or more topics.")
    st.stop()

# each wave's own estimates of the chosen topics, for the selection
cells: dict[tuple[str, str], dict[str, Any]] = {}
waves = [source.wave for source in sources]
for source in sources:
    view = dataclasses.replace(
        selection, source=source, weighted=selection.weighted and data.tables(source).weighted
    )
    rows = data.results_view(view, tuple(chosen), by=())
    for (question,), row in ui.records(
        rows[(rows["by"] == "all") & (rows["option"] == "top2")], "question"
    ).items():
        cells[(question, source.wave)] = row


def shown(column: str, wave: str) -> bool:
    """Whether a wave's estimate of a topic may be shown (published, not suppressed)."""
    return ui.published(cells.get((column, wave)))


lines = [
    (
        topics[column],
        [float(cells[(column, w)]["estimate"]) if shown(column, w) else None for w in waves],
        [float(cells[(column, w)]["ci_low"]) if shown(column, w) else None for w in waves],
        [float(cells[(column, w)]["ci_high"]) if shown(column, w) else None for w in waves],
    )
    for column in chosen
]
top2 = labels.option(columns[0], "top2")
if lines:
    ui.plot(
        ui.line_figure(
            waves,
            lines,
            title=f"{top2}, by wave ({who}, 95% CI)",
            x_title="Wave",
            y_title=f"Share rating it {top2.lower()}",
        ),
        key="trends_lines",
        alt=f"Share rating each chosen topic {top2.lower()} in each wave",
    )
st.caption(
    "Each wave's own estimate, weighted where the wave was weighted"
    + ("" if selection.weighted else " (the toggle is off: unweighted)")
    + ". Tests of the change between waves (trends.csv) come with the waves issue; until then "
    "overlapping intervals are only a rough guide."
)
table = pd.DataFrame(
    {
        "Topic": [topics[c] for c in chosen],
        **{
            wave: [
                style.percent(float(cells[(c, wave)]["estimate"]))
                if shown(c, wave)
                else style.SUPPRESSED
                for c in chosen
            ]
            for wave in waves
        },
    }
)
ui.table(table, key="trends_table")
if any(not shown(c, w) for c in chosen for w in waves):
    st.caption(ui.suppression_note(tables.threshold))
