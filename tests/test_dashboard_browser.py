"""The dashboard in a real browser: `survey dashboard` on a free loopback port, Debian's chromium
driven by Playwright, every page in normal and public mode; no error element, a known number
from the engine's tables on screen, and a screenshot of each page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from survey.codebook import load_codebook

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
PAGES = ["overview", "needs", "compare", "barriers", "trends", "comments", "quality", "downloads"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """Two demo waves run through the pipeline (reports and processed data)."""
    from survey.pipeline import run_waves

    book = load_codebook(REPO / "data" / "raw" / "codebook.yaml")
    folder = tmp_path_factory.mktemp("dashboard")
    waves = [book.wave("2024"), book.wave("2025")]
    run_waves(
        book,
        waves,
        out_dirs=[folder / "reports" / wave.id for wave in waves],
        processed_dir=folder / "processed",
    )
    return folder


@pytest.fixture(scope="module", params=[False, True], ids=["full", "public"])
def server(request, project) -> Iterator[tuple[str, bool]]:
    """`survey dashboard` on a free port, until the module's tests are done."""
    public = bool(request.param)
    port = _free_port()
    command = [
        sys.executable, "-m", "survey", "dashboard", "--port", str(port),
        "--reports", str(project / "reports"), "--processed", str(project / "processed"),
        "--codebook", str(REPO / "data" / "raw" / "codebook.yaml"),
    ]  # fmt: skip
    if public:
        command.append("--public")
    log = (project / f"server-{port}.log").open("w")
    process = subprocess.Popen(
        command, cwd=project, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy()
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"survey dashboard did not start: {(project / log.name).read_text()}")
        time.sleep(0.5)
    try:
        yield url, public
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _expected(project: Path) -> dict[str, str]:
    """Texts from the engine's tables each page must show for the newest wave (2025)."""
    from survey.report.style import percent
    from survey.report.tables import load_tables

    book = load_codebook(REPO / "data" / "raw" / "codebook.yaml")
    tables = load_tables(project / "reports" / "2025", book)
    count = f"{tables.analysed:,} respondents"
    quarantined = tables.quarantined
    needs = tables.shown("needs")
    top = needs[(needs["by"] == "all") & (needs["rank"] == 1)].iloc[0]
    shares = tables.shown("results")
    travel = shares.query("question == 'barriers' and option == 'travel' and by == 'all'")
    return {
        "overview": count,
        "needs": tables.labels.topic(str(top["topic"])),
        "compare": count,
        "barriers": percent(float(travel["estimate"].iloc[0])),
        "trends": count,
        "comments": count,
        "quality": str(int(quarantined.max())),
        "downloads": count,
        "upload": "Upload",
    }


def test_every_page_in_a_real_browser(server, project, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    url, public = server
    expected = _expected(project)
    shots = tmp_path_factory.mktemp("screenshots")
    pages = PAGES if public else [*PAGES, "upload"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for name in pages:
                page.goto(f"{url}/{name}")
                # Streamlit draws over a websocket: wait for the page's known figure, where it
                # shows (a short figure such as "14" also sits in hidden elements)
                shown = page.get_by_text(expected[name], exact=False).filter(visible=True)
                shown.first.wait_for(timeout=60_000)
                page.wait_for_load_state("networkidle")
                body = page.inner_text("body")
                assert page.locator('[data-testid="stException"]').count() == 0, name
                assert "Page not found" not in body, name
                assert expected[name] in body, name
                page.screenshot(path=str(shots / f"{'public' if public else 'full'}-{name}.png"))
            if public:
                page.goto(f"{url}/upload")
                page.get_by_text(expected["overview"]).first.wait_for(timeout=60_000)
                assert "Upload a wave" not in page.inner_text("section[data-testid='stSidebar']")
        finally:
            browser.close()
    assert len(list(shots.iterdir())) == len(pages)
