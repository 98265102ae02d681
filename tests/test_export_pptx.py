"""The slide deck, read back with python-pptx: native charts holding results.csv's values,
suppressed groups never drawn, notes with bases on every slide, respondents' text kept as
text, and the association's own template used when given."""

from __future__ import annotations

import dataclasses
import re
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import HOSTILE_QUOTES
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from survey.codebook import QuestionType
from survey.errors import DataError
from survey.export.findings import headline_findings
from survey.export.pptx import MAX_SLIDES, write_pptx
from survey.export.style import SUPPRESSED, percent

BASE = re.compile(r"\bn = \d")


@pytest.fixture(scope="module")
def findings(wave_tables) -> pd.DataFrame:
    return headline_findings(wave_tables)


@pytest.fixture(scope="module")
def written(wave_tables, findings, tmp_path_factory) -> tuple[Path, float]:
    path = tmp_path_factory.mktemp("deck") / "slides.pptx"
    start = time.perf_counter()
    write_pptx(wave_tables, findings, path)
    return path, time.perf_counter() - start


@pytest.fixture(scope="module")
def deck(written):
    return Presentation(str(written[0]))


def _title(slide) -> str:
    return slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""


def _slide(deck, title: str):
    found = [s for s in deck.slides if _title(s) == title]
    assert len(found) == 1, f"no single slide titled {title!r}"
    return found[0]


