"""The review pages for people, served by ``noticeflow serve`` under ``/`` beside the API.

``mount_web(app, settings)`` adds the pages to the app ``flows.api.create_app`` makes, once (they read the
store, keys and pipeline context from ``app.state.noticeflow``, ``flows.api_deps.ApiState``); this module
never imports the app factory. ``uvicorn --factory flows.api:create_app`` serves the API and the pages.

Pages (server-rendered Jinja2, ``flows/templates``; a little vanilla JS and CSS in ``flows/static``):

    GET  /login, POST /login, POST /logout   paste an API key; the session maps to the key's tenant
    GET  /                                    the queue: priority then deadline; ?status=&priority=&category=
                                              &client=&offset=; counts of overdue, due within 7 days, scams
    GET  /notices/{id}                        the scan with a box around each field, the fields with
                                              correction inputs, checks, triage, scam signals, audit history
    GET  /notices/{id}/pages/{n}.png          a page preview (pipeline.archive), cached under home/cache
    POST /notices/{id}/accept|correct|reject  pipeline.review, as the API calls it; 303 back to the notice
    GET  /notices/{id}/letter?stance=&reason= the draft letter as a text/plain download
    GET  /profiles, POST /profiles            the tenant's taxpayer profiles; add one
    GET  /profiles/{id}, POST /profiles/{id}  view and edit one (validated as TaxpayerProfile)

Security: the login form takes a key from ``NOTICEFLOW_API_KEYS`` (compared in constant time with every
key); the session cookie (HttpOnly, SameSite=Strict, Secure when the request is https) holds a signed
session: an HMAC-SHA256 over its JSON with ``NOTICEFLOW_SESSION_SECRET`` (at least 32 characters; without
it a random per-process secret, so sessions end at a restart and several workers need the variable). The
session names its key by an HMAC of the key's digest, never the key: removing a key from the configuration
ends its sessions. Sessions last ``NOTICEFLOW_SESSION_HOURS`` (12). After 5 invalid keys within 15 minutes
(sign-ins and API requests alike: the throttle is the API's, ``flows.throttle``) an address gets 429 with
``Retry-After`` until the oldest leaves the window; a successful sign-in does not clear the count.
Every POST form carries the session's CSRF token in a hidden field, checked in constant time; the login
form too, with a session that has no key yet. Without API keys, loopback clients are the "default" tenant
with no login, as in the API. Another tenant's notice, page image or profile is a 404. Pages are sent with a
strict Content-Security-Policy (no inline script or style) and ``Cache-Control: no-store``.

``NOTICEFLOW_AS_OF`` (YYYY-MM-DD) fixes "today" for days left and corrections (demos and tests); by default
it is the server's date. Days left are counted from today, while the stored priority is the one the last
processing or review gave.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import math
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import regex
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import Field as PydanticField
from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.datastructures import FormData

from extractors.ssn import mask_full_ssns
from flows.api_deps import ApiState, api_state
from flows.api_keys import ApiKey, client_address, is_loopback, match_api_key
from flows.api_models import AuditOut, NoticeOut
from flows.http_errors import describe_errors
from pipeline.archive import PagePreview, PreviewConfig, preview_page, preview_pages
from pipeline.errors import (
    BadCorrection,
    ConfigurationError,
    DocumentError,
    DocumentNotFound,
    ProfileNotFound,
)
from pipeline.letter import Stance, draft_letter
from pipeline.models import (
    BBox,
    Category,
    CheckStatus,
    NoticeResult,
    Priority,
    ScamRisk,
    Status,
    parse_iso_date,
)
from pipeline.profiles import TaxpayerProfile
from pipeline.review import CORRECTABLE, accept_result, correct_result, reject_result
from pipeline.store import DEFAULT_TENANT

log = logging.getLogger("noticeflow.web")

HERE = Path(__file__).parent
COOKIE = "noticeflow_session"
PAGE_SIZE = 50
COUNT_LIMIT = 10_000  # results read to count overdue / due soon / scams on the queue page
DUE_SOON_DAYS = 7
STATIC_VERSION = "1"
_PROFILE_ID = regex.compile(r"[A-Za-z0-9_.@:+-]{1,128}")
_SAFE_NEXT = regex.compile(r"/(?![/\\])[A-Za-z0-9/_.?=&%+-]*")
_CONTROL = regex.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_NEWLINES = regex.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


# ---- settings ---------------------------------------------------------------------------------------------


class WebSettings(BaseSettings):
    """``NOTICEFLOW_SESSION_SECRET``, ``NOTICEFLOW_SESSION_HOURS``, ``NOTICEFLOW_AS_OF`` and the preview
    width in pixels (``NOTICEFLOW_PREVIEW_WIDTH``) (the sign-in throttle: ``flows.api_keys.ApiSettings``)."""

    model_config = SettingsConfigDict(env_prefix="NOTICEFLOW_", frozen=True)

    session_secret: SecretStr | None = PydanticField(None, min_length=32)
    session_hours: float = PydanticField(12, gt=0, le=24 * 30)
    as_of: dt.date | None = None
    preview_width: int = PydanticField(1100, ge=400, le=2550)


# ---- sessions ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Session:
    """What the cookie carries: the key's HMAC id (None before login), the reviewer's name, a CSRF token."""

    csrf: str
    issued: int
    key_id: str | None = None
    reviewer: str | None = None
    is_new: bool = False  # made for this response: the cookie must be set


class SessionSigner:
    """Signs and reads session cookies: ``base64url(json) + "." + base64url(hmac_sha256)``."""

    def __init__(self, secret: bytes, max_age_s: float) -> None:
        self._secret = secret
        self.max_age_s = max_age_s

    def new(self, key_id: str | None = None, reviewer: str | None = None) -> Session:
        issued = int(time.time())
        return Session(secrets.token_urlsafe(32), issued, key_id, reviewer, is_new=True)

    def dump(self, session: Session) -> str:
        body = {"c": session.csrf, "i": session.issued, "k": session.key_id, "r": session.reviewer}
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return payload + "." + _b64(self._sign(payload))

    def load(self, cookie: str | None) -> Session | None:
        """The session in a cookie this server signed and that has not expired; None for anything else."""
        payload, _, signature = (cookie or "").partition(".")
        try:
            is_signed = hmac.compare_digest(_unb64(signature), self._sign(payload))
            body = json.loads(_unb64(payload)) if is_signed else None
            session = Session(str(body["c"]), int(body["i"]), body["k"], body["r"]) if body else None
        except (ValueError, KeyError, TypeError):
            return None
        if session is None or not 0 <= time.time() - session.issued <= self.max_age_s:
            return None
        return session

    def key_id(self, key: ApiKey) -> str:
        return hmac.new(self._secret, b"api-key:" + key.digest, hashlib.sha256).hexdigest()[:32]

    def find_key(self, keys: Iterable[ApiKey], key_id: str) -> ApiKey | None:
        found = None
        for key in keys:  # no early exit, as in flows.api_keys.match_api_key
            if hmac.compare_digest(self.key_id(key).encode(), key_id.encode()):
                found = key
        return found

    def _sign(self, payload: str) -> bytes:
        return hmac.new(self._secret, b"noticeflow-session-v1." + payload.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---- state, users and errors ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class WebState:
    settings: WebSettings
    signer: SessionSigner
    pages: Environment
    previews: PreviewConfig

    def today(self) -> dt.date:
        return self.settings.as_of or dt.date.today()


@dataclasses.dataclass(frozen=True)
class WebUser:
    tenant: str
    session: Session

    @property
    def actor(self) -> str:
        """Who the audit log names: the reviewer's name given at login, else the tenant (as the API)."""
        return self.session.reviewer or self.tenant


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageError(Exception):
    """A request the pages answer with an HTML error page (404 another tenant's notice, 403 CSRF...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.noticeflow_web
    return state


def current_user(request: Request) -> WebUser:
    """The signed-in user; without API keys, a loopback client is the default tenant (as in the API)."""
    web, api = web_state(request), api_state(request)
    session = web.signer.load(request.cookies.get(COOKIE))
    if not api.keys:
        if not is_loopback(client_address(request)):
            raise PageError(403, "No API keys are configured (NOTICEFLOW_API_KEYS): only loopback is served.")
        return WebUser(DEFAULT_TENANT, session or web.signer.new())
    key = web.signer.find_key(api.keys, session.key_id) if session and session.key_id else None
    if key is None or session is None:
        raise LoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return WebUser(key.tenant, session)


User = Annotated[WebUser, Depends(current_user)]
Web = Annotated[WebState, Depends(web_state)]
Api = Annotated[ApiState, Depends(api_state)]


async def read_form(request: Request, session: Session) -> FormData:
    """The POSTed form, once its CSRF token is the session's."""
    form = await request.form(max_files=0, max_fields=64, max_part_size=64 * 1024)
    token = form.get("csrf_token")
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), session.csrf.encode()):
        raise PageError(403, "The form was not sent from this site's page (CSRF check). Reload and retry.")
    return form


