"""The HTML report, read back with an HTML parser: one self-contained file, the engine's numbers
as ``results.csv`` holds them, suppression respected, respondents' text escaped, accessible."""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup, Tag
from factories import model_of

from survey.export.html import TEST_WORDS, write_html
from survey.report import style

#: The demo views the issue asks for: needs heatmap, quadrant, barriers by region, formats by
#: sector and by role.
DEMO_CHARTS = [
    "chart-needs",
    "chart-quadrant",
    "chart-barriers-region",
    "chart-formats-sector",
    "chart-formats-role",
]


@pytest.fixture(scope="module")
def page_path(wave_model, tmp_path_factory) -> Path:
    return write_html(wave_model, tmp_path_factory.mktemp("html") / "report.html")


@pytest.fixture(scope="module")
def html(page_path) -> str:
    return page_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def soup(html) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


@pytest.fixture(scope="module")
def results(report_folder, wave_tables) -> pd.DataFrame:
    """``results.csv`` as written, the rows a weighted wave's report shows, by key."""
    table = pd.read_csv(
        report_folder / "results.csv",
        dtype={"question": str, "option": str, "by": str, "group": str},
        keep_default_na=False,
        na_values=[""],
    )
    table = table[table["weighted"].astype(str).str.lower().eq(str(wave_tables.weighted).lower())]
    return table.set_index(["question", "option", "by", "group"])


def _text(element: Tag) -> str:
    return " ".join(element.get_text(" ").split())


def _shown(row: pd.Series) -> tuple[str, str]:
    """What a cell must show for a results row: the estimate and its CI, rounded by style."""
    share = row.name[1] != "mean"
    fmt = style.percent if share else style.value
    return fmt(row["estimate"]), f"{fmt(row['ci_low'])}–{fmt(row['ci_high'])}"


