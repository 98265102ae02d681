"""The draft as a commented YAML codebook: every guess says what it rests on, every quality
rule how many rows of the export it would set aside."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import yaml

from survey.codebook import Codebook, QualityRules
from survey.rules import Reason

if TYPE_CHECKING:
    from survey.draft import Draft

__all__ = ["render"]

_HEADER = """\
# DRAFT codebook, guessed by `survey codebook` from {export} ({layout} export).
# It loads and `survey run` runs it as written, but every line is a guess: read it before
# trusting a result. Check, at least:
#   - each question's type (single, multi, likert, grid, number, text, skip) and its options:
#     codes are made from the labels, options are in order of frequency, not questionnaire
#     order;
#   - the order and labels of every scale under `scales` (the first is the lowest point);
#   - missing_labels: answers that mean "no answer", kept out of options and scales;
#   - personal_data: columns dropped before anything is saved (add any that were missed);
#   - dimensions: the breakdowns, guessed from the questions about respondents;
#   - frame: no margins, so runs are unweighted. Add the sampling frame's counts per
#     category of a dimension to weight (see data/raw/codebook.yaml).
# Lines starting with `#` above a question say what its guess rests on; `skip` questions are
# kept but not analysed, with the reason.
"""

#: What each quality rule sets aside, in the order a run applies them.
_RULES = {
    Reason.MISSING_ID: "rows without a respondent id",
    Reason.DUPLICATE_ID: "rows repeating an id already used",
    Reason.NO_CONSENT: "rows without consent",
    Reason.TEST_RESPONSE: "test responses (quality.test_patterns)",
    Reason.DUPLICATE: "the same person twice (quality.duplicate_keys): all but one",
    Reason.INCOMPLETE: "incomplete responses",
    Reason.SPEEDER: "speeders",
    Reason.STRAIGHTLINER: "straight-liners (grids with straightline_check)",
}


def _dump(value: Any) -> str:
    """YAML of a value, block style."""
    return yaml.safe_dump(
        value, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


def _inline(value: Any) -> str:
    """A value on one line, in YAML flow style."""
    return yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**6
    ).strip()


def _question_lines(question: dict[str, Any]) -> list[str]:
    """One question as a block mapping, its options, topics and items one a line."""
    lines: list[str] = []
    for position, (key, value) in enumerate(question.items()):
        lead = "  - " if position == 0 else "    "
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{lead}{key}:")
            lines += [f"      - {_inline(entry)}" for entry in value]
        elif isinstance(value, list | tuple | dict):
            lines.append(
                f"{lead}{key}: {_inline(list(value) if isinstance(value, tuple) else value)}"
            )
        else:
            lines.append(f"{lead}{_inline({key: value})[1:-1]}")
    return lines


def _comment(text: str, indent: str = "") -> list[str]:
    wrapped = textwrap.wrap(text, 96 - len(indent), break_long_words=False) or [text]
    return [f"{indent}# {line}".rstrip() for line in wrapped]


def _rows(count: int) -> str:
    return f"{count} row{'s' if count != 1 else ''}"


def _quality_lines(draft: Draft) -> list[str]:
    rules = draft.rules
    document = draft.document
    name = draft.export.name
    lines = ["", f"# Response-quality rules. On {name} ({_rows(rules.rows)}) they would set aside:"]
    for rule, what in _RULES.items():
        if rule in rules.by_rule:
            lines += _comment(f"  {rules.by_rule[rule]:>5}  {what}")
    invalid = [reason for reason in rules.by_rule if reason.startswith(Reason.INVALID_DIMENSION)]
    for reason in invalid:
        dimension = reason.removeprefix(Reason.INVALID_DIMENSION)
        lines += _comment(
            f"  {rules.by_rule[reason]:>5}  rows without a valid {dimension} "
            "(a breakdown dimension, below)"
        )
    kept = rules.rows - rules.set_aside
    lines += _comment(f"  {rules.set_aside:>5}  in all (a row may break several), {kept} kept")
    if "progress" in draft.left_out:
        lines += _comment("incomplete: progress below min_progress (%).")
    else:
        lines += _comment(
            "incomplete: without a progress column, a submit date where the export has one "
            "(LimeSurvey), else min_answered_share of the closed questions a response was "
            "shown (a question a whole group skipped is skip logic, not non-response)."
        )
    if rules.durations is not None:
        lines += _comment(f"speeder: not applied, {rules.durations}.")
    elif rules.median_seconds is not None:
        quality = document["quality"]
        threshold = max(
            quality["speeder_min_seconds"], quality["speeder_fraction"] * rules.median_seconds
        )
        default = QualityRules.model_fields["speeder_min_seconds"].default
        floor = (
            f"speeder_min_seconds lowered from the toolkit's {default:g} s to it, so that a "
            "short questionnaire's quick readers are kept"
            if quality["speeder_min_seconds"] < default
            else f"speeder_min_seconds is the toolkit's {default:g} s"
        )
        lines += _comment(
            f"speeder: faster than {threshold:.0f} s, the larger of speeder_min_seconds and "
            f"{quality['speeder_fraction']:.0%} of the median duration here "
            f"({rules.median_seconds:.0f} s); {floor}."
        )
    for relaxed in rules.relaxed:
        lines += _comment(f"LOWERED: {relaxed}.")
    lines += _dump({"quality": document["quality"]}).splitlines()
    return lines


def _dimension_lines(draft: Draft) -> list[str]:
    document = draft.document
    chosen = document["dimensions"]
    if chosen:
        lines = [
            "",
            "# Breakdown dimensions (single-choice question ids): results, tests and letters by",
            "# each. Guessed from the questions about respondents that (nearly) everyone",
            "# answered; a row without a valid answer to one is set aside. `survey run --by`",
            "# picks others for one run.",
        ]
    else:
        lines = [
            "",
            "# Breakdown dimensions: none guessed (no single-choice question about respondents",
            "# that nearly everyone answered). Pick some per run with `survey run ... --by Q1`.",
        ]
    singles = [
        f"{q['id']} ({len(q['options'])})"
        for q in document["questions"]
        if q["type"] == "single" and 2 <= len(q["options"]) <= 12 and q["id"] not in chosen
    ]
    if singles:
        lines += _comment("other candidates: " + ", ".join(singles))
    lines += _dump({"dimensions": chosen}).splitlines() if chosen else ["dimensions: []"]
    lines += ["# Questions describing respondents: never made into headline findings."]
    profile = document["profile"]
    lines += _dump({"profile": profile}).splitlines() if profile else ["profile: []"]
    return lines


def render(draft: Draft) -> str:
    """The draft as a commented YAML codebook that loads with
    :func:`~survey.codebook.load_codebook` as written."""
    document = draft.document
    lines = _HEADER.format(export=draft.export.name, layout=draft.layout.value).splitlines()
    lines.append("")
    lines.append("# What the questionnaire is called (the reports' titles): name it.")
    lines += _dump({"instrument": document["instrument"]}).splitlines()
    if document["respondent_id"] is None:
        lines += [
            "# The export has no respondent-id column: responses are numbered 1, 2 ... in",
            "# file order. Name the column here if it has one under another name.",
        ]
    else:
        lines.append("# The column identifying each response.")
    lines += _dump({"respondent_id": document["respondent_id"]}).splitlines()
    lines.append("# Published tables never show a group of fewer respondents than this.")
    lines += _dump({"small_cell_threshold": document["small_cell_threshold"]}).splitlines()
    default = Codebook.model_fields["min_responses"].default
    lines.append(
        "# Fewer responses than this and a wave is not accepted"
        + (
            f" (lowered from {default} to this export's size)."
            if document["min_responses"] < default
            else "."
        )
    )
    lines += _dump({"min_responses": document["min_responses"]}).splitlines()
    lines += [
        "",
        "# Answers that mean no answer wherever they appear (never an option or a scale point).",
        "# Guessed: remove any that is a real answer to one of the questions.",
    ]
    lines += _dump({"missing_labels": document["missing_labels"]}).splitlines()
    lines += ["", "# Columns that identify people: used for checks, dropped before saving."]
    lines += _dump({"personal_data": document["personal_data"]}).splitlines()
    if "consent" in document:
        lines += ["", "# Where consent is recorded; rows without an accepted answer are set aside."]
        lines += _dump({"consent": document["consent"]}).splitlines()
    lines += _quality_lines(draft)
    lines += _dimension_lines(draft)
    lines += [
        "",
        "# Sampling-frame counts per category of a dimension, for weighting. None: unweighted.",
        "# e.g.  frame: {" + "sector: {public: 1060, academic: 380}}",
        "frame: {}",
    ]
    weighting = document.get("weighting") or {}
    if weighting.get("base_weight"):
        others = [name for name in draft.weights if name != weighting["base_weight"]]
        lines += [
            "# The export's own weight column (kept apart from personal data): the starting",
            "# weights for raking to a frame:, or the weights as they are without one"
            + (f"; other weight columns: {', '.join(others)}." if others else "."),
        ]
        lines += _dump({"weighting": weighting}).splitlines()
    lines += [""]
    lines.append("scales:" if document["scales"] else "scales: {}")
    for name, points in document["scales"].items():
        for note in draft.notes.get(f"scale:{name}", []):
            lines += _comment(note, "  ")
        lines += ["  " + line for line in _dump({name: points}).splitlines()]
    lines += ["", "questions:"]
    for question in document["questions"]:
        for note in draft.notes.get(question["id"], []):
            lines += _comment(note, "  ")
        lines += _question_lines(question)
    lines += [
        "",
        "# The export this draft was made from. `survey run EXPORT --codebook THIS` also runs",
        "# any other export of the same questionnaire (its wave is named after its file, and",
        "# read with this layout).",
    ]
    lines += _dump({"waves": document["waves"]}).splitlines()
    return "\n".join(lines) + "\n"
