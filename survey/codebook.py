"""The codebook: a questionnaire, its sampling frame and its waves, as a typed model.

A codebook is one YAML file. :func:`load_codebook` reads and checks it completely before any
data is read; a problem is a :class:`~survey.errors.CodebookError` whose one-line message names
the file, the key (``questions[3] (years).options[1].code``) and what was expected.

Nothing in the toolkit knows the reference questionnaire: every question, option, label, alias,
scale, frame margin and wave comes from here.

Examples
--------
>>> from survey.codebook import load_codebook, reference_codebook_path
>>> codebook = load_codebook(reference_codebook_path())
>>> codebook.dimensions
['sector', 'role', 'region']
>>> codebook.question("barriers").type
<QuestionType.MULTI: 'multi'>
>>> codebook.variables()[:3]
['sector', 'sector_other', 'role']
"""

from __future__ import annotations

import re
from enum import StrEnum
from importlib.resources import files
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from survey.errors import CodebookError

__all__ = [
    "Codebook",
    "ConsentRule",
    "GridItem",
    "Layout",
    "Option",
    "QualityRules",
    "Question",
    "QuestionType",
    "Theme",
    "Topic",
    "Variance",
    "Wave",
    "WeightingRules",
    "load_codebook",
    "reference_codebook_path",
]

_IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_]*$")


class QuestionType(StrEnum):
    """How a question is answered, and so how it is coded in processed data."""

    SINGLE = "single"  # one option code, in a column named by the question id
    MULTI = "multi"  # one boolean column per option, ``<question>__<option>``
    LIKERT = "likert"  # one numeric column, codes of its scale
    NUMBER = "number"  # one numeric column
    TEXT = "text"  # free text, scrubbed of personal data
    GRID = "grid"  # topics rated on one or more scales: ``<prefix>_<topic>`` numeric columns
    SKIP = "skip"  # kept in the codebook but not analysed; ``reason`` says why


class Layout(StrEnum):
    """The export layouts the importers read."""

    QUALTRICS = "qualtrics"
    SURVEYMONKEY = "surveymonkey"
    LIMESURVEY = "limesurvey"
    SPSS = "spss"
    CSV = "csv"  # plain CSV or XLSX with one header row


class Variance(StrEnum):
    """How the variance of a weighted estimate is computed (``weighting.variance``)."""

    #: Linearised for weights raked to the frame's margins, as R's ``rake()`` design.
    RAKED = "raked"
    #: Linearised with the weights taken as fixed, as ``svydesign(weights = ~w)``.
    FIXED = "fixed"
    #: Jackknife replicates, one per respondent, each re-raked to the margins, as R's
    #: ``rake(as.svrepdesign(design, type = "JK1"), ...)``.
    JK1 = "jk1"
    #: Bootstrap replicates (``weighting.replicates`` of them, drawn from ``weighting.seed``),
    #: each re-raked to the margins, as ``rake(as.svrepdesign(design, type = "bootstrap"))``.
    BOOTSTRAP = "bootstrap"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Model):
    """One answer option: a stable code, the label respondents saw, other spellings accepted."""

    code: StrictStr
    label: StrictStr
    aliases: list[StrictStr] = Field(default_factory=list)
    waves: list[StrictStr] | None = None  # offered only in these waves (default: every wave)
    column: StrictStr | None = None  # a multi-select's export column of this option

    @field_validator("code")
    @classmethod
    def _code_is_identifier(cls, code: str) -> str:
        if not _IDENTIFIER.match(code):
            raise ValueError(f"expected a lower-case code of letters, digits and '_', got {code!r}")
        return code


class Topic(_Model):
    """One row of a grid question; ``columns`` names its export column for each item (by the
    item's prefix) where the export's names are not found otherwise."""

    code: StrictStr
    label: StrictStr
    columns: dict[StrictStr, StrictStr] = Field(default_factory=dict)

    @field_validator("code")
    @classmethod
    def _code_is_identifier(cls, code: str) -> str:
        return Option._code_is_identifier(code)


class GridItem(_Model):
    """One rating asked of every topic of a grid, e.g. importance (prefix ``imp``)."""

    prefix: StrictStr
    scale: StrictStr
    text: StrictStr


