"""Uploads and the work they become: receiving a multipart upload, the in-process job table, the spool.

``receive_upload(request, max_bytes)`` streams the multipart ``file`` into a temp file with a random name
(the client's file name is only the result's ``source``), hashing it as it goes; it raises
``UploadTooLarge`` (413) as soon as the file passes ``max_bytes`` (the body as a whole is capped before
authentication, ``flows.api_guards``), ``EmptyDocument`` (422),
``UnsupportedType`` (415, sniffed from the content) or ``BadUpload`` (422, a malformed form).

``Jobs`` runs uploads on a bounded thread pool, one job per (tenant, document id): the same bytes sent
while they are processed join the running job; past ``max_pending`` jobs it raises ``Busy`` (503).
``start_ingest`` submits ``ingest_upload``, the one place an upload becomes a stored result, through the
job table's ingest service: ``pipeline.ingest.ingest`` in this process, or each upload a Prefect flow run
(``flows.orchestration.run_document``, what ``serve`` uses by default).

A ``wait=false`` upload is moved to the spool first (``spool_for_later``; ``SpoolUnavailable`` when the disk
refuses) and removed only once its result is stored; one that joins a running job for the same bytes keeps
its entry until that job ends (``settle_with``). A retryable failure (the store down through the ingest
service's own attempts) is tried again in this process after a pause (``ingest_in_background``); when
processing or storing still raises, the entry stays: at start a server claims what no other process holds
and processes it (``resume_spooled``); ``flows.spool`` caps the attempts (3 in all, ``MAX_ATTEMPTS``),
then sets it aside in ``stuck/``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO

import regex
from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from flows.http_errors import BadUpload, Busy, SpoolUnavailable, UnknownProfile, UploadTooLarge
from flows.spool import MAX_ATTEMPTS, Spooled, SpoolEntry, claim_entry, claim_spooled, spool_upload
from pipeline.errors import EmptyDocument, NoticeflowError
from pipeline.ingest import Incoming, IngestService, ingest
from pipeline.load import sniff_type
from pipeline.models import Channel, NoticeResult, Status
from pipeline.process import PipelineContext
from pipeline.store import Store

log = logging.getLogger("noticeflow.api")

RETRY_DELAYS_S = (10.0, 30.0)  # before a background upload's second and third attempt (a store outage)
FORM_OVERHEAD = 64 * 1024  # multipart boundaries, part headers and the profile_id field
SNIFF_BYTES = 1024
COPY_CHUNK = 1 << 20
_CONTROL = regex.compile(r"[\x00-\x1f\x7f]")


# ---- uploads ----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Upload:
    """An uploaded document in a temp file of its own (random name); ``source`` is the client's name."""

    path: Path
    source: str
    size: int
    document_id: str  # sha256 of the bytes, as the pipeline computes it
    profile_id: str | None
    spooled: Spooled | None = None  # set once a 202 was promised: ``path`` is then its bytes (flows.spool)

    def discard(self) -> None:
        """Its result is stored, or none was promised: the bytes (and spool entry) are removed."""
        if self.spooled is None:
            self.path.unlink(missing_ok=True)
        else:
            self.spooled.discard()

    def give_back(self) -> None:
        """Processing it failed: a spooled upload stays for the next start (the attempt counted)."""
        if self.spooled is None:
            self.path.unlink(missing_ok=True)
        else:
            self.spooled.give_back()


def _too_large(max_bytes: int) -> str:
    return f"the upload is larger than the limit of {max_bytes} bytes (NOTICEFLOW_MAX_UPLOAD_BYTES)"


async def receive_upload(request: Request, max_bytes: int) -> Upload:
    """The multipart ``file`` in a temp file, checked for size (413), emptiness (422) and type (415); the
    whole body's size is ``flows.api_guards``' (413 before authentication)."""
    try:
        form = await request.form(max_files=1, max_fields=4)
    except StarletteHTTPException as error:  # python-multipart refused the body, or it passed the limit
        if error.status_code == 413:
            raise UploadTooLarge(error.detail) from None
        raise BadUpload(f"the multipart body cannot be read: {error.detail}") from None
    except ClientDisconnect:
        raise BadUpload("the client disconnected during the upload") from None
    try:
        file, profile_id = form.get("file"), form.get("profile_id")
        unknown = sorted(set(form.keys()) - {"file", "profile_id"})
        if unknown or len(form.multi_items()) > len(set(form.keys())):
            raise BadUpload(
                f"send one 'file' and at most one 'profile_id'; not {unknown or 'repeated fields'}"
            )
        if not isinstance(file, UploadFile):
            raise BadUpload("send the document as the multipart/form-data field 'file'")
        if profile_id is not None and not isinstance(profile_id, str):
            raise BadUpload("profile_id must be a plain form field")
        source = _CONTROL.sub("", file.filename or "")[:255] or "upload"
        path, size, digest = await run_in_threadpool(_copy_to_temp, file.file, max_bytes)
        return Upload(path=path, source=source, size=size, document_id=digest, profile_id=profile_id or None)
    finally:
        await form.close()


