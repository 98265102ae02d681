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
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from survey.codebook import Question, QuestionType
from survey.report import style
from survey.report.findings import change_findings
from survey.report.tables import ReportTables
from survey.writing import atomic_write_text

__all__ = ["ALPHA", "TEST_WORDS", "write_html"]

#: The tests the engine runs, in plain words for the method section.
TEST_WORDS = {
    "rao_scott_f": (
        "Rao-Scott corrected chi-square test (F form) for answers that differ between groups, "
        "which allows for the weighting; effect size Cramér's V"
    ),
    "chi2_independence": (
        "Pearson's chi-square test of independence for answers that differ between groups; "
        "effect size Cramér's V"
    ),
    "wald_f": (
        "design-based Wald F test of equal group means for numbers such as hours, which allows "
        "for the weighting; effect size eta squared"
    ),
    "kruskal_wallis": (
        "Kruskal-Wallis test for ratings or numbers that differ between groups; effect size "
        "eta squared (from H)"
    ),
    "mann_whitney": (
        "pairwise Mann-Whitney tests between two groups, Holm-adjusted; effect size rank-biserial r"
    ),
}

#: The tests' short names, for the notes under the tables.
TEST_NAMES = {
    "rao_scott_f": "Rao-Scott F test",
    "chi2_independence": "chi-square test",
    "wald_f": "Wald F test",
    "kruskal_wallis": "Kruskal-Wallis test",
    "mann_whitney": "Mann-Whitney test",
}

#: The level an adjusted p-value must be under for a difference to be called significant.
ALPHA = 0.05

_CONFIG = {"displaylogo": False, "responsive": True}
_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'


# ----------------------------------------------------------------------------- page model
@dataclass
class Cell:
    """One cell of a table as the page shows it (text already rounded by :mod:`style`)."""

    text: str
    ci: str = ""
    letters: str = ""
    key: str = ""
    source: str = "cell"
    numeric: bool = True
    suppressed: bool = False
    header: bool = False


@dataclass
class Column:
    """A column of a table: a group, with its significance letter and base."""

    label: str
    letter: str = ""
    n: str = ""
    numeric: bool = True


@dataclass
class DataTable:
    """A table of the page: caption, columns (the first one heads the row labels), rows."""

    id: str
    caption: str
    columns: list[Column]
    rows: list[list[Cell]]
    note: str = ""


@dataclass
class Chart:
    """A plotly chart with its text alternative."""

    id: str
    title: str
    caption: str
    fragment: str
    tables: list[DataTable] = field(default_factory=list)

    @property
    def described_by(self) -> str:
        """The ids of the tables that hold the chart's numbers."""
        return " ".join(table.id for table in self.tables)


@dataclass
class QuestionBlock:
    """The tables of one question (or one grid item) in a dimension's panel."""

    id: str
    title: str
    tables: list[DataTable]


@dataclass
class Panel:
    """Every question's table by one breakdown dimension."""

    by: str
    name: str
    blocks: list[QuestionBlock]


# ----------------------------------------------------------------------------- formatting
def _missing(number: Any) -> bool:
    if isinstance(number, float):  # most numbers: answered without pandas' general check
        return number != number
    return number is None or bool(pd.isna(number))


def _ci(low: Any, high: Any, *, share: bool = True, digits: int = 1) -> str:
    """A confidence interval for people: ``41%–50%`` (shares) or ``3.1–3.4`` (means)."""
    if _missing(low) or _missing(high):
        return ""
    if share:
        return f"{style.percent(float(low))}–{style.percent(float(high))}"
    return f"{style.value(float(low), digits=digits)}–{style.value(float(high), digits=digits)}"


