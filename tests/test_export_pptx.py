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
from factories import model_of, trend_flags
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from survey.codebook import QuestionType
from survey.errors import DataError
from survey.export.pptx import MAX_SLIDES, write_pptx
from survey.report.findings import change_findings
from survey.report.style import SUPPRESSED, percent

BASE = re.compile(r"\bn = \d")


@pytest.fixture(scope="module")
def written(wave_model, tmp_path_factory) -> tuple[Path, float]:
    path = tmp_path_factory.mktemp("deck") / "slides.pptx"
    start = time.process_time()  # CPU seconds: what the writer costs, whatever CI's load
    write_pptx(wave_model, path)
    return path, time.process_time() - start


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
    write_pptx(model_of(tables, findings), path)
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
    template, wave_model, tmp_path, deck
):
    path = write_pptx(wave_model, tmp_path / "slides.pptx", template=template)
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


def test_the_deck_itself_can_be_the_template(written, wave_model, tmp_path, deck):
    path = write_pptx(wave_model, tmp_path / "again.pptx", template=written[0])
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
def test_a_bad_template_is_a_one_line_data_error(name, content, message, wave_model, tmp_path):
    template = tmp_path / name
    if content is not None:
        template.write_bytes(content)
    with pytest.raises(DataError) as error:
        write_pptx(wave_model, tmp_path / "slides.pptx", template=template)
    assert str(template) in str(error.value) and message in str(error.value)
    assert "\n" not in str(error.value)
    assert not (tmp_path / "slides.pptx").exists()


# --------------------------------------------------------------------------- what changed

#: Bars of a change chart that did not change significantly (the earlier wave, this wave).
GREY = {"D9D9D9", "8C8C8C"}
NO_CHANGE = "No change since 2025 is larger than chance would explain."


def _write(tables, path: Path):
    write_pptx(model_of(tables), path)
    return Presentation(str(path))


def _bullets(slide) -> list[str]:
    """The bulleted paragraphs of a slide's text boxes."""
    from pptx.oxml.ns import qn

    return [
        paragraph.text
        for shape in slide.shapes
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
        if paragraph._p.pPr is not None and paragraph._p.pPr.find(qn("a:buChar")) is not None
    ]


def _notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text


def _colour(series, point: int) -> str:
    """A bar's fill: its own if it has one, else its series'."""
    fill = series.points[point].format.fill
    if fill.type is None:
        fill = series.format.fill
    return str(fill.fore_color.rgb)


def _pair(tables) -> pd.DataFrame:
    """The shown trends rows from the previous wave to this one, by (question, option, by,
    group)."""
    trends = tables.shown("trends")
    rows = trends[
        (trends["wave_from"] == tables.previous_wave) & (trends["wave_to"] == tables.wave)
    ]
    return rows.set_index(["question", "option", "by", "group"])


def _topic_codes(tables) -> list[str]:
    """The learning topics' codes."""
    grid = tables.codebook.questions_of(QuestionType.GRID)[0]
    return [topic.code for topic in grid.topics]


@pytest.fixture(scope="module")
def latest_deck(latest_tables, tmp_path_factory):
    """The 2026 deck: the previous wave is 2025."""
    return _write(latest_tables, tmp_path_factory.mktemp("latest") / "slides.pptx")


@pytest.fixture(scope="module")
def unweighted_tables(latest_tables):
    """The 2026 tables as an unweighted wave would have them (its unweighted rows shown)."""
    return dataclasses.replace(latest_tables, weighting=None)


@pytest.fixture(scope="module")
def unweighted_deck(unweighted_tables, tmp_path_factory):
    return _write(unweighted_tables, tmp_path_factory.mktemp("unweighted") / "slides.pptx")


def test_what_changed_follows_the_headlines_and_names_the_previous_wave(latest_deck, latest_tables):
    assert latest_tables.previous_wave == "2025"
    titles = [_title(s) for s in latest_deck.slides]
    position = titles.index("Headline findings")
    assert titles[position + 1] == "What changed since 2025"
    ranks = titles.index("Top learning needs overall") + 1
    assert titles[ranks] == "Learning-need ranks across waves"
    # the two new slides push out two more second breakdowns: the deck stays at the limit
    assert len(latest_deck.slides) == MAX_SLIDES
    assert titles[-2:] == ["How the survey was done", "Reading the numbers"]


