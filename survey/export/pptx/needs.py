"""The learning-needs slides: the top needs overall (Borich MWDS), their ranks in
every wave so far, the top three of each group of the first dimension, and the leading
topics by the other dimensions.
"""

from __future__ import annotations

import pandas as pd

from survey.export.pptx._common import _importance_columns, _records
from survey.export.pptx.notes import _caveats, _join, _rule, _span
from survey.export.pptx.slides import _Chart, _Kind, _Slide, _Table
from survey.export.pptx.wave import _Wave
from survey.report import style
from survey.report.rules import group_order, published_mask

__all__ = ["_needs_slides", "_ranks_slide"]

_TOP_NEEDS = 8
_LEADING_TOPICS = 5


def _needs_slides(wave: _Wave) -> list[_Slide]:
    tables, labels = wave.tables, wave.labels
    needs = tables.shown("needs")
    shown = published_mask(needs, threshold=tables.threshold, column="mwds")
    overall = needs[(needs["by"] == "all") & shown]
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
    groups = group_order(tables.codebook, by, rows["group"].tolist())
    # one stable sort for every group: each group's rows come out in the order of its own sort
    ranked = rows[published_mask(rows, threshold=tables.threshold, column="mwds")].sort_values(
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
