"""The HTTP API: other apps upload notices and read, review and answer them (``noticeflow serve``).

``create_app(settings, store)`` returns the FastAPI app; ``uvicorn --factory flows.api:create_app`` serves it
too. Routes (OpenAPI at ``/openapi.json``, docs at ``/docs``):

    GET    /healthz                   the process is up (no key needed)
    GET    /readyz                    the store answers, tesseract and pdfinfo are installed (200 or 503)
    POST   /v1/notices                multipart ``file`` (+ optional ``profile_id``) → the result JSON:
                                      201 new, 200 ``duplicate`` (same bytes); ``?wait=false`` → 202
                                      ``{"document_id", "status": "pending", "location"}`` + Location
    GET    /v1/notices                ``?status=&priority=&category=&due_before=&profile_id=&limit=&offset=``
    GET    /v1/notices/{id}           the result; 202 pending while a ``wait=false`` upload is processed
    GET    /v1/notices/{id}/letter    ``?stance=agree|disagree&reason=&attach=&monthly_plan=`` → text/plain
    GET    /v1/notices/{id}/audit     the document's audit log
    POST   /v1/notices/{id}/review    ``{"decision": "accept" | "correct" | "reject", ...}`` (pipeline.review)
    GET    /v1/profiles, GET/PUT/DELETE /v1/profiles/{id}

Security: ``NOTICEFLOW_API_KEYS`` holds comma-separated ``KEY`` or ``TENANT:KEY`` entries (a bare key is its
own tenant, named ``key-`` + the first 12 hex digits of its sha256, so the key itself is never stored).
Clients send ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``; the key is compared in constant time with
every configured key. An invalid key counts against the client's address in the throttle the sign-in page
shares (``flows.throttle``): past the limit the address gets 429 ``too_many_invalid_keys`` with
``Retry-After`` before its key is looked at. Without keys every request runs as tenant "default" and only
loopback clients are served (``serve`` also refuses to listen elsewhere). Each tenant sees only its own
notices and profiles: an id of another tenant's is a 404. Responses never carry a full SSN; raw OCR text is
not kept, so ``?include=text`` is refused with 422 ``not_stored``.

Uploads stream into a temp file with a random name (the client's file name is only the result's ``source``)
and are refused with 413 as soon as they pass ``NOTICEFLOW_MAX_UPLOAD_BYTES``; the type is sniffed from the
content (415). Processing runs on an in-process thread pool. A ``wait=false`` upload is first moved to the
spool under the home (``flows.spool``; 503 ``spool_unavailable`` when the disk refuses) and removed only
once its result is stored; one that joins a running job for the same bytes keeps its entry until that job
ends. When processing or storing raises, the entry stays: a server that starts claims what no other
process holds and processes it, up to 3 attempts, then sets it aside in ``stuck/``. Prefect work-pool
submission is not wired here.

Errors: every error is ``{"error": {"code", "message"}}``. ``HTTP_STATUS`` is the one table from exception
class to status; a failed pipeline result becomes the exception its code names, so the same table applies.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import hashlib
import hmac
import ipaddress
import logging
import math
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO, Annotated, Any, Literal

import regex
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator, Field, SecretStr, StringConstraints, ValidationError, model_validator
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import Message, Receive

from extractors.ssn import mask_full_ssns
from flows.api_models import (
    AcceptIn,
    AuditOut,
    AuditPage,
    CorrectIn,
    ErrorOut,
    HealthOut,
    NoticeOut,
    NoticePage,
    PendingOut,
    ProfileIn,
    ProfilePage,
    ReadyOut,
    ReviewIn,
)
from flows.spool import Spooled, SpoolEntry, claim_spooled, spool_upload
from flows.throttle import SignInThrottle
from pipeline.archive import keep_original
from pipeline.errors import (
    BadCorrection,
    BadProfiles,
    ConfigurationError,
    DocumentError,
    DocumentNotFound,
    EmptyDocument,
    InfrastructureError,
    NoticeflowError,
    ProfileNotFound,
    UnsupportedType,
)
from pipeline.letter import Stance, draft_letter
from pipeline.load import sniff_type
from pipeline.models import Category, NoticeResult, Priority, Status
from pipeline.process import PipelineContext, process_document
from pipeline.profiles import TaxpayerProfile
from pipeline.review import accept_result, correct_result, reject_result
from pipeline.settings import Settings
from pipeline.store import DEFAULT_TENANT, Store, open_store

log = logging.getLogger("noticeflow.api")

API_VERSION = "1"
FORM_OVERHEAD = 64 * 1024  # multipart boundaries, part headers and the profile_id field
SNIFF_BYTES = 1024
COPY_CHUNK = 1 << 20
_TENANT_NAME = regex.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_CONTROL = regex.compile(r"[\x00-\x1f\x7f]")


# ---- settings and keys ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ApiKey:
    tenant: str
    digest: bytes = dataclasses.field(repr=False)  # sha256 of the key: equal lengths for compare_digest


def parse_api_keys(text: str) -> tuple[ApiKey, ...]:
    """``KEY`` or ``TENANT:KEY`` entries, comma-separated; raises ValueError (never echoing a key)."""
    keys: list[ApiKey] = []
    for number, entry in enumerate((part.strip() for part in text.split(",")), start=1):
        if not entry:
            continue
        tenant, sep, key = entry.partition(":")
        key = key if sep else entry
        digest = hashlib.sha256(key.encode()).digest()
        tenant = tenant if sep else "key-" + digest.hex()[:12]
        if not _TENANT_NAME.fullmatch(tenant):
            raise ValueError(f"API key entry #{number}: a tenant is 1-64 letters, digits, '_', '.', '-'")
        if len(key) < 16 or regex.search(r"\s", key):
            raise ValueError(f"API key entry #{number}: a key needs at least 16 characters and no spaces")
        if any(hmac.compare_digest(digest, known.digest) for known in keys):
            raise ValueError(f"API key entry #{number}: the same key is configured twice")
        keys.append(ApiKey(tenant=tenant, digest=digest))
    return tuple(keys)


class ApiSettings(Settings):
    """The pipeline's settings plus the API's: ``NOTICEFLOW_API_KEYS``, ``NOTICEFLOW_MAX_UPLOAD_BYTES``,
    ``NOTICEFLOW_MAX_PENDING`` (uploads queued or processing at once; more get 503 "busy"), and the invalid
    keys an address may send (API or sign-in page) within a window before it must wait
    (``NOTICEFLOW_SIGN_IN_ATTEMPTS``, ``NOTICEFLOW_SIGN_IN_WINDOW_MINUTES``)."""

    api_keys: SecretStr = SecretStr("")
    max_upload_bytes: int = Field(25 * 1024 * 1024, ge=1024)
    max_pending: int = Field(256, ge=1)
    sign_in_attempts: int = Field(5, ge=1, le=1000)  # invalid keys per address in the window
    sign_in_window_minutes: float = Field(15, gt=0, le=24 * 60)

    @model_validator(mode="after")
    def _refuse_bad_keys(self) -> ApiSettings:
        parse_api_keys(self.api_keys.get_secret_value())
        return self

    @property
    def keys(self) -> tuple[ApiKey, ...]:
        return parse_api_keys(self.api_keys.get_secret_value())


def load_api_settings() -> ApiSettings:
    """Settings from the environment; a bad value is a ``ConfigurationError`` that names no secret."""
    try:
        return ApiSettings()
    except ValidationError as error:
        raise ConfigurationError(f"bad API settings: {describe_errors(error.errors())}") from None


def match_api_key(keys: Iterable[ApiKey], given: str) -> ApiKey | None:
    """The configured key equal to ``given``, compared in constant time with every key (no early exit: the
    time taken does not depend on which key matched)."""
    digest = hashlib.sha256(given.encode()).digest()
    found = None
    for key in keys:
        if hmac.compare_digest(digest, key.digest):
            found = key
    return found


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def describe_errors(errors: Any) -> str:
    """Pydantic errors as "where: what"; the input values are left out (they may be secrets)."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}" for error in errors[:5]
    )