def test_a_first_wave_has_no_change_or_ranks_slide(deck, wave_tables):
    assert wave_tables.previous_wave is None
    titles = [_title(s) for s in deck.slides]
    assert not [t for t in titles if t.startswith("What changed")]
    assert "Learning-need ranks across waves" not in titles


def test_what_changed_bullets_are_the_change_findings_everyones_first(latest_deck, latest_tables):
    slide = _slide(latest_deck, "What changed since 2025")
    changes = change_findings(latest_tables)
    bullets = _bullets(slide)
    assert bullets == changes["text"].head(4).tolist()
    assert len(changes) > 4  # the top four only
    # the planted change: everyone's top-2 importance of assessment, about 41% -> 74%
    assert bullets[0].startswith("Everyone: ")
    assert (
        'rate "Assessment, evaluation and data skills" as very or extremely important, up'
        in (bullets[0])
    )


@pytest.mark.parametrize("kind", ["weighted", "unweighted"])
def test_what_changed_chart_holds_the_trends_values(kind, request):
    tables = request.getfixturevalue("latest_tables" if kind == "weighted" else "unweighted_tables")
    slide_deck = request.getfixturevalue("latest_deck" if kind == "weighted" else "unweighted_deck")
    chart = _charts(_slide(slide_deck, "What changed since 2025"))[0]
    plot = chart.plots[0]
    assert [s.name for s in plot.series] == ["2025", "2026"]
    topics = {tables.labels.topic(t): t for t in _topic_codes(tables)}
    pair = _pair(tables)
    rows = [pair.loc[(f"imp_{topics[c]}", "top2", "all", "all")] for c in plot.categories]
    assert len(rows) == 5
    before, after = (list(series.values) for series in plot.series)
    for row, first, last in zip(rows, before, after, strict=True):
        assert abs(first - row["estimate_from"]) <= 1e-12
        assert abs(last - row["estimate_to"]) <= 1e-12
    # the significant topics first (coloured), then the largest other changes (grey)
    significant = [bool(row["significant"]) for row in rows]
    assert significant[0] and significant == sorted(significant, reverse=True)
    assert plot.categories[0] == "Assessment, evaluation and data skills"
    others = pair[
        (pair.index.get_level_values("by") == "all")
        & (pair.index.get_level_values("option") == "top2")
        & pair.index.get_level_values("question").str.startswith("imp_")
        & ~pair["significant"]
    ]
    largest = others["change"].abs().sort_values(ascending=False).head(significant.count(False))
    assert sorted(abs(r["change"]) for r in rows if not r["significant"]) == sorted(largest)
    for point, changed in enumerate(significant):
        colours = {_colour(series, point) for series in plot.series}
        assert (colours & GREY == set()) if changed else (colours <= GREY)


def test_what_changed_notes_name_the_test_the_adjustment_and_the_bases(
    latest_deck, unweighted_deck, latest_tables
):
    notes = _notes(_slide(latest_deck, "What changed since 2025"))
    assert "design-based difference of two independent samples" in notes
    assert "Benjamini-Hochberg within the pair of waves (2025 with 2026" in notes
    everyone = _pair(latest_tables).xs(("all", "all"), level=("by", "group"))
    assert f"n = {everyone['n_from'].max()} in 2025 and n = {everyone['n_to'].max()} in 2026" in (
        notes
    )
    first = change_findings(latest_tables).iloc[0]
    assert f"1. All respondents n = {first['n_from']} in 2025 and {first['n_to']} in 2026" in notes
    assert "Suppressed groups (under 10 respondents" in notes and "never compared" in notes
    assert "Every question asked in both 2025 and 2026 was compared." in notes
    unweighted = _notes(_slide(unweighted_deck, "What changed since 2025"))
    assert "two-proportion z test" in unweighted and "design-based" not in unweighted


