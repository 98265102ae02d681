"""One export column as the draft sees it (its name, question text, answers, value labels),
and what can be told of columns: their stem and sub-label, whether they are platform metadata,
personal data, an other-specify box, option ticks, joined choices, tags of a grid."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from survey.cleaning.recode import NOT_CHOSEN, dates_in
from survey.draft.vocabulary import (
    COMPUTED_TEXT,
    DATE_FORMATS,
    EMAIL,
    INTEGER,
    IPV4,
    IPV6,
    METADATA,
    METADATA_PATTERN,
    OTHER,
    PERSONAL_NAMES,
    PHONE,
    QUALTRICS_SUFFIX,
    SKIPPED_SHAPES,
    WEIGHT_NAME,
    as_identifier,
    identifier,
    is_missing_answer,
    is_number,
    normalise,
    text_words,
)
from survey.io.raw import SUBLABEL_SEPARATOR

__all__ = [
    "Column",
    "Names",
    "common_prefix",
    "common_prefix_text",
    "common_text",
    "date_formats",
    "few_codes",
    "is_metadata",
    "is_other_text",
    "is_personal",
    "is_ranking",
    "is_slot_ranking",
    "is_unique_id",
    "is_weight",
    "joined_choices",
    "key_of",
    "option_code",
    "option_tags",
    "present",
    "skipped_shape",
    "stem_of",
    "tag_codes",
    "ticks",
    "whole_numbers",
]


def option_tags(members: list[Column]) -> tuple[str, list[str]] | None:
    """The shared tag and each column's option code when the columns are tagged as a platform
    tags options (``Q2_1``, ``Q2_2``; ``Q2[SQ001]``; a matrix row's ``Q5_2_1``, ``Q5_2_2``:
    the tag ``Q5_2``), else ``None``.

    >>> names = ["Q5_2_1", "Q5_2_2"]
    >>> option_tags([Column(name, name, []) for name in names])
    ('Q5_2', ['1', '2'])
    """
    parts = [
        re.fullmatch(r"([\w#]+)(?:_([A-Za-z0-9]+)|\[(\w+)\])", column.name) for column in members
    ]
    if not all(parts):
        return None
    stems = {part.group(1) for part in parts if part}
    codes = [(part.group(2) or part.group(3)).casefold() for part in parts if part]
    if len(stems) != 1 or len(set(codes)) != len(codes):
        return None
    return stems.pop(), codes


class Names:
    """Codes handed out so far, so that each is unique."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, code: str) -> str:
        unique, number = code, 1
        while unique in self.taken:
            number += 1
            unique = f"{code}_{number}"
        self.taken.add(unique)
        return unique


@dataclass
class Column:
    """One export column: its name, the question text, its answers (stripped, not blank), and
    its cells row by row."""

    name: str
    text: str
    values: list[str]
    labels: dict[str, str] | None = None  # value labels, code -> label, in the file's order
    declared_missing: list[str] = field(default_factory=list)
    cells: list[str | None] = field(default_factory=list)  # per row: stripped, None if blank
    measure: str | None = None  # nominal, ordinal or scale, where the file declares it
    group: str | None = None  # the key the platform ties it to others by (a Qualtrics id)

    @cached_property
    def distinct(self) -> list[str]:
        """The answers, one spelling each (the most frequent), most frequent first."""
        spellings: dict[str, Counter[str]] = {}
        for value in self.values:
            spellings.setdefault(normalise(value), Counter())[value] += 1
        ranked = sorted(spellings.values(), key=lambda counts: -sum(counts.values()))
        return [counts.most_common(1)[0][0] for counts in ranked]

    def answers(self) -> list[str]:
        """The answers that are not missing-value candidates."""
        return [value for value in self.values if not is_missing_answer(value)]

    def missing_seen(self) -> list[str]:
        """Missing-value candidates among the answers, one spelling each."""
        seen: dict[str, str] = {}
        for value in self.values:
            if is_missing_answer(value):
                seen.setdefault(normalise(value), value)
        return list(seen.values())


