"""The slide deck of a wave (``slides.pptx``): findings an association can present as they are.

:func:`write_pptx` turns a wave's tables (:func:`~survey.report.tables.load_tables`) and its
headline findings (:func:`~survey.report.findings.headline_findings`) into a deck of at most
:data:`MAX_SLIDES` slides:

1. the title (instrument, wave, organisation);
2. who responded against the membership frame, by each weighting variable;
3. the headline findings;
4. what changed since the previous wave (when there is one): the significant changes as
   :func:`~survey.report.findings.change_findings` says them, and the learning topics'
   top-2 importance in both waves; said plainly when nothing changed significantly;
5. the top learning needs overall (Borich MWDS), their ranks in every wave so far, the top
   three of each group of the first dimension, and the top-2 importance of the leading topics
   by the other dimensions;
6. every multi-select question (barriers, formats ...) by the dimensions where it differs
   significantly (else the first two), every single-choice question (mentoring ...) and
   every Likert statement (employer support ...) by group;
7. the themes of the open answers with a few respondents' quotes;
8. how the survey was done, and how to read the numbers.

Charts are native, editable PowerPoint charts whose data are the values of ``results.csv``
(``needs.csv``, ``themes.csv``, ``trends.csv``) as the engine wrote them; labels and tables
show them rounded by :mod:`survey.report.style`. A suppressed group is never drawn: it is
left out of the chart and named in the footnote, or shown as
:data:`~survey.report.style.SUPPRESSED` in a table. Every content slide carries speaker notes
with its base sizes and caveats.

With ``template=`` the association's own ``.pptx`` is used: its masters, layouts, theme and
slide size, without the slides it carried.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from survey.codebook import Question, QuestionType
from survey.errors import DataError
from survey.report import style
from survey.report.findings import change_findings
from survey.report.tables import ReportTables
from survey.writing import atomic_write

__all__ = ["MAX_SLIDES", "write_pptx"]

#: The most slides a deck has; slides of lower priority are left out beyond it.
MAX_SLIDES = 20

#: Significance level of the adjusted p-values a slide calls significant.
_ALPHA = 0.05

#: Most bars (options) per group in a multi-select chart, topics in the needs chart ...
_MAX_OPTIONS = 5
_TOP_NEEDS = 8
_LEADING_TOPICS = 5
_MAX_THEMES = 8
_MAX_QUOTES = 3
_MAX_HEADLINES = 6
#: Changes said on the "What changed" slide, and learning topics drawn in its chart.
_MAX_CHANGES = 4
_CHANGE_TOPICS = 5

#: A stacked segment smaller than this share gets no label (it would not fit).
_SMALL_SEGMENT = 0.05

_EMU_PER_INCH = 914400

_TEST_NAMES = {
    "rao_scott_f": "Rao-Scott adjusted chi-square test (F form) on the weighted data",
    "chi2_independence": "chi-square test of independence",
    "wald_f": "Wald F test of group means (numbers)",
    "kruskal_wallis": "Kruskal-Wallis test (ratings and numbers)",
    "mann_whitney": "Mann-Whitney test",
}

#: ``trends.csv``'s tests, in words (see :mod:`survey.analysis.trends`).
_TREND_TEST_NAMES = {
    "design_difference_z": (
        "the design-based difference of two independent samples (a z test with each wave's "
        "own standard error from the weighted data)"
    ),
    "two_proportion_z": "the two-proportion z test (pooled share) on the unweighted data",
    "difference_z": "a z test of the difference of two independent means",
}

#: Bars of a change chart that did not change significantly: the earlier wave, this wave.
_MUTED = ("#D9D9D9", "#8C8C8C")


# --------------------------------------------------------------------------- slide plan


@dataclass
class _Chart:
    """A native chart: categories down the side, one bar per series and category."""

    categories: list[str]
    series: list[tuple[str, list[float]]]
    number_format: str = "0%"
    stacked: bool = False
    #: Two-level categories: (parent label, number of categories under it), in order.
    levels: list[tuple[str, int]] | None = None
    #: One colour per category (a single series coloured by its parent level).
    point_colours: list[str] | None = None
    #: Small multiples: one chart per series side by side, the categories aligned.
    panels: bool = False
    #: The value axis's maximum (panels share one scale); None: from the data.
    maximum: float | None = None
    #: Category labels shown (the panels after the first leave them to the first).
    category_labels: bool = True
    #: One colour per series (else the palette in order).
    series_colours: list[str] | None = None
    #: Categories drawn in grey (:data:`_MUTED`): shown for contrast, not the point.
    muted: list[int] = field(default_factory=list)
    #: A bold line above the chart (when it shares the slide with bullets).
    heading: str = ""


@dataclass
class _Table:
    """A table: a header row, then rows of ``(text, bold)`` cells."""

    header: list[str]
    rows: list[list[tuple[str, bool]]]
    widths: list[float]


class _Kind(StrEnum):
    """What a slide shows."""

    TITLE = "title"
    BULLETS = "bullets"
    CHART = "chart"
    TABLE = "table"


@dataclass
class _Slide:
    """One slide of the deck, before it is drawn."""

    kind: _Kind
    title: str
    subtitle: str = ""
    bullets: list[str] = field(default_factory=list)
    chart: _Chart | None = None
    table: _Table | None = None
    quotes: list[str] = field(default_factory=list)
    notes: str = ""
    footnote: str = ""
    #: 0 always shown, 1 the core story, 2 further breakdowns, 3 extras.
    priority: int = 1


@dataclass(frozen=True)
class _Cell:
    """One row of ``results.csv`` as a slide uses it."""

    n: int
    estimate: float | None  # None when the row is suppressed (or below the threshold)


class _Wave:
    """The wave's tables indexed once for the many look-ups a deck makes."""

    def __init__(self, tables: ReportTables) -> None:
        self.tables = tables
        self.labels = tables.labels
        self.threshold = tables.threshold
        results = tables.shown("results")
        published = _published(results, self.threshold).to_numpy()
        self.results = results.assign(published=published)
        # the columns as lists: far faster to walk than their Arrow strings, value by value
        self.cells: dict[tuple[str, str, str, str], _Cell] = {
            (str(q), str(o), str(b), str(g)): _Cell(int(n), float(e) if ok else None)
            for q, o, b, g, n, e, ok in zip(
                results["question"].tolist(),
                results["option"].tolist(),
                results["by"].tolist(),
                results["group"].tolist(),
                results["n"].tolist(),
                results["estimate"].tolist(),
                published.tolist(),
                strict=True,
            )
        }
        self.by_question = {
            str(question): rows for question, rows in self.results.groupby("question", sort=False)
        }
        tests = tables.shown("tests")
        self.significant = tests[tests["p_adjusted"] < _ALPHA]
        self.significant_pairs = set(
            zip(self.significant["question"].tolist(), self.significant["by"].tolist(), strict=True)
        )
        self.letters = tables.shown("letters")
        self.dimensions = list(tables.codebook.dimensions)
        self._groups: dict[str, list[str]] = {}
        self._higher: dict[tuple[str, str], set[str]] | None = None

    def rows(self, question: str) -> pd.DataFrame:
        """``results.csv`` rows of a question (or grid column)."""
        empty = self.results.iloc[0:0]
        return self.by_question.get(question, empty)

    def cell(self, question: str, option: str, by: str, group: str) -> _Cell | None:
        return self.cells.get((question, option, "all" if group == "all" else by, group))

    def groups(self, by: str) -> list[str]:
        """The groups of a dimension present in the results, in codebook order."""
        if by not in self._groups:
            present = self.results.loc[self.results["by"] == by, "group"].unique().tolist()
            self._groups[by] = _in_codebook_order(self.tables, by, present)
        return self._groups[by]

    def breakdown(
        self, question: str, options: Sequence[str], by: str
    ) -> tuple[list[str], list[str]]:
        """The groups (``all`` first) with every option published, and the hidden groups'
        names."""
        shown, hidden = [], []
        for group in ["all", *self.groups(by)]:
            cells = [self.cell(question, option, by, group) for option in options]
            if cells and all(c is not None and c.estimate is not None for c in cells):
                shown.append(group)
            elif any(c is not None for c in cells):
                hidden.append(self.labels.group(by, group))
        return shown, hidden

    def value(self, question: str, option: str, by: str, group: str) -> float:
        cell = self.cell(question, option, by, group)
        assert cell is not None and cell.estimate is not None
        return cell.estimate

    def bases(self, question: str, by: str, *, options: Sequence[str] | None = None) -> str:
        """``Public library n = 487; ...``: each group's base for a question."""
        parts = []
        for group in self.groups(by):
            sizes = [
                cell.n
                for option in (options or self.options(question))
                if (cell := self.cell(question, option, by, group)) is not None
            ]
            if sizes:
                parts.append(f"{self.labels.group(by, group)} n = {max(sizes)}")
        return "; ".join(parts)

    def options(self, question: str) -> list[str]:
        return [str(o) for o in dict.fromkeys(self.rows(question)["option"]) if o != "mean"]

    def higher(self, question: str, by: str) -> set[str]:
        """The groups of a dimension whose top-2 share of a question is significantly higher
        than another group's (they have letters in ``higher_than``)."""
        if self._higher is None:
            self._higher = {}
            letters = self.letters
            for name, option, group_by, group, higher in zip(
                letters["question"].tolist(),
                letters["option"].tolist(),
                letters["by"].tolist(),
                letters["group"].tolist(),
                letters["higher_than"].tolist(),
                strict=True,
            ):
                if option == "top2" and isinstance(higher, str) and higher:
                    self._higher.setdefault((name, group_by), set()).add(str(group))
        return self._higher.get((question, by), set())

    def significant_in(self, names: Sequence[str], by: str | None = None) -> pd.DataFrame:
        rows = self.significant[self.significant["question"].isin(list(names))]
        return rows if by is None else rows[rows["by"] == by]

    def dimensions_for(self, names: Sequence[str], *, default: int) -> list[str]:
        """The dimensions a question differs by significantly (most significant tests first),
        else the first ``default`` dimensions."""
        counts = self.significant_in(names)["by"].value_counts()
        chosen = [d for d in self.dimensions if d in counts.index]
        chosen.sort(key=lambda d: -int(counts[d]))
        return chosen or self.dimensions[:default]