def text_field(form: FormData, name: str, max_length: int = 1000, *, multiline: bool = False) -> str:
    """A form field's text, stripped, control characters (but newlines in ``multiline``) made spaces;
    ``max_length`` only bounds the work: the inputs' own maxlength is lower, and validation decides."""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return (_CONTROL_BUT_NEWLINES if multiline else _CONTROL).sub(" ", value[:max_length]).strip()


# ---- responses --------------------------------------------------------------------------------------------


def secure(response: Response, request: Request, session: Session | None = None) -> Response:
    """Security headers on every page response, and the session cookie when it is new."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if session is not None and session.is_new:
        response.set_cookie(
            COOKIE,
            web_state(request).signer.dump(session),
            max_age=int(web_state(request).signer.max_age_s),
            path="/",
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="strict",
        )
    return response


def render(
    request: Request, template: str, session: Session | None, status: int = 200, **context: Any
) -> HTMLResponse:
    web = web_state(request)
    defaults = {
        "user": None,
        "nav": None,
        "today": web.today(),
        "is_fixed_today": web.settings.as_of is not None,
    }
    page = web.pages.get_template(template)
    html = page.render(
        {**defaults, **context, "csrf": session.csrf if session else "", "static_version": STATIC_VERSION}
    )
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    secure(response, request, session)
    return response


def redirect(request: Request, location: str, session: Session | None = None) -> Response:
    return secure(RedirectResponse(location, status_code=303), request, session)


async def handle_login_required(request: Request, error: Exception) -> Response:
    assert isinstance(error, LoginRequired)
    target = "/login" if error.next_path == "/" else f"/login?next={_quote(error.next_path)}"
    return redirect(request, target)


async def handle_page_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, PageError)
    try:
        user: WebUser | None = current_user(request)  # signed in: the page keeps its navigation
    except (LoginRequired, PageError):
        user = None
    session = user.session if user else web_state(request).signer.load(request.cookies.get(COOKIE))
    return render(
        request, "error.html", session, error.status, user=user, message=error.message, code=error.status
    )


def _quote(path: str) -> str:
    return quote(path, safe="/")


def safe_next(value: str | None) -> str:
    """A local path to go to after login; anything else (another site, //host) is the queue."""
    return value if value and _SAFE_NEXT.fullmatch(value) else "/"


# ---- presentation -----------------------------------------------------------------------------------------

FIELD_LABELS = {"ssn_last4": "SSN last 4", "irs_phone": "IRS phone", "caller_id": "Caller ID"}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def format_money(value: object) -> str:
    try:
        return f"${Decimal(str(value)):,.2f}" if value is not None else "—"
    except InvalidOperation:
        return str(value)


def days_left(result: NoticeResult | NoticeOut, today: dt.date) -> int | None:
    deadline = parse_iso_date(result.fields["deadline"].value) if "deadline" in result.fields else None
    return None if deadline is None else (deadline - today).days


def describe_days(days: int | None) -> str:
    if days is None:
        return "no deadline"
    if days < 0:
        return f"overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "due today"
    return f"{days} day{'s' if days != 1 else ''} left"


def make_pages() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=format_money, days=describe_days, label=field_label)
    env.globals.update(Status=Status, Priority=Priority, Category=Category, ScamRisk=ScamRisk)
    env.globals.update(CheckStatus=CheckStatus)
    return env


