"""The wave's workbook, ``report.xlsx``: the engine's tables laid out for analysts.

Sheets, in order:

- **Contents**: every other sheet, each a link.
- **Summary**: the headline findings (:func:`~survey.report.findings.headline_findings`).
- **Method**: fieldwork, responses against the frame (the response rate is an Excel formula,
  ``=B5/C5``), weighting and design effect, margins of error, the suppression rule, the tests
  used and what the significance letters mean.
- **One sheet per block of questions**, in the codebook's order: the breakdown dimensions and
  the ``profile`` questions ("About you"), one sheet per grid question, and every other closed
  question. Rows are a question's options (a grid's topics), column groups are all respondents
  and every group of every dimension, each with n, %, CI low, CI high and the significance
  letters.
- **Learning needs**: top-2 importance, mean gap and Borich's MWDS with its CI, ranked, for
  everyone and every group.
- **Themes**: open-comment themes by group and exemplar quotes.
- **Trends** (a wave with earlier waves): every comparison of an earlier wave with this one
  (``trends.csv``: the wave before first, then the first wave; the comparisons among earlier
  waves are in their own workbooks), question by question in the codebook's order, for
  everyone and every published group: both estimates, the change, p, adjusted p,
  significance and both bases; significant rows highlighted, an autofilter on the header.
- **Not trended** (with Trends): the questions that were not compared and why
  (``trend_flags.csv``), so that no question drops out of the history silently.
- **Topic ranks** (a wave with ``rankings.csv``): every learning-need topic's rank for all
  respondents in every wave so far, ordered by this wave's rank, and the places it moved since
  the wave before.
- **Charts**: native Excel charts of the key views.
- **Data quality**: validation summary, rows set aside and values flagged by reason,
  reliability of the grids.

A first wave has no history: the workbook then has no Trends, Not trended or Topic ranks
sheet, and its Summary no list of changes. A later wave's Summary adds, below the headline
findings, what changed significantly since the wave before
(:func:`~survey.report.findings.change_findings`, the sentences the slides and the dashboard
use).

The writer shows the engine's numbers: estimates are stored as ``results.csv`` holds them (to
the 16 significant digits openpyxl writes), as numbers with number formats (Excel rounds for
display the way :mod:`style` does). A suppressed row shows
:data:`~survey.report.style.SUPPRESSED` in place of every number, and each sheet explains the
rule once. Every text cell goes through :func:`~survey.report.style.neutralise`, so no
respondent's comment becomes a formula; the only formulas are the response rates of the Method
sheet.

The package: one module per group of sheets (:mod:`~survey.export.xlsx.summary` for Contents
and Summary, :mod:`~survey.export.xlsx.method`, :mod:`~survey.export.xlsx.questions`,
:mod:`~survey.export.xlsx.needs`, :mod:`~survey.export.xlsx.themes`,
:mod:`~survey.export.xlsx.history` for Trends, Not trended and Topic ranks,
:mod:`~survey.export.xlsx.charts`, :mod:`~survey.export.xlsx.quality`), the cell styles in
:mod:`~survey.export.xlsx.styles` and the shared writing helpers in ``_common``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from survey.export.xlsx import _common as common
from survey.export.xlsx.charts import _write_charts
from survey.export.xlsx.history import (
    TREND_TEST_EXPLANATIONS,
    TREND_TEST_NAMES,
    _ending_here,
    _write_not_trended,
    _write_topic_ranks,
    _write_trends,
)
from survey.export.xlsx.method import TEST_EXPLANATIONS, TEST_NAMES, _write_method
from survey.export.xlsx.needs import _write_needs
from survey.export.xlsx.quality import _write_quality
from survey.export.xlsx.questions import _write_block
from survey.export.xlsx.styles import _Styles
from survey.export.xlsx.summary import _write_contents, _write_summary
from survey.export.xlsx.themes import _write_themes
from survey.report.model import ReportModel
from survey.writing import atomic_write

__all__ = [
    "TEST_EXPLANATIONS",
    "TEST_NAMES",
    "TREND_TEST_EXPLANATIONS",
    "TREND_TEST_NAMES",
    "write_xlsx",
]


def write_xlsx(model: ReportModel, path: Path) -> Path:
    """Write the wave's workbook.

    Parameters
    ----------
    model
        The wave's report model (:func:`~survey.report.model.build_report`).
    path
        Where to write ``report.xlsx`` (written atomically).

    Returns
    -------
    pathlib.Path
        ``path``: the workbook.

    Examples
    --------
    >>> from openpyxl import load_workbook
    >>> from survey.examples import demo_folder, demo_report
    >>> out = write_xlsx(demo_report(), demo_folder() / "report.xlsx")
    >>> load_workbook(out).sheetnames[:3]
    ['Contents', 'Summary', 'Method']
    """
    styles = _Styles()
    tables, groups = model.tables, model.groups

    workbook = Workbook()
    contents = workbook.active
    contents.title = "Contents"
    described: list[tuple[str, str]] = []

    def sheet(name: str, description: str) -> Any:
        title = common.sheet_name(name, workbook.sheetnames)
        described.append((title, description))
        return workbook.create_sheet(title)

    since = tables.previous_wave
    _write_summary(
        sheet(
            "Summary",
            "Headline findings: significant differences between groups"
            + (f"; what changed since {since}" if since is not None else ""),
        ),
        model,
        styles,
    )
    _write_method(
        sheet(
            "Method",
            "Fieldwork, response against the frame, weighting, margins of error, small "
            "groups, tests and significance letters",
        ),
        tables,
        styles,
    )
    dimensions = ", ".join(tables.labels.dimension(by).lower() for by in tables.codebook.dimensions)
    for section in model.sections:
        _write_block(
            sheet(section.title, f"{section.title}: n, %, CI and letters by {dimensions}"),
            section,
            model,
            styles,
        )
    if not tables.needs.empty:
        _write_needs(
            sheet("Learning needs", "Top-2 importance, gap and Borich MWDS, ranked, by group"),
            tables,
            styles,
        )
    if not tables.themes.empty:
        _write_themes(
            sheet("Themes", "Themes of the open comments by group, with exemplar quotes"),
            tables,
            groups,
            styles,
        )
    if not (tables.trends.empty and tables.trend_flags.empty):
        flags = _ending_here(tables, tables.trend_flags)["question"].nunique()
        trends = sheet(
            "Trends",
            "Every comparison with the earlier waves: both estimates, change, p, adjusted p, "
            "significance and bases, by group",
        )
        not_trended = sheet(
            "Not trended", "Questions not compared between waves (options changed or not asked)"
        )
        _write_trends(
            trends,
            tables,
            f"Not trended: {flags} question{'s' if flags != 1 else ''} →",
            styles,
        )
        _write_not_trended(not_trended, tables, styles)
    if not tables.rankings.empty:
        _write_topic_ranks(
            sheet("Topic ranks", "Each learning-need topic's rank for all respondents, by wave"),
            tables,
            styles,
        )
    _write_charts(
        sheet("Charts", "Charts of the key views (native, editable)"), tables, groups, styles
    )
    _write_quality(
        sheet(
            "Data quality",
            "Validation, responses set aside and values flagged by reason, reliability",
        ),
        tables,
        styles,
    )
    _write_contents(contents, tables, described, styles)
    return atomic_write(path, workbook.save)
