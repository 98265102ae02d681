"""A draft codebook for any questionnaire: `survey codebook EXPORT`, then `survey run --by`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from factories import SAMPLES, needs_samples, one_error_line, survey

from survey.codebook import Layout, load_codebook, reference_codebook_path
from survey.draft import Draft, draft_codebook
from survey.errors import CodebookError, DataError
from survey.io import RawExport, read_export

AGREEMENT = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}


@pytest.fixture(scope="module")
def demo_exports(tmp_path_factory) -> Path:
    """The demo waves at 60 rows: 2024.csv and 2026.csv Qualtrics, 2025.xlsx SurveyMonkey."""
    from survey.demo import write_demo

    folder = tmp_path_factory.mktemp("exports")
    write_demo(folder, n=60)
    return folder


@pytest.fixture(scope="module")
def qualtrics_draft(demo_exports) -> Draft:
    return draft_codebook(read_export(demo_exports / "2024.csv"))


@pytest.fixture(scope="module")
def surveymonkey_draft(demo_exports) -> Draft:
    return draft_codebook(read_export(demo_exports / "2025.xlsx"))


def by_text(draft: Draft, text: str) -> dict:
    """The drafted question asked with this text (SurveyMonkey ids are made from it)."""
    return next(q for q in draft.document["questions"] if q["text"] == text)


def export_of(columns: dict[str, list[str | None]], **metadata) -> RawExport:
    """A small export as a reader would return it: text cells, ``None`` for blanks."""
    frame = pd.DataFrame(columns, dtype=object)
    return RawExport(frame, Path("synthetic.csv"), Layout.QUALTRICS, **metadata)


def cycle(values: list[str], n: int = 24) -> list[str | None]:
    return [values[i % len(values)] for i in range(n)]


# ----------------------------------------------------------------------- the draft loads
@pytest.mark.parametrize("name", ["2024.csv", "2025.xlsx", "2026.csv"])
def test_a_draft_loads_with_load_codebook_as_written(demo_exports, tmp_path, name):
    draft = draft_codebook(read_export(demo_exports / name), codebook_path=tmp_path / "d.yaml")
    text = draft.to_yaml()
    (tmp_path / "d.yaml").write_text(text, encoding="utf-8")
    codebook = load_codebook(tmp_path / "d.yaml")
    assert yaml.safe_load(text) == draft.document  # the comments hide nothing
    assert text.startswith("# DRAFT codebook")
    # the questions about respondents are the breakdowns; no frame, so unweighted
    assert len(codebook.dimensions) == 3 and codebook.frame == {}
    assert codebook.profile == codebook.dimensions
    assert [codebook.question(d).type.value for d in codebook.dimensions] == ["single"] * 3
    assert [wave.id for wave in codebook.waves] == [Path(name).stem]
    assert codebook.raw_path(codebook.waves[0]).resolve() == (demo_exports / name).resolve()


# ------------------------------------------------------------------------ guessed types
def test_qualtrics_types_are_guessed(qualtrics_draft):
    types = {q["id"]: q["type"] for q in qualtrics_draft.document["questions"]}
    assert types["sector"] == "single"
    assert types["barriers"] == "multi"  # one column of comma-joined choices
    assert types["employer_support"] == "likert"
    assert types["cpd_hours"] == "number"  # "40 hrs", "approx 20", "-1" too
    assert types["comments"] == "text"
    assert types["learn_next"] == "text"
    assert qualtrics_draft.question("employer_support")["scale"] == "agreement"
    assert qualtrics_draft.scales()["agreement"] == AGREEMENT  # in scale order, 1 lowest


def test_importance_and_confidence_topics_make_one_grid(qualtrics_draft):
    grid = qualtrics_draft.question("imp")
    assert grid["type"] == "grid"
    assert [(item["prefix"], item["scale"]) for item in grid["items"]] == [
        ("imp", "importance"),
        ("comp", "confidence"),
    ]
    assert len(grid["topics"]) == 16
    assert {"code": "leadership", "label": "Leadership and management"} in grid["topics"]
    scales = qualtrics_draft.scales()
    assert scales["importance"][1] == "Not important"
    assert scales["importance"][5] == "Extremely important"
    assert scales["confidence"][1] == "Not at all confident"
    # "Not applicable to my role" is no answer, never a point of the scale
    assert "Not applicable to my role" in qualtrics_draft.document["missing_labels"]


def test_surveymonkey_types_are_guessed(surveymonkey_draft):
    draft = surveymonkey_draft
    assert by_text(draft, "In which sector do you mainly work?")["type"] == "single"
    barriers = by_text(draft, "What gets in the way of your professional learning?")
    assert barriers["type"] == "multi"  # one column per option, holding its label or blank
    assert [o["label"] for o in barriers["options"]][:3] == [
        "Lack of time / workload",
        "Cost / no training budget",
        "Travel distance",
    ]
    support = by_text(draft, "My employer actively supports my professional learning.")
    assert (support["type"], support["scale"]) == ("likert", "agreement")
    hours = "About how many hours did you spend on professional learning in the last 12 months?"
    assert by_text(draft, hours)["type"] == "number"
    comments = "Any other comments about professional learning in the province?"
    assert by_text(draft, comments)["type"] == "text"
    grids = [q for q in draft.document["questions"] if q["type"] == "grid"]
    assert len(grids) == 1 and [i["scale"] for i in grids[0]["items"]] == [
        "importance",
        "confidence",
    ]
    assert draft.skipped == []


def test_options_come_from_the_answers_seen(qualtrics_draft):
    sector = qualtrics_draft.question("sector")
    codes = [option["code"] for option in sector["options"]]
    labels = [option["label"] for option in sector["options"]]
    assert {"Public library", "Academic / post-secondary library"} <= set(labels)
    assert "public_library" in codes and "other" in codes  # "Other (please specify)"
    assert len(codes) == len(set(codes))
    assert "Public Library " not in labels  # one option per spelling up to case and spaces
    assert sector["other"] == "sector_other"  # its "Other (please specify) - Text" column
    assert "Not applicable" not in [
        o["label"] for o in qualtrics_draft.question("library_size")["options"]
    ]


@pytest.mark.parametrize(
    ("answers", "kind", "scale"),
    [
        (
            ["Strongly agree", "Agree", "Disagree", "Neither agree nor disagree"],
            "likert",
            "agreement",
        ),
        (["Strongly agree", "Agree", "Disgree", "Don't know"], "likert", "agreement"),
        (["Never", "Sometimes", "Often", "Always"], "likert", "frequency"),
        (["Very satisfied", "Satisfied", "Dissatisfied"], "likert", "satisfaction"),
        (["Very likely", "Unlikely", "Likely"], "likert", "likelihood"),
        (["Excellent", "Good", "Poor"], "likert", "quality"),
        # whole numbers are a scale only where the question asks for a rating ...
        (["1", "2", "3", "4", "5", "4"], "single", None),
        (["1", "7", "4", "2", "6"], "single", None),
        (["12", "40 hrs", "3", "250", "approx 20", "-99", "7", "81"], "number", None),
        (["A,B", "B", "A,C", "C,B", "A"], "multi", None),
        (["Email; Phone", "Phone", "Post; Email", "Post"], "multi", None),
        (["Yes", "No", "Yes", "Not sure"], "single", None),
        (["None, all in my own time", "All of it", "Some of it"], "single", None),
        (["1", "2", "3", "2", "1"], "single", None),  # codes without labels, not amounts
        (
            [f"I would like more training on topic {n}, please." for n in range(24)],
            "text",
            None,
        ),
    ],
)
def test_a_column_type_is_guessed_from_its_answers(answers, kind, scale):
    draft = draft_codebook(export_of({"q1": cycle(answers)}))
    question = draft.question("q1")
    assert question["type"] == kind
    assert question.get("scale") == scale
    draft.codebook()  # valid as drafted


@pytest.mark.parametrize(
    ("text", "answers", "kind", "scale"),
    [
        (
            "How satisfied are you with the course?",
            ["1", "2", "3", "4", "5", "4"],
            "likert",
            "scale_1_5",
        ),
        ("Please rate the venue", ["1", "7", "4", "2", "6"], "likert", "scale_1_7"),
        (
            "How likely are you to recommend us (0-10)?",
            ["0", "10", "9", "7", "8"],
            "likert",
            "scale_0_10",
        ),
        # ... and codes of a nominal question stay a choice, averaged never
        ("Which fruit do you like best?", ["1", "7", "4", "2", "6", "3", "5"], "single", None),
    ],
)
def test_whole_numbers_are_a_scale_only_for_a_rating_question(text, answers, kind, scale):
    draft = draft_codebook(export_of({"q1": cycle(answers)}, question_text={"q1": text}))
    question = draft.question("q1")
    assert (question["type"], question.get("scale")) == (kind, scale)
    if kind == "single":
        assert [o["label"] for o in question["options"]] == ["1", "2", "3", "4", "5", "6", "7"]


def test_missing_value_candidates_are_listed_not_offered():
    draft = draft_codebook(
        export_of(
            {
                "q1": cycle(["Agree", "Strongly agree", "Prefer not to say", "Disagree"]),
                "q2": cycle(["Small", "Large", "Don't know", "-99"]),
            }
        )
    )
    assert {"Prefer not to say", "Don't know", "-99"} <= set(draft.document["missing_labels"])
    assert [o["label"] for o in draft.question("q2")["options"]] == ["Small", "Large"]


def test_value_labels_missing_values_and_response_sets_are_used():
    labels_in_file_order = {"1": "Agree", "2": "Disagree", "3": "Strongly agree"}  # alphabetical
    export = export_of(
        {
            "q1": cycle(["Agree", "Disagree", "Strongly agree"]),
            "q2": cycle(["Public", "Academic", None]),
            "f_1": cycle(["Webinar", None]),
            "f_2": cycle([None, "Workshop", "Workshop"]),
        },
        value_labels={
            "q1": labels_in_file_order,
            "q2": {"1": "Public", "2": "Academic", "9": "Refused"},
        },
        missing_values={"q2": ["9"]},
        multi_sets={"formats": ["f_1", "f_2"]},
    )
    draft = draft_codebook(export)
    assert draft.question("q1")["type"] == "likert"
    assert draft.scales()[draft.question("q1")["scale"]] == {
        1: "Strongly disagree",
        2: "Disagree",
        3: "Neither agree nor disagree",
        4: "Agree",
        5: "Strongly agree",
    }  # the scale's order, not the file's codes
    assert draft.question("q2")["options"] == [
        {"code": "public", "label": "Public", "aliases": ["1"]},
        {"code": "academic", "label": "Academic", "aliases": ["2"]},
    ]
    assert {"Refused", "9"} <= set(draft.document["missing_labels"])
    formats = draft.question("formats")  # the set's name; its columns f_1, f_2: options 1, 2
    assert formats["type"] == "multi"
    assert [option["code"] for option in formats["options"]] == ["1", "2"]
    assert [option["label"] for option in formats["options"]] == ["Webinar", "Workshop"]
    assert draft.skipped == [] and "CANNOT RUN YET" not in draft.to_yaml()
    draft.codebook()


def test_rated_sub_questions_make_a_grid():
    ratings = [str(n) for n in (1, 2, 3, 4, 5, 6, 7)]
    export = export_of(
        {
            "p_open": cycle(ratings),
            "p_cons": cycle(list(reversed(ratings))),
            "p_neur": cycle(ratings[2:]),
        },
        question_text={
            "p_open": "[Openness] How well does this describe you?",
            "p_cons": "[Conscientiousness] How well does this describe you?",
            "p_neur": "[Emotional stability] How well does this describe you?",
        },
    )
    grid = draft_codebook(export).question("p")
    text = "How well does this describe you?"
    assert grid["type"] == "grid" and grid["text"] == text
    assert grid["items"] == [{"prefix": "p", "scale": "scale_1_7", "text": text}]
    assert grid["topics"] == [
        {"code": "open", "label": "Openness"},
        {"code": "cons", "label": "Conscientiousness"},
        {"code": "neur", "label": "Emotional stability"},
    ]


# ------------------------------------------------------------------------- personal data
def test_personal_data_columns_by_name(qualtrics_draft, surveymonkey_draft):
    for draft in (qualtrics_draft, surveymonkey_draft):
        assert {"email", "first_name", "last_name", "ip_address"} <= set(draft.personal_data)
        ids = {q["id"] for q in draft.document["questions"]}
        assert not ids & set(draft.personal_data)
    assert {"location_latitude", "location_longitude"} <= set(qualtrics_draft.personal_data)
    assert qualtrics_draft.document["quality"]["duplicate_keys"] == ["email"]


def test_personal_data_columns_by_content():
    comments = [f"Comment number {n} about training." for n in range(23)]
    export = export_of(
        {
            "Q7": cycle(["ana@example.org", "bo.li@example.net", None]),
            "Q8": cycle(["+1 (250) 555-0199", "604-555-0123"]),
            "Q9": cycle(["192.0.2.14", "2001:db8::1"]),
            "What is your postal code?": cycle(["V8W 1A1"]),
            "Q10": [*comments, "write to me at ana@example.org"],
        }
    )
    draft = draft_codebook(export)
    assert draft.personal_data == ["Q7", "Q8", "Q9", "What is your postal code?"]
    assert draft.question("q10")["type"] == "text"  # an e-mail in a comment is scrubbed later


# ------------------------------------------------------------------------ command line
def test_survey_codebook_writes_the_draft_and_refuses_to_overwrite(demo_exports, tmp_path):
    export = demo_exports / "2024.csv"
    completed = survey("codebook", str(export), "--out", "draft.yaml", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "questions: 18 (9 single, 3 multi, 2 likert, 1 number, 2 text, 1 grid)" in (
        completed.stdout
    )
    assert "personal data (dropped before anything is saved): ip_address, " in completed.stdout
    written = (tmp_path / "draft.yaml").read_text(encoding="utf-8")
    assert load_codebook(tmp_path / "draft.yaml").question("barriers").type.value == "multi"
    line = one_error_line(survey("codebook", str(export), "--out", "draft.yaml", cwd=tmp_path))
    assert line == (
        "error: draft.yaml: already exists; pass --force to overwrite it, or --out another file"
    )
    assert (tmp_path / "draft.yaml").read_text(encoding="utf-8") == written
    forced = survey("codebook", str(export), "-o", "draft.yaml", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr


def test_survey_codebook_of_a_missing_file_is_one_line(tmp_path):
    line = one_error_line(survey("codebook", "nowhere.csv", cwd=tmp_path))
    assert line == "error: nowhere.csv: file not found"


def test_survey_codebook_with_an_unknown_layout_is_wrong_usage(demo_exports, tmp_path):
    completed = survey("codebook", str(demo_exports / "2024.csv"), "--layout", "x", cwd=tmp_path)
    assert completed.returncode == 2


@pytest.fixture(scope="module")
def drafted(demo_exports, tmp_path_factory) -> Path:
    """A draft of the 2025 SurveyMonkey wave, written by `survey codebook`."""
    folder = tmp_path_factory.mktemp("drafted")
    completed = survey(
        "codebook", str(demo_exports / "2025.xlsx"), "--out", "draft.yaml", cwd=folder
    )
    assert completed.returncode == 0, completed.stderr
    return folder / "draft.yaml"


def test_run_with_a_draft_breaks_down_by_the_chosen_question(demo_exports, drafted, tmp_path):
    sector = next(
        q.id for q in load_codebook(drafted).questions if q.text.startswith("In which sector")
    )
    completed = survey(
        "run",
        str(demo_exports / "2025.xlsx"),
        "--codebook",
        str(drafted),
        "--by",
        sector,
        "--out",
        "out",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert set(results["by"]) == {"all", sector}
    assert {"public_library", "academic_post_secondary_library"} <= set(
        results.loc[results["by"] == sector, "group"]
    )
    assert not results["weighted"].any()  # no frame margins: unweighted
    assert not (tmp_path / "out" / "weighting.json").exists()
    assert set(pd.read_csv(tmp_path / "out" / "needs.csv")["by"]) == {"all", sector}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["dimensions"] == [sector]
    processed = pd.read_parquet(tmp_path / "data" / "processed" / "2025.parquet")
    assert not {"email", "ip_address", "first_name", "last_name"} & set(processed.columns)


@pytest.mark.parametrize(
    ("by", "message"),
    [
        ("nonexistent", "error: --by nonexistent: {book} has no question 'nonexistent'"),
        ("cpd_hours", "error: --by cpd_hours: a number question in {book}; breakdowns are"),
    ],
)
def test_by_a_question_that_is_not_single_choice_is_one_line(
    demo_exports, qualtrics_draft, tmp_path, by, message
):
    book = tmp_path / "draft.yaml"
    book.write_text(qualtrics_draft.to_yaml(), encoding="utf-8")
    line = one_error_line(
        survey("run", str(demo_exports / "2024.csv"), "-c", str(book), "--by", by, cwd=tmp_path)
    )
    assert line.startswith(message.format(book=book))
    assert not (tmp_path / "reports").exists()


def test_a_codebook_without_waves_runs_a_raw_file_named_by_it(
    demo_exports, qualtrics_draft, tmp_path
):
    document = {**qualtrics_draft.document, "waves": []}
    book = tmp_path / "nowaves.yaml"
    book.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    raw = tmp_path / "spring.csv"
    raw.write_bytes((demo_exports / "2024.csv").read_bytes())
    completed = survey("run", str(raw), "-c", str(book), "--by", "region", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    results = pd.read_csv(tmp_path / "reports" / "spring" / "results.csv")
    assert set(results["wave"].astype(str)) == {"spring"}
    assert set(results["by"]) == {"all", "region"}


# ------------------------------------------------------------- --by over a codebook's own
def test_by_replaces_the_dimensions_and_keeps_the_codebook_file():
    from survey.cli import _with_breakdowns

    book = load_codebook(reference_codebook_path())
    chosen = _with_breakdowns(book, "region, sector", weighted=True)
    assert chosen.dimensions == ["region", "sector"]
    assert chosen.frame == book.frame and chosen.source == book.source
    unweighted = _with_breakdowns(book, "role", weighted=False)
    assert (unweighted.dimensions, unweighted.frame) == (["role"], {})
    with pytest.raises(CodebookError, match=r"weights by sector, region .* --unweighted"):
        _with_breakdowns(book, "role", weighted=True)


def test_the_cache_of_a_run_depends_on_its_breakdowns(demo_exports):
    from survey.outputs import cache_key

    book = load_codebook(reference_codebook_path())
    raw = demo_exports / "2024.csv"
    other = book.model_copy(update={"dimensions": ["role"]})
    assert cache_key(book, raw, True, None) != cache_key(other, raw, True, None)


# ---------------------------------------------------------------------- real exports
def real_exports() -> list[Path]:
    if not SAMPLES.is_dir():
        return []
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in {".csv", ".sav", ".xlsx"})


@needs_samples
@pytest.mark.parametrize("path", real_exports(), ids=lambda path: path.name)
def test_a_real_export_drafts_a_codebook_that_loads(path, tmp_path):
    try:
        export = read_export(path)
    except DataError as error:
        pytest.skip(f"the importers do not read it yet: {error}")
    target = tmp_path / "draft.yaml"
    target.write_text(draft_codebook(export, codebook_path=target).to_yaml(), encoding="utf-8")
    codebook = load_codebook(target)
    assert codebook.questions


@needs_samples
def test_the_real_surveymonkey_export_drafts_and_runs(tmp_path):
    export = SAMPLES / "sm_monkeyreadr_test-responses.csv"
    completed = survey("codebook", str(export), "--out", "lead.yaml", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    draft = draft_codebook(read_export(export), codebook_path=tmp_path / "lead.yaml")
    assert draft.type_counts() == {"single": 4, "likert": 3, "text": 4}
    # the survey's own typos are its scale labels: the toolkit codes them as exported
    assert draft.scales()["agreement"][2] == "Disgree"
    assert draft.scales()["agreement_2"][4] == "Aagree"
    assert draft.document["min_responses"] == 16  # only 16 responses in the file
    assert draft.document["waves"][0]["date_formats"] == ["%m/%d/%Y %I:%M:%S %p"]
    completed = survey(
        "run",
        str(export),
        "-c",
        "lead.yaml",
        "--by",
        "complete_module_part_action",
        "--out",
        "out",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert set(results["by"]) == {"all", "complete_module_part_action"}


@pytest.mark.parametrize(
    ("names", "ticked", "unticked"),
    [
        (["Q2_1", "Q2_2", "Q2_3"], "1", None),  # Qualtrics: one column per choice
        (["Q2[SQ001]", "Q2[SQ002]", "Q2[SQ003]"], "Y", "N"),  # LimeSurvey code headings
        (["Q2_a", "Q2_b", "Q2_c"], "Selected", "Not selected"),  # LimeSurvey R export (a set)
    ],
)
def test_tagged_option_columns_make_a_multi_that_runs(names, ticked, unticked):
    from survey.cleaning.recode import spread_multi
    from survey.io import map_to_codebook

    export = export_of(
        {
            names[0]: cycle([ticked, unticked]),
            names[1]: cycle([unticked, ticked, ticked]),
            names[2]: cycle([ticked, ticked, unticked, unticked]),
            "Q3": cycle(["Public", "Academic"]),
        },
        multi_sets={"Q2": names} if ticked == "Selected" else {},
    )
    draft = draft_codebook(export)
    multi = next(q for q in draft.document["questions"] if q["type"] == "multi")
    assert multi["id"].casefold() == "q2" and draft.skipped == []
    codes = [option["code"] for option in multi["options"]]
    assert codes == [name.split("[")[-1].rstrip("]").split("_")[-1].casefold() for name in names]
    book = draft.codebook()
    frame, found = map_to_codebook(export, book)
    assert set(found.missing) <= {"respondent_id"} and multi["id"] in found.spread
    coded = spread_multi(frame, book.question(multi["id"]))
    first = coded[f"{multi['id']}__{codes[0]}"].tolist()
    assert first[:2] == [True, False]  # "not chosen" cells are not ticks


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("filter_$", "Groupe = 2 (FILTER)", "computed from other answers"),
        ("eq1", "{if(q1 > 2, 'yes', 'no')}", "computed from other answers"),
        ("Q1_DO", "Q1 - Display Order", "the order the options were shown in"),
    ],
)
def test_columns_that_are_no_answers_are_skipped_with_a_reason(name, text, reason):
    from survey.draft.columns import Column, skipped_shape

    column = Column(name=name, text=text, values=["1", "0", "1"])
    assert reason in (skipped_shape(column) or "")


def test_a_column_that_is_an_answer_is_not_skipped():
    from survey.draft.columns import Column, skipped_shape

    assert skipped_shape(Column(name="q2", text="Groupe", values=["1", "2"])) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("This is a multiple choice question.", "single"),  # qualtRics' one-response sample
        ("Which branch do you work in?", "single"),
        ("How many staff work in your branch?", "number"),
    ],
)
def test_a_question_that_asks_for_a_choice_keeps_its_codes_with_one_response(text, kind):
    draft = draft_codebook(export_of({"q1": ["2", "12"]}, question_text={"q1": text}))
    [question] = draft.document["questions"]  # (a profile question is named in words)
    assert question["type"] == kind


# ------------------------------------------------------------ shapes met in the real corpus
@pytest.mark.parametrize(
    "labels",
    [
        ["Disagree completely", "Rather disagree", "Rather agree", "Agree completely"],
        ["Not important", "Rather unimportant", "Rather important", "Very important"],
    ],
)
def test_four_point_scales_are_scales_in_their_order(labels):
    answers = cycle([labels[3], labels[0], labels[2], labels[1], labels[2]])
    draft = draft_codebook(export_of({"q1": answers}, question_text={"q1": "The tool helps"}))
    question = draft.question("q1")
    assert question["type"] == "likert"
    assert list(draft.scales()[question["scale"]].values()) == labels


def test_long_labels_chosen_again_and_again_are_options_not_comments():
    settings = [
        "A university library serving researchers and students",
        "A public library branch in a rural community",
        "A school library run by a teacher-librarian",
    ]
    text = "Please describe the library you work in"
    draft = draft_codebook(export_of({"q1": cycle(settings)}, question_text={"q1": text}))
    question = draft.question("q1")
    assert question["type"] == "single"
    assert sorted(option["label"] for option in question["options"]) == sorted(settings)


def test_a_view_of_something_is_not_proposed_as_a_breakdown():
    roles = ["Librarian", "Technician", "Manager"]
    views = ["Very relevant to my role", "Somewhat relevant", "Not relevant"]
    export = export_of(
        {"q1": cycle(views), "q2": cycle(roles)},
        question_text={
            "q1": "How would you describe the job board's relevance to your role?",
            "q2": "What is your role?",
        },
    )
    draft = draft_codebook(export)
    assert draft.question("q1")["type"] == "single"
    assert draft.document["dimensions"] == ["role"]  # q2, named in words


def yes_no_tools(n: int = 24) -> dict[str, list[str | None]]:
    """A LimeSurvey Yes/No array over three tools read from full headings; every fourth
    respondent answered "No" to every tool, every sixth left it (N/A)."""
    columns: dict[str, list[str | None]] = {"role": cycle(["Librarian", "Technician"], n)}
    for position, tool in enumerate(["Git", "Excel", "R"]):
        cells: list[str | None] = []
        for row in range(n):
            if row % 6 == 5:
                cells.append("N/A")
            elif row % 4 == 3:
                cells.append("No")
            else:
                cells.append("Yes" if (row + position) % 2 else "No")
        columns[f"Which tools do you use? | {tool}"] = cells
    return columns


def test_yes_no_sub_questions_make_one_multi_and_no_everywhere_is_an_answer():
    from survey.cleaning.standardise import standardise
    from survey.io import map_to_codebook

    export = export_of(yes_no_tools())
    draft = draft_codebook(export)
    [multi] = [q for q in draft.document["questions"] if q["type"] == "multi"]
    assert sorted(option["label"] for option in multi["options"]) == ["Excel", "Git", "R"]
    book = draft.codebook()
    frame, found = map_to_codebook(export, book)
    coded, _ = standardise(frame, found, book, book.waves[0])
    share = coded["answered_share"].tolist()
    # two closed questions (role, tools): "No" to every tool answered it; N/A everywhere did not
    assert share[3] == 1.0 and share[5] == 0.5 and share[0] == 1.0
    assert coded[f"{multi['id']}__n"].isna().tolist()[3] is True  # chose nothing: not a tick


def test_a_chosen_missing_label_is_an_answer_and_a_no_answer_code_is_not():
    from survey.cleaning.standardise import standardise
    from survey.io import map_to_codebook

    scale = ["Very important", "Somewhat important", "Not important"]
    n = 24
    columns: dict[str, list[str | None]] = {"role": cycle(["Librarian", "Technician"], n)}
    for topic in ["leadership", "cataloguing", "outreach"]:
        cells = [scale[row % 3] for row in range(n)]
        cells[0] = "Not applicable to my role"  # chose: an answer, though no figure
        cells[1] = "-99"  # Qualtrics' "seen, left blank": no answer
        cells[2] = "N/A"  # LimeSurvey's "no answer"
        columns[f"How important is {topic} training?"] = cells
    export = export_of(columns)
    book = draft_codebook(export).codebook()
    assert {"Not applicable to my role", "-99", "N/A"} <= set(book.missing_labels)
    frame, found = map_to_codebook(export, book)
    coded, _ = standardise(frame, found, book, book.waves[0])
    share = coded["answered_share"].round(2).tolist()
    assert share[:4] == [1.0, 0.25, 0.25, 1.0]  # four closed questions: role and three ratings
    rating = next(q.id for q in book.questions if q.id != "role")
    assert coded[rating].iloc[:3].isna().all()  # none of the three is a point of the scale


def test_optional_questions_left_blank_do_not_make_a_finished_response_incomplete():
    n = 30
    columns: dict[str, list[str | None]] = {}
    for number in range(10):
        cells: list[str | None] = []
        for row in range(n):
            broke_off = row % 5 == 0 and number > 1  # a fifth stop after two questions
            optional = 1 <= number <= 8 and (row + number) % 3 == 0  # some skipped on the way
            cells.append(None if broke_off or optional else ["Yes", "No"][(row + number) % 2])
        columns[f"q{number}"] = cells
    draft = draft_codebook(export_of(columns))
    quality = draft.document["quality"]
    assert quality["min_answered_share"] < 0.8
    assert any("reached the end of the questionnaire" in note for note in draft.rules.relaxed)
    assert draft.rules.by_rule["incomplete"] == n // 5  # the break-offs, and only them


def test_columns_each_holding_their_own_label_make_a_multi_without_sub_labels():
    # Qualtrics' choice text saved as a plain CSV: D-1_1 holds "Recreational" or NA, D-1_2
    # "Educational" or NA ...; no header names the options
    uses = ["Recreational", "Educational", "Scientific"]
    columns = {
        f"D-1_{n}": [use if (row + n) % 3 else "NA" for row in range(24)]
        for n, use in enumerate(uses, start=1)
    }
    export = RawExport(pd.DataFrame(columns, dtype=object), Path("plain.csv"), Layout.CSV)
    draft = draft_codebook(export)
    [question] = draft.document["questions"]
    assert question["type"] == "multi"
    assert [option["label"] for option in question["options"]] == uses
    assert "NA" in draft.document["missing_labels"]
    book = draft.codebook()
    from survey.cleaning.standardise import standardise
    from survey.io import map_to_codebook

    frame, found = map_to_codebook(export, book)
    coded, _ = standardise(frame, found, book, book.waves[0])
    first = question["options"][0]["code"]
    assert coded[f"{question['id']}__{first}"].tolist()[:3] == [True, True, False]  # NA: no tick
