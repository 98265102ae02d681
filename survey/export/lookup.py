"""What the page's and the deck's look-up objects start from: the report model, its tables,
their labels and the small-cell threshold, each a short attribute."""

from __future__ import annotations

from survey.report.model import ReportModel

__all__ = ["ModelLookup"]


class ModelLookup:
    """A writer's look-ups over one wave's report model.

    Parameters
    ----------
    model
        The wave's report model (:func:`~survey.report.model.build_report`).

    Examples
    --------
    >>> from survey.examples import demo_report
    >>> lookup = ModelLookup(demo_report())
    >>> lookup.threshold == lookup.model.threshold, lookup.labels is lookup.tables.labels
    (True, True)
    """

    def __init__(self, model: ReportModel) -> None:
        self.model = model
        self.tables = model.tables
        self.labels = model.tables.labels
        self.threshold = model.tables.threshold
