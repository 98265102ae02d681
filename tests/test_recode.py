"""Cleaning rules as tables: what each input must become, and what must be rejected."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.cleaning.pii import scrub_text
from survey.cleaning.recode import (
    code_consent,
    code_scale,
    code_single,
    parse_dates,
    parse_number,
    split_multi,
    spread_multi,
)


@pytest.mark.parametrize(
    ("question", "answer", "code"),
    [
        ("sector", "Public library", "public"),
        ("sector", "Public Library ", "public"),
        ("sector", "PUBLIC", "public"),
        ("sector", "public", "public"),
        ("sector", "  academic", "academic"),
        ("sector", "public library branch", "public"),
        ("sector", "School library (K-12)", "school"),
        ("sector", "school   library", "school"),
        ("sector", "Special library (government, health, law, corporate)", "special"),
        ("sector", "Other (please specify)", "other"),
        ("role", "Manager / supervisor / department head", "manager"),
        ("role", "branch manager", "manager"),
        ("role", "Director / chief librarian", "director"),
        ("region", "Vancouver Island/Coast", "vancouver_island"),
        ("region", "Lower Mainland", "mainland_southwest"),
        ("region", "north east", "northeast"),
        ("years", "Over 20", "20_plus"),
        ("cltp", "No", "no"),
        ("library_size", "Not applicable", "na"),  # an option here, though a missing label
        ("paid_time", "not applicable", "na"),
        ("employment", "Not applicable", None),  # ... and no answer where it is not an option
        ("paid_time", "None, all in my own time", "none"),
        ("mentoring", "Neither, but interested", "interested"),
        ("sector", "Prefer not to say", None),
        ("sector", "", None),
        ("sector", "   ", None),
        ("sector", None, None),
    ],
)
def test_single_choice_answers_map_to_codes(codebook, question, answer, code):
    coded = code_single(
        pd.Series([answer], dtype=object), codebook.question(question), codebook.missing_labels
    )
    assert coded.iloc[0] == code


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("sector", "Publc libary xyz"),
        ("sector", "museum"),
        ("region", "Yukon"),
        ("role", "astronaut"),
    ],
)
def test_unknown_single_choice_answers_stay_as_text_for_validation(codebook, question, answer):
    coded = code_single(pd.Series([answer]), codebook.question(question), codebook.missing_labels)
    assert coded.iloc[0] == answer.strip()
    assert coded.iloc[0] not in codebook.question(question).option_codes()


@pytest.mark.parametrize(
    ("scale", "answer", "code"),
    [
        ("importance", "Very important", 4),
        ("importance", "very IMPORTANT ", 4),
        ("importance", "Extremely important", 5),
        ("importance", "1", 1),
        ("importance", "5.0", 5),
        ("importance", "3 - Moderately important", 3),
        ("confidence", "Not at all confident", 1),
        ("agreement", "Strongly agree", 5),
        ("agreement", "Neither agree nor disagree", 3),
        ("importance", "Not applicable to my role", None),  # missing, never zero
        ("importance", "N/A", None),
        ("agreement", "Prefer not to say", None),
        ("importance", "", None),
    ],
)
def test_scale_answers_map_to_codes(codebook, scale, answer, code):
    coded = code_scale(pd.Series([answer]), codebook.scales[scale], codebook.missing_labels)
    assert coded.iloc[0] == code


@pytest.mark.parametrize("answer", ["0", "6", "Very very important", "yes"])
def test_scale_answers_rejected(codebook, answer):
    coded = code_scale(pd.Series([answer]), codebook.scales["importance"], codebook.missing_labels)
    assert coded.iloc[0] == answer


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("40", 40.0),
        ("40 hrs", 40.0),
        ("40hrs", 40.0),
        ("approx 20", 20.0),
        ("approx. 20", 20.0),
        ("about 15 hours", 15.0),
        ("~30", 30.0),
        ("2,000", 2000.0),
        ("12.5", 12.5),
        ("-1", -1.0),  # parsed; validation finds it out of range
        ("5000", 5000.0),
    ],
)
def test_numbers_typed_as_text(typed, number):
    assert parse_number(pd.Series([typed])).iloc[0] == number


@pytest.mark.parametrize("typed", ["lots", "10-20", "forty", "2,00", "", None, "20 or 30"])
def test_numbers_that_cannot_be_read_are_missing(typed):
    assert math.isnan(parse_number(pd.Series([typed], dtype=object)).iloc[0])


@given(
    st.integers(min_value=0, max_value=10**7),
    st.sampled_from(["", " hrs", " hours", "h"]),
    st.sampled_from(["", "approx ", "about ", "~"]),
    st.booleans(),
)
def test_number_parser_reads_any_formatted_integer(value, unit, prefix, thousands):
    typed = f"{prefix}{value:,}{unit}" if thousands else f"{prefix}{value}{unit}"
    assert parse_number(pd.Series([typed])).iloc[0] == value


@given(st.text(max_size=30))
def test_number_parser_never_raises(text):
    result = parse_number(pd.Series([text], dtype=object)).iloc[0]
    assert math.isnan(result) or isinstance(result, float)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2024-03-05 14:22:10", pd.Timestamp("2024-03-05 14:22:10")),
        ("03/05/2024 14:22", pd.Timestamp("2024-03-05 14:22")),
        ("2024-3-5", None),
        ("yesterday", None),
    ],
)
def test_both_date_formats(typed, expected):
    parsed = parse_dates(pd.Series([typed]), ["%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M"]).iloc[0]
    assert (pd.isna(parsed) and expected is None) or parsed == expected


@pytest.mark.parametrize(
    ("answer", "coded"),
    [("Yes", "yes"), ("yes ", "yes"), ("I agree", "yes"), ("No", "no"), (None, "no"), ("", "no")],
)
def test_consent(codebook, answer, coded):
    assert (
        code_consent(pd.Series([answer], dtype=object), codebook.consent.accepted).iloc[0] == coded
    )


def test_joined_multi_select_with_commas_inside_labels(codebook):
    formats = codebook.question("formats")
    answers = pd.Series(
        [
            "Live webinar,Peer network / community of practice",
            "Self-paced online course",
            "Live webinar,Knitting circle",
            None,
        ],
        dtype=object,
    )
    coded = split_multi(answers, formats)
    assert coded["formats__webinar"].tolist() == [True, False, True, pd.NA]
    assert coded["formats__peer_network"].tolist() == [True, False, False, pd.NA]
    assert coded["formats__self_paced"].tolist() == [False, True, False, pd.NA]
    assert coded["formats__n"].tolist() == [2, 1, 1, pd.NA]
    assert coded["formats__unknown"].tolist() == [None, None, "Knitting circle", None]


def test_none_is_an_answer_label_not_a_missing_value(codebook):
    coded = split_multi(pd.Series(["Conferences and events,None"]), codebook.question("networks"))
    assert coded[["networks__events", "networks__none", "networks__social"]].iloc[0].tolist() == [
        True,
        True,
        False,
    ]


def test_spread_multi_select(codebook):
    barriers = codebook.question("barriers")
    frame = pd.DataFrame(
        {
            "barriers__time": ["Lack of time / workload", None, None],
            "barriers__travel": ["Travel distance", "Travel distance", None],
        }
    )
    coded = spread_multi(frame, barriers)
    assert coded["barriers__time"].tolist() == [True, False, pd.NA]
    assert coded["barriers__travel"].tolist() == [True, True, pd.NA]
    assert coded["barriers__cost"].tolist() == [False, False, pd.NA]
    assert coded["barriers__n"].tolist() == [2, 1, pd.NA]


@pytest.mark.parametrize(
    ("chosen", "not_chosen"),
    [("Y", "N"), ("Yes", "Not selected"), ("1", "0"), ("Selected", " no "), ("Y", "")],
)
def test_a_cell_saying_not_chosen_is_not_a_tick(codebook, chosen, not_chosen):
    barriers = codebook.question("barriers")
    frame = pd.DataFrame(
        {
            "barriers__time": [chosen, not_chosen, not_chosen],
            "barriers__travel": [not_chosen, chosen, not_chosen],
        }
    )
    coded = spread_multi(frame, barriers)
    assert coded["barriers__time"].tolist() == [True, False, pd.NA]
    assert coded["barriers__travel"].tolist() == [False, True, pd.NA]
    assert coded["barriers__n"].tolist() == [1, 1, pd.NA]


def test_limesurvey_and_qualtrics_option_tags_are_found(codebook):
    from survey.codebook import Layout
    from survey.io import map_to_codebook
    from survey.io.raw import RawExport

    names = {
        "barriers_time": "Y",  # Qualtrics-style tag with the option code
        "barriers[travel]": "N",  # LimeSurvey
        "imp[leadership]": "Very important",
        "sector[other]": "Archives",
    }
    export = RawExport(pd.DataFrame([names]), Path("x.csv"), Layout.LIMESURVEY)
    frame, found = map_to_codebook(export, codebook)
    assert frame["imp_leadership"].tolist() == ["Very important"]
    assert found.found["barriers__time"] == "barriers_time"
    assert found.found["barriers__travel"] == "barriers[travel]"
    assert found.found["imp_leadership"] == "imp[leadership]"
    assert found.found[codebook.question("sector").other] == "sector[other]"
    assert "barriers" in found.spread


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("write to jane.doe@example.org please", "write to [email] please"),
        ("J.O'Neil+news@mail.example.com", "[email]"),
        ("call 250-555-0142", "call [phone]"),
        ("call (604) 555 0199 today", "call [phone] today"),
        ("+1 604.555.0199", "[phone]"),
        ("from 203.0.113.9", "from [ip]"),
        ("Thanks to Priya for mentoring", "Thanks to [name] for mentoring"),
        ("PRIYA helped", "[name] helped"),
        ("Priyanka helped", "Priyanka helped"),  # whole words only
        ("I spent 2,000 hours in 2024", "I spent 2,000 hours in 2024"),
        ("No personal data here", "No personal data here"),
    ],
)
def test_personal_data_in_open_text(text, scrubbed):
    assert scrub_text(pd.Series([text]), names=["Priya", "Al"]).iloc[0] == scrubbed
