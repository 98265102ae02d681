"""What changed since the previous wave: the significant changes in words beside
the learning topics' top-2 importance in both waves.
"""

from __future__ import annotations

import pandas as pd

from survey.analysis.methods import HypothesisTest
from survey.export.pptx._common import _ALPHA, _MUTED, _importance_columns, _records
from survey.export.pptx.notes import _caveats, _count, _join, _span, _who
from survey.export.pptx.slides import _Chart, _Kind, _Slide
from survey.export.pptx.wave import _Wave
from survey.report import style
from survey.report.tables import ReportTables

__all__ = ["_change_slide"]

#: Changes said on the "What changed" slide, and learning topics drawn in its chart.
_MAX_CHANGES = 4
_CHANGE_TOPICS = 5

#: ``trends.csv``'s tests, in words (see :mod:`survey.analysis.trends`).
_TREND_TEST_NAMES: dict[str, str] = {
    HypothesisTest.DESIGN_DIFFERENCE_Z: (
        "the design-based difference of two independent samples (a z test with each wave's "
        "own standard error from the weighted data)"
    ),
    HypothesisTest.TWO_PROPORTION_Z: (
        "the two-proportion z test (pooled share) on the unweighted data"
    ),
    HypothesisTest.DIFFERENCE_Z: "a z test of the difference of two independent means",
}


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
    changes = wave.model.changes  # every significant change since the wave before, ranked
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
