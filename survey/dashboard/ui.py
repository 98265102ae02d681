"""What the pages share: formatting (through :mod:`survey.report.style`), captions about the
view, plotly figures in the reports' palette, and the data-quality summary.

Numbers are formatted only with :func:`~survey.report.style.percent` and
:func:`~survey.report.style.value`, so a cell shows the same figure here as in the workbook,
the HTML report and the slides. A suppressed row is shown as
:data:`~survey.report.style.SUPPRESSED` and never drawn.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import pandas as pd
import streamlit as st

from survey.analysis.methods import ALPHA, EffectSize, HypothesisTest
from survey.codebook import Codebook
from survey.dashboard import data, state
from survey.report import rules, style
from survey.report.tables import Labels, ReportTables

__all__ = [
    "EFFECT_WORDS",
    "TEST_WORDS",
    "Page",
    "bar_figure",
    "cell_grid",
    "ci_text",
    "count_text",
    "estimate_text",
    "figure_layout",
    "grouped_bar_figure",
    "heatmap_figure",
    "line_figure",
    "markdown_text",
    "missing",
    "open_page",
    "p_words",
    "plot",
    "plotly_text",
    "population_column",
    "population_words",
    "records",
    "show_quality",
    "show_view",
    "suppression_note",
    "table",
    "test_sentence",
    "wrap",
]

_FONT = "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif"
_GREY = "#57606a"


# ------------------------------------------------------------------------------ formatting
def missing(number: Any) -> bool:
    return number is None or (isinstance(number, float) and math.isnan(number)) or pd.isna(number)


def estimate_text(estimate: Any, suppressed: Any, *, share: bool, digits: int | None = None) -> str:
    """An estimate for people (``46%`` or ``3.5``); ``–`` when suppressed or missing."""
    if bool(suppressed) or missing(estimate):
        return style.SUPPRESSED
    if share:
        return style.percent(float(estimate), digits=digits or 0)
    return style.value(float(estimate), digits=1 if digits is None else digits)


def ci_text(low: Any, high: Any, suppressed: Any, *, share: bool, digits: int | None = None) -> str:
    """A 95% interval for people (``41%–50%``, ``3.1–3.4``); empty when not shown."""
    if bool(suppressed) or missing(low) or missing(high):
        return ""
    return (
        f"{estimate_text(low, False, share=share, digits=digits)}–"
        f"{estimate_text(high, False, share=share, digits=digits)}"
    )


def p_words(p: Any) -> str:
    """``p < 0.001`` or ``p = 0.012``."""
    if missing(p):
        return "p not available"
    return "p < 0.001" if float(p) < 0.001 else f"p = {float(p):.3f}"


def count_text(number: Any) -> str:
    """A count with thousands separators (``1,709``)."""
    return style.SUPPRESSED if missing(number) else f"{int(number):,}"


plotly_text = style.plotly_text


def wrap(text: str, width: int = 28) -> str:
    """A long label, escaped for plotly, on several lines of a chart axis."""
    return style.wrap_label(plotly_text(text), width)


_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~$])")
_LIST_MARKER = re.compile(r"^(\s*)([-+]|\d+[.)])(\s)")


def markdown_text(text: str) -> str:
    """Text shown through markdown with the characters that would make markup escaped: emphasis,
    code, links, HTML, headings, tables, maths, strike-through, and a leading list marker."""
    escaped = _MARKDOWN.sub(r"\\\1", str(text))
    return _LIST_MARKER.sub(r"\1\\\2\3", escaped)


def suppression_note(threshold: int) -> str:
    return f"{style.SUPPRESSED} " + style.SUPPRESSED_NOTE.format(threshold=threshold) + "."


# ----------------------------------------------------------------------------- the view
def population_words(selection: data.Selection, labels: Labels) -> str:
    """The selected population in words: ``All respondents`` or the chosen groups."""
    if not selection.filters:
        return "All respondents"
    return ", ".join(labels.group(by, group) for by, group in selection.filters)


def population_column(selection: data.Selection, labels: Labels) -> str:
    """The heading of the selection's column in a table of groups (never a group's name, so
    a filtered group does not collide with its own column in a breakdown)."""
    who = population_words(selection, labels)
    return who if not selection.filters else f"Selected: {who}"


class Page(NamedTuple):
    """What a page shows: the sidebar's selection, its wave's tables with their labels and
    codebook, and the selected population in words (:func:`population_words`)."""

    selection: data.Selection
    tables: ReportTables
    labels: Labels
    book: Codebook
    who: str


def open_page(title: str, *, breakdowns: bool = True) -> Page:
    """Start a page: the view the sidebar chose (the page stops while there is no wave), the
    page's title and the line under it (:func:`show_view`)."""
    selection = state.current()
    tables = data.tables(selection.source)
    labels = tables.labels
    page = Page(selection, tables, labels, tables.codebook, population_words(selection, labels))
    st.title(title)
    show_view(selection, tables, breakdowns=breakdowns)
    return page


