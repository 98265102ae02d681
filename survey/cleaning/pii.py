"""Personal data in respondents' own words: e-mail addresses, phone numbers, names.

>>> import pandas as pd
>>> scrub_text(pd.Series(["Mail jane.doe@example.org or call (604) 555-0199, thanks Maria"]),
...            names=["Maria"]).tolist()
['Mail [email] or call [phone], thanks [name]']
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from survey.cleaning.recode import map_distinct

__all__ = ["EMAIL", "PHONE", "scrub_text"]

#: An e-mail address.
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: A North American phone number, with or without country code, brackets, dots or dashes.
PHONE = re.compile(r"(?<!\w)(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)")
#: An IPv4 address.
IP_ADDRESS = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


def scrub_text(series: pd.Series, *, names: Iterable[str] = ()) -> pd.Series:
    """Replace e-mail addresses, phone numbers, IP addresses and the given names.

    Parameters
    ----------
    series
        Open-text answers.
    names
        Names known to belong to people (the export's first- and last-name columns); each of at
        least three letters is replaced where it stands as a whole word, in any case.
    """
    known = sorted(
        {name.strip() for name in names if isinstance(name, str) and len(name.strip()) >= 3},
        key=len,
        reverse=True,
    )
    name_pattern = (
        re.compile(r"\b(?:" + "|".join(re.escape(name) for name in known) + r")\b", re.IGNORECASE)
        if known
        else None
    )

    def scrub(value: object) -> object:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        text = EMAIL.sub("[email]", str(value))
        text = PHONE.sub("[phone]", text)
        text = IP_ADDRESS.sub("[ip]", text)
        if name_pattern is not None:
            text = name_pattern.sub("[name]", text)
        return text

    return pd.Series(map_distinct(series, scrub), index=series.index, dtype=object)
