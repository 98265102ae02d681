"""Value normalisation: exported text to codes, numbers and booleans.

Each function takes a column of exported text and returns a column of codes. A value that
cannot be coded is kept as its (stripped) text so that validation can count and show it; the
cleaning step then makes it missing. Missing labels ("Not applicable", "Prefer not to say") are
missing, never zero.

Examples
--------
>>> import pandas as pd
>>> from survey.codebook import load_codebook, reference_codebook_path
>>> codebook = load_codebook(reference_codebook_path())
>>> answers = pd.Series(["Public Library ", "PUBLIC", "public library branch", "Publc", None])
>>> code_single(answers, codebook.question("sector"), codebook.missing_labels).tolist()
['public', 'public', 'public', 'Publc', None]
>>> parse_number(pd.Series(["40 hrs", "approx 20", "2,000", "-1", "lots"])).tolist()
[40.0, 20.0, 2000.0, -1.0, nan]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.codebook import Question
from survey.rules import NUMBER_PATTERN, WEIGHT_PATTERN

__all__ = [
    "code_consent",
    "code_scale",
    "code_single",
    "map_distinct",
    "normalise",
    "number_answers",
    "parse_dates",
    "parse_number",
    "parse_weight",
    "slot_multi",
    "split_multi",
    "spread_multi",
]

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})

#: :data:`~survey.rules.NUMBER_PATTERN` (what validation accepts as a number), in any case.
_NUMBER = re.compile(NUMBER_PATTERN, re.IGNORECASE)


def normalise(text: object) -> str:
    """Text as a lookup key: curly quotes straightened, whitespace collapsed, case folded.

    >>> normalise("  Public   Library’s ")
    "public library's"
    """
    return re.sub(r"\s+", " ", str(text).translate(_QUOTES)).strip().casefold()


def map_distinct(
    series: pd.Series, function: Callable[[Any], object], *, missing: object = None
) -> npt.NDArray[np.object_]:
    """``function`` of each cell, called once per distinct value (a wave repeats its answers,
    and "n/a" or the same comment many times); a missing cell (None, NaN, NA) gets
    ``missing``.

    >>> map_distinct(pd.Series(["a", None, "b", "a"]), str.upper, missing="-").tolist()
    ['A', '-', 'B', 'A']
    """
    positions, distinct = pd.factorize(series, use_na_sentinel=True)
    values = np.empty(len(distinct) + 1, dtype=object)
    values[:-1] = [function(value) for value in distinct]
    values[-1] = missing
    result: npt.NDArray[np.object_] = values[positions]
    return result


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype("string").str.strip() == "")


def _lookup(series: pd.Series, table: Mapping[str, object], missing: Iterable[str]) -> pd.Series:
    """Map normalised text through ``table``; then missing labels and blanks to missing;
    anything else stays as its stripped text. Each distinct answer is looked up once."""
    missing_keys = {normalise(label) for label in missing}
    positions, distinct = pd.factorize(series, use_na_sentinel=True)
    coded: list[object] = []
    for value in distinct:
        text = str(value)
        key = normalise(text)
        # An option of the question wins over a missing label: "Not applicable" is an answer
        # where the question offers it (library_size: na) and no answer elsewhere.
        if not text.strip():
            coded.append(None)
        elif key in table:
            coded.append(table[key])
        else:
            coded.append(None if key in missing_keys else text.strip())
    coded.append(None)  # position -1: a missing cell
    lookup = np.empty(len(coded), dtype=object)
    lookup[:] = coded
    return pd.Series(lookup[positions], index=series.index, dtype=object)


def code_single(series: pd.Series, question: Question, missing: Iterable[str]) -> pd.Series:
    """Option codes for a single-choice column: labels, codes and aliases in any case or
    spacing are accepted. Unknown answers stay as text.
    """
    table: dict[str, object] = {}
    for option in question.options:
        for spelling in (option.code, option.label, *option.aliases):
            table.setdefault(normalise(spelling), option.code)
    return _lookup(series, table, missing)


def code_scale(series: pd.Series, scale: Mapping[int, str], missing: Iterable[str]) -> pd.Series:
    """Scale codes for a Likert or grid column: labels (any case) or the digits of the codes.

    >>> code_scale(pd.Series(["Very important", "4", "N/A", "9"]),
    ...            {4: "Very important", 5: "Extremely important"}, ["N/A"]).tolist()
    [4, 4, None, '9']
    """
    table: dict[str, object] = {}
    for code, label in scale.items():
        table[normalise(label)] = code
        table[str(code)] = code
        table[f"{code}.0"] = code
        table[normalise(f"{code} - {label}")] = code
        table[normalise(f"{code} {label}")] = code
    return _lookup(series, table, missing)


def number_answers(series: pd.Series, question: Question, missing: Iterable[str]) -> pd.Series:
    """A number question's answers as typed text for :func:`parse_number`: the labels of its
    ``value_labels`` as their numbers, missing labels ("Don't know", "Refused") as missing.

    >>> from survey.codebook import Question
    >>> count = Question(id="pets", type="number", text="How many?",
    ...                  value_labels={8: "Eight or more"})
    >>> number_answers(pd.Series(["3", "Eight or more", "Don't know", None]), count,
    ...                ["Don't know"]).tolist()
    ['3', '8', None, None]
    """
    table: dict[str, object] = {
        normalise(label): f"{number:g}" for number, label in question.value_labels.items()
    }
    missing_keys = {normalise(label) for label in missing} - set(table)
    if not table and not missing_keys:
        return series

    def answer(value: object) -> object:
        key = normalise(value)
        if key in table:
            return table[key]
        return None if key in missing_keys else value

    return pd.Series(map_distinct(series, answer), index=series.index, dtype=object)


def parse_number(series: pd.Series) -> pd.Series:
    """Numbers typed as text ("40 hrs", "approx 20", "2,000") as floats; unparseable is NaN.

    A number outside the question's range is not judged here: validation flags it and
    cleaning makes it missing.
    """
    text = series.astype("string")
    extracted = text.str.extract(_NUMBER, expand=False)
    numbers = pd.to_numeric(extracted.str.replace(",", "", regex=False), errors="coerce")
    return numbers.astype(float)


def weight_text(series: pd.Series) -> pd.Series:
    """An export's weight column as text, stripped, missing where blank (what validation
    checks: given, and a number).

    >>> weight_text(pd.Series([" 1.5 ", "", None, 2.0])).tolist()
    ['1.5', <NA>, <NA>, '2.0']
    """
    text = series.astype("string").str.strip()
    return text.mask(text == "")


def parse_weight(text: pd.Series) -> pd.Series:
    """Weights written as :data:`~survey.rules.WEIGHT_PATTERN` numbers ("1.25", "1,204.5",
    "2.5e-01") as floats; anything else, and a blank, is NaN. Zero and negative weights are
    kept as they are: validation reports them.

    >>> parse_weight(pd.Series(["1,204.5", "abc", None, "-2", "0"])).tolist()
    [1204.5, nan, nan, -2.0, 0.0]
    """
    strings = text.astype("string")
    plain = strings.where(strings.str.match(WEIGHT_PATTERN).fillna(False).astype(bool))
    numbers = pd.to_numeric(plain.str.strip().str.replace(",", "", regex=False), errors="coerce")
    return numbers.astype(float)


def parse_dates(series: pd.Series, formats: Iterable[str]) -> pd.Series:
    """Dates in any of the given formats (tried in order); anything else is ``NaT``.

    >>> parse_dates(pd.Series(["2024-03-05 14:22:10", "03/05/2024 14:22", "soon"]),
    ...             ["%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M"]).dt.day.tolist()
    [5.0, 5.0, nan]
    """
    text = series.astype("string").str.strip()
    parsed = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    for date_format in formats:
        todo = parsed.isna() & text.notna()
        if not todo.any():
            break
        parsed[todo] = dates_in(text[todo], date_format)
    return parsed


def dates_in(text: pd.Series, date_format: str) -> pd.Series:
    """``text`` read in one date format, ``NaT`` where it does not fit. A format with a time
    zone (``%z``: "2018-01-30T15:52:31.889+05") gives UTC times, so that answers given in
    different time zones compare.

    >>> dates_in(pd.Series(["2018-01-30T15:52:31+05", "2018-01-30T12:22:31+01:30"]),
    ...          "%Y-%m-%dT%H:%M:%S%z").dt.hour.tolist()
    [10, 10]
    """
    if "%z" not in date_format:
        return pd.to_datetime(text, format=date_format, errors="coerce")
    return pd.to_datetime(text, format=date_format, errors="coerce", utc=True).dt.tz_convert(None)


def code_consent(series: pd.Series, accepted: Iterable[str]) -> pd.Series:
    """``"yes"`` where the answer is one of the accepted ones, else ``"no"`` (blank is no)."""
    keys = {normalise(answer) for answer in accepted}
    yes = series.map(lambda value: value is not None and normalise(value) in keys)
    return pd.Series(np.where(yes.astype(bool), "yes", "no"), index=series.index, dtype=object)


def _multi_table(question: Question) -> dict[str, str]:
    table: dict[str, str] = {}
    for option in question.options:
        for spelling in (option.code, option.label, *option.aliases):
            table.setdefault(normalise(spelling), option.code)
    return table


def split_multi(series: pd.Series, question: Question) -> pd.DataFrame:
    """A multi-select exported as one column of joined labels, as one boolean column per
    option (missing where the question was not answered), ``<q>__n`` the number chosen and
    ``<q>__unknown`` any text that is not an option.

    Labels may themselves hold commas, so the text is split on commas and the pieces are
    re-joined greedily into the longest known label.

    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> barriers = load_codebook(reference_codebook_path()).question("barriers")
    >>> coded = split_multi(pd.Series(["Travel distance,Cost / no training budget", None]),
    ...                     barriers)
    >>> shown = ["barriers__travel", "barriers__cost", "barriers__time", "barriers__n"]
    >>> coded[shown].values.tolist()
    [[True, True, False, 2], [<NA>, <NA>, <NA>, <NA>]]
    """
    table = _multi_table(question)
    codes = question.option_codes()
    positions, distinct = pd.factorize(series, use_na_sentinel=True)
    # each distinct answer split once; the last row stands for a missing cell
    ticks = np.zeros((len(distinct) + 1, len(codes)), dtype=bool)
    answered = np.zeros(len(distinct) + 1, dtype=bool)
    unknown = np.full(len(distinct) + 1, None, dtype=object)
    for row, value in enumerate(distinct):
        if not str(value).strip():
            continue
        picked, left = _split_labels(str(value), table)
        answered[row] = True
        ticks[row] = [code in picked for code in codes]
        unknown[row] = ", ".join(left) if left else None
    return _multi_frame(
        series.index,
        question.id,
        question.multi_columns(),
        ticks[positions],
        answered[positions],
        unknown[positions],
    )


def _split_labels(value: str, table: Mapping[str, str]) -> tuple[set[str], list[str]]:
    """The option codes in a comma-joined answer (pieces re-joined greedily into the longest
    known label), and the pieces that are no option."""
    pieces = value.split(",")
    picked: set[str] = set()
    left: list[str] = []
    start = 0
    while start < len(pieces):
        for end in range(len(pieces), start, -1):
            code = table.get(normalise(",".join(pieces[start:end])))
            if code is not None:
                picked.add(code)
                start = end
                break
        else:
            if pieces[start].strip():
                left.append(pieces[start].strip())
            start += 1
    return picked, left


#: Cells of an option column that say the option was not chosen (LimeSurvey's ``N``, its R
#: export's "Not selected", SPSS dichotomies coded 0, "No"), compared stripped and case-folded.
NOT_CHOSEN = frozenset({"0", "n", "no", "not selected", "not checked", "unchecked", "false"})


def _ticked(
    series: pd.Series, chosen: Iterable[str] = (), missing: Iterable[str] = ()
) -> pd.Series:
    text = series.astype("string").str.strip().str.casefold()
    keys = {normalise(value) for value in chosen}
    if keys:
        return text.isin(keys).fillna(False).astype(bool)
    unticked = NOT_CHOSEN | {normalise(label) for label in missing}
    return ~_blank(series) & ~text.isin(unticked).fillna(False)


def spread_multi(
    frame: pd.DataFrame, question: Question, missing: Iterable[str] = ()
) -> pd.DataFrame:
    """A multi-select exported as one column per option: a non-blank cell is a tick, unless it
    says the option was not chosen (:data:`NOT_CHOSEN`) or is a ``missing`` label ("N/A");
    where the question lists what a ticked cell holds (``chosen``), only those cells are ticks.

    A respondent with no tick at all did not answer: every option is missing, not ``False``.
    (An export that writes "not chosen" in every unticked cell cannot tell a respondent who
    chose nothing from one who skipped the question; both are counted as not answering.)
    """
    columns = question.multi_columns()
    ticks = pd.DataFrame(
        {
            column: _ticked(frame[column], question.chosen, missing) if column in frame else False
            for column in columns
        },
        index=frame.index,
    )
    answered = ticks.any(axis=1).to_numpy(dtype=bool)
    return _multi_frame(
        frame.index,
        question.id,
        columns,
        ticks.to_numpy(dtype=bool),
        answered,
        np.full(len(frame), None, dtype=object),
    )


#: Missing labels that record no answer at all: a platform's code for a question seen and
#: left blank (Qualtrics' -99, LimeSurvey's "N/A"), unlike "Not applicable to my role" or
#: "Prefer not to say", which a respondent chose.
SILENT = re.compile(
    r"^(?:-?\d+|n/?a|n\.a\.|no answer|no response|not (?:shown|displayed|asked)"
    r"|seen but unanswered)$"
)


def chose_missing(series: pd.Series, missing: Iterable[str]) -> pd.Series:
    """Cells where the respondent chose a missing label ("Not applicable", "Don't know"): an
    answer to the question, though no figure. Codes for no answer (:data:`SILENT`) are not.

    >>> cells = pd.Series(["Not applicable", "-99", "N/A", "Yes", None])
    >>> chose_missing(cells, ["Not applicable", "-99", "N/A"]).tolist()
    [True, False, False, False, False]
    """
    keys = {key for key in map(normalise, missing) if not SILENT.match(key)}
    if not keys:
        return pd.Series(False, index=series.index)
    return pd.Series(
        map_distinct(series, lambda cell: normalise(cell) in keys, missing=False),
        index=series.index,
        dtype=bool,
    )


def spread_answered(frame: pd.DataFrame, question: Question, missing: Iterable[str]) -> pd.Series:
    """Whether a respondent answered a multi-select exported one column per option: any cell
    ticked, saying the option was not chosen ("No", "0") or a chosen missing label ("Don't
    know"); blanks and codes for no answer ("N/A", -99) are none. Unlike :func:`spread_multi`,
    a respondent who wrote "No" everywhere answered: this is for counting answered questions,
    not for coding choices.

    >>> from survey.codebook import Question
    >>> tools = Question(id="tools", type="multi", text="Tools?",
    ...     options=[{"code": "a", "label": "A"}, {"code": "b", "label": "B"}])
    >>> cells = pd.DataFrame({"tools__a": ["Yes", "No", None, "N/A", "Don't know"],
    ...                       "tools__b": [None, "No", "", "-99", None]})
    >>> spread_answered(cells, tools, ["N/A", "-99", "Don't know"]).tolist()
    [True, True, False, False, True]
    """
    silent = {key for key in map(normalise, missing) if SILENT.match(key)}
    answered = pd.Series(False, index=frame.index)
    for column in question.multi_columns():
        if column in frame:
            cells = frame[column]
            said = ~_blank(cells) & ~cells.map(normalise, na_action="ignore").isin(silent)
            answered |= said.fillna(False).astype(bool)
    return answered


def slot_multi(frame: pd.DataFrame, question: Question, missing: Iterable[str]) -> pd.DataFrame:
    """A multi-select exported as several columns each holding one chosen option (its
    ``columns``, mapped as ``<q>[1]``, ``<q>[2]`` ...: an SPSS categorical response set,
    "first choice" and "second choice"): an option is chosen where any of them holds it
    (label, code or alias). A respondent whose every column is blank did not answer; text that
    is no option is ``<q>__unknown``.

    >>> from survey.codebook import Question
    >>> formats = Question(id="formats", type="multi", text="Formats?",
    ...     columns=["first", "second"],
    ...     options=[{"code": "webinar", "label": "Live webinar"},
    ...              {"code": "workshop", "label": "Workshop"}])
    >>> slots = pd.DataFrame({"formats[1]": ["Workshop", None, "Podcast"],
    ...                       "formats[2]": ["Live webinar", None, None]})
    >>> coded = slot_multi(slots, formats, [])
    >>> coded.values.tolist()
    [[True, True, 2, None], [<NA>, <NA>, <NA>, None], [False, False, 0, 'Podcast']]
    """
    table = _multi_table(question)
    codes = question.option_codes()
    place = {code: position for position, code in enumerate(codes)}
    ticks = np.zeros((len(frame), len(codes)), dtype=bool)
    answered = np.zeros(len(frame), dtype=bool)
    unknown = np.full(len(frame), None, dtype=object)
    for name in question.slot_fields():
        if name not in frame:
            continue
        coded = _lookup(frame[name], table, missing).to_numpy(dtype=object)
        for row, value in enumerate(coded):
            if value is None:
                continue
            answered[row] = True
            if value in place:
                ticks[row, place[str(value)]] = True
            else:
                unknown[row] = str(value) if unknown[row] is None else f"{unknown[row]}, {value}"
    return _multi_frame(
        frame.index, question.id, question.multi_columns(), ticks, answered, unknown
    )


def _multi_frame(
    index: pd.Index,
    question_id: str,
    columns: list[str],
    ticks: npt.NDArray[np.bool_],
    answered: npt.NDArray[np.bool_],
    unknown: npt.NDArray[np.object_],
) -> pd.DataFrame:
    """One nullable boolean column per option (``ticks``: respondents x options; missing where
    not ``answered``), ``<q>__n`` the number chosen and ``<q>__unknown``."""
    data: dict[str, pd.Series] = {}
    for position, column in enumerate(columns):
        data[column] = pd.Series(
            pd.arrays.BooleanArray(ticks[:, position] & answered, ~answered), index=index
        )
    counts = pd.arrays.IntegerArray(ticks.sum(axis=1).astype("int64"), ~answered)
    data[f"{question_id}__n"] = pd.Series(counts, index=index)
    data[f"{question_id}__unknown"] = pd.Series(unknown, index=index, dtype=object)
    return pd.DataFrame(data, index=index)


#: The smallest branch (respondents giving one answer to a question) whose silence on another
#: question is read as skip logic: at least this many, and at least this share of the wave.
BRANCH_MIN_SIZE = 3
BRANCH_MIN_SHARE = 0.05


def answered_share(
    frame: pd.DataFrame, columns: list[str], *, branches: Iterable[str] = ()
) -> pd.Series:
    """The share of the given columns that hold an answer, per row, among the columns the row
    was shown.

    A column nobody answered was shown to nobody. Skip logic is read from ``branches``
    (single-choice columns, coded): where every respondent of a branch (one answer to such a
    question, given by at least :data:`BRANCH_MIN_SIZE` respondents and
    :data:`BRANCH_MIN_SHARE` of the wave) left a column blank that others answered, that
    column was not shown to that branch, and does not count against its respondents.

    >>> frame = pd.DataFrame({"sector": ["school"] * 3 + ["public"] * 3,
    ...                       "library_size": [None] * 3 + ["lt5k", "5k", None],
    ...                       "years": ["2", None, "5", "2", "2", "2"]})
    >>> share = answered_share(frame, ["sector", "library_size", "years"], branches=["sector"])
    >>> share.round(2).tolist()
    [1.0, 0.5, 1.0, 1.0, 1.0, 0.67]
    """
    if not columns:
        return pd.Series(1.0, index=frame.index)
    answered = (~frame[columns].isna()).to_numpy(dtype=bool)
    shown = np.broadcast_to(answered.any(axis=0), answered.shape).copy()
    totals = answered.sum(axis=0)
    smallest = max(BRANCH_MIN_SIZE, int(np.ceil(BRANCH_MIN_SHARE * len(frame))))
    for branch in branches:
        if branch not in frame:
            continue
        groups, _ = pd.factorize(frame[branch], use_na_sentinel=True)
        if groups.max(initial=-1) < 0:
            continue
        members = np.zeros((len(frame), groups.max() + 1), dtype=np.int64)
        rows = np.flatnonzero(groups >= 0)
        members[rows, groups[rows]] = 1
        sizes = members.sum(axis=0)
        counts = members.T @ answered.astype(np.int64)  # branches x columns answered
        unseen = (counts == 0) & (totals > 0) & (sizes >= smallest)[:, None]
        unseen[:, [position for position, c in enumerate(columns) if c == branch]] = False
        hidden = members.astype(bool) @ unseen  # rows x columns not shown
        shown &= ~hidden
    count = shown.sum(axis=1)
    share = np.where(count > 0, (answered & shown).sum(axis=1) / np.maximum(count, 1), 1.0)
    return pd.Series(share, index=frame.index)