def show_view(selection: data.Selection, tables: ReportTables, *, breakdowns: bool = True) -> None:
    """One line under a page's title: whose answers, how many, weighted or not."""
    n = data.population_size(selection)
    weighting = "weighted to the frame" if selection.weighted else "unweighted"
    st.caption(
        f"Wave {markdown_text(selection.source.label)} · "
        f"{markdown_text(population_words(selection, tables.labels))}: "
        f"{count_text(n)} respondents · {weighting}"
    )
    if selection.filters and selection.public and breakdowns:
        st.caption(
            "Public view: the figures for the selected group are its published rows; published "
            "tables never cross two dimensions, so the breakdowns are the whole wave's."
        )
    note = data.design_note(selection)
    if note:
        st.caption(markdown_text(note))


def records(table: pd.DataFrame, *keys: str) -> dict[tuple[str, ...], dict[str, Any]]:
    """A table's rows as dicts by the text of ``keys`` (quicker to look up than masks)."""
    rows: list[dict[str, Any]] = table.to_dict("records")  # type: ignore[assignment]
    return {tuple(str(row[key]) for key in keys): row for row in rows}


def cell_grid(
    cells: Sequence[Sequence[dict[str, Any] | None]],
    *,
    threshold: int,
    column: str = "estimate",
    share: bool = True,
    digits: int | None = None,
) -> tuple[list[list[float | None]], list[list[str]]]:
    """A heatmap's values and texts from rows of the engine's tables: a cell that is not
    published (:func:`survey.report.rules.published`) has no value, so it is not coloured,
    and shows the suppression mark."""
    shown = [
        [rules.published(c, threshold=threshold, column=column) for c in line] for line in cells
    ]
    values = [
        [float(c[column]) if ok else None for c, ok in zip(line, marks, strict=True)]  # type: ignore[index]
        for line, marks in zip(cells, shown, strict=True)
    ]
    texts = [
        [
            estimate_text(c[column], False, share=share, digits=digits)  # type: ignore[index]
            if ok
            else style.SUPPRESSED
            for c, ok in zip(line, marks, strict=True)
        ]
        for line, marks in zip(cells, shown, strict=True)
    ]
    return values, texts


# -------------------------------------------------------------------------------- figures
def figure_layout(
    *, title: str, x_title: str, y_title: str, height: int, **extra: Any
) -> dict[str, Any]:
    layout = style.plotly_layout(
        font=_FONT,
        height=height,
        title={"text": plotly_text(title), "x": 0, "xanchor": "left", "font": {"size": 16}},
        margin={"t": 60},
        xaxis={"title": {"text": plotly_text(x_title)}, "automargin": True},
        yaxis={"title": {"text": plotly_text(y_title)}, "automargin": True},
        legend={"orientation": "h", "y": -0.2},
    )
    return style.updated_layout(layout, extra)


