"""Themes of open comments: coding (exact theme sets), theme tables (shares by hand, weighted and
unweighted; suppression), uncoded terms (exact, and the under-3 rule), exemplar quotes (no
personal data, nothing from a small group), and the reference themes on the demo waves."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey.analysis.themes import (
    QUOTE_COLUMNS,
    TERM_COLUMNS,
    THEME_COLUMNS,
    code_themes,
    exemplar_quotes,
    theme_pattern,
    theme_table,
    uncoded_terms,
)
from survey.cleaning import clean
from survey.codebook import Codebook, Theme, load_codebook
from survey.demo.respondents import _FIRST_NAMES, _LAST_NAMES
from survey.errors import CodebookError, DataError
from survey.pipeline import validate_wave

WAVES = ["2024", "2025", "2026"]
PHONE_LIKE = re.compile(r"\d{3}\D{0,2}\d{4}")


def _themes(codebook: Codebook, **themes: list[Theme]) -> Codebook:
    return codebook.model_copy(update={"themes": themes})


def _people(comments: list[str | None], **columns: object) -> pd.DataFrame:
    """Respondents with these comments, in large groups unless columns say otherwise."""
    people = pd.DataFrame({"comments": comments})
    defaults = {"sector": "public", "role": "librarian", "region": "vancouver_island"}
    for dimension, value in {**defaults, **columns}.items():
        people[dimension] = value
    return people


# ------------------------------------------------------------------------------- coding
KEYWORD_THEMES = [
    Theme(code="grants", label="Grants", keywords=["grant", "grants"]),
    Theme(
        code="care", label="Care", keywords=["cultural safety", "trauma-informed", "can't travel"]
    ),
    Theme(code="ai", label="AI", keywords=["AI"], patterns=[r"\bchat ?gpt\b"]),
]


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("Grant writing", {"grants"}),
        ("Services for immigrant families", set()),  # whole words only: not "grant"
        ("GRANTS and ChatGPT", {"grants", "ai"}),  # any case; a pattern
        ("Chat GPT for grant reports", {"grants", "ai"}),
        ("cultural   safety", {"care"}),  # any run of spaces
        ("Trauma informed care", {"care"}),  # a hyphen in a keyword matches a space
        ("trauma--informed care", {"care"}),
        ("We can’t travel in winter", {"care"}),  # a curly apostrophe
        ("Maintain the email list", set()),  # "ai" inside a word is not the keyword
        ("AI.", {"ai"}),
    ],
)
def test_keywords_match_whole_words_in_any_case(comment, expected):
    coded = code_themes(pd.Series([comment]), KEYWORD_THEMES)
    assert set(coded.columns[coded.iloc[0].to_numpy(dtype=bool)]) == expected


def test_coded_counts_on_a_fixture_of_comments():
    texts = pd.Series(
        ["Grant writing", "grants and AI", "Storytime", "", "   ", None, pd.NA, "ChatGPT"],
        index=[10, 11, 12, 13, 14, 15, 16, 17],
        dtype=object,
    )
    coded = code_themes(texts, KEYWORD_THEMES)
    assert list(coded.columns) == ["grants", "care", "ai"]
    assert list(coded.index) == list(texts.index)
    assert all(str(dtype) == "boolean" for dtype in coded.dtypes)
    expected = {
        10: {"grants"},
        11: {"grants", "ai"},  # two themes
        12: set(),  # none
        17: {"ai"},
    }
    for row, themes in expected.items():
        assert set(coded.columns[coded.loc[row].to_numpy(dtype=bool)]) == themes
    # blank and missing answers are not comments: NA in every column
    assert coded.loc[[13, 14, 15, 16]].isna().all().all()
    assert coded.loc[[10, 11, 12, 17]].notna().all().all()
    assert coded.sum().to_dict() == {"grants": 2, "care": 0, "ai": 2}


def test_each_distinct_comment_is_coded_as_every_copy_of_it(codebook):
    """Comments are matched once per distinct text: the result is each row's own match."""
    rng = np.random.default_rng(7)
    pool = ["Grant writing", "grant WRITING", "AI tools", "none", "", None, pd.NA, "ChatGPT",
            "Storytime ideas", "Dealing with a difficult customer", "Fundraising"]  # fmt: skip
    texts = pd.Series(rng.choice(np.array(pool, dtype=object), size=500), dtype=object)
    themes = codebook.themes["learn_next"]
    coded = code_themes(texts, themes)
    for theme in themes:
        pattern = theme_pattern(theme)
        one_by_one = [
            pd.NA if text is None or text is pd.NA or not str(text).strip()
            else pattern.search(str(text)) is not None
            for text in texts
        ]  # fmt: skip
        assert coded[theme.code].tolist() == one_by_one


