"""Validation of a coded wave with a great-expectations suite generated from the codebook.

:func:`build_suite` turns the codebook into expectations; each carries in its ``meta`` what
a failure means for the run (:class:`Action`): stop the run (structure), quarantine the failing
rows, make the failing values missing, or only report. :func:`validate` runs the whole suite at
once, so every problem is reported together, and returns a :class:`ValidationReport` that the
cleaning step acts on and :func:`write_report` saves as ``validation.json`` and
``validation.html``.

Example values in the report come only from coded, closed questions and respondent ids, never
from open text or personal-data columns.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from survey.codebook import Codebook, Question, QuestionType
from survey.io.columns import ColumnMap
from survey.rules import NUMBER_PATTERN, WEIGHT_PATTERN, Flag, Reason, scrub_contacts
from survey.writing import atomic_write_text, now_iso

__all__ = [
    "Action",
    "CheckResult",
    "Problem",
    "ValidationReport",
    "build_suite",
    "numbered_note",
    "validate",
    "weight_notes",
    "write_report",
]

#: How many distinct failing values a check shows.
EXAMPLES = 5


class Action(StrEnum):
    """What a failed expectation does to the run."""

    STOP = "stop"  # the data cannot be accepted: exit 1
    QUARANTINE = "quarantine"  # the failing rows are not analysed
    MAKE_MISSING = "make_missing"  # the failing values become missing, and are flagged
    REPORT = "report"  # shown in the report only


class Problem(StrEnum):
    """What a check finds that is neither a row set aside (:class:`~survey.rules.Reason`) nor
    a value made missing (:class:`~survey.rules.Flag`): the run stops, or it is only reported."""

    TOO_FEW_RESPONSES = "too_few_responses"  # stops the run
    MISSING_COLUMN = "missing_column"  # stops the run
    UNKNOWN_OPTION = "unknown_option"  # a multi-select choice that is none of its options
    BAD_DATE = "bad_date"  # a start date in none of the wave's formats


class Section(StrEnum):
    """Where a check appears in the report."""

    STRUCTURE = "Structure"
    RESPONDENTS = "Respondents"
    ANSWERS = "Answers"


@dataclass
class CheckResult:
    """The outcome of one expectation."""

    expectation: str
    column: str | None
    section: str
    description: str
    action: Action
    reason: str
    success: bool
    checked: int | None = None
    failed: int = 0
    examples: list[str] = field(default_factory=list)
    observed: Any = None
    rows: list[int] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (without the failing row positions)."""
        data = asdict(self)
        data.pop("rows")
        data["action"] = self.action.value
        return data


@dataclass
class ValidationReport:
    """Every check of one wave's validation."""

    wave: str
    file: str
    layout: str
    rows: int
    checks: list[CheckResult]
    ignored_columns: list[str]
    missing_columns: list[str]
    suite: str
    engine: str
    created: str = field(default_factory=now_iso)
    notes: list[str] = field(default_factory=list)

    @property
    def success(self) -> bool:
        """Every expectation passed."""
        return all(check.success for check in self.checks)

    def failures(self, action: Action | None = None) -> list[CheckResult]:
        """The failed checks, optionally only those with the given action."""
        return [
            check
            for check in self.checks
            if not check.success and (action is None or check.action is action)
        ]

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "wave": self.wave,
            "file": self.file,
            "layout": self.layout,
            "rows": self.rows,
            "success": self.success,
            "checks_run": len(self.checks),
            "checks_failed": len(self.failures()),
            "suite": self.suite,
            "engine": self.engine,
            "created": self.created,
            "missing_columns": self.missing_columns,
            "ignored_columns": self.ignored_columns,
            "notes": self.notes,
            "checks": [check.as_dict() for check in self.checks],
        }


# ---------------------------------------------------------------------------------- suite
class _Check(NamedTuple):
    """One check of the suite: where the report shows it, what a failure does and why, what
    it checks, and the great-expectations expectation (its class name and arguments)."""

    section: Section
    action: Action
    reason: str
    description: str
    expectation: str
    arguments: dict[str, Any]


def _meta(section: Section, action: Action, reason: str, description: str) -> dict[str, str]:
    return {
        "section": section.value,
        "action": action.value,
        "reason": str(reason),
        "description": description,
    }


