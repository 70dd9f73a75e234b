"""What every review page shares: the web settings and state, the signed-in user, forms, responses and the
Jinja2 environment (``flows/templates``), the HTML error page.

``current_user`` (the ``User`` dependency) is the user of a valid session cookie: its key must still be
configured and the session not signed out (``LoginRequired`` otherwise, answered by a redirect to ``/login``);
without API keys a loopback client is the "default" tenant, anyone else a 403 ``PageError``. ``read_form``
checks the form's CSRF token in constant time (403). ``render`` and ``redirect`` send the security headers
(``SECURITY_HEADERS``) and a new session's cookie. ``PageError(status, message)`` is answered with
``error.html``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import logging
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import regex
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import Field as PydanticField
from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.datastructures import FormData

from flows.api_deps import ApiState, api_state
from flows.api_keys import client_address, is_loopback
from flows.http_errors import describe_errors
from flows.web_session import Session, SessionSigner
from pipeline.archive import PreviewConfig
from pipeline.errors import ConfigurationError
from pipeline.fields import field_label
from pipeline.models import (
    Category,
    CheckStatus,
    Priority,
    ScamRisk,
    Status,
)
from pipeline.store import DEFAULT_TENANT

log = logging.getLogger("noticeflow.web")

HERE = Path(__file__).parent
COOKIE = "noticeflow_session"
STATIC_VERSION = "1"
PROFILE_ID = regex.compile(r"[A-Za-z0-9_.@:+-]{1,128}")
_SAFE_NEXT = regex.compile(r"/(?![/\\])[A-Za-z0-9/_.?=&%+-]*")
CONTROL = regex.compile(r"[\x00-\x1f\x7f]")
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
    if key is None or session is None or api.store.is_session_revoked(session.id):
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
    return (_CONTROL_BUT_NEWLINES if multiline else CONTROL).sub(" ", value[:max_length]).strip()


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


def format_money(value: object) -> str:
    try:
        return f"${Decimal(str(value)):,.2f}" if value is not None else "—"
    except InvalidOperation:
        return str(value)


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