def _records(frame: pd.DataFrame) -> list[Any]:
    """A frame's rows as named tuples (typed loosely: their fields are the columns)."""
    return list(frame.itertuples(index=False))


def _published(rows: pd.DataFrame, threshold: int) -> pd.Series:
    """Rows a report may show a number of."""
    return ~rows["suppressed"].astype(bool) & (rows["n"] >= threshold) & rows["estimate"].notna()


def _in_codebook_order(tables: ReportTables, by: str, present: Sequence[Any]) -> list[str]:
    """Codes of a question's options in codebook order (then any others present)."""
    question = next((q for q in tables.codebook.questions if q.id == by), None)
    codes = [option.code for option in question.options] if question is not None else []
    seen = list(dict.fromkeys(str(code) for code in present))
    return [code for code in codes if code in seen] + [code for code in seen if code not in codes]


def _caveats(tables: ReportTables) -> str:
    """The caveats every content slide's notes repeat."""
    if tables.weighted:
        weighting = (
            "Percentages are weighted to the membership frame; bases (n) are respondents "
            "(unweighted)."
        )
    else:
        weighting = "Percentages are of respondents (unweighted); bases (n) are respondents."
    return (
        f"{weighting} Groups under {tables.threshold} respondents are not shown (nor, where a "
        "single group is small, the next smallest, so that it cannot be worked out). "
        "Differences named are significant after adjustment for the many tests "
        "(Benjamini-Hochberg; pairs of groups Holm-adjusted)."
    )


def _rule(tables: ReportTables) -> str:
    return style.SUPPRESSED_NOTE.format(threshold=tables.threshold)


def _hidden_footnote(tables: ReportTables, names: list[str]) -> str:
    return f"Not shown: {', '.join(names)} ({_rule(tables)})." if names else ""


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _title_slide(tables: ReportTables) -> _Slide:
    instrument = tables.codebook.instrument
    lines = [f"{tables.wave} results"]
    if instrument.organisation:
        lines.append(str(instrument.organisation))
    wave = next((w for w in tables.codebook.waves if w.id == tables.wave), None)
    if wave is not None and wave.fieldwork:
        lines.append(f"Fieldwork {wave.fieldwork[0]} to {wave.fieldwork[1]}")
    lines.append(f"{tables.analysed:,} respondents")
    return _Slide(
        kind=_Kind.TITLE,
        title=str(instrument.title),
        bullets=lines,
        notes=(
            f"{instrument.title}, wave {tables.wave}: n = {tables.analysed} respondents "
            f"analysed. {_caveats(tables)}"
        ),
        priority=0,
    )


def _composition_slides(wave: _Wave) -> list[_Slide]:
    tables, labels = wave.tables, wave.labels
    slides = []
    if tables.weighting is not None and tables.weighting.get("composition"):
        composition = pd.DataFrame(tables.weighting["composition"])
        design = tables.weighting.get("design_effect")
        effective = tables.weighting.get("effective_n")
        for variable in dict.fromkeys(composition["variable"]):
            part = composition[composition["variable"] == variable]
            dimension = labels.dimension(variable).lower()
            categories = [labels.group(variable, str(c)) for c in part["category"]]
            respondents = int(part["respondents"].sum())
            members = int(part["frame"].sum())
            bases = "; ".join(
                f"{name} n = {int(n)}"
                for name, n in zip(categories, part["respondents"], strict=True)
            )
            design_text = (
                f"; design effect {style.value(design, digits=2)}, effective sample size "
                f"{effective:,.0f}"
                if design is not None and effective is not None
                else ""
            )
            slides.append(
                _Slide(
                    kind=_Kind.CHART,
                    title=f"Who responded, by {dimension}",
                    subtitle="Share of respondents, of the membership frame, and after weighting",
                    chart=_Chart(
                        categories=categories,
                        series=[
                            ("Respondents", [float(v) for v in part["sample_share"]]),
                            ("Membership frame", [float(v) for v in part["frame_share"]]),
                            ("Respondents, weighted", [float(v) for v in part["weighted_share"]]),
                        ],
                    ),
                    notes=(
                        f"Who responded by {dimension}, against the membership frame. "
                        f"Respondents: n = {respondents} ({bases}). Frame: {members:,} members. "
                        "Weights were raked to the frame's margins so that weighted shares match "
                        f"the frame{design_text}."
                    ),
                    footnote=f"n = {respondents} respondents; frame {members:,} members.",
                )
            )
        return slides
    for by in wave.dimensions:
        options = _in_codebook_order(tables, by, wave.options(by))
        shown = [(o, cell) for o in options if (cell := wave.cell(by, o, "all", "all")) is not None]
        shown = [(o, c) for o, c in shown if c.estimate is not None]
        if not shown:
            continue
        n = max(c.n for _, c in shown)
        slides.append(
            _Slide(
                kind=_Kind.CHART,
                title=f"Who responded, by {labels.dimension(by).lower()}",
                subtitle="Share of respondents (the wave is not weighted)",
                chart=_Chart(
                    categories=[labels.group(by, o) for o, _ in shown],
                    series=[("Respondents", [float(c.estimate or 0.0) for _, c in shown])],
                ),
                notes=(
                    f"Respondents by {labels.dimension(by).lower()}: n = {n} who answered. "
                    f"{_caveats(tables)}"
                ),
                footnote=f"n = {n} respondents.",
            )
        )
    return slides


def _headline_slide(wave: _Wave, findings: pd.DataFrame) -> _Slide:
    tables, labels = wave.tables, wave.labels
    top = findings.head(_MAX_HEADLINES)
    if top.empty:
        bullets = [
            style.TOO_FEW_NOTE.format(analysed=tables.analysed, threshold=tables.threshold)
            if tables.too_few
            else "No difference between groups was significant after adjustment."
        ]
        bases = f"n = {tables.analysed} respondents analysed"
    else:
        bullets = [str(text) for text in top["text"]]
        bases = "; ".join(
            f"{i}. {labels.group(row.by, row.group)} n = {int(row.n)}"
            for i, row in enumerate(_records(top), start=1)
        )
    return _Slide(
        kind=_Kind.BULLETS,
        title="Headline findings",
        bullets=bullets,
        notes=(
            f"Each finding compares a group with everyone. Bases: {bases}. Only differences "
            "whose overall test is significant after the Benjamini-Hochberg adjustment, and "
            "where the group differs from another group in the Holm-adjusted pairwise "
            "comparisons, are named; the strongest effects (Cramér's V) first. "
            f"{_caveats(tables)}"
        ),
        footnote=(
            "Significant after adjustment for multiple tests; groups of fewer than "
            f"{tables.threshold} respondents are never named."
        ),
        priority=0,
    )


