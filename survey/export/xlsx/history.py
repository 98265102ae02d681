"""The wave's history: the Trends sheet (every comparison of an earlier wave with
this one), Not trended (the questions not compared, and why) and Topic ranks (every topic's
rank in every wave so far).
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill

from survey.analysis.methods import HypothesisTest
from survey.codebook import QuestionType
from survey.export.xlsx import _common as common
from survey.export.xlsx.styles import (
    _COUNT,
    _MEAN,
    _MEAN_CHANGE,
    _P_VALUE,
    _PERCENT,
    _PLACES_MOVED,
    _SCORE,
    _SHARE_CHANGE,
    _Styles,
)
from survey.report.style import PALETTE
from survey.report.tables import ReportTables

__all__ = [
    "TREND_TEST_EXPLANATIONS",
    "TREND_TEST_NAMES",
    "_ending_here",
    "_write_not_trended",
    "_write_topic_ranks",
    "_write_trends",
]

#: What each test of ``trends.csv`` does, for the Trends sheet's note.
TREND_TEST_EXPLANATIONS: dict[str, str] = {
    HypothesisTest.DESIGN_DIFFERENCE_Z: (
        "the design-based difference of two independent waves (a z test of the difference, "
        "each wave's standard error from its weighted design)"
    ),
    HypothesisTest.TWO_PROPORTION_Z: "the two-proportion z test (unweighted shares)",
    HypothesisTest.DIFFERENCE_Z: "a z test of the difference of two independent means (unweighted)",
}

#: Short names of the tests of ``trends.csv``, for tables.
TREND_TEST_NAMES: dict[str, str] = {
    HypothesisTest.DESIGN_DIFFERENCE_Z: "Design-based difference",
    HypothesisTest.TWO_PROPORTION_Z: "Two-proportion z",
    HypothesisTest.DIFFERENCE_Z: "Difference of means z",
}


def _tint(colour: str, share: float) -> str:
    """``colour`` (``#RRGGBB``) mixed with white, ``share`` of it kept: a subtle fill."""
    red, green, blue = (int(colour.lstrip("#")[index : index + 2], 16) for index in (0, 2, 4))
    return "".join(f"{round(255 - (255 - part) * share):02X}" for part in (red, green, blue))


def _wave_order(tables: ReportTables) -> dict[str, int]:
    return {wave.id: position for position, wave in enumerate(tables.codebook.waves)}


def _pair(wave_from: object, wave_to: object) -> str:
    return f"{wave_from} {common.ARROW} {wave_to}"


def _trend_order(tables: ReportTables, trends: pd.DataFrame) -> pd.DataFrame:
    """The trends in reading order: the pair ending at this wave with the latest start first
    (then first-to-this-wave, then earlier pairs, latest first); within a pair the codebook's
    order of questions (a grid's columns item by item) and options, all respondents first, then
    every dimension's groups in the codebook's order."""
    codebook = tables.codebook
    waves = _wave_order(tables)
    names: dict[str, int] = {}
    options: dict[tuple[str, str], int] = {}
    for question in codebook.questions:
        columns = [c for item in question.items for c in question.grid_columns(item)]
        for name in columns or [question.id]:
            names.setdefault(name, len(names))
            codes = [option.code for option in question.options] + ["top2", "mean"]
            for position, code in enumerate(codes):
                options.setdefault((name, code), position)
    dimensions = {by: position for position, by in enumerate(["all", *codebook.dimensions])}
    groups = {
        (by, option.code): position
        for by in codebook.dimensions
        for position, option in enumerate(codebook.question(by).options)
    }
    unknown = len(names) + len(options) + len(groups) + len(waves) + 1  # after every known one
    keys = pd.DataFrame(
        {
            "_to": [-waves.get(str(w), -unknown) for w in trends["wave_to"]],
            "_from": [-waves.get(str(w), -unknown) for w in trends["wave_from"]],
            "_question": [names.get(str(q), unknown) for q in trends["question"]],
            "_option": [
                options.get((str(q), str(o)), unknown)
                for q, o in zip(trends["question"], trends["option"], strict=True)
            ],
            "_by": [dimensions.get(str(by), unknown) for by in trends["by"]],
            "_group": [
                groups.get((str(by), str(group)), unknown)
                for by, group in zip(trends["by"], trends["group"], strict=True)
            ],
        },
        index=trends.index,
    )
    codes = ["question", "option", "by", "group"]  # unknown codes sort by their own text
    order = pd.concat([keys, trends[codes].astype(str)], axis=1).sort_values(
        ["_to", "_from", "_question", "question", "_option", "option", "_by", "by", "_group"],
        kind="stable",
    )
    return trends.loc[order.index].reset_index(drop=True)


def _ending_here(tables: ReportTables, table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the history that compare an earlier wave with this one (the comparisons
    among earlier waves are in their own workbooks)."""
    return table[table["wave_to"] == tables.wave].reset_index(drop=True)


def _write_trends(ws: Any, tables: ReportTables, flagged: str | None, styles: _Styles) -> None:
    """Every shown comparison of the wave's history, one row per question, option, group and
    pair of waves."""
    labels = tables.labels
    trends = _trend_order(tables, _ending_here(tables, tables.shown("trends")))
    trends["significant"] = trends["significant"].fillna(False).astype(bool)
    pairs = list(dict.fromkeys(zip(trends["wave_from"], trends["wave_to"], strict=True)))
    tests = [str(test) for test in dict.fromkeys(trends["test"].dropna())]
    method = "; ".join(TREND_TEST_EXPLANATIONS.get(test, test) for test in tests)
    weighted = "weighted" if tables.weighted else "unweighted"
    significant = int(trends["significant"].sum())
    note = (
        f"Changes between waves ({', '.join(_pair(a, b) for a, b in pairs) or 'none'}), "
        f"{weighted}, for all respondents and every published group: {significant} of "
        f"{len(trends)} comparisons are significant (highlighted). Change = later - earlier: "
        "percentage points for a share (shown with %), the mean's own units for a mean. "
        f"Test: {method or 'none'}. p-values are adjusted with Benjamini-Hochberg within each "
        "pair of waves; Significant = adjusted p below 0.05. Suppressed groups are never "
        "trended; ratings are compared by their top-2 share and mean. A question whose "
        "options changed, or that was not asked in both waves, is not trended (see Not "
        "trended)."
    )
    header = [
        "Waves",
        "Question",
        "Answer",
        "Dimension",
        "Group",
        "Earlier estimate",
        "Later estimate",
        "Change",
        "p",
        "p (adjusted)",
        "Significant",
        "n, earlier",
        "n, later",
        "Test",
    ]
    widths = [12, 52, 34, 13, 38, 9, 9, 9, 8, 9, 10, 8, 8, 24]
    common.sheet_header(
        ws,
        f"Trends: wave {tables.wave}",
        note,
        styles,
        note_columns=len(header),
        note_width=sum(widths),
    )
    if flagged is not None:
        common.link(ws, common.LINK_ROW, 2, flagged, "Not trended", styles)
    first = 5
    common.header_row(ws, first, header, widths, styles)
    highlight = PatternFill("solid", fgColor=_tint(PALETTE[1], 0.2))
    yes = Font(bold=True)
    # wrapped labels keep to the bottom of a tall row, level with the numbers
    wrap = Alignment(wrap_text=True, vertical="bottom")
    after_numbers = Alignment(indent=1)
    centred = Alignment(horizontal="center")
    words = functools.cache(
        lambda name, option, by, group: (
            labels.question(name),
            labels.option(name, option),
            labels.dimension(by),
            labels.group(by, group),
        )
    )
    row = first + 1
    if trends.empty:
        common.text_cell(ws, row, 2, "No estimate could be compared with an earlier wave.")
    for trend in trends.to_dict("records"):
        name, option = str(trend["question"]), str(trend["option"])
        texts = [
            _pair(trend["wave_from"], trend["wave_to"]),
            *words(name, option, str(trend["by"]), str(trend["group"])),
        ]
        for column, text in enumerate(texts, start=1):
            cell = common.text_cell(ws, row, column, text)
            if column in (2, 3, 5) and len(text) > common.characters_per_line(widths[column - 1]):
                cell.alignment = wrap
                common.fit_height(ws, row, text, widths[column - 1])
        share = option != "mean"
        for column, key, number_format in (
            (6, "estimate_from", _PERCENT if share else _MEAN),
            (7, "estimate_to", _PERCENT if share else _MEAN),
            (8, "change", _SHARE_CHANGE if share else _MEAN_CHANGE),
            (9, "p", _P_VALUE),
            (10, "p_adjusted", _P_VALUE),
            (12, "n_from", _COUNT),
            (13, "n_to", _COUNT),
        ):
            common.number_cell(ws, row, column, trend[key], number_format)
        if trend["significant"]:
            common.text_cell(ws, row, 11, "Yes", yes).alignment = centred
            for column in range(1, len(header) + 1):
                ws.cell(row, column).fill = highlight
        test = str(trend["test"])
        common.text_cell(ws, row, 14, TREND_TEST_NAMES.get(test, test)).alignment = after_numbers
        row += 1
    ws.auto_filter.ref = f"A{first}:{common.column_letter(len(header))}{max(row - 1, first)}"
    ws.freeze_panes = f"C{first + 1}"
    common.print_setup(ws, title_rows=f"{first}:{first}")


def _write_not_trended(ws: Any, tables: ReportTables, styles: _Styles) -> None:
    """The questions of the wave's history that were not compared, and why."""
    labels = tables.labels
    flags = _ending_here(tables, tables.trend_flags)
    waves = _wave_order(tables)
    flags = flags.assign(
        _to=[-waves.get(str(w), -len(waves)) for w in flags["wave_to"]],
        _from=[-waves.get(str(w), -len(waves)) for w in flags["wave_from"]],
    ).sort_values(["_to", "_from"], kind="stable")
    common.sheet_header(
        ws,
        f"Not trended: wave {tables.wave}",
        "A question is compared between two waves only when both asked it with the same "
        "options; these were not, so the Trends sheet has no row for them.",
        styles,
        note_columns=4,
        note_width=130,
    )
    widths = [12, 56, 26, 72]
    first = 5
    common.header_row(ws, first, ["Waves", "Question", "Code", "Reason"], widths, styles)
    row = first + 1
    if flags.empty:
        common.text_cell(
            ws, row, 2, "None: every question was asked with the same options in each pair."
        )
    for flag in flags.to_dict("records"):
        name = str(flag["question"])
        words = [
            _pair(flag["wave_from"], flag["wave_to"]),
            labels.question(name),
            name,
            f"Not trended: {flag['reason']}",
        ]
        for column, (text, width) in enumerate(zip(words, widths, strict=True), start=1):
            common.text_cell(ws, row, column, text).alignment = styles.wrap
            common.fit_height(ws, row, text, width)
        row += 1
    ws.freeze_panes = f"A{first + 1}"
    common.print_setup(ws, title_rows=f"{first}:{first}")


def _write_topic_ranks(ws: Any, tables: ReportTables, styles: _Styles) -> None:
    """Every learning-need topic's rank for all respondents, wave by wave."""
    labels = tables.labels
    rankings = tables.shown("rankings")
    overall = rankings[(rankings["by"] == "all") & (rankings["group"] == "all")]
    order = _wave_order(tables)
    waves = sorted(
        (str(wave) for wave in overall["wave"].dropna().unique()),
        key=lambda wave: (order.get(wave, len(order)), wave),
    )
    before = waves[waves.index(tables.wave) - 1] if tables.wave in waves[1:] else None
    ranks = {
        (str(entry["topic"]), str(entry["wave"])): int(entry["rank"])
        for entry in overall.to_dict("records")
        if not common.is_missing(entry["rank"])
    }
    latest = {
        str(entry["topic"]): entry
        for entry in overall[overall["wave"] == tables.wave].to_dict("records")
    }
    codebook_topics = [
        topic.code
        for grid in tables.codebook.questions_of(QuestionType.GRID)
        for topic in grid.topics
    ]
    topics = list(dict.fromkeys([*codebook_topics, *(str(topic) for topic in overall["topic"])]))
    position = {topic: index for index, topic in enumerate(topics)}

    def reading_order(topic: str) -> tuple[bool, int, int]:
        """This wave's rank (topics it did not rank last), then the codebook's order."""
        rank = ranks.get((topic, tables.wave))
        return rank is None, rank or 0, position[topic]

    present = sorted({str(topic) for topic in overall["topic"]}, key=reading_order)
    weighted = "weighted" if tables.weighted else "unweighted"
    common.sheet_header(
        ws,
        f"Learning-need ranks by wave: wave {tables.wave}",
        "Each topic's rank among the topics its wave asked about (1 = greatest need, by "
        f"Borich's MWDS), all respondents, {weighted}; ordered by this wave's rank. A topic "
        "added or dropped moves the others by one; a blank rank was not asked or was "
        "suppressed. The groups' ranks are in rankings.csv and, for this wave, on the "
        "Learning needs sheet.",
        styles,
        note_columns=len(waves) + 4,
        note_width=50 + 11 * len(waves) + 40,
    )
    header = ["Topic", *(f"Rank in {wave}" for wave in waves)]
    widths: list[float] = [50, *(9 for _ in waves)]
    if before is not None:
        header.append(f"Places moved since {before}")
        widths.append(13)
    header += [f"MWDS in {tables.wave}", f"Top-2 importance in {tables.wave}"]
    widths += [10, 13]
    first = 5
    common.header_row(ws, first, header, widths, styles)
    row = first + 1
    for topic in present:
        common.text_cell(ws, row, 1, labels.topic(topic))
        column = 2
        for wave in waves:
            rank = ranks.get((topic, wave))
            if rank is not None and not common.is_missing(rank):
                cell = common.number_cell(ws, row, column, rank, _COUNT)
                cell.alignment = styles.centre
                if wave == tables.wave:
                    cell.font = styles.bold
            column += 1
        entry = latest.get(topic)
        if before is not None:
            if entry is not None and not common.is_missing(entry["rank_before"]):
                moved = int(entry["rank_before"]) - int(entry["rank"])
                common.number_cell(ws, row, column, moved, _PLACES_MOVED).alignment = styles.centre
            column += 1
        if entry is not None:
            common.number_cell(ws, row, column, entry["mwds"], _SCORE)
            common.number_cell(ws, row, column + 1, entry["top2_importance"], _PERCENT)
        row += 1
    if row > first + 1:
        share_column = common.column_letter(len(header))
        common.colour_scale(ws, [f"{share_column}{first + 1}:{share_column}{row - 1}"])
    ws.freeze_panes = f"B{first + 1}"
    common.print_setup(ws, title_rows=f"{first}:{first}")
