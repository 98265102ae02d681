"""Downloads: the wave's reports as ``survey run`` wrote them, and the tables of the current
view (filters and weighting) as CSV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from survey.dashboard import data, ui

selection, tables, labels, _, who = ui.open_page("Downloads")

st.header("Reports")
folder = Path(selection.source.folder)
REPORTS = [
    (
        "report.xlsx",
        "Workbook (report.xlsx)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("report.html", "HTML report (report.html)", "text/html"),
    (
        "slides.pptx",
        "Slides (slides.pptx)",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
]
found = [(name, words, mime) for name, words, mime in REPORTS if (folder / name).is_file()]
if not found:
    st.write("This wave has no reports (an uploaded wave, or a run without them).")
else:
    st.caption("The whole wave, as `survey run` wrote them; the filters do not change them.")
    for column, (name, words, mime) in zip(st.columns(len(found)), found, strict=True):
        path = folder / name
        column.download_button(
            words,
            data=path.read_bytes,
            file_name=f"{selection.source.wave}-{name}",
            mime=mime,
            key=f"downloads_{name}",
            on_click="ignore",
        )
        column.caption(f"{path.stat().st_size / 1e6:.1f} MB")


def _csv(table: Callable[[], pd.DataFrame]) -> Callable[[], bytes]:
    return lambda: table().to_csv(index=False).encode("utf-8")


st.header("Tables of this view")
st.write(
    f"The engine's tables for {ui.markdown_text(who)} "
    f"({ui.count_text(data.population_size(selection))} respondents, "
    f"{'weighted' if selection.weighted else 'unweighted'}), in the columns of "
    "`results.csv`, `needs.csv`, `themes.csv` and `letters.csv`. Rows with `by = all` are the "
    "selection; suppressed rows have no estimate."
)
if selection.filters and selection.public:
    st.caption(
        "Public view: the selected group's published rows are the `all` rows; the breakdowns "
        "are the whole wave's."
    )
suffix = "-".join([selection.source.wave, *(group for _, group in selection.filters)])
suffix += "-weighted" if selection.weighted else "-unweighted"
CSVS = [
    ("results", "Estimates (results.csv)", lambda: data.results_view(selection)),
    ("needs", "Learning needs (needs.csv)", lambda: data.needs_view(selection)),
    ("themes", "Comment themes (themes.csv)", lambda: data.themes_view(selection)),
    ("letters", "Significance letters (letters.csv)", lambda: data.letters_view(selection)),
]
for column, (name, words, table) in zip(st.columns(len(CSVS)), CSVS, strict=True):
    column.download_button(
        words,
        data=_csv(table),
        file_name=f"{name}-{suffix}.csv",
        mime="text/csv",
        key=f"downloads_{name}_csv",
        on_click="ignore",
    )
