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
from survey.rules import scrub_contacts

__all__ = ["scrub_text"]


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
        text = scrub_contacts(str(value))
        if name_pattern is not None:
            text = name_pattern.sub("[name]", text)
        return text

    return pd.Series(map_distinct(series, scrub), index=series.index, dtype=object)