@dataclasses.dataclass(frozen=True)
class QueueRow:
    result: NoticeOut
    client: str
    days_left: int | None


@dataclasses.dataclass(frozen=True)
class Counts:
    overdue: int
    due_soon: int
    scams: int


def queue_rows(results: Iterable[NoticeOut], names: Mapping[str, str], today: dt.date) -> list[QueueRow]:
    rows = []
    for result in results:
        taxpayer = result.fields.get("taxpayer_name")
        name = names.get(result.profile_id or "") or (
            str(taxpayer.value) if taxpayer and taxpayer.value else ""
        )
        client = (
            f"{result.profile_id} · {name}" if result.profile_id and name else (result.profile_id or name)
        )
        rows.append(QueueRow(result, client or "unmatched", days_left(result, today)))
    return rows


def count_urgent(results: Iterable[NoticeResult | NoticeOut], today: dt.date) -> Counts:
    """How many notices are overdue, due within DUE_SOON_DAYS, and likely scams (high risk)."""
    overdue = due_soon = scams = 0
    for result in results:
        days = days_left(result, today)
        overdue += days is not None and days < 0
        due_soon += days is not None and 0 <= days <= DUE_SOON_DAYS
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
async def logout(request: Request, user: User) -> Response:
    await read_form(request, user.session)
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
            client=client if client and _PROFILE_ID.fullmatch(client) else None,
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
        limit=PAGE_SIZE + 1, offset=filters.offset,
    )  # fmt: skip
    rows = queue_rows((NoticeOut.from_result(r) for r in found[:PAGE_SIZE]), names, today)
    everything = store.list_results(user.tenant, limit=COUNT_LIMIT)
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