def _copy_to_temp(source: IO[bytes], max_bytes: int) -> tuple[Path, int, str]:
    """Copy to a new temp file, hashing as it goes; the type is sniffed from the first bytes."""
    digest, size, head = hashlib.sha256(), 0, b""
    with tempfile.NamedTemporaryFile(prefix="noticeflow-upload-", delete=False) as target:
        path = Path(target.name)
        try:
            while chunk := source.read(COPY_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(_too_large(max_bytes))
                head += chunk[: SNIFF_BYTES - len(head)]
                digest.update(chunk)
                target.write(chunk)
            if size == 0:
                raise EmptyDocument("the uploaded file is empty (0 bytes)")
            sniff_type(head)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return path, size, digest.hexdigest()


# ---- the job table ----------------------------------------------------------------------------------------

JobKey = tuple[str, str]  # (tenant, document id)


class Jobs:
    """Uploads being processed, by (tenant, document id), on a bounded in-process thread pool.

    The same bytes sent again while they are processed join the running job. A finished job leaves the
    table (its result is in the store); one that raised stays (the last 1000) so a poll can report it.
    """

    def __init__(self, workers: int, max_pending: int, service: IngestService = ingest) -> None:
        self.service = service
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="noticeflow-api")
        self._max_pending = max_pending
        self._running: dict[JobKey, Future[NoticeResult]] = {}
        self._crashed: OrderedDict[JobKey, BaseException] = OrderedDict()
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def submit(self, key: JobKey, work: Callable[[], NoticeResult]) -> tuple[Future[NoticeResult], bool]:
        """The job's future, and whether this call started it (False: it joined a running one)."""
        with self._lock:
            if key in self._running:
                return self._running[key], False
            if len(self._running) >= self._max_pending:
                raise Busy("too many uploads are being processed; retry shortly")
            self._crashed.pop(key, None)
            future = self._executor.submit(work)
            self._running[key] = future
        future.add_done_callback(lambda done: self._finish(key, done))
        return future, True

    def _finish(self, key: JobKey, future: Future[NoticeResult]) -> None:
        with self._lock:
            self._running.pop(key, None)
            error = future.exception()
            if error is not None:
                log.error("processing %s failed", key[1], exc_info=error)
                self._crashed[key] = error
                while len(self._crashed) > 1000:
                    self._crashed.popitem(last=False)

    def is_running(self, key: JobKey) -> bool:
        with self._lock:
            return key in self._running

    def raise_if_crashed(self, key: JobKey) -> None:
        with self._lock:
            error = self._crashed.get(key)
        if isinstance(error, NoticeflowError):
            raise type(error)(error.message)
        if error is not None:
            raise RuntimeError("processing the upload failed")

    def pause(self, seconds: float) -> bool:
        """Wait before a job's next attempt; False when the server stops meanwhile (do not try again)."""
        return not self._stopping.wait(seconds)

    def shutdown(self) -> None:
        self._stopping.set()
        self._executor.shutdown(wait=True)


# ---- from an upload to a stored result --------------------------------------------------------------------


def pipeline_context(
    store: Store, shared: PipelineContext, tenant: str, profile_id: str | None, as_of: dt.date
) -> PipelineContext:
    """The shared context with the tenant's profiles (only ``profile_id``'s when given: ``UnknownProfile``
    when the tenant has none with that id)."""
    if profile_id is None:
        profiles = tuple(store.list_profiles(tenant))
    else:
        profile = store.get_profile(profile_id, tenant)
        if profile is None:
            raise UnknownProfile(f"no profile {profile_id!r}; create it with PUT /v1/profiles/{{id}}")
        profiles = (profile,)
    return dataclasses.replace(shared, profiles=profiles, as_of=as_of)


def ingest_upload(
    store: Store, upload: Upload, tenant: str, context: PipelineContext, service: IngestService = ingest
) -> NoticeResult:
    """The upload through the ingest service (pipeline.ingest; a failed result is stored too: the next
    upload replaces it). Its bytes (and spool entry) are removed only once the result is stored; when the
    store stays down through the service's attempts, a spooled upload stays for the next start, which
    resumes it (``flows.spool`` caps the attempts)."""
    try:
        incoming = Incoming(upload.path, upload.source, Channel.API, tenant, upload.size)
        stored = service(incoming, context, store)
    except BaseException:
        upload.give_back()
        raise
    upload.discard()
    return stored


