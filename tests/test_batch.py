"""``process_batch``: results in input order; documents in forked processes when the caller has no other
thread (in threads otherwise); never more pages in OCR at once than page slots, across those processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from pipeline.catalog import load_catalog
from pipeline.models import OcrWord
from pipeline.process import PipelineContext, process_batch
from pipeline.settings import Settings

pytestmark = pytest.mark.slow  # a long file: an xdist worker takes it first (tests/conftest.py)
ROOT = Path(__file__).parent.parent
BORN_DIGITAL = ROOT / "fixtures" / "samples" / "notice_0006.pdf"
TRUNCATED = ROOT / "fixtures" / "faults" / "truncated.pdf"
# Long enough that two forked readers overlap though each cleans its page first on a loaded machine (at 0.2 s
# a clean-clone CI run once saw them never overlap while the other xdist worker ran)
READING_S = 0.6


class LoggingEngine:
    """Reads every page as the same words, slowly, appending "pid start end" per reading to a shared log.
    On a mostly dark page, ``on_dark="exit"`` dies as a crashing native library would, ``"raise"`` raises
    as a bug would."""

    name = "logging-fake"

    def __init__(self, log: Path, on_dark: str | None = None) -> None:
        self.log = log
        self.on_dark = on_dark

    def recognize(self, image_path: Path) -> list[OcrWord]:
        if self.on_dark and cv2.imread(str(image_path), cv2.IMREAD_GRAYSCALE).mean() < 160:
            if self.on_dark == "exit":
                os._exit(70)
            raise ZeroDivisionError("a bug")
        start = time.monotonic()
        time.sleep(READING_S)
        with self.log.open("a") as handle:
            handle.write(f"{os.getpid()} {start} {time.monotonic()}\n")
        # A page that reads well (confident dictionary words), so the fallback second read never starts.
        return [OcrWord(text="notice", confidence=0.95, bbox=(100 + 40 * i, 50, 30, 20)) for i in range(30)]

    def recognize_line(self, image_path: Path) -> list[OcrWord]:
        return []

    def detect_rotation(self, image_path: Path) -> int:
        return 0


def _readings(log: Path) -> list[list[float]]:
    rows = (row.split() for row in log.read_text().splitlines())
    return [[int(pid), float(start), float(end)] for pid, start, end in rows]


def _most_at_once(readings: list[list[float]]) -> int:
    events = sorted([(start, 1) for _, start, _ in readings] + [(end, -1) for _, _, end in readings])
    running = most = 0
    for _, step in events:
        running += step
        most = max(most, running)
    return most


def make_batch(folder: Path) -> list[Path]:
    """Six one-page scans between a born-digital notice and a truncated PDF; the fourth is mostly dark."""
    scans = []
    for index in range(6):
        page = np.full((1100, 850), 255, np.uint8)
        if index == 3:
            page[300:1000, 50:800] = 0
        cv2.putText(page, f"scan {index}", (100, 200), cv2.FONT_HERSHEY_SIMPLEX, 2, 0, 4)
        scans.append(folder / f"scan-{index}.png")
        cv2.imwrite(str(scans[-1]), page)
    return [BORN_DIGITAL, *scans, TRUNCATED]


def batch_summary(
    folder: Path, on_dark: str | None = None, thread_after_first: bool = False
) -> dict[str, Any]:
    """Run the batch in ``folder`` with an engine that logs there; what came out, who read the pages, and
    what was left in the temporary folder. With ``thread_after_first`` the reader starts a thread once it
    has the first result (as a progress bar or a connection pool might)."""
    folder.mkdir(exist_ok=True)
    log = folder / "readings.log"
    log.touch()
    context = PipelineContext(
        settings=Settings(workers=2),
        engine=LoggingEngine(log, on_dark),
        catalog=load_catalog(),
        as_of=dt.date(2026, 11, 28),
        profiles=(),
        page_slots=threading.BoundedSemaphore(2),
    )
    stop = threading.Event()
    with process_batch(make_batch(folder), context) as batch:
        results = [next(batch)]
        if thread_after_first:
            threading.Thread(target=stop.wait).start()
        results += list(batch)
    stop.set()
    return {
        "caller": os.getpid(),
        "results": [
            [
                Path(r.source).name,
                r.status.value,
                r.error.code if r.error else None,
                {name: field.value for name, field in r.fields.items()},
            ]
            for r in results
        ],  # fmt: skip
        "readings": _readings(log),
        "left_in_temp": sorted(os.listdir(tempfile.gettempdir())),
    }


def test_a_single_threaded_caller_runs_documents_in_forked_processes_sharing_the_page_slots(
    tmp_path: Path,
) -> None:
    summary = _summary_from_a_fresh_interpreter(tmp_path)
    names = [row[0] for row in summary["results"]]
    assert names == [path.name for path in make_batch(tmp_path)]  # input order
    assert summary["results"][0][1] != "failed" and summary["results"][-1][1:3] == ["failed", "corrupt_file"]
    readings = summary["readings"]
    assert len(readings) == 6
    assert summary["caller"] not in {pid for pid, _, _ in readings}  # read in forked processes
    assert _most_at_once(readings) == 2  # both slots used, never more, across processes

    threaded = _with_another_thread_running(lambda: batch_summary(tmp_path / "threaded"))
    assert {pid for pid, _, _ in threaded["readings"]} == {os.getpid()}  # read in this process
    assert _most_at_once(threaded["readings"]) <= 2
    assert threaded["results"] == summary["results"]


def test_a_worker_that_dies_costs_only_the_document_that_killed_it(tmp_path: Path) -> None:
    summary = _summary_from_a_fresh_interpreter(tmp_path, on_dark="exit")
    results = summary["results"]
    assert [row[0] for row in results] == [path.name for path in make_batch(tmp_path)]
    assert [tuple(row[1:3]) for row in results] == [
        (results[0][1], None),  # the born-digital notice, whatever its status
        *[("needs_review", None)] * 3,
        ("failed", "worker_stopped"),  # the dark page kills every worker that reads it
        *[("needs_review", None)] * 2,
        ("failed", "corrupt_file"),
    ]
    assert results[0][1] != "failed"
    assert summary["left_in_temp"] == []  # the killed workers' page images too


def test_a_reader_that_started_a_thread_gets_the_rest_read_in_threads_after_a_crash(tmp_path: Path) -> None:
    summary = _summary_from_a_fresh_interpreter(tmp_path, on_dark="exit", thread_after_first=True)
    codes = [row[2] for row in summary["results"]]
    assert codes[4] == "worker_stopped" and codes[-1] == "corrupt_file"
    # Without a fork to read it alone, the document beside the culprit, if one was in progress, fails too.
    assert codes[1:-1].count("worker_stopped") <= 2 and set(codes[1:-1]) <= {None, "worker_stopped"}
    assert summary["results"][6][1] == "needs_review"
    assert summary["caller"] in {pid for pid, _, _ in summary["readings"]}  # no fork after the thread
    assert summary["left_in_temp"] == []


def test_a_bug_on_one_document_fails_it_alone(tmp_path: Path) -> None:
    for summary in (
        _summary_from_a_fresh_interpreter(tmp_path / "forked", on_dark="raise"),
        _with_another_thread_running(lambda: batch_summary(tmp_path / "threaded", on_dark="raise")),
    ):
        codes = [row[2] for row in summary["results"]]
        assert codes == [None, None, None, None, "internal_error", None, None, "corrupt_file"]


def _summary_from_a_fresh_interpreter(folder: Path, **options: Any) -> dict[str, Any]:
    """``batch_summary`` in a new interpreter with a temporary folder of its own: pytest itself may be
    running threads, and then the batch rightly runs in threads, not forked processes."""
    code = "import json, sys, pathlib; from tests.test_batch import batch_summary as run\n"
    code += "print(json.dumps(run(pathlib.Path(sys.argv[1]), **json.loads(sys.argv[2]))))"
    command = [sys.executable, "-c", code, str(folder), json.dumps(options)]
    (folder / "tmp").mkdir(parents=True)
    environment = {**os.environ, "TMPDIR": str(folder / "tmp")}
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, env=environment)
    assert run.returncode == 0, run.stderr
    summary: dict[str, Any] = json.loads(run.stdout)
    return summary


def _with_another_thread_running(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        return work()
    finally:
        stop.set()
        other.join()