class Question(_Model):
    """One question of the instrument. Which fields apply depends on ``type``.

    Where its answers are in the export: by default the column named by its id, its text or
    ``renamed_from`` (and, for a multi-select, its options' columns or one column of joined
    labels). ``column`` names the export column instead; a multi-select's options may name
    theirs (``options[].column``), and ``columns`` lists the columns of a multi-select whose
    cells each hold one chosen option (an SPSS categorical response set, "first choice",
    "second choice" ...). ``chosen`` lists what a ticked option column holds, where the export
    says so (an SPSS dichotomy set's counted value); by default any answer but blank and "not
    chosen" (N, No, 0, Not selected) is a tick. ``value_labels`` of a number question are the
    numbers some answers are written as (8: "Eight or more"). A ``skip`` question is kept but
    not analysed: ``reason`` says why, and ``columns`` may list the export columns it covers.
    """

    id: StrictStr
    type: QuestionType
    text: StrictStr
    column: StrictStr | None = None
    columns: list[StrictStr] = Field(default_factory=list)
    chosen: list[StrictStr] = Field(default_factory=list)
    value_labels: dict[float, StrictStr] = Field(default_factory=dict)
    reason: StrictStr | None = None
    options: list[Option] = Field(default_factory=list)
    other: StrictStr | None = None
    other_column: StrictStr | None = None  # the export column of the other-specify text
    ordered: bool = False
    scale: StrictStr | None = None
    range: tuple[float, float] | None = None
    max_choices: int | None = Field(default=None, ge=1)
    items: list[GridItem] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    straightline_check: bool = False
    renamed_from: StrictStr | None = None
    waves: list[StrictStr] | None = None  # asked only in these waves (default: every wave)

    @field_validator("id")
    @classmethod
    def _id_is_identifier(cls, question_id: str) -> str:
        return Option._code_is_identifier(question_id)

    @model_validator(mode="after")
    def _fields_fit_type(self) -> Self:
        needs: dict[QuestionType, tuple[str, ...]] = {
            QuestionType.SINGLE: ("options",),
            QuestionType.MULTI: ("options",),
            QuestionType.LIKERT: ("scale",),
            QuestionType.GRID: ("items", "topics"),
        }
        for name in needs.get(self.type, ()):
            if not getattr(self, name):
                raise ValueError(f"a {self.type.value} question needs '{name}'")
        if self.type is QuestionType.SKIP and not self.reason:
            raise ValueError("a skip question needs 'reason' (why it is not analysed)")
        fits: dict[str, tuple[QuestionType, ...]] = {
            "column": (
                QuestionType.SINGLE,
                QuestionType.MULTI,
                QuestionType.LIKERT,
                QuestionType.NUMBER,
                QuestionType.TEXT,
            ),
            "columns": (QuestionType.MULTI, QuestionType.SKIP),
            "chosen": (QuestionType.MULTI,),
            "value_labels": (QuestionType.NUMBER,),
            "reason": (QuestionType.SKIP,),
        }
        for name, types in fits.items():
            if getattr(self, name) and self.type not in types:
                kinds = ", ".join(kind.value for kind in types)
                raise ValueError(f"'{name}' applies to {kinds} questions, not {self.type.value}")
        if self.other_column and not self.other:
            raise ValueError("'other_column' needs 'other' (the other-specify text's id)")
        if self.column and self.columns and self.type is QuestionType.MULTI:
            raise ValueError("a multi-select has one 'column' of joined labels or 'columns'")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"range must be [low, high], got {list(self.range)}")
        _no_repeats("option code", [option.code for option in self.options])
        _no_repeats("topic code", [topic.code for topic in self.topics])
        _no_repeats("grid item prefix", [item.prefix for item in self.items])
        prefixes = {item.prefix for item in self.items}
        for topic in self.topics:
            unknown = sorted(set(topic.columns) - prefixes)
            if unknown:
                raise ValueError(
                    f"topic {topic.code!r}: columns {unknown} are not item prefixes; expected "
                    f"{sorted(prefixes)}"
                )
        if any(option.column for option in self.options) and self.type is not QuestionType.MULTI:
            raise ValueError("options[].column applies to multi-select questions only")
        return self

    def skipped(self) -> bool:
        """Whether the question is kept in the codebook but not analysed."""
        return self.type is QuestionType.SKIP

    def option_codes(self) -> list[str]:
        """The option codes, in questionnaire order."""
        return [option.code for option in self.options]

    def grid_columns(self, item: GridItem) -> list[str]:
        """The processed column of every topic for one grid item, e.g. ``imp_leadership``."""
        return [f"{item.prefix}_{topic.code}" for topic in self.topics]

    def rated_columns(self) -> list[tuple[str, str]]:
        """Each rated column of a Likert question or a grid and the name of its scale: the
        question's own column, or every topic's column of every grid item (none for other
        types)."""
        if self.type is QuestionType.LIKERT:
            return [(self.id, self.scale or "")]
        if self.type is QuestionType.GRID:
            return [(name, item.scale) for item in self.items for name in self.grid_columns(item)]
        return []

    def slot_fields(self) -> list[str]:
        """The field names of a multi-select's ``columns`` in a mapped export: ``<id>[1]``,
        ``<id>[2]`` ... (brackets: never a processed column's name)."""
        return [f"{self.id}[{position}]" for position in range(1, len(self.columns) + 1)]

    def multi_columns(self) -> list[str]:
        """The processed boolean column of every option of a multi-select question."""
        return [f"{self.id}__{option.code}" for option in self.options]


