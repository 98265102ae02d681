"""What people said: the themes of an open question with a few respondents'
quotes.
"""

from __future__ import annotations

from survey.codebook import Question
from survey.export.pptx.notes import _caveats
from survey.export.pptx.slides import _Chart, _Kind, _Slide
from survey.export.pptx.wave import _Wave
from survey.report.rules import published_mask

__all__ = ["_themes_slide"]

_MAX_THEMES = 8
_MAX_QUOTES = 3


def _themes_slide(wave: _Wave, question: Question, priority: int) -> _Slide | None:
    tables = wave.tables
    themes = tables.shown("themes")
    rows = themes[
        (themes["question"] == question.id)
        & (themes["by"] == "all")
        & (themes["theme"] != "uncoded")
        & published_mask(themes, threshold=tables.threshold, column="share")
    ]
    if rows.empty:
        return None
    top = rows.sort_values(["share", "theme"], ascending=[False, True], kind="stable").head(
        _MAX_THEMES
    )
    quotes: list[str] = []
    table = tables.quotes[tables.quotes["question"] == question.id]
    for theme in top["theme"]:
        for quote in table.loc[table["theme"] == theme, "quote"]:
            if len(quotes) < _MAX_QUOTES and isinstance(quote, str) and quote.strip():
                quotes.append(quote)
    comments = int(top["comments"].max())
    return _Slide(
        kind=_Kind.CHART,
        title=f"What people said: {question.text}",
        subtitle="Share of comments on each theme (a comment can have several)",
        chart=_Chart(
            categories=[str(label) for label in top["label"]],
            series=[("Share of comments", [float(v) for v in top["share"]])],
        ),
        quotes=quotes,
        notes=(
            f"Open answers to “{question.text}”: n = {comments} comments, coded to themes by "
            "the codebook's keyword rules; a comment can count in several themes. The quotes "
            "are respondents' own words from the leading themes, scrubbed of personal data. "
            f"{_caveats(tables)}"
        ),
        footnote=f"n = {comments} comments.",
        priority=priority,
    )
