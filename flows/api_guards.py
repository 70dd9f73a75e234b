"""What every request must pass before routing, authentication or parsing (``guard_requests(app, settings)``
adds it to the app ``flows.api.create_app`` makes, around the API and the review pages alike).

- Body size. A request declaring (``Content-Length``) more than its route's limit is answered 413
  ``too_large`` before anything is read; one that streams past it (chunked) is cut off right there, with
  the same answer. Limits (``body_limit``): an upload ``NOTICEFLOW_MAX_UPLOAD_BYTES`` plus the multipart
  overhead (its file is then checked exactly, ``flows.jobs``); a taxpayer profile (``PUT /v1/profiles/{id}``
  and the profile pages' forms) ``MAX_PROFILE_BYTES``; anything else ``MAX_BODY_BYTES`` (reviews, letters,
  sign-in, the other forms). So a huge JSON body is never parsed, nor held in memory, key or no key.
- Keyless mode (no ``NOTICEFLOW_API_KEYS``: every loopback client is the "default" tenant). A request whose
  ``Host`` is not a loopback name (``127.0.0.1``, ``localhost``, ``[::1]``, with any port) is refused 403
  ``host_not_allowed``: a web page that rebinds its own DNS name to 127.0.0.1 reaches nothing. A POST, PUT,
  PATCH or DELETE whose ``Origin`` is not a loopback one (another site's page, or ``null``) is refused 403
  ``cross_site``. With keys, the API needs a key in a header and the pages a SameSite=Strict cookie and a
  CSRF token, so neither check is needed.
- Proxy headers (``X-Forwarded-For``, ``X-Forwarded-Proto``) are believed only from the addresses or
  networks in ``NOTICEFLOW_TRUSTED_PROXIES`` (empty by default: believed from nobody), so a client cannot
  pick the address the invalid-key throttle counts it under. ``noticeflow serve`` turns uvicorn's own proxy
  handling (which believes 127.0.0.1) off; run ``uvicorn --factory flows.api:create_app`` with
  ``--no-proxy-headers`` for the same.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from flows.api_keys import ApiSettings
from flows.http_errors import CrossSiteRequest, HostNotAllowed, UploadTooLarge, answer_error
from flows.jobs import FORM_OVERHEAD
from pipeline.errors import NoticeflowError

MAX_PROFILE_BYTES = 1 << 20
MAX_BODY_BYTES = 64 * 1024
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def guard_requests(app: FastAPI, settings: ApiSettings) -> None:
    """Add the checks above to ``app`` (proxy headers outermost: the others see the real client)."""
    app.add_middleware(RequestGuard, settings=settings)
    if settings.proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.proxies))


def body_limit(method: str, path: str, max_upload_bytes: int) -> int:
    """The most bytes a request's body may hold."""
    if method == "POST" and path == "/v1/notices":
        return max_upload_bytes + FORM_OVERHEAD
    is_profile = (method == "PUT" and path.startswith("/v1/profiles/")) or (
        method == "POST" and (path == "/profiles" or path.startswith("/profiles/"))
    )
    return MAX_PROFILE_BYTES if is_profile else MAX_BODY_BYTES


def is_loopback_host(host: str) -> bool:
    """Whether a ``Host`` header (``name[:port]``, an IPv6 address in brackets) names this machine."""
    name = urlsplit(f"//{host}").hostname if host else None
    return name in LOOPBACK_NAMES


def is_loopback_origin(origin: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_NAMES


def refusal(scope: Scope, is_keyless: bool) -> NoticeflowError | None:
    """Why the request is refused before it is read (see the module docstring), or None."""
    headers = Headers(scope=scope)
    if is_keyless and not is_loopback_host(headers.get("host", "")):
        return HostNotAllowed("without API keys only a loopback Host is served (127.0.0.1, localhost, [::1])")
    origin = headers.get("origin")
    is_change = scope["method"] in STATE_CHANGING
    if is_keyless and is_change and origin is not None and not is_loopback_origin(origin):
        return CrossSiteRequest("without API keys a change must come from this server's own pages")
    return None


def too_large_message(limit: int, path: str) -> str:
    setting = " (NOTICEFLOW_MAX_UPLOAD_BYTES + the form)" if path == "/v1/notices" else ""
    return f"the request body is larger than the limit of {limit} bytes{setting}"


class RequestGuard:
    """ASGI middleware: refuses what ``refusal`` names, and bodies past ``body_limit``."""

    def __init__(self, app: ASGIApp, settings: ApiSettings) -> None:
        self.app = app
        self.settings = settings
        self.is_keyless = not settings.keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        limit = body_limit(scope["method"], path, self.settings.max_upload_bytes)
        declared = Headers(scope=scope).get("content-length", "")
        error = refusal(scope, self.is_keyless)
        if error is None and declared.isdigit() and int(declared) > limit:
            error = UploadTooLarge(too_large_message(limit, path))
        if error is not None:
            return await answer_error(path, error)(scope, receive, send)
        await self.app(scope, limited_receive(receive, limit, too_large_message(limit, path)), send)


def limited_receive(receive: Receive, limit: int, message: str) -> Receive:
    """``receive`` that raises a 413 as soon as the body passes ``limit`` bytes (an HTTPException: FastAPI
    passes those through while it reads a JSON body; ``flows.http_errors`` answers it as ``too_large``)."""
    received = 0

    async def limited() -> Message:
        nonlocal received
        event = await receive()
        received += len(event.get("body", b""))
        if received > limit:
            raise StarletteHTTPException(413, message)
        return event

    return limited