def _charts(slide) -> list:
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def _text(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def _codes(labels: dict[str, str], names) -> list[str]:
    """Codes of the words a chart shows (the codebook's labels, inverted)."""
    return [labels[name] for name in names]


def _results(tables) -> pd.DataFrame:
    return tables.shown("results").set_index(["question", "option", "by", "group"]).sort_index()


def test_a_deck_of_twelve_to_twenty_slides_each_with_notes_and_bases(deck, written):
    assert 12 <= len(deck.slides) <= MAX_SLIDES == 20
    assert deck.slide_width > deck.slide_height  # 16:9 by default
    for slide in list(deck.slides)[1:]:
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.strip() and BASE.search(notes), f"{_title(slide)!r}: no base in its notes"
    assert written[1] < 2.0, f"the deck took {written[1]:.2f} s"
    assert [p.name for p in written[0].parent.iterdir()] == ["slides.pptx"]  # no temp files


def test_the_story_is_in_order_and_charts_are_native(deck, wave_tables):
    titles = [_title(s) for s in deck.slides]
    assert titles[0] == wave_tables.codebook.instrument.title
    assert titles[1:4] == [
        "Who responded, by sector",
        "Who responded, by region",
        "Headline findings",
    ]
    for title in (
        "Top learning needs overall",
        "Top learning needs by sector",
        "The leading needs by role",
        "The leading needs by region",
        "What gets in the way of your professional learning? – by region",
        "Which formats do you prefer? – by sector",
        "Which formats do you prefer? – by role",
        "Mentoring – by sector",
        "“My employer actively supports my professional learning.”",
        "What people said: What would you most like to learn in the next year?",
    ):
        assert title in titles
    assert titles[-2:] == ["How the survey was done", "Reading the numbers"]
    with_charts = [s for s in deck.slides if _charts(s)]
    assert len(with_charts) >= 10
    for slide in deck.slides:
        assert not [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_title_slide_names_the_instrument_wave_and_organisation(deck, wave_tables):
    text = _text(deck.slides[0])
    instrument = wave_tables.codebook.instrument
    assert instrument.title in text and instrument.organisation in text
    assert wave_tables.wave in text


def test_headline_findings_are_the_findings_sentences(deck, findings):
    text = _text(_slide(deck, "Headline findings"))
    assert len(findings) >= 6
    for sentence in findings["text"].head(6):
        assert sentence in text
    assert findings["text"].iloc[6] not in text  # the top six only


def test_who_responded_charts_hold_the_composition(deck, wave_tables):
    composition = pd.DataFrame(wave_tables.weighting["composition"])
    for variable in ("sector", "region"):
        chart = _charts(_slide(deck, f"Who responded, by {variable}"))[0]
        part = composition[composition["variable"] == variable]
        categories = list(chart.plots[0].categories)
        assert categories == [wave_tables.labels.group(variable, c) for c in part["category"]]
        series = {s.name: list(s.values) for s in chart.plots[0].series}
        assert series["Respondents"] == part["sample_share"].tolist()
        assert series["Membership frame"] == part["frame_share"].tolist()
        assert series["Respondents, weighted"] == part["weighted_share"].tolist()
        assert chart.plots[0].series[0].data_labels.number_format == "0%"


def test_needs_chart_is_the_mwds_ranking(deck, wave_tables):
    chart = _charts(_slide(deck, "Top learning needs overall"))[0]
    needs = wave_tables.shown("needs").query("by == 'all' and not suppressed").sort_values("rank")
    top = needs.head(len(list(chart.plots[0].categories)))
    assert 5 <= len(top) <= 8
    assert list(chart.plots[0].categories) == [wave_tables.labels.topic(t) for t in top["topic"]]
    assert list(chart.plots[0].series[0].values) == top["mwds"].tolist()
    assert chart.plots[0].series[0].data_labels.number_format == "0.0"


def _breakdown_slides(deck, wave_tables):
    """``(slide, question, by)`` of every slide titled ``<question text> – by <dimension>``."""
    codebook = wave_tables.codebook
    for slide in deck.slides:
        title = _title(slide)
        if " – by " not in title:
            continue
        text, by = title.rsplit(" – by ", 1)
        question = next(q for q in codebook.questions if q.text == text)
        yield slide, question, by


def test_breakdown_charts_hold_results_csv_values_and_no_suppressed_group(deck, wave_tables):
    labels = wave_tables.labels
    results = _results(wave_tables)
    checked = 0
    for slide, question, by in _breakdown_slides(deck, wave_tables):
        groups = {
            labels.group(by, g): g
            for g in results.xs(by, level="by").index.get_level_values("group")
        }
        groups[labels.group("all", "all")] = "all"
        options = {labels.option(question.id, o.code): o.code for o in question.options}
        for chart in _charts(slide):
            plot = chart.plots[0]
            group_codes = _codes(groups, plot.categories)
            assert group_codes[0] == "all"
            for series in plot.series:
                option = options[series.name]
                assert series.data_labels.number_format == "0%"
                for group, value in zip(group_codes, series.values, strict=True):
                    row = results.loc[(question.id, option, "all" if group == "all" else by, group)]
                    assert not row["suppressed"] and row["n"] >= wave_tables.threshold
                    assert value == row["estimate"]  # the CSV's value, unrounded
                    checked += 1
            # every published group is drawn, every suppressed one is not
            rows = results.loc[(question.id, options[plot.series[0].name], by)]
            assert set(group_codes[1:]) == set(rows.index[~rows["suppressed"]])
    assert checked > 200


def test_the_multi_select_slides_follow_the_tests_and_the_issue(deck, wave_tables):
    found = {(q.id, by) for _, q, by in _breakdown_slides(deck, wave_tables)}
    assert {("barriers", "region"), ("formats", "sector"), ("formats", "role")} <= found
    assert ("mentoring", "sector") in found
    barriers = _slide(deck, "What gets in the way of your professional learning? – by region")
    names = [c.plots[0].series[0].name for c in _charts(barriers)]
    # the options that differ by region (the headline about Nechako) are drawn
    assert {"Travel distance", "Poor internet connection"} <= set(names)
    assert "North Coast" in _text(barriers) and "Northeast" in _text(barriers)  # named as hidden


def test_likert_chart_is_top2_by_every_dimension(deck, wave_tables):
    labels = wave_tables.labels
    results = _results(wave_tables)
    chart = _charts(_slide(deck, "“My employer actively supports my professional learning.”"))[0]
    plot = chart.plots[0]
    parents = [category.label for category in plot.categories.levels[-1]]
    assert parents == ["All", "Sector", "Role", "Region"]
    leaves = list(plot.categories)
    values = list(plot.series[0].values)
    assert leaves[0] == "All respondents"
    assert values[0] == results.loc[("employer_support", "top2", "all", "all")]["estimate"]
    position = 1
    for by in ("sector", "role", "region"):
        rows = results.loc[("employer_support", "top2", by)]
        shown = rows[~rows["suppressed"]]
        order = [
            g
            for g in (o.code for o in wave_tables.codebook.question(by).options)
            if g in shown.index
        ]
        assert leaves[position : position + len(order)] == [labels.group(by, g) for g in order]
        assert values[position : position + len(order)] == shown.loc[order, "estimate"].tolist()
        position += len(order)
    assert position == len(leaves)


def test_tables_show_the_rounded_csv_values_and_mark_suppressed_cells(deck, wave_tables):
    labels = wave_tables.labels
    results = _results(wave_tables)
    needs = wave_tables.shown("needs").query("by == 'all' and not suppressed").sort_values("rank")
    leading = needs["topic"].head(5).tolist()
    for by in ("role", "region"):
        slide = _slide(deck, f"The leading needs by {by}")
        table = next(s for s in slide.shapes if s.has_table).table
        header = [table.cell(0, c).text for c in range(len(table.columns))]
        assert header[1:] == [labels.topic(t) for t in leading]
        groups = {
            labels.group(by, g): g
            for g in results.xs(by, level="by").index.get_level_values("group")
        }
        groups["All respondents"] = "all"
        suppressed_cells = 0
        for r in range(1, len(table.rows)):
            group = groups[table.cell(r, 0).text]
            for c, topic in enumerate(leading, start=1):
                row = results.loc[(f"imp_{topic}", "top2", "all" if group == "all" else by, group)]
                shown = table.cell(r, c).text
                if row["suppressed"]:
                    assert shown == SUPPRESSED
                    suppressed_cells += 1
                else:
                    assert shown == percent(row["estimate"])
        assert (suppressed_cells > 0) == (by == "region")  # North Coast and Northeast
    sector = next(s for s in _slide(deck, "Top learning needs by sector").shapes if s.has_table)
    first = sector.table.cell(1, 1).text  # Public library's top need, with its MWDS
    top = wave_tables.shown("needs").query("by == 'sector' and group == 'public' and rank == 1")
    assert first == f"{labels.topic(top['topic'].iloc[0])} ({top['mwds'].iloc[0]:.1f})"


def test_no_suppressed_estimate_appears_anywhere(deck, wave_tables):
    """No chart value or table cell equals a figure the engine suppressed: suppressed rows
    have no estimate, so a drawn NaN would be one; and no chart category is a group hidden
    for that chart's question (checked above per slide). Here: no chart holds a missing value
    and every table's dash is explained on its slide."""
    for slide in deck.slides:
        for chart in _charts(slide):
            for series in chart.plots[0].series:
                assert all(v is not None and v == v for v in series.values)
        tables = [s.table for s in slide.shapes if s.has_table]
        dashes = any(
            cell.text == SUPPRESSED for t in tables for row in t.rows for cell in row.cells
        )
        if dashes:
            assert "fewer than 10 respondents" in _text(slide)


@pytest.fixture(scope="module")
def hostile_deck(hostile_tables, findings, tmp_path_factory):
    """The deck of a wave whose leading theme's quotes try to be a formula and a script."""
    themes = hostile_tables.shown("themes")
    first_text = hostile_tables.codebook.questions_of(QuestionType.TEXT)[0].id
    overall = themes.query("question == @first_text and by == 'all' and theme != 'uncoded'")
    top_theme = overall.sort_values("share", ascending=False)["theme"].iloc[0]
    quotes = hostile_tables.quotes.copy()
    quotes.loc[quotes["quote"].isin(HOSTILE_QUOTES), ["question", "theme"]] = [
        first_text,
        top_theme,
    ]
    tables = dataclasses.replace(hostile_tables, quotes=quotes)
    path = tmp_path_factory.mktemp("hostile") / "slides.pptx"
    write_pptx(tables, findings, path)
    return path


def test_respondents_text_is_stored_literally_as_text(hostile_deck):
    deck = Presentation(str(hostile_deck))
    slide = next(s for s in deck.slides if _title(s).startswith("What people said"))
    text = _text(slide)
    for quote in HOSTILE_QUOTES:
        assert f"“{quote}”" in text
    with zipfile.ZipFile(hostile_deck) as package:
        xml = "\n".join(
            package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.startswith("ppt/slides/slide") and name.endswith(".xml")
        )
    assert "&lt;script&gt;alert('owned')&lt;/script&gt;" in xml  # escaped character data
    assert "<script>" not in xml


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """An association's template: 4:3, a renamed content layout, two slides of its own."""
    presentation = Presentation()
    presentation.slide_layouts[1].name = "Association content"
    for text in ("OLD SLIDE one", "OLD SLIDE two"):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = text
    path = tmp_path_factory.mktemp("template") / "association.pptx"
    presentation.save(str(path))
    return path


def test_a_template_gives_its_master_and_size_without_its_slides(
    template, wave_tables, findings, tmp_path, deck
):
    path = write_pptx(wave_tables, findings, tmp_path / "slides.pptx", template=template)
    made = Presentation(str(path))
    original = Presentation(str(template))
    assert (made.slide_width, made.slide_height) == (original.slide_width, original.slide_height)
    assert made.slide_width != deck.slide_width  # 4:3, not the built-in 16:9
    assert len(made.slides) == len(deck.slides)
    assert not any("OLD SLIDE" in _text(slide) for slide in made.slides)
    assert _slide(made, "Headline findings").slide_layout.name == "Association content"
    with zipfile.ZipFile(path) as package:  # the template's slides are gone from the file
        slides = [n for n in package.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
    assert len(slides) == len(made.slides)
    for slide in made.slides:  # everything inside the (smaller) slide
        for shape in slide.shapes:
            assert shape.left + shape.width <= made.slide_width
            assert shape.top + shape.height <= made.slide_height


def test_the_deck_itself_can_be_the_template(written, wave_tables, findings, tmp_path, deck):
    path = write_pptx(wave_tables, findings, tmp_path / "again.pptx", template=written[0])
    again = Presentation(str(path))
    assert [_title(s) for s in again.slides] == [_title(s) for s in deck.slides]
    assert again.slide_width == deck.slide_width


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.pptx", b"this is not a presentation", "not a readable PowerPoint template"),
        ("old.ppt", b"\xd0\xcf\x11\xe0 binary", "not a readable PowerPoint template"),
        ("missing.pptx", None, "template not found"),
    ],
)
def test_a_bad_template_is_a_one_line_data_error(
    name, content, message, wave_tables, findings, tmp_path
):
    template = tmp_path / name
    if content is not None:
        template.write_bytes(content)
    with pytest.raises(DataError) as error:
        write_pptx(wave_tables, findings, tmp_path / "slides.pptx", template=template)
    assert str(template) in str(error.value) and message in str(error.value)
    assert "\n" not in str(error.value)
    assert not (tmp_path / "slides.pptx").exists()
