"""The review pages for people, served by ``noticeflow serve`` under ``/`` beside the API.

``mount_web(app, settings)`` adds the pages to the app ``flows.api.create_app`` makes, once (they read the
store, keys and pipeline context from ``app.state.noticeflow``, ``flows.api_deps.ApiState``); this module
never imports the app factory. ``uvicorn --factory flows.api:create_app`` serves the API and the pages.
This module holds the sign-in, queue and notice pages; ``flows.web_profiles`` the profile pages,
``flows.web_pages`` what they share (settings, the user, forms, rendering), ``flows.web_session`` the
signed session cookie.

Pages (server-rendered Jinja2, ``flows/templates``; a little vanilla JS and CSS in ``flows/static``):

    GET  /login, POST /login, POST /logout   paste an API key; the session maps to the key's tenant
    GET  /                                    the queue: one row per open case (its most urgent notice, with
                                              the count of notices in it; copies and superseded notices
                                              left out), priority then deadline; ?status=&priority=&category=
                                              &client=&offset=; counts of overdue, due within 7 days, scams
    GET  /notices/{id}                        the scan with a box around each field, the fields with
                                              correction inputs, checks, triage, scam signals, audit history
    GET  /notices/{id}/pages/{n}.png          a page preview (pipeline.archive), cached under home/cache
    POST /notices/{id}/accept|correct|reject  pipeline.review, as the API calls it; 303 back to the notice
    GET  /notices/{id}/letter?stance=&reason= the draft letter as a text/plain download; the page's
    POST /notices/{id}/letter                 disagree form posts (a reason stays out of URLs and logs)
    GET  /profiles, POST /profiles            the tenant's taxpayer profiles; add one
    GET  /profiles/{id}, POST /profiles/{id}  view and edit one (validated as TaxpayerProfile)

Security: the login form takes a key from ``NOTICEFLOW_API_KEYS`` (compared in constant time with every
key); the session cookie (HttpOnly, SameSite=Strict, Secure when the request is https) holds a signed
session: an HMAC-SHA256 over its JSON with ``NOTICEFLOW_SESSION_SECRET`` (at least 32 characters; without
it a random per-process secret, so sessions end at a restart and several workers need the variable). The
session names its key by an HMAC of the key's digest, never the key: removing a key from the configuration
ends its sessions. Sessions last ``NOTICEFLOW_SESSION_HOURS`` (12); signing out revokes the session in the
store (``Store.revoke_session``), so a saved copy of its cookie no longer works either. After 5 invalid
keys within 15 minutes (sign-ins and API requests alike: the throttle is the API's, ``flows.throttle``) an
address gets 429 with ``Retry-After`` until the oldest leaves the window; a successful sign-in does not
clear the count.
Every POST form carries the session's CSRF token in a hidden field, checked in constant time; the login
form too, with a session that has no key yet. Without API keys, loopback clients are the "default" tenant
with no login, as in the API. Another tenant's notice, page image or profile is a 404. Pages are sent with a
strict Content-Security-Policy (no inline script or style) and ``Cache-Control: no-store``.

``NOTICEFLOW_AS_OF`` (YYYY-MM-DD) fixes "today" for days left and corrections (demos and tests); by default
it is the server's date. Days left and the priority that follows from them are those of today
(``pipeline.triage.for_day``), never the stored ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import regex
from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from extractors.ssn import mask_full_ssns
from flows.api_deps import ApiState
from flows.api_keys import client_address, match_api_key
from flows.api_models import AuditOut, NoticeOut
from flows.jobs import pipeline_context
from flows.web_pages import (
    CONTROL,
    COOKIE,
    HERE,
    PROFILE_ID,
    Api,
    LoginRequired,
    PageError,
    User,
    Web,
    WebSettings,
    WebState,
    WebUser,
    handle_login_required,
    handle_page_error,
    make_web_state,
    read_form,
    redirect,
    render,
    safe_next,
    secure,
    text_field,
)
from flows.web_profiles import router as profile_pages
from pipeline.archive import PagePreview, preview_page, preview_pages
from pipeline.cases import CaseSummary, case_for_day
from pipeline.errors import BadCorrection, DocumentError, DocumentNotFound
from pipeline.fields import CORRECTABLE
from pipeline.letter import Stance, draft_letter
from pipeline.models import (
    BBox,
    Category,
    NoticeResult,
    Priority,
    ScamRisk,
    Status,
)
from pipeline.review import accept_result, correct_result, move_boundaries, reject_result
from pipeline.triage import days_until, is_near

log = logging.getLogger("noticeflow.web")

PAGE_SIZE = 50
COUNT_LIMIT = 10_000  # results read to count overdue / due soon / scams on the queue page


# ---- presentation -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class QueueRow:
    result: NoticeOut
    client: str
    days_left: int | None
    notices: int  # in its case (the row stands for the case); 1 for a document in none


@dataclasses.dataclass(frozen=True)
class Counts:
    overdue: int
    due_soon: int
    scams: int


def queue_rows(
    results: Iterable[NoticeOut], names: Mapping[str, str], cases: Mapping[str, CaseSummary]
) -> list[QueueRow]:
    rows = []
    for result in results:
        taxpayer = result.fields.get("taxpayer_name")
        name = names.get(result.profile_id or "") or (
            str(taxpayer.value) if taxpayer and taxpayer.value else ""
        )
        client = (
            f"{result.profile_id} · {name}" if result.profile_id and name else (result.profile_id or name)
        )
        case = cases.get(result.document_id)
        notices = case.notice_count if case else 1
        rows.append(QueueRow(result, client or "unmatched", result.triage.days_left, notices))
    return rows


def count_urgent(results: Iterable[NoticeResult | NoticeOut], today: dt.date) -> Counts:
    """How many notices are overdue, due soon (``pipeline.triage.is_near``), and likely scams (high risk)."""
    overdue = due_soon = scams = 0
    for result in results:
        days = days_until(result.fields, today)
        overdue += days is not None and days < 0
        due_soon += days is not None and days >= 0 and is_near(days)
        scams += result.scam.risk is ScamRisk.HIGH
    return Counts(overdue, due_soon, scams)


@dataclasses.dataclass(frozen=True)
class FieldBox:
    name: str
    x: int
    y: int
    width: int
    height: int


def field_boxes(result: NoticeOut, page: int) -> list[FieldBox]:
    return [
        FieldBox(name, *field.bbox)
        for name, field in result.fields.items()
        if field.page == page and field.bbox is not None and field.value is not None
    ]


# ---- login ------------------------------------------------------------------------------------------------

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_page(request: Request, web: Web, api: Api, next: str | None = None) -> Response:
    session = web.signer.load(request.cookies.get(COOKIE))
    if not api.keys or (session and session.key_id and web.signer.find_key(api.keys, session.key_id)):
        return redirect(request, safe_next(next))
    session = session or web.signer.new()
    return render(request, "login.html", session, next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request, web: Web, api: Api) -> Response:
    session = web.signer.load(request.cookies.get(COOKIE))
    if session is None:
        message = "Your session expired before you signed in. Please try again."
        return render(request, "login.html", web.signer.new(), 400, next="/", error=message)
    form = await read_form(request, session)
    next_path = safe_next(text_field(form, "next"))
    address = client_address(request)
    if wait_s := api.sign_ins.wait_s(address):
        minutes = math.ceil(wait_s / 60)
        error = f"Too many failed sign-ins from your address. Try again in {minutes} minute(s)."
        refused = render(request, "login.html", session, 429, next=next_path, error=error)
        refused.headers["Retry-After"] = str(math.ceil(wait_s))
        return refused
    key = match_api_key(api.keys, text_field(form, "api_key", 1000))
    if key is None:
        api.sign_ins.failed(address)
        log.info("web login refused from %s", address)
        return render(request, "login.html", session, 403, next=next_path, error="That API key is not valid.")
    reviewer = text_field(form, "reviewer", 100) or None
    return redirect(request, next_path, web.signer.new(web.signer.key_id(key), reviewer))


@router.post("/logout")
async def logout(request: Request, user: User, web: Web, api: Api) -> Response:
    """Ends the session for good: a copy of its cookie is refused from now on, not only this browser's."""
    await read_form(request, user.session)
    await run_in_threadpool(api.store.revoke_session, user.session.id, web.signer.expires_at(user.session))
    response = redirect(request, "/login")
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


