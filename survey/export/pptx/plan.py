"""The deck's plan: every slide a wave's tables support, in deck order, and the
:data:`MAX_SLIDES` of highest priority kept.
"""

from __future__ import annotations

from survey.codebook import QuestionType
from survey.export.pptx.breakdowns import _likert_slide, _multi_slides, _single_slides
from survey.export.pptx.method import _method_slides
from survey.export.pptx.needs import _needs_slides, _ranks_slide
from survey.export.pptx.opening import _composition_slides, _headline_slide, _title_slide
from survey.export.pptx.slides import _Slide
from survey.export.pptx.themes import _themes_slide
from survey.export.pptx.trends import _change_slide
from survey.export.pptx.wave import _Wave
from survey.report.model import ReportModel

__all__ = ["MAX_SLIDES", "_plan", "_select"]

#: The most slides a deck has; slides of lower priority are left out beyond it.
MAX_SLIDES = 20


def _plan(model: ReportModel) -> list[_Slide]:
    """Every slide the wave's report model supports, in deck order."""
    wave = _Wave(model)
    tables, findings = model.tables, model.findings
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
