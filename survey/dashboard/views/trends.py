"""Trends: what changed between the waves of the reports folder.

At the top, the significant changes since the wave before in words (the workbook's and the
deck's sentences, :func:`survey.report.findings.change_findings`). Then each topic's top-two
importance across the waves with its intervals, overall (several topics) or one line per group
of a dimension (one topic), and the tests of change between the two latest waves (and first to
latest): the latest wave's ``trends.csv``, or for a filtered selection in full mode the
engine's :func:`~survey.analysis.trends.trends` on each wave's results of the selection. Last,
the topics' need ranks by wave (``rankings.csv``) and the questions that could not be compared
(``trend_flags.csv``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import streamlit as st

from survey.analysis.needs import need_grids
from survey.dashboard import data, state, ui
from survey.report import rules, style

PAGE = "trends"
#: The "Break down by" choice that draws one line per topic.
NO_BREAKDOWN = "none"

selection, tables, labels, book, who = ui.open_page("Trends", breakdowns=False)

settings = data.Settings.from_env()
sources = [s for s in data.report_waves(settings) if s.codebook == selection.source.codebook]
if selection.source.uploaded:
    st.caption("Trends use the waves of the reports folder; an uploaded wave is not among them.")
else:  # the chosen wave's view of history: the waves up to it, as its own trends.csv has
    chosen_wave = [s.wave for s in sources].index(selection.source.wave)
    if chosen_wave == 0 and len(sources) > 1:
        st.info(
            f"Wave {selection.source.wave} is the first wave: there is nothing before it to "
            "compare with. Choose a later wave in the sidebar to see what changed."
        )
        st.stop()
    sources = sources[: chosen_wave + 1]
if len(sources) < 2:
    st.info(
        "Trends need more than one wave; only "
        + (sources[0].wave if sources else "one wave")
        + " is known. Run `survey run` on the other waves' exports."
    )
    st.stop()

grids = need_grids(book)
if not grids:
    st.info("The codebook has no importance grid to follow across waves.")
    st.stop()
columns = tuple(column for grid in grids for column in grid.grid_columns(grid.items[0]))
topics = {column: labels.short(column) for column in columns}
top2 = labels.option(columns[0], "top2")

waves = [source.wave for source in sources]
latest_source, previous = sources[-1], sources[-2].wave
latest_tables = data.tables(latest_source)
# a weighted estimate is compared only with a weighted one: weighted when every wave was
weighted = selection.weighted and all(data.tables(source).weighted for source in sources)
weighting = "weighted to the frame" if weighted else "unweighted"
if selection.weighted and not weighted:
    st.caption(
        "Not every wave was weighted: every wave is shown unweighted, so that like is compared "
        "with like."
    )
has_history = not latest_tables.trends.empty
# the comparisons shown: the two latest waves, and first to latest when there are three or more
pairs = [(previous, waves[-1])] + ([(waves[0], waves[-1])] if len(waves) > 2 else [])


def signed_points(change: float) -> str:
    """A change of a share in percentage points, with its sign (``+15 points``, ``-1 point``,
    ``0 points``)."""
    text = style.value(change * 100, digits=0)
    unit = "point" if text.lstrip("-") == "1" else "points"
    return f"+{text} {unit}" if change > 0 and text != "0" else f"{text} {unit}"


def p_text(p_adjusted: Any) -> str:
    """An adjusted p-value in words: ``p < 0.001 after adjustment``."""
    return f"{ui.p_words(p_adjusted)} after adjustment"


def verdict(row: dict[str, Any]) -> str:
    """The "Significant change" cell of a tested row."""
    if not bool(row["significant"]):
        return "No"
    return "▲ Yes, up" if float(row["change"]) > 0 else "▼ Yes, down"


# ------------------------------------------------------------------- what changed, in words
st.subheader(f"What changed since {ui.markdown_text(latest_tables.previous_wave or previous)}")
if not has_history:
    st.info(
        f"Wave {latest_source.wave} has no tests of change (no trends.csv): run `survey run` "
        "on every wave's export together to write them."
    )
else:
    changes = data.change_findings(latest_source, weighted=weighted)
    if changes.empty:
        st.write(
            f"No change since {ui.markdown_text(latest_tables.previous_wave or previous)} is "
            "significant after adjustment."
        )
    else:
        st.markdown("\n".join(f"- {ui.markdown_text(text)}" for text in changes["text"]))
    st.caption(
        "Changes significant after the Benjamini-Hochberg adjustment, everyone's first, then "
        f"groups', biggest first (at most eight), {weighting}: as the workbook and the slides "
        "say them."
        + (
            " They are the whole wave's, not only the selection's: the selection's tests are "
            "in the table below."
            if selection.filters
            else ""
        )
    )

# ------------------------------------------------------------------------------- the lines
st.subheader("Across the waves")
dimensions = list(book.dimensions)
controls = st.columns([1, 3])
breakdown = state.page_choice(
    PAGE,
    "by",
    "Break down by",
    [NO_BREAKDOWN, *dimensions],
    format_func=lambda name: "No breakdown" if name == NO_BREAKDOWN else labels.dimension(name),
    container=controls[0],
    help="One line per group of the dimension, for one topic.",
)

# the topics, most important first in the latest wave as published (whole wave: the order does
# not jump when a filter changes)
published_rows = ui.records(
    latest_tables.shown("results").query("by == 'all' and option == 'top2'"), "question"
)
ranked = sorted(
    columns,
    key=lambda c: (
        -float(published_rows[(c,)]["estimate"])
        if rules.published(published_rows.get((c,)), threshold=tables.threshold)
        else 1.0
    ),
)
if breakdown == NO_BREAKDOWN:
    chosen = controls[1].multiselect(
        "Topics",
        list(ranked),
        default=list(ranked[:5]),
        format_func=lambda column: topics[column],
        key="trends_topics",
        help="Listed from the most important in the latest wave (all respondents).",
    )
else:
    chosen = [
        state.page_choice(
            PAGE,
            "topic",
            "Topic",
            ranked,
            format_func=lambda column: topics[column],
            container=controls[1],
            help="Listed from the most important in the latest wave (all respondents).",
        )
    ]
if selection.filters and selection.public and breakdown != NO_BREAKDOWN:
    st.caption(
        "Public view: published tables never cross two dimensions, so the groups are the whole "
        "wave's, not the selection's."
    )

by = () if breakdown == NO_BREAKDOWN else (breakdown,)
# each wave's own estimates of the chosen topics, for the selection: (question, by, group, wave)
# (of a filtered selection, from the whole table of each wave the tests of change need anyway)
cells: dict[tuple[str, ...], dict[str, Any]] = {}
for source in sources if chosen else []:
    view = dataclasses.replace(selection, source=source, weighted=weighted)
    rows = data.results_view(view, tuple(chosen), by=by, whole=True)
    for key, row in ui.records(rows[rows["option"] == "top2"], "question", "by", "group").items():
        cells[(*key, source.wave)] = row

# the lines: (question, by, group, name)
if breakdown == NO_BREAKDOWN:
    lines = [(column, "all", "all", topics[column]) for column in chosen]
    first_column = "Topic"
else:
    present = {group for (_, kind, group, _) in cells if kind == breakdown}
    lines = [
        (chosen[0], breakdown, group, labels.group(breakdown, group))
        for group in rules.group_order(book, breakdown, present)
    ]
    first_column = "Group"

# the tests of change of those lines: (question, by, group, wave_from, wave_to)
tested: dict[tuple[str, ...], dict[str, Any]] = {}
if chosen:
    trend_view = dataclasses.replace(selection, source=latest_source, weighted=weighted)
    trend_rows = data.trends_view(trend_view, sources, tuple(chosen), by=by)
    tested = ui.records(
        trend_rows[trend_rows["option"] == "top2"],
        "question",
        "by",
        "group",
        "wave_from",
        "wave_to",
    )


def shown(line: tuple[str, str, str, str], wave: str) -> bool:
    """Whether a wave's estimate of a line may be shown (published, not suppressed)."""
    return rules.published(cells.get((*line[:3], wave)), threshold=tables.threshold)


