"""The dashboard's pages, one script each, run by ``st.navigation`` in ``app.py``.

The folder is not called ``pages/``: Streamlit treats a ``pages/`` folder beside the main script
as a legacy multipage app, and then the first request of a fresh server for a page's own URL
(``/needs``) answers "page not found" before ``st.navigation`` takes over (and ``AppTest`` runs a
page without ``app.py`` whenever a file's name equals its URL path).
"""