def build_suite(
    codebook: Codebook, *, columns: list[str], name: str, submitted: bool = False
) -> Any:
    """The expectation suite of a codebook, for a coded frame with the given columns.

    Needs an active great-expectations context (``gx.get_context()``).

    Every codebook variable is expected to exist (a missing one stops the run). Checks of the
    values of a column are added only where the column exists, so that a run with a missing
    column still reports every other problem.

    A response is complete when its ``progress`` reaches ``quality.min_progress``; in an export
    without progress whose responses have submit dates (LimeSurvey: ``submitted``), when it
    has one; otherwise when it answers ``quality.min_answered_share`` of the closed questions
    it was shown. An export with the codebook's weight column (``weighting.base_weight``) is
    checked for a weight above zero on every response.
    """
    # great_expectations takes seconds to import: loaded only when a wave is validated
    import great_expectations as gx
    import great_expectations.expectations as gxe

    present = set(columns)
    required = ["respondent_id"] + (["consent"] if codebook.consent else [])
    checks = [
        _Check(
            Section.STRUCTURE,
            Action.STOP,
            Problem.TOO_FEW_RESPONSES,
            f"the export has at least {codebook.min_responses} responses",
            "ExpectTableRowCountToBeBetween",
            {"min_value": codebook.min_responses},
        ),
        *(
            _Check(
                Section.STRUCTURE,
                Action.STOP,
                Problem.MISSING_COLUMN,
                f"column {column} exists",
                "ExpectColumnToExist",
                {"column": column},
            )
            for column in required + codebook.variables()
        ),
        *_respondent_checks(codebook, present, submitted=submitted),
        *_weight_checks(codebook, present),
    ]
    for question in codebook.questions:
        checks += _answer_checks(codebook, question, present)
    # Collected first and handed over at once: ``add_expectation`` compares each new
    # expectation with every earlier one, which costs a second on a 130-check suite.
    expectations = [
        getattr(gxe, check.expectation)(
            **check.arguments,
            meta=_meta(check.section, check.action, check.reason, check.description),
        )
        for check in checks
    ]
    return gx.ExpectationSuite(name=name, expectations=expectations)


def _respondent_checks(codebook: Codebook, present: set[str], *, submitted: bool) -> list[_Check]:
    """The checks of whole responses (ids, consent, completeness, start date): a failure
    quarantines the row, but for a bad start date, which is only reported."""
    quality = codebook.quality
    quarantine = (Section.RESPONDENTS, Action.QUARANTINE)
    if "progress" in present:
        completeness = _Check(
            *quarantine,
            Reason.INCOMPLETE,
            f"the response is complete (progress at least {quality.min_progress:g}%)",
            "ExpectColumnValuesToBeBetween",
            {"column": "progress", "min_value": quality.min_progress},
        )
    elif "submit_date" in present and submitted:
        completeness = _Check(
            *quarantine,
            Reason.INCOMPLETE,
            "the response was submitted (it has a submit date)",
            "ExpectColumnValuesToNotBeNull",
            {"column": "submit_date"},
        )
    else:  # the answered share is worked out for every response: always checked
        completeness = _Check(
            *quarantine,
            Reason.INCOMPLETE,
            "the response is complete (no progress column: at least "
            f"{quality.min_answered_share:.0%} of the closed questions it was shown answered)",
            "ExpectColumnValuesToBeBetween",
            {"column": "answered_share", "min_value": quality.min_answered_share},
        )
    checks = [
        _Check(
            *quarantine,
            Reason.MISSING_ID,
            "every response has a respondent id",
            "ExpectColumnValuesToNotBeNull",
            {"column": "respondent_id"},
        ),
        _Check(
            *quarantine,
            Reason.DUPLICATE_ID,
            "respondent ids are unique (a repeated id keeps its first row)",
            "ExpectColumnValuesToBeUnique",
            {"column": "respondent_id"},
        ),
        _Check(
            *quarantine,
            Reason.NO_CONSENT,
            "the respondent consented",
            "ExpectColumnValuesToBeInSet",
            {"column": "consent", "value_set": ["yes"]},
        ),
        completeness,
        _Check(
            Section.RESPONDENTS,
            Action.REPORT,
            Problem.BAD_DATE,
            "the start date is in one of the wave's date formats",
            "ExpectColumnValuesToNotBeNull",
            {"column": "start_date"},
        ),
    ]
    return [
        check for check in checks if check.arguments["column"] in present or check is completeness
    ]


