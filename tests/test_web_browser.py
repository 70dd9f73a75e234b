"""The review pages in a real browser: headless Chromium (Debian's ``chromium`` package) driven by
Playwright, against ``uvicorn --factory flows.api:create_app`` in a subprocess on a free loopback port.

The store is seeded by ingesting committed samples (four born-digital PDFs and one clean scan, which takes
about 2 s of tesseract) and archiving them, then the server starts on the same NOTICEFLOW_HOME. The story:
sign in, open the most urgent notice, see its scan with boxes, correct a field, see priority and audit
history change, download the draft letter; then keyboard use and colour contrast.

Screenshots and the letter go to ``$NOTICEFLOW_TEST_ARTIFACTS`` (default ``test-artifacts/web`` in the
repository, git-ignored). Without Chromium or Playwright the tests are skipped, except under CI
(``CI=true``), where they fail: CI must install them (``apt-get install chromium``, ``pip install
playwright``; never ``playwright install``, whose browser download does not work here).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.archive import keep_original
from pipeline.process import PipelineContext, process_document
from pipeline.profiles import load_profiles
from pipeline.settings import Settings
from pipeline.store import open_store
from tests.servers import running_server

pytestmark = pytest.mark.slow  # a long file: an xdist worker takes it first (tests/conftest.py)
ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "fixtures" / "samples"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
AS_OF = dt.date(2026, 5, 12)
KEY, OTHER_KEY = "acme-key-0123456789abcdef", "beta-key-0123456789abcdef"
SEEDED = ("notice_0006.pdf", "notice_0011.pdf", "notice_0017.pdf", "notice_0022.pdf", "notice_0021.png")
MOST_URGENT = "notice_0017.pdf"  # CP504, critical, deadline 2023-12-08: the first row of the queue

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None  # type: ignore[assignment]


def _require_browser() -> None:
    missing = [
        name for name, ok in (("chromium", CHROMIUM.exists()), ("playwright", sync_playwright)) if not ok
    ]
    if missing:
        message = f"{' and '.join(missing)} not installed (apt-get install chromium; pip install playwright)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


# ---- the server -------------------------------------------------------------------------------------------


def seed_home(home: Path) -> None:
    """Ingest the samples for tenant acme as the CLI would, archiving each file."""
    settings = Settings(home=home)
    profiles = load_profiles(SAMPLES / "profiles.json")
    store = open_store(settings.database_url)
    try:
        for profile in profiles:
            store.put_profile(profile, "acme")
        context = PipelineContext.default(AS_OF, settings, profiles)
        for name in SEEDED:
            result = process_document(SAMPLES / name, context, source=name)
            assert keep_original(SAMPLES / name, result, home) is not None, result.error
            store.save_result(result, "acme", actor="ingest")
    finally:
        store.close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_browser()
    home = tmp_path_factory.mktemp("browser") / "home"
    seed_home(home)
    env = {
        **os.environ,
        "NOTICEFLOW_HOME": str(home),
        "NOTICEFLOW_API_KEYS": f"acme:{KEY},beta:{OTHER_KEY}",
        "NOTICEFLOW_AS_OF": AS_OF.isoformat(),
        "NOTICEFLOW_SESSION_SECRET": "browser-test-secret-0123456789abcdef",
    }
    env.pop("NOTICEFLOW_DB_URL", None)  # the SQLite store in this home, whatever the caller's shell says
    command = [sys.executable, "-m", "uvicorn", "--factory", "flows.api:create_app", "--port", "{port}"]
    with running_server(command, env, home / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(os.environ.get("NOTICEFLOW_TEST_ARTIFACTS") or ROOT / "test-artifacts" / "web")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1400, "height": 1000}, accept_downloads=True
    )
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error"
            and not message.text.startswith("Failed to load resource")  # HTTP statuses
            else None
        ),
    )
    yield opened
    context.close()
    assert errors == []  # no script errors, no "Refused to ..." from the Content-Security-Policy


def sign_in(page: Page, key: str = KEY) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("API key").fill(key)
    page.get_by_label("Your name").fill("Dana Reviewer")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Notices")).to_be_visible()


def wait_for_images(page: Page, timeout_s: float = 20) -> None:
    """Until every image has loaded (polled from here: the page's CSP forbids the eval that Playwright's
    ``wait_for_function`` needs)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"):
        assert time.monotonic() < deadline, "the page images did not load"
        time.sleep(0.05)


# ---- the story --------------------------------------------------------------------------------------------