def _count(number: int, noun: str) -> str:
    """``1 topic``, ``4 topics``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _who(tables: ReportTables, by: str, group: str) -> str:
    """``All respondents``, ``Cariboo (region)``."""
    name = tables.labels.group(by, group)
    return name if by == "all" else f"{name} ({tables.labels.dimension(by).lower()})"


def _span(sizes: Sequence[int]) -> str:
    """``752`` or ``735 to 756``: a range of bases."""
    low, high = min(sizes), max(sizes)
    return f"{low}" if low == high else f"{low} to {high}"


def _trend_pair(tables: ReportTables, since: str) -> pd.DataFrame:
    """The shown ``trends.csv`` rows comparing ``since`` with this wave: one family of the
    Benjamini-Hochberg adjustment."""
    trends = tables.shown("trends")
    return trends[(trends["wave_from"] == since) & (trends["wave_to"] == tables.wave)]


def _change_chart(
    tables: ReportTables, pair: pd.DataFrame, since: str
) -> tuple[_Chart, pd.DataFrame] | None:
    """Everyone's top-2 importance of the learning topics in both waves: the topics that
    changed significantly (largest change first), then the largest changes that did not, in
    grey, for contrast; with the rows drawn."""
    labels = tables.labels
    topic_of = {column: topic for topic, column in _importance_columns(tables).items()}
    rows = pair[
        (pair["by"] == "all") & (pair["option"] == "top2") & pair["question"].isin(topic_of)
    ]
    if rows.empty:
        return None
    rows = rows.assign(size=rows["change"].abs()).sort_values(
        ["size", "question"], ascending=[False, True], kind="stable"
    )
    significant = rows["significant"].astype(bool)
    changed = rows[significant].head(_CHANGE_TOPICS)
    steady = rows[~significant].head(_CHANGE_TOPICS - len(changed))
    drawn = pd.concat([changed, steady])
    agree = labels.option(str(drawn["question"].iloc[0]), "top2").lower()
    chart = _Chart(
        categories=[labels.topic(topic_of[str(q)]) for q in drawn["question"]],
        series=[
            (since, [float(v) for v in drawn["estimate_from"]]),
            (tables.wave, [float(v) for v in drawn["estimate_to"]]),
        ],
        # all grey when nothing changed significantly, so that the legend matches the bars
        series_colours=[style.PALETTE[4], style.PALETTE[0]] if len(changed) else list(_MUTED),
        muted=list(range(len(changed), len(drawn))) if len(changed) else [],
        heading=f"Everyone: learning topics rated {agree}",
    )
    return chart, drawn


def _change_chart_text(
    tables: ReportTables, chart: _Chart, rows: pd.DataFrame, since: str
) -> tuple[str, str]:
    """The notes and the footnote of a change chart."""
    changed = int(rows["significant"].astype(bool).sum())
    steady = len(rows) - changed
    if changed and steady:
        which = (
            f"the {_count(changed, 'topic')} whose change is significant (coloured), then the "
            "largest changes of the other topics (grey), for contrast"
        )
    elif changed:
        which = f"the {_count(changed, 'topic')} whose change is significant"
    else:
        which = "no topic's change is significant; in grey, the largest changes"
    values = "; ".join(
        f"{category} {style.percent(row.estimate_from)} to {style.percent(row.estimate_to)} "
        f"(n = {int(row.n_from)} and {int(row.n_to)})"
        for category, row in zip(chart.categories, _records(rows), strict=True)
    )
    notes = f"Chart: everyone's share in {since} and {tables.wave}, {which}: {values}."
    footnote = _join(
        "Coloured: a change larger than chance would explain." if changed else "",
        "Grey: no change beyond what chance would explain." if steady else "",
        f"n = {_span([int(n) for n in rows['n_from']])} ({since}), "
        f"{_span([int(n) for n in rows['n_to']])} ({tables.wave}).",
    )
    return notes, footnote


def _change_slide(wave: _Wave) -> _Slide | None:
    """What changed since the previous wave: ``change_findings``' sentences, everyone's
    first, beside the learning topics' top-2 importance in both waves."""
    tables, labels = wave.tables, wave.labels
    since = tables.previous_wave
    if since is None:
        return None
    pair = _trend_pair(tables, since)
    if pair.empty:  # nothing compared with the earlier wave: no slide rather than "no change"
        return None
    changes = change_findings(tables, since=since, limit=None)
    shown = changes.head(_MAX_CHANGES)
    if shown.empty:
        bullets = [f"No change since {since} is larger than chance would explain."]
        named = "No change is significant after adjustment."
    else:
        bullets = [str(text) for text in shown["text"]]
        bases = "; ".join(
            f"{i}. {_who(tables, row.by, row.group)} n = {int(row.n_from)} in {since} and "
            f"{int(row.n_to)} in {tables.wave}"
            for i, row in enumerate(_records(shown), start=1)
        )
        named = (
            f"The slide says {len(shown)} of the {len(changes)} significant changes listed "
            f"(everyone's first, then groups', the largest first). Bases: {bases}."
        )
    everyone = pair[pair["by"] == "all"]
    respondents = (
        f"Respondents: n = {int(everyone['n_from'].max())} in {since} and "
        f"n = {int(everyone['n_to'].max())} in {tables.wave}."
        if len(everyone)
        else ""
    )
    tests = "; ".join(
        _TREND_TEST_NAMES.get(t, t.replace("_", " ")) for t in dict.fromkeys(map(str, pair["test"]))
    )
    flags = tables.trend_flags
    flags = flags[(flags["wave_from"] == since) & (flags["wave_to"] == tables.wave)]
    if len(flags):
        not_compared = (
            "Not compared, because the question was not asked the same way in both waves: "
            + "; ".join(
                f"{labels.question(str(row.question))} ({row.reason})" for row in _records(flags)
            )
            + "."
        )
    else:
        not_compared = f"Every question asked in both {since} and {tables.wave} was compared."
    drawn = _change_chart(tables, pair, since)
    chart_notes, footnote = _change_chart_text(tables, *drawn, since) if drawn else ("", "")
    if len(flags):
        footnote = _join(
            footnote,
            f"Not compared: {_count(len(flags), 'question')} asked differently (see notes).",
        )
    return _Slide(
        kind=_Kind.CHART if drawn is not None else _Kind.BULLETS,
        title=f"What changed since {since}",
        bullets=bullets,
        chart=drawn[0] if drawn is not None else None,
        notes=_join(
            f"Changes from {since} to {tables.wave}. Each wave is an independent sample; a "
            f"change is tested with {tests}. The p-values are adjusted for the many "
            f"comparisons with Benjamini-Hochberg within the pair of waves ({since} with "
            f"{tables.wave}: {len(pair)} estimates); a change is named when its adjusted "
            f"p-value is under {_ALPHA:g}.",
            named,
            respondents,
            chart_notes,
            f"Suppressed groups (under {tables.threshold} respondents, or hidden along with "
            "one) are never compared, in either wave; a rating is compared by its top-2 share "
            "and mean, not each point of the scale.",
            not_compared,
            _caveats(tables),
        ),
        footnote=footnote,
        priority=0,
    )


def _importance_columns(tables: ReportTables) -> dict[str, str]:
    """Topic code -> its importance column (``imp_leadership``): a grid's first item."""
    columns: dict[str, str] = {}
    for question in tables.codebook.questions_of(QuestionType.GRID):
        if not question.items:
            continue
        for topic, column in zip(
            question.topics, question.grid_columns(question.items[0]), strict=True
        ):
            columns.setdefault(topic.code, column)
    return columns


def _needs_slides(wave: _Wave) -> list[_Slide]:
    tables, labels = wave.tables, wave.labels
    needs = tables.shown("needs")
    overall = needs[(needs["by"] == "all") & ~needs["suppressed"] & needs["mwds"].notna()]
    overall = overall.sort_values(["rank", "topic"], kind="stable")
    if overall.empty:
        return []
    top = overall.head(_TOP_NEEDS)
    low, high = int(top["n"].min()), int(top["n"].max())
    detail = "; ".join(
        f"{labels.topic(row.topic)}: MWDS {style.value(row.mwds)}, "
        f"{style.percent(row.top2_importance)} very or extremely important (n = {int(row.n)})"
        for row in _records(top)
    )
    slides = [
        _Slide(
            kind=_Kind.CHART,
            title="Top learning needs overall",
            subtitle=(
                f"The {len(top)} topics with the biggest need (Borich MWDS: importance × gap "
                "between importance and confidence)"
            ),
            chart=_Chart(
                categories=[labels.topic(str(t)) for t in top["topic"]],
                series=[("Need (MWDS)", [float(v) for v in top["mwds"]])],
                number_format="0.0",
            ),
            notes=(
                "Borich's mean weighted discrepancy score (MWDS) is the mean gap between how "
                "important a topic is and how confident people feel in it, times its mean "
                "importance: the higher, the bigger the learning need. Bases: respondents who "
                f"rated both, n = {low} to {high}. {detail}. {_caveats(tables)}"
            ),
            footnote=f"n = {low} to {high} respondents who rated both importance and confidence.",
            priority=0,
        )
    ]
    if wave.dimensions:
        slides.append(_needs_by_group(wave, needs, wave.dimensions[0]))
    leading = [str(t) for t in overall["topic"].head(_LEADING_TOPICS)]
    for by in wave.dimensions[1:]:
        slide = _leading_topics(wave, leading, by)
        if slide is not None:
            slides.append(slide)
    return slides