def test_codes_a_string_column_as_read_from_parquet():
    texts = pd.Series(["AI tools", None, "grant"], dtype="string")
    assert code_themes(texts, KEYWORD_THEMES)["ai"].tolist() == [True, pd.NA, False]


@pytest.mark.parametrize(
    ("question", "comment", "expected"),
    [
        ("learn_next", "Cataloging with MARC records", {"cataloguing"}),
        ("learn_next", "Decolonizing our collections", {"indigenous"}),
        ("learn_next", "ChatGPT and other LLMs", {"ai"}),
        ("learn_next", "Python and SQL for library data", {"coding", "data"}),
        ("learn_next", "Fundraising for a new branch", {"grants"}),
        ("learn_next", "Dealing with a difficult customer", {"patrons"}),
        ("learn_next", "Managing staff through change", {"leadership"}),
        ("learn_next", "Trauma informed practice", {"mental_health"}),
        ("learn_next", "Trustee responsibilities", {"governance"}),
        ("learn_next", "Storytime ideas for toddlers", set()),
        ("learn_next", "Services for immigrant families", set()),
        (
            "comments",
            "Workshops are too expensive and too far away.",
            {"in_person", "cost", "travel"},
        ),
        ("comments", "Not enough time in the day.", {"time"}),
        ("comments", "Part-time staff never hear about it.", set()),
        ("comments", "It would be great if sessions were recorded.", {"online"}),
        ("comments", "Thank you, the webinars were great!", {"praise", "online"}),
        ("comments", "We can’t get cover for the desk.", {"time"}),
    ],
)
def test_reference_themes_code_comments_sensibly(codebook, question, comment, expected):
    coded = code_themes(pd.Series([comment]), codebook.themes[question])
    assert set(coded.columns[coded.iloc[0].to_numpy(dtype=bool)]) == expected


def test_patterns_that_cannot_be_joined_are_a_codebook_error():
    theme = Theme(code="bad", label="Bad", keywords=["x"], patterns=["(?i)late flag"])
    with pytest.raises(CodebookError, match="theme 'bad'"):
        theme_pattern(theme)


# ---------------------------------------------------------------------------- tables
COST_TIME = [
    Theme(code="cost", label="Cost", keywords=["expensive"]),
    Theme(code="time", label="Time", keywords=["time"]),
]


@pytest.fixture
def tiny(codebook: Codebook) -> tuple[pd.DataFrame, Codebook]:
    respondents = _people(
        ["Too expensive", "No time and too expensive", "Great", "", "No time"],
        sector=["public", "public", "public", "school", "school"],
    )
    small = _themes(codebook, comments=COST_TIME).model_copy(update={"small_cell_threshold": 1})
    return respondents, small


def _share(table: pd.DataFrame, theme: str, group: str) -> float:
    row = table[(table["theme"] == theme) & (table["group"] == group)]
    assert len(row) == 1
    return float(row["share"].iloc[0])


