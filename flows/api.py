"""The HTTP API: other apps upload notices and read, review and answer them (``noticeflow serve``).

``create_app(settings, store, web_settings)`` returns the FastAPI app, the review pages (flows.web) beside
it; ``uvicorn --factory flows.api:create_app`` serves it too. Routes (OpenAPI at ``/openapi.json``, docs
at ``/docs``):

    GET    /healthz                   the process is up (no key needed)
    GET    /readyz                    the store answers, tesseract and pdfinfo are installed (200 or 503)
    POST   /v1/notices                multipart ``file`` (+ optional ``profile_id``) → the result JSON:
                                      201 new, 200 ``duplicate`` (same bytes); ``?wait=false`` → 202
                                      ``{"document_id", "status": "pending", "location"}`` + Location
    GET    /v1/notices                ``?status=&priority=&category=&due_before=&profile_id=&limit=&offset=``
    GET    /v1/notices/{id}           the result; 202 pending while a ``wait=false`` upload is processed
    GET    /v1/notices/{id}/letter    ``?stance=agree|disagree&reason=&attach=&monthly_plan=`` → text/plain
    POST   /v1/notices/{id}/letter    the same as a JSON body (``LetterIn``): the reason stays out of URLs
    GET    /v1/notices/{id}/audit     the document's audit log
    POST   /v1/notices/{id}/review    ``{"decision": "accept" | "correct" | "reject", ...}`` (pipeline.review)
    GET    /v1/cases                  ``?status=open|closed&limit=&offset=``: open first, most urgent first
    GET    /v1/cases/{id}             timeline, copies, superseded notices, deadline, status, events
    POST   /v1/cases/{id}/events      ``{"kind": "payment_plan" | "dispute", "detail", "on", "document_id"}``
    GET    /v1/profiles, GET/PUT/DELETE /v1/profiles/{id}
    POST   /v1/calendar/token, GET /v1/calendar.ics?token=   the calendar feed (flows.calendar_routes)

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

The modules, by job (each imports only those above it, and none imports this one):

    flows.http_errors   the API's error classes, the status table, the error handlers
    flows.api_keys      API keys, ``ApiSettings``, loopback, the tenant of a key (``tenant_for``)
    flows.jobs          receiving an upload, the job table, ``ingest_upload``, the spool and its resumption
    flows.api_deps      ``ApiState`` (what the app holds) and the ``State`` / ``Tenant`` dependencies
    flows.api_guards    what every request passes first: body limits, keyless Host/Origin, trusted proxies
    flows.api_log       the access log without full SSNs
    flows.api_routes    the routes above
    flows.calendar_routes  the calendar feed and its token
    flows.web           the review pages for people, mounted beside the API
    flows.api           ``create_app``: the app, with the routes, the error handlers and the pages
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from flows.api_deps import ApiState
from flows.api_guards import guard_requests
from flows.api_keys import ApiSettings, load_api_settings
from flows.api_log import mask_access_log
from flows.api_routes import health, v1
from flows.calendar_routes import calendar
from flows.http_errors import add_error_handlers
from flows.jobs import Jobs, resume_spooled
from flows.throttle import SignInThrottle
from flows.web import mount_web
from flows.web_pages import WebSettings, load_web_settings
from pipeline.ingest import IngestService, ingest
from pipeline.process import PipelineContext
from pipeline.store import Store, open_store

API_VERSION = "1"


def create_app(
    settings: ApiSettings | None = None,
    store: Store | None = None,
    web_settings: WebSettings | None = None,
    service: IngestService = ingest,
) -> FastAPI:
    """The API and the review pages over ``store`` (default: the configured one, opened here and closed at
    shutdown); ``settings`` and ``web_settings`` default to the environment's. ``service``: how an upload
    is ingested (in this process, or ``flows.orchestration.run_document``: each upload a Prefect flow run)."""
    settings = settings or load_api_settings()
    owns_store = store is None
    if store is None:
        settings.home.mkdir(parents=True, exist_ok=True)
        store = open_store(settings.database_url)
    state = ApiState(
        settings=settings,
        keys=settings.keys,
        store=store,
        context=PipelineContext.default(dt.date.today(), settings),
        jobs=Jobs(workers=settings.workers, max_pending=settings.max_pending, service=service),
        sign_ins=SignInThrottle(settings.sign_in_attempts, settings.sign_in_window_minutes * 60),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(resume_spooled, settings.home, state.store, state.jobs, state.context)
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
    app.include_router(calendar)
    add_error_handlers(app)
    mount_web(app, web_settings or load_web_settings())
    guard_requests(app, settings)
    mask_access_log()
    return app