# ---- the queue --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class QueueFilters:
    status: Status | None = None
    priority: Priority | None = None
    category: Category | None = None
    client: str | None = None
    offset: int = 0

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> QueueFilters:
        """Filters from the query string; a value that is not one of the choices is ignored."""

        def choice(name: str, kind: Callable[[str], Any]) -> Any:
            try:
                return kind(query[name]) if query.get(name) else None
            except ValueError:
                return None

        client = query.get("client") or None
        offset = query.get("offset", "0")
        return cls(
            status=choice("status", Status), priority=choice("priority", Priority),
            category=choice("category", Category),
            client=client if client and PROFILE_ID.fullmatch(client) else None,
            offset=int(offset) if offset.isdigit() and len(offset) < 10 else 0,
        )  # fmt: skip

    def query(self, **changes: object) -> str:
        values = {**dataclasses.asdict(self), **changes}
        return urlencode({k: str(v) for k, v in values.items() if v not in (None, 0, "")})


@router.get("/")
def queue_page(request: Request, user: User, web: Web, api: Api) -> Response:
    filters = QueueFilters.from_query(request.query_params)
    store, today = api.store, web.today()
    profiles = store.list_profiles(user.tenant)
    names = {profile.id: profile.display_name for profile in profiles}
    found = store.list_results(
        user.tenant, filters.status, filters.priority, filters.category, None, filters.client,
        limit=PAGE_SIZE + 1, offset=filters.offset, as_of=today, one_per_case=True,
    )  # fmt: skip
    cases = store.cases_of([result.document_id for result in found[:PAGE_SIZE]], user.tenant)
    rows = queue_rows((NoticeOut.from_result(r, today) for r in found[:PAGE_SIZE]), names, cases)
    everything = store.list_results(user.tenant, limit=COUNT_LIMIT, without_linked=True)
    return render(
        request, "queue.html", user.session, user=user, rows=rows, counts=count_urgent(everything, today),
        total=len(everything), filters=filters, profiles=profiles,
        next_query=filters.query(offset=filters.offset + PAGE_SIZE) if len(found) > PAGE_SIZE else None,
        previous_query=filters.query(offset=max(0, filters.offset - PAGE_SIZE)) if filters.offset else None,
    )  # fmt: skip


