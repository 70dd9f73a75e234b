"""Prefect flows that sequence the plain pipeline functions: ``ingest_document`` and ``ingest_batch``.

Tasks wrap the pipeline's functions unchanged. Only I/O steps retry, with backoff (loading the file, the
tesseract process, the store), and only for infrastructure failures: a bad document fails the same way
every time. Classification and extraction are pure and never retried. Tasks pass paths and page
references, never image arrays; page OCR runs as mapped tasks, bounded by the task runner's workers. The
context (settings, engine, profiles) is rebuilt where the flow runs, since a worker may be another machine.
Runs are named after the document so the Prefect UI reads like the inbox.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.archive import keep_original
from pipeline.errors import InfrastructureError, NoticeflowError
from pipeline.load import LoadedDocument, PageRef, load_document
from pipeline.models import NoticeResult, OcrDocument, OcrPage
from pipeline.process import PipelineContext, analyze_document, failed_result, mask_document, read_page
from pipeline.profiles import TaxpayerProfile, load_profiles
from pipeline.settings import Settings
from pipeline.store import DEFAULT_TENANT, open_store


def _is_infrastructure_failure(task: object, task_run: object, state: State) -> bool:
    try:
        state.result()
    except (InfrastructureError, OSError):
        return True
    except Exception:  # noqa: BLE001 - any other failure is final
        return False
    return False


_IO = {
    "retries": 2, "retry_delay_seconds": [1, 4], "retry_condition_fn": _is_infrastructure_failure,
    "cache_policy": NO_CACHE,
}  # fmt: skip


@task(task_run_name="load {path.name}", **_IO)
def load_task(path: Path, context: PipelineContext) -> LoadedDocument:
    return load_document(path, context.settings.load_limits)


@task(task_run_name="ocr page {ref.number} of {ref.path.name}", **_IO)
def read_page_task(ref: PageRef, context: PipelineContext, workdir: Path) -> OcrPage:
    return read_page(ref, context, workdir)[0]


@task(task_run_name="analyze {source}", cache_policy=NO_CACHE)
def analyze_task(
    document_id: str, source: str, document: OcrDocument, context: PipelineContext
) -> NoticeResult:
    masked, full_ssns = mask_document(document)
    return analyze_document(document_id, source, masked, context, {}, full_ssns)


@task(task_run_name="store {result.source}", **_IO)
def store_task(result: NoticeResult, context: PipelineContext, tenant: str = DEFAULT_TENANT) -> NoticeResult:
    if not result.document_id:
        return result
    context.settings.home.mkdir(parents=True, exist_ok=True)
    return open_store(context.settings.database_url).save_result(result, tenant=tenant, actor="flow")


def _profiles(profiles_file: Path | None, stored: bool, tenant: str) -> tuple[TaxpayerProfile, ...]:
    if profiles_file:
        return load_profiles(profiles_file)
    if not stored:
        return ()
    store = open_store(Settings().database_url)
    return tuple(TaxpayerProfile.model_validate(p) for p in store.list_profiles(tenant))


def _read_document(loaded: LoadedDocument, context: PipelineContext) -> OcrDocument:
    refs = [page for page in loaded.pages if isinstance(page, PageRef)]
    with tempfile.TemporaryDirectory(prefix="noticeflow-") as workdir:
        read = {
            page.number: page
            for page in read_page_task.map(refs, context=context, workdir=Path(workdir)).result()
        }
    text_pages = {page.number: page for page in loaded.pages if isinstance(page, OcrPage)}
    return OcrDocument(pages=tuple(sorted({**text_pages, **read}.values(), key=lambda page: page.number)))


@flow(flow_run_name="ingest {path.name}", task_runner=ThreadPoolTaskRunner(max_workers=os.cpu_count() or 1))
def ingest_document(
    path: Path,
    as_of: dt.date,
    profiles_file: Path | None = None,
    source: str | None = None,
    tenant: str = DEFAULT_TENANT,
    stored_profiles: bool = False,
) -> NoticeResult:
    """One document, loaded, read, analyzed and stored for ``tenant`` under ``source`` (default: its path);
    ``stored_profiles``: without a file, match the tenant's profiles kept in the store."""
    source = source or str(path)
    context = PipelineContext.default(as_of, profiles=_profiles(profiles_file, stored_profiles, tenant))
    try:
        loaded = load_task(path, context)
        result = analyze_task(loaded.document_id, source, _read_document(loaded, context), context)
    except NoticeflowError as error:
        result = failed_result(path, source, error, {})
    keep_original(path, result, context.settings.home)
    return store_task(result, context, tenant)


def _batch_name() -> str:
    return f"ingest batch of {len(flow_run.parameters.get('paths', []))} documents"


@flow(flow_run_name=_batch_name)
def ingest_batch(paths: list[Path], as_of: dt.date, profiles_file: Path | None = None) -> list[NoticeResult]:
    return [ingest_document(path, as_of, profiles_file) for path in paths]