def estimate(line: tuple[str, str, str, str], wave: str, column: str = "estimate") -> float | None:
    return float(cells[(*line[:3], wave)][column]) if shown(line, wave) else None


def mark(line: tuple[str, str, str, str]) -> str | None:
    """The ring's words of a line whose change since the wave before is significant."""
    row = tested.get((*line[:3], *pairs[0]))
    if row is None or not bool(row["significant"]):
        return None
    return f"{signed_points(float(row['change']))} since {previous}, {p_text(row['p_adjusted'])}"


drawn = [line for line in lines if any(shown(line, wave) for wave in waves)]
if not chosen:
    st.info("Choose one or more topics.")
elif not drawn:
    st.info(f"No estimate of {topics[chosen[0]]} is published for these groups.")
else:
    # public mode's groups are the whole wave's, whatever the filter
    whose = "All respondents" if selection.public else who
    subject = (
        f"{top2}, by wave ({who}"
        if breakdown == NO_BREAKDOWN
        else f"{topics[chosen[0]]}: {top2.lower()}, by wave ({whose}, by "
        f"{labels.dimension(breakdown).lower()}"
    )
    ui.plot(
        ui.line_figure(
            waves,
            [
                (
                    line[3],
                    [estimate(line, w) for w in waves],
                    [estimate(line, w, "ci_low") for w in waves],
                    [estimate(line, w, "ci_high") for w in waves],
                )
                for line in drawn
            ],
            title=f"{subject}, 95% CI)",
            x_title="Wave",
            y_title=f"Share rating it {top2.lower()}",
            marks=[mark(line) for line in drawn],
            mark_name=f"Significant change since {previous}",
        ),
        key="trends_lines",
        alt=(
            f"Share rating each chosen topic {top2.lower()} in each wave"
            if breakdown == NO_BREAKDOWN
            else f"Share of each {breakdown} group rating {topics[chosen[0]]} {top2.lower()} "
            "in each wave"
        ),
    )
    st.caption(
        f"Each wave's own estimate with its 95% interval, {weighting}. A ring marks a change "
        f"since {previous} that is significant after adjustment (the tests are below); "
        "overlapping intervals alone are not a test."
    )
