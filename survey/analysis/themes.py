"""Themes of open-text answers: coding comments, theme tables, uncoded terms, exemplar quotes.

The themes of a text question are data in the codebook (``themes: {question: [theme, ...]}``).
A comment is coded to a theme when it contains one of the theme's keywords or matches one of its
patterns (see :func:`theme_pattern`); a comment can have several themes, and one that has none is
*uncoded*. Missing and blank answers are not comments.

- :func:`code_themes`: one boolean column per theme (NA where there is no comment);
- :func:`theme_table`: the number and share of comments coded to each theme, overall and by
  each dimension, suppressed like ``results.csv``;
- :func:`uncoded_terms`: the most frequent words and two-word phrases of uncoded comments, to
  find themes the codebook lacks;
- :func:`exemplar_quotes`: a few short comments per theme, from large groups only, scrubbed.

Open text is where personal data hides. Every function here works on the processed (already
scrubbed) text and shows nothing that fewer than a few respondents wrote: terms used by fewer
than :data:`MIN_TERM_RESPONDENTS` respondents are not listed, and quotes are chosen only from
respondents in groups of at least the codebook's ``small_cell_threshold`` commenters.

Examples
--------
>>> from survey.codebook import Theme
>>> themes = [Theme(code="ai", label="AI and new technology", keywords=["AI", "ChatGPT"]),
...           Theme(code="grants", label="Grant writing", keywords=["grant", "grants"])]
>>> texts = pd.Series(["AI tools", "Writing grant applications with ChatGPT", "Cataloguing",
...                    "   ", None])
>>> code_themes(texts, themes)
      ai  grants
0   True   False
1   True    True
2  False   False
3   <NA>    <NA>
4   <NA>    <NA>
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.analysis.results import groupings, suppress
from survey.arrays import Bools, Floats
from survey.cleaning.pii import scrub_text
from survey.codebook import Codebook, QuestionType, Theme
from survey.errors import CodebookError, DataError

__all__ = [
    "MIN_TERM_RESPONDENTS",
    "QUOTE_COLUMNS",
    "STOP_WORDS",
    "TERM_COLUMNS",
    "THEME_COLUMNS",
    "UNCODED",
    "code_themes",
    "exemplar_quotes",
    "theme_pattern",
    "theme_table",
    "uncoded_terms",
]


#: The columns of :func:`theme_table`.
THEME_COLUMNS = [
    "wave",
    "question",
    "theme",
    "label",
    "by",
    "group",
    "comments",
    "count",
    "share",
    "weighted",
    "suppressed",
]
#: The columns of :func:`uncoded_terms`.
TERM_COLUMNS = ["question", "term", "count"]
#: The columns of :func:`exemplar_quotes`.
QUOTE_COLUMNS = ["question", "theme", "quote"]
#: The pseudo-theme of comments that match no theme, and its label.
UNCODED = "uncoded"
UNCODED_LABEL = "Not coded to any theme"
#: A term (or a capitalised word in a quote) used by fewer respondents than this is not shown.
MIN_TERM_RESPONDENTS = 3

#: Common English words that say nothing about a theme (lower case, straight apostrophes).
# fmt: off
STOP_WORDS = frozenset((
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "aren't", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "can't", "cannot", "could", "couldn't", "did", "didn't", "do",
    "does", "doesn't", "doing", "don't", "down", "during", "each", "etc", "even", "ever", "every",
    "few", "for", "from", "further", "get", "gets", "getting", "go", "going", "got", "had",
    "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "he'd", "he'll", "he's", "her",
    "here", "here's", "hers", "herself", "him", "himself", "his", "how", "how's", "i", "i'd",
    "i'll", "i'm", "i've", "if", "in", "into", "is", "isn't", "it", "it's", "its", "itself", "just",
    "let's", "like", "made", "make", "many", "may", "me", "might", "more", "most", "much", "must",
    "mustn't", "my", "myself", "need", "no", "nor", "not", "now", "of", "off", "on", "once", "only",
    "or", "other", "others", "our", "ours", "ourselves", "out", "over", "own", "per", "please",
    "quite", "rather", "really", "same", "shall", "shan't", "she", "she'd", "she'll", "she's",
    "should", "shouldn't", "so", "some", "such", "than", "that", "that's", "the", "their", "theirs",
    "them", "themselves", "then", "there", "there's", "these", "they", "they'd", "they'll",
    "they're", "they've", "this", "those", "though", "through", "to", "too", "under", "until", "up",
    "upon", "us", "very", "via", "was", "wasn't", "we", "we'd", "we'll", "we're", "we've", "were",
    "weren't", "what", "what's", "when", "when's", "where", "where's", "which", "while", "who",
    "who's", "whom", "why", "why's", "will", "with", "won't", "would", "wouldn't", "yet", "you",
    "you'd", "you'll", "you're", "you've", "your", "yours", "yourself", "yourselves",
))
# fmt: on

# a space or hyphen inside a keyword matches any run of spaces and hyphens
_KEYWORD_SEPARATOR = re.compile(r"[\s\-‐‑–]+")
_SEPARATOR_PATTERN = r"[\s\-‐‑–]+"
# placeholders left by scrub_text: [email], [phone], [ip], [name]
_PLACEHOLDER = re.compile(r"\[\w+\]")
# a word: letters with inner apostrophes or hyphens; digits are never words
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# what ends a phrase: punctuation other than apostrophes and inner hyphens, or a spaced dash
_CLAUSE_BREAK = re.compile(r"[^\w\s'’\-]+|\s[-–—]+\s|_")


# ----------------------------------------------------------------------------- coding
def _keyword_pattern(keyword: str) -> str:
    words = [word for word in _KEYWORD_SEPARATOR.split(keyword.replace("’", "'").strip()) if word]
    body = _SEPARATOR_PATTERN.join(re.escape(word) for word in words)
    return r"(?<!\w)" + body.replace("'", "['’]") + r"(?!\w)"


def theme_pattern(theme: Theme) -> re.Pattern[str]:
    """The one regular expression that codes a comment to a theme.

    A keyword matches as a whole word or phrase in any case: ``grant`` matches "Grant writing"
    but not "grants" or "immigrant"; a space or hyphen inside a keyword matches any run of
    spaces and hyphens (``trauma-informed`` matches "trauma informed"), and a straight
    apostrophe a curly one. A pattern is a regular expression, searched in any case.

    Raises
    ------
    CodebookError
        When the patterns cannot be joined into one expression (a pattern with a global flag
        such as ``(?i)`` not at its start).

    Examples
    --------
    >>> theme = Theme(code="patrons", label="Difficult patrons", keywords=["de-escalation"],
    ...               patterns=[r"\\bdifficult (patrons?|people)\\b"])
    >>> pattern = theme_pattern(theme)
    >>> [bool(pattern.search(text)) for text in
    ...  ["De escalation skills", "dealing with Difficult Patrons", "difficulty"]]
    [True, True, False]
    """
    parts = [_keyword_pattern(keyword) for keyword in theme.keywords if keyword.strip()]
    parts += [f"(?:{pattern})" for pattern in theme.patterns]
    try:
        return re.compile("|".join(parts), re.IGNORECASE)
    except re.error as error:
        raise CodebookError(
            f"themes: theme {theme.code!r}: its keywords and patterns do not join into one "
            f"regular expression ({error}); remove inline flags such as (?i) from its patterns"
        ) from None


def _answers(texts: pd.Series) -> pd.Series:
    """The comments as an object series of text, ``None`` where missing or blank."""
    text = texts.astype("string")
    blank = (text.isna() | (text.str.strip() == "")).fillna(True).to_numpy(dtype=bool)
    values = text.astype(object).to_numpy(copy=True)
    values[blank] = None
    return pd.Series(values, index=texts.index, dtype="object")


def _hits(answers: pd.Series, themes: Sequence[Theme]) -> npt.NDArray[np.bool_]:
    """A respondents x themes matrix: the comment is coded to the theme (False if no comment).

    Each distinct comment is matched once ("None", "n/a" and repeated answers are common), so
    the work grows with the distinct comments, not the respondents."""
    positions, texts = pd.factorize(answers, use_na_sentinel=True)
    distinct = np.zeros((len(texts) + 1, len(themes)), dtype=bool)  # last row: no comment
    for column, theme in enumerate(themes):
        search = theme_pattern(theme).search
        distinct[:-1, column] = [search(text) is not None for text in texts]
    return distinct[positions]


def code_themes(texts: pd.Series, themes: Sequence[Theme]) -> pd.DataFrame:
    """Code comments to themes.

    Parameters
    ----------
    texts
        Open-text answers, one per respondent.
    themes
        The themes of the question, as in ``codebook.themes[question]``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``texts``, one nullable boolean column per theme code (in the order of
        ``themes``): whether the comment is coded to the theme, NA where the answer is missing
        or blank. A comment can be coded to several themes, or to none.

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> themes = load_codebook(reference_codebook_path()).themes["comments"]
    >>> coded = code_themes(pd.Series(["More webinars please, travel is hard for us.", ""]),
    ...                     themes)
    >>> coded.columns[coded.iloc[0].to_numpy(dtype=bool)].tolist(), bool(coded.iloc[1].isna().all())
    (['travel', 'online'], True)
    """
    answers = _answers(texts)
    missing = answers.isna().to_numpy()
    hits = _hits(answers, themes)
    columns = {
        theme.code: pd.arrays.BooleanArray(hits[:, position], missing.copy())
        for position, theme in enumerate(themes)
    }
    return pd.DataFrame(columns, index=texts.index, columns=[theme.code for theme in themes])


# ------------------------------------------------------------------------------ tables
def _themed_questions(
    respondents: pd.DataFrame, codebook: Codebook
) -> Iterator[tuple[str, list[Theme]]]:
    """The text questions that have themes and a column, in questionnaire order."""
    for question in codebook.questions_of(QuestionType.TEXT):
        if question.id in codebook.themes and question.id in respondents:
            yield question.id, codebook.themes[question.id]


def _weights(weights: npt.ArrayLike | None, size: int) -> Floats:
    if weights is None:
        return np.ones(size)
    values = np.asarray(weights, dtype=float)
    if values.shape != (size,):
        raise ValueError(f"weights: expected {size} values, one per respondent, got {values.shape}")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError("weights: expected finite, non-negative numbers")
    return values


def theme_table(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    wave: str,
    weights: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """How many comments are coded to each theme, overall and by each dimension.

    Parameters
    ----------
    respondents
        Processed data of one wave: one row per respondent, the text questions and the
        dimension columns (option codes).
    codebook
        Gives the themes (``codebook.themes``), the dimensions and their option order, and the
        ``small_cell_threshold``.
    wave
        Written in the ``wave`` column.
    weights
        One weight per respondent (e.g. ``respondents["weight"]``); ``None`` for unweighted
        shares.

    Returns
    -------
    pandas.DataFrame
        For each text question with themes (questionnaire order), each theme (codebook order,
        then ``uncoded``), the total (``by="all"``, ``group="all"``) and each dimension's
        groups present in the data (codebook order), a row with:

        - ``wave``, ``question``, ``theme`` (code), ``label``, ``by``, ``group``;
        - ``comments``: the unweighted number of non-blank comments in the group;
        - ``count``: the unweighted number of them coded to the theme (for ``uncoded``: coded
          to none);
        - ``share``: the share of the group's comments coded to it, weighted when ``weights``
          are given (NaN where the group has no comments). A comment can have several themes,
          so the shares of a group can add up to more than 1;
        - ``weighted``: whether ``weights`` were given;
        - ``suppressed``: the group has fewer comments than ``small_cell_threshold``, or is the
          next smallest group of a breakdown where it is the only such group (complementary
          suppression, as in ``results.csv``); ``count`` and ``share`` are then blank, while
          ``comments`` stays.

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> codebook = load_codebook(reference_codebook_path())
    >>> respondents = pd.DataFrame({
    ...     "sector": ["public"] * 12 + ["academic"] * 10 + ["school"] * 2,
    ...     "role": "librarian", "region": "kootenay",
    ...     "comments": ["Cost of travel", "Too expensive", "", *["Online please"] * 9,
    ...                  *["Thanks!"] * 10, "Costs too much", None]})
    >>> table = theme_table(respondents, codebook, wave="demo")
    >>> shown = table.query("theme in ['cost', 'uncoded'] and by in ['all', 'sector']")
    >>> print(shown[["theme", "by", "group", "comments", "count", "share", "suppressed"]]
    ...       .to_string(index=False))
      theme     by    group  comments  count    share  suppressed
       cost    all      all        22      3 0.136364       False
       cost sector   public        11      2 0.181818       False
       cost sector academic        10   <NA>      NaN        True
       cost sector   school         1   <NA>      NaN        True
    uncoded    all      all        22      0 0.000000       False
    uncoded sector   public        11      0 0.000000       False
    uncoded sector academic        10   <NA>      NaN        True
    uncoded sector   school         1   <NA>      NaN        True
    """
    w = _weights(weights, len(respondents))
    breakdowns = groupings(respondents, codebook)
    parts: list[pd.DataFrame] = []
    for question_id, themes in _themed_questions(respondents, codebook):
        answers = _answers(respondents[question_id])
        answered = answers.notna().to_numpy()
        hits = _hits(answers, themes)
        coded = np.column_stack([hits, answered & ~hits.any(axis=1)])
        codes_of_themes = [theme.code for theme in themes] + [UNCODED]
        labels = [theme.label for theme in themes] + [UNCODED_LABEL]
        for grouping_position, (by, codes, names) in enumerate(breakdowns):
            size = len(names)
            valid = answered & (codes >= 0)
            group = codes[valid]
            comments = np.bincount(group, minlength=size)
            counts = np.zeros((size, coded.shape[1]))
            np.add.at(counts, group, coded[valid])
            total_weight = np.bincount(group, weights=w[valid], minlength=size)
            coded_weight = np.zeros((size, coded.shape[1]))
            np.add.at(coded_weight, group, coded[valid] * w[valid, None])
            with np.errstate(invalid="ignore", divide="ignore"):
                share = coded_weight / total_weight[:, None]
            themes_count = len(codes_of_themes)
            parts.append(
                pd.DataFrame(
                    {
                        "question": question_id,
                        "theme": np.repeat(codes_of_themes, size),
                        "label": np.repeat(labels, size),
                        "by": by,
                        "group": np.tile(names, themes_count),
                        "comments": np.tile(comments, themes_count).astype(np.int64),
                        "count": counts.T.reshape(-1).astype(np.int64),
                        "share": share.T.reshape(-1),
                        "_theme": np.repeat(np.arange(themes_count), size),
                        "_by": grouping_position,
                    }
                )
            )
    if not parts:
        return _empty_theme_table()
    table = pd.concat(parts, ignore_index=True)
    # question order is kept by the concatenation; within it, theme then breakdown then group
    order = table.groupby("question", sort=False).ngroup()
    table = (
        table.assign(_question=order)
        .sort_values(["_question", "_theme", "_by"], kind="stable")
        .drop(columns=["_question", "_theme", "_by"])
        .reset_index(drop=True)
    )
    table.insert(0, "wave", wave)
    table["weighted"] = weights is not None
    table["suppressed"] = False
    return _suppress(table, threshold=codebook.small_cell_threshold)


def _suppress(table: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """``results.suppress`` applied through its columns: theme as option, comments as n,
    share as estimate; a suppressed row also loses its count."""
    as_results = table.rename(columns={"theme": "option", "comments": "n", "share": "estimate"})
    as_results = as_results.assign(se=np.nan, ci_low=np.nan, ci_high=np.nan)
    done = suppress(as_results, threshold=threshold)
    table = table.copy()
    table["suppressed"] = done["suppressed"].to_numpy(dtype=bool)
    table["share"] = done["estimate"].to_numpy(dtype=float)
    table["count"] = table["count"].astype("Int64")
    table.loc[table["suppressed"], "count"] = pd.NA
    return table[THEME_COLUMNS]


def _empty_theme_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave": pd.Series(dtype=object),
            "question": pd.Series(dtype=object),
            "theme": pd.Series(dtype=object),
            "label": pd.Series(dtype=object),
            "by": pd.Series(dtype=object),
            "group": pd.Series(dtype=object),
            "comments": pd.Series(dtype=np.int64),
            "count": pd.Series(dtype="Int64"),
            "share": pd.Series(dtype=float),
            "weighted": pd.Series(dtype=bool),
            "suppressed": pd.Series(dtype=bool),
        }
    )


# ------------------------------------------------------------------------ uncoded terms
def _terms(text: str, stop_words: frozenset[str]) -> set[str]:
    """The distinct words and two-word phrases of a comment, stop words and placeholders out;
    a phrase is two adjacent words of one clause, neither a stop word."""
    text = _PLACEHOLDER.sub(" | ", text.lower().replace("’", "'"))
    terms: set[str] = set()
    for clause in _CLAUSE_BREAK.split(text):
        words = [word.strip("'-") for word in _WORD.findall(clause)]
        keep = [len(word) > 1 and word not in stop_words for word in words]
        terms.update(word for word, kept in zip(words, keep, strict=True) if kept)
        terms.update(
            f"{first} {second}"
            for (first, second), (kept_first, kept_second) in zip(
                pairwise(words), pairwise(keep), strict=True
            )
            if kept_first and kept_second
        )
    return terms


def uncoded_terms(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    top: int = 20,
    stop_words: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The most frequent words and two-word phrases of the comments coded to no theme.

    Read it to find what the codebook's themes miss. A word is letters (with inner apostrophes
    or hyphens), in lower case; numbers, one-letter words, stop words and the placeholders of
    scrubbed personal data (``[email]``, ``[phone]``, ...) are left out, and a phrase is two
    adjacent words of one clause, neither left out. A term is counted once per comment.

    Parameters
    ----------
    respondents
        Processed data of one wave (or several, concatenated).
    codebook
        Gives the themes.
    top
        At most this many terms per question.
    stop_words
        Words to leave out (lower case); :data:`STOP_WORDS` by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``question, term, count``: for each text question with themes, its terms by
        the number of uncoded comments that use them (most first, then alphabetically). Terms
        used in fewer than :data:`MIN_TERM_RESPONDENTS` comments are never listed, so that no
        rare, identifying word is shown.

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> codebook = load_codebook(reference_codebook_path())
    >>> respondents = pd.DataFrame({"learn_next": [
    ...     "Storytime for toddlers", "Toddler storytime ideas", "storytime songs",
    ...     "Readers' advisory", "readers' advisory for teens", "Readers’ advisory",
    ...     "Email me at [email]", "Grant writing"]})
    >>> uncoded_terms(respondents, codebook)
         question              term  count
    0  learn_next          advisory      3
    1  learn_next           readers      3
    2  learn_next  readers advisory      3
    3  learn_next         storytime      3
    """
    stops = STOP_WORDS if stop_words is None else frozenset(stop_words)
    parts: list[pd.DataFrame] = []
    for question_id, themes in _themed_questions(respondents, codebook):
        answers = _answers(respondents[question_id])
        answered = answers.notna().to_numpy()
        uncoded = answers[answered & ~_hits(answers, themes).any(axis=1)]
        terms = uncoded.map(lambda text: sorted(_terms(str(text), stops))).explode().dropna()
        counts = terms.value_counts()
        counts = counts[counts >= MIN_TERM_RESPONDENTS]
        ranked = (
            pd.DataFrame({"term": counts.index.astype(str), "count": counts.to_numpy()})
            .sort_values(["count", "term"], ascending=[False, True], kind="stable")
            .head(top)
        )
        parts.append(ranked.assign(question=question_id))
    if not parts:
        return pd.DataFrame({"question": [], "term": [], "count": []}).astype(
            {"question": object, "term": object, "count": np.int64}
        )
    table = pd.concat(parts, ignore_index=True)
    table["count"] = table["count"].astype(np.int64)
    return table[TERM_COLUMNS]