def ingest_in_background(
    jobs: Jobs, store: Store, upload: Upload, tenant: str, context: PipelineContext
) -> NoticeResult:
    """A spooled upload through ``ingest_upload``. After a retryable failure (the store down longer than
    the ingest service's own attempts) it is claimed again from the spool after a pause (``RETRY_DELAYS_S``)
    and tried again in this process, until the spool's attempts (``MAX_ATTEMPTS``, counted on disk) are
    used up; meanwhile a poll answers 202. A server that stops during a pause leaves it for the next start."""
    while True:
        try:
            return ingest_upload(store, upload, tenant, context, jobs.service)
        except NoticeflowError as error:
            spooled = upload.spooled
            if not error.retryable or spooled is None or spooled.entry.attempts >= MAX_ATTEMPTS:
                raise
            delay = RETRY_DELAYS_S[min(spooled.entry.attempts, len(RETRY_DELAYS_S)) - 1]
            log.warning("upload %s: %s; trying again in %.0f s", upload.document_id[:12], error.code, delay)
            again = claim_entry(spooled.stem) if jobs.pause(delay) else None
            if again is None:  # the server stops, or another process took the entry
                raise
        upload = dataclasses.replace(upload, path=again.data, spooled=again)


def start_ingest(
    jobs: Jobs, store: Store, upload: Upload, tenant: str, context: PipelineContext
) -> tuple[Future[NoticeResult], bool]:
    """The upload's job of (tenant, document id): ``ingest_upload``, retried in the background for a
    spooled one (``ingest_in_background``). Its future, and whether this call started it (False: it joined
    a running job for the same bytes)."""
    if upload.spooled is None:
        work = functools.partial(ingest_upload, store, upload, tenant, context, jobs.service)
    else:
        work = functools.partial(ingest_in_background, jobs, store, upload, tenant, context)
    return jobs.submit((tenant, upload.document_id), work)


def settle_with(upload: Upload, job: Future[NoticeResult]) -> None:
    """A spooled upload whose bytes a running job already processes ends as that job does: removed once
    it stored the result, kept for the next start (the attempt counted) when it raised."""
    job.add_done_callback(lambda done: upload.discard() if done.exception() is None else upload.give_back())


def spool_for_later(upload: Upload, tenant: str, as_of: dt.date, home: Path) -> Upload:
    """The upload moved to the spool (flows.spool), so a restart before its result is stored finishes it;
    ``SpoolUnavailable`` when the disk refuses (full, permissions)."""
    entry = SpoolEntry(tenant=tenant, document_id=upload.document_id, source=upload.source, size=upload.size,
                       profile_id=upload.profile_id, as_of=as_of)  # fmt: skip
    try:
        spooled = spool_upload(upload.path, entry, home)
    except OSError as error:
        log.error("spool: cannot keep upload %s on disk: %s", upload.document_id[:12], error.strerror)
        raise SpoolUnavailable(
            "the upload cannot be kept on disk for background processing; retry, or send it with wait=true"
        ) from None
    return dataclasses.replace(upload, path=spooled.data, spooled=spooled)


def resume_spooled(home: Path, store: Store, jobs: Jobs, shared: PipelineContext) -> None:
    """Submit again what earlier server processes answered 202 for and did not finish storing: the spool
    entries under ``home`` no other process holds, each held by its job until it ends."""
    for spooled in claim_spooled(home):
        try:
            resume_upload(spooled, store, jobs, shared)
        except Busy:
            spooled.release()
            log.warning("spool: more to resume than NOTICEFLOW_MAX_PENDING; the rest waits for a restart")
            return
        except Exception as error:  # the store is down, say: counted as a failed attempt
            spooled.give_back()
            failure = type(error).__name__  # not the message: a store's may quote the data it was sent
            log.warning("spool: resuming upload %s failed: %s", spooled.entry.document_id[:12], failure)


def resume_upload(spooled: Spooled, store: Store, jobs: Jobs, shared: PipelineContext) -> None:
    entry = spooled.entry
    upload = Upload(spooled.data, entry.source, entry.size, entry.document_id, entry.profile_id, spooled)
    known = store.get_result(entry.document_id, entry.tenant)
    if known is not None and known.status is not Status.FAILED:
        upload.discard()  # stored just before that process ended
        return
    try:
        context = pipeline_context(store, shared, entry.tenant, entry.profile_id, entry.as_of)
    except UnknownProfile:  # deleted since: match against all the tenant's profiles instead
        context = pipeline_context(store, shared, entry.tenant, None, entry.as_of)
    job, started = start_ingest(jobs, store, upload, entry.tenant, context)
    if not started:
        settle_with(upload, job)
    log.info("resumed spooled upload %s for tenant %s", entry.document_id[:12], entry.tenant)
