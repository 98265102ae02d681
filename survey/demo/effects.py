"""The planted effects: the group differences the demo's answers are drawn to show.

Five effects, the same in every wave, their sizes set by the constants below:

- ``school_literacy``: school staff rate literacy instruction far more important than everyone
  else (:data:`LITERACY_TOP2`);
- ``northern_travel``: staff in the northern regions (:data:`NORTHERN`) tick travel and
  bandwidth as barriers more often (:data:`TRAVEL`, :data:`BANDWIDTH`);
- ``assistant_paid_time``: library assistants less often learn in paid time
  (:data:`PAID_TIME`);
- ``leaders_needs``: managers and directors (:data:`LEADERS`) rate leadership, advocacy and
  governance (:data:`LEADER_TOPICS`) highly with moderate confidence; trustees rate governance
  highest of all topics;
- ``assessment_trend``: assessment grows more important wave by wave
  (:data:`ASSESSMENT_MEANS`); every other topic keeps its distribution in every wave.

The answers are drawn with these sizes in :mod:`survey.demo.answers`; :func:`planted_effects`
states them in ``ground_truth.yaml`` (groups and intended values, for tests to check) and
:func:`effect_descriptions` in words for the ground truth and the README, with labels taken from
the codebook.

To plant a new effect: set its size here, draw it in
:func:`survey.demo.answers.complete_answers` (the grid: ``_grid_answers``), describe it in
:func:`effect_descriptions`, add its entry to :func:`planted_effects`, and check it in
``tests/test_demo.py``. A change to what is drawn changes the committed demo data: regenerate
``data/raw/`` with ``survey demo`` and commit it with the change.
"""

from __future__ import annotations

from typing import Any

from survey.demo.instrument import Instrument

__all__ = [
    "ASSESSMENT_CONFIDENCE",
    "ASSESSMENT_MEANS",
    "BANDWIDTH",
    "CONFIDENCE_GAP",
    "IMPORTANCE_MEAN",
    "LEADERS",
    "LEADER_CONFIDENCE",
    "LEADER_IMPORTANCE",
    "LEADER_TOPICS",
    "LITERACY_TOP2",
    "NORTHERN",
    "PAID_TIME",
    "TRAVEL",
    "TRUSTEE_CONFIDENCE",
    "TRUSTEE_IMPORTANCE",
    "TRUSTEE_OPERATIONAL",
    "effect_descriptions",
    "planted_effects",
]


#: The northern regions (who also answer less, see :mod:`survey.demo.respondents`) and the
#: roles that lead.
NORTHERN = ("north_coast", "nechako", "northeast", "cariboo")
LEADERS = ("manager", "director")


#: Importance means of the topics (everyone, every wave), where no effect overrides them.
IMPORTANCE_MEAN = {
    "customer_service": 3.6,
    "programming": 3.4,
    "reference": 3.2,
    "collections": 3.0,
    "technology": 3.6,
    "eresources": 3.4,
    "marketing": 3.2,
    "leadership": 3.0,
    "advocacy": 3.0,
    "edi": 3.7,
    "indigenous": 3.9,
    "wellbeing": 3.8,
    "training_mentoring": 3.1,
    "governance": 3.0,
}


#: Mean importance minus mean confidence per topic (a need where it is large).
CONFIDENCE_GAP = {
    "customer_service": -0.2,
    "programming": 0.1,
    "reference": -0.3,
    "collections": 0.0,
    "literacy_instruction": 0.3,
    "technology": 0.6,
    "eresources": 0.2,
    "marketing": 0.4,
    "leadership": 0.3,
    "advocacy": 0.4,
    "edi": 0.5,
    "indigenous": 0.7,
    "wellbeing": 0.5,
    "training_mentoring": 0.3,
    "governance": 0.3,
}
#: The sizes of the effects: top-2 shares, means, shares ticked or chosen.
LITERACY_TOP2 = {"school": 0.80, "others": 0.40}
LEADER_TOPICS = ("leadership", "advocacy", "governance")
LEADER_IMPORTANCE = 4.3
LEADER_CONFIDENCE = 2.9
TRUSTEE_IMPORTANCE = {"leadership": 3.6, "advocacy": 4.0, "governance": 4.6}
TRUSTEE_CONFIDENCE = 3.0
TRUSTEE_OPERATIONAL = (
    "customer_service",
    "programming",
    "reference",
    "collections",
    "technology",
    "eresources",
)
ASSESSMENT_MEANS = (2.8, 3.3, 3.9)  # by wave, in codebook order
ASSESSMENT_CONFIDENCE = 3.0
TRAVEL = {"northern": 0.70, "others": 0.20}
BANDWIDTH = {"northern": 0.40, "others": 0.08}
PAID_TIME = {
    "assistant": {"all": 0.20, "some": 0.35, "none": 0.40, "na": 0.05},
    "others": {"all": 0.55, "some": 0.33, "none": 0.08, "na": 0.04},
}


