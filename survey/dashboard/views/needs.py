"""Learning needs: the topics by group (heatmap), importance against confidence (quadrant) and
the Borich ranking with its intervals, from ``needs.csv`` or
:func:`survey.analysis.needs.needs` on the filtered respondents."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from survey.analysis.needs import need_grids
from survey.dashboard import data, state, ui
from survey.report import rules, style

PAGE = "needs"

selection, tables, labels, book, who = ui.open_page("Learning needs")

needs = data.needs_view(selection)
if needs.empty:
    st.info("The codebook has no importance and confidence grid, so there are no learning needs.")
    st.stop()

grids = need_grids(book)
importance_scale = grids[0].items[0].scale
confidence_scale = grids[0].items[1].scale
points = sorted(book.scales.get(importance_scale, {}))
#: measure: (words, a share?, the colour bar's title)
MEASURES = {
    "top2_importance": (
        labels.option(grids[0].grid_columns(grids[0].items[0])[0], "top2"),
        True,
        "Share",
    ),
    "mwds": ("Borich score (MWDS)", False, "MWDS"),
    "mean_gap": ("Mean gap (importance - confidence)", False, "Gap"),
}
population = needs[needs["by"] == "all"].copy()
published = population[rules.published_mask(population, threshold=tables.threshold, column="rank")]
published = published.sort_values("rank", kind="stable")

if published.empty:
    st.warning(f"{who}: {ui.suppression_note(tables.threshold)}")
else:
    top = published.iloc[0]
    st.info(
        f"Biggest learning need of {ui.markdown_text(who)}: "
        f"**{ui.markdown_text(labels.topic(str(top['topic'])))}** "
        "(rank 1 of the Borich ranking below)."
    )

# ----------------------------------------------------------------------------- heatmap
st.header("Topics by group")
controls = st.columns(2)
dimensions = list(book.dimensions)
by = state.page_choice(
    PAGE,
    "by",
    "Compare by",
    dimensions,
    format_func=labels.dimension,
    container=controls[0],
)
measure = state.page_choice(
    PAGE,
    "measure",
    "Measure",
    list(MEASURES),
    format_func=lambda name: MEASURES[name][0],
    container=controls[1],
)
measure_words, share, colour_title = MEASURES[measure]
digits = None if share else 2
groups = rules.group_order(book, by, needs.loc[needs["by"] == by, "group"].astype(str))
order = (
    published["topic"].tolist() if not published.empty else list(dict.fromkeys(population["topic"]))
)
columns = [
    ("all", "all", ui.population_column(selection, labels)),
    *[(by, group, labels.group(by, group)) for group in groups],
]
cells = ui.records(needs, "by", "group", "topic")
z, text = ui.cell_grid(
    [[cells.get((column_by, group, topic)) for column_by, group, _ in columns] for topic in order],
    threshold=tables.threshold,
    column=measure,
    share=share,
    digits=digits,
)
topic_names = [labels.topic(topic) for topic in order]
ui.plot(
    ui.heatmap_figure(
        z,
        text,
        rows=topic_names,
        columns=[name for _, _, name in columns],
        title=f"{measure_words}, by {labels.dimension(by).lower()}",
        x_title=labels.dimension(by),
        y_title="Topic (biggest need of the selection first)",
        colour_title=colour_title,
        share=share,
    ),
    key="needs_heatmap",
    alt=f"Heatmap of {measure_words.lower()} for each topic by {labels.dimension(by).lower()}",
)
if any(style.SUPPRESSED in line for line in text):
    st.caption(ui.suppression_note(tables.threshold))
with st.expander("The heatmap as a table"):
    ui.table(
        pd.DataFrame(text, columns=[name for _, _, name in columns], index=topic_names),
        key="needs_heatmap_table",
        index=True,
    )

# ------------------------------------------------------------------------ Borich ranking
st.header("Borich ranking")
if published.empty:
    st.write(ui.suppression_note(tables.threshold))
else:
    names = [labels.topic(str(topic)) for topic in published["topic"]]
    figure = ui.bar_figure(
        [f"{int(rank)}. {name}" for rank, name in zip(published["rank"], names, strict=True)],
        published["mwds"].astype(float).tolist(),
        lows=published["mwds_ci_low"].astype(float).tolist(),
        highs=published["mwds_ci_high"].astype(float).tolist(),
        texts=[style.value(score, digits=2) for score in published["mwds"]],
        title=f"Mean weighted discrepancy score with 95% CI: {who}",
        x_title="Borich MWDS (higher: a bigger need)",
        y_title="Topic, rank 1 first",
        share=False,
        horizontal=True,
    )
    ui.plot(figure, key="needs_borich", alt="Borich scores of each topic with intervals")
    st.caption(
        "MWDS = mean (importance - confidence) x mean importance, over those who rated both; "
        "rank 1 is the biggest need."
    )
ranking = pd.DataFrame(
    {
        "Rank": [int(rank) for rank in published["rank"]],
        "Topic": [labels.topic(str(topic)) for topic in published["topic"]],
        "MWDS": [style.value(score, digits=2) for score in published["mwds"]],
        "95% CI": [
            ui.ci_text(lo, hi, False, share=False, digits=2)
            for lo, hi in zip(published["mwds_ci_low"], published["mwds_ci_high"], strict=True)
        ],
        "Top-2 importance": [style.percent(x) for x in published["top2_importance"]],
        "Mean gap": [style.value(x, digits=2) for x in published["mean_gap"]],
        "n": [ui.count_text(n) for n in published["n"]],
    }
)
if not ranking.empty:
    ui.table(ranking, key="needs_ranking")

# ----------------------------------------------------------------------------- quadrant
st.header("Importance against confidence")
if published.empty:
    st.write(ui.suppression_note(tables.threshold))
else:
    midpoint = (points[0] + points[-1]) / 2 if points else 3.0
    x = published["mean_importance"].astype(float).tolist()
    y = published["mean_confidence"].astype(float).tolist()
    ranks = [str(int(rank)) for rank in published["rank"]]
    names = [labels.topic(str(topic)) for topic in published["topic"]]
    priority = [i >= midpoint and c < midpoint for i, c in zip(x, y, strict=True)]
    low = min([*x, *y, midpoint]) - 0.25
    high = max([*x, *y, midpoint]) + 0.25
    hovertext = [
        f"{rank}. {ui.plotly_text(name)}<br>importance {style.value(i, digits=2)}, "
        f"confidence {style.value(c, digits=2)}"
        for rank, name, i, c in zip(ranks, names, x, y, strict=True)
    ]
    figure = {
        "data": [style.quadrant_points(x, y, ranks, midpoint, hovertext)],
        "layout": ui.figure_layout(
            title=f"Mean importance and confidence of each topic: {who}",
            x_title=f"Mean {importance_scale} ({points[0]} to {points[-1]})"
            if points
            else "Mean importance",
            y_title=f"Mean {confidence_scale}",
            height=560,
            showlegend=False,
            xaxis={"range": [low, high], "zeroline": False},
            yaxis={"range": [low, high], "zeroline": False},
            shapes=style.quadrant_lines(midpoint),
            annotations=[
                {
                    "x": high,
                    "y": low,
                    "text": "Important, low confidence: priority",
                    "showarrow": False,
                    "xanchor": "right",
                    "yanchor": "bottom",
                    "font": {"color": style.PALETTE[5]},
                },
                {
                    "x": high,
                    "y": high,
                    "text": "Important, confident",
                    "showarrow": False,
                    "xanchor": "right",
                    "yanchor": "top",
                    "font": {"color": "#57606a"},
                },
                {
                    "x": low,
                    "y": high,
                    "text": "Less important, confident",
                    "showarrow": False,
                    "xanchor": "left",
                    "yanchor": "top",
                    "font": {"color": "#57606a"},
                },
            ],
        ),
    }
    left, right = st.columns([3, 2])
    with left:
        ui.plot(figure, key="needs_quadrant", alt="Scatter of mean importance against confidence")
    with right:
        flagged = [f"{r}. {n}" for r, n, p in zip(ranks, names, priority, strict=True) if p]
        st.write(
            "Each point is a topic, numbered by its Borich rank; the dashed lines mark the "
            f"middle of the scale ({style.value(midpoint)}). Topics right of the vertical line "
            "and below the horizontal one (diamonds) matter but people feel unsure of them"
            + (":" if flagged else "; none falls there.")
        )
        if flagged:
            st.markdown("\n".join(f"- {ui.markdown_text(item)}" for item in flagged))