def _weight_checks(codebook: Codebook, present: set[str]) -> list[_Check]:
    """The checks of the export's weight column (``base_weight__raw``, its text, and
    ``base_weight``, its number, from :func:`~survey.cleaning.standardise`): a response whose
    weight is missing, not a number, zero or negative is quarantined (``bad_weight``)."""
    column = codebook.weighting.base_weight
    if column is None or "base_weight" not in present:
        return []
    quarantine = (Section.RESPONDENTS, Action.QUARANTINE, Reason.BAD_WEIGHT)
    named = f"the weight in column {column!r} (weighting.base_weight)"
    return [
        _Check(
            *quarantine,
            f"{named} is given",
            "ExpectColumnValuesToNotBeNull",
            {"column": "base_weight__raw"},
        ),
        _Check(
            *quarantine,
            f'{named} is a number ("1.25", "1,204.5" and "2.5e-01" are numbers)',
            "ExpectColumnValuesToMatchRegex",
            {"column": "base_weight__raw", "regex": WEIGHT_PATTERN},
        ),
        _Check(
            *quarantine,
            f"{named} is above zero",
            "ExpectColumnValuesToBeBetween",
            {"column": "base_weight", "min_value": 0, "strict_min": True},
        ),
    ]


def _answer_checks(codebook: Codebook, question: Question, present: set[str]) -> list[_Check]:
    """The checks of one question's answers, for those of its columns that exist: a failing
    value is made missing (a breakdown dimension's row is quarantined); an unknown choice of
    a multi-select question is only reported."""
    kind = question.type
    checks: list[_Check] = []
    if kind is QuestionType.SINGLE and question.id in present:
        is_dimension = question.id in codebook.dimensions
        checks.append(
            _Check(
                Section.ANSWERS,
                Action.QUARANTINE if is_dimension else Action.MAKE_MISSING,
                Reason.invalid(question.id) if is_dimension else Flag.INVALID_VALUE,
                f"{question.id} is one of its {len(question.options)} options "
                "(after normalising case, spacing and aliases)"
                + (
                    ": a breakdown dimension, so a row without it is not analysed"
                    if is_dimension
                    else ""
                ),
                "ExpectColumnValuesToBeInSet",
                {"column": question.id, "value_set": question.option_codes()},
            )
        )
    elif kind in (QuestionType.LIKERT, QuestionType.GRID):
        for column, scale in question.rated_columns():
            if column not in present:
                continue
            codes = sorted(codebook.scales[scale])
            checks.append(
                _Check(
                    Section.ANSWERS,
                    Action.MAKE_MISSING,
                    Flag.INVALID_VALUE,
                    f"{column} is on the {scale} scale {codes[0]}-{codes[-1]}",
                    "ExpectColumnValuesToBeInSet",
                    {"column": column, "value_set": codes},
                )
            )
    elif kind is QuestionType.NUMBER and question.id in present:
        checks.append(
            _Check(
                Section.ANSWERS,
                Action.MAKE_MISSING,
                Flag.UNPARSEABLE_NUMBER,
                f'{question.id} is a number ("40 hrs", "approx 20" and "2,000" '
                "are read as numbers)",
                "ExpectColumnValuesToMatchRegex",
                {"column": f"{question.id}__raw", "regex": NUMBER_PATTERN},
            )
        )
        if question.range is not None:
            low, high = question.range
            checks.append(
                _Check(
                    Section.ANSWERS,
                    Action.MAKE_MISSING,
                    Flag.OUT_OF_RANGE,
                    f"{question.id} is between {low:g} and {high:g}",
                    "ExpectColumnValuesToBeBetween",
                    {"column": question.id, "min_value": low, "max_value": high},
                )
            )
    elif kind is QuestionType.MULTI and f"{question.id}__n" in present:
        checks.append(
            _Check(
                Section.ANSWERS,
                Action.REPORT,
                Problem.UNKNOWN_OPTION,
                f"every choice of {question.id} is one of its options",
                "ExpectColumnValuesToBeNull",
                {"column": f"{question.id}__unknown"},
            )
        )
        if question.max_choices is not None:
            checks.append(
                _Check(
                    Section.ANSWERS,
                    Action.MAKE_MISSING,
                    Flag.TOO_MANY_CHOICES,
                    f"{question.id} has at most {question.max_choices} choices",
                    "ExpectColumnValuesToBeBetween",
                    {"column": f"{question.id}__n", "max_value": question.max_choices},
                )
            )
    return checks


