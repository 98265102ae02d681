"""The page's content built from one wave's tables: every question's table by
each dimension (with the tests' verdicts), the comments by theme, and the facts of the
method section.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import TypeIs

from survey.analysis.methods import ALPHA, HypothesisTest
from survey.codebook import Question, QuestionType
from survey.export.html._common import _ci, _missing, _p, _records, _slug
from survey.export.html.model import Cell, Column, DataTable, Panel, QuestionBlock
from survey.export.lookup import ModelLookup
from survey.report import style
from survey.report.model import Cell as Figure
from survey.report.model import ReportModel
from survey.report.rules import published

__all__ = ["ALPHA", "TEST_NAMES", "TEST_WORDS", "_Report"]

#: The tests the engine runs, in plain words for the method section.
TEST_WORDS: dict[str, str] = {
    HypothesisTest.RAO_SCOTT_F: (
        "Rao-Scott corrected chi-square test (F form) for answers that differ between groups, "
        "which allows for the weighting; effect size Cramér's V"
    ),
    HypothesisTest.CHI2_INDEPENDENCE: (
        "Pearson's chi-square test of independence for answers that differ between groups; "
        "effect size Cramér's V"
    ),
    HypothesisTest.WALD_F: (
        "design-based Wald F test of equal group means for numbers such as hours, which allows "
        "for the weighting; effect size eta squared"
    ),
    HypothesisTest.KRUSKAL_WALLIS: (
        "Kruskal-Wallis test for ratings or numbers that differ between groups; effect size "
        "eta squared (from H)"
    ),
    HypothesisTest.MANN_WHITNEY: (
        "pairwise Mann-Whitney tests between two groups, Holm-adjusted; effect size rank-biserial r"
    ),
}

#: The tests' short names, for the notes under the tables.
TEST_NAMES: dict[str, str] = {
    HypothesisTest.RAO_SCOTT_F: "Rao-Scott F test",
    HypothesisTest.CHI2_INDEPENDENCE: "chi-square test",
    HypothesisTest.WALD_F: "Wald F test",
    HypothesisTest.KRUSKAL_WALLIS: "Kruskal-Wallis test",
    HypothesisTest.MANN_WHITNEY: "Mann-Whitney test",
}


class _Report(ModelLookup):
    """Builds the page's content from one wave's tables."""

    def __init__(self, model: ReportModel) -> None:
        super().__init__(model)
        tables = self.tables
        self.codebook = tables.codebook
        self.results = tables.shown("results")
        self.letters = tables.shown("letters")
        self.tests = tables.shown("tests")
        self.needs = tables.shown("needs")
        self.themes = tables.shown("themes")
        self.dimensions = [
            by for by in self.codebook.dimensions if by in set(self.results["by"].unique())
        ]
        # the options each question has rows for, as the engine wrote them
        self._present: dict[str, dict[str, None]] = {}
        for question, option in zip(
            self.results["question"].tolist(), self.results["option"].tolist(), strict=True
        ):
            self._present.setdefault(str(question), {})[str(option)] = None
        letters = _records(self.letters)
        self._letter = {
            (row["question"], row["by"], row["group"]): str(row["letter"]) for row in letters
        }
        self._test = {
            (row["question"], row["by"]): row
            for row in _records(self.tests)
            if row["test"]
            in (
                HypothesisTest.RAO_SCOTT_F,
                HypothesisTest.CHI2_INDEPENDENCE,
                HypothesisTest.WALD_F,
                HypothesisTest.KRUSKAL_WALLIS,
            )
        }

    # ------------------------------------------------------------------- groups and columns
    def published(
        self, row: dict[str, Any] | None, column: str = "estimate"
    ) -> TypeIs[dict[str, Any]]:
        """Whether a row may show its figure (:func:`survey.report.rules.published`)."""
        return published(row, threshold=self.threshold, column=column)

    def row(self, question: str, option: str, by: str, group: str) -> Figure | None:
        """The report model's figure of an option in a group (``None`` if the engine wrote
        none)."""
        return self.model.cell(question, option, by, group)

    def present(self, question: str, by: str) -> list[str]:
        """The groups of a dimension that a question has rows for, in order."""
        return self.model.present(question, by)

    def present_options(self, question: str) -> list[str]:
        """The options a question has rows for, as the engine wrote them."""
        return list(self._present.get(question, {}))

    def base(self, question: str, by: str, group: str) -> Figure | None:
        """Any row of a question's group (its base ``n`` and suppression are the same for
        every option)."""
        for option in self.present_options(question):
            row = self.row(question, option, by, group)
            if row is not None:
                return row
        return None

    def columns(self, question: str, by: str, first: str) -> list[Column]:
        """The header of a question's table by a dimension: All, then each group with its
        letter and base."""
        columns = [Column(first, numeric=False)]
        overall = self.base(question, "all", "all")
        columns.append(
            Column(
                self.labels.group("all", "all"),
                n=f"n = {overall.n}" if overall is not None else "",
            )
        )
        for group in self.present(question, by):
            row = self.base(question, by, group)
            if row is None:
                continue
            n = str(row.n) if row.published else style.SUPPRESSED
            columns.append(
                Column(
                    self.labels.group(by, group),
                    letter=self._letter.get((question, by, group), ""),
                    n=f"n = {n}",
                )
            )
        return columns

    def cell(self, figure: Figure | None, *, share: bool = True) -> Cell:
        """A figure of the report model as a table cell: estimate, CI and the letters of the
        groups it is significantly higher than; one not published shows the mark only."""
        if figure is None:
            return Cell("")
        key = "|".join((figure.question, figure.option, figure.by, figure.group))
        if not figure.published or figure.estimate is None:
            return Cell(style.SUPPRESSED, key=key, suppressed=True)
        text = style.percent(figure.estimate) if share else style.value(figure.estimate)
        return Cell(
            text,
            ci=_ci(figure.ci_low, figure.ci_high, share=share),
            letters=figure.higher_than,
            key=key,
        )

    def row_cells(self, question: str, option: str, by: str, *, share: bool) -> list[Cell]:
        """One option of a question: the overall cell, then one cell per shown group."""
        cells = [self.cell(self.row(question, option, "all", "all"), share=share)]
        for group in self.present(question, by):
            cells.append(self.cell(self.row(question, option, by, group), share=share))
        return cells

    def test_cell(self, question: str, by: str) -> Cell:
        """Whether a question differs by a dimension: the test's adjusted p-value."""
        test = self._test.get((question, by))
        if test is None or _missing(test["p_adjusted"]):
            return Cell("not tested")
        verdict = "yes" if float(test["p_adjusted"]) < ALPHA else "no"
        return Cell(f"{verdict} ({_p(test['p_adjusted'])})")

    def test_note(self, question: str, by: str) -> str:
        """The test of a whole question by a dimension, as a sentence."""
        test = self._test.get((question, by))
        if test is None or _missing(test["p_adjusted"]):
            return ""
        p_adjusted = float(test["p_adjusted"])
        words = "differ" if p_adjusted < ALPHA else "do not differ significantly"
        name = TEST_NAMES.get(str(test["test"]), str(test["test"]).replace("_", " "))
        return (
            f"Answers {words} by {self.labels.dimension(by).lower()} "
            f"({name}, adjusted p {_p(p_adjusted)})."
        )

    # ------------------------------------------------------------------- question tables
    def options(self, question: Question, name: str) -> list[str]:
        """The options of a question shown as rows, in questionnaire (or scale) order, then
        the top-two box and the mean."""
        present = self.present_options(name)
        order = question.option_codes()
        if question.scale:
            order = [str(point) for point in sorted(self.codebook.scales.get(question.scale, {}))]
        ranked = [option for option in order if option in present]
        extra = [option for option in present if option not in ranked]
        tail = [option for option in ("top2", "mean") if option in extra]
        return ranked + [option for option in extra if option not in tail] + tail

    def question_table(self, question: Question, by: str) -> DataTable:
        """A single-choice, Likert, multi-select or number question by a dimension."""
        dimension = self.labels.dimension(by).lower()
        multi = question.type is QuestionType.MULTI
        columns = self.columns(question.id, by, "Answer")
        rows = []
        for option in self.options(question, question.id):
            share = option != "mean"
            label = self.labels.option(question.id, option)
            cells = [Cell(label, numeric=False, header=True)]
            cells += self.row_cells(question.id, option, by, share=share)
            if multi:
                cells.append(self.test_cell(f"{question.id}__{option}", by))
            rows.append(cells)
        if multi:
            columns.append(Column(f"Differs by {dimension}? (adjusted p)"))
        note = "" if multi else self.test_note(question.id, by)
        if question.type is QuestionType.NUMBER:
            what = "Mean"
        elif multi:
            what = "Share choosing each answer (several allowed)"
        else:
            what = "Share giving each answer"
        return DataTable(
            id=_slug("table", question.id, by),
            caption=f"{what}, by {dimension}, with 95% confidence intervals",
            columns=columns,
            rows=rows,
            note=note,
        )

    def grid_table(self, question: Question, prefix: str, scale: str, by: str) -> DataTable:
        """The top-two box of one grid item (importance, say) for every topic by a dimension."""
        dimension = self.labels.dimension(by).lower()
        names = [f"{prefix}_{topic.code}" for topic in question.topics]
        first = names[0]
        columns = self.columns(first, by, "Topic")
        columns.append(Column(f"Differs by {dimension}? (adjusted p)"))
        rows = []
        for name in names:
            cells = [Cell(self.labels.short(name), numeric=False, header=True)]
            cells += self.row_cells(name, "top2", by, share=True)
            cells.append(self.test_cell(name, by))
            rows.append(cells)
        top2 = self.labels.option(first, "top2").lower()
        return DataTable(
            id=_slug("table", question.id, prefix, by),
            caption=(
                f"Share rating each topic {top2} ({scale}), by {dimension}, with 95% "
                "confidence intervals"
            ),
            columns=columns,
            rows=rows,
        )

    def panels(self) -> list[Panel]:
        """Every analysed question's table, one panel per dimension."""
        panels = []
        analysed = set(self.results["question"])
        for by in self.dimensions:
            blocks = []
            for question in self.codebook.questions:
                if question.type is QuestionType.GRID:
                    for item in question.items:
                        if f"{item.prefix}_{question.topics[0].code}" not in analysed:
                            continue
                        scale = self.labels.scale_name(item.scale)
                        table = self.grid_table(question, item.prefix, scale, by)
                        blocks.append(
                            QuestionBlock(
                                id=_slug("q", question.id, item.prefix, by),
                                title=f"{question.text}: {scale} (top two)",
                                tables=[table],
                            )
                        )
                    continue
                if question.type is QuestionType.TEXT or question.id == by:
                    continue
                if question.id not in analysed:
                    continue
                blocks.append(
                    QuestionBlock(
                        id=_slug("q", question.id, by),
                        title=question.text,
                        tables=[self.question_table(question, by)],
                    )
                )
            panels.append(Panel(by=by, name=self.labels.dimension(by), blocks=blocks))
        return panels

    # ------------------------------------------------------------------- comments
    def comments(self) -> list[dict[str, Any]]:
        """Each open question: its themes overall (label, count, share) and quotes by theme."""
        quotes = self.tables.quotes
        out = []
        for question in self.codebook.questions_of(QuestionType.TEXT):
            themes = self.themes[
                (self.themes["question"] == question.id) & (self.themes["by"] == "all")
            ]
            if themes.empty:
                continue
            themes = themes.sort_values("count", ascending=False, kind="stable")
            rows = []
            for theme in _records(themes):
                suppressed = not self.published(theme, "share")
                rows.append(
                    [
                        Cell(str(theme["label"]), numeric=False, header=True),
                        Cell(
                            style.SUPPRESSED
                            if suppressed
                            else style.value(theme["count"], digits=0),
                            suppressed=suppressed,
                        ),
                        Cell(
                            style.SUPPRESSED if suppressed else style.percent(theme["share"]),
                            suppressed=suppressed,
                        ),
                    ]
                )
            comments = themes["comments"].dropna()
            base = f"{int(comments.iloc[0])} comments" if len(comments) else ""
            table = DataTable(
                id=_slug("table", "themes", question.id),
                caption="Themes of the answers, all respondents",
                columns=[
                    Column("Theme", numeric=False),
                    Column("Comments"),
                    Column("Share of comments" + (" (weighted)" if self.tables.weighted else "")),
                ],
                rows=rows,
                note=(
                    f"Base: {base}. A comment can touch several themes, so shares add up to "
                    "more than 100%."
                    + (
                        " Counts are comments as written; shares are weighted."
                        if self.tables.weighted
                        else ""
                    )
                    if base
                    else ""
                ),
            )
            mine = quotes[quotes["question"] == question.id]
            by_theme = []
            for theme in _records(themes):
                said = [str(quote) for quote in mine[mine["theme"] == theme["theme"]]["quote"]]
                if said:
                    by_theme.append({"label": str(theme["label"]), "quotes": said})
            out.append(
                {
                    "id": _slug("comments", question.id),
                    "title": question.text,
                    "table": table,
                    "quotes": by_theme,
                }
            )
        return out

    # ------------------------------------------------------------------- method
    def method(self) -> dict[str, Any]:
        """The facts of the method section, formatted."""
        tables, codebook = self.tables, self.codebook
        validation = tables.validation
        wave = next((wave for wave in codebook.waves if wave.id == tables.wave), None)
        quarantined = [
            {"reason": str(reason).replace("_", " "), "count": int(count)}
            for reason, count in tables.quarantined.items()
        ]
        flagged = [
            {"reason": str(reason).replace("_", " "), "count": int(count)}
            for reason, count in tables.flagged.items()
        ]
        used = [str(test) for test in tables.shown("tests")["test"].dropna().unique()]
        tests = [TEST_WORDS.get(test, test.replace("_", " ")) for test in used]
        reliability = []
        for row in _records(tables.reliability):
            reliability.append(
                {
                    "what": self._grid_item(str(row["question"]), str(row["item"])),
                    "alpha": style.value(row["alpha"], digits=2),
                    "ci": _ci(row["ci_low"], row["ci_high"], share=False, digits=2),
                    "n": int(row["n"]),
                }
            )
        weighting = None
        if tables.weighting is not None:
            raking = tables.weighting
            composition = []
            for row in raking.get("composition", []):
                variable, category = str(row["variable"]), str(row["category"])
                small = int(row["respondents"]) < tables.threshold
                composition.append(
                    {
                        "dimension": self.labels.dimension(variable),
                        "group": self.labels.group(variable, category),
                        "frame": style.value(row["frame"], digits=0),
                        "frame_share": style.percent(row["frame_share"]),
                        "respondents": style.SUPPRESSED if small else str(row["respondents"]),
                        "sample_share": style.SUPPRESSED
                        if small
                        else style.percent(row["sample_share"]),
                        "weighted_share": style.percent(row["weighted_share"]),
                        "small": small,
                    }
                )
            weighting = {
                "margins": [self.labels.dimension(name).lower() for name in codebook.frame],
                "design_effect": style.value(raking.get("design_effect"), digits=2),
                "effective_n": style.value(raking.get("effective_n"), digits=0),
                "iterations": raking.get("iterations"),
                "converged": bool(raking.get("converged")),
                "min_weight": style.value(raking.get("min_weight"), digits=2),
                "max_weight": style.value(raking.get("max_weight"), digits=2),
                "trimmed": raking.get("trimmed", 0),
                "composition": composition,
                "variance_method": tables.variance_method,
                "raked": tables.raked,
                "unraked": tables.unraked_weights,
            }
        return {
            "notes": [f"{note[0].upper()}{note[1:]}." for note in tables.notes],
            "skipped": [
                {"id": question_id, "text": text, "reason": reason}
                for question_id, text, reason in tables.skipped
            ],
            "wave": tables.wave,
            "file": validation.get("file", wave.file if wave else ""),
            "layout": validation.get("layout", wave.layout if wave else ""),
            "fieldwork": " to ".join(wave.fieldwork) if wave and wave.fieldwork else "",
            "rows": validation.get("rows"),
            "analysed": tables.analysed,
            "quarantined": quarantined,
            "quarantined_total": int(tables.quarantined.sum()),
            "flagged": flagged,
            "flagged_total": int(tables.flagged.sum()),
            "checks_run": validation.get("checks_run"),
            "checks_failed": validation.get("checks_failed"),
            "threshold": tables.threshold,
            "suppressed_note": style.SUPPRESSED_NOTE.format(threshold=tables.threshold),
            "tests": tests,
            "weighted": tables.weighted,
            "weighting": weighting,
            "reliability": reliability,
            "dimensions": [self.labels.dimension(by).lower() for by in self.dimensions],
        }

    def _grid_item(self, question: str, prefix: str) -> str:
        for grid in self.codebook.questions_of(QuestionType.GRID):
            if grid.id != question:
                continue
            for item in grid.items:
                if item.prefix == prefix:
                    return (
                        f"{grid.text}: {self.labels.scale_name(item.scale)} of the "
                        f"{len(grid.topics)} topics"
                    )
        return f"{question} ({prefix})"
