"""The guessing: what each export column, or group of columns, asks, as codebook questions.

:class:`Drafter` walks the export's columns in order. It sets aside platform metadata, the
respondent id, weights, personal data and consent, then makes one question of each declared
response set, of each group of columns sharing a stem (``Q2_1``, ``Q2_2``; ``text | option``;
``Q4#1_1``), and of each remaining column. Every question names the export columns it reads
(``column``, ``options[].column``, ``topics[].columns``, ``columns``) wherever its id or text
would not find them, so that the draft runs on the export it was made from as written.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pandas as pd

from survey.cleaning.recode import NOT_CHOSEN
from survey.draft.columns import (
    Column,
    Names,
    common_prefix_text,
    common_text,
    few_codes,
    is_metadata,
    is_other_text,
    is_personal,
    is_ranking,
    is_slot_ranking,
    is_unique_id,
    is_weight,
    joined_choices,
    key_of,
    option_code,
    option_tags,
    present,
    skipped_shape,
    stem_of,
    tag_codes,
    ticks,
    whole_numbers,
)
from survey.draft.scales import ScaleGuess, Scales, guess_scale
from survey.draft.vocabulary import (
    ACCEPTED_CONSENT,
    CHOICE_WORDS,
    ID_NAMES,
    INTEGER,
    MAYBE_ANSWER,
    OPEN_QUESTION,
    OTHER,
    QUALTRICS_SUFFIX,
    RATING_WORDS,
    TICK_WORDS,
    identifier,
    is_missing_answer,
    is_number,
    normalise,
    tag_identifier,
    text_words,
)
from survey.io.raw import SUBLABEL_SEPARATOR, RawExport

__all__ = ["Drafter", "Setting"]


def _key(name: str) -> str:
    """A column name as :func:`~survey.io.map_to_codebook` compares names."""
    return re.sub(r"\s+", " ", name).strip().casefold()


class Setting:
    """What the drafter set aside before making questions: the respondent id, platform
    metadata, weights, personal data and consent."""

    def __init__(self) -> None:
        self.respondent_id: str | None = None
        self.left_out: list[str] = []
        self.weights: list[str] = []
        self.personal: list[str] = []
        self.consent: dict[str, Any] | None = None


class Drafter:
    """The guessing, column by column, then group by group.

    Attributes
    ----------
    questions
        The drafted questions, as YAML would hold them, in the export's order.
    notes
        Question id (or ``scale:<name>``) -> what the guess rests on and what to check.
    missing
        Answers that mean "no answer", by their normalised text.
    scales
        The rating scales the questions use.
    setting
        The columns set aside.
    """

    def __init__(self, export: RawExport, *, single_max: int = 20) -> None:
        self.export = export
        self.single_max = single_max
        self.ids = Names()
        self.scales = Scales()
        self.notes: dict[str, list[str]] = {}
        self.missing: dict[str, str] = {}  # normalised -> spelling
        self.questions: list[dict[str, Any]] = []
        self.setting = Setting()

    # ------------------------------------------------------------------------ columns
    def column(self, name: str) -> Column:
        series = self.export.frame[name]
        cells = [
            (str(value).strip() or None) if present(value) else None for value in series.tolist()
        ]
        declared = [str(code) for code in self.export.missing_values.get(name, [])]
        return Column(
            name,
            self.export.question_text.get(name, name) or name,
            [cell for cell in cells if cell is not None],
            self.export.value_labels.get(name),
            declared,
            cells=cells,
            measure=self.export.measures.get(name),
            group=self.export.groups.get(name),
        )

    def run(self) -> None:
        """Draft every question of the export."""
        columns = [self.column(str(name)) for name in self.export.frame.columns]
        setting = self.setting
        setting.respondent_id = _respondent_id(columns)
        rest = [c for c in columns if c.name != setting.respondent_id]
        setting.left_out = [c.name for c in rest if is_metadata(c.name) or _row_numbers(c)]
        rest = [c for c in rest if c.name not in setting.left_out]
        setting.weights = [c.name for c in rest if is_weight(c)]
        rest = [c for c in rest if c.name not in setting.weights]
        setting.personal = [c.name for c in rest if is_personal(c)]
        rest = [c for c in rest if c.name not in setting.personal]
        setting.consent = self.consent(rest)
        if setting.consent:
            rest = [c for c in rest if c.name != setting.consent["column"]]
        self.declared_missing(rest)
        self.build(rest)
        unseen = self.scales.unseen_notes()
        for name, notes in self.scales.notes.items():
            notes = [*notes, *([unseen[name]] if name in unseen else [])]
            if notes:
                self.notes[f"scale:{name}"] = notes

    def consent(self, columns: list[Column]) -> dict[str, Any] | None:
        for column in columns:
            found = " ".join(text_words(column.name) + text_words(column.text))
            distinct = column.distinct
            if "consent" not in found or not 1 <= len(distinct) <= 4:
                continue
            accepted = [v for v in distinct if ACCEPTED_CONSENT.match(normalise(v))]
            if accepted:
                return {"column": column.name, "text": column.text, "accepted": accepted}
        return None

    def declared_missing(self, columns: list[Column]) -> None:
        for column in columns:
            for code in column.declared_missing:
                label = (column.labels or {}).get(code)
                for value in (label, code):
                    if value:
                        self.missing.setdefault(normalise(value), value)

    # ------------------------------------------------------------------------- groups
    def build(self, columns: list[Column]) -> None:
        by_name = {column.name: column for column in columns}
        sets = {
            name: [by_name[c] for c in members if c in by_name]
            for name, members in self.export.multi_sets.items()
        }
        in_sets = {c.name for members in sets.values() for c in members}
        stems: dict[tuple[str, str], list[Column]] = {}
        subs: dict[str, str] = {}
        for column in columns:
            stem, sub = stem_of(column)
            subs[column.name] = sub
            if stem is not None and column.name not in in_sets and not skipped_shape(column):
                stems.setdefault(stem, []).append(column)
        placed: set[str] = set()
        others: list[tuple[Column, str]] = []
        for column in columns:
            if column.name in placed:
                continue
            declared = next(
                (
                    (name, members)
                    for name, members in sets.items()
                    if members and members[0].name == column.name
                ),
                None,
            )
            if declared is not None:
                name, members = declared
                self.declared_set(name, members, subs)
                placed |= {c.name for c in members}
                continue
            stem, _ = stem_of(column)
            group = stems.get(stem, []) if stem is not None else []
            if stem is not None and len(group) >= 2 and column in group:
                self.group(stem, group, subs)
                placed |= {c.name for c in group}
            elif is_other_text(column, subs.get(column.name, "")):
                others.append((column, subs.get(column.name, "")))
                placed.add(column.name)
            else:
                self.single_column(column)
                placed.add(column.name)
        for column, sub in others:
            if not self.attach_other(column, sub):
                self.single_column(column)
        self.merge_grids()

    def declared_set(self, name: str, members: list[Column], subs: dict[str, str]) -> None:
        """A response set the file declares: one option a column (a dichotomy set), or
        columns each holding one chosen category (an SPSS categorical set)."""
        text = (self.export.set_text.get(name) or common_text(members) or name).strip()
        if name in self.export.categorical_sets:
            self.slot_multi(name, text, members)
            return
        chosen = self.export.set_chosen.get(name)
        self.multi(
            name,
            text,
            members,
            {c.name: subs.get(c.name, c.name) for c in members},
            reason="columns of a response set the file declares",
            chosen=[chosen] if chosen is not None else [],
            named=True,
        )

    def group(self, stem: tuple[str, str], members: list[Column], subs: dict[str, str]) -> None:
        kind, stem_text = stem
        text = (stem_text if kind == "text" else common_text(members) or stem_text).strip()
        labels = {c.name: subs[c.name] for c in members}
        if is_ranking(members):
            for column in members:
                self.number(
                    column,
                    [value for value in column.values],
                    note=f"ranking: each of {len(members)} items ranked 1-{len(members)} "
                    "(1 = first); results show its mean rank",
                    limits=(1, len(members)),
                )
            return
        if ticks(members, labels):
            for column in members:
                self.note_missing(column)  # "N/A" where the sub-question was not answered
            self.multi(stem_text, text, members, labels)
            return
        rating = bool(RATING_WORDS.search(text))
        ordinal = all(column.measure == "ordinal" for column in members)
        values = [value for c in members for value in c.answers()]
        guess = guess_scale(values, members[0].labels, rating=rating, ordinal=ordinal)
        same_labels = len({tuple(sorted((c.labels or {}).items())) for c in members}) == 1
        if guess is not None and same_labels:
            for column in members:
                self.note_missing(column)
            self.grid(stem, text, members, labels, guess)
            return
        if is_slot_ranking(members) and all(re.search(r"\d$", c.name) for c in members):
            for rank, column in enumerate(members, start=1):
                self.single_column(
                    column, note=f"ranking: the item ranked {rank} of {len(members)}"
                )
            return
        for column in members:
            self.single_column(column)

    # ---------------------------------------------------------------------- questions
    def naming(self, column: Column) -> tuple[str, str, dict[str, Any]]:
        """A question's id, its text, and the ``column`` key it needs (``{}`` when its id
        names the column)."""
        text = QUALTRICS_SUFFIX.sub("", column.text.strip()) or column.name
        wanted = tag_identifier(column.name)
        if wanted is not None and wanted not in self.ids.taken:
            question_id = self.ids.claim(wanted)
        else:
            stem, sub = stem_of(column)
            source = sub if stem is not None and stem[0] == "text" and sub else column.name
            question_id = self.ids.claim(identifier(source))
        if stem_text := _stem_text(column):
            text = stem_text
        found = {} if _key(question_id) == _key(column.name) else {"column": column.name}
        return question_id, text, found

    def note_missing(self, column: Column, *, keep_maybe: bool = False) -> None:
        """List a column's "no answer" answers under missing_labels."""
        for value in column.missing_seen():
            if not (keep_maybe and normalise(value) in MAYBE_ANSWER):
                self.missing.setdefault(normalise(value), value)

    def skip(self, column: Column, reason: str) -> None:
        question_id, text, _ = self.naming(column)
        self.add(
            {
                "id": question_id,
                "type": "skip",
                "text": text,
                "reason": reason,
                "columns": [column.name],
            },
            [f"not analysed: {reason}"],
        )

    def single_column(self, column: Column, *, note: str | None = None) -> None:
        shape = skipped_shape(column)
        if shape is not None:
            self.skip(column, shape)
            return
        answers = column.answers()
        if not answers and not column.labels:
            self.skip(
                column,
                "no answers in this export, so its type cannot be guessed; give it a type "
                "when an export has answers",
            )
            return
        typed = [value for value in answers if is_number(value)]
        numeric = len(typed) >= 0.9 * len(answers)
        if column.name in self.export.open_text and not column.labels and not numeric:
            question_id, text, found = self.naming(column)
            self.add(
                {"id": question_id, "type": "text", "text": text, **found},
                ["text: the export marks it as typed answers"],
            )
            return
        if self.labelled_number(column):
            return
        rating = bool(RATING_WORDS.search(column.text) or RATING_WORDS.search(column.name))
        guess = guess_scale(
            answers, column.labels, rating=rating, ordinal=column.measure == "ordinal"
        )
        if guess is not None:
            self.note_missing(column)
            self.likert(column, self.scales.place(guess), note=_scale_reason(guess))
            return
        numbers = [value for value in answers if is_number(value)]
        is_numeric = len(numbers) >= 0.9 * len(answers) and not column.labels
        asks_choice = bool(CHOICE_WORDS.search(column.text)) and all(
            re.fullmatch(r"\d{1,2}", value.strip()) for value in numbers
        )
        if is_numeric and not few_codes(numbers) and not asks_choice:
            self.note_missing(column)
            self.number(column, numbers)
            return
        if is_numeric:  # a few codes without labels: the options of a choice
            self.note_missing(column, keep_maybe=True)
            self.single(column, note=note)
            return
        choices = joined_choices(answers)
        if choices is not None and not column.labels:
            self.note_missing(column)
            question_id, text, found = self.naming(column)
            codes = Names()
            options = [{"code": codes.claim(option_code(c)), "label": c} for c in choices]
            self.add(
                {"id": question_id, "type": "multi", "text": text, **found, "options": options},
                ["multi-select: one column of joined choices; options in order seen"],
            )
            return
        if self._is_choice(column):
            self.note_missing(column, keep_maybe=True)
            self.single(column, note=note)
            return
        question_id, text, found = self.naming(column)
        self.add(
            {"id": question_id, "type": "text", "text": text, **found},
            [f"text: {len({normalise(v) for v in answers})} different answers"],
        )

    def labelled_number(self, column: Column) -> bool:
        """A number whose file labels only some values: its missing codes ("98 = Don't
        know"), or the ends of its range ("8 = Eight or more", "0 = None"). Drafted as a
        number with those labels, and the missing codes under missing_labels."""
        labels = column.labels
        if not labels or column.measure == "ordinal":
            return False
        missing_codes = {
            code
            for code, label in labels.items()
            if code in column.declared_missing or is_missing_answer(label)
        }
        kept = {code: label for code, label in labels.items() if code not in missing_codes}
        shown = {normalise(label) for label in labels.values()}
        answers = [v for v in column.values if normalise(v) not in shown]
        numbers = [float(v) for v in answers if INTEGER.match(v) or is_number(v)]
        if len(answers) < 3 or len(numbers) < 0.9 * len(answers):
            return False
        if not all(INTEGER.match(code) for code in kept):
            return False
        low, high = min(numbers), max(numbers)
        at_ends = all(float(code) >= high or float(code) <= low for code in kept)
        unlabelled = {v for v in answers if v not in labels}
        if len(kept) > 2 or not at_ends or len(unlabelled) < 3:
            return False
        for code in missing_codes:
            self.missing.setdefault(normalise(labels[code]), labels[code])
        self.number(
            column,
            [*answers, *kept],
            value_labels={float(code): label for code, label in kept.items()},
            note="the file labels only "
            + ", ".join(f"{code} ({label})" for code, label in labels.items())
            + ": a number, those labels as their numbers or as missing",
        )
        return True

    def _is_choice(self, column: Column) -> bool:
        """Few distinct short answers (or value labels): a single-choice question."""
        if column.labels:
            return len(column.labels) <= self.single_max  # more: free text coded by the file
        answers = [v for v in column.values if not is_missing_answer(v, keep_maybe=True)]
        distinct = {normalise(value) for value in answers}
        if not distinct or len(distinct) > self.single_max:
            return False
        counts = Counter(normalise(value) for value in answers)
        if len(answers) >= 20 and len(answers) >= 5 * len(distinct) and min(counts.values()) > 1:
            return True  # long labels, each chosen again and again: nobody's own words
        found = " ".join(text_words(column.name) + text_words(column.text))
        if OPEN_QUESTION.search(found) and len(distinct) > 3:
            return False
        mean_length = sum(len(value) for value in answers) / len(answers)
        sentences = sum(1 for value in answers if re.search(r"[.!?]$|\. ", value))
        if mean_length > 40 or sentences >= 0.3 * len(answers):
            return False
        if any(re.search(r"@\w|https?://|www\.", value) for value in answers):
            return False  # an e-mail address or a link: someone's own words
        once = sum(1 for count in counts.values() if count == 1)
        if len(distinct) > 8 and once > 0.4 * len(distinct):
            return False
        return len(distinct) <= 3 or len(answers) < 5 or len(distinct) <= 0.6 * len(answers)

    def single(self, column: Column, *, note: str | None = None) -> None:
        question_id, text, found = self.naming(column)
        codes = Names()
        options: list[dict[str, Any]] = []
        notes = [note] if note else []
        if column.labels:
            missing_codes = set(column.declared_missing)
            for code, label in column.labels.items():
                if code in missing_codes or is_missing_answer(label, keep_maybe=True):
                    self.missing.setdefault(normalise(label), label)
                    continue
                option: dict[str, Any] = {"code": codes.claim(option_code(label)), "label": label}
                if normalise(code) != normalise(label):
                    option["aliases"] = [code]
                options.append(option)
            notes.append("options from the file's value labels, in its order")
            seen = {normalise(label) for label in column.labels.values()}
            extra = [
                v
                for v in column.distinct
                if normalise(v) not in seen
                and not is_missing_answer(v, keep_maybe=True)
                and v != "-oth-"
            ]
            for value in extra:  # answers the file gives no label: options as they are
                options.append({"code": codes.claim(option_code(value)), "label": value})
            if extra:
                notes.append(
                    "answers without a value label, options as exported: "
                    + ", ".join(map(repr, extra[:5]))
                )
        else:
            distinct = [v for v in column.distinct if not is_missing_answer(v, keep_maybe=True)]
            counts = Counter(normalise(value) for value in column.values)
            if all(INTEGER.match(value) for value in distinct):
                distinct.sort(key=lambda value: float(value))
                notes.append("options are numbers: codes without labels? write the labels")
            else:
                notes.append("options in order of frequency: put them in questionnaire order")
            rare = [
                v for v in distinct if counts[normalise(v)] == 1 and not OTHER.match(normalise(v))
            ]
            if len(distinct) > 3 and len(column.values) >= 20 and rare:
                notes.append(
                    "seen once: "
                    + ", ".join(repr(value) for value in rare[:4])
                    + " (check: a misspelt option? then make it an alias of that option)"
                )
            left = [v for v in column.missing_seen() if is_missing_answer(v, keep_maybe=True)]
            if left:
                notes.append(
                    ", ".join(repr(value) for value in left)
                    + " left out as missing: make it an option if it is an answer here"
                )
            for label in distinct:
                code = "other" if OTHER.match(normalise(label)) else option_code(label)
                options.append({"code": codes.claim(code), "label": label})
        if "-oth-" in column.values and "other" not in {o["code"] for o in options}:
            options.append({"code": "other", "label": "Other", "aliases": ["-oth-"]})
            notes.append("'-oth-' is LimeSurvey's 'Other' answer")
        if not options:
            self.skip(column, "no answer other than missing codes in this export")
            return
        if len(options) == 1:
            notes.append("one option only: a tick of a multi-select? then make one multi question")
        self.add(
            {"id": question_id, "type": "single", "text": text, **found, "options": options},
            [f"single choice: {len(options)} options", *notes],
        )

    def number(
        self,
        column: Column,
        numbers: list[str],
        *,
        note: str | None = None,
        limits: tuple[float, float] | None = None,
        value_labels: dict[float, str] | None = None,
    ) -> None:
        question_id, text, found = self.naming(column)
        parsed = pd.to_numeric(
            pd.Series(numbers, dtype=object)
            .astype(str)
            .str.extract(r"([-+]?[\d,]*\.?\d+)", expand=False)
            .str.replace(",", "", regex=False),
            errors="coerce",
        ).dropna()
        question: dict[str, Any] = {"id": question_id, "type": "number", "text": text, **found}
        described = "number"
        if len(parsed):
            low, high = float(parsed.min()), float(parsed.max())
            described = f"number: answers from {low:g} to {high:g}"
            codes = [value for value in column.values if is_missing_answer(value)]
            if codes and low >= 0 and limits is None:
                question["range"] = [0, high]
                described += f"; {', '.join(sorted(set(codes)))} look like missing codes"
        if limits is not None:
            question["range"] = list(limits)
        if value_labels:
            question["value_labels"] = value_labels
        self.add(question, [described, *([note] if note else [])])

    def likert(self, column: Column, scale: str, *, note: str) -> None:
        question_id, text, found = self.naming(column)
        self.add(
            {"id": question_id, "type": "likert", "scale": scale, "text": text, **found},
            [f"likert on the {scale} scale ({note})"],
        )

    def multi(
        self,
        stem: str,
        text: str,
        members: list[Column],
        labels: dict[str, str],
        *,
        reason: str = "columns holding one value or blank",
        chosen: list[str] | None = None,
        named: bool = False,
    ) -> None:
        """A multi-select exported one column per option, each option naming its column; a
        set the file ``named`` keeps its name as the id."""
        tags = option_tags(members)
        wanted = tag_identifier(tags[0] if tags is not None and not named else stem)
        if wanted is not None and wanted not in self.ids.taken:
            question_id = self.ids.claim(wanted)
        else:
            question_id = self.ids.claim(identifier(stem, words=3, fallback="multi"))
        codes = Names()
        options = []
        notes: list[str] = []
        for position, column in enumerate(members):
            label = labels.get(column.name) or column.name
            said = {
                value
                for value in column.values
                if normalise(value) not in NOT_CHOSEN and not is_missing_answer(value)
            }
            if len(said) == 1 and normalise(next(iter(said))) not in TICK_WORDS:
                label = next(iter(said))  # the cells name the option (SurveyMonkey, Qualtrics)
            if tags is not None:
                code = tags[1][position]
            else:
                code = "other" if OTHER.match(normalise(label)) else option_code(label)
            code = codes.claim(code)
            option: dict[str, Any] = {"code": code, "label": label}
            defaults = {
                _key(f"{question_id}__{code}"),
                _key(f"{question_id}_{code}"),
                _key(f"{question_id}[{code}]"),
                _key(f"{text}{SUBLABEL_SEPARATOR}{label}"),
            }
            if _key(column.name) not in defaults:
                option["column"] = column.name
            options.append(option)
        ticked = [c for c in members if not OTHER.match(normalise(labels.get(c.name, "")))]
        two_valued = sorted(
            {v for c in ticked if len({normalise(x) for x in c.values}) > 1 for v in c.distinct}
        )
        unknown = [v for v in two_valued if normalise(v) not in NOT_CHOSEN]
        if chosen:
            notes.append(f"a cell holding {chosen[0]!r} is a tick (the set's counted value)")
        elif len(unknown) > 1:
            notes.append(
                f"cells hold {', '.join(map(repr, unknown[:3]))}: the toolkit counts a cell as "
                "ticked unless it is blank or says not chosen (N, No, 0, Not selected); name "
                "the ticked values under 'chosen' if that is wrong"
            )
        question: dict[str, Any] = {"id": question_id, "type": "multi", "text": text}
        if chosen:
            question["chosen"] = chosen
        question["options"] = options
        self.add(question, [f"multi-select: {len(members)} {reason}", *notes])

    def slot_multi(self, stem: str, text: str, members: list[Column]) -> None:
        """A multi-select whose columns each hold one chosen option (an SPSS categorical
        response set): options are the categories."""
        wanted = tag_identifier(stem)
        question_id = self.ids.claim(
            wanted if wanted and wanted not in self.ids.taken else identifier(stem, words=3)
        )
        codes = Names()
        options: list[dict[str, Any]] = []
        seen: set[str] = set()
        for column in members:
            for code, label in (column.labels or {}).items():
                if code in column.declared_missing or is_missing_answer(label):
                    self.missing.setdefault(normalise(label), label)
                    continue
                if normalise(label) in seen:
                    continue
                seen.add(normalise(label))
                option: dict[str, Any] = {"code": codes.claim(option_code(label)), "label": label}
                if normalise(code) != normalise(label):
                    option["aliases"] = [code]
                options.append(option)
            for value in column.distinct:
                if normalise(value) not in seen and not is_missing_answer(value):
                    seen.add(normalise(value))
                    options.append({"code": codes.claim(option_code(value)), "label": value})
        if not options:
            for column in members:
                self.skip(column, "a response set with no answers in this export")
            return
        self.add(
            {
                "id": question_id,
                "type": "multi",
                "text": text,
                "columns": [column.name for column in members],
                "options": options,
            },
            [
                f"multi-select: {len(members)} columns of a categorical response set, each "
                "holding one chosen option"
            ],
        )

    def grid(
        self,
        stem: tuple[str, str],
        text: str,
        members: list[Column],
        labels: dict[str, str],
        guess: ScaleGuess,
    ) -> None:
        scale = self.scales.place(guess)
        names = [column.name for column in members]
        codes = tag_codes(names)
        if codes is not None:
            prefix, topics = codes
        else:
            tagged = tag_identifier(stem[1]) if stem[0] == "tag" else None
            prefix = tagged or identifier(stem[1], words=2, limit=20, fallback="grid")
            topic_names = Names()
            topics = [topic_names.claim(option_code(labels[name])) for name in names]
        question_id = self.ids.claim(prefix)
        prefix = question_id  # its processed columns are <prefix>_<topic>: unique as the id
        entries = []
        for code, name in zip(topics, names, strict=True):
            topic: dict[str, Any] = {"code": code, "label": labels[name]}
            if _key(f"{prefix}_{code}") != _key(name) and _key(f"{prefix}[{code}]") != _key(name):
                topic["columns"] = {prefix: name}
            entries.append(topic)
        self.add(
            {
                "id": question_id,
                "type": "grid",
                "text": text,
                "items": [{"prefix": prefix, "scale": scale, "text": text}],
                "topics": entries,
            },
            [f"grid: {len(members)} columns rated on the {scale} scale"],
        )

    def merge_grids(self) -> None:
        """Grids asking different things of the same topics become one grid of several items
        (importance and confidence of each topic)."""
        merged: list[dict[str, Any]] = []
        by_topics: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
        for question in self.questions:
            if question["type"] != "grid":
                merged.append(question)
                continue
            key = tuple((topic["code"], topic["label"]) for topic in question["topics"])
            first = by_topics.get(key)
            if first is None:
                by_topics[key] = question
                merged.append(question)
                continue
            first["items"] = [*first["items"], *question["items"]]
            for target, topic in zip(first["topics"], question["topics"], strict=True):
                if "columns" in topic:
                    target["columns"] = {**target.get("columns", {}), **topic["columns"]}
            texts = [item["text"] for item in first["items"]]
            first["text"] = common_prefix_text(texts) or " / ".join(texts)
            self.notes[first["id"]] = [
                f"grid: {len(first['items'])} ratings of the same {len(key)} topics, scales "
                + ", ".join(item["scale"] for item in first["items"]),
                *self.notes[first["id"]][1:],
                *self.notes.pop(question["id"], [])[1:],
            ]
            self.ids.taken.discard(question["id"])
        self.questions = merged

    def attach_other(self, column: Column, sub: str) -> bool:
        """Make an "Other (please specify)" text column the ``other`` of its question."""
        stem, _ = stem_of(column)
        base = re.sub(r"(?:_\d+)?_text$", "", column.name, flags=re.IGNORECASE)
        for question in self.questions:
            if question["type"] != "single" or "other" in question:
                continue
            by_text = stem is not None and stem[1] == question["text"]
            host = question.get("column", question["id"])
            by_tag = base != column.name and _key(base) == _key(host)
            if not (by_text or by_tag):
                continue
            wanted = tag_identifier(column.name)
            if wanted is not None and wanted not in self.ids.taken:
                other = self.ids.claim(wanted)
            else:
                other = self.ids.claim(f"{question['id']}_other")
            question["other"] = other
            if _key(other) != _key(column.name):
                question["other_column"] = column.name
            self.notes[question["id"]].append(f"other-specify text in column {column.name!r}")
            return True
        return False

    def add(self, question: dict[str, Any], notes: list[str]) -> None:
        self.questions.append(question)
        self.notes[question["id"]] = notes


