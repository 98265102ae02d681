"""The draft's vocabulary: known rating scales, answers meaning "no answer", names of
platform, personal-data, id and weight columns, rating words, and text helpers that make
codes from labels."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "ACCEPTED_CONSENT",
    "CHOICE_WORDS",
    "COMPUTED_TEXT",
    "DATE_FORMATS",
    "DEFAULT_DATE_FORMATS",
    "EMAIL",
    "ID_NAMES",
    "INTEGER",
    "IPV4",
    "IPV6",
    "KNOWN_SCALES",
    "MAYBE_ANSWER",
    "METADATA",
    "METADATA_PATTERN",
    "MISSING_ANSWER",
    "NUMBER",
    "OPEN_QUESTION",
    "OTHER",
    "PERSONAL_NAMES",
    "PHONE",
    "PROFILE_WORDS",
    "QUALTRICS_SUFFIX",
    "RATING_WORDS",
    "SKIPPED_SHAPES",
    "STOPWORDS",
    "TICK_WORDS",
    "WEIGHT_NAME",
    "as_identifier",
    "folded",
    "identifier",
    "is_missing_answer",
    "is_number",
    "normalise",
    "tag_identifier",
    "text_words",
]

#: Rating scales recognised in answers: name -> points in order, each point its spellings
#: (normalised: lower case, single spaces, straight quotes). The first spelling is the label
#: written when the export never shows that point. Several variants of one family share a
#: name; the first variant that takes every answer wins (5 points before 4 and 7).
KNOWN_SCALES: list[tuple[str, list[list[str]]]] = [
    (
        "agreement",
        [
            ["strongly disagree"],
            ["disagree"],
            [
                "neither agree nor disagree",
                "neither agree or disagree",
                "neither disagree nor agree",
                "neutral",
                "undecided",
            ],
            ["agree"],
            ["strongly agree"],
        ],
    ),
    ("agreement", [["strongly disagree"], ["disagree"], ["agree"], ["strongly agree"]]),
    (
        "agreement",
        [
            ["strongly disagree"],
            ["disagree"],
            ["somewhat disagree", "slightly disagree", "tend to disagree"],
            ["neither agree nor disagree", "neither agree or disagree", "neutral"],
            ["somewhat agree", "slightly agree", "tend to agree"],
            ["agree"],
            ["strongly agree"],
        ],
    ),
    (
        "agreement",
        [
            ["strongly disagree"],
            ["somewhat disagree", "tend to disagree"],
            ["neither agree nor disagree", "neither agree or disagree", "neutral"],
            ["somewhat agree", "tend to agree"],
            ["strongly agree"],
        ],
    ),
    (
        "agreement",
        [
            ["tout a fait en desaccord", "pas du tout d'accord", "fortement en desaccord"],
            ["plutot en desaccord", "plutot pas d'accord", "en desaccord"],
            ["plutot en accord", "plutot d'accord", "d'accord"],
            ["tout a fait en accord", "tout a fait d'accord", "fortement en accord"],
        ],
    ),
    (
        "agreement",
        [
            ["disagree completely", "completely disagree", "totally disagree"],
            ["rather disagree", "tend to disagree", "somewhat disagree"],
            ["rather agree", "tend to agree", "somewhat agree"],
            ["agree completely", "completely agree", "totally agree"],
        ],
    ),
    (
        "importance",
        [
            ["not important", "not at all important", "unimportant"],
            ["slightly important", "of little importance", "low importance"],
            ["moderately important", "somewhat important", "moderate importance"],
            ["very important", "important"],
            ["extremely important", "essential", "critical"],
        ],
    ),
    (
        "importance",
        [
            ["not important", "not at all important", "unimportant"],
            ["rather unimportant", "somewhat unimportant"],
            ["rather important", "fairly important"],
            ["very important"],
        ],
    ),
    (
        "confidence",
        [
            ["not at all confident", "not confident"],
            ["slightly confident", "a little confident"],
            ["moderately confident", "somewhat confident"],
            ["very confident", "confident"],
            ["extremely confident", "completely confident", "fully confident"],
        ],
    ),
    (
        "satisfaction",
        [
            ["very dissatisfied", "extremely dissatisfied"],
            ["dissatisfied", "somewhat dissatisfied"],
            ["neither satisfied nor dissatisfied", "neither satisfied or dissatisfied", "neutral"],
            ["satisfied", "somewhat satisfied"],
            ["very satisfied", "extremely satisfied"],
        ],
    ),
    (
        "frequency",
        [
            ["never"],
            ["rarely", "seldom"],
            ["sometimes", "occasionally"],
            ["often", "usually", "frequently"],
            ["always", "very often"],
        ],
    ),
    (
        "likelihood",
        [
            ["very unlikely", "extremely unlikely"],
            ["unlikely", "somewhat unlikely"],
            ["neither likely nor unlikely", "neither likely or unlikely", "neutral"],
            ["likely", "somewhat likely"],
            ["very likely", "extremely likely"],
        ],
    ),
    (
        "quality",
        [["very poor"], ["poor"], ["fair", "average"], ["good"], ["very good", "excellent"]],
    ),
    (
        "usefulness",
        [
            ["not at all useful", "not useful"],
            ["slightly useful", "a little useful"],
            ["moderately useful", "somewhat useful"],
            ["very useful"],
            ["extremely useful"],
        ],
    ),
    (
        "usefulness",
        [
            ["not at all useful", "not useful"],
            ["slightly useful"],
            ["moderately useful"],
            ["very useful"],
        ],
    ),
]

#: Answers that usually mean "no answer": kept out of options and scales, listed as missing.
MISSING_ANSWER = re.compile(
    r"^(?:n/?a|n\.a\.|not applicable\b.*|does not apply|don'?t know|do not know|dk"
    r"|not sure|unsure|no opinion|prefer not to (?:say|answer|disclose|respond)"
    r"|rather not (?:say|answer)|no answer|no response|refused|declined?(?: to answer)?"
    r"|no basis(?: to (?:judge|answer|say))?|can'?t say|cannot (?:say|judge)|no experience"
    r"|-9|-99|-999|-98|-97|-9999|999|9999)$"
)
#: Of those, the ones that may well be real answers ("Not sure" to "Are you interested?").
MAYBE_ANSWER = {"not sure", "unsure", "no opinion"}

#: Metadata columns of survey platforms (names normalised: lower case, letters and digits):
#: not questions. The readers rename the common ones to the toolkit's names.
METADATA = {
    "respondentid", "responseid", "startdate", "enddate", "durationseconds",
    "durationinseconds", "progress", "finished", "status", "recordeddate", "collectorid",
    "distributionchannel", "userlanguage", "responseset", "responsetype", "locationaccuracy",
    "submitdate", "lastpage", "startlanguage", "seed", "datestamp", "interviewtime",
    "refurl", "wave", "collectorname", "collectortype", "timestamp", "horodateur", "submittedat",
    "networkid", "qrecaptchascore", "qrelevantidduplicate", "qrelevantidduplicatescore",
    "qrelevantidfraudscore", "qrelevantidlaststartdate", "qballotboxstuffing",
    "qtotalduration", "qdatapolicyviolations", "qurl", "qlanguage", "submitdate1",
    # KoboToolbox and ODK (_uuid, _submission_time ...)
    "uuid", "submissiontime", "validationstatus", "parentindex", "parenttablename",
    "submittedby", "deviceid",
}  # fmt: skip
METADATA_PATTERN = re.compile(
    r"^(?:customdata\d*|grouptime.*|questiontime.*|q?\d*time|startdate\d*|enddate\d*)$"
)

#: Column names that hold personal data (matched on the name's words, lower case).
PERSONAL_NAMES = [
    re.compile(pattern)
    for pattern in (
        r"\be ?mail\b",
        r"\bemail ?address\b",
        r"^recipient\b",
        r"^(?:first|last|full|given|family|middle|sur|contact|your)? ?name$",
        r"\b(?:first|last|full|given|family|middle) name\b",
        r"\bsurname\b",
        r"\byour name\b",
        r"\b(?:tele)?phone\b",
        r"\b(?:mobile|cell)(?: ?phone| number)?$",
        r"\bip\b",
        r"\bip ?address\b",
        r"\b(?:street|home|postal|mailing|street) address\b",
        r"^address\b",
        r"\bpost(?:al)? ?code\b",
        r"\bzip(?: ?code)?\b",
        r"\b(?:latitude|longitude)\b",
        r"^(?:lat|lon|lng|long)$",
        r"\bexternal (?:data )?reference\b",
        r"^token$",
    )
]
EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(?:\.[\w-]+)+$")
IPV4 = re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}$")
IPV6 = re.compile(r"^[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}$", re.IGNORECASE)
PHONE = re.compile(r"^\+?\(?\d[\d ().-]{5,}\d$")
NUMBER = re.compile(
    r"^\s*(?:approx(?:imately)?\.?\s*|about\s*|~\s*)?[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    r"\s*(?:h|hr|hrs|hours?)?\.?\s*$",
    re.IGNORECASE,
)
INTEGER = re.compile(r"^[-+]?\d+(?:\.0+)?$")
OTHER = re.compile(r"^other\b")
#: Words of a question that asks for the respondent's own words.
OPEN_QUESTION = re.compile(
    r"\b(?:comments?|feedback|suggestions?|describe|explain|elaborate|anything else|tell us"
    r"|why|specify|thoughts|ideas)\b"
)
QUALTRICS_SUFFIX = re.compile(r"\s+-\s+(?:selected choice|text)$", re.IGNORECASE)
STOPWORD_TEXT = (
    "a an the of to in on at for and or by with from as is are was were be been do does did "
    "you your yours i me my we our us it its this that these those there their they which what "
    "who whom whose how when where why would could should can may might will shall have has "
    "had any all each please following about into than then so if"
)
STOPWORDS = frozenset(re.findall(r"\S+", STOPWORD_TEXT))
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})

#: Date formats tried on the start dates, for the wave's ``date_formats``.
DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f%z",  # KoboToolbox, ODK: local time and its offset
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d",
]
DEFAULT_DATE_FORMATS = ["%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M"]
ACCEPTED_CONSENT = re.compile(r"^(?:yes\b|i agree|agree\b|i consent|consent\b|accept|1$|true$)")


# ---------------------------------------------------------------------------------- text
def normalise(text: object) -> str:
    """Text as a lookup key: quotes straightened, spaces collapsed, case folded."""
    return re.sub(r"\s+", " ", str(text).translate(QUOTES)).strip().casefold()


def folded(text: str) -> str:
    """A scale label as a lookup key: normalised, accents dropped, no final full stop."""
    ascii_text = unicodedata.normalize("NFKD", normalise(text)).encode("ascii", "ignore")
    return ascii_text.decode().rstrip(".")


def text_words(text: str, *, camel: bool = False) -> list[str]:
    """The ASCII words of a text, lower case; ``camel`` splits export tags too
    (``RecipientEmail`` -> recipient, email)."""
    if camel:
        text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
        text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", " ", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", ascii_text.casefold().replace("'", ""))


def identifier(text: str, *, words: int = 4, limit: int = 32, fallback: str = "q") -> str:
    """A lower-case snake-case code made of the first significant words of ``text``."""
    found = text_words(text)
    significant = [word for word in found if word not in STOPWORDS] or found
    code = ""
    for word in significant[:words]:
        candidate = f"{code}_{word}" if code else word
        if len(candidate) > limit and code:
            break
        code = candidate[:limit]
    return code or fallback


def as_identifier(name: str) -> str | None:
    """The column name itself as a question id, when it is one (``Q1`` -> ``q1``)."""
    lowered = name.strip().casefold()
    return lowered if re.fullmatch(r"[a-z0-9][a-z0-9_]*", lowered) else None


def is_number(value: str) -> bool:
    return NUMBER.match(value) is not None


def is_missing_answer(value: str, *, keep_maybe: bool = False) -> bool:
    """Whether an answer usually means "no answer" ("Not sure" too, unless ``keep_maybe``)."""
    key = normalise(value).rstrip(".")
    if keep_maybe and key in MAYBE_ANSWER:
        return False
    return MISSING_ANSWER.match(key) is not None


#: Cells that only say "chosen", not which option.
TICK_WORDS = frozenset({"1", "y", "yes", "x", "selected", "checked", "true"})

#: Names of a respondent-id column (normalised: lower case, letters and digits), in order of
#: preference; the readers already name the platforms' own ids ``respondent_id``.
ID_NAMES = (
    "respondentid", "responseid", "id", "uniqueid", "uid", "participantid", "caseid",
    "recordid", "respid", "submissionid", "interviewid", "instanceid", "uuid", "serial",
    "serialnumber", "unnamed",
)  # fmt: skip

#: A weight column's name: ``weight``, ``weight_a``, ``final weight``, ``wt``, ``poids`` ...
WEIGHT_NAME = re.compile(
    r"^(?:final|design|survey|sample|post|base)?[ _.-]?"
    r"(?:weights?|wt|wgt|wght|poids|peso|pesos|gewicht|ponderacion|ponderation)"
    r"(?:[ _.-]?[a-z0-9]{1,8})?$",
    re.IGNORECASE,
)

#: Question text that asks for a choice: its small whole numbers are option codes, not amounts.
CHOICE_WORDS = re.compile(
    r"\b(?:multiple choice|which|choose|chosen|select\w*|pick|tick|check one|mark one|choix"
    r"|choisi\w*|lequel|laquelle|welche\w*)\b",
    re.IGNORECASE,
)

#: Words of a question that asks for a rating, so that answers coded 1..k are a scale.
RATING_WORDS = re.compile(
    r"\b(?:rate|rating|ratings|scale|score|agree\w*|disagree\w*|satisf\w*|dissatisf\w*"
    r"|important|importance|likely|likelihood|confident|confidence|often|frequen\w*"
    r"|extent|how much|how well|level|degree|quality|useful\w*|helpful\w*|difficult\w*"
    r"|easy|recommend|comfortable|interest\w*|effective\w*|mood|likert|accord\w*"
    r"|desaccord|d'accord|mate|zeer)\b",
    re.IGNORECASE,
)

#: Words of a question that describes the respondent (a breakdown candidate).
PROFILE_WORDS = re.compile(
    r"\b(?:gender|sex|age|aged|role|position|job|occupation|profession|sector|department"
    r"|faculty|region|province|country|location|branch|campus|years|grade|group|groupe"
    r"|status|employment|employed|education|degree|experience|tenure|organi[sz]ation"
    r"|institution|team|division|ethnic\w*|race|income|genre|identify|sexe|âge|rôle|région"
    r"|secteur|profession|statut)\b",
    re.IGNORECASE,
)

#: Export columns that are not answers (display order, timers, uploads, computed values):
#: drafted as ``skip``, with the reason.
SKIPPED_SHAPES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"_DO(?:_|$)"), "the order the options were shown in (Qualtrics), not an answer"),
    (re.compile(r"(?i)(?:_|^)(?:first click|last click|page submit|click count)$"),
     "a page timer (Qualtrics), not an answer"),
    (re.compile(r"(?i)__?filecount$|\bfile ?count$"), "a count of uploaded files"),
    (re.compile(r"(?i)_(?:x|y)$|heat ?map|hot ?spot"), "click coordinates (a heat map)"),
]  # fmt: skip

#: Question text of a value the survey or the analyst computed (a LimeSurvey equation
#: ``{if(...)}``, an SPSS filter variable "Groupe = 2 (FILTER)").
COMPUTED_TEXT = re.compile(r"^\s*\{.*\}\s*$|\(FILTER\)\s*$", re.DOTALL)


def tag_identifier(name: str) -> str | None:
    """An export tag as a question id: lower case, anything but letters and digits as ``_``
    (``Q4#1_2`` -> ``q4_1_2``); ``None`` for a name that is no tag (long, or words).

    >>> tag_identifier("Q4#1_2"), tag_identifier("Q2[SQ001]"), tag_identifier("How old are you?")
    ('q4_1_2', 'q2_sq001', None)
    >>> tag_identifier("Âge_répondant")  # accents dropped, not the letter
    'age_repondant'
    """
    stripped = name.strip()
    if not stripped or len(stripped) > 40 or " " in stripped:
        return None
    ascii_name = unicodedata.normalize("NFKD", stripped).encode("ascii", "ignore").decode()
    code = re.sub(r"[^a-z0-9]+", "_", ascii_name.casefold()).strip("_")
    if not code or not re.fullmatch(r"[a-z0-9][a-z0-9_]*", code):
        return None
    return code