def _p(p: Any) -> str:
    if _missing(p):
        return style.SUPPRESSED
    return "< 0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as dicts (far faster to look up than boolean masks, cell by cell): the
    rows of ``DataFrame.to_dict("records")``, built from whole columns as lists, a few times
    faster than its walk over the rows. Missing text is ``None``, as there.

    >>> table = pd.DataFrame({"group": pd.array(["a", None], dtype="string"), "n": [3, 4]})
    >>> _records(table) == table.to_dict("records")
    True
    """
    names = table.columns.tolist()
    columns = []
    for name in names:
        column = table[name]
        values = column.tolist()
        if column.hasnans and (
            column.dtype == object or isinstance(column.dtype, pd.api.extensions.ExtensionDtype)
        ):
            values = [None if value is pd.NA else value for value in values]
        columns.append(values)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _slug(*parts: str) -> str:
    return "-".join(str(part).replace("_", "-") for part in parts)


_wrap = style.wrap_label
_escape_plotly = style.plotly_text


# ----------------------------------------------------------------------------- the tables
class _Report:
    """Builds the page's content from one wave's tables."""

    def __init__(self, tables: ReportTables) -> None:
        self.tables = tables
        self.labels = tables.labels
        self.codebook = tables.codebook
        self.results = tables.shown("results")
        self.letters = tables.shown("letters")
        self.tests = tables.shown("tests")
        self.needs = tables.shown("needs")
        self.themes = tables.shown("themes")
        self.dimensions = [
            by for by in self.codebook.dimensions if by in set(self.results["by"].unique())
        ]
        # every lookup below is a dict: the page has thousands of cells
        self._rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self._present: dict[tuple[str, str], dict[str, None]] = {}
        for row in _records(self.results):
            question, option, by, group = (
                str(row["question"]),
                str(row["option"]),
                str(row["by"]),
                str(row["group"]),
            )
            self._rows[question, option, by, group] = row
            self._present.setdefault((question, by), {})[group] = None
            self._present.setdefault((question, "options"), {})[option] = None
        letters = _records(self.letters)
        self._letter = {
            (row["question"], row["by"], row["group"]): str(row["letter"]) for row in letters
        }
        self._higher = {
            (row["question"], row["option"], row["by"], row["group"]): (
                "" if _missing(row["higher_than"]) else str(row["higher_than"])
            )
            for row in letters
        }
        self._test = {
            (row["question"], row["by"]): row
            for row in _records(self.tests)
            if row["test"] in ("rao_scott_f", "chi2_independence", "wald_f", "kruskal_wallis")
        }

    # ------------------------------------------------------------------- groups and columns
    def groups(self, by: str) -> list[str]:
        """A dimension's groups in questionnaire order."""
        return self.codebook.question(by).option_codes()

    def row(self, question: str, option: str, by: str, group: str) -> dict[str, Any] | None:
        """One row of ``results`` (``None`` if the engine wrote none)."""
        return self._rows.get((question, option, by, group))

    def present(self, question: str, by: str) -> list[str]:
        """The groups of a dimension that a question has rows for, in questionnaire order."""
        present = self._present.get((question, by), {})
        return [group for group in self.groups(by) if group in present]

    def present_options(self, question: str) -> list[str]:
        """The options a question has rows for, as the engine wrote them."""
        return list(self._present.get((question, "options"), {}))

    def base(self, question: str, by: str, group: str) -> dict[str, Any] | None:
        """Any row of a question's group (its base ``n`` and suppression are the same for
        every option)."""
        for option in self.present_options(question):
            row = self.row(question, option, by, group)
            if row is not None:
                return row
        return None

    def columns(self, question: str, by: str, first: str) -> list[Column]:
        """The header of a question's table by a dimension: All, then each group with its
        letter and base."""
        columns = [Column(first, numeric=False)]
        overall = self.base(question, "all", "all")
        columns.append(
            Column(
                self.labels.group("all", "all"),
                n=f"n = {int(overall['n'])}" if overall is not None else "",
            )
        )
        for group in self.present(question, by):
            row = self.base(question, by, group)
            if row is None:
                continue
            n = style.SUPPRESSED if row["suppressed"] else str(int(row["n"]))
            columns.append(
                Column(
                    self.labels.group(by, group),
                    letter=self._letter.get((question, by, group), ""),
                    n=f"n = {n}",
                )
            )
        return columns

    def cell(self, row: dict[str, Any] | None, *, share: bool = True) -> Cell:
        """A results row as a table cell: estimate, CI and the letters of the groups it is
        significantly higher than; a suppressed row shows the mark only."""
        if row is None:
            return Cell("")
        key = "|".join(str(row[name]) for name in ("question", "option", "by", "group"))
        if row["suppressed"] or _missing(row["estimate"]):
            return Cell(style.SUPPRESSED, key=key, suppressed=True)
        estimate = float(row["estimate"])
        text = style.percent(estimate) if share else style.value(estimate)
        letters = self._higher.get((row["question"], row["option"], row["by"], row["group"]), "")
        return Cell(
            text, ci=_ci(row["ci_low"], row["ci_high"], share=share), letters=letters, key=key
        )

    def row_cells(self, question: str, option: str, by: str, *, share: bool) -> list[Cell]:
        """One option of a question: the overall cell, then one cell per shown group."""
        cells = [self.cell(self.row(question, option, "all", "all"), share=share)]
        for group in self.present(question, by):
            cells.append(self.cell(self.row(question, option, by, group), share=share))
        return cells

    def test_cell(self, question: str, by: str) -> Cell:
        """Whether a question differs by a dimension: the test's adjusted p-value."""
        test = self._test.get((question, by))
        if test is None or _missing(test["p_adjusted"]):
            return Cell("not tested")
        verdict = "yes" if float(test["p_adjusted"]) < ALPHA else "no"
        return Cell(f"{verdict} ({_p(test['p_adjusted'])})")

    def test_note(self, question: str, by: str) -> str:
        """The test of a whole question by a dimension, as a sentence."""
        test = self._test.get((question, by))
        if test is None or _missing(test["p_adjusted"]):
            return ""
        p_adjusted = float(test["p_adjusted"])
        words = "differ" if p_adjusted < ALPHA else "do not differ significantly"
        name = TEST_NAMES.get(str(test["test"]), str(test["test"]).replace("_", " "))
        return (
            f"Answers {words} by {self.labels.dimension(by).lower()} "
            f"({name}, adjusted p {_p(p_adjusted)})."
        )

    # ------------------------------------------------------------------- question tables
    def options(self, question: Question, name: str) -> list[str]:
        """The options of a question shown as rows, in questionnaire (or scale) order, then
        the top-two box and the mean."""
        present = self.present_options(name)
        order = question.option_codes()
        if question.scale:
            order = [str(point) for point in sorted(self.codebook.scales.get(question.scale, {}))]
        ranked = [option for option in order if option in present]
        extra = [option for option in present if option not in ranked]
        tail = [option for option in ("top2", "mean") if option in extra]
        return ranked + [option for option in extra if option not in tail] + tail

    def question_table(self, question: Question, by: str) -> DataTable:
        """A single-choice, Likert, multi-select or number question by a dimension."""
        dimension = self.labels.dimension(by).lower()
        multi = question.type is QuestionType.MULTI
        columns = self.columns(question.id, by, "Answer")
        rows = []
        for option in self.options(question, question.id):
            share = option != "mean"
            label = self.labels.option(question.id, option)
            cells = [Cell(label, numeric=False, header=True)]
            cells += self.row_cells(question.id, option, by, share=share)
            if multi:
                cells.append(self.test_cell(f"{question.id}__{option}", by))
            rows.append(cells)
        if multi:
            columns.append(Column(f"Differs by {dimension}? (adjusted p)"))
        note = "" if multi else self.test_note(question.id, by)
        if question.type is QuestionType.NUMBER:
            what = "Mean"
        elif multi:
            what = "Share choosing each answer (several allowed)"
        else:
            what = "Share giving each answer"
        return DataTable(
            id=_slug("table", question.id, by),
            caption=f"{what}, by {dimension}, with 95% confidence intervals",
            columns=columns,
            rows=rows,
            note=note,
        )

    def grid_table(self, question: Question, prefix: str, scale: str, by: str) -> DataTable:
        """The top-two box of one grid item (importance, say) for every topic by a dimension."""
        dimension = self.labels.dimension(by).lower()
        names = [f"{prefix}_{topic.code}" for topic in question.topics]
        first = names[0]
        columns = self.columns(first, by, "Topic")
        columns.append(Column(f"Differs by {dimension}? (adjusted p)"))
        rows = []
        for name in names:
            cells = [Cell(self.labels.short(name), numeric=False, header=True)]
            cells += self.row_cells(name, "top2", by, share=True)
            cells.append(self.test_cell(name, by))
            rows.append(cells)
        top2 = self.labels.option(first, "top2").lower()
        return DataTable(
            id=_slug("table", question.id, prefix, by),
            caption=(
                f"Share rating each topic {top2} ({scale}), by {dimension}, with 95% "
                "confidence intervals"
            ),
            columns=columns,
            rows=rows,
        )

    def panels(self) -> list[Panel]:
        """Every analysed question's table, one panel per dimension."""
        panels = []
        analysed = set(self.results["question"])
        for by in self.dimensions:
            blocks = []
            for question in self.codebook.questions:
                if question.type is QuestionType.GRID:
                    for item in question.items:
                        if f"{item.prefix}_{question.topics[0].code}" not in analysed:
                            continue
                        scale = self.labels.scale_name(item.scale)
                        table = self.grid_table(question, item.prefix, scale, by)
                        blocks.append(
                            QuestionBlock(
                                id=_slug("q", question.id, item.prefix, by),
                                title=f"{question.text}: {scale} (top two)",
                                tables=[table],
                            )
                        )
                    continue
                if question.type is QuestionType.TEXT or question.id == by:
                    continue
                if question.id not in analysed:
                    continue
                blocks.append(
                    QuestionBlock(
                        id=_slug("q", question.id, by),
                        title=question.text,
                        tables=[self.question_table(question, by)],
                    )
                )
            panels.append(Panel(by=by, name=self.labels.dimension(by), blocks=blocks))
        return panels

    # ------------------------------------------------------------------- comments
    def comments(self) -> list[dict[str, Any]]:
        """Each open question: its themes overall (label, count, share) and quotes by theme."""
        quotes = self.tables.quotes
        out = []
        for question in self.codebook.questions_of(QuestionType.TEXT):
            themes = self.themes[
                (self.themes["question"] == question.id) & (self.themes["by"] == "all")
            ]
            if themes.empty:
                continue
            themes = themes.sort_values("count", ascending=False, kind="stable")
            rows = []
            for theme in _records(themes):
                suppressed = bool(theme["suppressed"]) or _missing(theme["share"])
                rows.append(
                    [
                        Cell(str(theme["label"]), numeric=False, header=True),
                        Cell(
                            style.SUPPRESSED
                            if suppressed
                            else style.value(theme["count"], digits=0),
                            suppressed=suppressed,
                        ),
                        Cell(
                            style.SUPPRESSED if suppressed else style.percent(theme["share"]),
                            suppressed=suppressed,
                        ),
                    ]
                )
            comments = themes["comments"].dropna()
            base = f"{int(comments.iloc[0])} comments" if len(comments) else ""
            table = DataTable(
                id=_slug("table", "themes", question.id),
                caption="Themes of the answers, all respondents",
                columns=[
                    Column("Theme", numeric=False),
                    Column("Comments"),
                    Column("Share of comments" + (" (weighted)" if self.tables.weighted else "")),
                ],
                rows=rows,
                note=(
                    f"Base: {base}. A comment can touch several themes, so shares add up to "
                    "more than 100%."
                    + (
                        " Counts are comments as written; shares are weighted."
                        if self.tables.weighted
                        else ""
                    )
                    if base
                    else ""
                ),
            )
            mine = quotes[quotes["question"] == question.id]
            by_theme = []
            for theme in _records(themes):
                said = [str(quote) for quote in mine[mine["theme"] == theme["theme"]]["quote"]]
                if said:
                    by_theme.append({"label": str(theme["label"]), "quotes": said})
            out.append(
                {
                    "id": _slug("comments", question.id),
                    "title": question.text,
                    "table": table,
                    "quotes": by_theme,
                }
            )
        return out

    # ------------------------------------------------------------------- method
    def method(self) -> dict[str, Any]:
        """The facts of the method section, formatted."""
        tables, codebook = self.tables, self.codebook
        validation = tables.validation
        wave = next((wave for wave in codebook.waves if wave.id == tables.wave), None)
        quarantined = [
            {"reason": str(reason).replace("_", " "), "count": int(count)}
            for reason, count in tables.quarantined.items()
        ]
        flagged = [
            {"reason": str(reason).replace("_", " "), "count": int(count)}
            for reason, count in tables.flagged.items()
        ]
        used = [str(test) for test in tables.shown("tests")["test"].dropna().unique()]
        tests = [TEST_WORDS.get(test, test.replace("_", " ")) for test in used]
        reliability = []
        for row in _records(tables.reliability):
            reliability.append(
                {
                    "what": self._grid_item(str(row["question"]), str(row["item"])),
                    "alpha": style.value(row["alpha"], digits=2),
                    "ci": _ci(row["ci_low"], row["ci_high"], share=False, digits=2),
                    "n": int(row["n"]),
                }
            )
        weighting = None
        if tables.weighting is not None:
            raking = tables.weighting
            composition = []
            for row in raking.get("composition", []):
                variable, category = str(row["variable"]), str(row["category"])
                small = int(row["respondents"]) < tables.threshold
                composition.append(
                    {
                        "dimension": self.labels.dimension(variable),
                        "group": self.labels.group(variable, category),
                        "frame": style.value(row["frame"], digits=0),
                        "frame_share": style.percent(row["frame_share"]),
                        "respondents": style.SUPPRESSED if small else str(row["respondents"]),
                        "sample_share": style.SUPPRESSED
                        if small
                        else style.percent(row["sample_share"]),
                        "weighted_share": style.percent(row["weighted_share"]),
                        "small": small,
                    }
                )
            weighting = {
                "margins": [self.labels.dimension(name).lower() for name in codebook.frame],
                "design_effect": style.value(raking.get("design_effect"), digits=2),
                "effective_n": style.value(raking.get("effective_n"), digits=0),
                "iterations": raking.get("iterations"),
                "converged": bool(raking.get("converged")),
                "min_weight": style.value(raking.get("min_weight"), digits=2),
                "max_weight": style.value(raking.get("max_weight"), digits=2),
                "trimmed": raking.get("trimmed", 0),
                "composition": composition,
            }
        return {
            "notes": [f"{note[0].upper()}{note[1:]}." for note in tables.notes],
            "skipped": [
                {"id": question_id, "text": text, "reason": reason}
                for question_id, text, reason in tables.skipped
            ],
            "wave": tables.wave,
            "file": validation.get("file", wave.file if wave else ""),
            "layout": validation.get("layout", wave.layout if wave else ""),
            "fieldwork": " to ".join(wave.fieldwork) if wave and wave.fieldwork else "",
            "rows": validation.get("rows"),
            "analysed": tables.analysed,
            "quarantined": quarantined,
            "quarantined_total": int(tables.quarantined.sum()),
            "flagged": flagged,
            "flagged_total": int(tables.flagged.sum()),
            "checks_run": validation.get("checks_run"),
            "checks_failed": validation.get("checks_failed"),
            "threshold": tables.threshold,
            "suppressed_note": style.SUPPRESSED_NOTE.format(threshold=tables.threshold),
            "tests": tests,
            "weighted": tables.weighted,
            "weighting": weighting,
            "reliability": reliability,
            "dimensions": [self.labels.dimension(by).lower() for by in self.dimensions],
        }

    def _grid_item(self, question: str, prefix: str) -> str:
        for grid in self.codebook.questions_of(QuestionType.GRID):
            if grid.id != question:
                continue
            for item in grid.items:
                if item.prefix == prefix:
                    return (
                        f"{grid.text}: {self.labels.scale_name(item.scale)} of the "
                        f"{len(grid.topics)} topics"
                    )
        return f"{question} ({prefix})"