# ---- errors: one table from exception to HTTP status ------------------------------------------------------


class ApiError(NoticeflowError):
    """A request the API cannot serve as sent."""

    code = "invalid_request"


class MissingApiKey(ApiError):
    code = "missing_api_key"


class InvalidApiKey(ApiError):
    code = "invalid_api_key"


class LoopbackOnly(ApiError):
    code = "loopback_only"


class TooManyInvalidKeys(ApiError):
    code = "too_many_invalid_keys"

    def __init__(self, message: str, retry_after_s: int = 1) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class UploadTooLarge(DocumentError):
    code = "too_large"


class BadUpload(ApiError):
    code = "bad_upload"


class UnknownProfile(ApiError):
    code = "unknown_profile"


class NotStored(ApiError):
    code = "not_stored"


class Busy(InfrastructureError):
    code = "busy"


class SpoolUnavailable(InfrastructureError):
    code = "spool_unavailable"


HTTP_STATUS: dict[type[NoticeflowError], int] = {
    NoticeflowError: 500,
    ConfigurationError: 500,
    InfrastructureError: 503,
    DocumentError: 422,  # empty, corrupt, encrypted, too many pages, image too large
    UnsupportedType: 415,
    UploadTooLarge: 413,
    DocumentNotFound: 404,
    ProfileNotFound: 404,
    BadCorrection: 422,
    BadProfiles: 422,
    ApiError: 422,
    MissingApiKey: 401,
    InvalidApiKey: 403,
    LoopbackOnly: 403,
    TooManyInvalidKeys: 429,
}


