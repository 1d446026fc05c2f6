"""The HTML views in a real headless Chromium: the page runs cleanly, shows one highlight per
extraction, and clicking an item in the side panel brings its evidence into view.

Needs Debian's ``chromium`` (``.ci/install-browser.sh``) and the ``playwright`` package, which
drives that system browser through ``executable_path`` (``playwright install`` is never used).
Screenshots go to ``$HTML_VIEW_SCREENSHOTS`` when set (CI artefacts), else to pytest's tmp dir.
Run with ``pytest -m browser``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from summarizer.html_view import render_eval, render_records
from test_html_view import SEED, SHORT_ARTICLE, seed_record, short_diff, short_record

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.exists():
    pytest.skip(f"chromium not installed at {CHROMIUM}: run .ci/install-browser.sh", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 720}

IN_VIEWPORT = """(element) => {
    const box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight && box.height > 0;
}"""


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator["sync_api.BrowserContext"]:
    profile = tmp_path_factory.mktemp("chromium-profile")  # a new, empty --user-data-dir
    with sync_api.sync_playwright() as playwright:
        browser_context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport=VIEWPORT,
            offline=True,
        )
        yield browser_context
        browser_context.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = Path(os.environ.get("HTML_VIEW_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def open_page(context: "sync_api.BrowserContext", html: str, path: Path) -> tuple["sync_api.Page", list[str]]:
    """Load ``html`` from a file; returns the page and a live list of console/page errors."""
    path.write_text(html, encoding="utf-8")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000  # a blank page compresses to far less


def test_extraction_page_highlights_every_item_and_scrolls_to_it(
    context: "sync_api.BrowserContext", tmp_path: Path, shots: Path
) -> None:
    records = [short_record()]
    articles = {records[0].id: SHORT_ARTICLE}
    if SEED.exists():
        seed_text = SEED.read_text(encoding="utf-8")
        records.append(seed_record(seed_text))
        articles[records[1].id] = seed_text
    extraction_count = sum(len(r.casualties) + len(r.quotes) + len(r.claims) for r in records)
    page, problems = open_page(context, render_records(records, articles), tmp_path / "records.html")

    assert page.locator("mark").count() == extraction_count
    assert page.locator("mark[data-item]").count() == extraction_count
    assert page.evaluate("() => window.__pwned") is None  # the article's <script> stayed text
    assert page.locator(".text", has_text="<script>window.__pwned = true</script>").count() == 1

    # The last item of the last article: its panel entry is near the top of the page while its
    # evidence is at the end of a long text, below the fold.
    last = records[-1]
    target = f"a{len(records) - 1}-claim-{len(last.claims) - 1}"
    entry = page.locator(f'.entry[data-target="{target}"]')
    mark = page.locator(f"#{target}")
    page.evaluate(f"() => document.getElementById('a{len(records) - 1}').scrollIntoView()")
    entry.scroll_into_view_if_needed()  # scrolls the sticky panel's own list
    page.screenshot(path=str(shots / "records-before-click.png"))
    assert entry.evaluate(IN_VIEWPORT)
    assert not mark.evaluate(IN_VIEWPORT)
    entry.click()
    page.wait_for_function(f"() => ({IN_VIEWPORT})(document.getElementById('{target}'))", timeout=5000)
    assert "flash" in (mark.get_attribute("class") or "")
    assert mark.inner_text().strip() == last.claims[-1].evidence.text.strip()
    page.screenshot(path=str(shots / "records.png"))

    # Clicking a highlight flashes its entry in the panel.
    first = page.locator("#a0-quote-1")
    first.scroll_into_view_if_needed()
    first.click()
    assert "flash" in (page.locator('.entry[data-target="a0-quote-1"]').get_attribute("class") or "")

    assert problems == []
    assert_png(shots / "records.png")
    page.close()


def test_eval_page_tells_matched_missed_and_extra_apart(
    context: "sync_api.BrowserContext", tmp_path: Path, shots: Path
) -> None:
    diff = short_diff()
    expected = sum(len(kind.gold) + len(kind.predicted) for _, kind in diff.by_kind())
    scores = {"casualties": {"precision": 0.5, "recall": 0.333, "f1": 0.4}, "quotes": {"precision": 1.0, "recall": 0.5, "f1": 0.667}}
    page, problems = open_page(context, render_eval([diff], scores, {"short": SHORT_ARTICLE}), tmp_path / "eval.html")

    assert page.locator("mark").count() == expected
    colours = {
        status: page.locator(f'mark[data-status="{status}"]').first.evaluate("(e) => getComputedStyle(e).backgroundColor")
        for status in ("matched", "missed", "extra")
    }
    assert len(set(colours.values())) == 3, colours
    page.locator('.entry[data-status="extra"]').first.click()
    page.wait_for_function(f"() => ({IN_VIEWPORT})(document.querySelector('mark[data-status=\"extra\"]'))", timeout=5000)
    page.screenshot(path=str(shots / "eval.png"), full_page=True)

    assert problems == []
    assert_png(shots / "eval.png")
    page.close()