# ----------------------------------------------------------------------------- the charts
def _layout(*, height: int, **layout: Any) -> dict[str, Any]:
    """A chart's layout: the report's font and palette, white background, light grid.

    Figures are plain dicts handed to plotly unvalidated: plotly's figure objects validate
    every property and take most of a second for the report's charts.
    """
    axis = {"gridcolor": "#e5e7eb", "linecolor": "#d0d7de", "zerolinecolor": "#d0d7de"}
    base: dict[str, Any] = {
        "colorway": style.PALETTE,
        "font": {"family": _FONT, "size": 13, "color": "#1f2328"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 40, "b": 40},
        "hoverlabel": {"font": {"family": _FONT}},
        "xaxis": dict(axis),
        "yaxis": dict(axis),
    }
    for key, value in layout.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def _fragment(data: list[dict[str, Any]], layout: dict[str, Any], div_id: str) -> str:
    """The chart as an HTML fragment that uses the page's one copy of plotly.js."""
    import plotly.io

    return str(
        plotly.io.to_html(
            {"data": data, "layout": layout},
            full_html=False,
            include_plotlyjs=False,
            config=_CONFIG,
            div_id=div_id,
            validate=False,
        )
    )


def warm_up() -> None:
    """Pay a process's first report's own costs ahead: the template's compile and what plotly
    imports at its first figure (0.1 s together). A run calls it while it waits for its
    sidecar's validation."""
    _environment().get_template("report.html")
    _fragment([], {}, "warm-up")