# --------------------------------------------------------------------------- helpers
def _respondent_id(columns: list[Column]) -> str | None:
    """The column identifying responses: the readers' ``respondent_id``, else a column named
    like an id (``id``, ``unique_id``, ``ResponseId``, pandas' unnamed index) whose values
    are unique; ``None`` when the export has none."""
    by_key: dict[str, Column] = {}
    for column in columns:
        by_key.setdefault(key_of(column.name), column)
    platform = by_key.get("respondentid")
    if platform is not None and len(platform.values) >= 0.5 * len(platform.cells):
        return platform.name  # the platform's own: a repeat is quarantined as duplicate_id
    for name in ID_NAMES:
        found = by_key.get(name)
        if found is not None and is_unique_id(found):
            return found.name
    return None


def _row_numbers(column: Column) -> bool:
    """An unnamed column numbering the rows (the index pandas' ``to_csv`` writes)."""
    if not column.name.startswith("unnamed"):
        return False
    numbers = whole_numbers(column)
    if not numbers:
        return False
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _stem_text(column: Column) -> str | None:
    """The text of a column that is one of a group (``question | option``): ``question -
    option``, so that the question reads whole."""
    if SUBLABEL_SEPARATOR not in column.name:
        return None
    stem, sub = column.name.split(SUBLABEL_SEPARATOR, 1)
    return f"{stem} - {sub}"


def _scale_reason(guess: ScaleGuess) -> str:
    if guess.family.startswith("scale_"):
        return "answers are whole numbers of a rating question"
    if guess.family == "ordered":
        return "value labels declared ordinal"
    return f"answers are {guess.family} labels"
