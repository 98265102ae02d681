"""The Streamlit dashboard over the engine's tables (``survey dashboard``).

``app.py`` is the entry point (sidebar, query parameters, navigation); ``data.py`` holds the
cached wrappers over :mod:`survey` functions; ``state.py`` the sidebar's selection; ``ui.py``
formatting and plotting helpers; ``views/`` one script per page. Nothing here computes a
statistic: every number shown comes from a :mod:`survey` function or a table it wrote.
"""

__all__ = ["PAGES"]

#: The pages: (file under ``survey/dashboard/``, title, url path). The url paths are part of the
#: contract (links, tests, ``bench.dashboard``).
PAGES = [
    ("views/overview.py", "Overview", "overview"),
    ("views/needs.py", "Learning needs", "needs"),
    ("views/compare.py", "Compare groups", "compare"),
    ("views/barriers.py", "Barriers and formats", "barriers"),
    ("views/trends.py", "Trends", "trends"),
    ("views/comments.py", "Comments", "comments"),
    ("views/quality.py", "Data quality", "quality"),
    ("views/downloads.py", "Downloads", "downloads"),
    ("views/upload.py", "Upload a wave", "upload"),
]
