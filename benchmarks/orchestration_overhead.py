"""What running each document as a Prefect flow run costs, against the ingest service in-process.

    .venv/bin/python benchmarks/orchestration_overhead.py [--documents 20]

In a fresh NOTICEFLOW_HOME, the same born-digital notices (notice_0006, 0011, 0017, 0022, made unique by a
trailing comment, so none is a duplicate) go through the ingest service twice: in-process
(``pipeline.ingest.ingest``) and as one ``ingest_document`` flow run each (``flows.orchestration``, on a
Prefect server started the way ``serve`` and ``watch`` start theirs). Text-layer documents need no OCR, so
the difference is Prefect's. The first flow run (imports, the flow's first registration) is shown apart.
Prints the server's start-up, the per-document median and mean of each path, the overhead per document, and
that overhead as a share of one page's OCR (README: tesseract on one scanned page, 1.18 s on this machine;
the target is under 10%). A script, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BORN_DIGITAL = [ROOT / "fixtures" / "samples" / f"notice_{n}.pdf" for n in ("0006", "0011", "0017", "0022")]
PAGE_OCR_S = 1.18  # README "Speed": tesseract on one scanned page (notice_0001), measured on this machine
TARGET_SHARE = 0.10
AS_OF = dt.date(2026, 5, 1)


def _documents(folder: Path, count: int, arm: str) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for index in range(count):
        path = folder / f"{arm}-{index:03d}.pdf"
        source = BORN_DIGITAL[index % len(BORN_DIGITAL)]
        path.write_bytes(source.read_bytes() + f"\n%{arm}-{index}\n".encode())
        paths.append(path)
    return paths


def _timed(paths: list[Path], run: Callable[[Path], object]) -> list[float]:
    seconds = []
    for path in paths:
        start = time.perf_counter()
        run(path)
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20)
    count = parser.parse_args().documents
    logging.disable(logging.INFO)  # Prefect's per-run console lines would dominate the output
    with tempfile.TemporaryDirectory(prefix="noticeflow-orch-") as scratch:
        os.environ["NOTICEFLOW_HOME"] = str(Path(scratch) / "home")
        os.environ.pop("NOTICEFLOW_DB_URL", None)
        os.environ.pop("PREFECT_API_URL", None)
        _measure(Path(scratch), count)


def _measure(scratch: Path, count: int) -> None:
    from flows.commands import open_configured_store
    from flows.orchestration import prefect_api, run_document
    from pipeline.ingest import Incoming, ingest
    from pipeline.models import Channel, Status
    from pipeline.process import PipelineContext
    from pipeline.settings import Settings

    settings = Settings()
    context = PipelineContext.default(AS_OF, settings)
    store = open_configured_store(settings)

    def in_process(path: Path) -> None:
        assert ingest(Incoming(path, path.name, Channel.WATCH), context, store).status is not Status.FAILED

    def as_flow(path: Path) -> None:
        result = run_document(Incoming(path, path.name, Channel.WATCH), context, store)
        assert result.status is not Status.FAILED

    local = _timed(_documents(scratch / "in-process", count, "local"), in_process)
    with prefect_api(settings, "benchmark") as api:
        first, *flows = _timed(_documents(scratch / "flows", count + 1, "flow"), as_flow)
    _report(api.ready_s, first, local, flows)


def _report(ready_s: float, first: float, local: list[float], flows: list[float]) -> None:
    overhead = statistics.median(flows) - statistics.median(local)
    print(f"Prefect server start (prefect server start, fresh database): {ready_s:.1f} s")
    print(f"first flow run: {first * 1000:.0f} ms")
    for name, seconds in (("in-process", local), ("flow run", flows)):
        print(f"{name:>10}: median {statistics.median(seconds) * 1000:6.0f} ms, "
              f"mean {statistics.mean(seconds) * 1000:6.0f} ms a document ({len(seconds)} docs)")  # fmt: skip
    share = overhead / PAGE_OCR_S
    verdict = "within" if share < TARGET_SHARE else "over"
    print(f"overhead: {overhead * 1000:.0f} ms a document = {share:.1%} of one page's OCR "
          f"({PAGE_OCR_S} s), {verdict} the {TARGET_SHARE:.0%} target")  # fmt: skip


if __name__ == "__main__":
    main()