def bar_figure(
    names: Sequence[str],
    estimates: Sequence[float],
    *,
    title: str,
    x_title: str,
    y_title: str,
    share: bool,
    lows: Sequence[float] | None = None,
    highs: Sequence[float] | None = None,
    texts: Sequence[str] | None = None,
    reference: tuple[float, str] | None = None,
    horizontal: bool = False,
    colour: str = style.PALETTE[0],
) -> dict[str, Any]:
    """Bars with their 95% intervals (``lows``, ``highs``) when given. Only published
    estimates may be passed: a suppressed row is never drawn. ``reference``: a dashed line
    (value, its words), e.g. the population's estimate."""
    values = [float(number) for number in estimates]
    shown = (
        list(texts)
        if texts is not None
        else [estimate_text(number, False, share=share) for number in values]
    )
    trace: dict[str, Any] = {
        "type": "bar",
        "marker": {"color": colour},
        "hovertemplate": "%{hovertext}<extra></extra>",
        "showlegend": False,
    }
    hover = [f"{plotly_text(name)}: {text}" for name, text in zip(names, shown, strict=True)]
    # each bar's figure is written beyond its interval's end, where no whisker crosses it
    ends = list(values)
    top = max(values, default=0.0)
    if lows is not None and highs is not None:
        # the interval's two arms, as plotly draws an asymmetric error bar
        error = {
            "type": "data",
            "symmetric": False,
            "array": [float(high) - value for high, value in zip(highs, values, strict=True)],
            "arrayminus": [value - float(low) for low, value in zip(lows, values, strict=True)],
            "color": _GREY,
            "thickness": 1.2,
        }
        trace["error_x" if horizontal else "error_y"] = error
        hover = [
            f"{line} (95% CI {ci_text(low, high, False, share=share)})"
            for line, low, high in zip(hover, lows, highs, strict=True)
        ]
        ends = [
            float(high) if value >= 0 else float(low)
            for value, low, high in zip(values, lows, highs, strict=True)
        ]
        top = max([top, *(float(high) for high in highs)])
    trace["hovertext"] = hover
    labels = [wrap(name, 44 if horizontal else 16) for name in names]
    if horizontal:
        trace.update({"orientation": "h", "x": values, "y": labels})
    else:
        trace.update({"x": labels, "y": values})
    annotations: list[dict[str, Any]] = []
    for label, end, text in zip(labels, ends, shown, strict=True):
        if horizontal:
            annotations.append({"x": end, "y": label, "text": plotly_text(text),
                                "showarrow": False, "xanchor": "left" if end >= 0 else "right",
                                "xshift": 4 if end >= 0 else -4})  # fmt: skip
        else:
            annotations.append({"x": label, "y": end, "text": plotly_text(text),
                                "showarrow": False, "yanchor": "bottom" if end >= 0 else "top",
                                "yshift": 2 if end >= 0 else -2})  # fmt: skip
    value_axis: dict[str, Any] = {"rangemode": "tozero"}
    if share:
        value_axis.update({"tickformat": ".0%", "range": [0, min(1.12, max(0.1, top) * 1.18)]})
    else:
        bottom = min([0.0, *values, *(float(low) for low in lows or [])])
        value_axis["range"] = [bottom * 1.4, max(1.0, top) * 1.2]
    shapes: list[dict[str, Any]] = []
    traces = [trace]
    if reference is not None:
        level, words = reference
        line = {"color": style.PALETTE[5], "dash": "dash", "width": 1.5}
        if horizontal:
            shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": level,
                           "x1": level, "y0": 0, "y1": 1, "line": line})  # fmt: skip
        else:
            shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                           "y0": level, "y1": level, "line": line})  # fmt: skip
        # an empty trace, only to name the dashed line in the legend
        traces.append({"type": "scatter", "mode": "lines", "x": [None], "y": [None],
                       "name": plotly_text(words), "line": line, "hoverinfo": "skip"})  # fmt: skip
    axes: dict[str, Any] = (
        {"xaxis": value_axis, "yaxis": {"autorange": "reversed"}}
        if horizontal
        else {"yaxis": value_axis}
    )
    layout = figure_layout(
        title=title,
        x_title=x_title,
        y_title=y_title,
        height=max(320, 110 + 40 * len(values)) if horizontal else 440,
        shapes=shapes,
        annotations=annotations,
        showlegend=reference is not None,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        **axes,
    )
    return {"data": traces, "layout": layout}


def heatmap_figure(
    z: list[list[float | None]],
    text: list[list[str]],
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    title: str,
    x_title: str,
    y_title: str,
    colour_title: str,
    share: bool = True,
) -> dict[str, Any]:
    """A heatmap in the sequential palette; ``None`` cells (suppressed) stay blank and show
    their text (``–``)."""
    steps = len(style.SEQUENTIAL) - 1
    trace = {
        "type": "heatmap",
        "z": z,
        "x": [wrap(column, 14) for column in columns],
        "y": [wrap(row, 40) for row in rows],
        "text": text,
        "texttemplate": "%{text}",
        "hovertemplate": "%{y}<br>%{x}: %{text}<extra></extra>",
        "colorscale": [[index / steps, colour] for index, colour in enumerate(style.SEQUENTIAL)],
        "colorbar": {
            "title": {"text": plotly_text(colour_title)},
            **({"tickformat": ".0%"} if share else {}),
        },
        "xgap": 2,
        "ygap": 2,
        "hoverongaps": False,
    }
    layout = figure_layout(
        title=title,
        x_title=x_title,
        y_title=y_title,
        height=max(360, 110 + 36 * len(rows)),
        yaxis={"autorange": "reversed", "gridcolor": "white"},
        xaxis={"side": "top", "gridcolor": "white", "tickangle": 0, "title": {"standoff": 4}},
        margin={"t": 120},
    )
    return {"data": [trace], "layout": layout}


