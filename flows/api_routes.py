"""The API's routes (``flows.api.create_app`` mounts them; the module docstring there lists them).

Each route translates HTTP into calls on the store, ``pipeline.review``, ``pipeline.letter`` and the upload
jobs (``flows.jobs``), and their answers into the public models of ``flows.api_models``; errors are raised
as exceptions and answered by ``flows.http_errors``. Every route but the health checks runs as the caller's
tenant (``flows.api_deps.Tenant``): another tenant's notice or profile is a 404.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import regex
from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BeforeValidator, ValidationError

from extractors.ssn import mask_full_ssns
from flows.api_deps import ApiState, State, Tenant
from flows.api_models import (
    AcceptIn,
    Attachment,
    AuditOut,
    AuditPage,
    CaseEventIn,
    CasePage,
    CorrectIn,
    HealthOut,
    LetterIn,
    MonthlyPlan,
    NoticeOut,
    NoticePage,
    PendingOut,
    ProfileIn,
    ProfilePage,
    ReadyOut,
    Reason,
    ReviewIn,
    SplitIn,
)
from flows.http_errors import ApiError, NotStored, describe_errors, error_responses, error_type_for_code
from flows.jobs import pipeline_context, receive_upload, settle_with, spool_for_later, start_ingest
from pipeline.cases import Case, CaseEventKind, CaseStatus, case_for_day
from pipeline.errors import BadProfiles, ProfileNotFound
from pipeline.letter import Stance, draft_letter
from pipeline.models import Category, NoticeResult, Priority, Status
from pipeline.profiles import TaxpayerProfile
from pipeline.review import accept_result, correct_result, move_boundaries, reject_result
from pipeline.store import Store

DocumentId = Annotated[
    str,
    PathParam(
        pattern=r"^[0-9a-f]{64}(?::p[0-9]{1,4}-[0-9]{1,4})?$",
        description="sha256 of the file's bytes; a notice of a scanned stack adds its pages (':p3-5')",
    ),
]
CaseId = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="the case's id")]
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
        context = await run_in_threadpool(
            pipeline_context, state.store, state.context, tenant, upload.profile_id, today
        )
        known = await run_in_threadpool(state.store.get_result, upload.document_id, tenant)
        if known is not None and known.status is not Status.FAILED:
            return answer_with(known, response, today, is_duplicate=True)
        if not wait:  # a 202 promises a result: keep the bytes on disk until it is stored
            upload = await run_in_threadpool(spool_for_later, upload, tenant, today, state.settings.home)
        future, started = start_ingest(state.jobs, state.store, upload, tenant, context)
        if not (started or wait):  # joined a running job: this 202's spool entry ends as that job does
            settle_with(upload, future)
        is_handed_over = started or not wait
    finally:
        if not is_handed_over:
            upload.discard()
    if not wait:
        return pending_response(request, upload.document_id)
    result = await asyncio.shield(asyncio.wrap_future(future))  # a client that leaves cancels nothing
    return answer_with(result, response, today, is_duplicate=not started)


def answer_with(result: NoticeResult, response: Response, day: dt.date, *, is_duplicate: bool) -> NoticeOut:
    """The result as the answer for ``day``: 201 when new, 200 for a duplicate; a failed result raises the
    error its code names (so HTTP_STATUS decides the status)."""
    if result.status is Status.FAILED and result.error is not None:
        raise error_type_for_code(result.error.code)(result.error.message)
    if is_duplicate:
        result = result.model_copy(update={"status": Status.DUPLICATE})
    response.status_code = 200 if result.status is Status.DUPLICATE else 201
    return NoticeOut.from_result(result, day)


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
    as_of: AsOf = None,
) -> NoticePage:
    """The tenant's notices, most urgent first (priority on ``as_of``, then deadline), each with its case's
    route as the single read gives it."""
    today = as_of or dt.date.today()
    filters = (status, priority, category, due_before, profile_id)
    results = state.store.list_results(tenant, *filters, limit=limit + 1, offset=offset, as_of=today)
    return NoticePage(
        items=notices_in_their_cases(state.store, tenant, results[:limit], today),
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
    request: Request,
    document_id: DocumentId,
    tenant: Tenant,
    state: State,
    include: Include = None,
    as_of: AsOf = None,
) -> Any:
    """The stored result (read first: another process, or a retry, may have stored it since a job here
    failed); 202 while a job for it runs and nothing better is stored; else the job's failure, or 404."""
    refuse_raw_text(include)
    key = (tenant, document_id)
    known = state.store.get_result(document_id, tenant)
    is_better_coming = known is None or known.status is Status.FAILED
    if is_better_coming and state.jobs.is_running(key):
        return pending_response(request, document_id)
    if known is None:
        state.jobs.raise_if_crashed(key)
        known = state.store.result(document_id, tenant)  # DocumentNotFound, unless stored just now
    return notices_in_their_cases(state.store, tenant, [known], as_of or dt.date.today())[0]


def notices_in_their_cases(
    store: Store, tenant: str, results: Sequence[NoticeResult], day: dt.date
) -> list[NoticeOut]:
    """The results as the API answers them on ``day``, each routed in its case (``route_in_case``, through
    ``NoticeOut.from_result``); a case shared by several results is read once."""
    case_ids = {result.document_id: store.case_id_of(result.document_id, tenant) for result in results}
    cases: dict[int | None, Case | None] = {None: None}
    for case_id in case_ids.values():
        if case_id is not None and case_id not in cases:
            cases[case_id] = store.case(case_id, tenant)
    return [NoticeOut.from_result(result, day, cases[case_ids[result.document_id]]) for result in results]