def http_status(error_type: type[NoticeflowError]) -> int:
    """The status of the nearest class in ``HTTP_STATUS`` along the exception's MRO."""
    return next(HTTP_STATUS[cls] for cls in error_type.__mro__ if cls in HTTP_STATUS)


def error_type_for_code(code: str) -> type[NoticeflowError]:
    """The exception class a failed result's error code names (a document error when unknown)."""
    pending: list[type[NoticeflowError]] = [NoticeflowError]
    while pending:
        cls = pending.pop()
        if cls.code == code:
            return cls
        pending += cls.__subclasses__()
    return DocumentError


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = ErrorOut.model_validate({"error": {"code": code, "message": message}})
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


async def handle_noticeflow_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, NoticeflowError)
    status = http_status(type(error))
    headers = {401: {"WWW-Authenticate": "Bearer"}, 503: {"Retry-After": "5"}}.get(status)
    if isinstance(error, TooManyInvalidKeys):
        headers = {"Retry-After": str(error.retry_after_s)}
    log.log(
        logging.WARNING if status >= 500 else logging.INFO, "%s → %d %s", request.url.path, status, error.code
    )
    return error_response(status, error.code, mask_full_ssns(error.message), headers)


async def handle_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return error_response(422, "invalid_request", describe_errors(error.errors()))


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}


async def handle_http_exception(request: Request, error: Exception) -> JSONResponse:
    """Starlette's and FastAPI's own errors in our shape; a body they cannot parse (400) is a 422 like
    every other malformed request."""
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400:
        return error_response(422, "invalid_request", str(error.detail))
    code = _HTTP_CODES.get(error.status_code, "http_error")
    return error_response(error.status_code, code, str(error.detail), dict(error.headers or {}))


async def handle_unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "an unexpected error occurred; it has been logged")


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries: these statuses answer with ``ErrorOut``."""
    return {status: {"model": ErrorOut, "description": "error"} for status in statuses}


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


def _limit_body(receive: Receive, limit: int, max_bytes: int) -> Receive:
    """``receive`` that raises ``UploadTooLarge`` as soon as the body passes ``limit`` bytes."""
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise UploadTooLarge(_too_large(max_bytes))
        return message

    return limited


def _too_large(max_bytes: int) -> str:
    return f"the upload is larger than the limit of {max_bytes} bytes (NOTICEFLOW_MAX_UPLOAD_BYTES)"


async def receive_upload(request: Request, max_bytes: int) -> Upload:
    """The multipart ``file`` in a temp file, checked for size (413), emptiness (422) and type (415)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + FORM_OVERHEAD:
        raise UploadTooLarge(_too_large(max_bytes))
    limited = Request(request.scope, _limit_body(request.receive, max_bytes + FORM_OVERHEAD, max_bytes))
    try:
        form = await limited.form(max_files=1, max_fields=4)
    except StarletteHTTPException as error:  # python-multipart refused the body
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


# ---- background work --------------------------------------------------------------------------------------

