"""`survey run` writes the three reports of every wave, and respondent text that tries to act
(a spreadsheet formula, a script) lands in every one of them as harmless text."""

from __future__ import annotations

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
