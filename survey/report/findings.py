"""Headline findings and changes in plain words, for every report and the dashboard.

:mod:`survey.analysis.findings` chooses and ranks them; this module says them::

    School library (K-12) (sector): 74% rate "Teaching patrons: information and digital
    literacy" as very or extremely important, against 46% overall.

    Everyone: 52% rate "Assessment and evaluation" as very or extremely important, up from 38%
    in 2025.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from survey.analysis import findings as selection
from survey.analysis.methods import ALPHA
from survey.report import style
from survey.report.rules import published_mask
from survey.report.tables import ReportTables

__all__ = ["CHANGE_COLUMNS", "FINDING_COLUMNS", "change_findings", "headline_findings"]

#: A headline finding with its sentence (``text``).
FINDING_COLUMNS = [*[c for c in selection.FINDING_COLUMNS if c != "kind"], "text"]
#: A change with its sentence (``text``).
CHANGE_COLUMNS = [*selection.CHANGE_COLUMNS, "text"]


def _what(tables: ReportTables, kind: str, question: str, option: str) -> str:
    """What a group does, in words: ``rate "Leadership" as very or extremely important``."""
    labels = tables.labels
    if kind == "grid":
        return f'rate "{labels.short(question)}" as {labels.option(question, option).lower()}'
    if kind == "likert":
        return f'{labels.option(question, option).lower()}: "{labels.question(question)}"'
    return f'chose "{labels.option(question, option)}" for "{labels.question(question)}"'


def _who(tables: ReportTables, by: str, group: str, *, everyone: str) -> str:
    labels = tables.labels
    if by == "all":
        return everyone
    return f"{labels.group(by, group)} ({labels.dimension(by).lower()})"


def _said(
    chosen: pd.DataFrame, columns: list[str], say: Callable[[dict[str, Any]], str]
) -> pd.DataFrame:
    """The chosen rows with their sentence (``text``), in ``columns``."""
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    rows: list[dict[str, Any]] = chosen.to_dict("records")  # type: ignore[assignment]
    return chosen.assign(text=[say(row) for row in rows])[columns]


def _sentence(tables: ReportTables, row: dict[str, Any]) -> str:
    who = _who(tables, row["by"], row["group"], everyone="Everyone")
    share = f"{row['estimate'] * 100:.0f}%"
    overall = f"{row['overall'] * 100:.0f}%"
    what = _what(tables, row["kind"], row["question"], row["option"])
    return f"{who}: {share} {what}, against {overall} overall."


def headline_findings(
    tables: ReportTables,
    *,
    alpha: float = ALPHA,
    limit: int | None = 12,
    per_group: int | None = 2,
) -> pd.DataFrame:
    """The wave's headline findings, strongest first, each with its sentence.

    Chosen by :func:`survey.analysis.findings.select_findings` among the published rows
    (:func:`~survey.report.rules.published_mask`) of the weighting the report shows.

    Returns
    -------
    pandas.DataFrame
        ``FINDING_COLUMNS``: the selection's columns and ``text``, the sentence.

    Examples
    --------
    >>> from survey.examples import demo_tables
    >>> findings = headline_findings(demo_tables(), limit=None, per_group=None)
    >>> school = findings.query("question == 'imp_literacy_instruction' and by == 'sector'")
    >>> school[["group", "option"]].values.tolist()
    [['school', 'top2']]
    """
    results = tables.shown("results")
    chosen = selection.select_findings(
        results[published_mask(results, threshold=tables.threshold)],
        tables.shown("letters"),
        tables.shown("tests"),
        codebook=tables.codebook,
        alpha=alpha,
        limit=limit,
        per_group=per_group,
    )
    return _said(chosen, FINDING_COLUMNS, lambda row: _sentence(tables, row))


def _change_sentence(tables: ReportTables, row: dict[str, Any]) -> str:
    labels = tables.labels
    question, option = row["question"], row["option"]
    who = _who(tables, row["by"], row["group"], everyone="Everyone")
    direction = "up" if row["change"] > 0 else "down"
    since = f"{direction} from {{before}} in {row['wave_from']}"
    if option == "mean":
        before, after = style.value(row["estimate_from"]), style.value(row["estimate_to"])
        what = f'the mean of "{labels.question(question)}" is {after}'
        return f"{who}: {what}, {since.format(before=before)}."
    before, after = style.percent(row["estimate_from"]), style.percent(row["estimate_to"])
    name = question if option == "top2" else f"{question}__{option}"
    kind = selection.finding_kind(tables.codebook, name)
    what = _what(tables, kind[0] if kind else "single", question, option)
    return f"{who}: {after} {what}, {since.format(before=before)}."


def change_findings(
    tables: ReportTables,
    *,
    since: str | None = None,
    limit: int | None = 8,
    per_question: int | None = 2,
) -> pd.DataFrame:
    """What changed significantly since an earlier wave (by default the wave before), each
    with its sentence.

    Chosen by :func:`survey.analysis.findings.select_changes` from the wave's history, for
    the weighting the report shows; ``since`` ``None`` is
    :attr:`~survey.report.tables.ReportTables.previous_wave`.

    Returns
    -------
    pandas.DataFrame
        ``CHANGE_COLUMNS``: the selection's columns and ``text``. Empty for a first wave.
    """
    chosen = selection.select_changes(
        tables.trends,
        codebook=tables.codebook,
        wave=tables.wave,
        since=since or tables.previous_wave,
        weighted=tables.weighted,
        limit=limit,
        per_question=per_question,
    )
    return _said(chosen, CHANGE_COLUMNS, lambda row: _change_sentence(tables, row))