JobKey = tuple[str, str]  # (tenant, document id)


class Jobs:
    """Uploads being processed, by (tenant, document id), on a bounded in-process thread pool.

    The same bytes sent again while they are processed join the running job. A finished job leaves the
    table (its result is in the store); one that raised stays (the last 1000) so a poll can report it.
    """

    def __init__(self, workers: int, max_pending: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="noticeflow-api")
        self._max_pending = max_pending
        self._running: dict[JobKey, Future[NoticeResult]] = {}
        self._crashed: OrderedDict[JobKey, BaseException] = OrderedDict()
        self._lock = threading.Lock()

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

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


def ingest_upload(store: Store, upload: Upload, tenant: str, context: PipelineContext) -> NoticeResult:
    """Process the upload and store its result (a failed one too: the next upload replaces it). Its bytes
    (and spool entry) are removed only once the result is stored; when processing or storing raises, a
    spooled upload stays for the next start, which resumes it (``flows.spool`` caps the attempts)."""
    try:
        result = process_document(upload.path, context, source=upload.source)
        keep_original(upload.path, result, context.settings.home)
        stored = store.save_result(result, tenant=tenant, actor="api", file_size=upload.size)
    except BaseException:
        upload.give_back()
        raise
    upload.discard()
    return stored


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


def resume_spooled(state: ApiState) -> None:
    """Submit again what earlier server processes answered 202 for and did not finish storing: the spool
    entries no other process holds, each held by its job until it ends."""
    for spooled in claim_spooled(state.settings.home):
        try:
            resume_upload(state, spooled)
        except Busy:
            spooled.release()
            log.warning("spool: more to resume than NOTICEFLOW_MAX_PENDING; the rest waits for a restart")
            return
        except Exception as error:  # the store is down, say: counted as a failed attempt
            spooled.give_back()
            failure = type(error).__name__  # not the message: a store's may quote the data it was sent
            log.warning("spool: resuming upload %s failed: %s", spooled.entry.document_id[:12], failure)


def resume_upload(state: ApiState, spooled: Spooled) -> None:
    entry = spooled.entry
    upload = Upload(spooled.data, entry.source, entry.size, entry.document_id, entry.profile_id, spooled)
    known = state.store.get_result(entry.document_id, entry.tenant)
    if known is not None and known.status is not Status.FAILED:
        upload.discard()  # stored just before that process ended
        return
    try:
        context = pipeline_context(state, entry.tenant, entry.profile_id, entry.as_of)
    except UnknownProfile:  # deleted since: match against all the tenant's profiles instead
        context = pipeline_context(state, entry.tenant, None, entry.as_of)
    work = functools.partial(ingest_upload, state.store, upload, entry.tenant, context)
    job, started = state.jobs.submit((entry.tenant, entry.document_id), work)
    if not started:
        settle_with(upload, job)
    log.info("resumed spooled upload %s for tenant %s", entry.document_id[:12], entry.tenant)


# ---- dependencies -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ApiState:
    settings: ApiSettings
    keys: tuple[ApiKey, ...]
    store: Store
    context: PipelineContext  # engine, catalog and page slots shared; profiles and as_of set per request
    jobs: Jobs
    sign_ins: SignInThrottle  # invalid keys per client address, here and on the sign-in page (flows.web)


def api_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.noticeflow
    return state


State = Annotated[ApiState, Depends(api_state)]
_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer KEY")
_header_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: KEY")


async def current_tenant(
    request: Request,
    state: State,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header_key)],
) -> str:
    """The caller's tenant: the one whose key matches, compared in constant time with every key. An
    address that sent too many invalid keys is refused (429) before its key is looked at."""
    address = client_address(request)
    if not state.keys:
        if not is_loopback(address):
            raise LoopbackOnly("no API keys are configured (NOTICEFLOW_API_KEYS): only loopback is served")
        return DEFAULT_TENANT
    if wait_s := state.sign_ins.wait_s(address):
        raise TooManyInvalidKeys(
            f"too many invalid API keys from this address; retry in {math.ceil(wait_s)} s", math.ceil(wait_s)
        )
    given = bearer.credentials if bearer else header_key
    if not given:
        raise MissingApiKey("send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'")
    key = match_api_key(state.keys, given)
    if key is None:
        state.sign_ins.failed(address)
        raise InvalidApiKey("the API key is not valid")
    return key.tenant


