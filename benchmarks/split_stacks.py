"""Splitting benchmark: generate stacks of notices scanned as one PDF (``fixtures.generator.stack``), read
each through ``pipeline.process.process_document``, and print how well the stacks were cut into notices.

    .venv/bin/python benchmarks/split_stacks.py --family irs --count 20 --seed 7 --out DIR --reuse-ocr
    .venv/bin/python benchmarks/split_stacks.py --kind pdf_text --count 20      # text layers: no OCR, fast
    .venv/bin/python benchmarks/split_stacks.py --family office --captures desk --count 4 --out DIR

A stack's result is cut into notices by its ``children``, each with its ``page_range`` (first, last); a
result without children (no splitter yet, or one notice found) is one notice over all its pages, a failed
result none. A notice is cut right when some cut has exactly its page range. Prints:
- stacks split exactly right (every range right, no extra or missing notice);
- notices whose page range is right;
- per-field accuracy of the core fields over every notice (``accuracy.compare``; a notice cut wrong has
  every field wrong), and over the notices cut right;
- the share ``processed`` among notices; wrong and omitted values in processed notices cut right
  (``accuracy.untrusted_values``), and processed cuts that are no notice of the stack (each one wrong);
- split cost: the sum of ``timings["split"]`` over the sum of OCR time (``timings`` keys ``ocr`` and
  ``ocr_reread``), per stack from the run that did the OCR;
- with ``--truth-cut``, the fields and processed share when each notice's pages (the truth's range) are
  analysed as a document of their own: what a perfect splitter reaches with today's OCR and extraction.

``--out DIR`` keeps the stacks (a DIR with ``stacks.jsonl`` is read again, not regenerated); with
``--reuse-ocr`` every tesseract call's answer is kept in ``DIR/ocr/`` by the hash of the page image it read,
so a second run with another splitter reads no page again (the OCR of a page does not depend on the cut).
Exits 1 when a processed notice holds a wrong or omitted value or is no notice of the stack.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.accuracy import AS_OF, Tally, compare, untrusted_values  # noqa: E402
from fixtures.generator.corpus import FAMILIES  # noqa: E402
from fixtures.generator.stack import STACK_CAPTURES, STACK_KINDS, generate_stacks  # noqa: E402
from pipeline.errors import NoticeflowError  # noqa: E402
from pipeline.fields import CORE_FIELDS  # noqa: E402
from pipeline.load import load_document  # noqa: E402
from pipeline.models import NoticeResult, OcrDocument, OcrWord, Status  # noqa: E402
from pipeline.ocr import OcrEngine  # noqa: E402
from pipeline.process import (  # noqa: E402
    PipelineContext,
    analyze_document,
    mask_document,
    process_document,
    read_pages,
)
from pipeline.settings import Settings  # noqa: E402

OCR_STAGES = ("ocr", "ocr_reread")  # the pipeline's timings of tesseract's work on a page
SPLIT_STAGE = "split"
_WORDS = TypeAdapter(list[OcrWord])


class CachedOcrEngine:
    """An ``OcrEngine`` that answers from ``folder`` what it was asked before (by the image file's hash)
    and asks ``engine`` the rest, keeping the answer. Counts the questions it could not answer."""

    def __init__(self, engine: OcrEngine, folder: Path) -> None:
        self.name = engine.name
        self._engine = engine
        self._folder = folder
        self._lock = threading.Lock()
        self.misses = 0
        folder.mkdir(parents=True, exist_ok=True)

    def recognize(self, image_path: Path) -> list[OcrWord]:
        kept = self._kept("words", image_path)
        if kept.exists():
            return _WORDS.validate_json(kept.read_bytes())
        words = self._engine.recognize(image_path)
        self._keep(kept, _WORDS.dump_json(words))
        return words

    def recognize_line(self, image_path: Path) -> list[OcrWord]:
        kept = self._kept("line", image_path)
        if kept.exists():
            return _WORDS.validate_json(kept.read_bytes())
        words = self._engine.recognize_line(image_path)
        self._keep(kept, _WORDS.dump_json(words))
        return words

    def detect_rotation(self, image_path: Path) -> int:
        kept = self._kept("rotation", image_path)
        if kept.exists():
            return int(kept.read_text())
        rotation = self._engine.detect_rotation(image_path)
        self._keep(kept, str(rotation).encode())
        return rotation

    def _kept(self, question: str, image_path: Path) -> Path:
        return self._folder / f"{hashlib.sha256(image_path.read_bytes()).hexdigest()}.{question}"

    def _keep(self, path: Path, answer: bytes) -> None:
        with self._lock:
            self.misses += 1
        partial = path.with_suffix(f".{threading.get_ident()}.part")
        partial.write_bytes(answer)
        partial.replace(path)  # a run stopped halfway leaves no half-written answer


@dataclass(frozen=True)
class Cut:
    """One notice as the pipeline cut it from a stack."""

    page_range: tuple[int, int]
    result: NoticeResult


def cuts_of(result: NoticeResult) -> list[Cut]:
    """The notices a stack's result holds: its children (each with its page range); a result without
    children is one notice over all its pages; a failed result holds none."""
    if result.status is Status.FAILED:
        return []
    children = getattr(result, "children", None) or ()
    if not children:
        return [Cut((1, result.pages), result)]
    return [Cut(_range(child.page_range), child) for child in children]


def _range(pages: list[int] | tuple[int, ...]) -> tuple[int, int]:
    first, last = pages
    return first, last


@dataclass
class Scores:
    """What the report prints, added up stack by stack."""

    stacks: Tally = field(default_factory=Tally)
    ranges: Tally = field(default_factory=Tally)
    fields_all: Tally = field(default_factory=Tally)  # every notice; a notice cut wrong has no field right
    fields_cut_right: Tally = field(default_factory=Tally)
    processed: Tally = field(default_factory=Tally)
    wrong: list[str] = field(default_factory=list)
    omitted: list[str] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)  # processed cuts that are no notice of the stack
    misses: list[str] = field(default_factory=list)  # stacks not split exactly right
    split_seconds: float = 0.0
    ocr_seconds: float = 0.0

    def add(self, truth: dict, result: NoticeResult, ocr_seconds: float) -> None:
        self.add_cuts(truth, cuts_of(result), result.status, result.timings.get(SPLIT_STAGE, 0.0))
        self.ocr_seconds += ocr_seconds

    def add_cuts(self, truth: dict, found: list[Cut], status: Status, split_seconds: float) -> None:
        cuts = {cut.page_range: cut for cut in found}
        expected = {_range(notice["page_range"]): notice for notice in truth["notices"]}
        exact = cuts.keys() == expected.keys()
        self.stacks.add("split exactly", exact)
        if not exact:
            self.misses.append(_miss_line(truth, status, list(cuts)))
        for page_range, notice in expected.items():
            cut = cuts.get(page_range)
            self.ranges.add("page ranges", cut is not None)
            self._score_notice(notice["truth"], cut)
        for page_range, cut in cuts.items():
            if page_range not in expected and cut.result.status is Status.PROCESSED:
                self.stray.append(f"  {truth['source']}: processed notice over pages {_pages(page_range)}")
        self.split_seconds += split_seconds

    def _score_notice(self, truth: dict, cut: Cut | None) -> None:
        scored = compare(cut.result, truth) if cut else dict.fromkeys(CORE_FIELDS, False)
        for tally in (self.fields_all, self.fields_cut_right) if cut else (self.fields_all,):
            for name, right in scored.items():
                tally.add(name, right)
                tally.add("core fields", right)
        is_processed = cut is not None and cut.result.status is Status.PROCESSED
        self.processed.add(f"{truth['kind']} {truth['degradation']}", is_processed)
        self.processed.add("all", is_processed)
        if cut is not None and is_processed:
            wrong, omitted = untrusted_values(cut.result, truth)
            self.wrong += wrong
            self.omitted += omitted


def _pages(page_range: tuple[int, int]) -> str:
    first, last = page_range
    return f"{first}-{last}"


def _miss_line(truth: dict, status: Status, cuts: list[tuple[int, int]]) -> str:
    expected = " ".join(_pages(_range(notice["page_range"])) for notice in truth["notices"])
    found = " ".join(_pages(page_range) for page_range in cuts) or f"none ({status.value})"
    blanks = ",".join(str(page) for page in truth["blank_pages"]) or "none"
    return f"  {truth['source']}: truth {expected} (blank {blanks}); cut {found}"


def print_report(scores: Scores, pages: int, seconds: float) -> None:
    print(f"\nstacks split exactly right: {scores.stacks.line('split exactly')}")
    print(f"notices' page ranges right: {scores.ranges.line('page ranges')}")
    for title, tally in (
        ("every notice (a notice cut wrong has none right)", scores.fields_all),
        ("the notices cut right", scores.fields_cut_right),
    ):
        print(f"\ncore fields over {title}:" + ("" if tally.total else " no notice"))
        for key in sorted(tally.total):
            print("  " + tally.line(key))
    print("\nprocessed share of notices by capture:")
    for key in sorted(scores.processed.total):
        print("  " + scores.processed.line(key))
    for title, lines in (
        ("wrong values in processed notices", scores.wrong),
        ("omitted values in processed notices", scores.omitted),
        ("processed notices that are no notice of the stack", scores.stray),
    ):
        print(f"{title}: {len(lines)}")
        _print_lines(lines[:40])
    share = f"{100 * scores.split_seconds / scores.ocr_seconds:.2f}%" if scores.ocr_seconds else "n/a"
    print(
        f"\nsplit cost: {scores.split_seconds:.2f} s split / {scores.ocr_seconds:.1f} s OCR = {share} "
        f"({1000 * scores.split_seconds / pages:.1f} ms a page; text-layer stacks OCR only their blank pages)"
    )
    print(f"read {pages} pages in {seconds:.1f} s wall")


def _print_lines(lines: list[str]) -> None:
    if lines:
        print("\n".join(lines))


def read_stacks(folder: Path, truths: list[dict], context: PipelineContext) -> Scores:
    scores = Scores()
    engine = context.engine
    for truth in truths:
        before = engine.misses if isinstance(engine, CachedOcrEngine) else 0
        result = process_document(folder / truth["source"], context, truth["source"])
        ocr_seconds = sum(result.timings.get(stage, 0.0) for stage in OCR_STAGES)
        if isinstance(engine, CachedOcrEngine):
            ocr_seconds = _recorded_ocr_seconds(folder, truth, ocr_seconds, fresh=engine.misses > before)
        scores.add(truth, result, ocr_seconds)
    return scores


def score_truth_cut(folder: Path, truths: list[dict], context: PipelineContext) -> Scores:
    """The scores with the truth's cut: each notice's pages analysed alone as a document of their own
    (numbered from 1), from the stack's OCR (kept by ``--reuse-ocr``). What a perfect splitter would reach
    with this OCR and extraction."""
    scores = Scores()
    for truth in truths:
        try:
            loaded = load_document(folder / truth["source"], context.settings.load_limits)
            read = read_pages(loaded, context, {})
        except NoticeflowError:
            scores.add_cuts(truth, [], Status.FAILED, 0.0)
            continue
        cuts = []
        for notice in truth["notices"]:
            first, last = _range(notice["page_range"])
            pages = read.pages[first - 1 : last]  # numbered from 1, as a document of its own is
            renumbered = [page.model_copy(update={"number": n}) for n, page in enumerate(pages, 1)]
            document, full_ssns = mask_document(OcrDocument(pages=tuple(renumbered)))
            result = analyze_document("", notice["truth"]["source"], document, context, {}, full_ssns)
            cuts.append(Cut((first, last), result))
        scores.add_cuts(truth, cuts, Status.NEEDS_REVIEW, 0.0)
    return scores


def print_truth_cut(scores: Scores) -> None:
    print("\nwith the truth's cut (each notice's pages analysed alone: what a perfect splitter reaches):")
    print("  " + scores.fields_all.line("core fields"))
    print(f"  processed notices {scores.processed.right['all']}/{scores.processed.total['all']}")
    print(f"  wrong {len(scores.wrong)}, omitted {len(scores.omitted)} values in processed notices")
    _print_lines(scores.wrong + scores.omitted)


def _recorded_ocr_seconds(folder: Path, truth: dict, measured: float, fresh: bool) -> float:
    """The OCR time of the run that read the stack's pages: ``measured`` when this run read any (and kept
    for later runs), else the time kept by the run that did."""
    kept = folder / "ocr" / f"{truth['source']}.ocr_seconds"
    if fresh or not kept.exists():
        kept.write_text(f"{measured}\n")
        return measured
    return float(kept.read_text())


def load_or_generate(folder: Path, args: argparse.Namespace) -> list[dict]:
    listing = folder / "stacks.jsonl"
    if listing.exists():
        print(
            f"reading the stacks already in {folder} (--family, --count, --seed, --kind, --captures not used)"
        )
    else:
        generate_stacks(folder, args.count, args.seed, args.family, args.kind, args.captures)
    return [json.loads(line) for line in listing.read_text().splitlines() if line.strip()]


def main() -> int:
    args = _parser().parse_args()
    with tempfile.TemporaryDirectory(prefix="noticeflow-stacks-") as scratch:
        folder = args.out or Path(scratch)
        truths = load_or_generate(folder, args)
        notices = Counter(len(truth["notices"]) for truth in truths)
        pages = sum(truth["pages"] for truth in truths)
        print(f"{len(truths)} stacks, {sum(k * n for k, n in notices.items())} notices, {pages} pages")
        context = _context(folder, args, max(truth["pages"] for truth in truths))
        started = time.perf_counter()
        scores = read_stacks(folder, truths, context)
        if scores.misses:
            print("\nstacks not split exactly right:")
            _print_lines(scores.misses)
        print_report(scores, pages, time.perf_counter() - started)
        if args.truth_cut:
            print_truth_cut(score_truth_cut(folder, truths, context))
        return 1 if scores.wrong or scores.omitted or scores.stray else 0


def _context(folder: Path, args: argparse.Namespace, most_pages: int) -> PipelineContext:
    overrides: dict = {"max_pages": max(Settings().max_pages, most_pages)}  # a stack may pass the limit
    if args.workers:
        overrides["workers"] = args.workers
    context = PipelineContext.default(AS_OF, Settings(**overrides))
    if not args.reuse_ocr:
        return context
    return dataclasses.replace(context, engine=CachedOcrEngine(context.engine, folder / "ocr"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--family", choices=FAMILIES, default="classic", help="layout family of the notices")
    parser.add_argument("--count", type=int, default=10, help="stacks to generate (default 10)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--kind", choices=STACK_KINDS, default="pdf_scan", help="image pages or a text layer")
    parser.add_argument(
        "--captures", choices=tuple(STACK_CAPTURES), default="default", help="capture model of the scans"
    )
    parser.add_argument("--out", type=Path, help="folder of the stacks (kept; read again when it has them)")
    parser.add_argument("--reuse-ocr", action="store_true", help="keep every page's OCR in OUT/ocr, reuse it")
    parser.add_argument(
        "--truth-cut",
        action="store_true",
        help="also score each notice's pages analysed alone (the ceiling of a splitter; with --reuse-ocr "
        "its pages are not read again)",
    )
    parser.add_argument("--workers", type=int, default=None)
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