class Theme(_Model):
    """A theme of open-text answers: a comment is coded to it when it contains one of the
    keywords (whole words, any case) or matches one of the patterns (regular expressions)."""

    code: StrictStr
    label: StrictStr
    keywords: list[StrictStr] = Field(default_factory=list)
    patterns: list[StrictStr] = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _code_is_identifier(cls, code: str) -> str:
        return Option._code_is_identifier(code)

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        return QualityRules._patterns_compile(patterns)

    @model_validator(mode="after")
    def _has_a_rule(self) -> Self:
        if not self.keywords and not self.patterns:
            raise ValueError(f"theme {self.code!r} needs keywords or patterns")
        return self


class ConsentRule(_Model):
    """Where consent is recorded and which answers mean yes."""

    column: StrictStr = "consent"
    text: StrictStr = "Do you consent to take part in this survey?"
    accepted: list[StrictStr] = Field(default_factory=lambda: ["Yes"])


class QualityRules(_Model):
    """Thresholds of the response-quality rules applied in cleaning."""

    min_progress: float = Field(default=100, ge=0, le=100)
    min_answered_share: float = Field(default=0.8, ge=0, le=1)
    speeder_fraction: float = Field(default=0.3, ge=0, le=1)
    speeder_min_seconds: float = Field(default=120, ge=0)
    straightline_min_items: int = Field(default=10, ge=2)
    test_patterns: list[StrictStr] = Field(default_factory=list)
    duplicate_keys: list[StrictStr] = Field(default_factory=lambda: ["email"])

    @field_validator("test_patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"{pattern!r} is not a regular expression: {error}") from None
        return patterns


class WeightingRules(_Model):
    """How waves are raked to the frame: R ``rake()`` controls, optional trimming, and how
    variances allow for the weighting (``variance``) and for a survey that reached a large
    share of the frame (``fpc``: the finite population correction, from the frame's total).
    Replicate variances (``jk1``, ``bootstrap``) take ``replicates`` and ``seed`` (bootstrap)
    and can write their weights to the processed parquet (``write_replicates``)."""

    epsilon: float = Field(default=1.0, gt=0)
    max_iterations: int = Field(default=50, ge=1)
    trim_ratio: float | None = Field(default=None, gt=1)
    variance: Variance = Variance.RAKED
    fpc: bool = False
    #: How many bootstrap replicates (``variance: bootstrap``; JK1 has one per respondent).
    replicates: int = Field(default=200, ge=2)
    #: The bootstrap's random seed, so that a run's standard errors can be reproduced.
    seed: int = Field(default=2026, ge=0)
    #: Write each replicate's weights to the processed parquet (``rep_1 .. rep_R``).
    write_replicates: bool = False
    base_weight: StrictStr | None = None  # a weight column of the export (not personal data)


class Wave(_Model):
    """One yearly wave: its raw file (relative to the codebook) and how it was exported."""

    id: StrictStr
    file: StrictStr
    layout: Layout
    encoding: StrictStr | None = None
    date_formats: list[StrictStr] = Field(
        default_factory=lambda: ["%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M"]
    )
    fieldwork: tuple[StrictStr, StrictStr] | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, wave_id: Any) -> Any:
        # `id: 2024` in YAML is an int; a wave name is text.
        return str(wave_id) if isinstance(wave_id, int) else wave_id


class Instrument(_Model):
    """What the questionnaire is called and who runs it."""

    id: StrictStr
    title: StrictStr
    organisation: StrictStr | None = None


