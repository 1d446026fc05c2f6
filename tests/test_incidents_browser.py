"""The incident table in a real headless Chromium: it loads offline without errors, sorts,
filters by date, place and outcome, expands to evidence linked to the article view, and charts.

Same set-up as ``test_html_browser.py`` (Debian ``chromium`` driven by playwright through
``executable_path``; ``.ci/install-browser.sh`` installs it). Run with ``pytest -m browser``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from summarizer import summarize
from summarizer.cli import main
from test_incidents import ARTICLES

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.exists():
    pytest.skip(f"chromium not installed at {CHROMIUM}: run .ci/install-browser.sh", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """incidents.html and incidents.articles.html written by the command from real extractions."""
    folder = tmp_path_factory.mktemp("incidents")
    results = folder / "results.jsonl"
    results.write_text("".join(
        summarize(text, id=article_id, date=date, title=text.split("\n")[0]).model_dump_json() + "\n"
        for article_id, date, text in ARTICLES
    ), encoding="utf-8")
    inputs = folder / "inputs.jsonl"
    import json

    inputs.write_text("".join(json.dumps({"id": i, "text": t, "date": d}) + "\n" for i, d, t in ARTICLES), encoding="utf-8")
    outcome = CliRunner().invoke(main, ["incidents", str(results), "--input", str(inputs), "-o", str(folder / "incidents.html")])
    assert outcome.exit_code == 0, outcome.output
    return folder


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator["sync_api.BrowserContext"]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        browser_context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 800}, offline=True,
        )
        yield browser_context
        browser_context.close()


def test_incident_table_sorts_filters_expands_and_links(context: "sync_api.BrowserContext", pages: Path, tmp_path: Path) -> None:
    page = context.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto((pages / "incidents.html").as_uri(), wait_until="load")
    assert problems == []
    assert all(url.startswith("file://") for url in requests)  # self-contained: nothing fetched

    rows = page.locator("tbody.incident")
    assert rows.count() == 3
    assert page.locator("#shown").inner_text() == "3 shown"
    assert page.locator("#toll-chart rect.bar-killed").count() >= 1  # the chart of tolls over time

    # sort by killed, descending: the three-article shooting (3 killed, latest report) comes first
    page.click("th[data-sort=killed]")
    page.click("th[data-sort=killed]")
    assert page.locator("th[data-sort=killed]").get_attribute("aria-sort") == "descending"
    assert rows.first.get_attribute("data-articles") == "3"
    page.click("th[data-sort=date]")
    dates = [rows.nth(i).get_attribute("data-date") for i in range(rows.count())]
    assert dates == sorted(dates)

    # filters: place, outcome, date range
    page.fill("#f-place", "tarboro")
    assert page.locator("tbody.incident:not([hidden])").count() == 1
    page.fill("#f-place", "")
    page.select_option("#f-outcome", "injured")
    # the March shooting and April's "A man was injured" (counted since the victim rules); not Tarboro's death
    assert page.locator("tbody.incident:not([hidden])").count() == 2
    page.select_option("#f-outcome", "killed")
    assert page.locator("tbody.incident:not([hidden])").count() == 2  # the March shooting and Tarboro
    page.select_option("#f-outcome", "")
    page.fill("#f-from", "2024-04-01")
    page.dispatch_event("#f-from", "change")
    assert page.locator("tbody.incident:not([hidden])").count() == 1  # the April shooting only
    page.fill("#f-from", "")
    page.dispatch_event("#f-from", "change")
    assert page.locator("#shown").inner_text() == "3 shown"

    # expand the shooting: articles, figures with evidence, links into the article view
    shooting = page.locator("tbody.incident[data-articles='3']")
    detail = shooting.locator("tr.detail")
    assert detail.is_hidden()
    shooting.locator("button.expand").click()
    assert detail.is_visible()
    assert detail.locator("ul.articles li").count() == 3
    assert detail.locator("table.figures tr.figure").count() >= 4
    assert "Two people were killed" in detail.inner_text() or "Two killed" in detail.inner_text()
    link = detail.locator("a.evidence-link").first
    href = link.get_attribute("href")
    assert href is not None and href.startswith("incidents.articles.html#a")
    page.screenshot(path=str(tmp_path / "incidents.png"), full_page=True)

    link.click()
    page.wait_for_load_state("load")
    anchor = href.split("#", 1)[1]
    target = page.locator(f"[id='{anchor}']")
    assert target.count() == 1 and target.evaluate("el => el.tagName") == "MARK"
    assert problems == []
    page.close()