# ---- one notice -------------------------------------------------------------------------------------------


def find_result(api: ApiState, document_id: str, tenant: str) -> NoticeResult:
    """The tenant's notice; another tenant's (or no such) id is the same 404."""
    try:
        return api.store.result(document_id, tenant)
    except DocumentNotFound:
        raise PageError(404, "There is no such notice.") from None


def find_notice(api: ApiState, document_id: str, tenant: str, day: dt.date) -> NoticeOut:
    result = find_result(api, document_id, tenant)
    return NoticeOut.from_result(result, day, api.store.case_of_document(document_id, tenant))


def find_reviewable(api: ApiState, document_id: str, tenant: str, day: dt.date) -> NoticeOut:
    """The tenant's notice, if it has a result a person can review (a failed one has no values)."""
    result = find_notice(api, document_id, tenant, day)
    if result.status is Status.FAILED:
        raise PageError(409, "Processing this document failed: there are no values to review.")
    return result


def page_boxes(result: NoticeOut) -> dict[int, list[BBox]]:
    """The boxes of the fields that have a value, by page: they also tell which way up a scan was read."""
    boxes: dict[int, list[BBox]] = {}
    for field in result.fields.values():
        if field.page is not None and field.bbox is not None and field.value is not None:
            boxes.setdefault(field.page, []).append(field.bbox)
    return boxes


def load_previews(web: WebState, api: ApiState, result: NoticeOut) -> tuple[PagePreview, ...] | str:
    """The page previews (a notice of a stack: its own pages of the stack's file), or why the scan cannot
    be shown."""
    try:
        previews = preview_pages(kept_file_id(result), api.settings.home, web.previews, page_boxes(result))
    except DocumentError as error:
        return f"The kept file cannot be shown: {error.message}"
    if previews is None:
        return "The original file was not kept, so the scan is not shown."
    return tuple(page for page in previews if is_own_page(result, page.number))


def kept_file_id(result: NoticeResult) -> str:
    """The id the file a result was read from is kept under: a notice of a stack is read from the stack's."""
    return result.parent_id or result.document_id


def is_own_page(result: NoticeResult, number: int) -> bool:
    first, last = result.page_range or (1, result.pages)
    return first <= number <= last


def stack_of(api: ApiState, result: NoticeOut, tenant: str) -> NoticeResult | None:
    """The scanned stack a notice came in (the result itself when it is one), or None."""
    if result.split is not None:
        return result
    return api.store.get_result(result.parent_id, tenant) if result.parent_id else None


