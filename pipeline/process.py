"""One document from file to ``NoticeResult``, as plain function calls (no orchestration).

``process_document(path, context) -> NoticeResult`` loads the file, reads every page (text layer as is;
image pages rendered, cleaned and OCR'd in parallel, one tesseract per worker), masks full SSNs, then
``analyze_document`` classifies, extracts, matches the taxpayer profile, validates, checks for scams and
triages. A document that holds several notices (a scanned stack, ``pipeline.split``) is analysed notice by
notice (``analyze_stack``): its result is the parent of one result per notice (``children``).
``process_batch`` overlaps documents so every core stays busy (in forked processes, from the CLI).
A ``DocumentError`` or ``InfrastructureError`` becomes a ``failed`` result with the error's code; nothing is
raised for a bad document. Prefect flows and the API call these same functions.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import multiprocessing.synchronize
import multiprocessing.util
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from extractors.ssn import count_full_ssns, mask_full_ssns
from pipeline.archive import KeptPages, keep_pages, kept_pages
from pipeline.catalog import Catalog, load_catalog
from pipeline.decide import decide
from pipeline.errors import (
    DocumentNotFound,
    InternalError,
    NoticeflowError,
    StoreUnavailable,
    WorkerStopped,
)
from pipeline.extract import classify_notice, extract_fields, to_text_lines
from pipeline.load import LoadedDocument, PageRef, hash_file, load_document, render_page
from pipeline.lost_rows import read_lost_rows
from pipeline.models import ErrorInfo, NoticeResult, OcrDocument, OcrLine, OcrPage, Segment, SplitPlan, Status
from pipeline.ocr import OcrEngine, ocr_page, reads_well, reread_original
from pipeline.preprocess import preprocess_page
from pipeline.profiles import TaxpayerProfile, match_profile
from pipeline.scam import add_full_ssn_signal, check_scam
from pipeline.settings import Settings
from pipeline.split import child_id, doubts, plan_from_cuts, plan_split, segment_documents
from pipeline.ssn_reread import reread_masked_ssns
from pipeline.tesseract import TesseractEngine
from pipeline.triage import triage
from pipeline.untangle import untangle_rows
from pipeline.validate import validate_against_profile
from pipeline.value_reread import reread_label_values

# Page slots: ``threading``'s semaphore within one process, ``multiprocessing``'s across forked ones.
PageSlots = threading.Semaphore | multiprocessing.synchronize.Semaphore

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PipelineContext:
    """What every document shares in one run: settings, the OCR engine, the catalog, the date of 'today'."""

    settings: Settings
    engine: OcrEngine
    catalog: Catalog
    as_of: dt.date
    profiles: tuple[TaxpayerProfile, ...]
    # At most one page per core is rendered, cleaned and OCR'd at a time, however documents and pages are
    # spread over threads: more tesseracts than cores only makes each slower.
    page_slots: PageSlots

    @classmethod
    def default(
        cls, as_of: dt.date, settings: Settings | None = None, profiles: tuple[TaxpayerProfile, ...] = ()
    ) -> PipelineContext:
        settings = settings or Settings()
        return cls(
            settings=settings,
            engine=TesseractEngine(),
            catalog=load_catalog(),
            as_of=as_of,
            profiles=profiles,
            page_slots=threading.BoundedSemaphore(settings.workers),
        )


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = round(timings.get(stage, 0.0) + time.perf_counter() - start, 4)


def read_page(ref: PageRef, context: PipelineContext, workdir: Path) -> tuple[OcrPage, dict[str, float]]:
    """Render, clean and OCR one image page; its stage timings beside it. A page that reads poorly after
    cleaning is read once more as it was loaded, and the better reading kept (``ocr_reread`` timed); print
    the page layout dropped is read run by run (``pipeline.lost_rows``, ``ocr_lost_rows`` timed); rows read
    twice in overlapping pieces are read again as a block (``pipeline.untangle``, ``ocr_untangle`` timed); a
    masked SSN OCR garbled is read again from its crop (``pipeline.ssn_reread``, ``ocr_ssn`` timed), and so
    is a notice date or tax year beside its label (``pipeline.value_reread``, ``ocr_value`` timed)."""
    timings: dict[str, float] = {}
    with context.page_slots:
        with _timed(timings, "render"):
            image = render_page(ref, context.settings.load_limits)
        with _timed(timings, "clean"):
            cleaned = preprocess_page(image, context.settings.clean_config)
        with _timed(timings, "ocr"):
            read = ocr_page(cleaned, context.engine, workdir, context.settings.ocr_dpi)
        if not reads_well(read.page):
            with _timed(timings, "ocr_reread"):
                read = reread_original(read, image, context.engine, workdir, context.settings.ocr_dpi)
        with _timed(timings, "ocr_lost_rows"):
            page = read_lost_rows(read.page, read.image, context.engine, workdir)
        with _timed(timings, "ocr_untangle"):
            page = untangle_rows(page, read.image, context.engine, workdir)
        with _timed(timings, "ocr_ssn"):
            page = reread_masked_ssns(
                page, read.image, context.engine, workdir, context.settings.min_confidence
            )
        with _timed(timings, "ocr_value"):
            page = reread_label_values(
                page, read.image, context.engine, workdir, context.settings.min_confidence
            )
    return page, timings


# How a document's image pages are read: (page refs, scratch folder) -> each page and its stage timings,
# in order. Threads here (``_read_in_threads``); Prefect's mapped tasks in flows.ingest.
PageReader = Callable[[list[PageRef], Path], list[tuple[OcrPage, dict[str, float]]]]


def read_pages(
    loaded: LoadedDocument,
    context: PipelineContext,
    timings: dict[str, float],
    read_images: PageReader | None = None,
) -> OcrDocument:
    """Every page as text, image pages in parallel (one per page slot); ``mask_document`` comes next."""
    refs = [page for page in loaded.pages if isinstance(page, PageRef)]
    read_images = read_images or (lambda refs, workdir: _read_in_threads(refs, context, workdir))
    with tempfile.TemporaryDirectory(prefix="noticeflow-") as workdir:
        read = read_images(refs, Path(workdir)) if refs else []
    for _, page_timings in read:
        for stage, seconds in page_timings.items():
            timings[stage] = round(timings.get(stage, 0.0) + seconds, 4)
    text_pages = [page for page in loaded.pages if isinstance(page, OcrPage)]
    ordered = sorted([*(page for page, _ in read), *text_pages], key=lambda page: page.number)
    return OcrDocument(pages=tuple(ordered))


def _read_in_threads(
    refs: list[PageRef], context: PipelineContext, workdir: Path
) -> list[tuple[OcrPage, dict[str, float]]]:
    with ThreadPoolExecutor(max_workers=max(1, min(context.settings.workers, len(refs)))) as pool:
        return list(pool.map(lambda ref: read_page(ref, context, workdir), refs))


def mask_document(document: OcrDocument) -> tuple[OcrDocument, int]:
    """The document with every full SSN (and EIN) cut to its last four, and how many full SSNs there were
    (the scam check's signal)."""
    full = count_full_ssns(document.text)
    pages = tuple(
        page.model_copy(update={"lines": tuple(_masked_line(line) for line in page.lines)})
        for page in document.pages
    )
    return OcrDocument(pages=pages), full


def _masked_line(line: OcrLine) -> OcrLine:
    """The line as read when it holds no full SSN; else its masked text, without the words (a spaced SSN's
    digits would stay in them)."""
    masked = mask_full_ssns(line.text)
    if masked == line.text:
        return line
    return OcrLine(text=masked, bbox=line.bbox, confidence=line.confidence)


def full_ssns_by_page(document: OcrDocument) -> dict[int, int]:
    """How many full SSNs each page printed (before ``mask_document``), for each notice's scam check."""
    return {page.number: count_full_ssns(page.text) for page in document.pages}


def read_notices(
    document_id: str, source: str, document: OcrDocument, context: PipelineContext, timings: dict[str, float]
) -> NoticeResult:
    """From the pages as read (unmasked) to a result: masked, split, and each notice analysed. The pages of
    a document of several pages are kept beside its original, masked (``archive.keep_pages``), so that a
    person can move a boundary between its notices without a second OCR (``rederive``)."""
    masked, _ = mask_document(document)
    full_ssns = full_ssns_by_page(document)
    if len(document.pages) > 1:
        keep_pages(document_id, KeptPages(document=masked, full_ssns=full_ssns), context.settings.home)
    return analyze_stack(document_id, source, masked, full_ssns, context, timings)


def rederive(document_id: str, source: str, starts: list[int], context: PipelineContext) -> NoticeResult:
    """The document cut where a person says each notice starts (``starts``: first pages, 1-based), its
    notices analysed again from the kept pages (no OCR); ``DocumentNotFound`` when no pages were kept."""
    kept = kept_pages(document_id, context.settings.home)
    if kept is None:
        raise DocumentNotFound(
            f"the pages of {document_id[:12]} were not kept: its notices cannot be cut anew"
        )
    plan = plan_from_cuts(kept.document, starts)
    return analyze_stack(document_id, source, kept.document, kept.full_ssns, context, {}, plan)


def analyze_stack(
    document_id: str,
    source: str,
    document: OcrDocument,
    full_ssns: dict[int, int],
    context: PipelineContext,
    timings: dict[str, float],
    plan: SplitPlan | None = None,
) -> NoticeResult:
    """One notice: ``analyze_document``'s result, as before. Several (``plan_split``, or the ``plan`` a
    person chose): the parent result, whose ``children`` are each notice's result in page order."""
    with _timed(timings, "split"):
        plan = plan or plan_split(document)
    if len(plan.segments) < 2:
        return analyze_document(document_id, source, document, context, timings, sum(full_ssns.values()))
    children = tuple(
        _analyze_notice(document_id, source, segment, pages, plan, full_ssns, context)
        for segment, pages in zip(plan.segments, segment_documents(document, plan), strict=True)
    )
    return stack_result(document_id, source, len(document.pages), plan, children, timings)


def stack_result(
    document_id: str,
    source: str,
    pages: int,
    plan: SplitPlan,
    children: tuple[NoticeResult, ...],
    timings: dict[str, float] | None = None,
) -> NoticeResult:
    """The result of a stack: its notices, and review while a boundary is doubted or a notice needs it."""
    needing_review = [
        f"pages {child.page_range[0]}-{child.page_range[1]} need review"
        for child in children
        if child.page_range and child.status is not Status.PROCESSED
    ]
    reasons = (*doubts(plan), *needing_review)
    return NoticeResult(
        document_id=document_id,
        source=source,
        status=Status.NEEDS_REVIEW if reasons else Status.PROCESSED,
        review_reasons=reasons,
        pages=pages,
        timings=timings or {},
        children=children,
        split=plan,
    )


def _analyze_notice(
    parent_id: str,
    source: str,
    segment: Segment,
    pages: OcrDocument,
    plan: SplitPlan,
    full_ssns: dict[int, int],
    context: PipelineContext,
) -> NoticeResult:
    """One notice of a stack, with the doubts about its own boundaries as findings (a review reason that a
    correction of a field does not clear; an accept does)."""
    printed = sum(full_ssns.get(page.number, 0) for page in pages.pages)
    result = analyze_document(child_id(parent_id, segment), source, pages, context, {}, printed)
    own = tuple(
        reason for cut, reason in zip([c for c in plan.cuts if not c.is_certain], doubts(plan), strict=True)
        if cut.page in (segment.first, _next_page(segment, plan))
    )  # fmt: skip
    result = result.model_copy(
        update={"page_range": (segment.first, segment.last), "parent_id": parent_id,
                "findings": (*result.findings, *own)}
    )  # fmt: skip
    notice = (
        context.catalog.get(result.notice_type.code)
        if result.notice_type and result.notice_type.code
        else None
    )
    return decide(result, notice, context.settings.min_confidence) if own else result


def _next_page(segment: Segment, plan: SplitPlan) -> int:
    """The first page of the notice after ``segment`` (or past the end): a doubt there is about its end."""
    later = [other.first for other in plan.segments if other.first > segment.first]
    return min(later, default=segment.last + 1)


def analyze_document(
    document_id: str,
    source: str,
    document: OcrDocument,
    context: PipelineContext,
    timings: dict[str, float],
    full_ssns: int = 0,
) -> NoticeResult:
    """From page text to a result: classify, extract, match the profile, validate, scam-check, triage, and
    decide the status. ``full_ssns`` is how many unmasked SSNs the page text printed before masking."""
    with _timed(timings, "extract"):
        lines = to_text_lines(document)
        classification = classify_notice(lines, context.catalog)
        match, notice, _ = classification
        extraction = extract_fields(lines, classification)
    with _timed(timings, "validate"):
        matched = match_profile(extraction.fields, context.profiles) if context.profiles else None
        profile = matched.profile if matched else None
        validation = validate_against_profile(
            extraction.fields, extraction.billing_lines, notice, profile, context.as_of, extraction.periods
        )
    with _timed(timings, "triage"):
        # The document, not its text: OCR confidence decides whether a payee, agency or phone is evidence.
        scam = check_scam(document, extraction.fields, notice, context.catalog, profile)
        scam = add_full_ssn_signal(scam, full_ssns)
        triaged = triage(notice, extraction.fields, validation, scam, context.as_of, extraction.billing_lines)
    undecided = NoticeResult(
        document_id=document_id,
        source=source,
        status=Status.NEEDS_REVIEW,
        pages=len(document.pages),
        notice_type=match,
        fields=extraction.fields,
        billing_lines=extraction.billing_lines,
        profile_id=profile.id if profile else None,
        validation=validation,
        triage=triaged,
        scam=scam,
        timings=timings,
        findings=extraction.findings,
        profile_mismatch=matched.reason if matched and profile is None else None,
        periods=extraction.periods,
        revised=extraction.revised,
    )
    return decide(undecided, notice, context.settings.min_confidence)


def document_label(path: Path) -> str:
    """How logs name a document: its id's first 12 characters (a file name may hold PII)."""
    try:
        return f"document {hash_file(path)[:12]}"
    except OSError:
        return "an unreadable document"


def failed_result(path: Path, source: str, error: NoticeflowError, timings: dict[str, float]) -> NoticeResult:
    try:
        document_id = hash_file(path)
    except OSError:
        document_id = ""
    return NoticeResult(
        document_id=document_id,
        source=source,
        status=Status.FAILED,
        error=ErrorInfo(code=error.code, message=error.message, retryable=error.retryable),
        timings=timings,
    )


def process_document(path: Path, context: PipelineContext, source: str | None = None) -> NoticeResult:
    source = source or str(path)
    timings: dict[str, float] = {}
    try:
        with _timed(timings, "load"):
            loaded = load_document(path, context.settings.load_limits)
        document = read_pages(loaded, context, timings)
        return read_notices(loaded.document_id, source, document, context, timings)
    except NoticeflowError as error:
        return failed_result(path, source, error, timings)


@contextmanager
def process_batch(paths: Iterable[Path], context: PipelineContext) -> Iterator[Iterator[NoticeResult]]:
    """Start every document on entry; the iterator gives the results in input order as it is read. On exit
    documents not yet started are cancelled (a reader that stops early leaves nothing running behind it).
    An unexpected exception in one document (a bug) becomes its ``internal_error`` failed result, logged
    with its traceback; the other documents go on.

    From a process with no other thread (the CLI), documents run in ``workers`` forked processes: reading
    text layers, cleaning pages, extracting and scam-checking are Python work that one process's GIL would
    run one at a time. The forked processes inherit the imported code and ``context``, and share one
    cross-process page semaphore, so there are still at most ``workers`` pages in OCR at once, and one
    long document still spreads its pages over every core. Elsewhere (threads already running, where a
    fork would copy locks held by them; or no ``fork``), documents run in threads instead."""
    paths = list(paths)
    workers = max(1, min(context.settings.workers, len(paths)))
    if workers < 2 or threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            yield pool.map(lambda path: guarded(process_document, path, context), paths)
        finally:
            pool.shutdown(cancel_futures=True)
    else:
        batch = _ForkedBatch(paths, context, workers)
        try:
            yield batch.results()
        finally:
            batch.shutdown()


# How a document is read: ``process_document`` here, a Prefect flow run elsewhere (path, context, source).
Reader = Callable[[Path, PipelineContext, str | None], NoticeResult]


def guarded(read: Reader, path: Path, context: PipelineContext, source: str | None = None) -> NoticeResult:
    """``read``'s result; a noticeflow error it raises is this document's failed result with that error's
    code, and a bug met on the way (any other exception) its final ``internal_error`` result, logged with
    its traceback: the other documents go on. ``StoreUnavailable`` (a reader that stores, such as a Prefect
    flow run of the whole ingest service) is not the document's fault: it is raised for the caller to bound.
    """
    try:
        return read(path, context, source)
    except StoreUnavailable:
        raise
    except NoticeflowError as error:
        return failed_result(path, source or str(path), error, {})
    except Exception as exc:  # noqa: BLE001 (a bug in one document's reading must not end the caller)
        _log.exception("unexpected error reading %s", document_label(path))
        bug = InternalError(f"unexpected {type(exc).__name__}; logged")
        return failed_result(path, source or str(path), bug, {})


class _ForkedBatch:
    """Documents in forked worker processes, results in input order. A worker that dies (killed, out of
    memory, a crash in a native library) takes its whole pool down (``concurrent.futures`` ends every
    worker then). Results that arrived are kept; each document that was in progress is read again alone,
    in a pool of its own, and gets a ``worker_stopped`` failed result only if it stops that worker too; the
    documents not yet started go on in a new pool. A crash costs one document, never the batch."""

    def __init__(self, paths: list[Path], context: PipelineContext, workers: int) -> None:
        self._fork = multiprocessing.get_context("fork")
        self._paths = paths
        self._workers = workers
        self._context = context
        self._started = self._fork.Array("b", len(paths), lock=False)  # set by a worker taking a document
        # The workers' temporary files go under one folder, removed at the end: a killed worker's too.
        self._scratch = Path(tempfile.mkdtemp(prefix="noticeflow-batch-"))
        self._pool: Executor | None = None
        self._futures = self._start(list(range(len(paths))), workers)

    def results(self) -> Iterator[NoticeResult]:
        for index in range(len(self._paths)):
            while True:
                try:
                    result = self._futures[index].result()
                    break
                except BrokenProcessPool:
                    self._recover()
            del self._futures[index]  # memory stays flat however long the batch
            yield result

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _start(self, indices: list[int], workers: int) -> dict[int, Future[NoticeResult]]:
        """Fork ``workers`` processes and hand them ``indices``; they inherit ``_forked_batch``, with page
        slots of their own (a worker that died holding a slot never gave it back)."""
        global _forked_batch
        page_slots = self._fork.BoundedSemaphore(self._context.settings.workers)
        context = replace(self._context, page_slots=page_slots)
        _forked_batch = _ForkedWork(context, self._started, self._scratch)
        sys.stdout.flush()  # a forked process flushes what it inherited when it ends: nothing may be pending
        sys.stderr.flush()
        try:
            self._pool = ProcessPoolExecutor(workers, mp_context=self._fork, initializer=_start_forked_worker)
            return {i: self._pool.submit(_process_in_forked_worker, i, self._paths[i]) for i in indices}
        finally:
            _forked_batch = None  # every worker was forked by the first submit

    def _recover(self) -> None:
        self._close_pool()
        broken = [i for i, future in self._futures.items() if _broke(future)]
        in_progress = [i for i in broken if self._started[i]] or broken[:1]  # always one step forward
        rest = [i for i in broken if i not in in_progress]
        if threading.active_count() > 1:  # the reader has started threads: a fork now could copy their locks
            self._continue_in_threads(in_progress, rest)
            return
        for index in in_progress:
            self._futures[index] = self._read_alone(index)
        if rest:
            self._futures.update(self._start(rest, min(self._workers, len(rest))))

    def _continue_in_threads(self, in_progress: list[int], rest: list[int]) -> None:
        """Without forking again: the documents in progress get ``worker_stopped`` (one of them stopped the
        worker, and read again in this process it could end it), the rest run in threads."""
        for index in in_progress:
            self._futures[index] = _resolved(self._stopped(index))
        self._pool = ThreadPoolExecutor(self._workers)
        for index in rest:
            self._futures[index] = self._pool.submit(
                guarded, process_document, self._paths[index], self._context
            )

    def _read_alone(self, index: int) -> Future[NoticeResult]:
        future = self._start([index], 1)[index]
        try:
            future.result()
        except BrokenProcessPool:
            future = _resolved(self._stopped(index))
        self._close_pool()
        return future

    def _close_pool(self) -> None:
        """Wait for the pool to end, its manager thread included: the next forks copy no lock it held."""
        assert self._pool is not None
        self._pool.shutdown(wait=True)
        self._pool = None

    def _stopped(self, index: int) -> NoticeResult:
        stopped = WorkerStopped("the process reading this document stopped (killed or crashed)")
        return failed_result(self._paths[index], str(self._paths[index]), stopped, {})


def _resolved(result: NoticeResult) -> Future[NoticeResult]:
    future: Future[NoticeResult] = Future()
    future.set_result(result)
    return future


def _broke(future: Future[NoticeResult]) -> bool:
    return future.done() and not future.cancelled() and isinstance(future.exception(), BrokenProcessPool)


@dataclass(frozen=True)
class _ForkedWork:
    context: PipelineContext
    started: Any  # multiprocessing's shared array of flags, one per document
    scratch: Path  # the batch's folder for temporary files


_forked_batch: _ForkedWork | None = None  # what forked batch workers inherit (set only while forking)


def _start_forked_worker() -> None:
    """A worker's own OCR engine (never the parent's processes and pipes), closed when the worker ends."""
    global _forked_batch
    assert _forked_batch is not None, "runs only in a process forked by process_batch"
    tempfile.tempdir = str(_forked_batch.scratch)
    inherited = _forked_batch.context.engine
    if isinstance(inherited, TesseractEngine):
        engine = TesseractEngine(inherited.language, inherited.timeout_s)
        multiprocessing.util.Finalize(engine, engine.close, exitpriority=10)
        _forked_batch = replace(_forked_batch, context=replace(_forked_batch.context, engine=engine))


def _process_in_forked_worker(index: int, path: Path) -> NoticeResult:
    assert _forked_batch is not None, "runs only in a process forked by process_batch"
    _forked_batch.started[index] = 1
    return guarded(process_document, path, _forked_batch.context)