def stem_of(column: Column) -> tuple[tuple[str, str] | None, str]:
    """The stem a column shares with its siblings, and its own part (its sub-label)."""
    name, text = column.name, QUALTRICS_SUFFIX.sub("", column.text.strip())
    if SUBLABEL_SEPARATOR in name:
        stem, sub = name.split(SUBLABEL_SEPARATOR, 1)
        return ("text", stem), sub
    if column.group is not None:
        dash = re.search(r"\s*-\s*([^-]+)$", text) if text != name else None
        return ("tag", column.group), dash.group(1).strip() if dash else name
    bracket = re.fullmatch(r"(.+?)\[(.+)\]", name)
    if bracket:
        label = re.search(r"\[([^\[\]]+)\]\s*$", text)
        return ("tag", bracket.group(1)), label.group(1) if label else bracket.group(2)
    prefixed = re.fullmatch(r"\[([^\[\]]+)\]\s*(.+)", text, re.DOTALL)
    if prefixed and text != name:  # LimeSurvey: "[Sub-question] Question"
        return ("text", prefixed.group(2)), prefixed.group(1).strip()
    if " - " in text and text != name:
        stem, sub = text.rsplit(" - ", 1)
        return ("text", stem), sub
    numbered = re.fullmatch(r"(.+?)_(\d+)", name)
    if numbered:
        dash = re.search(r"\s*-\s*([^-]+)$", text) if text != name else None
        return ("tag", numbered.group(1)), dash.group(1).strip() if dash else numbered.group(2)
    return None, name


def present(value: object) -> bool:
    if value is None:
        return False
    try:
        return not bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return True


def is_metadata(name: str) -> bool:
    key = re.sub(r"[^a-z0-9]", "", name.casefold())
    return key != "" and (key in METADATA or METADATA_PATTERN.match(key) is not None)


def is_personal(column: Column) -> bool:
    """Personal data by name (a short column name or question) or by content."""
    names = [
        " ".join(words)
        for words in (text_words(column.name, camel=True), text_words(column.text, camel=True))
    ]
    names = [name for name in names if name and len(name.split()) <= 8]
    if any(pattern.search(name) for pattern in PERSONAL_NAMES for name in names):
        return True
    values = column.values
    if not values:
        return False
    looks = sum(
        1
        for value in values
        if EMAIL.match(value)
        or IPV4.match(value)
        or (":" in value and IPV6.match(value))
        or (PHONE.match(value) and 9 <= sum(ch.isdigit() for ch in value) <= 15)
    )
    return looks >= 0.5 * len(values)


def is_other_text(column: Column, sub: str) -> bool:
    """An "Other (please specify)" text column (by sub-label or a ``_TEXT`` tag)."""
    return bool(OTHER.match(normalise(sub))) or bool(
        re.search(r"_text$", column.name, re.IGNORECASE)
    )


def ticks(members: list[Column], labels: dict[str, str]) -> bool:
    """Whether columns are one option each: every cell blank, "not chosen" (N, No, 0, Not
    selected: :data:`~survey.cleaning.recode.NOT_CHOSEN`), a missing answer (N/A), or one value
    (the same token in every column, or the column's own option label, known or a different
    value in each column)."""
    if not any(column.values for column in members):
        return False
    tokens: set[str] = set()
    own: list[str] = []  # each column's one value, where it is not the column's label
    for column in members:
        answers = [value for value in column.values if not is_missing_answer(value)]
        distinct = {normalise(value) for value in answers} - NOT_CHOSEN
        if len(distinct) > 1:
            if not OTHER.match(normalise(labels.get(column.name, ""))):
                return False
            continue
        for value in distinct:
            if value != normalise(labels.get(column.name, "")):
                tokens.add(value)
                if sum(normalise(answer) == value for answer in answers) > 1:
                    own.append(value)  # (written once, it may be someone's own words)
                else:
                    own.append("")
    # one token throughout ("Y", "1"), or a different one in each column: the option's label,
    # written in its cells by an export that has no sub-labels (a CSV of Qualtrics' choice text)
    return len(tokens) <= 1 or (
        len(own) >= 2 and len(set(own)) == len(own) and all(o and not is_number(o) for o in own)
    )