def notice_context(web: WebState, api: ApiState, user: WebUser, document_id: str) -> dict[str, Any]:
    """Everything the notice page shows."""
    day, stored = web.today(), find_result(api, document_id, user.tenant)
    case = api.store.case_of_document(document_id, user.tenant)
    result = NoticeOut.from_result(stored, day, case)
    previews = load_previews(web, api, result)
    pages = () if isinstance(previews, str) else previews
    profile = api.store.get_profile(result.profile_id, user.tenant) if result.profile_id else None
    return {
        "user": user, "result": result, "previews": pages,
        "scan_note": previews if isinstance(previews, str) else None,
        "boxes": {page.number: field_boxes(result, page.number) for page in pages},
        "audit": [AuditOut.from_entry(entry) for entry in api.store.audit_log(document_id, user.tenant)],
        "profile": profile, "case": case_for_day(case, day) if case else None,
        "stack": stack_of(api, result, user.tenant),
        "days_left": result.triage.days_left, "correctable": CORRECTABLE,
        "message": None, "error": None, "typed": {},
    }  # fmt: skip


DONE_MESSAGES = {
    "accepted": "Accepted: every value is confirmed and the notice is processed.",
    "corrected": "Corrections saved; validation and triage ran again.",
    "rejected": "Rejected, with your reason.",
    "unchanged": "Nothing changed: no value differs from the one shown.",
    "split": "The notices were cut anew where you said; notices whose pages changed were read again.",
}


@router.get("/notices/{document_id}")
def notice_page(request: Request, document_id: str, user: User, web: Web, api: Api) -> Response:
    context = notice_context(web, api, user, document_id)
    context["message"] = DONE_MESSAGES.get(request.query_params.get("done", ""))
    return render(request, "notice.html", user.session, **context)