def find_notice(api: ApiState, document_id: str, tenant: str) -> NoticeOut:
    return NoticeOut.from_result(find_result(api, document_id, tenant))


def find_reviewable(api: ApiState, document_id: str, tenant: str) -> NoticeOut:
    """The tenant's notice, if it has a result a person can review (a failed one has no values)."""
    result = find_notice(api, document_id, tenant)
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
    """The page previews, or why the scan cannot be shown."""
    try:
        previews = preview_pages(result.document_id, api.settings.home, web.previews, page_boxes(result))
    except DocumentError as error:
        return f"The kept file cannot be shown: {error.message}"
    return previews if previews is not None else "The original file was not kept, so the scan is not shown."


def notice_context(web: WebState, api: ApiState, user: WebUser, document_id: str) -> dict[str, Any]:
    """Everything the notice page shows."""
    result = find_notice(api, document_id, user.tenant)
    previews = load_previews(web, api, result)
    pages = () if isinstance(previews, str) else previews
    profile = api.store.get_profile(result.profile_id, user.tenant) if result.profile_id else None
    return {
        "user": user, "result": result, "previews": pages,
        "scan_note": previews if isinstance(previews, str) else None,
        "boxes": {page.number: field_boxes(result, page.number) for page in pages},
        "audit": [AuditOut.from_entry(entry) for entry in api.store.audit_log(document_id, user.tenant)],
        "profile": profile,
        "days_left": days_left(result, web.today()), "correctable": CORRECTABLE,
        "message": None, "error": None, "typed": {},
    }  # fmt: skip


DONE_MESSAGES = {
    "accepted": "Accepted: every value is confirmed and the notice is processed.",
    "corrected": "Corrections saved; validation and triage ran again.",
    "rejected": "Rejected, with your reason.",
    "unchanged": "Nothing changed: no value differs from the one shown.",
}


@router.get("/notices/{document_id}")
def notice_page(request: Request, document_id: str, user: User, web: Web, api: Api) -> Response:
    context = notice_context(web, api, user, document_id)
    context["message"] = DONE_MESSAGES.get(request.query_params.get("done", ""))
    return render(request, "notice.html", user.session, **context)