def test_questions_not_compared_are_listed_in_the_notes(latest_tables, tmp_path):
    flags = trend_flags(
        ("formats", "2025", "2026", "options changed: added ['podcast']"),
        ("mentoring", "2024", "2026", "not asked in 2024"),
    )
    flagged = dataclasses.replace(latest_tables, trend_flags=flags)
    slide = _slide(_write(flagged, tmp_path / "slides.pptx"), "What changed since 2025")
    notes = _notes(slide)
    assert "Which formats do you prefer? (options changed: added ['podcast'])" in notes
    assert "not asked in 2024" not in notes  # another pair of waves
    assert "Not compared: 1 question asked differently (see notes)." in _text(slide)


def test_with_no_significant_change_the_slide_says_so(latest_tables, tmp_path):
    trends = latest_tables.trends.assign(significant=False)
    steady = dataclasses.replace(latest_tables, trends=trends)
    assert change_findings(steady).empty
    slide = _slide(_write(steady, tmp_path / "slides.pptx"), "What changed since 2025")
    assert _bullets(slide) == [NO_CHANGE]
    assert "No change is significant after adjustment." in _notes(slide)
    plot = _charts(slide)[0].plots[0]
    for series in plot.series:  # nothing in colour, the legend included
        assert {_colour(series, p) for p in range(len(plot.categories))} <= GREY


def test_a_long_topic_label_is_kept_literally_and_fits(latest_tables, template, tmp_path):
    label = (
        'Assessment & evaluation: "data" <skills>, outcome measurement and evidence-based '
        "decision-making for library services, programmes and partnerships"
    )
    codebook = latest_tables.codebook
    questions = [
        question.model_copy(
            update={
                "topics": [
                    topic.model_copy(update={"label": label})
                    if topic.code == "assessment"
                    else topic
                    for topic in question.topics
                ]
            }
        )
        for question in codebook.questions
    ]
    relabelled = dataclasses.replace(
        latest_tables, codebook=codebook.model_copy(update={"questions": questions})
    )
    path = tmp_path / "slides.pptx"
    write_pptx(model_of(relabelled), path, template=template)
    made = Presentation(str(path))
    slide = _slide(made, "What changed since 2025")
    assert _charts(slide)[0].plots[0].categories[0] == label
    assert f'rate "{label}" as very or extremely important' in _bullets(slide)[0]
    for shape in slide.shapes:  # inside the 4:3 slide
        assert shape.left + shape.width <= made.slide_width
        assert shape.top + shape.height <= made.slide_height
    with zipfile.ZipFile(path) as package:
        xml = "\n".join(
            package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.endswith(".xml")  # slides, charts, notes (not the embedded workbooks)
        )
    assert "&lt;skills&gt;" in xml and "<skills>" not in xml


def test_ranks_table_follows_the_top_needs_across_waves(latest_deck, latest_tables):
    slide = _slide(latest_deck, "Learning-need ranks across waves")
    table = next(s for s in slide.shapes if s.has_table).table
    header = [table.cell(0, c).text for c in range(len(table.columns))]
    assert header == ["Learning topic", "2024", "2025", "2026", "Since 2025"]
    rankings = latest_tables.shown("rankings").query("by == 'all'")
    rank = rankings.set_index(["topic", "wave"])["rank"]
    top = rankings.query("wave == '2026'").sort_values("rank")["topic"].head(8).tolist()
    labels = latest_tables.labels
    assert [table.cell(r, 0).text for r in range(1, len(table.rows))] == [
        labels.topic(t) for t in top
    ]
    for r, topic in enumerate(top, start=1):
        cells = [table.cell(r, c).text for c in range(1, 5)]
        before, now = (int(rank[(topic, wave)]) for wave in ("2025", "2026"))
        since = (
            "same" if before == now else f"{'up' if before > now else 'down'} {abs(before - now)}"
        )
        assert cells == [*(str(rank[(topic, wave)]) for wave in ("2024", "2025", "2026")), since]
    assert top[0] == "assessment" and table.cell(1, 4).text.startswith("up ")  # the planted rise
    notes = _notes(slide)
    assert BASE.search(notes) and "2024 n = " in notes and "What changed since 2025" in notes
