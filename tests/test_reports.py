"""`survey run` writes the three reports of every wave, and respondent text that tries to act
(a spreadsheet formula, a script) lands in every one of them as harmless text."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from factories import export

from survey.codebook import load_codebook, reference_codebook_path

HOSTILE = {
    "formula": '=HYPERLINK("http://evil.example/x","Leadership training for supervisors")',
    "script": "<script>alert('owned')</script> leadership skills for new supervisors",
}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """A 120-row export whose comments plant a formula and a script, run end to end."""
    from survey.pipeline import run_waves, wave_for_file

    book = load_codebook(reference_codebook_path())
    folder = tmp_path_factory.mktemp("hostile")
    background = (
        "More leadership training for supervisors and managers of small rural branches, please"
    )
    learn = {f"r{i}": {"learn_next": background} for i in range(120)}
    learn |= {f"r{i}": {"learn_next": HOSTILE["formula"]} for i in range(0, 120, 7)}
    learn |= {f"r{i}": {"learn_next": HOSTILE["script"]} for i in range(3, 120, 7)}
    raw = export(book, folder / "spring.csv", 120, **learn)
    wave = wave_for_file(book, raw)
    [run] = run_waves(
        book, [wave], out_dirs=[folder / "reports"], processed_dir=folder / "processed"
    )
    return folder / "reports", run


def test_every_wave_gets_the_three_reports(hostile_run):
    folder, run = hostile_run
    names = {path.name for path in run.outputs}
    assert {"report.xlsx", "report.html", "slides.pptx"} <= names
    assert all(path.parent == folder for path in run.outputs if path.suffix != ".parquet")
    assert run.seconds["reports"] < 10


def test_quotes_csv_neutralises_formulas(hostile_run):
    folder, _ = hostile_run
    quotes = pd.read_csv(folder / "quotes.csv")["quote"].tolist()
    assert "'" + HOSTILE["formula"] in quotes
    assert not any(quote.startswith(("=", "+", "-", "@")) for quote in quotes)


def test_the_workbook_never_holds_the_formula(hostile_run):
    from openpyxl import load_workbook

    folder, _ = hostile_run
    workbook = load_workbook(folder / "report.xlsx")
    texts = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "evil.example" in cell.value
    ]
    assert texts, "the planted quote should be shown, as text"
    assert all(cell.data_type == "s" and not cell.value.startswith("=") for cell in texts)


def test_the_html_shows_the_script_as_text(hostile_run):
    from bs4 import BeautifulSoup

    folder, _ = hostile_run
    page = BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")
    assert not any("alert('owned')" in (script.string or "") for script in page.find_all("script"))
    assert "<script>alert('owned')</script>" in page.get_text()


def test_the_deck_holds_the_script_as_literal_text(hostile_run):
    from pptx import Presentation

    folder, _ = hostile_run
    deck = Presentation(str(folder / "slides.pptx"))
    text = " ".join(
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert "<script>alert('owned')</script>" in text


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory):
    """The demo's 2024 wave run with its reports."""
    from survey.pipeline import process_wave
    from survey.report.findings import headline_findings
    from survey.report.tables import load_tables

    book = load_codebook("data/raw/codebook.yaml")
    folder = tmp_path_factory.mktemp("demo") / "2024"
    process_wave(book, book.wave("2024"), out_dir=folder, processed_dir=folder.parent)
    return folder, headline_findings(load_tables(folder, book))


def test_the_three_files_say_the_same_headlines_with_the_same_numbers(demo_reports):
    from bs4 import BeautifulSoup
    from openpyxl import load_workbook
    from pptx import Presentation

    folder, findings = demo_reports
    assert len(findings) >= 5
    summary = load_workbook(folder / "report.xlsx")["Summary"]
    workbook_text = [cell.value for row in summary.iter_rows() for cell in row]
    page = BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")
    page_text = page.get_text(" ")
    deck = Presentation(str(folder / "slides.pptx"))
    deck_text = " ".join(
        shape.text_frame.text for s in deck.slides for shape in s.shapes if shape.has_text_frame
    )
    for finding in findings.head(5).itertuples():
        assert finding.text in workbook_text
        assert finding.text in page_text
        assert finding.text in deck_text
        # the sentence's figure is the same estimate the workbook stores as a number
        assert pytest.approx(finding.estimate, rel=1e-15) in workbook_text


def test_the_three_files_say_how_the_margins_of_error_were_computed(demo_reports):
    """The variance method of weighting.json, one sentence, on the Method sheet, the method
    slide and the page's Weighting section (issue #18)."""
    import json

    from bs4 import BeautifulSoup
    from openpyxl import load_workbook
    from pptx import Presentation

    folder, _ = demo_reports
    weighting = json.loads((folder / "weighting.json").read_text(encoding="utf-8"))
    sentence = weighting["variance_method"]
    assert weighting["variance"] == "raked" and weighting["fpc"] is False
    assert sentence.startswith("Margins of error allow for the weighting")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["variance"]["variance_method"] == sentence
    method = load_workbook(folder / "report.xlsx")["Method"]
    assert any(sentence in str(cell.value) for row in method.iter_rows() for cell in row)
    page = BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")
    method_text = page.find(id="method").get_text()
    assert sentence in " ".join(method_text.split())
    # the weight range's sentence and the design effect's are two sentences, not run together
    assert re.search(r"weights range from [\d.]+ to [\d.]+\.\s+The design effect", method_text)
    deck = Presentation(str(folder / "slides.pptx"))
    texts = [shape.text_frame.text for s in deck.slides for shape in s.shapes
             if shape.has_text_frame]  # fmt: skip
    assert any(sentence in text for text in texts)