# ----------------------------------------------------------------------------- one file, offline
def test_plotly_js_is_embedded_exactly_once_and_inline(html, soup):
    import plotly.offline

    plotlyjs = plotly.offline.get_plotlyjs()
    middle = plotlyjs[len(plotlyjs) // 2 : len(plotlyjs) // 2 + 200]
    assert html.count(middle) == 1
    holders = [s for s in soup.find_all("script") if "plotly.js v" in (s.string or "")]
    assert len(holders) == 1
    assert all(not script.get("src") for script in soup.find_all("script"))
    # every chart draws with that one copy
    assert len(soup.select(".plotly-graph-div")) >= len(DEMO_CHARTS)
    assert html.count("Plotly.newPlot(") == len(soup.select(".plotly-graph-div"))


def test_nothing_is_loaded_from_elsewhere(html, soup):
    for tag in soup.find_all(True):
        for attribute in ("src", "href", "srcset", "data", "poster", "action", "xlink:href"):
            value = tag.get(attribute)
            if value is None:
                continue
            assert not re.match(r"^\s*(https?:)?//", str(value)), (tag.name, attribute, value)
    assert soup.find("link") is None and soup.find("iframe") is None and soup.find("img") is None
    assert all(a["href"].startswith("#") for a in soup.find_all("a", href=True))
    css = " ".join(style_tag.get_text() for style_tag in soup.find_all("style"))
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    # outside plotly.js itself (which names the SVG namespace and its docs), no address at all
    plotlyjs = next(s.string for s in soup.find_all("script") if "plotly.js v" in (s.string or ""))
    rest = html.replace(plotlyjs, "")
    assert not re.search(r"https?://", rest)
    assert "displaylogo" in rest and '"displaylogo": false' in rest


def test_the_page_is_written_atomically_and_fast(wave_model, tmp_path):
    start = time.process_time()  # CPU seconds: what the writer costs, whatever CI's load
    path = write_html(wave_model, tmp_path / "report.html")
    elapsed = time.process_time() - start
    assert elapsed < 2.0, f"write_html took {elapsed:.2f} s"
    assert path == tmp_path / "report.html"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary left behind


def test_same_tables_give_the_same_page(wave_model, tmp_path, html):
    again = write_html(wave_model, tmp_path / "again.html")
    assert again.read_text(encoding="utf-8") == html


# ----------------------------------------------------------------------------- content
def test_headline_findings_all_appear(soup, findings):
    section = soup.find(id="findings")
    shown = [_text(item) for item in section.select("ol.findings li")]
    assert shown == [" ".join(text.split()) for text in findings["text"]]
    assert len(shown) >= 3


@pytest.mark.parametrize(
    ("key", "published"),
    [
        (("barriers", "travel", "region", "nechako"), True),
        (("barriers", "time", "all", "all"), True),
        (("formats", "webinar", "sector", "public"), True),
        (("formats", "mentoring", "role", "manager"), True),
        (("imp_literacy_instruction", "top2", "sector", "school"), True),
        (("imp_leadership", "top2", "role", "director"), True),
        (("employer_support", "top2", "region", "kootenay"), True),
        (("employer_support", "4", "sector", "academic"), True),
        (("cpd_hours", "mean", "role", "librarian"), True),
        (("sector", "school", "region", "cariboo"), True),
        # north_coast: n = 12, suppressed along with northeast (7), so that northeast's
        # share cannot be worked out
        (("barriers", "travel", "region", "northeast"), False),
        (("barriers", "time", "region", "north_coast"), False),
        (("employer_support", "top2", "region", "northeast"), False),
        (("cpd_hours", "mean", "region", "northeast"), False),
    ],
)
def test_a_cell_shows_the_value_rounded_by_style_or_the_mark_never_a_number(
    soup, results, key, published
):
    row = results.loc[key]
    cells = soup.select(f'td[data-cell="{"|".join(key)}"]')
    assert cells, key
    if published:
        assert not row["suppressed"]
        estimate, ci = _shown(row)
        for cell in cells:
            assert cell.select_one(".est").get_text() == estimate
            assert cell.select_one(".ci").get_text() == ci
    else:
        assert row["suppressed"] and pd.isna(row["estimate"])
        for cell in cells:
            assert cell.select_one(".est").get_text() == style.SUPPRESSED
            assert not re.search(r"\d", _text(cell))
            assert cell.select_one(".ci") is None


def test_every_table_cell_agrees_with_results_csv(soup, results):
    """All of them, not a sample: estimate, CI, and the mark for suppressed rows."""
    cells = soup.select("td[data-cell]")
    assert len(cells) > 1000
    for cell in cells:
        key = tuple(cell["data-cell"].split("|"))
        row = results.loc[key]
        if row["suppressed"]:
            assert _text(cell) == f"{style.SUPPRESSED} (not shown)"
            continue
        estimate, ci = _shown(row)
        assert cell.select_one(".est").get_text() == estimate, key
        assert cell.select_one(".ci").get_text() == ci, key


def test_letters_are_those_of_letters_csv(soup, wave_tables):
    letters = wave_tables.shown("letters").set_index(["question", "option", "by", "group"])
    checked = 0
    for cell in soup.select("td[data-cell]"):
        key = tuple(cell["data-cell"].split("|"))
        mark = cell.select_one("sup.letters")
        expected = letters["higher_than"].get(key)
        expected = "" if expected is None or pd.isna(expected) else str(expected)
        assert (mark.get_text() if mark else "") == expected, key
        checked += bool(expected)
    assert checked > 50


def test_group_bases_and_suppressed_bases(soup, results):
    """A group's column shows its base n; a suppressed group's base is the mark too."""
    table = soup.find(id="table-barriers-region")
    headers = {
        _text(th).split(" (")[0].split(" n = ")[0]: _text(th) for th in table.select("thead th")
    }
    nechako = results.loc[("barriers", "travel", "region", "nechako")]
    assert f"n = {int(nechako['n'])}" in headers["Nechako"]
    assert headers["Northeast"].endswith(f"n = {style.SUPPRESSED}")


def test_needs_heatmap_numbers_and_blanks(soup, wave_tables):
    needs = wave_tables.shown("needs").set_index(["topic", "by", "group"])
    cells = soup.select("td[data-need]")
    assert {cell["data-need"] for cell in cells} == {"|".join(key) for key in needs.index}
    suppressed = 0
    for cell in cells:
        row = needs.loc[tuple(cell["data-need"].split("|"))]
        if row["suppressed"]:
            suppressed += 1
            assert _text(cell) == f"{style.SUPPRESSED} (not shown)"
        else:
            assert cell.select_one(".est").get_text() == style.percent(row["top2_importance"])
    assert suppressed > 0


def test_suppressed_groups_are_left_out_of_the_bar_charts(soup, results):
    region = soup.find(id="chart-barriers-region")
    script = " ".join(s.get_text() for s in region.find_all("script"))
    for group, label in [("nechako", "Nechako"), ("northeast", "Northeast")]:
        published = not results.loc[("barriers", "time", "region", group), "suppressed"]
        assert (f'"name":"{label}"' in script) == published
    caption = _text(region.find("figcaption"))
    assert "Not shown: North Coast and Northeast (suppressed small groups" in caption


# ----------------------------------------------------------------------------- safety
def test_hostile_quotes_are_text_never_markup(hostile_tables, tmp_path):
    from conftest import HOSTILE_QUOTES

    path = write_html(model_of(hostile_tables), tmp_path / "r.html")
    page = path.read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    assert "<script>alert('owned')</script>" not in page
    assert "&lt;script&gt;alert(" in page
    assert not any("alert('owned')" in (script.string or "") for script in soup.find_all("script"))
    shown = [_text(quote) for quote in soup.select("#comments q")]
    for quote in HOSTILE_QUOTES:
        assert " ".join(quote.split()) in shown
    # the quote is visible as text where it belongs, under its theme
    assert "<script>alert('owned')</script> more leadership training" in soup.get_text()


def test_no_safe_filter_outside_plotly():
    template = (Path(__file__).parents[1] / "survey" / "templates" / "report.html").read_text()
    assert re.findall(r"\{\{\s*([\w.]+)\s*\|\s*safe", template) == ["chart.fragment", "plotlyjs"]


# ----------------------------------------------------------------------------- structure
def test_navigation_links_resolve(soup):
    nav = soup.find("nav")
    links = [a["href"] for a in nav.find_all("a")]
    assert {"#findings", "#needs", "#choices", "#tables", "#comments", "#method"} <= set(links)
    for link in links:
        assert soup.find(id=link[1:]) is not None, link
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "ids are unique"


def test_headings_one_h1_and_no_skipped_levels(soup):
    assert soup.find("html")["lang"] == "en"
    headings = soup.find_all(re.compile(r"^h[1-6]$"))
    assert [h.name for h in headings].count("h1") == 1 and headings[0].name == "h1"
    levels = [int(h.name[1]) for h in headings]
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, (before, after)
    assert {h.get_text() for h in soup.find_all("h2")} >= {
        "Headline findings",
        "Learning needs",
        "Choices by group",
        "Tables",
        "Comments",
        "Method",
    }


def test_every_chart_has_a_caption_and_a_table_with_its_numbers(soup):
    figures = soup.find_all("figure")
    assert {figure.find_parent("section")["id"] for figure in figures} >= set(DEMO_CHARTS)
    assert len(figures) == len(soup.select(".plotly-graph-div"))
    for figure in figures:
        assert figure.find(class_="plotly-graph-div") is not None
        caption = figure.find("figcaption")
        assert caption is not None and len(_text(caption)) > 60
        described = figure["aria-describedby"].split()
        assert described
        for table_id in described:
            table = soup.find(id=table_id)
            assert table is not None and table.name == "table"
            assert table.find("caption") and len(table.select("tbody tr")) >= 3


def test_quadrant_table_holds_the_needs_means(soup, wave_tables):
    overall = wave_tables.shown("needs").query("by == 'all'").set_index("topic")
    labels = wave_tables.labels
    rows = soup.find(id="data-quadrant").select("tbody tr")
    assert len(rows) == len(overall)
    by_label = {labels.topic(topic): row for topic, row in overall.iterrows()}
    for tr in rows:
        cells = [_text(cell) for cell in tr.find_all(["td", "th"])]
        need = by_label[cells[1]]
        assert cells[2] == style.value(need["mean_importance"], digits=2)
        assert cells[3] == style.value(need["mean_confidence"], digits=2)


def test_tables_for_every_dimension_and_question_type(soup, wave_tables):
    for by in wave_tables.codebook.dimensions:
        panel = soup.find(id=f"tables-{by}")
        assert panel is not None
        for question in ("barriers", "formats", "employer_support", "cpd_hours"):
            assert panel.find(id=f"table-{question.replace('_', '-')}-{by}") is not None
        assert panel.find(id=f"table-learning-needs-imp-{by}") is not None
    chooser = soup.select("input.chooser")
    assert [radio["id"] for radio in chooser] == [
        f"show-{by}" for by in wave_tables.codebook.dimensions
    ]


def test_comments_show_themes_overall(soup, wave_tables):
    themes = wave_tables.shown("themes").query("by == 'all' and question == 'learn_next'")
    table = soup.find(id="table-themes-learn-next")
    shown = {
        _text(tr.find("th")): [_text(td) for td in tr.find_all("td")]
        for tr in table.select("tbody tr")
    }
    assert len(shown) == len(themes)
    for theme in themes.itertuples():
        assert shown[theme.label] == [
            style.value(theme.count, digits=0),
            style.percent(theme.share),
        ]


def test_method_says_how(soup, wave_tables):
    method = _text(soup.find(id="method"))
    weighting = wave_tables.weighting
    assert f"design effect of weighting is {style.value(weighting['design_effect'], digits=2)}" in (
        method
    )
    assert f"sample of {style.value(weighting['effective_n'], digits=0)} respondents" in method
    assert "fewer than 10 respondents" in method
    assert "Benjamini-Hochberg" in method and "Significance letters" in method
    for test in wave_tables.shown("tests")["test"].unique():
        assert TEST_WORDS[test] in method
    for row in wave_tables.reliability.itertuples():
        assert style.value(row.alpha, digits=2) in method
    assert "Cronbach" in method


def test_print_css_hides_the_screen_furniture(soup):
    css = " ".join(style_tag.get_text() for style_tag in soup.find_all("style"))
    printing = css[css.index("@media print") :]
    for selector in ("nav", ".modebar-container", "details.data", "break-inside: avoid"):
        assert selector in printing
    assert re.search(r"@page\s*\{[^}]*margin", printing)


def test_an_unweighted_wave_shows_its_unweighted_rows(wave_tables, tmp_path):
    unweighted = dataclasses.replace(wave_tables, weighting=None)
    page = write_html(model_of(unweighted), tmp_path / "report.html")
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    rows = unweighted.shown("results").set_index(["question", "option", "by", "group"])
    cell = soup.select_one('td[data-cell="barriers|travel|region|nechako"]')
    assert cell.select_one(".est").get_text() == style.percent(
        rows.loc[("barriers", "travel", "region", "nechako"), "estimate"]
    )
    assert "This wave is not weighted" in _text(soup.find(id="method"))
    assert not math.isnan(rows["estimate"].dropna().iloc[0])


def test_what_changed_says_the_significant_changes_since_the_wave_before(latest_tables, tmp_path):
    from survey.report.findings import change_findings

    flagged = dataclasses.replace(
        latest_tables,
        trend_flags=pd.DataFrame(
            [{"question": "barriers", "wave_from": "2025", "wave_to": "2026",
              "reason": "options changed: added ['<b>x</b>']"}]
        ),
    )  # fmt: skip
    path = write_html(model_of(flagged), tmp_path / "report.html")
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    section = soup.find("section", id="changes")
    assert section is not None
    assert section.h2.get_text() == "What changed since 2025"
    said = [li.get_text() for li in section.find_all("li")]
    changes = change_findings(latest_tables)
    assert said == changes["text"].tolist() and len(said) >= 3
    assert changes.groupby(["question", "option"]).size().max() == 2  # one shift, twice at most
    assert said[0].startswith('Everyone: 74% rate "Assessment, evaluation and data skills"')
    note = section.find("p", class_="note").get_text()
    assert "options changed: added ['<b>x</b>']" in note  # shown as text, not markup
    assert section.find("b") is None
    assert soup.find("a", href="#changes").get_text() == "Since 2025"


def test_no_change_is_said_plainly_and_a_first_wave_has_no_section(
    latest_tables, wave_tables, soup, tmp_path
):
    trends = latest_tables.trends.assign(significant=False)
    calm = dataclasses.replace(latest_tables, trends=trends)
    path = write_html(model_of(calm), tmp_path / "calm.html")
    section = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find(
        "section", id="changes"
    )
    assert "No change since 2025 is larger than chance would explain." in section.get_text()
    assert section.find("li") is None
    assert soup.find("section", id="changes") is None  # 2024: the first wave


def test_warm_up_compiles_the_template_and_imports_plotlys_part_ahead():
    """A run warms the HTML writer while it waits for validation: after ``warm_up`` the
    template is compiled and a chart fragment costs no import."""
    from survey.export import html

    html.warm_up()
    assert any("report.html" in str(key) for key in html._environment().cache)
    assert 'id="again"' in html._fragment([], {}, "again")
    # what the first figure imports, in a fresh process (here other tests may have imported
    # it already), with and without the warm-up; counted, not timed (CI's load moves a clock)
    count = (
        "import sys; from survey.export import html; {}; before = set(sys.modules); "
        "html._fragment([], {{}}, 'first'); print(len(set(sys.modules) - before))"
    )
    imported = [
        subprocess.run(
            [sys.executable, "-c", count.format(warm)], capture_output=True, text=True, check=True
        ).stdout.strip()
        for warm in ("html.warm_up()", "pass")
    ]
    assert imported[0] == "0" and int(imported[1]) > 10, imported
