"""Prefect flows that sequence the plain pipeline functions: ``ingest_document`` and ``ingest_batch``.

Tasks wrap the pipeline's functions unchanged. Only I/O steps retry (loading the file, the tesseract
process); classification and extraction are pure and never retried. Tasks pass paths and page references,
never image arrays; page OCR runs as mapped tasks, bounded by the task runner's worker count. Runs are named
after the document so the Prefect UI reads like the inbox.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.errors import InfrastructureError, NoticeflowError
from pipeline.load import LoadedDocument, PageRef, load_document
from pipeline.models import NoticeResult, OcrDocument, OcrPage
from pipeline.process import PipelineContext, analyze_document, failed_result, mask_document, read_page


def _is_infrastructure_failure(task: object, task_run: object, state: State) -> bool:
    """Retry a tool or disk hiccup; a bad document fails the same way every time."""
    try:
        state.result()
    except (InfrastructureError, OSError):
        return True
    except Exception:  # noqa: BLE001 - any other failure is final
        return False
    return False


_IO_RETRIES = {
    "retries": 2,
    "retry_delay_seconds": [1, 4],
    "retry_condition_fn": _is_infrastructure_failure,
    "cache_policy": NO_CACHE,
}


@task(task_run_name="load {path.name}", **_IO_RETRIES)
def load_task(path: Path, context: PipelineContext) -> LoadedDocument:
    return load_document(path, context.settings.load_limits)


@task(task_run_name="ocr page {ref.number} of {ref.path.name}", **_IO_RETRIES)
def read_page_task(ref: PageRef, context: PipelineContext, workdir: Path) -> OcrPage:
    return read_page(ref, context, workdir)[0]


@task(task_run_name="analyze {source}", cache_policy=NO_CACHE)
def analyze_task(
    document_id: str, source: str, document: OcrDocument, context: PipelineContext
) -> NoticeResult:
    return analyze_document(document_id, source, mask_document(document)[0], context, {})


@flow(flow_run_name="ingest {path.name}", task_runner=ThreadPoolTaskRunner(max_workers=os.cpu_count() or 1))
def ingest_document(path: Path, as_of: dt.date) -> NoticeResult:
    """One document; the context is built where the flow runs (a worker may be another machine)."""
    context = PipelineContext.default(as_of)
    source = str(path)
    try:
        loaded = load_task(path, context)
        refs = [page for page in loaded.pages if isinstance(page, PageRef)]
        with tempfile.TemporaryDirectory(prefix="noticeflow-") as workdir:
            futures = read_page_task.map(refs, context=context, workdir=Path(workdir))
            read = {page.number: page for page in futures.result()}
        text_pages = {page.number: page for page in loaded.pages if isinstance(page, OcrPage)}
        pages = tuple(sorted({**text_pages, **read}.values(), key=lambda page: page.number))
        return analyze_task(loaded.document_id, source, OcrDocument(pages=pages), context)
    except NoticeflowError as error:
        return failed_result(path, source, error, {})


@flow(flow_run_name="ingest batch of {count} documents")
def ingest_batch(paths: list[Path], count: int, as_of: dt.date) -> list[NoticeResult]:
    return [ingest_document(path, as_of) for path in paths]