def _needs_chart(report: _Report) -> Chart | None:
    """Heatmap: share rating each topic very or extremely important, topics by groups, with
    buttons to choose the dimension."""
    needs = report.needs
    if needs.empty or not report.dimensions:
        return None
    labels = report.labels
    threshold = report.tables.threshold
    cells_by_key = {
        (str(row["topic"]), str(row["by"]), str(row["group"])): row for row in _records(needs)
    }
    topics = list(dict.fromkeys(str(topic) for topic in needs["topic"]))

    def overall(topic: str) -> float | None:
        row = cells_by_key.get((topic, "all", "all"))
        if row is None or row["suppressed"] or _missing(row["top2_importance"]):
            return None
        return float(row["top2_importance"])

    # topics in order of their overall share, the biggest need on top
    topics.sort(key=lambda topic: -(overall(topic) or -1.0))
    topic_labels = [_wrap(_escape_plotly(labels.topic(topic)), 40) for topic in topics]
    top2 = labels.option(_first_imp(report), "top2").lower()
    data: list[dict[str, Any]] = []
    data_tables = []
    colourscale = [
        [index / (len(style.SEQUENTIAL) - 1), colour]
        for index, colour in enumerate(style.SEQUENTIAL)
    ]
    for position, by in enumerate(report.dimensions):
        present = {group for (_, group_by, group) in cells_by_key if group_by == by}
        groups = [("all", "all")] + [(by, group) for group in report.groups(by) if group in present]
        z, text, hover = [], [], []
        rows = []
        for topic, topic_label in zip(topics, topic_labels, strict=True):
            z_row: list[float | None] = []
            text_row: list[str] = []
            hover_row: list[str] = []
            cells = [Cell(labels.topic(topic), numeric=False, header=True)]
            for group_by, group in groups:
                row = cells_by_key.get((topic, group_by, group))
                key = f"{topic}|{group_by}|{group}"
                name = _escape_plotly(labels.group(group_by, group))
                if row is None or row["suppressed"] or _missing(row["top2_importance"]):
                    z_row.append(None)
                    text_row.append("")
                    note = style.SUPPRESSED_NOTE.format(threshold=threshold)
                    hover_row.append(f"{name}: {note}")
                    cells.append(Cell(style.SUPPRESSED, suppressed=True, key=key, source="need"))
                    continue
                share = float(row["top2_importance"])
                z_row.append(share)
                text_row.append(style.percent(share))
                hover_row.append(
                    f"<b>{topic_label.replace('<br>', ' ')}</b><br>{name}: "
                    f"{style.percent(share)} (n = {int(row['n'])})"
                )
                cells.append(Cell(style.percent(share), key=key, source="need"))
            z.append(z_row)
            text.append(text_row)
            hover.append(hover_row)
            rows.append(cells)
        x = [_wrap(_escape_plotly(labels.group(b, g)), 12) for b, g in groups]
        data.append(
            {
                "type": "heatmap",
                "z": z,
                "x": x,
                "y": topic_labels,
                "text": text,
                "texttemplate": "%{text}",
                "textfont": {"color": "auto", "size": 12},
                "hovertext": hover,
                "hovertemplate": "%{hovertext}<extra></extra>",
                "colorscale": colourscale,
                "zmin": 0,
                "zmax": 1,
                "xgap": 2,
                "ygap": 2,
                "colorbar": {"title": {"text": "Top two"}, "tickformat": ".0%", "len": 0.6},
                "visible": position == 0,
                "name": labels.dimension(by),
            }
        )
        dimension = labels.dimension(by).lower()
        data_tables.append(
            DataTable(
                id=_slug("data", "needs", by),
                caption=f"Share rating each topic {top2}, by {dimension}",
                columns=[Column("Topic", numeric=False)]
                + [Column(labels.group(b, g)) for b, g in groups],
                rows=rows,
            )
        )
    buttons = [
        {
            "label": f"By {labels.dimension(by).lower()}",
            "method": "update",
            "args": [{"visible": [i == position for i in range(len(report.dimensions))]}],
        }
        for position, by in enumerate(report.dimensions)
    ]
    layout = _layout(
        height=150 + 38 * len(topics),
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "buttons": buttons,
                "x": 0,
                "xanchor": "left",
                "y": 1.0,
                "yanchor": "bottom",
                "pad": {"b": 8},
                "showactive": True,
                "bgcolor": "#f6f8fa",
                "bordercolor": "#d0d7de",
            }
        ],
        margin={"t": 70},
        xaxis={
            "side": "bottom",
            "tickangle": 0,
            "showgrid": False,
            "automargin": True,
            "tickfont": {"size": 11},
        },
        yaxis={"autorange": "reversed", "showgrid": False, "automargin": True},
    )
    top = [
        f"{labels.topic(topic)} ({style.percent(overall(topic))})"
        for topic in topics[:3]
        if overall(topic) is not None
    ]
    dimensions = _join([labels.dimension(by).lower() for by in report.dimensions])
    caption = (
        f"Learning needs by group: the share of respondents rating each topic {top2}, topics "
        "(rows) by group (columns), darker for a larger share; the buttons choose the "
        f"breakdown ({dimensions})."
        + (f" Overall the biggest needs are {_join(top)}." if top else "")
        + " Blank cells are suppressed small groups (fewer than "
        f"{threshold} respondents, or suppressed with such a group), not shown."
    )
    return Chart(
        id="chart-needs",
        title="Learning needs by group",
        caption=caption,
        fragment=_fragment(data, layout, "plot-needs"),
        tables=data_tables,
    )


