"""Shared drawing helpers: colours, titles, text boxes, footnotes, speaker notes,
the subtitle line, bulleted boxes, and how much room a text takes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.util import Pt

from survey.export.pptx.deck import _Box, _Deck
from survey.export.pptx.slides import _Slide

__all__ = [
    "_bullet_box",
    "_content_slide",
    "_dark",
    "_drop_empty_placeholders",
    "_footnote",
    "_headed",
    "_lines",
    "_missing",
    "_notes",
    "_rgb",
    "_set_title",
    "_text_box",
    "_text_height",
]


def _rgb(colour: str) -> Any:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _dark(colour: str) -> bool:
    """Whether white text reads better than black on this fill."""
    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 150


def _set_title(deck: _Deck, slide: Any, text: str) -> None:
    """The slide's title, in its placeholder (a text box above the content if the layout has
    none); a long title gets a smaller font."""
    title = slide.shapes.title
    if title is None:
        content = deck.content
        title = slide.shapes.add_textbox(
            content.left, int(content.top * 0.2), content.width, int(content.top * 0.7)
        )
        title.text_frame.word_wrap = True
    title.text_frame.text = text
    if len(text) > 60:
        for paragraph in title.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(24 if len(text) <= 110 else 20)


def _drop_empty_placeholders(slide: Any) -> None:
    for shape in list(slide.placeholders):
        if shape.has_text_frame and not shape.text_frame.text.strip():
            shape._element.getparent().remove(shape._element)


def _text_box(
    slide: Any,
    box: _Box,
    lines: Sequence[str],
    *,
    size: float,
    colour: str | None = None,
    italic: bool = False,
    spacing: float = 0,
) -> Any:
    shape = slide.shapes.add_textbox(*box)
    frame = shape.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.italic = italic
        if colour is not None:
            run.font.color.rgb = _rgb(colour)
        if spacing and i:
            paragraph.space_before = Pt(spacing)
    return shape


def _notes(slide: Any, text: str) -> None:
    slide.notes_slide.notes_text_frame.text = text


def _footnote(deck: _Deck, slide: Any, text: str) -> None:
    if text:
        _text_box(slide, deck.footnote, [text], size=11, colour="#555555")


def _content_slide(deck: _Deck, spec: _Slide) -> tuple[Any, _Box]:
    """A title-only slide with the subtitle line; the box left for the chart or table."""

    slide = deck.new_slide(deck.title_only_layout)
    _set_title(deck, slide, spec.title)
    for shape in list(slide.placeholders):
        if shape.placeholder_format.idx != 0:
            shape._element.getparent().remove(shape._element)
    box = deck.content
    if spec.subtitle:
        lines = _lines(spec.subtitle, box.width, 15)
        line = int((lines * 15 * 1.25 + 10) * 12700)
        _text_box(
            slide,
            _Box(box.left, box.top, box.width, line),
            [spec.subtitle],
            size=15,
            colour="#333333",
        )
        box = _Box(box.left, box.top + line, box.width, box.height - line)
    return slide, box


def _headed(slide: Any, heading: str, box: _Box) -> _Box:
    """A bold heading at the top of a box; the box left under it."""
    if not heading:
        return box
    size = 15.0
    height = int((_lines(heading, box.width, size, bold=True) * size * 1.25 + 10) * 12700)
    shape = _text_box(slide, _Box(box.left, box.top, box.width, height), [heading], size=size)
    shape.text_frame.paragraphs[0].runs[0].font.bold = True
    return _Box(box.left, box.top + height, box.width, box.height - height)


def _bullet_box(slide: Any, box: _Box, bullets: Sequence[str]) -> Any:
    """Bulleted paragraphs in a text box, the largest size (18 to 12 points) that fits."""
    indent = int(Pt(16))
    spacing = 10.0
    size = 18.0
    while size > 12 and _text_height(bullets, box.width - indent, size, spacing=spacing) > (
        box.height
    ):
        size -= 1
    shape = _text_box(slide, box, bullets, size=size, colour="#222222", spacing=spacing)
    for paragraph in shape.text_frame.paragraphs:
        properties = paragraph._p.get_or_add_pPr()
        properties.set("marL", str(indent))
        properties.set("indent", str(-indent))
        bullet = properties.makeelement(qn("a:buChar"), {"char": "•"})
        properties.append(bullet)
    return shape


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _lines(text: str, width: int, size: float, *, bold: bool = False) -> int:
    """About how many lines ``text`` takes in a box ``width`` EMU wide at ``size`` points,
    wrapped at spaces (a word longer than a line is broken). The average glyph width is
    generous, so that a guess errs on the tall side."""
    room = max(1, int((width / 12700 - 16) / (size * (0.6 if bold else 0.55))))
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) <= room:
            used += 1 + len(word)
            continue
        if used:
            lines, used = lines + 1, 0
        while len(word) > room:  # broken inside the word
            lines, word = lines + 1, word[room:]
        used = len(word)
    return lines


def _text_height(paragraphs: Sequence[str], width: int, size: float, *, spacing: float) -> int:
    """About how tall paragraphs of text are (EMU), ``spacing`` points after each."""
    lines = sum(_lines(text, width, size) for text in paragraphs)
    points = lines * size * 1.25 + spacing * len(paragraphs) + 10
    return int(points * 12700)