@router.get("/notices/{document_id}/pages/{number:int}.png")
def page_image(request: Request, document_id: str, number: int, user: User, web: Web, api: Api) -> Response:
    result = find_notice(api, document_id, user.tenant)
    if not 1 <= number <= result.pages:
        raise PageError(404, "The notice has no such page.")
    try:
        boxes = page_boxes(result).get(number, [])
        preview = preview_page(document_id, number, api.settings.home, web.previews, boxes)
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
        find_reviewable(api, document_id, user.tenant)
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
        find_reviewable(api, document_id, user.tenant)
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
        result = find_reviewable(api, document_id, user.tenant)
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
    result = find_result(api, document_id, user.tenant)
    try:
        stance = Stance(request.query_params.get("stance", ""))
    except ValueError:
        raise PageError(422, "Choose whether the letter agrees or disagrees.") from None
    reason = _CONTROL.sub(" ", request.query_params.get("reason", "")).strip()[:2000] or None
    if stance is Stance.DISAGREE and not reason:
        raise PageError(422, "A letter that disagrees needs a reason: say why the notice is wrong.")
    profile = api.store.get_profile(result.profile_id, user.tenant) if result.profile_id else None
    text = mask_full_ssns(draft_letter(result, profile, stance, reason, [], None))
    code = regex.sub(r"[^A-Za-z0-9]", "", result.field_value("notice_number") or "notice") or "notice"
    name = f"letter-{code}-{document_id[:8]}-{stance.value}.txt"
    response = PlainTextResponse(text, headers={"Content-Disposition": f'attachment; filename="{name}"'})
    response.headers["Cache-Control"] = "no-store"
    return secure(response, request)


# ---- profiles ---------------------------------------------------------------------------------------------


