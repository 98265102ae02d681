"""The presentation: the built-in master at 16:9 or the association's template,
the layouts found by their placeholders, and the content and footnote areas slides use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, NamedTuple

from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Inches

from survey.errors import DataError

__all__ = ["_Box", "_Deck"]


class _Box(NamedTuple):
    """A rectangle on a slide in EMU, in the order python-pptx's ``add_*`` take it."""

    left: int
    top: int
    width: int
    height: int


class _Deck:
    """A presentation and the layouts and content area its slides use."""

    def __init__(self, template: Path | None) -> None:
        self.own_master = template is None
        self.prs: Any
        if template is None:
            self.prs = Presentation()
            self._widen()
        else:
            self.prs = _open_template(template)
            _drop_slides(self.prs)
        layouts = list(self.prs.slide_layouts)
        self.title_layout = _find_layout(layouts, "title") or layouts[0]
        self.content_layout = _find_layout(layouts, "content") or (
            layouts[1] if len(layouts) > 1 else layouts[0]
        )
        self.title_only_layout = _find_layout(layouts, "title_only") or self.content_layout
        width, height = int(self.prs.slide_width), int(self.prs.slide_height)
        body = _body_placeholder(self.content_layout)
        title = _title_placeholder(self.content_layout)
        margin = int(Inches(0.5))
        if body is not None and body.width and body.height:
            self.content = _Box(int(body.left), int(body.top), int(body.width), int(body.height))
        else:
            top = int(title.top + title.height) if title is not None else int(Inches(1.5))
            self.content = _Box(margin, top, width - 2 * margin, height - top - int(Inches(0.8)))
        footer_top = min(self.content.top + self.content.height, height - int(Inches(0.6)))
        self.content = self.content._replace(height=footer_top - self.content.top)
        self.footnote = _Box(self.content.left, footer_top, self.content.width, int(Inches(0.45)))

    def _widen(self) -> None:
        """The built-in master at 16:9: placeholders stretched to the new width, the title
        band made shorter and the body taller (a deck of charts needs the room)."""
        old = int(self.prs.slide_width)
        new = int(Inches(13.333))
        self.prs.slide_width = new
        factor = new / old
        master = self.prs.slide_master
        tops = {
            str(getattr(ph.placeholder_format.type, "name", "")): int(ph.top)
            for ph in list(master.placeholders)
        }
        title_top, body_top = tops.get("TITLE", -1), tops.get("BODY", -1)
        shapes: list[Any] = list(master.placeholders)
        for layout in self.prs.slide_layouts:
            shapes += [s for s in layout.placeholders if s._element.xfrm is not None]
        for shape in shapes:
            left, top, width = int(shape.left), int(shape.top), int(shape.width)
            shape.left, shape.width = round(left * factor), round(width * factor)
            kind = str(getattr(shape.placeholder_format.type, "name", ""))
            if kind == "TITLE" and top == title_top:
                shape.top, shape.height = int(Inches(0.3)), int(Inches(0.95))
            elif kind in ("BODY", "OBJECT") and top == body_top:
                shape.top, shape.height = int(Inches(1.35)), int(Inches(5.35))
        _master_text_sizes(master)

    def new_slide(self, layout: Any) -> Any:
        return self.prs.slides.add_slide(layout)


def _master_text_sizes(master: Any) -> None:
    """Smaller, left-aligned titles and body text in the built-in master (a deck of charts
    needs room more than 44-point titles)."""
    styles = master._element.find(qn("p:txStyles"))
    if styles is None:
        return
    title = styles.find(qn("p:titleStyle"))
    if title is not None:
        level = title.find(qn("a:lvl1pPr"))
        if level is not None:
            level.set("algn", "l")
            run = level.find(qn("a:defRPr"))
            if run is not None:
                run.set("sz", "3000")
                run.set("b", "1")
    body = styles.find(qn("p:bodyStyle"))
    if body is not None:
        for depth, size in ((1, 2000), (2, 1800), (3, 1600)):
            level = body.find(qn(f"a:lvl{depth}pPr"))
            if level is not None:
                run = level.find(qn("a:defRPr"))
                if run is not None:
                    run.set("sz", str(size))
    for shape in master.placeholders:
        if shape.placeholder_format.type is not None and "TITLE" in str(
            shape.placeholder_format.type
        ):
            body_pr = shape._element.find(f".//{qn('a:bodyPr')}")
            if body_pr is not None:
                body_pr.set("anchor", "b")


def _open_template(template: Path) -> Any:
    if not template.is_file():
        raise DataError(f"{template}: template not found; give the path of a .pptx file")
    try:
        return Presentation(str(template))
    except Exception:  # python-pptx raises zipfile, KeyError, XML and package errors
        raise DataError(
            f"{template}: not a readable PowerPoint template; give a .pptx file (not .potx, "
            ".ppt or another file)"
        ) from None


def _drop_slides(prs: Any) -> None:
    """Remove the slides a template carries (their parts go when nothing refers to them)."""
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        prs.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)


def _placeholder_types(layout: Any) -> list[str]:
    return [str(getattr(ph.placeholder_format.type, "name", "")) for ph in layout.placeholders]


_DECORATION = {"DATE", "FOOTER", "SLIDE_NUMBER", "HEADER"}


def _find_layout(layouts: list[Any], kind: Literal["title", "content", "title_only"]) -> Any:
    """A layout by its placeholders: ``title`` (title and subtitle), ``content`` (title and one
    body), ``title_only``."""
    for layout in layouts:
        types = [t for t in _placeholder_types(layout) if t not in _DECORATION]
        has_title = "TITLE" in types or "CENTER_TITLE" in types
        others = [t for t in types if t not in ("TITLE", "CENTER_TITLE")]
        vertical = any(
            (ph._element.find(".//{*}bodyPr") is not None)
            and str(ph._element.find(".//{*}bodyPr").get("vert", "horz")).startswith("vert")
            for ph in layout.placeholders
        )
        if vertical:
            continue
        if kind == "title" and "CENTER_TITLE" in types and "SUBTITLE" in others:
            return layout
        if kind == "content" and has_title and others in (["OBJECT"], ["BODY"]):
            return layout
        if kind == "title_only" and has_title and not others:
            return layout
    if kind == "title":
        for layout in layouts:
            types = _placeholder_types(layout)
            if ("TITLE" in types or "CENTER_TITLE" in types) and "SUBTITLE" in types:
                return layout
    return None


def _title_placeholder(layout: Any) -> Any:
    for ph in layout.placeholders:
        if str(getattr(ph.placeholder_format.type, "name", "")) in ("TITLE", "CENTER_TITLE"):
            return ph
    return None


def _body_placeholder(layout: Any) -> Any:
    for ph in layout.placeholders:
        if str(getattr(ph.placeholder_format.type, "name", "")) in ("OBJECT", "BODY"):
            return ph
    return None