def test_sign_in_correct_the_most_urgent_notice_and_download_its_letter(page: Page, artifacts: Path) -> None:
    page.goto("/login")
    page.get_by_label("API key").fill("not-the-key-0123456789abcdef")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That API key is not valid.")

    sign_in(page)
    expect(page.get_by_role("heading", name="Notices")).to_be_visible()
    expect(page.locator("#counts")).to_contain_text("4 overdue, 1 due this week, 0 suspected scams")
    page.screenshot(path=artifacts / "1-queue.png", full_page=True)
    first = page.locator("a.notice-link").first
    expect(first).to_have_text("CP504")
    expect(page.locator("tbody tr").first).to_contain_text("notice_0017.pdf")

    first.click()
    wait_for_images(page)
    expect(page.locator("#priority")).to_have_text("critical")
    assert_boxes_lie_on_the_scan(page)
    page.screenshot(path=artifacts / "2-notice.png")

    page.get_by_label("Deadline").fill("2026-07-11")
    page.get_by_role("button", name="Save corrections").click()
    expect(page.get_by_role("status")).to_contain_text("Corrections saved")
    expect(page.locator("#priority")).to_have_text("high")
    expect(page.locator(".summary")).to_contain_text("60 days left")
    audit = page.locator("#audit tbody tr").last
    expect(audit).to_contain_text("Dana Reviewer")
    expect(page.locator("#audit")).to_contain_text("Deadline: 2023-12-08 → 2026-07-11")
    page.screenshot(path=artifacts / "3-corrected.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download letter: I agree").click()
    letter_path = artifacts / download.value.suggested_filename
    download.value.save_as(letter_path)
    assert download.value.suggested_filename.startswith("letter-CP504-")
    letter = letter_path.read_text()
    assert "Notice CP504" in letter and "Kevin Ramirez" in letter

    page.get_by_role("link", name="← Queue").click()
    expect(page.locator("tbody tr").first).not_to_contain_text("notice_0017.pdf")


def assert_boxes_lie_on_the_scan(page: Page) -> None:
    """Every field box is drawn inside its page image, and the amount's box is where the amount is."""
    frames = page.locator(".page-frame")
    assert frames.count() >= 1
    image = frames.first.locator("img").bounding_box()
    boxes = frames.first.locator("rect.box")
    assert image is not None and boxes.count() >= 5
    for index in range(boxes.count()):
        box = boxes.nth(index).bounding_box()
        assert box is not None
        assert image["x"] - 2 <= box["x"] and box["x"] + box["width"] <= image["x"] + image["width"] + 2
        assert image["y"] - 2 <= box["y"] and box["y"] + box["height"] <= image["y"] + image["height"] + 2


def test_a_scanned_page_is_shown_with_its_boxes(page: Page, artifacts: Path) -> None:
    sign_in(page)
    page.locator("tbody tr", has_text="notice_0021.png").get_by_role("link", name="CP504").click()
    wait_for_images(page)
    assert_boxes_lie_on_the_scan(page)
    rect = page.locator('rect.box[data-field="amount_due"]').first
    amount, image = rect.bounding_box(), page.locator(".page-frame img").first.bounding_box()
    assert amount is not None and image is not None
    # Drawn where the amount was read: its place on the screen is its place on the page (SVG viewBox in
    # page pixels), whichever line of the notice it was read from.
    view_box, rect_y = page.locator("svg.boxes").first.get_attribute("viewBox"), rect.get_attribute("y")
    assert view_box is not None and rect_y is not None
    on_page = float(rect_y) / float(view_box.split()[3])
    assert abs((amount["y"] - image["y"]) / image["height"] - on_page) < 0.01
    assert 0.2 < on_page < 0.95  # below the header, on the page
    page.locator(".page-frame").first.screenshot(path=artifacts / "4-scanned-page.png")


# ---- keyboard and contrast --------------------------------------------------------------------------------


def test_the_notice_page_works_from_the_keyboard(page: Page, artifacts: Path) -> None:
    sign_in(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(60):  # Tab to the first notice's link, then open it with Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('notice-link')"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/notices/[0-9a-f]{64}$"))
    wait_for_images(page)
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "f-amount_due":
            break
    assert page.evaluate("document.activeElement.id") == "f-amount_due"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    expect(page.locator('rect.box[data-field="amount_due"]').first).to_have_class("box active")
    page.screenshot(path=artifacts / "5-keyboard-focus.png")


CONTRAST_SCRIPT = """
(selectors) => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = {};
  for (const selector of selectors) {
    const el = document.querySelector(selector);
    if (!el) continue;
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    out[selector] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }
  return out;
}
"""
TEXT_SELECTORS = [
    "body", "h1", "a.notice-link", ".muted", ".overdue", ".badge.priority-critical", ".badge.priority-high",
    ".badge.status-processed", ".badge.scam-low", ".button.primary", ".button.secondary", "caption", "label",
    ".who", ".as-of",
]  # fmt: skip


def test_text_has_at_least_4_5_to_1_contrast(page: Page) -> None:
    sign_in(page)
    ratios: dict[str, Any] = page.evaluate(CONTRAST_SCRIPT, TEXT_SELECTORS)
    page.locator("a.notice-link").first.click()
    ratios |= page.evaluate(CONTRAST_SCRIPT, ["th[scope=row] label", ".hint", ".button.danger", "#audit td"])
    assert len(ratios) >= 15
    assert {selector: round(ratio, 1) for selector, ratio in ratios.items() if ratio < 4.5} == {}