# ----------------------------------------------------------------------------- validation
def validate(
    coded: pd.DataFrame,
    codebook: Codebook,
    *,
    wave: str,
    file: str,
    layout: str,
    column_map: ColumnMap | None = None,
) -> ValidationReport:
    """Run the codebook's suite over a coded wave and report every check at once.

    Parameters
    ----------
    coded
        The frame from :func:`~survey.cleaning.standardise`, indexed 0..n-1.
    codebook
        The questionnaire.
    wave, file, layout
        For the report header.
    column_map
        The export's column map, for the lists of missing and ignored columns.

    Returns
    -------
    ValidationReport
        One :class:`CheckResult` per expectation, in suite order.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # great_expectations takes seconds to import: loaded only when a wave is validated
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

    frame = coded.reset_index(drop=True)
    validation_frame = _for_gx(frame)
    suite_name = f"{codebook.instrument.id}-{wave}"
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    submitted = "submit_date" in frame and bool(frame["submit_date"].notna().any())
    expectations = list(
        build_suite(
            codebook, columns=list(validation_frame.columns), name=suite_name, submitted=submitted
        ).expectations
    )
    definition = (
        context.data_sources.add_pandas("raw_export")
        .add_dataframe_asset(f"wave_{wave}")
        .add_batch_definition_whole_dataframe("whole_wave")
    )
    results: list[Any] = [None] * len(expectations)
    for number, (columns, positions) in enumerate(_batches(expectations, validation_frame)):
        part = context.suites.add(
            gx.ExpectationSuite(
                name=f"{suite_name}-{number}",
                expectations=[expectations[position] for position in positions],
            )
        )
        batch = definition.get_batch(
            batch_parameters={
                "dataframe": validation_frame[columns] if columns else validation_frame
            }
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome = batch.validate(part, result_format={"result_format": "COMPLETE"})
        # the results come back in an order of great-expectations' own: matched by id
        place = {expectations[position].id: position for position in positions}
        for result in outcome.results:
            config = result.expectation_config
            results[place[config.id if config is not None else None]] = result

    checks = [_check(result, frame) for result in results]
    notes = []
    if column_map is not None and column_map.numbered:
        notes.append(numbered_note(codebook, len(frame)))
    notes += weight_notes(codebook, checks, found="base_weight" in frame)
    return ValidationReport(
        wave=wave,
        file=file,
        layout=layout,
        rows=len(frame),
        checks=checks,
        ignored_columns=list(column_map.ignored) if column_map else [],
        missing_columns=list(column_map.missing) if column_map else [],
        suite=suite_name,
        engine=f"great_expectations {gx.__version__}",
        notes=notes,
    )


def numbered_note(codebook: Codebook, rows: int) -> str:
    """What a run says when the export has no respondent-id column.

    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> numbered_note(load_codebook(reference_codebook_path()), 3)
    "no respondent-id column ('respondent_id') in the export: responses numbered 1-3 in file order"
    """
    column = codebook.respondent_id
    looked = f" ({column!r})" if column else ""
    return (
        f"no respondent-id column{looked} in the export: responses numbered 1-{rows} in file order"
    )


def weight_notes(codebook: Codebook, checks: list[CheckResult], *, found: bool) -> list[str]:
    """What a run says of the export's weight column (``weighting.base_weight``): that the
    export has none, or how many responses were set aside for a bad weight, and why.

    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> book = load_codebook(reference_codebook_path())
    >>> book = book.model_copy(update={"weighting": book.weighting.model_copy(
    ...     update={"base_weight": "wt"})})
    >>> weight_notes(book, [], found=False)
    ["no weight column 'wt' (weighting.base_weight) in the export: every response starts from a weight of 1"]
    """  # noqa: E501
    column = codebook.weighting.base_weight
    if column is None:
        return []
    if not found:
        return [
            f"no weight column {column!r} (weighting.base_weight) in the export: every "
            "response starts from a weight of 1"
        ]
    wrong = {
        "expect_column_values_to_not_be_null": "without one",
        "expect_column_values_to_match_regex": "not a number",
        "expect_column_values_to_be_between": "zero or negative",
    }
    failed = [check for check in checks if check.reason == Reason.BAD_WEIGHT and check.failed]
    if not failed:
        return []
    total = sum(check.failed for check in failed)  # a weight fails one check at most
    counts = ", ".join(f"{check.failed} {wrong[check.expectation]}" for check in failed)
    return [
        f"{total} response{'s' if total != 1 else ''} set aside for the weight in column "
        f"{column!r} (weighting.base_weight): {counts} (quarantine reason bad_weight)"
    ]


#: About how many cells one great-expectations batch holds. Each value check of a column
#: copies its whole batch (dropping the rows where the column is null), so one batch of a wide
#: wave costs rows x columns x checks; narrower batches keep validation linear in the rows.
#: Each batch costs about 3 ms of its own: 50,000 cells is fastest from 1,800 rows (0.79 s
#: in one batch, 0.61 s in three) to 100,000 (the same as 250,000 there).
BATCH_CELLS = 50_000


def _batches(expectations: list[Any], frame: pd.DataFrame) -> list[tuple[list[str], list[int]]]:
    """The expectations in batches of the frame: ``(columns, positions)``, where ``columns``
    is the batch's columns (empty: the whole frame) and ``positions`` the expectations (their
    places in ``expectations``) that run on it.

    A small wave is one batch. A larger one keeps the table's checks (row count, columns that
    exist) on the whole frame, which they only look at, and splits the checks of values by
    column into batches of about :data:`BATCH_CELLS` cells.
    """
    pieces = max(1, -(-frame.size // BATCH_CELLS))
    if pieces == 1:
        return [([], list(range(len(expectations))))]
    whole: list[int] = []
    by_column: dict[str, list[int]] = {}
    for position, expectation in enumerate(expectations):
        column = getattr(expectation, "column", None)
        if (
            column is None
            or column not in frame
            or expectation.expectation_type == "expect_column_to_exist"
        ):
            whole.append(position)
        else:
            by_column.setdefault(column, []).append(position)
    columns = list(by_column)
    width = max(1, BATCH_CELLS // len(frame))
    batches: list[tuple[list[str], list[int]]] = [([], whole)] if whole else []
    for start in range(0, len(columns), width):
        chosen = columns[start : start + width]
        batches.append((chosen, [p for column in chosen for p in by_column[column]]))
    return batches


def _for_gx(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable extension columns as plain object columns with ``None``, which every
    expectation handles alike."""
    converted = frame.copy()
    for column in converted.columns:
        if isinstance(converted[column].dtype, pd.api.extensions.ExtensionDtype) and not (
            isinstance(converted[column].dtype, pd.DatetimeTZDtype)
        ):
            values = converted[column].astype(object)
            converted[column] = values.where(values.notna(), None)
    return converted


