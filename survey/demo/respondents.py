"""The respondents of a demo wave: who answers (sector, region, role) and who they are.

With ``n=None``, :func:`frame_people` builds a sampling frame of 1,800 people whose sector and
region counts are exactly the codebook's ``frame:`` margins, and each wave draws from it with
uneven :func:`propensity` (school staff and the northern regions answer less, public-library
and Mainland/Southwest staff more), so that weighted and unweighted figures differ. With
``n=N``, :func:`synthetic_people` draws ``N`` people from the same respondent mix. A person's
role depends on the sector (``_ROLE_BY_SECTOR``); names are invented and e-mail addresses are at
``example.org``, ``.com`` and ``.net``.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np

from survey.demo.arrays import Floats, Ints, draw, int_text, probability_table, text_array
from survey.demo.effects import NORTHERN
from survey.demo.instrument import Instrument

__all__ = ["fallback_email", "frame_people", "propensity", "synthetic_people"]


#: Response propensity by sector and region (1 where not listed): who answers more, who less.
_SECTOR_PROPENSITY = {"public": 1.2, "academic": 1.0, "school": 0.5, "special": 1.0, "other": 0.9}
_REGION_PROPENSITY = {"mainland_southwest": 1.2, **{region: 0.5 for region in NORTHERN}}
#: The mix of roles in each sector (relative weights).
_ROLE_BY_SECTOR: dict[str, dict[str, float]] = {
    "public": {
        "assistant": 30,
        "technician": 10,
        "librarian": 20,
        "manager": 14,
        "director": 6,
        "it": 4,
        "trustee": 10,
        "student": 3,
        "other": 3,
    },
    "academic": {
        "assistant": 15,
        "technician": 20,
        "librarian": 35,
        "manager": 12,
        "director": 4,
        "it": 8,
        "student": 4,
        "other": 2,
    },
    "school": {
        "assistant": 15,
        "technician": 20,
        "librarian": 55,
        "manager": 3,
        "director": 1,
        "it": 1,
        "student": 3,
        "other": 2,
    },
    "special": {
        "assistant": 10,
        "technician": 20,
        "librarian": 45,
        "manager": 12,
        "director": 5,
        "it": 3,
        "student": 2,
        "other": 3,
    },
    "other": {
        "assistant": 10,
        "technician": 10,
        "librarian": 30,
        "manager": 15,
        "director": 10,
        "it": 5,
        "trustee": 5,
        "student": 5,
        "other": 10,
    },
}


# Invented names (Windows-1252 safe, none of them "Test").
_FIRST_NAMES = (
    "Alex",
    "Amélie",
    "Anita",
    "Ben",
    "Carmen",
    "Chloé",
    "Daniel",
    "Deepa",
    "Elena",
    "Farah",
    "Gabriel",
    "Grace",
    "Hannah",
    "Harjit",
    "Isaac",
    "Jasmine",
    "Jia",
    "Joël",
    "Kamal",
    "Kiran",
    "Leah",
    "Liam",
    "Maya",
    "Mei",
    "Nadia",
    "Noah",
    "Olivia",
    "Omar",
    "Priya",
    "Raj",
    "Renée",
    "Samira",
    "Sean",
    "Sofia",
    "Tariq",
    "Thomas",
    "Wei",
    "Yusuf",
    "Zoë",
    "Marguerite",
)
_LAST_NAMES = (
    "Anderson",
    "Bains",
    "Brar",
    "Campbell",
    "Chen",
    "Côté",
    "Dhillon",
    "Dubois",
    "Fraser",
    "Gagnon",
    "Gill",
    "Grewal",
    "Harris",
    "Ito",
    "Johal",
    "Kim",
    "Lam",
    "Leblanc",
    "MacDonald",
    "Martin",
    "Morrison",
    "Nguyen",
    "Okafor",
    "Patel",
    "Pelletier",
    "Reid",
    "Roy",
    "Sandhu",
    "Schmidt",
    "Singh",
    "Smith",
    "Tan",
    "Thompson",
    "Tremblay",
    "Wong",
    "Wright",
    "Young",
    "Zhang",
    "Ahmadi",
    "Lindqvist",
)
_DOMAINS = ("example.org", "example.com", "example.net")


def frame_people(instrument: Instrument, rng: np.random.Generator) -> dict[str, Any]:
    """The sampling frame: one entry per person, sector and region margins exactly the
    codebook's frame counts."""
    sector_q, region_q = instrument.question("sector"), instrument.question("region")
    sector_counts = instrument.frame.get("sector") or {}
    region_counts = instrument.frame.get("region") or {}
    size = sum(sector_counts.values())
    if size == 0 or size != sum(region_counts.values()):
        raise ValueError(
            "the codebook's frame margins must be non-empty and add up to the same total "
            f"(sector {size}, region {sum(region_counts.values())})"
        )
    sector = np.repeat(
        [sector_q.index(code) for code in sector_counts], list(sector_counts.values())
    )
    region = np.repeat(
        [region_q.index(code) for code in region_counts], list(region_counts.values())
    )
    sector = rng.permutation(sector).astype(np.int64)
    region = rng.permutation(region).astype(np.int64)
    return _people(instrument, rng, sector, region, np.arange(1, size + 1, dtype=np.int64))


