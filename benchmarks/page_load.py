"""How long the review page of a 4-page notice takes to load: server render plus all four page images.

    .venv/bin/python benchmarks/page_load.py [--runs 5] [--warm-runs 20] [--scanned] [--no-browser]

Joins committed samples into one 4-page PDF with ``pdfunite`` (born-digital: notice_0006 + notice_0011 +
notice_0022, text-layer pages; ``--scanned``: notice_0001 + 0004 + 0007 + 0013, scanned pages, OCR'd once at
set-up), ingests and archives it in a fresh NOTICEFLOW_HOME, starts ``uvicorn --factory
flows.api:create_app`` on a free loopback port, signs in through the login form, then measures:

- over HTTP (httpx): ``GET /notices/{id}`` and then the 4 page images fetched in parallel, as a browser
  does. Cold: the preview cache (``home/cache``) emptied before each run; warm: the cache kept.
- in headless Chromium (when ``/usr/bin/chromium`` and Playwright are installed): from navigation start to
  every image loaded, with the browser's own cache off (a new context per run).

Prints the median, min and max of each, in milliseconds. A script, not a test: the figures depend on the
machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.archive import keep_original  # noqa: E402
from pipeline.process import PipelineContext, process_document  # noqa: E402
from pipeline.profiles import load_profiles  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from pipeline.store import open_store  # noqa: E402
from tests.servers import running_server  # noqa: E402

SAMPLES = ROOT / "fixtures" / "samples"
BORN_DIGITAL = ("notice_0006.pdf", "notice_0011.pdf", "notice_0022.pdf")  # 1 + 1 + 2 pages
SCANNED = ("notice_0001.pdf", "notice_0004.pdf", "notice_0007.pdf", "notice_0013.pdf")  # 1 page each
KEY = "bench-key-0123456789abcdef"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def make_notice(home: Path, parts: tuple[str, ...]) -> str:
    """Join ``parts`` into one PDF, ingest and archive it; its document id."""
    joined = home.parent / "four-pages.pdf"
    subprocess.run(["pdfunite", *(str(SAMPLES / part) for part in parts), str(joined)], check=True)
    settings = Settings(home=home)
    context = PipelineContext.default(
        dt.date(2026, 5, 12), settings, load_profiles(SAMPLES / "profiles.json")
    )
    result = process_document(joined, context, source=joined.name)
    if result.pages != 4:
        raise SystemExit(f"the joined PDF has {result.pages} pages, not 4 ({result.error})")
    store = open_store(settings.database_url)
    store.save_result(result, "bench", actor="bench")
    store.close()
    keep_original(joined, result, home)
    return result.document_id


@contextmanager
def page_server(home: Path) -> Iterator[str]:
    env = {**os.environ, "NOTICEFLOW_HOME": str(home), "NOTICEFLOW_API_KEYS": f"bench:{KEY}"}
    env.pop("NOTICEFLOW_DB_URL", None)
    command = [sys.executable, "-m", "uvicorn", "--factory", "flows.api:create_app", "--port", "{port}"]
    with running_server([*command, "--log-level", "warning"], env, home / "server.log") as url:
        yield url


def sign_in(client: httpx.Client) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    signed = client.post("/login", data={"csrf_token": token.group(1), "api_key": KEY})
    assert signed.status_code == 303, signed.text


def load_over_http(client: httpx.Client, document_id: str) -> tuple[float, float]:
    """Seconds for the HTML, and for the HTML plus the 4 images fetched in parallel."""
    start = time.perf_counter()
    html = client.get(f"/notices/{document_id}")
    rendered = time.perf_counter() - start
    images = re.findall(r'<img src="([^"]+\.png)"', html.text)
    assert html.status_code == 200 and len(images) == 4, (html.status_code, images)
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda src: client.get(src).status_code, images))
    assert statuses == [200] * 4, statuses
    return rendered, time.perf_counter() - start


def load_in_browser(url: str, document_id: str, runs: int, before_each: Callable[[], None]) -> list[float]:
    """Seconds from navigation to every image loaded, a fresh browser context (no HTTP cache) per run."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for _ in range(runs + 1):  # the first run warms the browser itself and is not counted
            before_each()
            context = browser.new_context(base_url=url)
            page = context.new_page()
            page.goto("/login")
            page.fill("#api_key", KEY)
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r"/$"))
            start = time.perf_counter()
            page.goto(f"/notices/{document_id}", wait_until="load")  # "load" waits for every image
            times.append(time.perf_counter() - start)
            context.close()
        browser.close()
    return times[1:]


def describe(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"  {label:<34} median {statistics.median(ms):7.1f} ms   min {min(ms):7.1f}   max {max(ms):7.1f}"
        f"   ({len(ms)} runs)"
    )


def measure(url: str, home: Path, document_id: str, args: argparse.Namespace) -> None:
    def clear_cache() -> None:
        shutil.rmtree(home / "cache", ignore_errors=True)

    with httpx.Client(base_url=url, timeout=120) as client:
        sign_in(client)
        cold = []
        for _ in range(args.runs):
            clear_cache()
            cold.append(load_over_http(client, document_id))
        warm = [load_over_http(client, document_id) for _ in range(args.warm_runs)]
    print("over HTTP (HTML, then the 4 images in parallel):")
    print(describe("cold: HTML (renders the previews)", [html for html, _ in cold]))
    print(describe("cold: HTML + 4 images", [total for _, total in cold]))
    print(describe("warm: HTML", [html for html, _ in warm]))
    print(describe("warm: HTML + 4 images", [total for _, total in warm]))
    if args.no_browser or not CHROMIUM.exists():
        return
    print("in headless Chromium (navigation start to load event, no browser cache):")
    print(describe("cold", load_in_browser(url, document_id, args.runs, clear_cache)))
    print(describe("warm", load_in_browser(url, document_id, args.warm_runs, lambda: None)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold runs (default 5)")
    parser.add_argument("--warm-runs", type=int, default=20, help="warm runs (default 20)")
    parser.add_argument("--scanned", action="store_true", help="4 scanned pages instead of text-layer pages")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="noticeflow-page-load-") as scratch:
        home = Path(scratch) / "home"
        document_id = make_notice(home, SCANNED if args.scanned else BORN_DIGITAL)
        kind = "scanned" if args.scanned else "born-digital (text layer)"
        print(f"4-page {kind} notice {document_id[:12]}…, {os.cpu_count()} CPUs")
        with page_server(home) as url:
            measure(url, home, document_id, args)


if __name__ == "__main__":
    main()