def joined_choices(values: list[str]) -> list[str] | None:
    """The options of one column of joined choices (``A,B``, ``A;B`` or ``A, B``), or
    ``None`` when the answers are not that: every piece of a joined answer must recur (be
    part of another answer, or an answer alone)."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) < 2:
        return None
    for separator in (r",(?!\s)", r"\s*;\s*", r",\s+"):
        split = [[piece.strip() for piece in re.split(separator, v)] for v in distinct]
        joined = [pieces for pieces in split if len(pieces) > 1]
        if len(joined) < max(2, 0.1 * len(distinct)):
            continue
        holders: Counter[str] = Counter()
        spelling: dict[str, str] = {}
        for pieces in split:
            for piece in dict.fromkeys(normalise(p) for p in pieces if p):
                holders[piece] += 1
        for pieces in split:
            for piece in pieces:
                if piece:
                    spelling.setdefault(normalise(piece), piece)
        if len(spelling) > 30:
            continue
        fragments = {normalise(p) for pieces in joined for p in pieces if p}
        recurring = [piece for piece in fragments if holders[piece] >= 2]
        if len(recurring) < 0.75 * len(fragments):
            continue
        return list(spelling.values())
    return None


def tag_codes(names: list[str]) -> tuple[str, list[str]] | None:
    """Grid prefix and topic codes when the column names are ``<prefix>_<topic>`` ids."""
    lowered = [as_identifier(name) for name in names]
    if any(name is None for name in lowered):
        return None
    keys = [name for name in lowered if name is not None]
    common = common_prefix(keys)
    cut = common.rfind("_")
    if cut <= 0:
        return None
    prefix, topics = common[:cut], [key[cut + 1 :] for key in keys]
    if not all(re.fullmatch(r"[a-z0-9][a-z0-9_]*", topic) for topic in topics):
        return None
    if len(set(topics)) != len(topics):
        return None
    return prefix, topics


def few_codes(numbers: list[str]) -> bool:
    """Whole numbers 0-10 taking few values, each given again and again: codes of a choice
    (averaging them would mean nothing), not amounts. At most four values in any export; up to
    ten where each is given at least twice on average.

    >>> few_codes(["1", "2", "3", "2", "1"]), few_codes(["1", "5", "3", "4", "2"] * 3)
    (True, True)
    >>> few_codes(["12", "40", "3", "250", "7"]), few_codes(["1", "2", "3", "4", "5"])
    (False, False)
    """
    distinct = {value.strip() for value in numbers}
    if not all(re.fullmatch(r"\d|10", value) for value in distinct):
        return False
    if len(distinct) <= 4:
        return len(numbers) > len(distinct)
    return len(numbers) >= 2 * len(distinct)


def option_code(label: str) -> str:
    return identifier(label, words=4, limit=32, fallback="option")


def common_text(members: list[Column]) -> str:
    texts = [QUALTRICS_SUFFIX.sub("", column.text.strip()) for column in members]
    stems = {text.rsplit(" - ", 1)[0] if " - " in text else text for text in texts}
    if len(stems) == 1:
        return stems.pop()
    return common_prefix_text(texts)


def common_prefix(texts: list[str]) -> str:
    """The longest text every one of ``texts`` starts with."""
    if not texts:
        return ""
    first, last = min(texts), max(texts)
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    return first[:length]


def common_prefix_text(texts: list[str]) -> str:
    common = common_prefix(texts).rstrip(" -|:")
    return common if len(common) >= 10 else ""


def date_formats(frame: pd.DataFrame) -> list[str]:
    """The date formats that read the export's start dates, most useful first."""
    if "start_date" not in frame:
        return []
    dates = frame["start_date"].dropna().astype(str).str.strip()
    dates = dates[dates != ""].head(500)
    if dates.empty:
        return []
    chosen: list[str] = []
    left = dates
    for date_format in DATE_FORMATS:
        parsed = dates_in(left, date_format)
        if parsed.notna().any():
            chosen.append(date_format)
            left = left[parsed.isna()]
        if left.empty:
            break
    return chosen


