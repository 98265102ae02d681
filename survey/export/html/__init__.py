"""The HTML report of a wave: one self-contained file people can open, present and print.

``report.html`` works offline: plotly.js is embedded once, inline, and every chart is a plotly
fragment that uses it; no font, script, style or picture is loaded from anywhere else. The page
has a navigation bar, the headline findings, interactive charts (learning needs by group,
importance against confidence, and every multi-select question by each breakdown dimension),
tables by dimension (n, %, confidence interval and significance letters), the respondents'
comments by theme, and the method.

Like every writer, this one computes no statistic: it picks, sorts and pivots the engine's
tables (:class:`~survey.report.tables.ReportTables`) and rounds their numbers with
:mod:`survey.report.style`, so a figure on the page is the figure in ``results.csv``.
Suppressed rows show :data:`~survey.report.style.SUPPRESSED`, never a number. Everything that
comes from the tables (respondents' quotes included) goes through Jinja2's autoescaping; only
plotly.js and the plotly fragments are inserted as they are.

Each chart is a ``<figure>`` whose ``<figcaption>`` says what it shows and whose
``aria-describedby`` points at tables holding the same numbers (folded under the chart), so a
reader who cannot see the chart gets all of it.

The package: the page model (:mod:`~survey.export.html.model`), the sections built from the
tables (:mod:`~survey.export.html.sections`), the charts (:mod:`~survey.export.html.needs`,
:mod:`~survey.export.html.multi`) drawn as plotly fragments (:mod:`~survey.export.html.figure`),
formatting helpers in ``_common``; the page itself is the Jinja2 template
``survey/templates/report.html``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.offline
from jinja2 import Environment, PackageLoader, select_autoescape

from survey.codebook import QuestionType
from survey.export.html._common import _slug
from survey.export.html.figure import _fragment
from survey.export.html.multi import _multi_chart
from survey.export.html.needs import _needs_chart, _quadrant_chart
from survey.export.html.sections import ALPHA, TEST_WORDS, _Report
from survey.report import style
from survey.report.model import ReportModel
from survey.writing import atomic_write_text

#: The changes since the wave before the page lists (the strongest first).
_CHANGES = 8

__all__ = ["ALPHA", "TEST_WORDS", "write_html"]


def warm_up() -> None:
    """Pay a process's first report's own costs ahead: the template's compile and what plotly
    imports at its first figure (0.1 s together). A run calls it while it waits for its
    sidecar's validation."""
    _environment().get_template("report.html")
    _fragment([], {}, "warm-up")


def _summary(report: _Report) -> list[dict[str, str]]:
    tables = report.tables
    cards = [
        {"value": str(tables.analysed), "label": "respondents analysed"},
        {"value": str(tables.validation.get("rows", "")), "label": "responses received"},
        {"value": str(int(tables.quarantined.sum())), "label": "responses set aside"},
    ]
    if tables.weighting is not None:
        cards.append(
            {
                "value": style.value(tables.weighting.get("effective_n"), digits=0),
                "label": "effective sample size after weighting",
            }
        )
    return [card for card in cards if card["value"]]


@functools.cache
def _environment() -> Any:
    """The page's Jinja2 environment, made once: it keeps the template it compiled (a few
    hundredths of a second) for every later report of the process."""
    return Environment(
        loader=PackageLoader("survey", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_html(model: ReportModel, path: Path) -> Path:
    """Write the wave's self-contained HTML report (atomically).

    Parameters
    ----------
    model
        The wave's report model (:func:`~survey.report.model.build_report`); its headline
        findings are the findings section.
    path
        Where to write ``report.html``.

    Returns
    -------
    pathlib.Path
        ``path``: the page, one file that works offline.

    Examples
    --------
    >>> from survey.examples import demo_folder, demo_report
    >>> page = write_html(demo_report(), demo_folder() / "report.html")
    >>> page.read_text(encoding="utf-8").count("<h1")
    1
    """
    tables, findings = model.tables, model.findings
    report = _Report(model)
    charts_needs = [
        chart for chart in (_needs_chart(report), _quadrant_chart(report)) if chart is not None
    ]
    multi = []
    for question in tables.codebook.questions_of(QuestionType.MULTI):
        charts = [_multi_chart(report, question, by) for by in report.dimensions]
        shown = [chart for chart in charts if chart is not None]
        if shown:
            multi.append(
                {"id": _slug("multi", question.id), "title": question.text, "charts": shown}
            )
    headline = [str(text) for text in findings.get("text", pd.Series(dtype=str)).dropna()]
    since = tables.previous_wave
    flags = tables.trend_flags
    flags = flags[(flags["wave_from"] == since) & (flags["wave_to"] == tables.wave)]
    not_compared = "; ".join(
        f"{tables.labels.question(str(row.question))} ({row.reason})"
        for row in flags.itertuples(index=False)
    )
    instrument = tables.codebook.instrument
    template = _environment().get_template("report.html")
    html = template.render(
        title=f"{instrument.title}: wave {tables.wave}",
        organisation=instrument.organisation or "",
        wave=tables.wave,
        summary=_summary(report),
        findings=headline,
        since=since,
        changes=[str(text) for text in model.changes.head(_CHANGES)["text"]],
        not_compared=not_compared,
        charts_needs=charts_needs,
        needs_question=next(
            (grid.text for grid in tables.codebook.questions_of(QuestionType.GRID)), ""
        ),
        multi=multi,
        panels=report.panels(),
        comments=report.comments(),
        method=report.method(),
        suppressed=style.SUPPRESSED,
        suppressed_note=style.SUPPRESSED_NOTE.format(threshold=tables.threshold),
        too_few=(
            style.TOO_FEW_NOTE.format(analysed=tables.analysed, threshold=tables.threshold)
            if tables.too_few
            else ""
        ),
        plotlyjs=plotly.offline.get_plotlyjs(),
    )
    return atomic_write_text(path, html)