def table(
    frame: pd.DataFrame, *, key: str, index: bool = False, first_width: int | None = None
) -> None:
    """A table tall enough to show every row (up to about twenty); ``first_width``: the first
    column's width in pixels (long labels otherwise push the numbers out of sight)."""
    height = min(38 + 35 * len(frame), 38 + 35 * 20)
    config = (
        {frame.columns[0]: st.column_config.TextColumn(width=first_width)}
        if first_width is not None and len(frame.columns)
        else None
    )
    with st.container(key=key):  # the key names the table (for tests and page CSS)
        st.dataframe(frame, hide_index=not index, height=height, column_config=config)


def plot(figure: dict[str, Any], *, key: str, alt: str) -> None:
    """Show a figure, with a text alternative for screen readers."""
    st.plotly_chart(figure, key=key, config={"displaylogo": False}, alt=alt)


# -------------------------------------------------------------------------- data quality
def show_quality(tables: ReportTables, *, key: str) -> None:
    """The validation summary, the failed checks, and the rows set aside or values changed,
    by reason (counts only; no respondent is named)."""
    validation = tables.validation
    rows_in = int(validation.get("rows", 0) or 0)
    quarantined = int(tables.quarantined.sum())
    columns = st.columns(5)
    columns[0].metric("Rows in the export", count_text(rows_in))
    columns[1].metric("Analysed", count_text(tables.analysed))
    columns[2].metric("Set aside", count_text(quarantined))
    columns[3].metric(
        "Values changed",
        count_text(int(tables.flagged.sum())),
        help="Answers made missing (out of range, unreadable) or recoded (other-specify).",
    )
    checks_run = int(validation.get("checks_run", 0) or 0)
    failed = int(validation.get("checks_failed", 0) or 0)
    columns[4].metric("Checks failed", f"{failed} of {checks_run}")
    st.caption(
        f"Rows in the export = analysed + set aside: {count_text(rows_in)} = "
        f"{count_text(tables.analysed)} + {count_text(quarantined)}. File "
        f"{markdown_text(str(validation.get('file', '')))}, layout "
        f"{markdown_text(str(validation.get('layout', '')))}."
    )
    missing_columns = validation.get("missing_columns") or []
    if missing_columns:
        st.warning(
            "Columns the codebook expects but the export lacks: " + ", ".join(missing_columns)
        )

    left, right = st.columns(2)
    with left:
        reasons = _by_reason(
            "Rows set aside, by reason",
            tables.quarantined,
            "rows",
            none="No row was set aside.",
            key=f"{key}_quarantine",
        )
        if reasons is not None:
            figure = bar_figure(
                [str(reason).replace("_", " ") for reason in reasons["reason"]],
                reasons["rows"].astype(float).tolist(),
                texts=[count_text(count) for count in reasons["rows"]],
                title="Rows set aside, by reason",
                x_title="Rows",
                y_title="Reason",
                share=False,
                horizontal=True,
                colour=style.PALETTE[5],
            )
            plot(figure, key=f"{key}_quarantine_chart", alt="Rows set aside by reason (bar chart)")
    with right:
        _by_reason(
            "Values made missing or recoded",
            tables.flagged,
            "values",
            none="No value was changed.",
            key=f"{key}_flags",
        )

    st.subheader("Checks that failed")
    failures = [check for check in validation.get("checks", []) if not check.get("success", True)]
    if not failures:
        st.write("Every check passed.")
    else:
        checks = pd.DataFrame(failures)
        wanted = ["section", "description", "column", "failed", "checked", "action", "reason"]
        table(checks[[column for column in wanted if column in checks]], key=f"{key}_checks")


def _by_reason(
    title: str, counts: pd.Series, name: str, *, none: str, key: str
) -> pd.DataFrame | None:
    """A subheader and a table of ``counts`` by reason (its count column called ``name``),
    or the words ``none`` when there are none; the table shown, if any."""
    st.subheader(title)
    if counts.empty:
        st.write(none)
        return None
    shown = counts.rename_axis("reason").reset_index(name=name)
    table(shown, key=key)
    return shown


def grouped_bar_figure(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    title: str,
    x_title: str,
    y_title: str,
    share: bool = True,
) -> dict[str, Any]:
    """Horizontal bars side by side: one trace per ``(name, values, colour)``, categories down
    the side; values must be published."""
    labels = [wrap(category, 24) for category in categories]
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": plotly_text(name),
            "y": labels,
            "x": [float(number) for number in values],
            "marker": {"color": colour},
            "hovertemplate": "%{y}: %{hovertext}<extra>" + plotly_text(name) + "</extra>",
            "hovertext": [estimate_text(number, False, share=share) for number in values],
        }
        for name, values, colour in series
    ]
    layout = figure_layout(
        title=title,
        x_title=x_title,
        y_title=y_title,
        height=max(320, 130 + 22 * len(series) * len(categories)),
        barmode="group",
        xaxis={"tickformat": ".0%"} if share else {},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top"},
        margin={"t": 50},
    )
    return {"data": traces, "layout": layout}