#: Shares worked by hand on ``tiny``: (theme, group) -> (unweighted, weighted by 1 2 3 4 5).
SHARES = {
    ("cost", "all"): (2 / 4, 3 / 11),
    ("time", "all"): (2 / 4, 7 / 11),
    ("uncoded", "all"): (1 / 4, 3 / 11),
    ("cost", "public"): (2 / 3, 3 / 6),
    ("time", "public"): (1 / 3, 2 / 6),
    ("time", "school"): (1.0, 1.0),
    ("cost", "school"): (0.0, 0.0),
}


def _shares(table: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {key: _share(table, *key) for key in SHARES}


def test_shares_unweighted_by_hand(tiny):
    respondents, codebook = tiny
    table = theme_table(respondents, codebook, wave="w")
    assert list(table.columns) == THEME_COLUMNS
    assert not table["weighted"].any()
    # 4 comments overall (one blank): cost 2, time 2, uncoded 1 ("Great")
    # public: 3 comments; school: 1 comment (the blank one is not a comment)
    assert _shares(table) == pytest.approx({key: share for key, (share, _) in SHARES.items()})
    sector = table[table["by"] == "sector"]
    assert sector.groupby("group", sort=False)["comments"].first().to_dict() == {
        "public": 3,
        "school": 1,
    }
    overall = table[table["by"] == "all"].set_index("theme")
    assert overall["count"].to_dict() == {"cost": 2, "time": 2, "uncoded": 1}
    assert overall["label"].to_dict() == {
        "cost": "Cost",
        "time": "Time",
        "uncoded": "Not coded to any theme",
    }


def test_shares_weighted_by_hand(tiny):
    respondents, codebook = tiny
    weights = [1.0, 2.0, 3.0, 4.0, 5.0]
    table = theme_table(respondents, codebook, wave="w", weights=weights)
    assert table["weighted"].all()
    # answered weights 1 + 2 + 3 + 5 = 11 (the blank comment, weight 4, is left out)
    assert _shares(table) == pytest.approx({key: share for key, (_, share) in SHARES.items()})
    # counts and comments stay unweighted
    unweighted = theme_table(respondents, codebook, wave="w")
    assert table["count"].tolist() == unweighted["count"].tolist()
    assert table["comments"].tolist() == unweighted["comments"].tolist()


def test_weights_must_fit_the_respondents(tiny):
    respondents, codebook = tiny
    with pytest.raises(ValueError, match="expected 5 values"):
        theme_table(respondents, codebook, wave="w", weights=[1.0, 2.0])


def test_small_groups_are_suppressed_with_a_complementary_group(codebook):
    # school has 3 comments (< 10): suppressed; academic, the next smallest, too (otherwise
    # school could be recovered from the total); public and the total are shown
    sectors = ["academic"] * 12 + ["public"] * 15 + ["school"] * 3 + ["school"]
    comments = ["Too expensive"] * 6 + ["Fine"] * 6 + ["No time"] * 15 + ["Too expensive"] * 3
    respondents = _people([*comments, None], sector=sectors)
    table = theme_table(respondents, _themes(codebook, comments=COST_TIME), wave="w")
    cost = table[(table["theme"] == "cost") & (table["by"].isin(["all", "sector"]))]
    assert cost["group"].tolist() == ["all", "public", "academic", "school"]  # codebook order
    shown = cost.set_index("group")
    assert shown["comments"].to_dict() == {"all": 30, "public": 15, "academic": 12, "school": 3}
    assert shown["suppressed"].to_dict() == {
        "all": False,
        "public": False,
        "academic": True,
        "school": True,
    }
    assert shown.loc["all", "count"] == 9
    assert shown.loc["all", "share"] == pytest.approx(9 / 30)
    assert shown.loc["public", "count"] == 0
    for group in ("academic", "school"):
        assert pd.isna(shown.loc[group, "count"])
        assert np.isnan(shown.loc[group, "share"])
    # every theme of a suppressed group is suppressed alike
    school = table[table["group"] == "school"]
    assert school["suppressed"].all() and school["count"].isna().all()
    # a single-group breakdown of 30 is not suppressed
    assert not table.loc[table["by"] == "region", "suppressed"].any()


def test_no_themes_no_rows(codebook):
    table = theme_table(_people(["x"]), _themes(codebook), wave="w")
    assert table.empty and list(table.columns) == THEME_COLUMNS


# ---------------------------------------------------------------------- uncoded terms
def test_uncoded_terms_exact_and_only_when_three_use_them(codebook):
    grants = _themes(
        codebook, learn_next=[Theme(code="grants", label="Grants", keywords=["grant"])]
    )
    respondents = pd.DataFrame(
        {
            "learn_next": [
                "Storytime for toddlers",
                "Toddler storytime ideas, storytime songs",  # storytime counted once here
                "storytime songs",  # songs: 2 respondents, not listed
                "Readers' advisory",
                "readers’ advisory for teens",
                "Email me at [email] about readers advisory",
                "Grant writing for storytime",  # coded: not counted
                "Ideas for seniors",  # ideas: 2; for: a stop word in 3 uncoded comments
                "Teens",
                "reach me at [email]",  # [email] three times: placeholders are not words
                "[email] for details",
                "contact [email] 604 555 0199",  # digits are not words
                None,
                "",
            ]
        }
    )
    terms = uncoded_terms(respondents, grants)
    assert list(terms.columns) == TERM_COLUMNS
    assert terms.to_dict("records") == [
        {"question": "learn_next", "term": "advisory", "count": 3},
        {"question": "learn_next", "term": "readers", "count": 3},
        {"question": "learn_next", "term": "readers advisory", "count": 3},
        {"question": "learn_next", "term": "storytime", "count": 3},
    ]
    assert uncoded_terms(respondents, grants, top=2)["term"].tolist() == ["advisory", "readers"]
    # a fourth "songs" makes it frequent enough to show
    more = pd.concat([respondents, pd.DataFrame({"learn_next": ["Songs!"]})], ignore_index=True)
    assert {"term": "songs", "count": 3} in uncoded_terms(more, grants)[["term", "count"]].to_dict(
        "records"
    )


def test_uncoded_terms_are_empty_when_everything_is_coded(codebook):
    respondents = pd.DataFrame({"learn_next": ["Grant writing"] * 5})
    assert uncoded_terms(respondents, codebook).empty


# ------------------------------------------------------------------------ quotes
NAMES = ["Maria", "Lindqvist", "Harjit", "Jane"]
ALLOWED = [
    "Cost is the main issue for our small library.",
    "Workshops cost a lot for part-time staff here.",
    "The cost of a conference is more than our budget.",
]
FORBIDDEN = {
    "small group": "Cost of travel is far too high for us here.",
    "phone": "Call 250-555-0199 about the cost of it, ok.",
    "e-mail": "Mail jane.doe@example.org on cost issues.",
    "placeholder": "Too costly, reach me at [email] please ok.",
    "name in names": "Thank Maria Lindqvist, the cost was fair.",
    "rare capitalised word": "Ask Harjit about the cost of a library day.",
}


@pytest.fixture
def quotable(codebook: Codebook) -> pd.DataFrame:
    large = [*ALLOWED * 4, *[FORBIDDEN[k] for k in ("phone", "e-mail", "placeholder")]]
    large += [FORBIDDEN["name in names"]] * 3 + [FORBIDDEN["rare capitalised word"]]
    large += ["Too expensive"] * 5 + [None, ""]  # too short; no comment
    people = _people(large)
    # four commenters of the northeast: a group below the threshold of 10
    northeast = _people([FORBIDDEN["small group"]] * 4, region="northeast")
    return pd.concat([people, northeast], ignore_index=True)


def test_forbidden_comments_would_be_chosen_first_if_allowed():
    # the fixture means something: every forbidden comment is shorter than the allowed ones
    assert all(40 <= len(text) <= len(ALLOWED[0]) for text in FORBIDDEN.values())


def test_quotes_have_no_personal_data_and_come_from_large_groups(codebook, quotable):
    quotes = exemplar_quotes(quotable, codebook, names=NAMES)
    assert list(quotes.columns) == QUOTE_COLUMNS
    assert quotes.loc[quotes["theme"] == "cost", "quote"].tolist() == ALLOWED
    for quote in quotes["quote"]:
        assert "@" not in quote
        assert not PHONE_LIKE.search(quote)
        assert "[" not in quote
        assert not any(re.search(rf"\b{name}\b", quote, re.IGNORECASE) for name in NAMES)
    assert not set(quotes["quote"]) & set(FORBIDDEN.values())
    # the northeast comment is quotable once its group is large enough
    bigger = pd.concat(
        [quotable, _people([FORBIDDEN["small group"]] * 6, region="northeast")], ignore_index=True
    )
    assert FORBIDDEN["small group"] in set(exemplar_quotes(bigger, codebook, names=NAMES)["quote"])


def test_names_are_kept_out_even_when_many_write_them(codebook, quotable):
    # three respondents name Maria: only the names list keeps the comment out
    without_names = exemplar_quotes(quotable, codebook, per_theme=10)
    assert FORBIDDEN["name in names"] in set(without_names["quote"])
    assert FORBIDDEN["rare capitalised word"] not in set(without_names["quote"])


def test_quotes_are_deterministic_and_per_theme(codebook, quotable):
    shuffled = quotable.sample(frac=1.0, random_state=7).reset_index(drop=True)
    first = exemplar_quotes(quotable, codebook, names=NAMES)
    assert first.equals(exemplar_quotes(shuffled, codebook, names=NAMES))
    assert first.groupby(["question", "theme"]).size().max() <= 3
    assert (
        len(exemplar_quotes(quotable, codebook, names=NAMES, per_theme=1).query("theme == 'cost'"))
        == 1
    )


def test_quotes_need_every_dimension(codebook, quotable):
    with pytest.raises(DataError, match="no column 'region'"):
        exemplar_quotes(quotable.drop(columns="region"), codebook)


# -------------------------------------------------------------------------- demo
@pytest.fixture(scope="module")
def demo_waves(demo_dir: Path) -> dict[str, tuple[Codebook, pd.DataFrame]]:
    """The demo waves as processed: imported, validated, cleaned, text scrubbed."""
    codebook = load_codebook(demo_dir / "codebook.yaml")
    waves = {}
    for wave in WAVES:
        report, coded, backcodes, _ = validate_wave(codebook, codebook.wave(wave))
        waves[wave] = (codebook, clean(coded, report, codebook, backcodes=backcodes).processed)
    return waves


@pytest.mark.parametrize("wave", WAVES)
def test_demo_learn_next_is_mostly_coded_and_every_theme_used(demo_waves, wave):
    codebook, respondents = demo_waves[wave]
    coded = code_themes(respondents["learn_next"], codebook.themes["learn_next"])
    comments = coded.dropna()
    assert len(comments) > 300
    assert comments.any(axis=1).mean() >= 0.80
    assert (comments.sum() >= 1).all(), comments.sum()
    table = theme_table(respondents, codebook, wave=wave, weights=respondents["weight"])
    overall = table[(table["question"] == "learn_next") & (table["by"] == "all")]
    assert overall.set_index("theme").loc["uncoded", "share"] <= 0.20


@pytest.mark.parametrize("wave", WAVES)
def test_demo_quotes_have_no_personal_data(demo_waves, wave):
    codebook, respondents = demo_waves[wave]
    quotes = exemplar_quotes(respondents, codebook)
    assert not quotes.empty
    names = [*_FIRST_NAMES, *_LAST_NAMES]
    for quote in quotes["quote"]:
        assert "@" not in quote and not PHONE_LIKE.search(quote) and "[" not in quote
        assert not any(re.search(rf"\b{re.escape(name)}\b", quote) for name in names)