Tenant = Annotated[str, Depends(current_tenant)]
DocumentId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$", description="sha256 of the file's bytes")]
ProfileId = Annotated[
    str,
    PathParam(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@:+-]+$", description="the profile's id"),
]


def _require_iso_date(value: object) -> object:
    """Pydantic also reads numbers as Unix times ("0.0" → 1970-01-01); a date parameter must look like one."""
    if isinstance(value, str) and not regex.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("write the date as YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_require_iso_date)]
AsOf = Annotated[IsoDate | None, Query(description="today's date for deadlines (default: the server's)")]
Include = Annotated[
    Literal["text"] | None, Query(description="'text' asks for the raw OCR text, which is not stored (422)")
]


def refuse_raw_text(include: str | None) -> None:
    if include == "text":
        raise NotStored("the raw OCR text is not stored; results carry each field's matched text as 'raw'")


def pipeline_context(state: ApiState, tenant: str, profile_id: str | None, as_of: dt.date) -> PipelineContext:
    """The shared context with the tenant's profiles (only ``profile_id``'s when given)."""
    if profile_id is None:
        profiles = tuple(state.store.list_profiles(tenant))
    else:
        profile = state.store.get_profile(profile_id, tenant)
        if profile is None:
            raise UnknownProfile(f"no profile {profile_id!r}; create it with PUT /v1/profiles/{{id}}")
        profiles = (profile,)
    return dataclasses.replace(state.context, profiles=profiles, as_of=as_of)


# ---- routes -----------------------------------------------------------------------------------------------

health = APIRouter(tags=["health"])
v1 = APIRouter(prefix="/v1", responses=error_responses(401, 403, 422, 429, 503))


@health.get("/healthz")
def healthz() -> HealthOut:
    return HealthOut()


@health.get("/readyz", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
def readyz(state: State) -> JSONResponse:
    checks = {
        "store": state.store.ping(),
        "tesseract": shutil.which("tesseract") is not None,
        "pdfinfo": shutil.which("pdfinfo") is not None,
    }
    ready = all(checks.values())
    body = ReadyOut(status="ready" if ready else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "additionalProperties": False,
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "PDF, PNG, JPEG or TIFF",
                        },
                        "profile_id": {"type": "string", "description": "match against this profile only"},
                    },
                }
            }
        },
    }
}


def pending_response(request: Request, document_id: str) -> JSONResponse:
    location = request.app.url_path_for("get_notice", document_id=document_id)
    body = PendingOut(document_id=document_id, location=str(location))
    return JSONResponse(
        body.model_dump(), status_code=202, headers={"Location": str(location), "Retry-After": "1"}
    )


@v1.post(
    "/notices",
    status_code=201,
    response_model=NoticeOut,
    tags=["notices"],
    openapi_extra=UPLOAD_BODY,
    responses={
        200: {"model": NoticeOut, "description": "the same bytes were uploaded before: status 'duplicate'"},
        202: {"model": PendingOut, "description": "accepted (?wait=false): poll the Location"},
        **error_responses(413, 415),
    },
)
async def upload_notice(
    request: Request,
    response: Response,
    tenant: Tenant,
    state: State,
    wait: Annotated[
        bool, Query(description="false: answer 202 at once and process in the background")
    ] = True,
    as_of: AsOf = None,
    include: Include = None,
) -> Any:
    """Upload one notice (multipart field ``file``, optional ``profile_id``) and get its result."""
    refuse_raw_text(include)
    upload = await receive_upload(request, state.settings.max_upload_bytes)
    is_handed_over = False  # once a job owns the upload's files, they are removed (or kept) there
    try:
        today = as_of or dt.date.today()
        context = await run_in_threadpool(pipeline_context, state, tenant, upload.profile_id, today)
        known = await run_in_threadpool(state.store.get_result, upload.document_id, tenant)
        if known is not None and known.status is not Status.FAILED:
            return answer_with(known, response, is_duplicate=True)
        if not wait:  # a 202 promises a result: keep the bytes on disk until it is stored
            upload = await run_in_threadpool(spool_for_later, upload, tenant, today, state.settings.home)
        work = functools.partial(ingest_upload, state.store, upload, tenant, context)
        future, started = state.jobs.submit((tenant, upload.document_id), work)
        if not (started or wait):  # joined a running job: this 202's spool entry ends as that job does
            settle_with(upload, future)
        is_handed_over = started or not wait
    finally:
        if not is_handed_over:
            upload.discard()
    if not wait:
        return pending_response(request, upload.document_id)
    result = await asyncio.shield(asyncio.wrap_future(future))  # a client that leaves cancels nothing
    return answer_with(result, response, is_duplicate=not started)


