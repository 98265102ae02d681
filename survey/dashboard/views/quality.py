"""Data quality: the validation summary, the checks that failed, and the rows set aside and
values changed by reason (counts from ``validation.json``, ``quarantine.csv``, ``flags.csv``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from survey.dashboard import data, state, ui

selection = state.current()
tables = data.tables(selection.source)

st.title("Data quality")
st.caption(
    f"Wave {ui.markdown_text(selection.source.label)}: the whole export as it arrived"
    + (", whatever the filters." if selection.filters else ".")
)
ui.show_quality(tables, key="quality")

report = Path(selection.source.folder) / "validation.html"
if not selection.public and report.is_file():
    st.download_button(
        "Download the full validation report (validation.html)",
        data=report.read_bytes(),
        file_name=f"validation-{selection.source.wave}.html",
        mime="text/html",
        key="quality_validation_html",
    )
