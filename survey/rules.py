"""What the validate and clean steps both name: why a row is set aside, why a value is made
missing, and what a typed number and personal contact details look like.

:mod:`survey.validation` checks for these and :mod:`survey.cleaning` acts on what it found; both
import this module at the top, and it imports neither, so the two steps depend on one another
in one direction only (cleaning on validation's report).

>>> sorted(["speeder", Reason.invalid("sector"), "missing_id"], key=Reason.precedence)
['missing_id', 'invalid_sector', 'speeder']
>>> scrub_contacts("mail jane@example.org or call 604-555-0199 from 10.0.0.1")
'mail [email] or call [phone] from [ip]'
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = [
    "EMAIL",
    "IP_ADDRESS",
    "NUMBER_PATTERN",
    "PHONE",
    "WEIGHT_PATTERN",
    "Flag",
    "Reason",
    "scrub_contacts",
]


class Reason(StrEnum):
    """Why a row is not analysed (``quarantine.csv``), in order of precedence: a row with
    several reasons is quarantined under the first."""

    MISSING_ID = "missing_id"  # no respondent id
    DUPLICATE_ID = "duplicate_id"  # an id already used by an earlier row
    NO_CONSENT = "no_consent"
    TEST_RESPONSE = "test_response"  # matches one of quality.test_patterns
    DUPLICATE = "duplicate"  # the same person twice (quality.duplicate_keys): all but one
    INCOMPLETE = "incomplete"
    INVALID_DIMENSION = "invalid_"  # written as invalid_<dimension>: Reason.invalid("sector")
    BAD_WEIGHT = "bad_weight"  # the export's base weight is missing, not a number, 0 or below
    SPEEDER = "speeder"
    STRAIGHTLINER = "straightliner"

    @staticmethod
    def invalid(dimension: str) -> str:
        """The reason of a row without a valid answer to a breakdown dimension.

        >>> Reason.invalid("sector")
        'invalid_sector'
        """
        return f"{Reason.INVALID_DIMENSION.value}{dimension}"

    @staticmethod
    def precedence(reason: str) -> int:
        """Where a reason stands in the order of :class:`Reason` (``invalid_<dimension>`` as
        :attr:`INVALID_DIMENSION`; a reason not listed comes last).

        >>> Reason.precedence("missing_id"), Reason.precedence("invalid_region")
        (0, 6)
        """
        if reason.startswith(Reason.INVALID_DIMENSION.value):
            return _ORDER.index(Reason.INVALID_DIMENSION)
        return _ORDER.index(reason) if reason in _ORDER else len(_ORDER)


_ORDER: list[str] = list(Reason)


class Flag(StrEnum):
    """Why a value was made missing or recoded (``flags.csv``); the row is still analysed."""

    INVALID_VALUE = "invalid_value"  # not one of the question's options or scale points
    UNPARSEABLE_NUMBER = "unparseable_number"  # not a number (see NUMBER_PATTERN)
    OUT_OF_RANGE = "out_of_range"  # outside the question's range
    TOO_MANY_CHOICES = "too_many_choices"  # more than max_choices: every choice made missing
    BACKCODED_OTHER = "backcoded_other"  # an other-specify answer recoded to an option


#: What a typed number may look like: an optional "approx"/"about", digits with optional
#: thousands separators and decimals, an optional unit of hours.
NUMBER_PATTERN = (
    r"^\s*(?:(?:approx(?:imately)?|about|around|roughly|ca|est|maybe)\.?\s*|~\s*)?"
    r"(?P<number>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"\s*(?:h|hr|hrs|hour|hours)?\.?\s*$"
)

#: What a weight in an export looks like: a plain decimal number, with optional sign,
#: thousands separators and exponent ("1.25", "1,204.5", "2.5e-01"); nothing else (no units,
#: no "approx", no decimal comma), since a weight is written by software, not typed.
WEIGHT_PATTERN = r"^\s*[-+]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$"

#: An e-mail address.
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: A North American phone number, with or without country code, brackets, dots or dashes.
PHONE = re.compile(r"(?<!\w)(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)")
#: An IPv4 address.
IP_ADDRESS = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


def scrub_contacts(text: str) -> str:
    """Replace e-mail addresses, phone numbers and IP addresses by ``[email]``, ``[phone]``
    and ``[ip]`` (in that order: the digits of an address are not read as a phone number).

    Parameters
    ----------
    text
        An answer in a respondent's own words, or a value shown in a report.

    Returns
    -------
    str
        The text without contact details.

    Examples
    --------
    >>> scrub_contacts("write to a.b@example.org")
    'write to [email]'
    """
    return IP_ADDRESS.sub("[ip]", PHONE.sub("[phone]", EMAIL.sub("[email]", text)))