def _ranks_slide(wave: _Wave) -> _Slide | None:
    """This wave's top learning needs with their rank in every wave so far."""
    tables, labels = wave.tables, wave.labels
    since = tables.previous_wave
    rankings = tables.shown("rankings")
    overall = rankings[(rankings["by"] == "all") & rankings["rank"].notna()]
    present = set(map(str, overall["wave"]))
    order = [w.id for w in tables.codebook.waves]
    waves = [w for w in order if w in present]
    if since is None or tables.wave not in waves:
        return None
    waves = waves[: waves.index(tables.wave) + 1]
    if len(waves) < 2:
        return None
    ranks = {
        (str(topic), str(w)): int(rank)
        for topic, w, rank in zip(overall["topic"], overall["wave"], overall["rank"], strict=True)
    }
    current = overall[overall["wave"] == tables.wave].sort_values(["rank", "topic"], kind="stable")
    top = [str(topic) for topic in current["topic"].head(_TOP_NEEDS)]
    table_rows: list[list[tuple[str, bool]]] = []
    missing = False
    for topic in top:
        cells = [(labels.topic(topic), False)]
        for w in waves:
            rank = ranks.get((topic, w))
            missing = missing or rank is None
            cells.append((style.SUPPRESSED if rank is None else str(rank), w == tables.wave))
        before, now = ranks.get((topic, since)), ranks[(topic, tables.wave)]
        if before is None:
            movement = style.SUPPRESSED
        elif before == now:
            movement = "same"
        else:
            movement = f"{'up' if before > now else 'down'} {abs(before - now)}"
        table_rows.append([*cells, (movement, False)])
    shown = overall[overall["topic"].isin(top) & overall["wave"].isin(waves)]
    bases = "; ".join(
        f"{w} n = {_span([int(n) for n in shown.loc[shown['wave'] == w, 'n']])}"
        for w in waves
        if (shown["wave"] == w).any()
    )
    topics = int((overall["wave"] == tables.wave).sum())
    return _Slide(
        kind=_Kind.TABLE,
        title="Learning-need ranks across waves",
        subtitle=(
            f"This wave's top {len(top)} learning needs and their rank in each wave "
            f"(1 = the biggest need of {topics} topics, by Borich MWDS)"
        ),
        table=_Table(
            header=["Learning topic", *waves, f"Since {since}"],
            rows=table_rows,
            widths=[4.6, *([1.2] * len(waves)), 1.6],
        ),
        notes=(
            f"Each wave's topics ranked by Borich's MWDS (importance × the gap between "
            f"importance and confidence); rank 1 is the biggest need. Bases (respondents who "
            f"rated both, per topic): {bases}. A rank compares topics within a wave: a topic "
            "can move a place or two when its neighbours' scores are close, without any real "
            f"change; the changes larger than chance are on the slide “What changed since "
            f"{since}”. {_caveats(tables)}"
        ),
        footnote=_join(
            f"Bold: {tables.wave}.",
            f"{style.SUPPRESSED} = not ranked that wave." if missing else "",
        ),
        priority=2,
    )


def _needs_by_group(wave: _Wave, needs: pd.DataFrame, by: str) -> _Slide:
    tables, labels = wave.tables, wave.labels
    rows = needs[needs["by"] == by]
    groups = _in_codebook_order(tables, by, rows["group"].tolist())
    # one stable sort for every group: each group's rows come out in the order of its own sort
    ranked = rows[~rows["suppressed"] & rows["mwds"].notna()].sort_values(
        ["rank", "topic"], kind="stable"
    )
    leading = {str(group): part.head(3) for group, part in ranked.groupby("group", sort=False)}
    table_rows: list[list[tuple[str, bool]]] = []
    hidden = False
    for group in groups:
        shown = leading.get(group, ranked.iloc[0:0])
        cells = [(labels.group(by, group), True)]
        cells += [
            (f"{labels.topic(row.topic)} ({style.value(row.mwds)})", False)
            for row in _records(shown)
        ]
        hidden = hidden or len(cells) < 4
        cells += [(style.SUPPRESSED, False)] * (4 - len(cells))
        table_rows.append(cells)
    lows = rows.groupby("group")["n"].min().to_dict()
    highs = rows.groupby("group")["n"].max().to_dict()
    bases = "; ".join(
        f"{labels.group(by, g)} n = {int(lows[g])} to {int(highs[g])}" for g in groups if g in lows
    )
    return _Slide(
        kind=_Kind.TABLE,
        title=f"Top learning needs by {labels.dimension(by).lower()}",
        subtitle="The three topics with the biggest need in each group (Borich MWDS in brackets)",
        table=_Table(
            header=[labels.dimension(by), "1st need", "2nd need", "3rd need"],
            rows=table_rows,
            widths=[2.2, 3.0, 3.0, 3.0],
        ),
        notes=(
            "Ranks are within each group. Bases (respondents who rated both importance and "
            f"confidence, per topic): {bases}. {_caveats(tables)}"
        ),
        footnote=_join(
            "MWDS: importance × (importance − confidence); higher is a bigger need.",
            f"{style.SUPPRESSED} = {_rule(tables)}." if hidden else "",
        ),
    )


def _higher_groups(wave: _Wave, question: str, by: str) -> set[str]:
    """Groups significantly higher than another group on a top-2 share, where the overall
    test of the question by the dimension is significant too."""
    if (question, by) not in wave.significant_pairs:
        return set()
    return wave.higher(question, by)


def _leading_topics(wave: _Wave, topics: list[str], by: str) -> _Slide | None:
    tables, labels = wave.tables, wave.labels
    columns = _importance_columns(tables)
    topics = [t for t in topics if t in columns and not wave.rows(columns[t]).empty]
    groups = wave.groups(by)
    if not topics or not groups:
        return None
    dimension = labels.dimension(by).lower()
    table_rows: list[list[tuple[str, bool]]] = []
    any_hidden = any_bold = False
    higher = {t: _higher_groups(wave, columns[t], by) for t in topics}
    for group in ["all", *groups]:
        cells = [(labels.group(by, group), True)]
        for topic in topics:
            cell = wave.cell(columns[topic], "top2", by, group)
            if cell is None or cell.estimate is None:
                cells.append((style.SUPPRESSED, False))
                any_hidden = True
                continue
            bold = group in higher[topic]
            any_bold = any_bold or bold
            cells.append((style.percent(cell.estimate), bold))
        table_rows.append(cells)
    overall = [c.n for t in topics if (c := wave.cell(columns[t], "top2", "all", "all"))]
    sizes: dict[str, list[int]] = {}
    for group in groups:
        sizes[group] = [c.n for t in topics if (c := wave.cell(columns[t], "top2", by, group))]
    bases = "; ".join(
        f"{labels.group(by, g)} n = {min(s)} to {max(s)}" for g, s in sizes.items() if s
    )
    agree = labels.option(columns[topics[0]], "top2").lower()
    return _Slide(
        kind=_Kind.TABLE,
        title=f"The leading needs by {dimension}",
        subtitle=f"Share rating each of the top {len(topics)} needs {agree}",
        table=_Table(
            header=[labels.dimension(by), *(labels.topic(t) for t in topics)],
            rows=table_rows,
            widths=[2.6, *([1.9] * len(topics))],
        ),
        notes=(
            f"Top-2 importance ({agree}) of the {len(topics)} topics with the biggest need "
            f"overall. Bases: All respondents n = {min(overall, default=0)} to "
            f"{max(overall, default=0)}; {bases}. {_caveats(tables)}"
        ),
        footnote=_join(
            f"Bold: significantly higher than at least one other {dimension}." if any_bold else "",
            f"{style.SUPPRESSED} = {_rule(tables)}." if any_hidden else "",
        ),
    )


def _multi_slides(wave: _Wave, question: Question) -> list[_Slide]:
    tables, labels = wave.tables, wave.labels
    published = [
        (option, cell.estimate)
        for option in wave.options(question.id)
        if (cell := wave.cell(question.id, option, "all", "all")) is not None
        and cell.estimate is not None
    ]
    if not published:
        return []
    ranked = [o for o, _ in sorted(published, key=lambda item: -float(item[1] or 0.0))]
    names = [f"{question.id}__{option}" for option in ranked]
    overall_n = max(c.n for o in ranked if (c := wave.cell(question.id, o, "all", "all")))
    slides = []
    for position, by in enumerate(wave.dimensions_for(names, default=2)):
        dimension = labels.dimension(by).lower()
        groups, hidden = wave.breakdown(question.id, ranked, by)
        if len(groups) < 2:
            continue
        room = _MAX_OPTIONS
        different = {
            str(name).split("__", 1)[1] for name in wave.significant_in(names, by)["question"]
        }
        options = [o for o in ranked if o in different][:room]
        options += [o for o in ranked if o not in options][: room - len(options)]
        options = [o for o in ranked if o in options]  # most chosen first
        series = [
            (labels.option(question.id, o), [wave.value(question.id, o, by, g) for g in groups])
            for o in options
        ]
        subtitle = f"Share of respondents choosing each, by {dimension}"
        if len(options) < len(ranked):
            which = "most chosen or most different" if different else "most chosen"
            subtitle += f": the {len(options)} {which} of {len(ranked)} answers"
        slides.append(
            _Slide(
                kind=_Kind.CHART,
                title=f"{question.text} – by {dimension}",
                subtitle=subtitle,
                chart=_Chart(
                    categories=[labels.group(by, g) for g in groups], series=series, panels=True
                ),
                notes=(
                    f"{question.text} Several answers allowed; each share is of those who "
                    f"answered the question. Bases: All respondents n = {overall_n}; "
                    f"{wave.bases(question.id, by, options=options)}. {_caveats(tables)}"
                ),
                footnote=_join(
                    f"n = {overall_n}; several answers allowed.", _hidden_footnote(tables, hidden)
                ),
                priority=1 if position == 0 else 2,
            )
        )
    return slides