def key_of(name: str) -> str:
    """A column name as letters and digits, lower case (``Response ID`` -> ``responseid``)."""
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def is_unique_id(column: Column) -> bool:
    """Whether a column can identify responses: a value in (nearly) every row, (nearly) each
    value once (a repeat is quarantined as ``duplicate_id``).

    >>> is_unique_id(Column("id", "id", ["1", "2", "3"], cells=["1", "2", "3"]))
    True
    >>> is_unique_id(Column("id", "id", ["1", "1"], cells=["1", "1"]))
    False
    """
    filled = [cell for cell in column.cells if cell is not None]
    if not filled or len(filled) < 0.95 * len(column.cells):
        return False
    return len(set(filled)) >= 0.95 * len(filled)


def is_weight(column: Column) -> bool:
    """A weight column: named like one (``weight``, ``weight_a``, ``wt``, ``poids``) and holding
    positive numbers.

    >>> is_weight(Column("weight_a", "weight_a", ["1.2", "0.8"]))
    True
    >>> is_weight(Column("weight", "How much do you weigh?", ["heavy"]))
    False
    """
    if WEIGHT_NAME.fullmatch(column.name.strip()) is None:
        return False
    numbers = pd.to_numeric(pd.Series(column.values, dtype=object), errors="coerce")
    return bool(len(numbers)) and bool(numbers.notna().all()) and bool((numbers > 0).mean() > 0.5)


def skipped_shape(column: Column) -> str | None:
    """Why a column is no answer the toolkit analyses (display order, a timer, an upload), or
    ``None``."""
    for pattern, reason in SKIPPED_SHAPES:
        if pattern.search(column.name):
            return reason
    if COMPUTED_TEXT.search(column.text) and column.text != column.name:
        return "a value computed from other answers (an equation or a filter), not an answer"
    uploads = [value for value in column.values if value.startswith("[{") and '"' in value]
    if column.values and len(uploads) >= 0.5 * len(column.values):
        return "a file upload"
    return None


def whole_numbers(column: Column) -> list[int] | None:
    """The column's answers as whole numbers, or ``None`` if one is not."""
    numbers: list[int] = []
    for value in column.values:
        if not INTEGER.match(value):
            return None
        numbers.append(int(float(value)))
    return numbers


def is_ranking(members: list[Column]) -> bool:
    """Whether columns rank items, one column an item: whole numbers 1..k (k the number of
    columns) and, in every row, each rank given once; most rows rank every item.

    >>> rows = [["1", "2", "3"], ["3", "1", "2"], ["2", "3", "1"]]
    >>> items = [Column(f"r_{i}", "", [r[i] for r in rows], cells=[r[i] for r in rows])
    ...          for i in range(3)]
    >>> is_ranking(items)
    True
    """
    if len(members) < 2 or not all(column.values for column in members):
        return False
    for column in members:
        numbers = whole_numbers(column)
        if numbers is None or min(numbers) < 1 or max(numbers) > len(members):
            return False
    rows = list(zip(*(column.cells for column in members), strict=True))
    ranked = [[cell for cell in row if cell is not None] for row in rows]
    ranked = [row for row in ranked if row]
    whole = [row for row in ranked if len(row) == len(members)]
    return (
        len(whole) >= 0.8 * len(ranked)
        and bool(whole)
        and all(len(set(row)) == len(row) for row in ranked)
    )


def is_slot_ranking(members: list[Column]) -> bool:
    """Whether columns are ranks, one column a rank, each holding the item put there: the same
    few answers in every column and, in every row, each item once (LimeSurvey ``order_1``,
    ``order_2`` ...)."""
    if len(members) < 2 or not all(column.values for column in members):
        return False
    items = {normalise(value) for column in members for value in column.values}
    if len(items) > max(len(members), 2) * 2 or any(INTEGER.match(i) for i in items):
        return False
    rows = list(zip(*(column.cells for column in members), strict=True))
    ranked = [[normalise(cell) for cell in row if cell is not None] for row in rows]
    ranked = [row for row in ranked if len(row) > 1]
    return len(ranked) >= 1 and all(len(set(row)) == len(row) for row in ranked)