def _axis_title(report: _Report, scale: str) -> str:
    """``Mean importance (1 to 5)``: the axis of a scale, from the codebook."""
    points = report.codebook.scales.get(scale, {})
    if not points:
        return f"Mean {scale}"
    return f"Mean {scale} ({min(points)} to {max(points)})"


def _ends(report: _Report, scale: str) -> str:
    """``1 = not important, 5 = extremely important``: a scale's ends, from the codebook."""
    points = report.codebook.scales.get(scale, {})
    if not points:
        return scale
    low, high = min(points), max(points)
    return f"{low} = {points[low].lower()}, {high} = {points[high].lower()}"


def _midpoint(report: _Report) -> float:
    """The middle of the importance scale (3 on a 1-to-5 scale): where the quadrant's lines
    are drawn."""
    for grid in report.codebook.questions_of(QuestionType.GRID):
        for item in grid.items:
            points = sorted(report.codebook.scales.get(item.scale, {}))
            if points:
                return (points[0] + points[-1]) / 2
    return 3.0


def _first_imp(report: _Report) -> str:
    """The results name of the first importance column (for the top-two wording)."""
    for grid in report.codebook.questions_of(QuestionType.GRID):
        for item in grid.items:
            if item.scale == "importance" and grid.topics:
                return f"{item.prefix}_{grid.topics[0].code}"
    return "top2"


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _quadrant_chart(report: _Report) -> Chart | None:
    """Scatter: each topic's mean importance against its mean confidence (all respondents),
    with lines at the scale's midpoint."""
    needs = report.needs
    overall = needs[(needs["by"] == "all") & ~needs["suppressed"]].dropna(
        subset=["mean_importance", "mean_confidence"]
    )
    if overall.empty:
        return None
    labels = report.labels
    overall = overall.sort_values("mean_importance", ascending=False, kind="stable")
    overall = overall.reset_index(drop=True)
    midpoint = _midpoint(report)
    numbers = [str(index + 1) for index in range(len(overall))]
    names = [labels.topic(str(topic)) for topic in overall["topic"]]
    x = overall["mean_importance"].astype(float).tolist()
    y = overall["mean_confidence"].astype(float).tolist()
    priority = [
        number
        for number, importance, confidence in zip(numbers, x, y, strict=True)
        if importance >= midpoint and confidence < midpoint
    ]
    flagged = [number in priority for number in numbers]
    data = [
        {
            "type": "scatter",
            "x": x,
            "y": y,
            "mode": "markers+text",
            "text": numbers,
            "textposition": "middle center",
            "textfont": {"color": "white", "size": 11},
            "marker": {
                "size": 24,
                "color": [style.PALETTE[5] if flag else style.PALETTE[0] for flag in flagged],
                "symbol": ["diamond" if flag else "circle" for flag in flagged],
                "line": {"color": "white", "width": 1},
            },
            "hovertext": [
                f"<b>{number}. {_escape_plotly(name)}</b><br>importance "
                f"{style.value(i, digits=2)}, confidence {style.value(c, digits=2)}"
                for number, name, i, c in zip(numbers, names, x, y, strict=True)
            ],
            "hovertemplate": "%{hovertext}<extra></extra>",
            "showlegend": False,
        }
    ]
    low = min(min(x), min(y), midpoint) - 0.25
    high = max(max(x), max(y), midpoint) + 0.25
    shapes = style.quadrant_lines(midpoint)
    notes = [
        (high, low, "Important, low confidence:<br>priority", "right", "bottom"),
        (high, high, "Important, confident", "right", "top"),
        (low, high, "Less important, confident", "left", "top"),
        (low, low, "Less important, low confidence", "left", "bottom"),
    ]
    annotations = [
        {
            "x": note_x,
            "y": note_y,
            "text": words,
            "showarrow": False,
            "xanchor": xanchor,
            "yanchor": yanchor,
            "align": xanchor,
            "font": {"color": "#57606a", "size": 12},
        }
        for note_x, note_y, words, xanchor, yanchor in notes
    ]
    layout = _layout(
        height=560,
        shapes=shapes,
        annotations=annotations,
        xaxis={
            "title": {"text": _escape_plotly(_axis_title(report, "importance"))},
            "range": [low, high],
            "zeroline": False,
            "automargin": True,
        },
        yaxis={
            "title": {"text": _escape_plotly(_axis_title(report, "confidence"))},
            "range": [low, high],
            "zeroline": False,
            "automargin": True,
        },
        margin={"t": 44},
    )
    rows = [
        [
            Cell(number, numeric=True),
            Cell(name, numeric=False, header=True),
            Cell(style.value(importance, digits=2)),
            Cell(style.value(confidence, digits=2)),
            Cell("yes" if number in priority else ""),
        ]
        for number, name, importance, confidence in zip(numbers, names, x, y, strict=True)
    ]
    priority_names = [names[int(number) - 1] for number in priority]
    caption = (
        "Importance against confidence: each numbered point is a topic (all respondents), its "
        f"mean importance across ({_ends(report, 'importance')}) and its mean confidence up "
        f"({_ends(report, 'confidence')}); dashed lines mark the middle of the scale, "
        f"{style.value(midpoint)}. Topics at or right of the vertical line and below "
        "the horizontal one (red-orange diamonds) matter but people feel unsure of them"
        + (f": {_join(priority_names)}." if priority_names else "; none falls there.")
    )
    return Chart(
        id="chart-quadrant",
        title="Importance against confidence",
        caption=caption,
        fragment=_fragment(data, layout, "plot-quadrant"),
        tables=[
            DataTable(
                id="data-quadrant",
                caption="Mean importance and mean confidence of each topic, all respondents",
                columns=[
                    Column("Point"),
                    Column("Topic", numeric=False),
                    Column("Mean importance"),
                    Column("Mean confidence"),
                    Column("Priority (important, low confidence)", numeric=False),
                ],
                rows=rows,
            )
        ],
    )