def answer_with(result: NoticeResult, response: Response, *, is_duplicate: bool) -> NoticeOut:
    """The result as the answer: 201 when new, 200 for a duplicate; a failed result raises the error its
    code names (so HTTP_STATUS decides the status)."""
    if result.status is Status.FAILED and result.error is not None:
        raise error_type_for_code(result.error.code)(result.error.message)
    if is_duplicate:
        result = result.model_copy(update={"status": Status.DUPLICATE})
    response.status_code = 200 if result.status is Status.DUPLICATE else 201
    return NoticeOut.from_result(result)


@v1.get("/notices", tags=["notices"])
def list_notices(
    tenant: Tenant,
    state: State,
    status: Status | None = None,
    priority: Priority | None = None,
    category: Category | None = None,
    due_before: Annotated[IsoDate | None, Query(description="deadline strictly before this date")] = None,
    profile_id: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> NoticePage:
    """The tenant's notices, most urgent first (priority, then deadline)."""
    results = state.store.list_results(
        tenant, status, priority, category, due_before, profile_id, limit=limit + 1, offset=offset
    )
    return NoticePage(
        items=[NoticeOut.from_result(result) for result in results[:limit]],
        limit=limit,
        offset=offset,
        next_offset=offset + limit if len(results) > limit else None,
    )


@v1.get(
    "/notices/{document_id}",
    tags=["notices"],
    response_model=NoticeOut,
    responses={202: {"model": PendingOut, "description": "still being processed"}, **error_responses(404)},
)
def get_notice(
    request: Request, document_id: DocumentId, tenant: Tenant, state: State, include: Include = None
) -> Any:
    refuse_raw_text(include)
    key = (tenant, document_id)
    if state.jobs.is_running(key):
        return pending_response(request, document_id)
    state.jobs.raise_if_crashed(key)
    return NoticeOut.from_result(state.store.result(document_id, tenant))


@v1.get(
    "/notices/{document_id}/letter",
    tags=["notices"],
    response_class=Response,  # errors stay documented as JSON; the 200 is text/plain (below)
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}, **error_responses(404)},
)
def get_letter(
    document_id: DocumentId,
    tenant: Tenant,
    state: State,
    stance: Stance,
    reason: Annotated[
        str | None, Query(max_length=2000, description="why you disagree (required then)")
    ] = None,
    attach: Annotated[
        list[Annotated[str, StringConstraints(max_length=200)]] | None,
        Query(max_length=20, description="a document to enclose (repeat)"),
    ] = None,
    monthly_plan: Annotated[
        Decimal | None, Query(gt=0, max_digits=12, decimal_places=2, description="ask for a payment plan")
    ] = None,
) -> PlainTextResponse:
    """A draft reply for the taxpayer to check, sign and mail (the same as ``noticeflow letter``)."""
    if stance is Stance.DISAGREE and not (reason and reason.strip()):
        raise ApiError("a letter that disagrees needs a reason")
    result = state.store.result(document_id, tenant)
    profile = state.store.get_profile(result.profile_id, tenant) if result.profile_id else None
    text = draft_letter(result, profile, stance, reason, attach or [], monthly_plan)
    return PlainTextResponse(mask_full_ssns(text))


@v1.get("/notices/{document_id}/audit", tags=["notices"], responses=error_responses(404))
def get_audit(document_id: DocumentId, tenant: Tenant, state: State) -> AuditPage:
    """Who did what to the notice, oldest first."""
    state.store.result(document_id, tenant)  # DocumentNotFound: another tenant's is a 404 too
    return AuditPage(
        items=[AuditOut.from_entry(entry) for entry in state.store.audit_log(document_id, tenant)]
    )