# ------------------------------------------------------------------------- quotes
def _in_large_groups(respondents: pd.DataFrame, codebook: Codebook, answered: Bools) -> Bools:
    """Respondents with a comment whose group, in every dimension, has at least the threshold
    of commenters; a respondent with no group in a dimension is not in a large group."""
    eligible = answered.copy()
    for dimension in codebook.dimensions:
        if dimension not in respondents:
            raise DataError(
                f"no column {dimension!r}: quotes are chosen only from groups of at least "
                f"{codebook.small_cell_threshold} commenters, which needs every dimension"
            )
        values = respondents[dimension].astype("string").astype(object)
        sizes = values[answered].value_counts()
        size = values.map(sizes).fillna(0).to_numpy(dtype=float)
        eligible &= values.notna().to_numpy() & (size >= codebook.small_cell_threshold)
    return eligible


def _rare_capitalised(answers: pd.Series, stop_words: frozenset[str]) -> Bools:
    """Comments with a capitalised word (a possible name) that fewer than
    :data:`MIN_TERM_RESPONDENTS` comments of the question use, in any case."""
    texts = answers.dropna().astype(str).str.replace("’", "'", regex=False)
    # each distinct comment read once, its words counted as often as it was written
    positions, distinct = pd.factorize(texts)
    copies = np.bincount(positions, minlength=len(distinct))
    usage: Counter[str] = Counter()
    for text, count in zip(distinct, copies, strict=True):
        for word in {word.lower() for word in _WORD.findall(text)}:
            usage[word] += int(count)
    rare = {word for word, count in usage.items() if count < MIN_TERM_RESPONDENTS}

    def has_rare_capital(text: str) -> bool:
        return any(
            word[0].isupper() and word.lower() not in stop_words and word.lower() in rare
            for word in _WORD.findall(text)
        )

    flagged = np.array([has_rare_capital(text) for text in distinct], dtype=bool)[positions]
    result = np.zeros(len(answers), dtype=bool)
    result[answers.notna().to_numpy()] = flagged
    return result


