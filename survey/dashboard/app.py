"""The dashboard's entry point: ``survey dashboard`` runs ``streamlit run`` on this file (shipped in
the package, so an installed wheel has the dashboard).

It reads where the tables are from the environment (``SURVEY_REPORTS``, ``SURVEY_PROCESSED``,
``SURVEY_CODEBOOK``, ``SURVEY_PUBLIC``), draws the sidebar's filters, keeps them in the URL and
runs the chosen page. Public mode has no upload page.
"""

from __future__ import annotations

import streamlit as st

from survey.dashboard import PAGES, data, state

st.set_page_config(page_title="Learning needs survey", layout="wide")
settings = data.Settings.from_env()
selection = state.sidebar(settings)
pages = [
    # "/" shows the overview too, so that /overview is a page of its own (a default page is
    # served only at "/", and its url path would answer "page not found")
    st.Page(PAGES[0][0], title=PAGES[0][1], url_path="home", default=True, visibility="hidden"),
    *(
        st.Page(file, title=title, url_path=url_path)
        for file, title, url_path in PAGES
        if not (settings.public and url_path == "upload")
    ),
]
if selection is None:
    page = st.navigation(pages)
    st.title("Learning needs survey")
    st.error(
        f"{settings.reports}: no finished wave (no */results.csv); run `survey run` first"
        + ("" if settings.public else ", or upload an export")
    )
    if settings.public or page.url_path != "upload":
        st.stop()
    page.run()
else:
    page = st.navigation(pages)
    state.sync_query(selection, page.url_path)
    page.run()
    if not settings.public:
        data.warm_up()
