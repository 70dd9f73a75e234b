"""The Prefect flow that sequences the plain pipeline functions for one document: ``ingest_document``.

Tasks wrap the pipeline's functions unchanged; the flow begins and ends with the ingest service's steps
(pipeline.ingest: dedupe, then keep and store). Only I/O steps retry, with the service's bound and backoff
(loading the file, the tesseract process), and only for errors whose class is retryable: a bad document
fails the same way every time, and a bug too. Classification and extraction are pure and never retried:
a plain call in the flow, not a task. Tasks pass paths and page references, never image arrays; page OCR
runs as mapped tasks, bounded by the task runner's workers. The context, documents and results go to tasks
``quote``d: Prefect would otherwise walk every field of them (the whole catalog, every word) looking for
futures, about 20 ms a task. A flow run that a service starts in its own process
(``flows.orchestration.run_document``) uses that service's context and store as they are
(``running_here``: its page slots, so a watcher's parallel documents never run more tesseracts than there
are cores; the profiles it chose; its open store); a run on a work-pool worker, maybe another machine,
rebuilds them from settings. Runs are named after the document (its ``source``: an upload's name, not its
temporary path) so the Prefect UI reads like the inbox.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from pipeline.errors import NoticeflowError
from pipeline.ingest import MAX_ATTEMPTS, RETRY_DELAYS_S, Incoming, admit, commit
from pipeline.load import LoadedDocument, PageRef, load_document
from pipeline.models import Channel, NoticeResult, OcrDocument, OcrPage
from pipeline.process import (
    PipelineContext,
    failed_result,
    read_notices,
    read_page,
    read_pages,
)
from pipeline.profiles import load_profiles
from pipeline.settings import Settings
from pipeline.store import DEFAULT_TENANT, Store, open_store

_HERE: ContextVar[tuple[PipelineContext, Store] | None] = ContextVar("noticeflow_flow_here", default=None)


def _is_retryable(task: object, task_run: object, state: State) -> bool:
    """The one failure policy (pipeline.errors): the error class says; an OS error is the disk or a tool."""
    try:
        state.result()
    except NoticeflowError as error:
        return error.retryable
    except OSError:
        return True
    except Exception:  # noqa: BLE001 - any other failure (a bug) is final
        return False
    return False


_IO = {
    "retries": MAX_ATTEMPTS - 1, "retry_delay_seconds": list(RETRY_DELAYS_S),
    "retry_condition_fn": _is_retryable, "cache_policy": NO_CACHE,
}  # fmt: skip


@task(task_run_name="load {path.name}", **_IO)
def load_task(path: Path, context: PipelineContext) -> LoadedDocument:
    return load_document(path, context.settings.load_limits)


@task(task_run_name="ocr page {ref.number} of {ref.path.name}", **_IO)
def read_page_task(ref: PageRef, context: PipelineContext, workdir: Path) -> tuple[OcrPage, dict[str, float]]:
    return read_page(ref, context, workdir)


def _analyze(document_id: str, source: str, document: OcrDocument, context: PipelineContext) -> NoticeResult:
    """Masking, splitting a stack, classification, extraction, validation, triage: pure and quick, so a
    plain call inside the flow run, not a task (a task run costs tens of milliseconds of bookkeeping and would
    never retry)."""
    return read_notices(document_id, source, document, context, {})


@task(task_run_name="store {incoming.name}", cache_policy=NO_CACHE)
def store_task(
    incoming: Incoming, result: NoticeResult, context: PipelineContext, store: Store
) -> NoticeResult:
    """The ingest service's last steps: keep the original, store (it bounds the store's attempts itself)."""
    return commit(incoming, result, context, store)


@contextlib.contextmanager
def running_here(context: PipelineContext, store: Store) -> Iterator[None]:
    """``ingest_document`` flow runs started inside this block, in this thread, use ``context`` and
    ``store`` instead of building their own from settings."""
    token = _HERE.set((context, store))
    try:
        yield
    finally:
        _HERE.reset(token)


def _context_and_store(
    as_of: dt.date, profiles_file: Path | None, stored_profiles: bool, tenant: str
) -> tuple[PipelineContext, Store]:
    """The caller's (``running_here``), else built from settings where the flow runs."""
    here = _HERE.get()
    if here is not None:
        return here
    settings = Settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    store = open_store(settings.database_url)
    profiles = load_profiles(profiles_file) if profiles_file else ()
    if stored_profiles and not profiles_file:
        profiles = tuple(store.list_profiles(tenant))
    return PipelineContext.default(as_of, settings, profiles), store


def _read_document(loaded: LoadedDocument, context: PipelineContext) -> OcrDocument:
    """The pipeline's page reading, each image page a mapped task."""

    def as_tasks(refs: list[PageRef], workdir: Path) -> list[tuple[OcrPage, dict[str, float]]]:
        return list(read_page_task.map(refs, context=quote(context), workdir=workdir).result())

    return read_pages(loaded, context, {}, as_tasks)


def _document_name() -> str:
    parameters = flow_run.parameters
    return f"ingest {Path(str(parameters.get('source') or parameters['path'])).name}"


@flow(flow_run_name=_document_name, task_runner=ThreadPoolTaskRunner(max_workers=os.cpu_count() or 1))
def ingest_document(
    path: Path,
    as_of: dt.date,
    profiles_file: Path | None = None,
    source: str | None = None,
    tenant: str = DEFAULT_TENANT,
    stored_profiles: bool = False,
    channel: Channel = Channel.POOL,
) -> NoticeResult:
    """One document, loaded, read, analyzed and stored for ``tenant`` under ``source`` (default: its path);
    ``stored_profiles``: without a file, match the tenant's profiles kept in the store. ``channel``: the
    entry point that handed it in (a work-pool submission unless the caller says otherwise)."""
    source = source or str(path)
    incoming = Incoming(path, source, channel, tenant)
    context, store = _context_and_store(as_of, profiles_file, stored_profiles, tenant)
    if (known := admit(incoming, store)) is not None:
        return known
    try:
        loaded = load_task(path, quote(context))
        document = _read_document(loaded, context)
        result = _analyze(loaded.document_id, source, document, context)
    except NoticeflowError as error:
        result = failed_result(path, source, error, {})
    return store_task(incoming, quote(result), quote(context), quote(store))
