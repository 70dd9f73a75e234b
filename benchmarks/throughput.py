"""Throughput benchmark: noticeflow against bare tesseract, side by side in one run, on the same pages.

    .venv/bin/python benchmarks/throughput.py [--scans 40] [--multipage 10] [--born-digital 40] [--seed 31]

Generates fresh corpora (single-page scans; 4–8-page scanned notices as PDFs; born-digital PDFs; one
20-page scanned PDF of 20 notices joined with pdfunite; 500 born-digital PDFs for memory), then prints:
- the reference: bare single-thread ``tesseract`` run sequentially on every page image (pages/min);
- ``noticeflow ingest --json`` as a whole process, cold (pages/min, documents/s, ratio to the reference);
- time per stage summed over documents (from each result's ``timings``), peak memory (largest process);
- how many documents had a page read twice because it read poorly after cleaning (``ocr_reread`` in
  the result's timings; for single-page documents, pages read twice);
- field accuracy of the ingest results against the generator's truth, so a speed-up that costs accuracy
  shows at once;
- the cold single-document CLI call against tesseract on the same page, and Prefect's overhead
  (``--orchestrate`` against in-process on the same born-digital documents, 2 and 10 of them: start-up and
  per task).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE_FIELDS = ("notice_number", "tax_year", "ssn_last4", "amount_due", "deadline", "notice_date")
NOTICEFLOW = [str(ROOT / ".venv" / "bin" / "noticeflow")]


def generate(out: Path, count: int, seed: int, kinds: str, *options: str) -> list[dict]:
    command = [sys.executable, "-m", "fixtures.generator", "--out", str(out), "--count", str(count),
               "--seed", str(seed), "--kinds", kinds, *options]  # fmt: skip
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return [json.loads(line) for line in (out / "truth.jsonl").read_text().splitlines()]


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB of the largest process in its tree, stdout) of one whole process."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        _, _, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = 0  # reaped by wait4 above
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read()


def page_images(documents: list[Path], scratch: Path) -> list[Path]:
    """Every page as an image tesseract can read: PNG/TIFF pages as they are, PDF pages rendered (untimed)."""
    pages = []
    for document in documents:
        if document.suffix == ".pdf":
            prefix = scratch / document.stem
            subprocess.run(["pdftoppm", "-gray", "-r", "300", str(document), str(prefix)], check=True)
            pages += sorted(scratch.glob(f"{document.stem}-*.pgm"))
        else:
            pages.append(document)
    return pages


def reference_seconds(pages: list[Path], scratch: Path) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    start = time.perf_counter()
    for page in pages:
        subprocess.run(
            ["tesseract", str(page), str(scratch / "ref")], env=env, capture_output=True, check=True
        )
    return time.perf_counter() - start


def ingest(documents: list[Path], home: Path, *extra: str) -> tuple[float, float, list[dict]]:
    env = {**os.environ, "NOTICEFLOW_HOME": str(home)}
    env.pop("NOTICEFLOW_DB_URL", None)
    wall, peak, out = timed([*NOTICEFLOW, "ingest", "--json", "--as-of", "2027-06-01", *extra,
                             *map(str, documents)], env)  # fmt: skip
    return wall, peak, [json.loads(line) for line in out.splitlines()]


def accuracy(results: list[dict], truths: dict[str, dict]) -> str:
    right = total = wrong_processed = 0
    for result in results:
        truth = truths.get(Path(result["source"]).name)
        if truth is None:
            continue
        for name in CORE_FIELDS:
            ok = result["fields"].get(name, {}).get("value") == truth["fields"][name]
            right, total = right + ok, total + 1
            wrong_processed += (not ok) and result["status"] == "processed"
    share = 100 * right / max(total, 1)
    return f"{right}/{total} fields right ({share:.2f}%), {wrong_processed} wrong in processed"


def stage_totals(results: list[dict]) -> str:
    totals: Counter[str] = Counter()
    for result in results:
        totals.update(result.get("timings", {}))
    return ", ".join(
        f"{stage} {seconds:.1f}s" for stage, seconds in sorted(totals.items(), key=lambda kv: -kv[1])
    )


def rereads(results: list[dict]) -> str:
    """Documents with a page read a second time, as loaded, because it read poorly after cleaning."""
    seconds = [r["timings"]["ocr_reread"] for r in results if "ocr_reread" in r.get("timings", {})]
    return f"{len(seconds)} of {len(results)} documents, {sum(seconds):.1f} s"


def report(title: str, documents: list[Path], results: list[dict], wall: float, peak: float,
           truths: dict[str, dict], reference: float | None = None) -> None:  # fmt: skip
    pages = sum(r["pages"] for r in results)
    print(f"\n== {title}: {len(documents)} documents, {pages} pages")
    if reference is not None:
        print(
            f"  reference tesseract (1 thread, sequential): {60 * pages / reference:.1f} pages/min "
            f"({reference:.1f} s)"
        )
    print(f"  noticeflow ingest: {60 * pages / wall:.1f} pages/min, {len(documents) / wall:.2f} documents/s "
          f"({wall:.1f} s wall, whole process, cold)")  # fmt: skip
    if reference is not None:
        print(f"  ratio noticeflow / reference: {reference / wall:.2f}x")
    print(f"  statuses: {dict(Counter(r['status'] for r in results))}; peak memory {peak:.0f} MB")
    print(f"  stage time, summed over documents: {stage_totals(results)}")
    print(f"  read twice (poor after cleaning, read again as loaded): {rereads(results)}")
    print(f"  accuracy: {accuracy(results, truths)}")


def join_pdfs(sources: list[Path], target: Path) -> Path:
    subprocess.run(["pdfunite", *map(str, sources), str(target)], check=True)
    return target


def run_scans(count: int, seed: int, scratch: Path) -> None:
    corpus = scratch / "scans"
    truths = generate(corpus, count, seed, "scan", "--pages", "1")
    documents = [corpus / t["source"] for t in truths]
    reference = reference_seconds(page_images(documents, scratch / "ref-scans"), scratch)
    wall, peak, results = ingest(documents, scratch / "home-scans")
    report("single-page scans", documents, results, wall, peak, {t["source"]: t for t in truths}, reference)


def run_multipage(count: int, seed: int, scratch: Path) -> None:
    corpus = scratch / "pdfscan"
    truths = generate(corpus, count, seed + 1, "pdf_scan", "--pages", "4-8")
    documents = [corpus / t["source"] for t in truths]
    (scratch / "ref-multi").mkdir()
    reference = reference_seconds(page_images(documents, scratch / "ref-multi"), scratch)
    wall, peak, results = ingest(documents, scratch / "home-multi")
    truth_by_name = {t["source"]: t for t in truths}
    report("multi-page scanned PDFs", documents, results, wall, peak, truth_by_name, reference)


def run_long_pdf(seed: int, scratch: Path) -> None:
    corpus = scratch / "long-parts"
    parts = [corpus / t["source"] for t in generate(corpus, 20, seed + 4, "pdf_scan")]
    long_pdf = join_pdfs(parts, scratch / "long.pdf")
    _trim_to(long_pdf, 20)
    wall, peak, results = ingest([long_pdf], scratch / "home-long")
    print(
        f"\n== one {results[0]['pages']}-page scanned PDF: {wall:.1f} s, peak memory {peak:.0f} MB, "
        f"status {results[0]['status']}"
    )


def _trim_to(path: Path, pages: int) -> None:
    trimmed = path.with_name("trimmed.pdf")
    subprocess.run(
        ["qpdf", "--warning-exit-0", str(path), "--pages", ".", f"1-{pages}", "--", str(trimmed)], check=True
    )
    trimmed.replace(path)


def run_born_digital(count: int, seed: int, scratch: Path) -> None:
    corpus = scratch / "text"
    truths = generate(corpus, count, seed + 2, "pdf_text")
    documents = [corpus / t["source"] for t in truths]
    wall, peak, results = ingest(documents, scratch / "home-text")
    report("born-digital PDFs", documents, results, wall, peak, {t["source"]: t for t in truths})
    run_prefect_overhead(documents, scratch)


def run_prefect_overhead(documents: list[Path], scratch: Path) -> None:
    """``--orchestrate`` against in-process on 2 and on 10 documents, each in a fresh home: what the larger
    batch costs more is the per-task cost (a document's flow run and its tasks); the rest is start-up."""
    extra: dict[int, tuple[float, int]] = {}
    for size in (2, 10):
        flow_wall, _, flow_results = ingest(documents[:size], scratch / f"home-flow-{size}", "--orchestrate")
        plain_wall, _, _ = ingest(documents[:size], scratch / f"home-plain-{size}")
        tasks = sum(3 + r["pages"] for r in flow_results)  # load, analyze, store, and a task per page read
        extra[size] = (flow_wall - plain_wall, tasks)
        print(f"  {size} documents as Prefect flows: {flow_wall:.1f} s against {plain_wall:.1f} s in-process "
              f"({tasks} tasks)")  # fmt: skip
    per_task = (extra[10][0] - extra[2][0]) / (extra[10][1] - extra[2][1])
    print(f"  Prefect's own cost: start-up {extra[2][0] - per_task * extra[2][1]:.1f} s, then "
          f"{1000 * per_task:.0f} ms a task")  # fmt: skip


def run_memory(seed: int, scratch: Path) -> None:
    corpus = scratch / "many"
    truths = generate(corpus, 500, seed + 3, "pdf_text")
    documents = [corpus / t["source"] for t in truths]
    for size in (100, 500):
        wall, peak, _ = ingest(documents[:size], scratch / f"home-many-{size}")
        print(f"\n== {size} born-digital documents in one batch: {wall:.1f} s, peak memory {peak:.0f} MB")


def run_cold_single(scratch: Path) -> None:
    page = ROOT / "fixtures" / "samples" / "notice_0021.png"
    reference = reference_seconds([page], scratch)
    wall, _, _ = ingest([page], scratch / "home-single")
    print(f"\n== one scan from the CLI, cold: {wall:.2f} s; tesseract on its page: {reference:.2f} s; "
          f"overhead {wall - reference:.2f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scans", type=int, default=40)
    parser.add_argument("--multipage", type=int, default=10)
    parser.add_argument("--born-digital", type=int, default=40)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--skip", default="", help="comma list of: single,scans,multipage,long,text,memory")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    print(f"machine: {os.cpu_count()} cores; tesseract {shutil.which('tesseract')}")
    with tempfile.TemporaryDirectory(prefix="noticeflow-throughput-") as scratch_name:
        scratch = Path(scratch_name)
        for name, run in (("single", lambda: run_cold_single(scratch)),
                          ("scans", lambda: run_scans(args.scans, args.seed, scratch)),
                          ("multipage", lambda: run_multipage(args.multipage, args.seed, scratch)),
                          ("long", lambda: run_long_pdf(args.seed, scratch)),
                          ("text", lambda: run_born_digital(args.born_digital, args.seed, scratch)),
                          ("memory", lambda: run_memory(args.seed, scratch))):  # fmt: skip
            if name not in skip:
                run()


if __name__ == "__main__":
    main()