def _published(row: dict[str, Any] | None) -> bool:
    """Whether a results row may be shown with its number."""
    return row is not None and not row["suppressed"] and not _missing(row["estimate"])


def _multi_chart(report: _Report, question: Question, by: str) -> Chart | None:
    """Bars: the share choosing each option of a multi-select question, by group, with 95%
    confidence intervals; suppressed groups left out (and named in the caption)."""
    labels = report.labels
    groups = report.present(question.id, by)
    if not groups:
        return None
    present = set(report.present_options(question.id))
    options = [option for option in question.option_codes() if option in present]

    def overall(option: str) -> float | None:
        row = report.row(question.id, option, "all", "all")
        if row is None or row["suppressed"] or _missing(row["estimate"]):
            return None
        return float(row["estimate"])

    options.sort(key=lambda option: -(overall(option) or -1.0))
    option_labels = [_wrap(_escape_plotly(labels.option(question.id, o)), 30) for o in options]
    shown: list[str] = []
    hidden: list[str] = []
    for group in groups:
        base = report.base(question.id, by, group)
        (hidden if base is None or base["suppressed"] else shown).append(group)
    data: list[dict[str, Any]] = []
    for index, group in enumerate(shown):
        rows = [report.row(question.id, option, by, group) for option in options]
        shown_rows = [row if _published(row) else None for row in rows]
        name = _escape_plotly(labels.group(by, group))
        data.append(
            {
                "type": "bar",
                "x": [None if row is None else row["estimate"] for row in shown_rows],
                "y": option_labels,
                "orientation": "h",
                "name": name,
                "marker": {
                    "color": style.PALETTE[index % len(style.PALETTE)],
                    "line": {"color": "#1f2328", "width": 0.5},
                    "pattern": {"shape": "" if index < len(style.PALETTE) else "/"},
                },
                "error_x": {
                    "type": "data",
                    "array": [
                        None if row is None else row["ci_high"] - row["estimate"]
                        for row in shown_rows
                    ],
                    "arrayminus": [
                        None if row is None else row["estimate"] - row["ci_low"]
                        for row in shown_rows
                    ],
                    "color": "#57606a",
                    "thickness": 1,
                    "width": 2,
                },
                "hovertext": [
                    f"{name}: {style.percent(row['estimate'])} "
                    f"(95% CI {_ci(row['ci_low'], row['ci_high'])}), n = {int(row['n'])}"
                    if row is not None
                    else f"{name}: {style.SUPPRESSED}"
                    for row in shown_rows
                ],
                "hovertemplate": "%{y}<br>%{hovertext}<extra></extra>",
            }
        )
    bars = max(len(shown), 1) * len(options)
    layout = _layout(
        height=int(170 + 11 * bars + 8 * len(options)),
        barmode="group",
        bargap=0.25,
        bargroupgap=0.05,
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "bottom",
            "traceorder": "normal",
        },
        xaxis={"tickformat": ".0%", "rangemode": "tozero", "title": {"text": "Share choosing"}},
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"t": 30 + 22 * math.ceil(len(shown) / 4)},
    )
    dimension = labels.dimension(by).lower()
    columns = [Column("Answer", numeric=False), Column(labels.group("all", "all"))]
    columns += [Column(labels.group(by, group)) for group in groups]
    rows_out = []
    for option in options:
        cells = [Cell(labels.option(question.id, option), numeric=False, header=True)]
        cells.append(report.cell(report.row(question.id, option, "all", "all")))
        cells += [report.cell(report.row(question.id, option, by, group)) for group in groups]
        rows_out.append(cells)
    first = options[0] if options else ""
    first_share = overall(first) if first else None
    top = (
        f" Overall, the most chosen is “{labels.option(question.id, first)}” "
        f"({style.percent(first_share)})."
        if first_share is not None
        else ""
    )
    hidden_words = (
        f" Not shown: {_join([labels.group(by, g) for g in hidden])} "
        f"(suppressed small groups: fewer than {report.tables.threshold} respondents, or "
        "suppressed with such a group)."
        if hidden
        else ""
    )
    caption = (
        f"{question.text} The share of each {dimension} choosing each answer (bars, one colour "
        f"per group), with 95% confidence intervals (whiskers); answers in order of the overall "
        f"share.{top}{hidden_words}"
    )
    return Chart(
        id=_slug("chart", question.id, by),
        title=f"By {dimension}",
        caption=caption,
        fragment=_fragment(data, layout, _slug("plot", question.id, by)),
        tables=[
            DataTable(
                id=_slug("data", question.id, by),
                caption=f"{question.text} Share choosing each answer by {dimension} (95% CI)",
                columns=columns,
                rows=rows_out,
            )
        ],
    )


# ----------------------------------------------------------------------------- the page
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
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("survey", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_html(tables: ReportTables, findings: pd.DataFrame, path: Path) -> Path:
    """Write the wave's self-contained HTML report (atomically).

    Parameters
    ----------
    tables
        The wave's tables (:func:`~survey.report.tables.load_tables`).
    findings
        Its headline findings (:func:`~survey.report.findings.headline_findings`); their
        ``text`` is the findings section.
    path
        Where to write ``report.html``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from survey.codebook import load_codebook
    >>> from survey.report.findings import headline_findings
    >>> from survey.report.tables import load_tables
    >>> from survey.pipeline import process_wave
    >>> book = load_codebook("data/raw/codebook.yaml")
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = process_wave(book, book.wave("2024"), out_dir=folder, processed_dir=folder)
    >>> wave = load_tables(folder, book)
    >>> page = write_html(wave, headline_findings(wave), folder / "report.html")
    >>> page.read_text(encoding="utf-8").count("<h1")
    1
    """
    import plotly.offline

    report = _Report(tables)
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
        changes=[str(text) for text in change_findings(tables)["text"]],
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
