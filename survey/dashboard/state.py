"""The sidebar's choices and the URL: a view can be shared as a link.

The wave, one group per breakdown dimension and the weighted/unweighted choice live in
``st.session_state`` under the names of their query parameters (``wave``, ``sector``, ``role``,
``region``, ``weighted``). On a session's first run they are read from the URL; on every run
(page switches clear the URL) they are written back. Pages add their own choices
(:func:`page_choice`), which stay in the URL only while that page is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from survey.dashboard import data

__all__ = ["ALL", "current", "page_choice", "sidebar", "sync_query"]

#: The option of a dimension's filter that keeps everyone.
ALL = "all"

_STARTED = "_dashboard_started"
_INITIAL = "_dashboard_initial_query"
_SELECTION = "_dashboard_selection"
_UPLOADS = "uploaded_waves"
_PAGE_PARAMS = "_dashboard_page_params"
_KEEP_WEIGHTED = "_dashboard_keep_weighted"
_FIRST_PAGE = "_dashboard_first_page"


def uploads() -> dict[str, data.WaveSource]:
    """Waves uploaded in this session, by key."""
    found: dict[str, data.WaveSource] = st.session_state.setdefault(_UPLOADS, {})
    return found


def _first_run() -> None:
    """Keep the URL's parameters of the first load (a shared link) for the widgets."""
    if _STARTED in st.session_state:
        return
    st.session_state[_STARTED] = True
    st.session_state[_INITIAL] = {key: st.query_params.get(key) for key in st.query_params}


def _initial(name: str) -> str | None:
    value = st.session_state.get(_INITIAL, {}).get(name)
    return None if value is None else str(value)


def _prepare(key: str, options: Sequence[str], default: str) -> None:
    """Give a widget its value before it is drawn: the one it has, else the shared link's,
    else ``default`` (a value no longer among the options falls back too)."""
    if st.session_state.get(key) in options:
        return
    initial = _initial(key)
    st.session_state[key] = initial if initial in options else default


def sidebar(settings: data.Settings) -> data.Selection | None:
    """Draw the sidebar's filters and return the view they choose (``None``: no wave)."""
    _first_run()
    sources = {source.key: source for source in data.report_waves(settings)}
    sources.update(uploads())
    bar = st.sidebar
    if settings.public:
        bar.caption("Public view: published tables only.")
    if not sources:
        st.session_state[_SELECTION] = None
        return None
    keys = list(sources)
    _prepare("wave", keys, keys[-1])
    key = bar.selectbox("Wave", keys, key="wave", format_func=lambda k: sources[k].label)
    source = sources[str(key)]
    tables = data.tables(source)
    labels = tables.labels

    filters: list[tuple[str, str]] = []
    dimensions = list(tables.codebook.dimensions)  # single-choice questions (codebook rule)
    for dimension in dimensions:
        codes = [ALL, *tables.codebook.question(dimension).option_codes()]
        _prepare(dimension, codes, ALL)
    if settings.public:  # published tables break down by one dimension at a time
        chosen = [d for d in dimensions if st.session_state[d] != ALL]
        for dimension in chosen[1:]:
            st.session_state[dimension] = ALL
    for dimension in dimensions:
        codes = [ALL, *tables.codebook.question(dimension).option_codes()]
        others = [d for d in dimensions if d != dimension and st.session_state[d] != ALL]
        locked = settings.public and bool(others)
        value = bar.selectbox(
            labels.dimension(dimension),
            codes,
            key=dimension,
            format_func=_group_words(labels, dimension),
            disabled=locked,
            help=(
                "Published tables break down by one dimension at a time: set the other "
                "filter back to All first."
                if locked
                else None
            ),
        )
        if value != ALL:
            filters.append((dimension, str(value)))

    weighted = False
    if tables.weighted:
        if "weighted" not in st.session_state:
            st.session_state["weighted"] = _initial_weighted()
        weighted = bool(
            bar.toggle(
                "Weighted to the frame",
                key="weighted",
                help="Estimates weighted to the sampling frame's sector and region counts "
                "(as the reports show them); off: unweighted.",
            )
        )
        st.session_state[_KEEP_WEIGHTED] = weighted
    else:
        bar.caption("This wave is unweighted.")
    selection = data.Selection(
        source=source, filters=tuple(filters), weighted=weighted, public=settings.public
    )
    st.session_state[_SELECTION] = selection
    return selection


def _initial_weighted() -> bool:
    if _KEEP_WEIGHTED in st.session_state:
        return bool(st.session_state[_KEEP_WEIGHTED])
    initial = _initial("weighted")
    return initial not in ("0", "false", "no", "off")


def _group_words(labels: Any, dimension: str) -> Callable[[str], str]:
    def words(code: str) -> str:
        return "All" if code == ALL else str(labels.group(dimension, code))

    return words


def current() -> data.Selection:
    """The view the sidebar chose in this run."""
    selection = current_or_none()
    if selection is None:
        st.stop()
    assert selection is not None
    return selection


def current_or_none() -> data.Selection | None:
    """The view the sidebar chose in this run, ``None`` when there is no wave yet."""
    selection: data.Selection | None = st.session_state.get(_SELECTION)
    return selection


def _global_params(selection: data.Selection) -> dict[str, str]:
    params = {"wave": selection.source.key}
    params.update(dict(selection.filters))
    if data.tables(selection.source).weighted:
        params["weighted"] = "1" if selection.weighted else "0"
    return params


def sync_query(selection: data.Selection, page: str) -> None:
    """Write the view into the URL: the sidebar's choices and the shown page's own ones;
    parameters of other pages are dropped. Only changed keys are written."""
    wanted = _global_params(selection)
    page_names: set[str] = st.session_state.get(_PAGE_PARAMS, {}).get(page, set())
    for name in list(st.query_params):
        if name not in wanted and name not in page_names:
            del st.query_params[name]
    for name, value in wanted.items():
        if st.query_params.get(name) != value:
            st.query_params[name] = value
    # the page a shared link opened: only its own widgets take their values from that link
    st.session_state.setdefault(_FIRST_PAGE, page)


def page_choice(
    page: str,
    name: str,
    label: str,
    options: Sequence[str],
    *,
    default: str | None = None,
    format_func: Callable[[str], str] = str,
    container: Any = None,
    help: str | None = None,
) -> str:
    """A page's own selectbox, kept in the URL as ``name`` while the page is shown and
    remembered for the session when the user goes elsewhere and comes back."""
    key = f"{page}_{name}"
    options = list(options)
    fallback = default if default in options else options[0]
    if st.session_state.get(key) not in options:
        initial = _initial(name) if st.session_state.get(_FIRST_PAGE) == page else None
        st.session_state[key] = initial if initial in options else fallback
    where = container if container is not None else st
    value = str(
        where.selectbox(
            label,
            options,
            key=key,
            format_func=format_func,
            persist_state="session",
            help=help,
        )
    )
    st.session_state.setdefault(_PAGE_PARAMS, {}).setdefault(page, set()).add(name)
    if st.query_params.get(name) != value:
        st.query_params[name] = value
    return value