@v1.post("/notices/{document_id}/review", tags=["notices"], responses=error_responses(404))
def review_notice(
    document_id: DocumentId, review: ReviewIn, tenant: Tenant, state: State, as_of: AsOf = None
) -> NoticeOut:
    """Accept, correct or reject the result (the CLI's rules); audited under the reviewer's name, or the
    tenant's when none is given."""
    actor = review.reviewer or tenant
    store = state.store
    if isinstance(review, AcceptIn):
        result = accept_result(store, document_id, actor=actor, reason=review.reason, tenant=tenant)
    elif isinstance(review, CorrectIn):
        result = correct_result(
            store, document_id, {name: str(value) for name, value in review.fields.items()},
            actor=actor, catalog=state.context.catalog, as_of=as_of or dt.date.today(),
            min_confidence=state.settings.min_confidence, tenant=tenant,
        )  # fmt: skip
    else:
        result = reject_result(store, document_id, review.reason, actor=actor, tenant=tenant)
    return NoticeOut.from_result(result)


@v1.get("/profiles", tags=["profiles"])
def list_profiles(tenant: Tenant, state: State) -> ProfilePage:
    return ProfilePage(items=state.store.list_profiles(tenant))


@v1.get("/profiles/{profile_id}", tags=["profiles"], responses=error_responses(404))
def get_profile(profile_id: ProfileId, tenant: Tenant, state: State) -> TaxpayerProfile:
    return state.store.profile(profile_id, tenant)


@v1.put(
    "/profiles/{profile_id}",
    tags=["profiles"],
    responses={201: {"model": TaxpayerProfile, "description": "created"}},
)
def put_profile(
    profile_id: ProfileId, body: ProfileIn, response: Response, tenant: Tenant, state: State
) -> TaxpayerProfile:
    """Create (201) or replace (200) the profile; unknown keys are ignored; ``id`` may be left out."""
    if body.id is not None and body.id != profile_id:
        raise BadProfiles(f"the body's id {body.id!r} is not the path's {profile_id!r}")
    try:
        profile = TaxpayerProfile.model_validate({**body.model_dump(), "id": profile_id})
    except ValidationError as error:
        raise BadProfiles(describe_errors(error.errors())) from None
    existed = state.store.get_profile(profile_id, tenant) is not None
    state.store.put_profile(profile, tenant)
    response.status_code = 200 if existed else 201
    return profile


@v1.delete("/profiles/{profile_id}", tags=["profiles"], status_code=204, responses=error_responses(404))
def delete_profile(profile_id: ProfileId, tenant: Tenant, state: State) -> Response:
    if not state.store.delete_profile(profile_id, tenant):
        raise ProfileNotFound(f"no profile {profile_id!r}")
    return Response(status_code=204)


# ---- the app ----------------------------------------------------------------------------------------------


def create_app(settings: ApiSettings | None = None, store: Store | None = None) -> FastAPI:
    """The API over ``store`` (default: the configured one, opened here and closed at shutdown)."""
    settings = settings or load_api_settings()
    owns_store = store is None
    if store is None:
        settings.home.mkdir(parents=True, exist_ok=True)
        store = open_store(settings.database_url)
    context = PipelineContext.default(dt.date.today(), settings)
    state = ApiState(
        settings=settings,
        keys=settings.keys,
        store=store,
        context=context,
        jobs=Jobs(workers=settings.workers, max_pending=settings.max_pending),
        sign_ins=SignInThrottle(settings.sign_in_attempts, settings.sign_in_window_minutes * 60),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(resume_spooled, state)
        yield
        await run_in_threadpool(state.jobs.shutdown)
        if owns_store:
            state.store.close()

    app = FastAPI(
        title="noticeflow",
        version=API_VERSION,
        summary="Turn scanned IRS notices into checked, triaged records.",
        lifespan=lifespan,
    )
    app.state.noticeflow = state
    app.include_router(health)
    app.include_router(v1)
    app.add_exception_handler(NoticeflowError, handle_noticeflow_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(Exception, handle_unexpected)
    from flows.web import mount_web  # here, not at the top: flows.web imports this module

    mount_web(app)
    return app