@router.get("/notices/{document_id}/pages/{number:int}.png")
def page_image(request: Request, document_id: str, number: int, user: User, web: Web, api: Api) -> Response:
    result = find_notice(api, document_id, user.tenant, web.today())
    if not is_own_page(result, number):
        raise PageError(404, "The notice has no such page.")
    try:
        boxes = page_boxes(result).get(number, [])
        preview = preview_page(kept_file_id(result), number, api.settings.home, web.previews, boxes)
    except DocumentError as error:
        raise PageError(404, f"The page cannot be shown: {error.message}") from None
    if preview is None:
        raise PageError(404, "The original file was not kept, so its pages cannot be shown.")
    response = FileResponse(preview.png, media_type="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return secure(response, request)


@router.post("/notices/{document_id}/accept")
async def accept(request: Request, document_id: str, user: User, web: Web, api: Api) -> Response:
    form = await read_form(request, user.session)
    reason = text_field(form, "reason", 1000) or None

    def work() -> Response:
        find_reviewable(api, document_id, user.tenant, web.today())
        try:
            accept_result(api.store, document_id, actor=user.actor, reason=reason, tenant=user.tenant)
        except BadCorrection as error:
            return _notice_with_error(request, web, api, user, document_id, {}, error.message)
        return redirect(request, f"/notices/{document_id}?done=accepted")

    return await run_in_threadpool(work)


@router.post("/notices/{document_id}/reject")
async def reject(request: Request, document_id: str, user: User, web: Web, api: Api) -> Response:
    form = await read_form(request, user.session)
    reason = text_field(form, "reason", 1000)

    def work() -> Response:
        find_reviewable(api, document_id, user.tenant, web.today())
        if not reason:
            return _notice_with_error(request, web, api, user, document_id, {}, "Give a reason to reject.")
        reject_result(api.store, document_id, reason, actor=user.actor, tenant=user.tenant)
        return redirect(request, f"/notices/{document_id}?done=rejected")

    return await run_in_threadpool(work)


@router.post("/notices/{document_id}/correct")
async def correct(request: Request, document_id: str, user: User, web: Web, api: Api) -> Response:
    """Correct the fields whose text differs from the value shown (only those: the form sends all)."""
    form = await read_form(request, user.session)
    typed = {name: text_field(form, name, 200) for name in CORRECTABLE if name in form}

    def work() -> Response:
        result = find_reviewable(api, document_id, user.tenant, web.today())
        changes = {name: text for name, text in typed.items() if text != _shown(result, name)}
        if not changes:
            return redirect(request, f"/notices/{document_id}?done=unchanged")
        try:
            correct_result(
                api.store, document_id, changes, actor=user.actor, catalog=api.context.catalog,
                as_of=web.today(), min_confidence=api.settings.min_confidence, tenant=user.tenant,
            )  # fmt: skip
        except BadCorrection as error:
            return _notice_with_error(request, web, api, user, document_id, typed, error.message)
        return redirect(request, f"/notices/{document_id}?done=corrected")

    return await run_in_threadpool(work)


@router.post("/notices/{document_id}/split")
async def split(request: Request, document_id: str, user: User, web: Web, api: Api) -> Response:
    """Cut the stack anew where the form says its notices start ("1, 3, 6")."""
    form = await read_form(request, user.session)
    typed = text_field(form, "starts", 2000)
    starts = [int(page) for page in regex.findall(r"\d{1,5}", typed)]

    def work() -> Response:
        stack = stack_of(api, find_reviewable(api, document_id, user.tenant, web.today()), user.tenant)
        if stack is None:
            stack = find_result(api, document_id, user.tenant)  # a document read as one notice
        context = pipeline_context(api.store, api.context, user.tenant, None, web.today())
        try:
            move_boundaries(api.store, stack.document_id, starts, actor=user.actor, context=context,
                            tenant=user.tenant)  # fmt: skip
        except (BadCorrection, DocumentNotFound) as error:
            return _notice_with_error(request, web, api, user, document_id, {}, error.message)
        return redirect(request, f"/notices/{stack.document_id}?done=split")

    return await run_in_threadpool(work)


def _shown(result: NoticeOut, name: str) -> str:
    """The value as the correction input shows it."""
    field = result.fields.get(name)
    return "" if field is None or field.value is None else str(field.value)


def _notice_with_error(
    request: Request, web: WebState, api: ApiState, user: WebUser, document_id: str,
    typed: dict[str, str], error: str,
) -> Response:  # fmt: skip
    context = {**notice_context(web, api, user, document_id), "typed": typed, "error": error}
    return render(request, "notice.html", user.session, 422, **context)


@router.get("/notices/{document_id}/letter")
def letter(request: Request, document_id: str, user: User, api: Api) -> Response:
    query = request.query_params
    return letter_download(request, api, user, document_id, query.get("stance", ""), query.get("reason", ""))


@router.post("/notices/{document_id}/letter")
async def letter_from_form(request: Request, document_id: str, user: User, api: Api) -> Response:
    """The letter form posts its reason: a person may type an SSN there, and a URL is logged."""
    form = await read_form(request, user.session)
    stance, reason = text_field(form, "stance", 20), text_field(form, "reason", 2000)
    return await run_in_threadpool(letter_download, request, api, user, document_id, stance, reason)


def letter_download(
    request: Request, api: ApiState, user: WebUser, document_id: str, stance_text: str, reason_text: str
) -> Response:
    """The draft letter as a text/plain download."""
    result = find_result(api, document_id, user.tenant)
    try:
        stance = Stance(stance_text)
    except ValueError:
        raise PageError(422, "Choose whether the letter agrees or disagrees.") from None
    reason = CONTROL.sub(" ", reason_text).strip()[:2000] or None
    if stance is Stance.DISAGREE and not reason:
        raise PageError(422, "A letter that disagrees needs a reason: say why the notice is wrong.")
    profile = api.store.get_profile(result.profile_id, user.tenant) if result.profile_id else None
    text = mask_full_ssns(draft_letter(result, profile, stance, reason, [], None))
    code = regex.sub(r"[^A-Za-z0-9]", "", result.field_value("notice_number") or "notice") or "notice"
    name = f"letter-{code}-{document_id[:8]}-{stance.value}.txt"
    response = PlainTextResponse(text, headers={"Content-Disposition": f'attachment; filename="{name}"'})
    response.headers["Cache-Control"] = "no-store"
    return secure(response, request)


# ---- the app ----------------------------------------------------------------------------------------------


def mount_web(app: FastAPI, settings: WebSettings) -> None:
    """Add the review pages to the app ``flows.api.create_app`` makes (it calls this once)."""
    app.state.noticeflow_web = make_web_state(settings, app.state.noticeflow)
    app.include_router(router)
    app.include_router(profile_pages)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="web-static")
    app.add_exception_handler(LoginRequired, handle_login_required)
    app.add_exception_handler(PageError, handle_page_error)