class Codebook(_Model):
    """A whole codebook. Build it with :func:`load_codebook`."""

    instrument: Instrument
    #: The export column holding each response's id (after the importers' renaming);
    #: ``None``, or a column the export does not have: responses are numbered in file order.
    respondent_id: StrictStr | None = "respondent_id"
    small_cell_threshold: int = Field(default=10, ge=1)
    min_responses: int = Field(default=30, ge=1)
    missing_labels: list[StrictStr] = Field(default_factory=list)
    personal_data: list[StrictStr] = Field(default_factory=list)
    consent: ConsentRule | None = None
    quality: QualityRules = Field(default_factory=QualityRules)
    dimensions: list[StrictStr] = Field(default_factory=list)
    profile: list[StrictStr] = Field(default_factory=list)
    frame: dict[StrictStr, dict[StrictStr, float]] = Field(default_factory=dict)
    weighting: WeightingRules = Field(default_factory=WeightingRules)
    scales: dict[StrictStr, dict[int, StrictStr]] = Field(default_factory=dict)
    questions: list[Question]
    themes: dict[StrictStr, list[Theme]] = Field(default_factory=dict)
    waves: list[Wave] = Field(default_factory=list)

    _source: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        _no_repeats("question id", [question.id for question in self.questions])
        _no_repeats("wave id", [wave.id for wave in self.waves])
        by_id = {question.id: question for question in self.questions}
        for position, question in enumerate(self.questions):
            where = f"questions[{position}] ({question.id})"
            scales = [question.scale] if question.scale else []
            scales += [item.scale for item in question.items]
            for scale in scales:
                if scale not in self.scales:
                    raise ValueError(
                        f"{where}: scale {scale!r} is not defined; expected one of "
                        f"{sorted(self.scales)} under 'scales'"
                    )
        for dimension in self.dimensions:
            dimension_question = by_id.get(dimension)
            if dimension_question is None or dimension_question.type is not QuestionType.SINGLE:
                raise ValueError(
                    f"dimensions: {dimension!r} must be the id of a single-choice question"
                )
        for position, question_id in enumerate(self.profile):
            if question_id not in by_id:
                raise ValueError(
                    f"profile[{position}]: {question_id!r} is not a question id; expected one "
                    f"of {sorted(by_id)}"
                )
        for dimension, counts in self.frame.items():
            if dimension not in self.dimensions:
                raise ValueError(
                    f"frame.{dimension}: expected one of the dimensions {self.dimensions}"
                )
            unknown = sorted(set(counts) - set(by_id[dimension].option_codes()))
            if unknown:
                raise ValueError(
                    f"frame.{dimension}: {unknown} are not option codes of {dimension!r}"
                )
        known = {wave.id for wave in self.waves}
        for position, question in enumerate(self.questions):
            named = [
                (f"questions[{position}] ({question.id}).waves", question.waves),
                *(
                    (
                        f"questions[{position}] ({question.id}).options.{option.code}.waves",
                        option.waves,
                    )
                    for option in question.options
                ),
            ]
            for where, waves in named:
                unknown = sorted(set(waves or ()) - known) if known else []
                if unknown:
                    raise ValueError(
                        f"{where}: {unknown} are not wave ids; expected {sorted(known)}"
                    )
        base_weight = self.weighting.base_weight
        if base_weight is not None and base_weight in self.personal_data:
            raise ValueError(
                f"weighting.base_weight: {base_weight!r} is listed under personal_data, which "
                "is dropped; a weight column is not personal data"
            )
        variables = self.variables()
        _no_repeats("processed column", variables)
        for question_id, themes in self.themes.items():
            target = by_id.get(question_id)
            if target is None or target.type is not QuestionType.TEXT:
                raise ValueError(f"themes.{question_id}: expected the id of a text question")
            _no_repeats(f"themes.{question_id} code", [theme.code for theme in themes])
        return self

    # ----------------------------------------------------------------------------- lookups
    @property
    def source(self) -> Path | None:
        """The file this codebook was read from (raw files are relative to its folder)."""
        return self._source

    def question(self, question_id: str) -> Question:
        """The question with this id; ``KeyError`` if there is none."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def wave(self, wave_id: str) -> Wave:
        """The wave with this id; ``KeyError`` if there is none."""
        for wave in self.waves:
            if wave.id == wave_id:
                return wave
        raise KeyError(wave_id)

    def raw_path(self, wave: Wave) -> Path:
        """Where a wave's raw file is: relative to the codebook's folder."""
        base = self._source.parent if self._source else Path.cwd()
        return base / wave.file

    def questions_of(self, *types: QuestionType) -> list[Question]:
        """The questions of the given types, in questionnaire order."""
        return [question for question in self.questions if question.type in types]

    def skipped(self) -> list[Question]:
        """The questions kept in the codebook but not analysed (``type: skip``)."""
        return self.questions_of(QuestionType.SKIP)

    def export_format(self) -> Wave | None:
        """The wave whose layout, encoding and date formats describe every wave's export, when
        the waves agree on them (an export not listed under ``waves`` is read the same way);
        ``None`` when there are no waves or they differ."""
        formats = {(wave.layout, wave.encoding, tuple(wave.date_formats)) for wave in self.waves}
        return self.waves[0] if len(formats) == 1 else None

    def variables(self) -> list[str]:
        """Every analysed column of processed data, in questionnaire order."""
        columns: list[str] = []
        for question in self.questions:
            if question.type is QuestionType.MULTI:
                columns += question.multi_columns()
            elif question.type is QuestionType.GRID:
                for item in question.items:
                    columns += question.grid_columns(item)
            elif question.type is not QuestionType.SKIP:
                columns.append(question.id)
            if question.other:
                columns.append(question.other)
        return columns

    def text_columns(self) -> list[str]:
        """Columns that hold respondents' own words: text questions and other-specify."""
        columns = [question.id for question in self.questions_of(QuestionType.TEXT)]
        return columns + [question.other for question in self.questions if question.other]


