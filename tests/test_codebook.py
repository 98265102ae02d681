"""The codebook model: the reference loads, and each kind of mistake gets its own message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from survey.codebook import Layout, QuestionType, load_codebook, reference_codebook_path
from survey.errors import CodebookError


def test_reference_codebook_describes_the_instrument(codebook):
    assert codebook.dimensions == ["sector", "role", "region"]
    assert codebook.small_cell_threshold == 10
    grid = codebook.question("learning_needs")
    assert grid.type is QuestionType.GRID
    assert len(grid.topics) == 16
    assert [item.prefix for item in grid.items] == ["imp", "comp"]
    assert codebook.question("formats").max_choices == 3
    assert codebook.question("cpd_hours").range == (0, 2000)
    assert sum(codebook.frame["sector"].values()) == 1800
    assert sum(codebook.frame["region"].values()) == 1800
    assert "email" in codebook.personal_data
    # 7 singles + 2 other-specify + 32 grid + number + single + likert + 9 + 8 + single
    # + likert + 7 + 2 texts
    assert len(codebook.variables()) == 72
    assert codebook.variables()[:4] == ["sector", "sector_other", "role", "role_other"]
    assert "barriers__travel" in codebook.variables()
    assert [wave.layout for wave in codebook.waves] == [
        Layout.QUALTRICS,
        Layout.SURVEYMONKEY,
        Layout.QUALTRICS,
    ]
    assert {type(wave.layout) for wave in codebook.waves} == {Layout}


def test_committed_codebook_is_the_reference(demo_dir):
    assert (demo_dir / "codebook.yaml").read_bytes() == reference_codebook_path().read_bytes()


def _document() -> dict:
    return yaml.safe_load(reference_codebook_path().read_text(encoding="utf-8"))


def _write(tmp_path: Path, document: dict | str) -> Path:
    path = tmp_path / "codebook.yaml"
    text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _question(document: dict, question_id: str) -> dict:
    return next(q for q in document["questions"] if q["id"] == question_id)


def _drop_text(document: dict) -> None:
    del _question(document, "region")["text"]


def _unknown_type(document: dict) -> None:
    _question(document, "region")["type"] = "dropdown"


def _code_twice(document: dict) -> None:
    _question(document, "region")["options"][1]["code"] = "vancouver_island"


def _numeric_code(document: dict) -> None:
    _question(document, "years")["options"][1]["code"] = 25


def _unknown_scale(document: dict) -> None:
    _question(document, "employer_support")["scale"] = "satisfaction"


def _dimension_not_single(document: dict) -> None:
    document["dimensions"] = ["sector", "barriers"]


def _profile_unknown(document: dict) -> None:
    document["profile"] = ["years", "age"]


def _frame_unknown_code(document: dict) -> None:
    document["frame"]["sector"]["museum"] = 10


def _misspelt_key(document: dict) -> None:
    _question(document, "region")["optoins"] = []


def _question_twice(document: dict) -> None:
    document["questions"].append(dict(_question(document, "region")))


def _bad_pattern(document: dict) -> None:
    document["quality"]["test_patterns"] = ["(unclosed"]


def _skip_without_reason(document: dict) -> None:
    _question(document, "region")["type"] = "skip"
    del _question(document, "region")["options"]
    document["dimensions"] = ["sector", "role"]
    document["frame"].pop("region")


def _column_of_a_grid(document: dict) -> None:
    _question(document, "learning_needs")["column"] = "Q5"


def _chosen_of_a_single(document: dict) -> None:
    _question(document, "region")["chosen"] = ["Yes"]


def _topic_column_of_no_item(document: dict) -> None:
    _question(document, "learning_needs")["topics"][0]["columns"] = {"importance": "Q5_1"}


def _unknown_layout(document: dict) -> None:
    document["waves"][1]["layout"] = "excel"


def _weight_as_personal_data(document: dict) -> None:
    document["weighting"]["base_weight"] = "email"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_drop_text, "questions[2] (region).text: required key is missing"),
        (_skip_without_reason, "questions[2] (region): a skip question needs 'reason'"),
        (
            _column_of_a_grid,
            "'column' applies to single, multi, likert, number, text questions, not grid",
        ),
        (_chosen_of_a_single, "'chosen' applies to multi questions, not single"),
        (
            _topic_column_of_no_item,
            "topic 'customer_service': columns ['importance'] are not item prefixes",
        ),
        (
            _weight_as_personal_data,
            "weighting.base_weight: 'email' is listed under personal_data",
        ),
        (_unknown_type, "questions[2] (region).type: unknown value 'dropdown'; expected one of"),
        (
            _unknown_layout,
            "waves[1] (2025).layout: unknown value 'excel'; expected one of 'qualtrics', "
            "'surveymonkey', 'limesurvey', 'spss' or 'csv'",
        ),
        (_code_twice, "questions[2] (region): option code 'vancouver_island' is used twice"),
        (
            _numeric_code,
            "questions[4] (years).options[1].code: expected text, got the number 25; "
            "put it in quotes",
        ),
        (_unknown_scale, "questions[10] (employer_support): scale 'satisfaction' is not defined"),
        (
            _dimension_not_single,
            "dimensions: 'barriers' must be the id of a single-choice question",
        ),
        (_frame_unknown_code, "frame.sector: ['museum'] are not option codes of 'sector'"),
        (_profile_unknown, "profile[1]: 'age' is not a question id; expected one of"),
        (_misspelt_key, "questions[2] (region).optoins: unknown key (check its spelling)"),
        (_question_twice, "question id 'region' is used twice"),
        (_bad_pattern, "quality.test_patterns: '(unclosed' is not a regular expression"),
    ],
)
def test_each_mistake_has_its_own_message(tmp_path, mutate, message):
    document = _document()
    mutate(document)
    path = _write(tmp_path, document)
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("instrument: [unclosed", "not valid YAML at line 1"),
        ("- just\n- a list\n", "expected a mapping of keys"),
        ("instrument: {id: x, title: y}\n", "questions: required key is missing"),
    ],
)
def test_unreadable_codebooks(tmp_path, content, message):
    path = _write(tmp_path, content)
    with pytest.raises(CodebookError, match=message):
        load_codebook(path)


def test_missing_codebook_names_the_file(tmp_path):
    with pytest.raises(CodebookError, match=r"nowhere\.yaml: codebook not found"):
        load_codebook(tmp_path / "nowhere.yaml")


def test_raw_files_resolve_beside_the_codebook(demo_dir):
    codebook = load_codebook(demo_dir / "codebook.yaml")
    assert codebook.raw_path(codebook.wave("2025")) == demo_dir / "2025.xlsx"


def test_export_columns_named_by_the_codebook_are_found_first(codebook):
    """``column``, ``options[].column``, ``topics[].columns`` and a multi-select's slot
    ``columns`` name the export's columns whatever the question ids are."""
    import pandas as pd

    from survey.codebook import Codebook
    from survey.io import RawExport, map_to_codebook

    document = {
        "instrument": {"id": "t", "title": "t"},
        "respondent_id": "uid",
        "scales": {"agree": {1: "No", 2: "Yes"}},
        "questions": [
            {
                "id": "role",
                "type": "single",
                "text": "Role?",
                "column": "Q1",
                "options": [{"code": "a", "label": "A"}],
            },
            {
                "id": "ticks",
                "type": "multi",
                "text": "Ticks?",
                "options": [
                    {"code": "x", "label": "X", "column": "Q2#1"},
                    {"code": "y", "label": "Y", "column": "Q2#2"},
                ],
            },
            {
                "id": "slots",
                "type": "multi",
                "text": "First and second?",
                "columns": ["first", "second"],
                "options": [{"code": "x", "label": "X"}],
            },
            {
                "id": "grid",
                "type": "grid",
                "text": "Agree?",
                "items": [{"prefix": "g", "scale": "agree", "text": "Agree?"}],
                "topics": [{"code": "one", "label": "One", "columns": {"g": "Q3 (2)"}}],
            },
            {
                "id": "upload",
                "type": "skip",
                "text": "A file",
                "reason": "an upload",
                "columns": ["Q4"],
            },
        ],
    }
    book = Codebook.model_validate(document)
    assert book.variables() == ["role", "ticks__x", "ticks__y", "slots__x", "g_one"]
    frame = pd.DataFrame(
        {name: ["v"] for name in ["uid", "Q1", "Q2#1", "Q2#2", "first", "second", "Q3 (2)", "Q4"]}
    )
    _, found = map_to_codebook(RawExport(frame, Path("x.csv"), Layout.CSV), book)
    assert found.missing == [] and not found.numbered
    assert found.found["respondent_id"] == "uid"
    assert found.found["role"] == "Q1" and found.found["g_one"] == "Q3 (2)"
    assert found.found["ticks__x"] == "Q2#1" and "ticks" in found.spread
    assert [found.found[name] for name in book.question("slots").slot_fields()] == [
        "first",
        "second",
    ]
    assert "Q4" in found.ignored  # a skipped question's column is read by nothing