if lines:
    ui.table(
        pd.DataFrame(
            {
                first_column: [line[3] for line in lines],
                **{
                    wave: [
                        style.percent(float(cells[(*line[:3], wave)]["estimate"]))
                        if shown(line, wave)
                        else style.SUPPRESSED
                        for line in lines
                    ]
                    for wave in waves
                },
            }
        ),
        key="trends_table",
    )
    if any(not shown(line, w) for line in lines for w in waves):
        st.caption(ui.suppression_note(tables.threshold))

# ------------------------------------------------------------------------ the tests of change
st.subheader("Change between waves")
if lines and (has_history or (selection.filters and not selection.public)):
    records = []
    for line in lines:
        for first, last in pairs:
            test = tested.get((*line[:3], first, last))
            if test is not None:
                records.append(
                    {
                        first_column: line[3],
                        "Between": f"{first} → {last}",
                        "Before": style.percent(float(test["estimate_from"])),
                        "After": style.percent(float(test["estimate_to"])),
                        "Change": signed_points(float(test["change"])),
                        "Significant change": verdict(test),
                        "Adjusted p": p_text(test["p_adjusted"]),
                    }
                )
            else:  # a wave's estimate not published (or the question not comparable)
                before, after = (
                    style.percent(float(cells[(*line[:3], w)]["estimate"]))
                    if shown(line, w)
                    else style.SUPPRESSED
                    for w in (first, last)
                )
                records.append(
                    {
                        first_column: line[3],
                        "Between": f"{first} → {last}",
                        "Before": before,
                        "After": after,
                        "Change": style.SUPPRESSED,
                        "Significant change": "",
                        "Adjusted p": "not tested",
                    }
                )
    ui.table(pd.DataFrame(records), key="trends_changes")
    if selection.filters and not selection.public:
        family = (
            f"Tested on the selected respondents ({ui.markdown_text(who)}): the engine's tests "
            "of change on each wave's estimates for the selection, with p-values adjusted "
            "(Benjamini-Hochberg) over every comparison of the selection between the same two "
            "waves (every question and group of the selection), not the whole wave's."
        )
    elif selection.filters:
        family = (
            "The published tests of "
            + (
                ui.markdown_text(who)
                if breakdown == NO_BREAKDOWN
                else f"the whole wave's groups by {labels.dimension(breakdown).lower()}"
            )
            + f" (trends.csv of {latest_source.wave}), adjusted (Benjamini-Hochberg) with "
            "every comparison of the whole wave between the same two waves."
        )
    else:
        family = (
            f"The tests of trends.csv of {latest_source.wave}: p-values adjusted "
            "(Benjamini-Hochberg) over every comparison of the whole wave between the same two "
            "waves (every question and group)."
        )
    st.caption(
        family
        + f" {weighting.capitalize()}: "
        + ("a design-based test of the difference" if weighted else "a two-proportion z test")
        + "; a change is significant when its adjusted p is below 0.05. Changes are in "
        "percentage points. Not tested: an estimate not published in one of the two waves, or "
        "a question not comparable (below)."
    )