def _single_slides(wave: _Wave, question: Question) -> list[_Slide]:
    tables, labels = wave.tables, wave.labels
    options = [
        o.code
        for o in question.options
        if (cell := wave.cell(question.id, o.code, "all", "all")) is not None
        and cell.estimate is not None
    ]
    if not options:
        return []
    overall_n = max(c.n for o in options if (c := wave.cell(question.id, o, "all", "all")))
    slides = []
    for position, by in enumerate(wave.dimensions_for([question.id], default=1)):
        dimension = labels.dimension(by).lower()
        groups, hidden = wave.breakdown(question.id, options, by)
        if len(groups) < 2:
            continue
        series = [
            (labels.option(question.id, o), [wave.value(question.id, o, by, g) for g in groups])
            for o in options
        ]
        slides.append(
            _Slide(
                kind=_Kind.CHART,
                title=f"{question.text} – by {dimension}",
                subtitle=f"Share of respondents giving each answer, by {dimension}",
                chart=_Chart(
                    categories=[labels.group(by, g) for g in groups], series=series, stacked=True
                ),
                notes=(
                    f"{question.text} One answer each. Bases: All respondents n = {overall_n}; "
                    f"{wave.bases(question.id, by, options=options)}. Labels under "
                    f"{style.percent(_SMALL_SEGMENT)} are left off the bars. {_caveats(tables)}"
                ),
                footnote=_join(f"n = {overall_n}.", _hidden_footnote(tables, hidden)),
                priority=1 if position == 0 else 2,
            )
        )
    return slides


def _likert_slide(wave: _Wave, question: Question) -> _Slide | None:
    tables, labels = wave.tables, wave.labels
    overall = wave.cell(question.id, "top2", "all", "all")
    if overall is None or overall.estimate is None:
        return None
    categories = [labels.group("all", "all")]
    values = [overall.estimate]
    levels = [("All", 1)]
    colours = [style.PALETTE[7]]
    hidden: list[str] = []
    bases = []
    for position, by in enumerate(wave.dimensions):
        groups, group_hidden = wave.breakdown(question.id, ["top2"], by)
        groups = [g for g in groups if g != "all"]
        hidden += [f"{name} ({labels.dimension(by).lower()})" for name in group_hidden]
        bases.append(wave.bases(question.id, by, options=["top2"]))
        if not groups:
            continue
        for group in groups:
            categories.append(labels.group(by, group))
            values.append(wave.value(question.id, "top2", by, group))
            colours.append(style.PALETTE[position % 7])
        levels.append((labels.dimension(by), len(groups)))
    agree = labels.option(question.id, "top2")
    return _Slide(
        kind=_Kind.CHART,
        title=f"“{question.text}”",
        subtitle=f"Share who answered “{agree.lower()}”, by group",
        chart=_Chart(
            categories=categories, series=[(agree, values)], levels=levels, point_colours=colours
        ),
        notes=(
            f"“{question.text}” Share answering {agree.lower()} (the top two points of the "
            f"scale). Bases: All respondents n = {overall.n}; {'; '.join(b for b in bases if b)}. "
            f"{_caveats(tables)}"
        ),
        footnote=_join(f"n = {overall.n}.", _hidden_footnote(tables, hidden)),
    )


def _themes_slide(wave: _Wave, question: Question, priority: int) -> _Slide | None:
    tables = wave.tables
    themes = tables.shown("themes")
    rows = themes[
        (themes["question"] == question.id)
        & (themes["by"] == "all")
        & (themes["theme"] != "uncoded")
        & ~themes["suppressed"]
        & themes["share"].notna()
    ]
    if rows.empty:
        return None
    top = rows.sort_values(["share", "theme"], ascending=[False, True], kind="stable").head(
        _MAX_THEMES
    )
    quotes: list[str] = []
    table = tables.quotes[tables.quotes["question"] == question.id]
    for theme in top["theme"]:
        for quote in table.loc[table["theme"] == theme, "quote"]:
            if len(quotes) < _MAX_QUOTES and isinstance(quote, str) and quote.strip():
                quotes.append(quote)
    comments = int(top["comments"].max())
    return _Slide(
        kind=_Kind.CHART,
        title=f"What people said: {question.text}",
        subtitle="Share of comments on each theme (a comment can have several)",
        chart=_Chart(
            categories=[str(label) for label in top["label"]],
            series=[("Share of comments", [float(v) for v in top["share"]])],
        ),
        quotes=quotes,
        notes=(
            f"Open answers to “{question.text}”: n = {comments} comments, coded to themes by "
            "the codebook's keyword rules; a comment can count in several themes. The quotes "
            "are respondents' own words from the leading themes, scrubbed of personal data. "
            f"{_caveats(tables)}"
        ),
        footnote=f"n = {comments} comments.",
        priority=priority,
    )


def _method_slides(wave: _Wave) -> list[_Slide]:
    tables, labels = wave.tables, wave.labels
    received = tables.validation.get("rows")
    set_aside = int(tables.quarantined.sum()) if len(tables.quarantined) else 0
    reasons = ", ".join(
        f"{int(count)} {str(reason).replace('_', ' ')}"
        for reason, count in tables.quarantined.items()
    )
    responses = f"Responses: {tables.analysed:,} analysed"
    if received is not None:
        responses += f" of {int(received):,} received"
    if set_aside:
        responses += f"; {set_aside} set aside ({reasons})"
    bullets = [responses + "."]
    if tables.weighting is not None:
        variables = dict.fromkeys(c["variable"] for c in tables.weighting.get("composition", []))
        weighting = "Weighting: raked to the membership frame by " + " and ".join(
            labels.dimension(v).lower() for v in variables
        )
        design = tables.weighting.get("design_effect")
        effective = tables.weighting.get("effective_n")
        if design is not None:
            weighting += f"; design effect {style.value(design, digits=2)}"
        if effective is not None:
            weighting += f", effective sample size {effective:,.0f}"
        bullets.append(weighting + ".")
    else:
        bullets.append("Weighting: none; the figures describe the respondents.")
    shares = wave.results[(wave.results["option"] != "mean") & wave.results["published"]]
    half = (shares["ci_high"] - shares["ci_low"]) / 2
    overall, groups = half[shares["by"] == "all"], half[shares["by"] != "all"]
    if len(overall) and len(groups):
        bullets.append(
            "Margins of error (95% confidence intervals): up to "
            f"±{style.percent(float(overall.max()))[:-1]} points for all respondents, up to "
            f"±{style.percent(float(groups.max()))[:-1]} points in the smallest groups shown."
        )
    bullets.append(f"Small groups: {style.SUPPRESSED} means {_rule(tables)}.")
    tests = dict.fromkeys(str(t) for t in tables.shown("tests")["test"])
    caveats = [
        (
            "Differences between groups: "
            + "; ".join(_TEST_NAMES.get(t, t.replace("_", " ")) for t in tests)
            + ". P-values are adjusted for the many tests of the report (Benjamini-Hochberg); "
            "pairs of groups are compared with Holm-adjusted tests."
        )
        if tests
        else "Differences between groups: none could be tested (too few respondents in the "
        "groups).",
        "Letters in the workbook's tables: each group has a letter; a share followed by "
        "letters is significantly higher than those groups' shares.",
    ]
    if len(tables.needs):
        caveats.append(
            "Learning needs: Borich's MWDS, importance × (importance − confidence); the "
            "higher, the bigger the need."
        )
    caveats.append(
        "Open answers: coded to themes with the codebook's keyword rules; quotes are scrubbed "
        "of names and contact details."
    )
    flagged = int(tables.flagged.sum()) if len(tables.flagged) else 0
    if flagged:
        caveats.append(f"Data cleaning: {flagged} answers recoded or set to missing.")
    if tables.skipped:
        caveats.append(
            f"Not analysed: {len(tables.skipped)} question"
            f"{'s' if len(tables.skipped) != 1 else ''} kept in the codebook without results ("
            + "; ".join(f"{text}: {reason}" for _, text, reason in tables.skipped[:3])
            + ("; ..." if len(tables.skipped) > 3 else "")
            + ")."
        )
    caveats += [f"{note[0].upper()}{note[1:]}." for note in tables.notes]
    notes = (
        f"Base: n = {tables.analysed} respondents analysed"
        + (f" of {int(received)} received" if received is not None else "")
        + f". {_caveats(tables)}"
    )
    return [
        _Slide(
            kind=_Kind.BULLETS,
            title="How the survey was done",
            bullets=bullets,
            notes=notes,
            priority=0,
        ),
        _Slide(
            kind=_Kind.BULLETS,
            title="Reading the numbers",
            bullets=caveats,
            notes=notes,
            priority=0,
        ),
    ]