LETTER_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
    **error_responses(404),
}


@v1.get(
    "/notices/{document_id}/letter",
    tags=["notices"],
    response_class=Response,  # errors stay documented as JSON; the 200 is text/plain (below)
    responses=LETTER_RESPONSES,
)
def get_letter(
    document_id: DocumentId,
    tenant: Tenant,
    state: State,
    stance: Stance,
    reason: Annotated[
        Reason | None, Query(description="why you disagree (required then); POST keeps it out of URLs")
    ] = None,
    attach: Annotated[
        list[Attachment] | None, Query(max_length=20, description="a document to enclose")
    ] = None,
    monthly_plan: Annotated[MonthlyPlan | None, Query(description="ask for a payment plan")] = None,
) -> PlainTextResponse:
    """A draft reply for the taxpayer to check, sign and mail (the same as ``noticeflow letter``)."""
    choices = LetterIn(stance=stance, reason=reason, attach=attach or [], monthly_plan=monthly_plan)
    return letter_for(state, tenant, document_id, choices)


@v1.post(
    "/notices/{document_id}/letter", tags=["notices"], response_class=Response, responses=LETTER_RESPONSES
)
def post_letter(
    document_id: DocumentId, choices: LetterIn, tenant: Tenant, state: State
) -> PlainTextResponse:
    """The draft reply, its choices sent as JSON: the reason stays out of URLs and access logs."""
    return letter_for(state, tenant, document_id, choices)


def letter_for(state: ApiState, tenant: str, document_id: str, choices: LetterIn) -> PlainTextResponse:
    if choices.stance is Stance.DISAGREE and not (choices.reason and choices.reason.strip()):
        raise ApiError("a letter that disagrees needs a reason")
    result = state.store.result(document_id, tenant)
    profile = state.store.get_profile(result.profile_id, tenant) if result.profile_id else None
    text = draft_letter(result, profile, choices.stance, choices.reason, choices.attach, choices.monthly_plan)
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
    actor, store, today = review.reviewer or tenant, state.store, as_of or dt.date.today()
    if isinstance(review, AcceptIn):
        result = accept_result(store, document_id, actor=actor, reason=review.reason, tenant=tenant)
    elif isinstance(review, CorrectIn):
        result = correct_result(
            store, document_id, {name: str(value) for name, value in review.fields.items()},
            actor=actor, catalog=state.context.catalog, as_of=today,
            min_confidence=state.settings.min_confidence, tenant=tenant,
        )  # fmt: skip
    else:
        result = reject_result(store, document_id, review.reason, actor=actor, tenant=tenant)
    return NoticeOut.from_result(result, today)


@v1.get("/cases", tags=["cases"])
def list_cases(
    tenant: Tenant,
    state: State,
    status: CaseStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    as_of: AsOf = None,
) -> CasePage:
    """The tenant's cases (notices about one debt), open first, then most urgent first on ``as_of``."""
    today = as_of or dt.date.today()
    cases = state.store.list_cases(tenant, status, limit=limit + 1, offset=offset, as_of=today)
    return CasePage(
        items=[case_for_day(case, today) for case in cases[:limit]],
        limit=limit,
        offset=offset,
        next_offset=offset + limit if len(cases) > limit else None,
    )


@v1.get("/cases/{case_id}", tags=["cases"], responses=error_responses(404))
def get_case(case_id: CaseId, tenant: Tenant, state: State, as_of: AsOf = None) -> Case:
    """The case's timeline (notices by date and escalation step, each with its copies and what superseded
    it), its deadline, priority, status and events."""
    return case_for_day(state.store.case(case_id, tenant), as_of or dt.date.today())


@v1.post("/cases/{case_id}/events", tags=["cases"], status_code=201, responses=error_responses(404))
def post_case_event(case_id: CaseId, event: CaseEventIn, tenant: Tenant, state: State) -> Case:
    """Record a payment plan agreed for the case (the notices dated from then on route to the plan, not to
    paying) or a dispute of one of its notices (the case's other collection notices say so)."""
    if event.kind is CaseEventKind.DISPUTE and event.document_id is None:
        raise ApiError("a dispute names the notice disputed: document_id")
    on, actor = event.on or dt.date.today(), event.reviewer or tenant
    state.store.record_case_event(case_id, tenant, event.kind, on, event.detail, actor, event.document_id)
    return state.store.case(case_id, tenant)


@v1.post("/notices/{document_id}/split", tags=["notices"], responses=error_responses(404))
def split_notice(
    document_id: DocumentId, cut: SplitIn, tenant: Tenant, state: State, as_of: AsOf = None
) -> NoticeOut:
    """Move the boundaries between the notices of a scanned stack: ``starts`` lists each notice's first
    page. Its notices are derived anew from the pages read at upload (no OCR); a notice whose pages did not
    change keeps its result, the others replace it (audited under the reviewer's name, or the tenant's)."""
    today = as_of or dt.date.today()
    context = pipeline_context(state.store, state.context, tenant, None, today)
    result = move_boundaries(
        state.store, document_id, cut.starts, actor=cut.reviewer or tenant, context=context, tenant=tenant
    )
    return NoticeOut.from_result(result, today)


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
