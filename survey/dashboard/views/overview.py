"""Overview: who responded against the frame, the effect of weighting, the headline findings."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from survey.dashboard import data, state, ui
from survey.report import style

selection = state.current()
tables = data.tables(selection.source)
labels = tables.labels
book = tables.codebook

st.title(book.instrument.title)
ui.show_view(selection, tables, breakdowns=False)

weighting = tables.weighting or {}
metrics = st.columns(5)
metrics[0].metric("Respondents analysed", ui.count_text(data.population_size(selection)))
metrics[1].metric("Rows in the export", ui.count_text(tables.validation.get("rows")))
metrics[2].metric("Set aside", ui.count_text(int(tables.quarantined.sum())))
if weighting:
    metrics[3].metric(
        "Design effect",
        style.value(weighting.get("design_effect"), digits=2),
        help="Kish's design effect of the raked weights: how much weighting widens intervals.",
    )
    metrics[4].metric(
        "Effective sample size",
        style.value(weighting.get("effective_n"), digits=0),
        help="The number of unweighted respondents that would give the same precision.",
    )
else:
    metrics[3].metric("Weighting", "none")

if selection.filters:
    st.caption(
        "Respondents analysed: the selection. Rows in the export, set aside, design effect and "
        "effective sample size: the whole wave."
    )

# ---------------------------------------------------------------- who responded vs the frame
st.header("Who responded, against the frame")
composition = data.composition_view(selection)
if composition is None or composition.empty:
    st.info("The codebook has no sampling frame, so the sample cannot be set against it.")
else:
    st.caption(
        "Shares of the sampling frame (everyone who could have answered), of the respondents, "
        "and of the respondents once weighted; for the whole wave"
        + (", whatever the filters." if selection.filters else ".")
    )
    variables = list(dict.fromkeys(composition["variable"]))
    for column, variable in zip(st.columns(len(variables)), variables, strict=True):
        rows = composition[composition["variable"] == variable]
        names = [labels.group(variable, str(code)) for code in rows["category"]]
        series = [
            ("Frame", rows["frame_share"].tolist(), style.SEQUENTIAL[1]),
            ("Respondents", rows["sample_share"].tolist(), style.PALETTE[0]),
        ]
        if "weighted_share" in rows and rows["weighted_share"].notna().all():
            series.append(("Weighted", rows["weighted_share"].tolist(), style.PALETTE[1]))
        dimension = labels.dimension(variable)
        with column:
            ui.plot(
                ui.grouped_bar_figure(
                    names,
                    series,
                    title=f"{dimension}: frame, respondents and weighted",
                    x_title="Share",
                    y_title=dimension,
                ),
                key=f"overview_frame_{variable}",
                alt=f"Shares of the frame, the respondents and the weighted respondents by "
                f"{dimension.lower()}",
            )
            table = pd.DataFrame(
                {
                    dimension: names,
                    "Respondents": [
                        f"{ui.count_text(r)} of {ui.count_text(f)}"
                        for r, f in zip(rows["respondents"], rows["frame"], strict=True)
                    ],
                    **(
                        {"Response rate": [style.percent(x) for x in rows["response_rate"]]}
                        if "response_rate" in rows
                        else {}
                    ),
                    "Frame": [style.percent(x) for x in rows["frame_share"]],
                    "Sample": [style.percent(x) for x in rows["sample_share"]],
                    **(
                        {"Weighted": [style.percent(x) for x in rows["weighted_share"]]}
                        if len(series) == 3
                        else {}
                    ),
                }
            )
            ui.table(table, key=f"overview_frame_table_{variable}", first_width=220)

# ------------------------------------------------------------------- the effect of weighting
st.header("The effect of weighting")
if weighting:
    st.write(
        "Respondents are weighted (raked) so that their "
        f"{' and '.join(labels.dimension(v).lower() for v in book.frame)} mix matches the frame. "
        "Weighting costs precision: the design effect is "
        f"{style.value(weighting.get('design_effect'), digits=2)}, so the "
        f"{ui.count_text(tables.analysed)} respondents carry as much information as "
        f"{style.value(weighting.get('effective_n'), digits=0)} unweighted ones would. Weights "
        f"run from {style.value(weighting.get('min_weight'), digits=2)} to "
        f"{style.value(weighting.get('max_weight'), digits=2)} "
        f"({weighting.get('iterations')} raking passes, "
        f"{'converged' if weighting.get('converged') else 'did not converge'})."
    )
    if not selection.weighted:
        st.caption("The sidebar's toggle is off: the other pages show unweighted estimates.")
else:
    st.write("This wave is unweighted: every respondent counts once.")

# ------------------------------------------------------------------------ headline findings
st.header("Headline findings")
findings = data.findings(selection.source)
st.caption(
    "Differences between a group and everyone that are significant after adjustment, strongest "
    "first, as the reports say them (whole wave"
    + (", weighted estimates)." if tables.weighted else ").")
)


def _show(rows: pd.DataFrame) -> None:
    st.markdown("\n".join(f"1. {ui.markdown_text(text)}" for text in rows["text"]))


if findings.empty:
    st.write("No difference between groups is significant after adjustment.")
elif selection.filters:
    chosen = set(selection.filters)
    about = findings[
        [(by, group) in chosen for by, group in zip(findings["by"], findings["group"], strict=True)]
    ]
    who = ui.population_words(selection, labels)
    if about.empty:
        st.write(f"No headline finding is about {ui.markdown_text(who)}.")
    else:
        st.subheader(f"About {ui.markdown_text(who)}")
        _show(about)
    with st.expander("All headline findings of the wave"):
        _show(findings)
else:
    _show(findings)