# --------------------------------------------------------------------------------- loading
def reference_codebook_path() -> Path:
    """The codebook of the reference questionnaire that ships with the toolkit."""
    return Path(str(files("survey") / "reference" / "codebook.yaml"))


def load_codebook(path: Path | str) -> Codebook:
    """Read and check a codebook file.

    Parameters
    ----------
    path
        A YAML codebook.

    Returns
    -------
    Codebook
        The checked codebook; ``codebook.source`` is ``path``.

    Raises
    ------
    CodebookError
        One line naming the file, the key and what was expected.

    Examples
    --------
    >>> codebook = load_codebook(reference_codebook_path())
    >>> [wave.id for wave in codebook.waves]
    ['2024', '2025', '2026']
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CodebookError(f"{path}: codebook not found; pass --codebook FILE") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CodebookError(f"{path}: cannot read the codebook ({error})") from None
    try:
        try:
            # libyaml's loader when PyYAML has it: ten times faster than the pure-Python one
            document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            document = yaml.safe_load(text)  # whose message points where the mistake starts
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise CodebookError(f"{path}: not valid YAML{where}: {problem}") from None
    if not isinstance(document, dict):
        raise CodebookError(f"{path}: expected a mapping of keys (instrument, questions, ...)")
    try:
        codebook = Codebook.model_validate(document)
    except ValidationError as error:
        raise CodebookError(f"{path}: {_describe(error, document)}") from None
    codebook._source = path
    return codebook


def _no_repeats(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} is used twice")
        seen.add(value)


def _describe(error: ValidationError, document: dict[str, Any]) -> str:
    """The first problem of a validation error as ``key: expected ...`` (and how many more)."""
    problems = error.errors()
    first = problems[0]
    key = _key_path(first["loc"], document)
    message = str(first["msg"]).removeprefix("Value error, ")
    given = first.get("input")
    if first["type"] == "missing":
        message = "required key is missing"
    elif first["type"] == "extra_forbidden":
        message = "unknown key (check its spelling)"
    elif first["type"] == "enum":
        expected = first.get("ctx", {}).get("expected", "")
        message = f"unknown value {given!r}; expected one of {expected}"
    elif first["type"] in {"string_type", "int_type", "float_type", "bool_type"} and (
        isinstance(given, int) and first["type"] == "string_type"
    ):
        message = f"expected text, got the number {given!r}; put it in quotes in the YAML"
    else:
        message = f"{message}" + (f" (got {given!r})" if first["type"].endswith("_type") else "")
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{key}: {message}{more}" if key else f"{message}{more}"


def _key_path(location: tuple[Any, ...], document: dict[str, Any]) -> str:
    """``('questions', 3, 'options', 1, 'code')`` as ``questions[3] (years).options[1].code``."""
    parts: list[str] = []
    node: Any = document
    for step in location:
        if isinstance(step, int):
            label = f"[{step}]"
            if isinstance(node, list) and step < len(node):
                node = node[step]
                if isinstance(node, dict) and "id" in node:
                    label += f" ({node['id']})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts)