def propensity(instrument: Instrument, sector: Ints, region: Ints) -> Floats:
    sector_q, region_q = instrument.question("sector"), instrument.question("region")
    by_sector = np.array([_SECTOR_PROPENSITY.get(code, 1.0) for code in sector_q.codes])
    by_region = np.array([_REGION_PROPENSITY.get(code, 1.0) for code in region_q.codes])
    result: Floats = by_sector[sector] * by_region[region]
    return result


def synthetic_people(instrument: Instrument, rng: np.random.Generator, size: int) -> dict[str, Any]:
    """``size`` people drawn from the respondent mix (frame share times response propensity)."""
    sector_q, region_q = instrument.question("sector"), instrument.question("region")
    sector_counts = instrument.frame.get("sector") or {code: 1 for code in sector_q.codes}
    region_counts = instrument.frame.get("region") or {code: 1 for code in region_q.codes}
    sector_weights = {c: n * _SECTOR_PROPENSITY.get(c, 1.0) for c, n in sector_counts.items()}
    region_weights = {c: n * _REGION_PROPENSITY.get(c, 1.0) for c, n in region_counts.items()}
    sector = draw(rng, probability_table(sector_weights, sector_q.codes), None, size)
    region = draw(rng, probability_table(region_weights, region_q.codes), None, size)
    return _people(instrument, rng, sector, region, np.arange(1, size + 1, dtype=np.int64))


def _people(
    instrument: Instrument, rng: np.random.Generator, sector: Ints, region: Ints, number: Ints
) -> dict[str, Any]:
    """Attributes that belong to a person rather than to one answer: role, names, e-mail."""
    size = len(sector)
    sector_q, role_q = instrument.question("sector"), instrument.question("role")
    role_table = np.array(
        [
            probability_table(_ROLE_BY_SECTOR.get(code, _ROLE_BY_SECTOR["other"]), role_q.codes)
            for code in sector_q.codes
        ]
    )
    role = draw(rng, role_table, sector, size)
    first_index = rng.integers(0, len(_FIRST_NAMES), size)
    last_index = rng.integers(0, len(_LAST_NAMES), size)
    first_ascii = text_array([_ascii(name) for name in _FIRST_NAMES])
    last_ascii = text_array([_ascii(name) for name in _LAST_NAMES])
    style = rng.integers(0, 3, size)
    first_part = np.where(
        style == 1,
        first_ascii[first_index].astype(str).astype("<U1"),
        first_ascii[first_index].astype(str),
    ).astype(object)
    joiner = text_array((".", "", "_"))[style]
    domain = text_array(_DOMAINS)[rng.choice(3, size, p=[0.5, 0.3, 0.2])]
    email = first_part + joiner + last_ascii[last_index] + int_text(number) + "@" + domain
    return {
        "person": number,
        "sector": sector,
        "region": region,
        "role": role,
        "first_name": text_array(_FIRST_NAMES)[first_index],
        "last_name": text_array(_LAST_NAMES)[last_index],
        "email": email,
    }


def fallback_email(rng: np.random.Generator, person: int) -> str:
    """An invented e-mail address for ``person``, for rows that need one they did not give."""
    first = _ascii(_FIRST_NAMES[int(rng.integers(0, len(_FIRST_NAMES)))])
    last = _ascii(_LAST_NAMES[int(rng.integers(0, len(_LAST_NAMES)))])
    domain = _DOMAINS[int(rng.integers(0, len(_DOMAINS)))]
    return f"{first}.{last}{person}@{domain}"


def _ascii(text: str) -> str:
    """``text`` in lower-case ASCII, accents dropped (for e-mail addresses)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
