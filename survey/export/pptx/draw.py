"""Drawing a planned slide: the title slide, bullets, a chart (alone, beside quotes
or beside bullets) or a table.
"""

from __future__ import annotations

from typing import Any

from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.util import Inches, Pt

from survey.export.pptx.charts import _add_chart, _add_panels
from survey.export.pptx.deck import _Box, _Deck
from survey.export.pptx.layout import (
    _bullet_box,
    _content_slide,
    _drop_empty_placeholders,
    _footnote,
    _headed,
    _lines,
    _notes,
    _rgb,
    _set_title,
    _text_box,
    _text_height,
)
from survey.export.pptx.slides import _Kind, _Slide
from survey.report import style

__all__ = ["_draw"]

_EMU_PER_INCH = 914400


def _draw_title(deck: _Deck, spec: _Slide) -> None:
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


def _draw_chart(deck: _Deck, spec: _Slide) -> None:
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


def _draw_table(deck: _Deck, spec: _Slide) -> None:
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