def line_figure(
    waves: Sequence[str],
    series: Sequence[
        tuple[str, Sequence[float | None], Sequence[float | None], Sequence[float | None]]
    ],
    *,
    title: str,
    x_title: str,
    y_title: str,
    marks: Sequence[str | None] | None = None,
    mark_name: str = "",
) -> dict[str, Any]:
    """Lines of shares across waves with their intervals: one ``(name, estimates, lows,
    highs)`` per line, ``None`` where a wave's estimate is not published. ``marks``: for each
    line, the words of a ring around its last wave's point (a significant change, say; ``None``:
    no ring), named ``mark_name`` in the legend."""
    traces = []
    ringed: list[tuple[float, str]] = []
    for index, (name, estimates, lows, highs) in enumerate(series):
        colour = style.PALETTE[index % len(style.PALETTE)]
        above = [
            None if e is None or h is None else h - e for e, h in zip(estimates, highs, strict=True)
        ]
        below = [
            None if e is None or lo is None else e - lo
            for e, lo in zip(estimates, lows, strict=True)
        ]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": wrap(name, 40),
                "x": list(waves),
                "y": list(estimates),
                "line": {"color": colour, "width": 2},
                "marker": {"color": colour, "size": 8},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": above,
                    "arrayminus": below,
                    "color": colour,
                    "thickness": 1,
                    "width": 4,
                },
                "connectgaps": False,
                "hovertemplate": "%{x}: %{y:.0%}<extra>" + plotly_text(name) + "</extra>",
            }
        )
        words = marks[index] if marks is not None else None
        if words is not None and estimates and estimates[-1] is not None:
            ringed.append((float(estimates[-1]), f"{plotly_text(name)}: {plotly_text(words)}"))
    if ringed:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": plotly_text(mark_name),
                "x": [waves[-1]] * len(ringed),
                "y": [level for level, _words in ringed],
                "marker": {
                    "symbol": "circle-open",
                    "size": 18,
                    "color": "#1f2328",
                    "line": {"width": 2},
                },
                "hovertext": [words for _level, words in ringed],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    layout = figure_layout(
        title=title,
        x_title=x_title,
        y_title=y_title,
        height=480,
        xaxis={"type": "category"},
        yaxis={"tickformat": ".0%", "rangemode": "tozero"},
        legend={"orientation": "v", "y": 1, "x": 1.02},
    )
    return {"data": traces, "layout": layout}


#: Effect sizes of ``tests.csv`` in words.
EFFECT_WORDS: dict[str, str] = {
    EffectSize.CRAMERS_V: "Cramér's V",
    EffectSize.ETA_SQUARED: "η²",
    EffectSize.ETA_SQUARED_H: "η² (from H)",
    EffectSize.RANK_BISERIAL: "rank-biserial r",
}

#: Tests of ``tests.csv`` in words.
TEST_WORDS: dict[str, str] = {
    HypothesisTest.RAO_SCOTT_F: "Rao-Scott F test",
    HypothesisTest.CHI2_INDEPENDENCE: "chi-square test",
    HypothesisTest.WALD_F: "Wald F test of the means",
    HypothesisTest.KRUSKAL_WALLIS: "Kruskal-Wallis test",
}


def test_sentence(test: Any, *, subject: str, dimension: str, alpha: float = ALPHA) -> str:
    """A row of ``tests.csv`` in plain words: ``… differs by region, p < 0.001 after
    adjustment; Cramér's V = 0.21 (Rao-Scott F test)``."""
    p_adjusted = test["p_adjusted"]
    significant = not missing(p_adjusted) and float(p_adjusted) < alpha
    verb = "differs" if significant else "does not differ significantly"
    effect = EFFECT_WORDS.get(str(test["effect_name"]), str(test["effect_name"]).replace("_", " "))
    name = TEST_WORDS.get(str(test["test"]), str(test["test"]).replace("_", " "))
    size = (
        ""
        if missing(test["effect_size"])
        else f"; {effect} = {style.value(float(test['effect_size']), digits=2)}"
    )
    return (
        f"{subject} {verb} by {dimension}, {p_words(p_adjusted)} after adjustment{size} ({name})."
    )