def exemplar_quotes(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    per_theme: int = 3,
    min_chars: int = 40,
    max_chars: int = 200,
    names: Iterable[str] = (),
) -> pd.DataFrame:
    """A few short comments that show what each theme is about, safe to publish.

    Quotes are the shortest distinct comments of ``min_chars`` to ``max_chars`` characters
    coded to the theme (ties in alphabetical order), chosen only from respondents whose group
    in every dimension (sector, role, region) has at least ``small_cell_threshold`` comments on
    the question. As a second line of defence after cleaning, a comment is never quoted when

    - it holds a placeholder of scrubbed personal data (``[email]``, ``[phone]``, ``[name]``),
    - :func:`~survey.cleaning.pii.scrub_text` would still change it (an e-mail address, a
      phone number, an IP address, or one of ``names``), or
    - it has a capitalised word, other than a stop word, that fewer than
      :data:`MIN_TERM_RESPONDENTS` comments of the question use: likely a person's or a
      place's name.

    Parameters
    ----------
    respondents
        Processed data of one wave: the text questions and every dimension column.
    codebook
        Gives the themes, the dimensions and the threshold.
    per_theme
        At most this many quotes per theme and question.
    min_chars, max_chars
        The length of a quotable comment, after trimming spaces.
    names
        Names of people to keep out of quotes (staff lists, the export's name columns), each of
        at least three letters, matched as whole words in any case.

    Returns
    -------
    pandas.DataFrame
        Columns ``question, theme, quote``, in questionnaire and codebook order, the quotes of
        a theme shortest first. A theme with no quotable comment has no row.

    Raises
    ------
    DataError
        When a dimension column is missing (group sizes cannot be checked).

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> codebook = load_codebook(reference_codebook_path())
    >>> comments = ["Cost is the main issue for our small library."] * 10 + [
    ...     "The cost of workshops is too much for a small branch.",
    ...     "Ask Marguerite, the cost of travel to conferences is too high!"]
    >>> respondents = pd.DataFrame({"sector": "public", "role": "librarian",
    ...                             "region": "kootenay", "comments": comments})
    >>> for quote in exemplar_quotes(respondents, codebook).query("theme == 'cost'")["quote"]:
    ...     print(quote)
    Cost is the main issue for our small library.
    The cost of workshops is too much for a small branch.
    """
    rows: list[tuple[str, str, str]] = []
    known_names = [name for name in names if isinstance(name, str)]
    for question_id, themes in _themed_questions(respondents, codebook):
        answers = _answers(respondents[question_id])
        answered = answers.notna().to_numpy()
        trimmed = answers.str.strip()
        length = trimmed.str.len().fillna(0).to_numpy(dtype=float)
        rescrubbed = scrub_text(trimmed, names=known_names)
        unchanged = (rescrubbed.fillna("") == trimmed.fillna("")).to_numpy(dtype=bool)
        placeholder = trimmed.fillna("").str.contains(_PLACEHOLDER).to_numpy(dtype=bool)
        quotable = (
            _in_large_groups(respondents, codebook, answered)
            & (length >= min_chars)
            & (length <= max_chars)
            & unchanged
            & ~placeholder
            & ~_rare_capitalised(answers, STOP_WORDS)
        )
        hits = _hits(answers, themes)
        for position, theme in enumerate(themes):
            candidates = pd.Series(trimmed[quotable & hits[:, position]].unique(), dtype=object)
            chosen = sorted(candidates, key=lambda text: (len(text), text))[:per_theme]
            rows += [(question_id, theme.code, str(quote)) for quote in chosen]
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS, dtype=object)
