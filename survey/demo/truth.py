"""The documents written beside the exports: ``ground_truth.yaml`` and ``README.md``.

:func:`ground_truth_document` gathers what was planted where: the planted effects with their
intended sizes (:mod:`survey.demo.effects`), the kinds of mess in words and, for every wave, the
ids each kind was planted in and the ids that should survive cleaning
(:func:`survey.demo.mess.wave_truth`). :func:`dump_yaml` writes it as YAML, the long id lists
directly, line by line, which is much faster than the YAML emitter at large ``n``.
:func:`render_readme` says the same for people. The codebook is copied unchanged by
:func:`survey.demo.write_demo`.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from typing import Any

import yaml

from survey.demo.effects import NORTHERN, effect_descriptions, planted_effects
from survey.demo.instrument import Instrument
from survey.demo.mess import mess_descriptions
from survey.demo.writers import DEMO_MARKER

__all__ = ["dump_yaml", "ground_truth_document", "render_readme"]


def ground_truth_document(
    instrument: Instrument, waves: Mapping[str, dict[str, Any]], *, seed: int, n: int | None
) -> dict[str, Any]:
    """The ground truth: notes, the kinds of mess, the planted effects and each wave's truth."""
    return {
        "synthetic": True,
        "marker": DEMO_MARKER,
        "generator": "survey.demo.write_demo",
        "seed": seed,
        "n": n,
        "notes": [
            "Respondent ids are text: Qualtrics ResponseId, SurveyMonkey Respondent ID.",
            "Each kind lists the ids it was planted in; the kinds are disjoint except that "
            "duplicate_id names an id that appears on two rows.",
            "excluded maps every id that should not be analysed to the reason; "
            "expected_analysed lists the ids that survive cleaning if every rule works "
            "(the first copy of a duplicate_id is analysed).",
            "no_consent rows have ordinary durations, so that they are not also speeders.",
        ],
        "mess_kinds": mess_descriptions(instrument),
        "effects": planted_effects(instrument),
        "waves": dict(waves),
    }


_PLAIN_YAML = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}
_PLAIN_LINES = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_]*\n)*[A-Za-z_][A-Za-z0-9_]*")


def _yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain if it is a plain word, else single-quoted."""
    if _PLAIN_YAML.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return "'" + text.replace("'", "''") + "'"


def dump_yaml(document: Mapping[str, Any]) -> bytes:
    """The ground truth as YAML. The id lists of each wave (up to a million ids at large
    ``n``) are written directly, one per line, which is much faster than the YAML emitter."""
    fast: dict[str, str] = {}
    waves: dict[str, Any] = {}
    for wave_id, truth in document["waves"].items():
        waves[wave_id] = dict(truth)
        for key, value in truth.items():
            if isinstance(value, list) and all(isinstance(item, str) for item in value):
                plain = _PLAIN_LINES.fullmatch("\n".join(value)) and _YAML_WORDS.isdisjoint(
                    item.lower() for item in value
                )
                lines = [f"- {item}" if plain else f"- {_yaml_scalar(item)}" for item in value]
            elif isinstance(value, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                lines = [f"  {_yaml_scalar(k)}: {_yaml_scalar(v)}" for k, v in value.items()]
            else:
                continue
            marker = f"__fast_{len(fast)}__"
            fast[marker] = "\n".join(lines)
            waves[wave_id][key] = marker if lines else value
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(
        {**document, "waves": waves},
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )

    def expand(match: re.Match[str]) -> str:
        indent, key, marker = match.groups()
        body = "\n".join(indent + line for line in fast[marker].split("\n"))
        return f"{indent}{key}:\n{body}"

    text = re.sub(r"^( *)([^\n:]+): (__fast_\d+__)$", expand, text, flags=re.MULTILINE)
    return text.encode("utf-8")


def render_readme(
    instrument: Instrument, waves: Mapping[str, dict[str, Any]], n: int | None
) -> bytes:
    """The README of the demo folder, for people: what the files are and what was planted."""

    def paragraph(text: str) -> str:
        return textwrap.fill(text, width=96)

    def item(text: str, prefix: str = "- ") -> str:
        indent = " " * len(prefix)
        return textwrap.fill(text, width=96, initial_indent=prefix, subsequent_indent=indent)

    files_list = [
        item(
            f"`{truth['file']}`: wave {wave_id}, {truth['layout']} layout"
            + (f", encoded {truth['encoding']}" if truth.get("encoding") else "")
            + f", {truth['rows']} rows, {truth['expected_analysed_count']} of them should be "
            "analysed."
        )
        for wave_id, truth in waves.items()
    ]
    files_list += [
        item("`codebook.yaml`: a copy of the reference codebook the files follow."),
        item(
            "`ground_truth.yaml`: what was planted where: the effects with their intended "
            "sizes; for every kind of mess the respondent ids it was planted in; the ids that "
            "should survive cleaning."
        ),
    ]
    region = instrument.question("region")
    northern = ", ".join(region.label(code) for code in NORTHERN)
    size_note = (
        "Each wave draws its respondents from a frame of 1,800 people whose sector and region "
        "counts are the codebook's `frame:` margins."
        if n is None
        else f"This copy was written with `n={n}` rows per wave."
    )
    effects = [
        item(text, f"{number}. ")
        for number, text in enumerate(effect_descriptions(instrument).values(), 1)
    ]
    mess = [item(f"**{kind}**: {text}.") for kind, text in mess_descriptions(instrument).items()]
    sections = [
        "# Demo data: SYNTHETIC survey exports",
        paragraph(
            "**Everything in this folder is synthetic.** No real person answered these "
            f"questionnaires. Every row carries the marker `{DEMO_MARKER}`; e-mail addresses are "
            "at example.org, example.com and example.net, IP addresses come from the "
            "documentation ranges, phone numbers from the fictional 555-01xx block, and the "
            "names are invented."
        ),
        paragraph(
            "These files are for people trying the toolkit, writing its documentation and "
            "testing it: three yearly waves of the reference questionnaire "
            f"({instrument.title}), exported the way survey platforms export them, and messy "
            "the way real exports are."
        ),
        "\n".join(files_list),
        paragraph(
            f"{size_note} Response is uneven, as in real waves: school staff and the northern "
            f"regions ({northern}) answer less often, public-library staff and "
            f"{region.label('mainland_southwest')} more often, so weighted and unweighted "
            "figures differ."
        ),
        "## Planted effects (every wave)",
        "\n".join(effects),
        paragraph(
            "Other answers are plausible and mostly independent. In the learning-needs grid, "
            "some people rate every topic as more important than others do, and some feel more "
            "confident about every topic, so importance and confidence each form a scale "
            "(Cronbach's alpha about 0.85, as in real surveys); each topic's ratings in each "
            "group keep the distribution planted above."
        ),
        "## Planted mess (every wave, a handful of rows each)",
        "\n".join(mess),
        paragraph(
            "Dates come in two formats in each wave (about 5% of rows in the second format the "
            "codebook lists for the wave). SurveyMonkey exports no progress, so its partial "
            "responses are rows whose answers stop part-way."
        ),
        "## Regenerate",
        "```\nsurvey demo --out data/raw\n```",
        paragraph(
            'or from Python: `from survey.demo import write_demo; write_demo(Path("data/raw"))`. '
            "The output is the same, byte for byte, on every run with the same seed."
        ),
    ]
    return ("\n\n".join(sections) + "\n").encode("utf-8")