def _check(result: Any, frame: pd.DataFrame) -> CheckResult:
    config = result.expectation_config
    meta = config.meta or {}
    details = result.result or {}
    column = config.kwargs.get("column")
    rows = [int(row) for row in details.get("unexpected_index_list") or []]
    examples: list[str] = []
    for value in details.get("partial_unexpected_list") or []:
        shown = _shown(value, column)
        if shown not in examples:
            examples.append(shown)
        if len(examples) == EXAMPLES:
            break
    failed = int(details.get("unexpected_count") or 0)
    if config.type in {"expect_column_to_exist", "expect_table_row_count_to_be_between"}:
        failed = 0 if result.success else 1
    return CheckResult(
        expectation=config.type,
        column=column,
        section=meta.get("section", Section.ANSWERS.value),
        description=meta.get("description", config.type),
        action=Action(meta.get("action", Action.REPORT.value)),
        reason=meta.get("reason", config.type),
        success=bool(result.success),
        checked=details.get("element_count"),
        failed=failed,
        examples=examples,
        observed=details.get("observed_value"),
        rows=rows,
    )


def _shown(value: Any, column: str | None) -> str:
    """A failing value as the report shows it: whole numbers without ``.0``, shares as
    percentages, and answers scrubbed of e-mail addresses, phone numbers and IP addresses
    (respondent ids are shown as they are: they identify the row, not the person)."""
    if column == "answered_share" and isinstance(value, float):
        return f"{value:.0%} answered"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4g}"
    text = str(value)
    if column == "respondent_id":
        return text
    return scrub_contacts(text)


# -------------------------------------------------------------------------------- writing
def write_report(report: ValidationReport, out_dir: Path) -> list[Path]:
    """Write ``validation.json`` and ``validation.html`` into ``out_dir`` (atomically)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = report.as_dict()
    json_path = out_dir / "validation.json"
    atomic_write_text(json_path, json.dumps(data, indent=2, default=str) + "\n")
    environment = Environment(
        loader=PackageLoader("survey", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    sections: dict[str, list[dict[str, Any]]] = {}
    for check in data["checks"]:
        sections.setdefault(check["section"], []).append(check)
    html = environment.get_template("validation.html").render(
        report=data,
        sections=sections,
        failures=[check for check in data["checks"] if not check["success"]],
    )
    html_path = out_dir / "validation.html"
    atomic_write_text(html_path, html)
    return [json_path, html_path]