elif lines:
    st.info("No tests of change: the latest wave's folder has no trends.csv.")

# ------------------------------------------------------------------------------- the ranks
st.subheader("Need rank of each topic, by wave")
rankings = data.rankings_view(latest_source, weighted=weighted)
if rankings.empty:
    st.write("No ranks: the latest wave's folder has no rankings.csv.")
else:
    rank_of = {(str(row["topic"]), str(row["wave"])): row for row in rankings.to_dict("records")}
    ranked_waves = [wave for wave in waves if any(w == wave for _, w in rank_of)]
    order = sorted(
        dict.fromkeys(str(topic) for topic in rankings["topic"]),
        key=lambda topic: (
            int(rank_of[(topic, waves[-1])]["rank"]) if (topic, waves[-1]) in rank_of else 10**6
        ),
    )

    def movement(topic: str) -> str:
        row = rank_of.get((topic, waves[-1]))
        if row is None or ui.missing(row["rank_before"]):
            return ""
        steps = int(row["rank_before"]) - int(row["rank"])
        return "same" if steps == 0 else f"up {steps}" if steps > 0 else f"down {-steps}"

    ui.table(
        pd.DataFrame(
            {
                "Topic": [labels.topic(topic) for topic in order],
                **{
                    wave: [
                        str(int(rank_of[(topic, wave)]["rank"]))
                        if (topic, wave) in rank_of
                        else style.SUPPRESSED
                        for topic in order
                    ]
                    for wave in ranked_waves
                },
                f"Since {previous}": [movement(topic) for topic in order],
            }
        ),
        key="trends_ranks",
    )
    st.caption(
        "Rank 1 is the greatest learning need (by MWDS, as on the Learning needs page), of all "
        f"respondents, {weighting}"
        + (": the whole wave's, not only the selection's." if selection.filters else ".")
    )

# ---------------------------------------------------------------------- not compared
flags = latest_tables.trend_flags
with st.expander(f"Questions that could not be compared ({len(flags)})"):
    if flags.empty:
        st.write("Every question asked in more than one wave could be compared.")
    else:
        ui.table(
            pd.DataFrame(
                {
                    "Question": [labels.question(str(q)) for q in flags["question"]],
                    "Between": [
                        f"{first} → {last}"
                        for first, last in zip(flags["wave_from"], flags["wave_to"], strict=True)
                    ],
                    "Reason": flags["reason"].astype(str).tolist(),
                }
            ),
            key="trends_flags",
            first_width=420,
        )
        st.caption("Questions asked with other options, or not asked, in one of the two waves.")
