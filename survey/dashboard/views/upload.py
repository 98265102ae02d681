"""Upload a wave: a raw export (and optionally its codebook) is validated, cleaned, weighted and
analysed by :func:`survey.pipeline.process_wave` into a temporary folder; its validation summary
and quarantine are shown and it joins the wave menu for this session. Not in public mode."""

from __future__ import annotations

import streamlit as st

from survey.dashboard import data, state, ui
from survey.errors import SurveyError

settings = data.Settings.from_env()
st.title("Upload a wave")
if settings.public:  # the page is not offered in public mode; refuse if reached anyway
    st.error("Uploading is not available in the public view.")
    st.stop()

st.write(
    "Upload a survey platform's raw export (Qualtrics CSV or TSV, SurveyMonkey XLSX). It is "
    "checked and cleaned exactly as `survey run` would, then you can explore it here. Nothing "
    "is written to the reports folder."
)
raw = st.file_uploader("Raw export", type=["csv", "tsv", "xlsx"], key="upload_raw")
codebook = st.file_uploader(
    "Codebook (optional; default: the dashboard's)",
    type=["yaml", "yml"],
    key="upload_codebook",
    help="Needed only when the questionnaire differs from the dashboard's codebook.",
)
RESULT = "upload_result"
ERROR = "upload_error"

if st.button("Check and process", type="primary", disabled=raw is None, key="upload_go"):
    assert raw is not None
    st.session_state.pop(RESULT, None)
    st.session_state.pop(ERROR, None)
    with st.spinner("Validating, cleaning, weighting and estimating…"):
        try:
            upload = data.process_upload(
                settings,
                raw.name,
                raw.getvalue(),
                None if codebook is None else (codebook.name, codebook.getvalue()),
            )
        except SurveyError as error:
            st.session_state[ERROR] = str(error)
        except Exception as error:  # as the command line reports an unexpected failure
            st.session_state[ERROR] = (
                f"{raw.name}: processing failed unexpectedly: {type(error).__name__}: {error}"
            )
        else:
            state.uploads()[upload.source.key] = upload.source
            st.session_state[RESULT] = upload
            st.rerun()  # the wave menu in the sidebar now lists it

if ERROR in st.session_state:
    st.error(st.session_state[ERROR])

done: data.Upload | None = st.session_state.get(RESULT)
if done is not None:
    quarantined = sum(done.quarantined.values())
    st.success(
        f"{ui.markdown_text(done.source.wave)}: {ui.count_text(done.rows_in)} rows in, "
        f"{ui.count_text(done.analysed)} analysed, {ui.count_text(quarantined)} set aside."
    )

    def _explore(key: str = done.source.key) -> None:
        st.session_state["wave"] = key

    st.button(
        f"Explore {done.source.label}",
        on_click=_explore,
        key="upload_explore",
        help="Choose it in the sidebar's wave menu (you can switch back at any time).",
    )
    st.header("Validation and quarantine")
    ui.show_quality(data.tables(done.source), key="upload_quality")