def effect_descriptions(instrument: Instrument) -> dict[str, str]:
    """The planted effects in words, labels taken from the codebook."""
    q = instrument.question
    topic_label = dict(zip(instrument.topics, instrument.topic_labels, strict=True))
    importance, confidence = instrument.grid_items[0], instrument.grid_items[-1]
    top2 = " or ".join(instrument.scales[importance.scale][code] for code in (4, 5))
    northern = ", ".join(q("region").label(code) for code in NORTHERN)
    leaders = " and ".join(f"'{q('role').label(code)}'" for code in LEADERS)
    leader_topics = ", ".join(f"'{topic_label[topic]}'" for topic in LEADER_TOPICS)
    waves = ", ".join(
        f"{ASSESSMENT_MEANS[min(i, len(ASSESSMENT_MEANS) - 1)]} ({wave.id})"
        for i, wave in enumerate(instrument.waves)
    )
    return {
        "school_literacy": f"Staff of '{q('sector').label('school')}' rate "
        f"'{topic_label['literacy_instruction']}' far more important than everyone else: about "
        f"{LITERACY_TOP2['school']:.0%} answer {top2}, against about "
        f"{LITERACY_TOP2['others']:.0%}.",
        "northern_travel": f"Staff in the northern regions ({northern}) tick "
        f"'{q('barriers').label('travel')}' as a barrier far more often (about "
        f"{TRAVEL['northern']:.0%} against {TRAVEL['others']:.0%}), and "
        f"'{q('barriers').label('bandwidth')}' more often too (about "
        f"{BANDWIDTH['northern']:.0%} against {BANDWIDTH['others']:.0%}).",
        "assistant_paid_time": f"'{q('role').label('assistant')}' staff less often learn in "
        f"paid time: '{q('paid_time').label('all')}' about "
        f"{PAID_TIME['assistant']['all']:.0%} against {PAID_TIME['others']['all']:.0%}, "
        f"'{q('paid_time').label('none')}' about {PAID_TIME['assistant']['none']:.0%} "
        f"against {PAID_TIME['others']['none']:.0%}.",
        "leaders_needs": f"{leaders} rate {leader_topics} highly (mean importance about "
        f"{LEADER_IMPORTANCE} against {IMPORTANCE_MEAN['leadership']}) with only moderate "
        f"confidence (about {LEADER_CONFIDENCE}), so these are their top needs by the Borich "
        f"score; '{q('role').label('trustee')}' respondents rate "
        f"'{topic_label['governance']}' highest of all topics (about "
        f"{TRUSTEE_IMPORTANCE['governance']}).",
        "assessment_trend": f"'{topic_label['assessment']}' grows more important wave by wave "
        f"(mean {importance.prefix} about {waves}); every other topic has the same "
        f"distribution of importance and confidence ('{confidence.prefix}') in every wave.",
    }


def planted_effects(instrument: Instrument) -> list[dict[str, Any]]:
    """The planted effects for ``ground_truth.yaml``: for each, its question(s), statistic,
    groups (by dimension codes) and intended values."""
    sector_codes = list(instrument.question("sector").codes)
    region_codes = list(instrument.question("region").codes)
    role_codes = list(instrument.question("role").codes)
    others = [code for code in role_codes if code not in (*LEADERS, "trustee")]
    text = effect_descriptions(instrument)
    return [
        {
            "id": "school_literacy",
            "description": text["school_literacy"],
            "question": "imp_literacy_instruction",
            "statistic": "top2_share",
            "groups": {
                "school": {"sector": ["school"]},
                "others": {"sector": [c for c in sector_codes if c != "school"]},
            },
            "intended": dict(LITERACY_TOP2),
        },
        {
            "id": "northern_travel",
            "description": text["northern_travel"],
            "question": "barriers",
            "statistic": "share_ticked",
            "groups": {
                "northern": {"region": list(NORTHERN)},
                "others": {"region": [c for c in region_codes if c not in NORTHERN]},
            },
            "intended": {"travel": dict(TRAVEL), "bandwidth": dict(BANDWIDTH)},
        },
        {
            "id": "assistant_paid_time",
            "description": text["assistant_paid_time"],
            "question": "paid_time",
            "statistic": "share_by_option",
            "groups": {
                "assistant": {"role": ["assistant"]},
                "others": {"role": [c for c in role_codes if c != "assistant"]},
            },
            "intended": {group: dict(shares) for group, shares in PAID_TIME.items()},
        },
        {
            "id": "leaders_needs",
            "description": text["leaders_needs"],
            "questions": [
                f"{item.prefix}_{topic}"
                for item in instrument.grid_items
                for topic in LEADER_TOPICS
            ],
            "statistic": "mean",
            "groups": {
                "leaders": {"role": list(LEADERS)},
                "trustees": {"role": ["trustee"]},
                "others": {"role": others},
            },
            "intended": {
                "leaders": {f"imp_{topic}": LEADER_IMPORTANCE for topic in LEADER_TOPICS}
                | {f"comp_{topic}": LEADER_CONFIDENCE for topic in LEADER_TOPICS},
                "trustees": {f"imp_{topic}": value for topic, value in TRUSTEE_IMPORTANCE.items()}
                | {f"comp_{topic}": TRUSTEE_CONFIDENCE for topic in LEADER_TOPICS},
                "others": {f"imp_{topic}": IMPORTANCE_MEAN[topic] for topic in LEADER_TOPICS}
                | {
                    f"comp_{topic}": round(IMPORTANCE_MEAN[topic] - CONFIDENCE_GAP[topic], 2)
                    for topic in LEADER_TOPICS
                },
            },
            "top_needs": {"leaders": list(LEADER_TOPICS), "trustees": ["governance"]},
        },
        {
            "id": "assessment_trend",
            "description": text["assessment_trend"],
            "question": "imp_assessment",
            "statistic": "mean_by_wave",
            "groups": {"everyone": {}},
            "intended": {
                wave.id: ASSESSMENT_MEANS[min(position, len(ASSESSMENT_MEANS) - 1)]
                for position, wave in enumerate(instrument.waves)
            },
            "stable_topics": [topic for topic in instrument.topics if topic != "assessment"],
        },
    ]