def _plan(tables: ReportTables, findings: pd.DataFrame) -> list[_Slide]:
    """Every slide the wave's tables support, in deck order."""
    wave = _Wave(tables)
    codebook = tables.codebook
    not_topics = {*codebook.dimensions, *codebook.profile}
    slides = [_title_slide(tables), *_composition_slides(wave), _headline_slide(wave, findings)]
    change = _change_slide(wave)
    if change is not None:
        slides.append(change)
    needs = _needs_slides(wave)
    ranks = _ranks_slide(wave)
    slides += needs[:1] + ([ranks] if ranks is not None else []) + needs[1:]
    for question in codebook.questions_of(QuestionType.MULTI):
        slides += _multi_slides(wave, question)
    for question in codebook.questions:
        if question.id in not_topics:
            continue
        if question.type is QuestionType.SINGLE:
            slides += _single_slides(wave, question)
        elif question.type is QuestionType.LIKERT:
            slide = _likert_slide(wave, question)
            if slide is not None:
                slides.append(slide)
    for position, question in enumerate(codebook.questions_of(QuestionType.TEXT)):
        slide = _themes_slide(wave, question, 1 if position == 0 else 3)
        if slide is not None:
            slides.append(slide)
    return slides + _method_slides(wave)


def _select(slides: list[_Slide], limit: int) -> list[_Slide]:
    """At most ``limit`` slides: the highest priorities, in deck order."""
    order = sorted(range(len(slides)), key=lambda i: (slides[i].priority, i))
    return [slides[i] for i in sorted(order[:limit])]


# --------------------------------------------------------------------------- drawing


@dataclass(frozen=True)
class _Box:
    left: int
    top: int
    width: int
    height: int


class _Deck:
    """A presentation and the layouts and content area its slides use."""

    def __init__(self, template: Path | None) -> None:
        from pptx import Presentation
        from pptx.util import Inches

        self.own_master = template is None
        self.prs: Any
        if template is None:
            self.prs = Presentation()
            self._widen()
        else:
            self.prs = _open_template(template)
            _drop_slides(self.prs)
        layouts = list(self.prs.slide_layouts)
        self.title_layout = _find_layout(layouts, "title") or layouts[0]
        self.content_layout = _find_layout(layouts, "content") or (
            layouts[1] if len(layouts) > 1 else layouts[0]
        )
        self.title_only_layout = _find_layout(layouts, "title_only") or self.content_layout
        width, height = int(self.prs.slide_width), int(self.prs.slide_height)
        body = _body_placeholder(self.content_layout)
        title = _title_placeholder(self.content_layout)
        margin = int(Inches(0.5))
        if body is not None and body.width and body.height:
            self.content = _Box(int(body.left), int(body.top), int(body.width), int(body.height))
        else:
            top = int(title.top + title.height) if title is not None else int(Inches(1.5))
            self.content = _Box(margin, top, width - 2 * margin, height - top - int(Inches(0.8)))
        footer_top = min(self.content.top + self.content.height, height - int(Inches(0.6)))
        self.content = _Box(
            self.content.left, self.content.top, self.content.width, footer_top - self.content.top
        )
        self.footnote = _Box(self.content.left, footer_top, self.content.width, int(Inches(0.45)))

    def _widen(self) -> None:
        """The built-in master at 16:9: placeholders stretched to the new width, the title
        band made shorter and the body taller (a deck of charts needs the room)."""
        from pptx.util import Inches

        old = int(self.prs.slide_width)
        new = int(Inches(13.333))
        self.prs.slide_width = new
        factor = new / old
        master = self.prs.slide_master
        tops = {
            str(getattr(ph.placeholder_format.type, "name", "")): int(ph.top)
            for ph in list(master.placeholders)
        }
        title_top, body_top = tops.get("TITLE", -1), tops.get("BODY", -1)
        shapes: list[Any] = list(master.placeholders)
        for layout in self.prs.slide_layouts:
            shapes += [s for s in layout.placeholders if s._element.xfrm is not None]
        for shape in shapes:
            left, top, width = int(shape.left), int(shape.top), int(shape.width)
            shape.left, shape.width = round(left * factor), round(width * factor)
            kind = str(getattr(shape.placeholder_format.type, "name", ""))
            if kind == "TITLE" and top == title_top:
                shape.top, shape.height = int(Inches(0.3)), int(Inches(0.95))
            elif kind in ("BODY", "OBJECT") and top == body_top:
                shape.top, shape.height = int(Inches(1.35)), int(Inches(5.35))
        _master_text_sizes(master)

    def new_slide(self, layout: Any) -> Any:
        return self.prs.slides.add_slide(layout)


def _master_text_sizes(master: Any) -> None:
    """Smaller, left-aligned titles and body text in the built-in master (a deck of charts
    needs room more than 44-point titles)."""
    from pptx.oxml.ns import qn

    styles = master._element.find(qn("p:txStyles"))
    if styles is None:
        return
    title = styles.find(qn("p:titleStyle"))
    if title is not None:
        level = title.find(qn("a:lvl1pPr"))
        if level is not None:
            level.set("algn", "l")
            run = level.find(qn("a:defRPr"))
            if run is not None:
                run.set("sz", "3000")
                run.set("b", "1")
    body = styles.find(qn("p:bodyStyle"))
    if body is not None:
        for depth, size in ((1, 2000), (2, 1800), (3, 1600)):
            level = body.find(qn(f"a:lvl{depth}pPr"))
            if level is not None:
                run = level.find(qn("a:defRPr"))
                if run is not None:
                    run.set("sz", str(size))
    for shape in master.placeholders:
        if shape.placeholder_format.type is not None and "TITLE" in str(
            shape.placeholder_format.type
        ):
            body_pr = shape._element.find(f".//{qn('a:bodyPr')}")
            if body_pr is not None:
                body_pr.set("anchor", "b")


def _open_template(template: Path) -> Any:
    from pptx import Presentation

    if not template.is_file():
        raise DataError(f"{template}: template not found; give the path of a .pptx file")
    try:
        return Presentation(str(template))
    except Exception:  # python-pptx raises zipfile, KeyError, XML and package errors
        raise DataError(
            f"{template}: not a readable PowerPoint template; give a .pptx file (not .potx, "
            ".ppt or another file)"
        ) from None


def _drop_slides(prs: Any) -> None:
    """Remove the slides a template carries (their parts go when nothing refers to them)."""
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        prs.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)


def _placeholder_types(layout: Any) -> list[str]:
    return [str(getattr(ph.placeholder_format.type, "name", "")) for ph in layout.placeholders]


_DECORATION = {"DATE", "FOOTER", "SLIDE_NUMBER", "HEADER"}


def _find_layout(layouts: list[Any], kind: Literal["title", "content", "title_only"]) -> Any:
    """A layout by its placeholders: ``title`` (title and subtitle), ``content`` (title and one
    body), ``title_only``."""
    for layout in layouts:
        types = [t for t in _placeholder_types(layout) if t not in _DECORATION]
        has_title = "TITLE" in types or "CENTER_TITLE" in types
        others = [t for t in types if t not in ("TITLE", "CENTER_TITLE")]
        vertical = any(
            (ph._element.find(".//{*}bodyPr") is not None)
            and str(ph._element.find(".//{*}bodyPr").get("vert", "horz")).startswith("vert")
            for ph in layout.placeholders
        )
        if vertical:
            continue
        if kind == "title" and "CENTER_TITLE" in types and "SUBTITLE" in others:
            return layout
        if kind == "content" and has_title and others in (["OBJECT"], ["BODY"]):
            return layout
        if kind == "title_only" and has_title and not others:
            return layout
    if kind == "title":
        for layout in layouts:
            types = _placeholder_types(layout)
            if ("TITLE" in types or "CENTER_TITLE" in types) and "SUBTITLE" in types:
                return layout
    return None


def _title_placeholder(layout: Any) -> Any:
    for ph in layout.placeholders:
        if str(getattr(ph.placeholder_format.type, "name", "")) in ("TITLE", "CENTER_TITLE"):
            return ph
    return None


def _body_placeholder(layout: Any) -> Any:
    for ph in layout.placeholders:
        if str(getattr(ph.placeholder_format.type, "name", "")) in ("OBJECT", "BODY"):
            return ph
    return None