def profile_json_from_form(form: FormData, profile_id: str) -> dict[str, Any]:
    """The profile the form describes, as JSON for TaxpayerProfile; returns are edited as a JSON array."""
    returns_text = text_field(form, "returns", 100_000, multiline=True) if "returns" in form else "[]"
    try:
        returns = json.loads(returns_text or "[]", parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise BadProfileForm(f"returns: not valid JSON (line {error.lineno}): {error.msg}") from None
    return {
        "id": profile_id,
        "name": text_field(form, "name", 200),
        "spouse_name": text_field(form, "spouse_name", 200) or None,
        "ssn_last4": text_field(form, "ssn_last4", 200),
        "address": {
            "street": text_field(form, "street", 200),
            "city": text_field(form, "city", 200),
            "state": text_field(form, "state", 200).upper(),
            "zip": text_field(form, "zip", 200),
        },
        "returns": returns,
    }


class BadProfileForm(Exception):
    pass


def validate_profile_form(form: FormData, profile_id: str) -> TaxpayerProfile:
    try:
        return TaxpayerProfile.model_validate(profile_json_from_form(form, profile_id))
    except ValidationError as error:
        raise BadProfileForm(describe_errors(error.errors())) from None


def profile_form_values(profile: TaxpayerProfile | None, form: FormData | None = None) -> dict[str, str]:
    """What the edit form shows: what was typed (after an error), else the stored profile."""
    names = ("name", "spouse_name", "ssn_last4", "street", "city", "state", "zip", "returns")
    if form is not None:
        return {name: text_field(form, name, 100_000, multiline=name == "returns") for name in names}
    if profile is None:
        return dict.fromkeys(names, "")
    data = profile.model_dump(mode="json")
    returns = json.dumps(data["returns"], indent=1) if data["returns"] else ""
    return {**{k: data[k] or "" for k in names[:3]}, **data["address"], "returns": returns}


@router.get("/profiles")
def profiles_page(request: Request, user: User, api: Api) -> Response:
    return _profiles_page(request, user, api)


def _profiles_page(
    request: Request, user: WebUser, api: ApiState, status: int = 200,
    error: str | None = None, new_id: str = "", form: FormData | None = None,
) -> Response:  # fmt: skip
    profiles = api.store.list_profiles(user.tenant)
    values = profile_form_values(None, form)
    return render(request, "profiles.html", user.session, status, user=user, profiles=profiles,
                  error=error, new_id=new_id, values=values)  # fmt: skip


@router.post("/profiles")
async def create_profile(request: Request, user: User, api: Api) -> Response:
    form = await read_form(request, user.session)
    profile_id = text_field(form, "id", 128)
    try:
        if not _PROFILE_ID.fullmatch(profile_id):
            raise BadProfileForm("id: 1-128 letters, digits or _ . @ : + -")
        if await run_in_threadpool(api.store.get_profile, profile_id, user.tenant) is not None:
            raise BadProfileForm(f"id: a profile {profile_id!r} already exists; edit it instead")
        profile = validate_profile_form(form, profile_id)
    except BadProfileForm as error:
        return await run_in_threadpool(_profiles_page, request, user, api, 422, str(error), profile_id, form)
    await run_in_threadpool(api.store.put_profile, profile, user.tenant)
    return redirect(request, f"/profiles/{profile_id}?done=saved")


def find_profile(api: ApiState, profile_id: str, tenant: str) -> TaxpayerProfile:
    """The tenant's profile; another tenant's (or no such) id is the same 404."""
    try:
        return api.store.profile(profile_id, tenant)
    except ProfileNotFound:
        raise PageError(404, "There is no such profile.") from None


@router.get("/profiles/{profile_id}")
def profile_page(request: Request, profile_id: str, user: User, api: Api) -> Response:
    profile = find_profile(api, profile_id, user.tenant)
    saved = request.query_params.get("done") == "saved"
    return _profile_page(request, user, api, profile, message="Profile saved." if saved else None)


def _profile_page(
    request: Request, user: WebUser, api: ApiState, profile: TaxpayerProfile, status: int = 200,
    message: str | None = None, error: str | None = None, form: FormData | None = None,
) -> Response:  # fmt: skip
    notices = [NoticeOut.from_result(r) for r in api.store.list_results(user.tenant, profile_id=profile.id)]
    return render(request, "profile.html", user.session, status, user=user, profile=profile,
                  values=profile_form_values(profile, form), notices=notices, message=message,
                  error=error)  # fmt: skip


@router.post("/profiles/{profile_id}")
async def save_profile(request: Request, profile_id: str, user: User, api: Api) -> Response:
    form = await read_form(request, user.session)
    stored = await run_in_threadpool(find_profile, api, profile_id, user.tenant)
    try:
        profile = validate_profile_form(form, profile_id)
    except BadProfileForm as error:
        return await run_in_threadpool(_profile_page, request, user, api, stored, 422, None, str(error), form)
    await run_in_threadpool(api.store.put_profile, profile, user.tenant)
    return redirect(request, f"/profiles/{profile_id}?done=saved")


# ---- the app ----------------------------------------------------------------------------------------------


def load_web_settings() -> WebSettings:
    try:
        return WebSettings()
    except ValidationError as error:
        raise ConfigurationError(f"bad web settings: {describe_errors(error.errors())}") from None


def make_web_state(settings: WebSettings, api: ApiState) -> WebState:
    if settings.session_secret is None:
        log.warning("NOTICEFLOW_SESSION_SECRET is not set: sessions end when the server restarts")
        secret = secrets.token_bytes(32)
    else:
        secret = settings.session_secret.get_secret_value().encode()
    previews = PreviewConfig(
        limits=api.settings.load_limits, clean=api.settings.clean_config, width=settings.preview_width
    )
    signer = SessionSigner(secret, settings.session_hours * 3600)
    return WebState(settings, signer, make_pages(), previews)


def mount_web(app: FastAPI, settings: WebSettings) -> None:
    """Add the review pages to the app ``flows.api.create_app`` makes (it calls this once)."""
    app.state.noticeflow_web = make_web_state(settings, app.state.noticeflow)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="web-static")
    app.add_exception_handler(LoginRequired, handle_login_required)
    app.add_exception_handler(PageError, handle_page_error)
