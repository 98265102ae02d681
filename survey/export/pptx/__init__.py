"""The slide deck of a wave (``slides.pptx``): findings an association can present as they are.

:func:`write_pptx` turns a wave's tables (:func:`~survey.report.tables.load_tables`) and its
headline findings (:func:`~survey.report.findings.headline_findings`) into a deck of at most
:data:`MAX_SLIDES` slides:

1. the title (instrument, wave, organisation);
2. who responded against the membership frame, by each weighting variable;
3. the headline findings;
4. what changed since the previous wave (when there is one): the significant changes as
   :func:`~survey.report.findings.change_findings` says them, and the learning topics'
   top-2 importance in both waves; said plainly when nothing changed significantly;
5. the top learning needs overall (Borich MWDS), their ranks in every wave so far, the top
   three of each group of the first dimension, and the top-2 importance of the leading topics
   by the other dimensions;
6. every multi-select question (barriers, formats ...) by the dimensions where it differs
   significantly (else the first two), every single-choice question (mentoring ...) and
   every Likert statement (employer support ...) by group;
7. the themes of the open answers with a few respondents' quotes;
8. how the survey was done, and how to read the numbers.

Charts are native, editable PowerPoint charts whose data are the values of ``results.csv``
(``needs.csv``, ``themes.csv``, ``trends.csv``) as the engine wrote them; labels and tables
show them rounded by :mod:`survey.report.style`. A suppressed group is never drawn: it is
left out of the chart and named in the footnote, or shown as
:data:`~survey.report.style.SUPPRESSED` in a table. Every content slide carries speaker notes
with its base sizes and caveats.

With ``template=`` the association's own ``.pptx`` is used: its masters, layouts, theme and
slide size, without the slides it carried.

The package: :mod:`~survey.export.pptx.plan` lists the slides in deck order from the slide
kinds (:mod:`~survey.export.pptx.opening`, :mod:`~survey.export.pptx.trends`,
:mod:`~survey.export.pptx.needs`, :mod:`~survey.export.pptx.breakdowns`,
:mod:`~survey.export.pptx.themes`, :mod:`~survey.export.pptx.method`), each a
:class:`~survey.export.pptx.slides._Slide` over the indexed tables of
:mod:`~survey.export.pptx.wave`, with the words of :mod:`~survey.export.pptx.notes`;
:mod:`~survey.export.pptx.draw` draws each on the :mod:`~survey.export.pptx.deck`, with the
helpers of :mod:`~survey.export.pptx.layout` and the charts of :mod:`~survey.export.pptx.charts`.
"""

from __future__ import annotations

from pathlib import Path

from survey.export.pptx.deck import _Deck
from survey.export.pptx.draw import _draw
from survey.export.pptx.plan import MAX_SLIDES, _plan, _select
from survey.report.model import ReportModel
from survey.writing import atomic_write

__all__ = ["MAX_SLIDES", "write_pptx"]


def write_pptx(
    model: ReportModel,
    path: Path,
    *,
    template: Path | None = None,
) -> Path:
    """Write the wave's slide deck (``slides.pptx``) atomically.

    Parameters
    ----------
    model
        The wave's report model (:func:`~survey.report.model.build_report`); the first few
        of its headline findings are the headline slide.
    path
        Where to write the deck.
    template
        The association's own ``.pptx``: its masters, layouts, theme and slide size are used
        (a title layout and a title-and-content layout are found by their placeholders), the
        slides it carries are left out. ``None``: the built-in master at 16:9.

    Returns
    -------
    pathlib.Path
        ``path``: the deck.

    Raises
    ------
    DataError
        The template is missing or is not a readable ``.pptx``.

    Examples
    --------
    >>> from pptx import Presentation
    >>> from survey.examples import demo_folder, demo_report
    >>> deck = write_pptx(demo_report(), demo_folder() / "slides.pptx")
    >>> 12 <= len(Presentation(str(deck)).slides) <= 20
    True
    """
    deck = _Deck(template)
    for spec in _select(_plan(model), MAX_SLIDES):
        _draw(deck, spec)
    return atomic_write(path, lambda temporary: deck.prs.save(str(temporary)))
