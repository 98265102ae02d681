"""The Streamlit dashboard over the engine's tables (``survey dashboard``).

``app.py`` is the entry point (sidebar, query parameters, navigation); ``data.py`` holds the
cached wrappers over :mod:`survey` functions; ``state.py`` the sidebar's selection; ``ui.py``
formatting and plotting helpers; ``views/`` one script per page. Nothing here computes a
statistic: every number shown comes from a :mod:`survey` function or a table it wrote.
"""
