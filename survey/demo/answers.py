"""Complete, consenting answers of a wave's respondents, with the planted effects.

:func:`complete_answers` draws every answer for all respondents at once and returns them as
:class:`Responses`: the true sector, role and region codes; the answers as the platform exports
them, labels taken from the codebook (``""`` is blank); multi-selects as boolean matrices; and
the platform's metadata (start time, duration, progress, e-mail, names, IP address, location).
Single choices come from group-wise probability tables; the learning-needs grid
(``_grid_answers``) from discretised normal distributions tuned to the effect sizes of
:mod:`survey.demo.effects`, with a level per respondent that all topics share, so that each grid
is a scale.

Nothing here is messy: :mod:`survey.demo.mess` plants the mess afterwards. The order of the
random draws is part of the output: a draw added anywhere changes every later answer, and so
the committed demo data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr, ndtri

from survey.demo.arrays import (
    Bools,
    Floats,
    Ints,
    Strings,
    constant_text,
    draw,
    int_text,
    probability_table,
    quantile,
    text_array,
    tick_options,
)
from survey.demo.effects import (
    ASSESSMENT_CONFIDENCE,
    ASSESSMENT_MEANS,
    BANDWIDTH,
    CONFIDENCE_GAP,
    IMPORTANCE_MEAN,
    LEADER_CONFIDENCE,
    LEADER_IMPORTANCE,
    LEADER_TOPICS,
    LEADERS,
    LITERACY_TOP2,
    NORTHERN,
    PAID_TIME,
    TRAVEL,
    TRUSTEE_CONFIDENCE,
    TRUSTEE_IMPORTANCE,
    TRUSTEE_OPERATIONAL,
)
from survey.demo.instrument import Instrument

__all__ = ["GENUINE_OTHER_SECTORS", "Responses", "complete_answers"]


_NOT_APPLICABLE_SHARE = 0.05


#: Correlation of a topic's latent importance (and of the noise in its latent confidence) with
#: the respondent's own level, which all topics of the grid share. It makes each grid a scale
#: (Cronbach's alpha about 0.85, as in real learning-needs grids) without changing any topic's
#: distribution; 0 would draw the topics independently.
_IMPORTANCE_LEVEL = 0.55
_CONFIDENCE_LEVEL = 0.55
_CONFIDENCE_PULL = 0.35  # how far confidence follows the topic's importance
_CONFIDENCE_NOISE = 0.75  # standard deviation of the rest of latent confidence


#: Region centres (latitude, longitude) for the platform's location columns.
_REGION_CENTRE = {
    "vancouver_island": (48.95, -123.70),
    "mainland_southwest": (49.22, -122.90),
    "thompson_okanagan": (50.30, -119.90),
    "kootenay": (49.45, -117.30),
    "cariboo": (53.40, -122.60),
    "north_coast": (54.30, -130.10),
    "nechako": (54.30, -125.70),
    "northeast": (56.20, -120.80),
}


#: What people would like to learn next: twelve themes, a few phrasings each.
_LEARN_NEXT: dict[str, tuple[str, ...]] = {
    "indigenous": (
        "Indigenous cultural safety",
        "Cultural safety and reconciliation in practice",
        "Working respectfully with Indigenous communities",
    ),
    "ai": (
        "AI tools",
        "How to use AI tools with patrons",
        "Generative AI and information literacy",
    ),
    "grants": ("Grant writing", "Writing grant applications"),
    "patrons": ("Dealing with difficult patrons", "De-escalation at the service desk"),
    "cataloguing": ("Cataloguing and RDA", "RDA refresher", "Copy cataloguing basics"),
    "data": ("Data and assessment", "Using library data to make decisions", "Survey design"),
    "leadership": ("Leadership", "Leading a small team", "Managing change"),
    "social": ("Social media", "Social media for library promotion"),
    "accessibility": ("Accessibility", "Accessible services and documents"),
    "mental_health": ("Mental health first aid", "Trauma-informed service"),
    "coding": ("Coding", "Basic HTML/CSS and coding", "Python for library data"),
    "governance": ("Board governance", "Board governance and policy for trustees"),
}
_COMMENTS = (
    "More webinars please, travel is hard for us.",
    "Recordings of sessions would help part-time staff.",
    "Thanks for running this survey.",
    "Cost is the main issue for our small library.",
    "Regional library days are great for networking.",
    "Please schedule sessions outside desk hours.",
    "We can't get cover for the desk, so online works best.",
    "More content for school library staff would be welcome.",
    "Short modules are easier to fit into a shift.",
)
GENUINE_OTHER_SECTORS = (
    "archives consultant",
    "Museum archives",
    "Library co-operative staff",
    "Records management",
    "Freelance indexer",
)
_OTHER_ROLES = (
    "Outreach coordinator",
    "Archivist",
    "Volunteer coordinator",
    "Literacy outreach worker",
    "Board secretary",
)


@dataclass
class Responses:
    """One wave's rows before rendering: true dimension codes, answers as exported labels
    (``""`` is blank), multi-selects as boolean matrices, and platform metadata."""

    person: Ints
    sector: Ints
    role: Ints
    region: Ints
    answers: dict[str, Strings]
    multi: dict[str, Bools]
    start: npt.NDArray[np.datetime64]
    duration: Ints
    progress: Ints
    finished: Bools
    email: Strings
    first_name: Strings
    last_name: Strings
    ip_address: Strings
    latitude: Strings
    longitude: Strings
    alternative_date: Bools
    grid_digits: Bools
    collector: Ints

    @property
    def rows(self) -> int:
        """The number of rows."""
        return len(self.person)

    def take(self, index: Ints) -> Responses:
        """The rows at ``index`` (repeats allowed), as copies."""
        values: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, dict):
                values[item.name] = {key: array[index] for key, array in value.items()}
            else:
                values[item.name] = value[index]  # fancy indexing copies
        return Responses(**values)

    def copy_rows(self, source: Ints, target: Ints) -> None:
        """Overwrite rows ``target`` with copies of rows ``source``."""
        for item in fields(self):
            value = getattr(self, item.name)
            for array in value.values() if isinstance(value, dict) else [value]:
                array[target] = array[source]


def complete_answers(
    instrument: Instrument,
    rng: np.random.Generator,
    people: Mapping[str, Any],
    wave_position: int,
    year: int,
    fieldwork: tuple[str, str] | None,
) -> Responses:
    """Complete, consenting answers of every person, with the planted effects."""
    size = len(people["sector"])
    q = instrument.question
    sector_q, role_q, region_q = q("sector"), q("role"), q("region")
    sector: Ints = people["sector"]
    role: Ints = people["role"]
    region: Ints = people["region"]
    is_school = sector == sector_q.index("school")
    is_public = sector == sector_q.index("public")
    is_other_sector = sector == sector_q.index("other")
    is_northern = np.isin(region, [region_q.index(code) for code in NORTHERN])
    is_assistant = role == role_q.index("assistant")
    is_leader = np.isin(role, [role_q.index(code) for code in LEADERS])
    is_trustee = role == role_q.index("trustee")
    is_student = role == role_q.index("student")

    answers: dict[str, Strings] = {}
    answers["consent"] = constant_text(instrument.consent_yes, size)

    def single(question_id: str, table: Floats, group: Ints | None = None) -> Ints:
        question = q(question_id)
        codes = draw(rng, table, group, size)
        answers[question_id] = text_array(question.labels)[codes]
        if question.other:
            answers[question.other] = constant_text("", size)
        return codes

    answers["sector"] = text_array(sector_q.labels)[sector]
    answers["sector_other"] = constant_text("", size)
    genuine = text_array(GENUINE_OTHER_SECTORS)[rng.integers(0, len(GENUINE_OTHER_SECTORS), size)]
    answers["sector_other"][is_other_sector] = genuine[is_other_sector]
    answers["role"] = text_array(role_q.labels)[role]
    answers["role_other"] = constant_text("", size)
    other_roles = text_array(_OTHER_ROLES)[rng.integers(0, len(_OTHER_ROLES), size)]
    is_other_role = role == role_q.index("other")
    answers["role_other"][is_other_role] = other_roles[is_other_role]
    answers["region"] = text_array(region_q.labels)[region]

    size_q = q("library_size")
    size_table = np.array(
        [
            probability_table({"na": 1}, size_q.codes),
            probability_table(
                {"lt5k": 15, "5k_20k": 25, "20k_100k": 30, "100k_plus": 30}, size_q.codes
            ),
        ]
    )
    single("library_size", size_table, is_public.astype(np.int64))
    years_q = q("years")
    years_table = np.array(
        [
            probability_table(
                {"lt2": 10, "2_5": 20, "6_10": 22, "11_20": 25, "20_plus": 23}, years_q.codes
            ),
            probability_table({"lt2": 70, "2_5": 30}, years_q.codes),
            probability_table({"2_5": 5, "6_10": 15, "11_20": 35, "20_plus": 45}, years_q.codes),
        ]
    )
    years_group = np.where(is_student, 1, np.where(is_leader, 2, 0)).astype(np.int64)
    single("years", years_table, years_group)
    employment_q = q("employment")
    employment_table = np.array(
        [
            probability_table(
                {"full_time": 62, "part_time": 25, "casual": 7, "volunteer": 2, "not_employed": 4},
                employment_q.codes,
            ),
            probability_table({"volunteer": 90, "not_employed": 10}, employment_q.codes),
            probability_table(
                {"part_time": 40, "casual": 20, "not_employed": 40}, employment_q.codes
            ),
        ]
    )
    employment_group = np.where(is_trustee, 1, np.where(is_student, 2, 0)).astype(np.int64)
    single("employment", employment_table, employment_group)
    cltp_q = q("cltp")
    cltp_table = np.array(
        [
            probability_table({"certificate": 5, "some": 10, "no": 85}, cltp_q.codes),
            probability_table({"certificate": 25, "some": 35, "no": 40}, cltp_q.codes),
            probability_table({"some": 10, "no": 90}, cltp_q.codes),
        ]
    )
    cltp_group = np.where(is_trustee, 2, np.where(is_public, 1, 0)).astype(np.int64)
    single("cltp", cltp_table, cltp_group)

    _grid_answers(instrument, rng, answers, is_school, is_leader, is_trustee, wave_position)

    hours = np.exp(rng.normal(np.log(25.0), 0.9, size))
    hours = np.clip(np.rint(hours), 0, 400).astype(np.int64)
    hours[rng.random(size) < 0.02] = 0
    cpd = int_text(hours)
    cpd[rng.random(size) < 0.02] = ""
    answers["cpd_hours"] = cpd

    paid_q = q("paid_time")
    paid_table = np.array(
        [
            probability_table(PAID_TIME["others"], paid_q.codes),
            probability_table(PAID_TIME["assistant"], paid_q.codes),
        ]
    )
    single("paid_time", paid_table, is_assistant.astype(np.int64))
    prefer_not = instrument.missing("Prefer not to say")
    for question_id, weights in (
        ("employer_support", (6, 12, 22, 38, 22)),
        ("compulsory_cpd", (12, 20, 30, 25, 13)),
    ):
        scale = instrument.scales[q(question_id).scale or "agreement"]
        codes = draw(rng, np.array(weights, dtype=float) / sum(weights), None, size)
        values = text_array([scale[code] for code in sorted(scale)])[codes]
        values[rng.random(size) < 0.03] = prefer_not
        answers[question_id] = values

    multi: dict[str, Bools] = {}
    barriers_q = q("barriers")
    chance: dict[str, float | Floats] = {
        "time": 0.65,
        "cost": 0.45,
        "cover": 0.25,
        "support": 0.10,
        "relevance": 0.15,
        "awareness": 0.20,
        "other": 0.04,
        "travel": np.where(is_northern, TRAVEL["northern"], TRAVEL["others"]),
        "bandwidth": np.where(is_northern, BANDWIDTH["northern"], BANDWIDTH["others"]),
    }
    ticks = tick_options(rng, chance, barriers_q.codes, 0.1, size)
    ticks[~ticks.any(axis=1), barriers_q.index("time")] = True
    multi["barriers"] = ticks

    formats_q = q("formats")
    format_weights = np.array(
        [
            {
                "workshop": 1.0,
                "webinar": 1.2,
                "self_paced": 1.1,
                "conference": 0.8,
                "mentoring": 0.5,
                "peer_network": 0.5,
                "micro": 0.8,
                "certificate": 0.4,
            }.get(code, 0.5)
            for code in formats_q.codes
        ]
    )
    keys = np.log(format_weights)[None, :] + rng.gumbel(size=(size, len(format_weights)))
    ranks = np.argsort(np.argsort(-keys, axis=1), axis=1)
    chosen = draw(rng, np.array([0.2, 0.35, 0.45]), None, size) + 1
    multi["formats"] = ranks < chosen[:, None]

    mentoring_q = q("mentoring")
    single(
        "mentoring",
        probability_table(
            {"have_mentor": 12, "am_mentor": 10, "both": 6, "interested": 42, "not_interested": 30},
            mentoring_q.codes,
        ),
    )
    networks_q = q("networks")
    network_chance = {
        "events": 0.55,
        "association": 0.45,
        "social": 0.35,
        "linkedin": 0.30,
        "newsletters": 0.35,
        "lists": 0.40,
    }
    ticks = tick_options(rng, network_chance, networks_q.codes, 0.0, size)
    if "none" in networks_q.codes:
        ticks[~ticks.any(axis=1), networks_q.index("none")] = True
    else:
        ticks[~ticks.any(axis=1), 0] = True
    multi["networks"] = ticks

    phrases = [phrase for group in _LEARN_NEXT.values() for phrase in group]
    phrase_weights = np.array([1.0 / len(group) for group in _LEARN_NEXT.values() for _ in group])
    learn = text_array(phrases)[draw(rng, phrase_weights / phrase_weights.sum(), None, size)]
    learn[rng.random(size) < 0.30] = ""
    answers["learn_next"] = learn
    comments = text_array(_COMMENTS)[rng.integers(0, len(_COMMENTS), size)]
    comments[rng.random(size) >= 0.12] = ""
    answers["comments"] = comments

    start = np.sort(_start_times(rng, size, year, fieldwork))  # rows in time order, as exported
    duration = np.exp(rng.normal(np.log(900.0), 0.45, size))
    duration = np.clip(np.rint(duration), 420, 10800).astype(np.int64)
    centres = np.array([_REGION_CENTRE.get(code, (50.0, -123.0)) for code in region_q.codes])
    latitude = centres[region, 0] + rng.uniform(-0.35, 0.35, size)
    longitude = centres[region, 1] + rng.uniform(-0.35, 0.35, size)
    networks_prefix = text_array(("192.0.2.", "198.51.100.", "203.0.113."))[
        rng.integers(0, 3, size)
    ]
    ip = networks_prefix + int_text(rng.integers(1, 255, size))
    gives_email = rng.random(size) < 0.60
    gives_name = rng.random(size) < 0.30
    blank = constant_text("", size)
    return Responses(
        person=people["person"],
        sector=sector,
        role=role,
        region=region,
        answers=answers,
        multi=multi,
        start=start,
        duration=duration,
        progress=np.full(size, 100, dtype=np.int64),
        finished=np.ones(size, dtype=bool),
        email=np.where(gives_email, people["email"], blank),
        first_name=np.where(gives_name, people["first_name"], blank),
        last_name=np.where(gives_name, people["last_name"], blank),
        ip_address=ip,
        latitude=_fixed4(latitude),
        longitude=_fixed4(longitude),
        alternative_date=rng.random(size) < 0.05,
        grid_digits=np.zeros(size, dtype=bool),
        collector=(rng.random(size) < 0.2).astype(np.int64),
    )


def _grid_answers(
    instrument: Instrument,
    rng: np.random.Generator,
    answers: dict[str, Strings],
    is_school: Bools,
    is_leader: Bools,
    is_trustee: Bools,
    wave_position: int,
) -> None:
    """Importance and confidence of every topic, with the planted effects.

    Each grid is a scale: every respondent has a level of importance and a level of confidence,
    standard normal and independent of each other, that all topics share (a Gaussian copula).
    A topic's importance is the quantile of its group's distribution at
    ``Phi(r * level + sqrt(1 - r**2) * e)`` with ``e`` standard normal per topic and ``r``
    :data:`_IMPORTANCE_LEVEL`; the argument of ``Phi`` is standard normal, so every topic's
    distribution in every group is exactly the planted one. Confidence is its group's mean plus
    a pull towards the topic's importance plus normal noise, part of which (correlation
    :data:`_CONFIDENCE_LEVEL`) is the respondent's confidence level; the noise stays normal
    with the same spread and independent of importance, so its distribution is unchanged too.

    The levels come from a child generator (``rng.spawn``), and each topic's own terms are drawn
    from ``rng`` with the same calls as without levels (``e`` through a uniform), so ``rng``
    leaves the grid in the same state either way: the rest of the wave does not depend on how
    the grid is correlated.
    """
    size = len(is_school)
    levels = rng.spawn(1)[0]
    importance_level = levels.standard_normal(size)
    confidence_level = levels.standard_normal(size)
    importance_own = np.sqrt(1.0 - _IMPORTANCE_LEVEL**2)
    confidence_own = np.sqrt(1.0 - _CONFIDENCE_LEVEL**2)
    not_applicable = instrument.missing("Not applicable to my role")
    assessment = ASSESSMENT_MEANS[min(wave_position, len(ASSESSMENT_MEANS) - 1)]
    if len(instrument.grid_items) != 2:
        raise ValueError("the demo needs a grid with two items: importance, then confidence")
    importance_item, confidence_item = instrument.grid_items
    importance_labels = text_array(
        [""] + [instrument.scales[importance_item.scale][c] for c in range(1, 6)]
    )
    confidence_labels = text_array(
        [""] + [instrument.scales[confidence_item.scale][c] for c in range(1, 6)]
    )
    group = np.where(is_trustee, 2, np.where(is_leader, 1, 0)).astype(np.int64)
    for topic in instrument.topics:
        # (importance distribution, mean confidence) for everyone / leaders / trustees
        if topic == "literacy_instruction":
            tables = [
                _ordinal(top2=LITERACY_TOP2["others"]),
                _ordinal(top2=LITERACY_TOP2["school"]),
            ]
            rows = is_school.astype(np.int64)
            gap = CONFIDENCE_GAP[topic]
            confidence = [float(t @ np.arange(1, 6)) - gap for t in tables]
        elif topic == "assessment":
            tables = [_ordinal(mean=assessment)]
            rows = np.zeros(size, dtype=np.int64)
            confidence = [ASSESSMENT_CONFIDENCE]
        else:
            base = IMPORTANCE_MEAN.get(topic, 3.3)
            gap = CONFIDENCE_GAP.get(topic, 0.3)
            means = [base, base, base]
            confidence = [base - gap, base - gap, base - gap]
            if topic in LEADER_TOPICS:
                means[1], confidence[1] = LEADER_IMPORTANCE, LEADER_CONFIDENCE
                means[2] = TRUSTEE_IMPORTANCE.get(topic, base)
                confidence[2] = TRUSTEE_CONFIDENCE
            elif topic in TRUSTEE_OPERATIONAL:
                means[2], confidence[2] = base - 0.7, base - 0.7 - gap
            tables = [_ordinal(mean=m) for m in means]
            rows = group
        table = np.array(tables)
        own = ndtri(rng.random(size))  # standard normal, through a uniform (see above)
        importance_latent = _IMPORTANCE_LEVEL * importance_level + importance_own * own
        importance = quantile(table, rows, ndtr(importance_latent)) + 1
        expected = (table @ np.arange(1.0, 6.0))[rows]
        confidence_mean = np.array(confidence)[rows]
        noise = _CONFIDENCE_NOISE * (
            _CONFIDENCE_LEVEL * confidence_level + confidence_own * rng.standard_normal(size)
        )
        latent = confidence_mean + _CONFIDENCE_PULL * (importance - expected) + noise
        confidence_value = np.clip(np.rint(latent), 1, 5).astype(np.int64)
        missing = rng.random(size) < _NOT_APPLICABLE_SHARE
        imp_text = importance_labels[importance]
        comp_text = confidence_labels[confidence_value]
        imp_text[missing] = not_applicable
        comp_text[missing] = not_applicable
        answers[f"{importance_item.prefix}_{topic}"] = imp_text
        answers[f"{confidence_item.prefix}_{topic}"] = comp_text


def _ordinal(
    *, mean: float | None = None, top2: float | None = None, spread: float = 1.0
) -> Floats:
    """Probabilities of 1-5: a discretised normal whose mean (or share of 4-5) is the target."""
    points = np.arange(1.0, 6.0)

    def shape(centre: float) -> Floats:
        weights = np.exp(-0.5 * ((points - centre) / spread) ** 2)
        result: Floats = weights / weights.sum()
        return result

    target = mean if mean is not None else top2
    if target is None:
        raise ValueError("give mean or top2")
    low, high = -6.0, 12.0
    for _ in range(100):
        middle = (low + high) / 2
        probabilities = shape(middle)
        value = (
            float(probabilities @ points) if mean is not None else float(probabilities[3:].sum())
        )
        low, high = (middle, high) if value < target else (low, middle)
    return shape((low + high) / 2)


def _start_times(
    rng: np.random.Generator, size: int, year: int, fieldwork: tuple[str, str] | None
) -> npt.NDArray[np.datetime64]:
    """When each response started: mostly early in fieldwork and after the reminders."""
    first = np.datetime64(fieldwork[0] if fieldwork else f"{year}-03-01", "D")
    last = np.datetime64(fieldwork[1], "D") if fieldwork else first + np.timedelta64(41, "D")
    days = max(int((last - first).astype(int)) + 1, 1)
    weight = 0.35 + np.exp(-np.arange(days) / 4.0)
    for reminder in (days // 3, 2 * days // 3):
        weight[reminder : reminder + 3] += 0.6
    day = draw(rng, weight / weight.sum(), None, size)
    hour_weights = np.array(
        [0, 0, 0, 0, 0, 0, 0, 1, 3, 6, 7, 7, 6, 6, 7, 7, 6, 4, 3, 4, 4, 3, 2, 1], dtype=float
    )
    hour = draw(rng, hour_weights / hour_weights.sum(), None, size)
    seconds = day * 86400 + hour * 3600 + rng.integers(0, 3600, size)
    result: npt.NDArray[np.datetime64] = first.astype("datetime64[s]") + seconds.astype(
        "timedelta64[s]"
    )
    return result


def _fixed4(values: Floats) -> Strings:
    """Numbers with four decimals, as text (vectorised)."""
    scaled = np.rint(np.abs(values) * 10000).astype(np.int64)
    pad = text_array([f"{i:04d}" for i in range(10000)])
    sign = text_array(("", "-"))[(values < 0).astype(np.int64)]
    result: Strings = sign + int_text(scaled // 10000) + "." + pad[scaled % 10000]
    return result