def _rgb(colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(colour.lstrip("#").upper())


def _dark(colour: str) -> bool:
    """Whether white text reads better than black on this fill."""
    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 150


def _set_title(deck: _Deck, slide: Any, text: str) -> None:
    """The slide's title, in its placeholder (a text box above the content if the layout has
    none); a long title gets a smaller font."""
    from pptx.util import Pt

    title = slide.shapes.title
    if title is None:
        content = deck.content
        title = slide.shapes.add_textbox(
            content.left, int(content.top * 0.2), content.width, int(content.top * 0.7)
        )
        title.text_frame.word_wrap = True
    title.text_frame.text = text
    if len(text) > 60:
        for paragraph in title.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(24 if len(text) <= 110 else 20)


def _drop_empty_placeholders(slide: Any) -> None:
    for shape in list(slide.placeholders):
        if shape.has_text_frame and not shape.text_frame.text.strip():
            shape._element.getparent().remove(shape._element)


def _text_box(
    slide: Any,
    box: _Box,
    lines: Sequence[str],
    *,
    size: float,
    colour: str | None = None,
    italic: bool = False,
    spacing: float = 0,
) -> Any:
    from pptx.util import Pt

    shape = slide.shapes.add_textbox(box.left, box.top, box.width, box.height)
    frame = shape.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.italic = italic
        if colour is not None:
            run.font.color.rgb = _rgb(colour)
        if spacing and i:
            paragraph.space_before = Pt(spacing)
    return shape


def _notes(slide: Any, text: str) -> None:
    slide.notes_slide.notes_text_frame.text = text


def _draw_title(deck: _Deck, spec: _Slide) -> None:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Pt

    slide = deck.new_slide(deck.title_layout)
    _set_title(deck, slide, spec.title)
    if deck.own_master and slide.shapes.title is not None:
        title = slide.shapes.title
        for paragraph in title.text_frame.paragraphs:
            paragraph.alignment = PP_ALIGN.CENTER
            for run in paragraph.runs:
                run.font.size = Pt(38)
        _accent(slide, deck, top=int(title.top + title.height + Pt(10)))
    subtitle = next(
        (
            ph
            for ph in slide.placeholders
            if str(getattr(ph.placeholder_format.type, "name", "")) in ("SUBTITLE", "BODY")
        ),
        None,
    )
    if subtitle is not None:
        frame = subtitle.text_frame
        for i, line in enumerate(spec.bullets):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.text = line
    else:
        _text_box(slide, deck.content, spec.bullets, size=20)
    _drop_empty_placeholders(slide)
    _notes(slide, spec.notes)


def _accent(slide: Any, deck: _Deck, *, top: int) -> None:
    """A short bar in the palette's first colour under the title of the built-in master."""
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    width = int(Inches(1.6))
    bar = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE,
        (int(deck.prs.slide_width) - width) // 2,
        top,
        width,
        int(Inches(0.07)),
    )
    bar.fill.solid()
    bar.fill.fore_color.rgb = _rgb(style.PALETTE[0])
    bar.line.fill.background()


def _draw_bullets(deck: _Deck, spec: _Slide) -> None:
    from pptx.util import Pt

    slide = deck.new_slide(deck.content_layout)
    _set_title(deck, slide, spec.title)
    body = next((ph for ph in slide.placeholders if ph.placeholder_format.idx != 0), None)
    box = deck.content
    text_width = box.width - int(0.6 * _EMU_PER_INCH)  # insets and the bullet's indent
    size = 20.0
    while size > 12 and _text_height(spec.bullets, text_width, size, spacing=6) > box.height:
        size -= 1
    if body is not None and body.has_text_frame:
        frame = body.text_frame
        frame.word_wrap = True
        for i, text in enumerate(spec.bullets):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = text
            run.font.size = Pt(size)
            paragraph.space_after = Pt(6)
    else:
        _text_box(slide, deck.content, spec.bullets, size=size, spacing=6)
    _footnote(deck, slide, spec.footnote)
    _drop_empty_placeholders(slide)
    _notes(slide, spec.notes)


def _footnote(deck: _Deck, slide: Any, text: str) -> None:
    if text:
        _text_box(slide, deck.footnote, [text], size=11, colour="#555555")


def _content_slide(deck: _Deck, spec: _Slide) -> tuple[Any, _Box]:
    """A title-only slide with the subtitle line; the box left for the chart or table."""

    slide = deck.new_slide(deck.title_only_layout)
    _set_title(deck, slide, spec.title)
    for shape in list(slide.placeholders):
        if shape.placeholder_format.idx != 0:
            shape._element.getparent().remove(shape._element)
    box = deck.content
    if spec.subtitle:
        lines = _lines(spec.subtitle, box.width, 15)
        line = int((lines * 15 * 1.25 + 10) * 12700)
        _text_box(
            slide,
            _Box(box.left, box.top, box.width, line),
            [spec.subtitle],
            size=15,
            colour="#333333",
        )
        box = _Box(box.left, box.top + line, box.width, box.height - line)
    return slide, box


def _draw_chart(deck: _Deck, spec: _Slide) -> None:
    from pptx.util import Inches

    assert spec.chart is not None
    slide, box = _content_slide(deck, spec)
    if spec.quotes:
        gap = int(Inches(0.3))
        chart_width = int(box.width * 0.58)
        _add_chart(slide, spec.chart, _Box(box.left, box.top, chart_width, box.height))
        quote_box = _Box(
            box.left + chart_width + gap, box.top, box.width - chart_width - gap, box.height
        )
        lines = [f"“{quote}”" for quote in spec.quotes]
        _text_box(
            slide, quote_box, ["In their words", *lines], size=16, colour="#222222", spacing=12
        )
        shape = slide.shapes[-1]
        first = shape.text_frame.paragraphs[0].runs[0]
        first.font.bold = True
        first.font.italic = False
        for paragraph in shape.text_frame.paragraphs[1:]:
            for run in paragraph.runs:
                run.font.italic = True
    elif spec.bullets:
        gap = int(Inches(0.35))
        text_width = int(box.width * 0.42)
        _bullet_box(slide, _Box(box.left, box.top, text_width, box.height), spec.bullets)
        chart_box = _Box(
            box.left + text_width + gap, box.top, box.width - text_width - gap, box.height
        )
        _add_chart(slide, spec.chart, _headed(slide, spec.chart.heading, chart_box))
    elif spec.chart.panels:
        _add_panels(slide, spec.chart, box)
    else:
        _add_chart(slide, spec.chart, box)
    _footnote(deck, slide, spec.footnote)
    _notes(slide, spec.notes)


def _headed(slide: Any, heading: str, box: _Box) -> _Box:
    """A bold heading at the top of a box; the box left under it."""
    if not heading:
        return box
    size = 15.0
    height = int((_lines(heading, box.width, size, bold=True) * size * 1.25 + 10) * 12700)
    shape = _text_box(slide, _Box(box.left, box.top, box.width, height), [heading], size=size)
    shape.text_frame.paragraphs[0].runs[0].font.bold = True
    return _Box(box.left, box.top + height, box.width, box.height - height)


def _bullet_box(slide: Any, box: _Box, bullets: Sequence[str]) -> Any:
    """Bulleted paragraphs in a text box, the largest size (18 to 12 points) that fits."""
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    indent = int(Pt(16))
    spacing = 10.0
    size = 18.0
    while size > 12 and _text_height(bullets, box.width - indent, size, spacing=spacing) > (
        box.height
    ):
        size -= 1
    shape = _text_box(slide, box, bullets, size=size, colour="#222222", spacing=spacing)
    for paragraph in shape.text_frame.paragraphs:
        properties = paragraph._p.get_or_add_pPr()
        properties.set("marL", str(indent))
        properties.set("indent", str(-indent))
        bullet = properties.makeelement(qn("a:buChar"), {"char": "•"})
        properties.append(bullet)
    return shape


def _add_panels(slide: Any, spec: _Chart, box: _Box) -> None:
    """One bar chart per series side by side (small multiples): the first carries the
    category labels, every plot area is placed by hand so that the bars line up, and all
    share one scale so that bar lengths compare across panels."""
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    count = len(spec.series)
    label_width = int(min(box.width * 0.26, Inches(3.0)))
    panel_width = (box.width - label_width) // max(count, 1)
    size = 12.0
    while size > 9 and max(_lines(n, panel_width, size, bold=True) for n, _ in spec.series) > 3:
        size -= 1
    lines = max(_lines(name, panel_width, size, bold=True) for name, _ in spec.series)
    header = int((lines * size * 1.25 + 8) * 12700)
    finite = [v for _, values in spec.series for v in values if not _missing(v)]
    top = max(finite, default=1.0)
    maximum = min(1.0, math.ceil(top * 1.45 * 10) / 10) if top <= 0.95 else 1.0
    for index, (name, values) in enumerate(spec.series):
        plot_left = box.left + label_width + index * panel_width
        heading = _text_box(
            slide,
            _Box(plot_left, box.top, panel_width, header),
            [name],
            size=size,
            colour="#222222",
        )
        paragraph = heading.text_frame.paragraphs[0]
        paragraph.alignment = PP_ALIGN.CENTER
        paragraph.runs[0].font.bold = True
        colour = style.PALETTE[index % (len(style.PALETTE) - 1)]
        panel = _Chart(
            categories=spec.categories,
            series=[(name, values)],
            number_format=spec.number_format,
            point_colours=[style.PALETTE[-1] if i == 0 else colour for i in range(len(values))],
            maximum=maximum,
            category_labels=index == 0,
        )
        left = box.left if index == 0 else plot_left
        width = panel_width + (label_width if index == 0 else 0)
        chart = _add_chart(slide, panel, _Box(left, box.top + header, width, box.height - header))
        inner = (label_width / width) if index == 0 else 0.0
        _plot_layout(chart, x=inner, width=(panel_width / width) * 0.97)


def _plot_layout(chart: Any, *, x: float, width: float) -> None:
    """Place a chart's plot area (the bars, without the axis labels) by hand."""
    from pptx.oxml import parse_xml
    from pptx.oxml.ns import nsdecls, qn

    plot_area = chart._chartSpace.find(f"{qn('c:chart')}/{qn('c:plotArea')}")
    old = plot_area.find(qn("c:layout"))
    if old is not None:
        plot_area.remove(old)
    plot_area.insert(
        0,
        parse_xml(
            f"<c:layout {nsdecls('c')}><c:manualLayout>"
            '<c:layoutTarget val="inner"/><c:xMode val="edge"/><c:yMode val="edge"/>'
            f'<c:x val="{x:.4f}"/><c:y val="0.01"/><c:w val="{width:.4f}"/><c:h val="0.97"/>'
            "</c:manualLayout></c:layout>"
        ),
    )


