"""The deck's opening slides: the title, who responded (against the membership
frame, by each weighting variable) and the headline findings.
"""

from __future__ import annotations

import pandas as pd

from survey.export.pptx._common import _records
from survey.export.pptx.notes import _caveats
from survey.export.pptx.slides import _Chart, _Kind, _Slide
from survey.export.pptx.wave import _Wave
from survey.report import style
from survey.report.rules import group_order
from survey.report.tables import ReportTables

__all__ = ["_composition_slides", "_headline_slide", "_title_slide"]

_MAX_HEADLINES = 6


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
            series = [
                ("Respondents", [float(v) for v in part["sample_share"]]),
                ("Membership frame", [float(v) for v in part["frame_share"]]),
                ("Respondents, weighted", [float(v) for v in part["weighted_share"]]),
            ]
            notes = (
                f"Who responded by {dimension}, against the membership frame. "
                f"Respondents: n = {respondents} ({bases}). Frame: {members:,} members. "
                "Weights were raked to the frame's margins so that weighted shares match "
                f"the frame{design_text}."
            )
            slides.append(
                _who_responded(
                    dimension,
                    "Share of respondents, of the membership frame, and after weighting",
                    _Chart(categories=categories, series=series),
                    notes,
                    f"n = {respondents} respondents; frame {members:,} members.",
                )
            )
        return slides
    for by in wave.dimensions:
        options = group_order(tables.codebook, by, wave.options(by))
        shown = [(o, cell) for o in options if (cell := wave.cell(by, o, "all", "all")) is not None]
        shown = [(o, c) for o, c in shown if c.estimate is not None]
        if not shown:
            continue
        n, dimension = max(c.n for _, c in shown), labels.dimension(by).lower()
        chart = _Chart(
            categories=[labels.group(by, o) for o, _ in shown],
            series=[("Respondents", [float(c.estimate or 0.0) for _, c in shown])],
        )
        slides.append(
            _who_responded(
                dimension,
                "Share of respondents (the wave is not weighted)",
                chart,
                f"Respondents by {dimension}: n = {n} who answered. {_caveats(tables)}",
                f"n = {n} respondents.",
            )
        )
    return slides


def _who_responded(
    dimension: str, subtitle: str, chart: _Chart, notes: str, footnote: str
) -> _Slide:
    """A slide of who responded, by a dimension (or weighting variable)."""
    return _Slide(
        kind=_Kind.CHART,
        title=f"Who responded, by {dimension}",
        subtitle=subtitle,
        chart=chart,
        notes=notes,
        footnote=footnote,
    )


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
