"""The breakdown slides: every multi-select question by the dimensions where it
differs, every single-choice question and every Likert statement by group.
"""

from __future__ import annotations

from survey.codebook import Question, QuestionType
from survey.export.pptx._common import _SMALL_SEGMENT
from survey.export.pptx.notes import _caveats, _hidden_footnote, _join
from survey.export.pptx.slides import _Chart, _Kind, _Slide
from survey.export.pptx.wave import _Wave
from survey.report import style

__all__ = ["_likert_slide", "_multi_slides", "_single_slides"]

#: Most bars (options) per group in a multi-select chart, topics in the needs chart ...
_MAX_OPTIONS = 5


def _multi_slides(wave: _Wave, question: Question) -> list[_Slide]:
    labels = wave.labels
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
        breakdown = wave.breakdown(question.id, ranked, by)
        if len(breakdown[0]) < 2:
            continue
        room = _MAX_OPTIONS
        different = {
            str(name).split("__", 1)[1] for name in wave.significant_in(names, by)["question"]
        }
        options = [o for o in ranked if o in different][:room]
        options += [o for o in ranked if o not in options][: room - len(options)]
        options = [o for o in ranked if o in options]  # most chosen first
        subtitle = f"Share of respondents choosing each, by {dimension}"
        if len(options) < len(ranked):
            which = "most chosen or most different" if different else "most chosen"
            subtitle += f": the {len(options)} {which} of {len(ranked)} answers"
        slides.append(
            _by_group_slide(wave, question, options, by, breakdown, overall_n, position, subtitle)
        )
    return slides


def _single_slides(wave: _Wave, question: Question) -> list[_Slide]:
    labels = wave.labels
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
        breakdown = wave.breakdown(question.id, options, by)
        if len(breakdown[0]) < 2:
            continue
        subtitle = f"Share of respondents giving each answer, by {labels.dimension(by).lower()}"
        slides.append(
            _by_group_slide(wave, question, options, by, breakdown, overall_n, position, subtitle)
        )
    return slides


def _by_group_slide(
    wave: _Wave,
    question: Question,
    options: list[str],
    by: str,
    breakdown: tuple[list[str], list[str]],
    n: int,
    position: int,
    subtitle: str,
) -> _Slide:
    """A chart of a question's ``options`` across the groups of ``by`` shown in the
    ``breakdown`` (its hidden groups named in the footnote): small multiples for a
    multi-select question, stacked bars for a single-choice one. ``n`` answered the question;
    a question's first dimension (``position`` 0) comes before its others."""
    tables, labels = wave.tables, wave.labels
    groups, hidden = breakdown
    several = question.type is QuestionType.MULTI
    series = [
        (labels.option(question.id, o), [wave.value(question.id, o, by, g) for g in groups])
        for o in options
    ]
    bases = f"Bases: All respondents n = {n}; {wave.bases(question.id, by, options=options)}."
    if several:
        notes = (
            f"{question.text} Several answers allowed; each share is of those who answered "
            f"the question. {bases} {_caveats(tables)}"
        )
        footnote = f"n = {n}; several answers allowed."
    else:
        notes = (
            f"{question.text} One answer each. {bases} Labels under "
            f"{style.percent(_SMALL_SEGMENT)} are left off the bars. {_caveats(tables)}"
        )
        footnote = f"n = {n}."
    return _Slide(
        kind=_Kind.CHART,
        title=f"{question.text} – by {labels.dimension(by).lower()}",
        subtitle=subtitle,
        chart=_Chart(
            categories=[labels.group(by, g) for g in groups],
            series=series,
            stacked=not several,
            panels=several,
        ),
        notes=notes,
        footnote=_join(footnote, _hidden_footnote(tables, hidden)),
        priority=1 if position == 0 else 2,
    )


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