def _add_chart(slide: Any, spec: _Chart, box: _Box) -> Any:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import (
        XL_CHART_TYPE,
        XL_LABEL_POSITION,
        XL_LEGEND_POSITION,
        XL_TICK_LABEL_POSITION,
    )
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    data = CategoryChartData(number_format=spec.number_format)
    if spec.levels:
        position = 0
        for parent, count in spec.levels:
            category = data.add_category(parent)
            for label in spec.categories[position : position + count]:
                category.add_sub_category(label)
            position += count
    else:
        data.categories = spec.categories
    for name, values in spec.series:
        data.add_series(name, [None if _missing(v) else v for v in values], spec.number_format)
    kind = XL_CHART_TYPE.BAR_STACKED_100 if spec.stacked else XL_CHART_TYPE.BAR_CLUSTERED
    chart = slide.shapes.add_chart(kind, box.left, box.top, box.width, box.height, data).chart
    chart.font.size = Pt(12)
    chart.has_title = False
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(12)
    plot = chart.plots[0]
    plot.gap_width = 40 if len(spec.series) > 1 else 60
    plot.vary_by_categories = False
    if spec.stacked:
        plot.overlap = 100
    categories = chart.category_axis
    categories.reverse_order = True  # the first category at the top
    categories.tick_labels.font.size = Pt(12 if len(spec.categories) <= 12 else 11)
    if not spec.category_labels:
        categories.tick_label_position = XL_TICK_LABEL_POSITION.NONE
    categories.format.line.color.rgb = _rgb("#BFBFBF")
    values = chart.value_axis
    values.tick_labels.number_format = spec.number_format
    values.tick_labels.number_format_is_linked = False
    values.tick_labels.font.size = Pt(11)
    crosses = values._element.find(qn("c:crosses"))
    if crosses is not None:
        crosses.set("val", "max")  # the value axis below the (reversed) categories
    finite = [v for _, vs in spec.series for v in vs if not _missing(v)]
    if spec.stacked:
        values.maximum_scale = 1.0
        values.has_major_gridlines = False
    else:
        # every bar has its label: the value axis would only repeat them
        values.visible = False
        values.has_major_gridlines = False
        values.minimum_scale = min(0.0, min(finite, default=0.0))
        if spec.maximum is not None:
            values.maximum_scale = spec.maximum
        elif spec.number_format.endswith("%"):
            # room for the labels beyond the longest bar, on a round 5-point step
            values.maximum_scale = min(1.0, math.ceil(max(finite, default=1.0) * 1.15 * 20) / 20)
    bars = len(spec.categories) * (1 if spec.stacked else len(spec.series))
    label_size = 12 if bars <= 12 else 11 if bars <= 24 else 10
    for index, series in enumerate(plot.series):
        colour = (
            spec.series_colours[index]
            if spec.series_colours is not None
            else style.PALETTE[index % len(style.PALETTE)]
        )
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = _rgb(colour)
        series.invert_if_negative = False
        labels = series.data_labels
        labels.show_value = True
        labels.number_format = spec.number_format
        labels.number_format_is_linked = False
        labels.font.size = Pt(label_size)
        if spec.stacked:
            labels.position = XL_LABEL_POSITION.CENTER
            labels.font.color.rgb = _rgb("#FFFFFF" if _dark(colour) else "#000000")
            for point, value in enumerate(spec.series[index][1]):
                if _missing(value) or value < _SMALL_SEGMENT:
                    _hide_label(series, point)
        else:
            labels.position = XL_LABEL_POSITION.OUTSIDE_END
            labels.font.color.rgb = _rgb("#222222")
        if spec.point_colours is not None and len(spec.series) == 1:
            for point, point_colour in enumerate(spec.point_colours):
                fill = series.points[point].format.fill
                fill.solid()
                fill.fore_color.rgb = _rgb(point_colour)
        for point in spec.muted:
            fill = series.points[point].format.fill
            fill.solid()
            fill.fore_color.rgb = _rgb(_MUTED[min(index, len(_MUTED) - 1)])
    return chart


def _hide_label(series: Any, point: int) -> None:
    """Leave one data label off (``<c:dLbl><c:idx/><c:delete val="1"/></c:dLbl>``)."""
    from pptx.oxml import parse_xml
    from pptx.oxml.ns import nsdecls

    dlbls = series._element.get_or_add_dLbls()
    label = dlbls._insert_dLbl_in_sequence(point)
    for child in list(label)[1:]:
        label.remove(child)
    label.append(parse_xml(f'<c:delete {nsdecls("c")} val="1"/>'))


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _lines(text: str, width: int, size: float, *, bold: bool = False) -> int:
    """About how many lines ``text`` takes in a box ``width`` EMU wide at ``size`` points,
    wrapped at spaces (a word longer than a line is broken). The average glyph width is
    generous, so that a guess errs on the tall side."""
    room = max(1, int((width / 12700 - 16) / (size * (0.6 if bold else 0.55))))
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) <= room:
            used += 1 + len(word)
            continue
        if used:
            lines, used = lines + 1, 0
        while len(word) > room:  # broken inside the word
            lines, word = lines + 1, word[room:]
        used = len(word)
    return lines


def _text_height(paragraphs: Sequence[str], width: int, size: float, *, spacing: float) -> int:
    """About how tall paragraphs of text are (EMU), ``spacing`` points after each."""
    lines = sum(_lines(text, width, size) for text in paragraphs)
    points = lines * size * 1.25 + spacing * len(paragraphs) + 10
    return int(points * 12700)


def _draw_table(deck: _Deck, spec: _Slide) -> None:
    from pptx.util import Pt

    assert spec.table is not None
    slide, box = _content_slide(deck, spec)
    table_spec = spec.table
    total = sum(table_spec.widths)
    widths = [int(box.width * width / total) for width in table_spec.widths]
    grid = [[(text, True) for text in table_spec.header], *table_spec.rows]
    margin = 4.0  # points above and below a cell's text

    def heights(size: float) -> list[int]:
        return [
            int(
                (
                    max(
                        _lines(text, w, size, bold=bold)
                        for (text, bold), w in zip(row, widths, strict=True)
                    )
                    * size
                    * 1.25
                    + 2 * margin
                )
                * 12700
            )
            for row in grid
        ]

    size = 14.0
    while size > 9 and sum(heights(size)) > box.height * 0.95:
        size -= 1
    rows = heights(size)
    shape = slide.shapes.add_table(len(grid), len(widths), box.left, box.top, box.width, sum(rows))
    table = shape.table
    for index, width in enumerate(widths):
        table.columns[index].width = width
    for row_index, row in enumerate(grid):
        table.rows[row_index].height = rows[row_index]
        for column, (text, bold) in enumerate(row):
            cell = table.cell(row_index, column)
            cell.text = text
            cell.margin_top = cell.margin_bottom = Pt(margin)
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(size)
                    run.font.bold = bold
    _footnote(deck, slide, spec.footnote)
    _notes(slide, spec.notes)


def _draw(deck: _Deck, spec: _Slide) -> None:
    if spec.kind is _Kind.TITLE:
        _draw_title(deck, spec)
    elif spec.kind is _Kind.BULLETS:
        _draw_bullets(deck, spec)
    elif spec.kind is _Kind.CHART:
        _draw_chart(deck, spec)
    else:
        _draw_table(deck, spec)


def write_pptx(
    tables: ReportTables,
    findings: pd.DataFrame,
    path: Path,
    *,
    template: Path | None = None,
) -> Path:
    """Write the wave's slide deck (``slides.pptx``) atomically.

    Parameters
    ----------
    tables
        The wave's tables (:func:`~survey.report.tables.load_tables`).
    findings
        Its headline findings (:func:`~survey.report.findings.headline_findings`); the first
        few ``text`` sentences are the headline slide.
    path
        Where to write the deck.
    template
        The association's own ``.pptx``: its masters, layouts, theme and slide size are used
        (a title layout and a title-and-content layout are found by their placeholders), the
        slides it carries are left out. ``None``: the built-in master at 16:9.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    DataError
        The template is missing or is not a readable ``.pptx``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from pptx import Presentation
    >>> from survey.codebook import load_codebook
    >>> from survey.report.findings import headline_findings
    >>> from survey.report.tables import load_tables
    >>> from survey.pipeline import process_wave
    >>> book = load_codebook("data/raw/codebook.yaml")
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = process_wave(book, book.wave("2024"), out_dir=folder, processed_dir=folder)
    >>> tables = load_tables(folder, book)
    >>> deck = write_pptx(tables, headline_findings(tables), folder / "slides.pptx")
    >>> 12 <= len(Presentation(str(deck)).slides) <= 20
    True
    """
    deck = _Deck(template)
    for spec in _select(_plan(tables, findings), MAX_SLIDES):
        _draw(deck, spec)
    return atomic_write(path, lambda temporary: deck.prs.save(str(temporary)))
