"""The API's errors and the one table from exception class to HTTP status.

Every error answer is ``{"error": {"code", "message"}}`` (``ErrorOut``). The pipeline's errors
(``pipeline.errors``) keep their own classes; the API adds the ones only a request can cause:

    NoticeflowError (pipeline.errors)
    ├── ApiError                 code "invalid_request" (422): a request the API cannot serve as sent
    │   ├── MissingApiKey            code "missing_api_key" (401)
    │   ├── InvalidApiKey            code "invalid_api_key" (403)
    │   ├── LoopbackOnly             code "loopback_only" (403): no keys configured, a remote client
    │   ├── TooManyInvalidKeys       code "too_many_invalid_keys" (429, Retry-After)
    │   ├── HostNotAllowed           code "host_not_allowed" (403): no keys, a Host that is not loopback
    │   ├── CrossSiteRequest         code "cross_site" (403): no keys, a change sent from another site
    │   ├── BadUpload                code "bad_upload"
    │   ├── UnknownProfile           code "unknown_profile": an upload names a profile the tenant lacks
    │   └── NotStored                code "not_stored": ``?include=text`` (raw OCR text is not kept)
    ├── DocumentError → UploadTooLarge   code "too_large" (413): an upload or any request body past its limit
    └── InfrastructureError
        ├── Busy                     code "busy" (503): NOTICEFLOW_MAX_PENDING uploads at once
        └── SpoolUnavailable         code "spool_unavailable" (503): the disk refused the spool

``HTTP_STATUS`` gives a status to a class; ``http_status`` finds the nearest class along the MRO. A failed
pipeline result becomes the exception its code names (``error_type_for_code``), so the same table applies.
``add_error_handlers(app)`` answers these, FastAPI's validation errors, Starlette's HTTP errors and anything
unexpected (500, logged) in that one shape; messages never carry a full SSN nor the input values of a
validation error (they may be secrets).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from extractors.ssn import mask_full_ssns
from flows.api_models import ErrorOut
from pipeline.errors import (
    BadCorrection,
    BadProfiles,
    CaseNotFound,
    ConfigurationError,
    DocumentError,
    DocumentNotFound,
    InfrastructureError,
    NoticeflowError,
    ProfileNotFound,
    UnsupportedType,
)

log = logging.getLogger("noticeflow.api")


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


class HostNotAllowed(ApiError):
    code = "host_not_allowed"


class CrossSiteRequest(ApiError):
    code = "cross_site"


class UploadTooLarge(DocumentError):
    """An upload, or any request body, past its limit (``flows.api_guards``)."""

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
    CaseNotFound: 404,
    BadCorrection: 422,
    BadProfiles: 422,
    ApiError: 422,
    MissingApiKey: 401,
    InvalidApiKey: 403,
    LoopbackOnly: 403,
    HostNotAllowed: 403,
    CrossSiteRequest: 403,
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


def describe_errors(errors: Any) -> str:
    """Pydantic errors as "where: what"; the input values are left out (they may be secrets)."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}" for error in errors[:5]
    )


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = ErrorOut.model_validate({"error": {"code": code, "message": message}})
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries: these statuses answer with ``ErrorOut``."""
    return {status: {"model": ErrorOut, "description": "error"} for status in statuses}


async def handle_noticeflow_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, NoticeflowError)
    return answer_error(request.url.path, error)


def answer_error(path: str, error: NoticeflowError) -> JSONResponse:
    """The answer to ``error``: its status from the table, logged by path (the query may hold a secret)."""
    status = http_status(type(error))
    headers = {401: {"WWW-Authenticate": "Bearer"}, 503: {"Retry-After": "5"}}.get(status)
    if isinstance(error, TooManyInvalidKeys):
        headers = {"Retry-After": str(error.retry_after_s)}
    log.log(logging.WARNING if status >= 500 else logging.INFO, "%s → %d %s", path, status, error.code)
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


def add_error_handlers(app: FastAPI) -> None:
    """Every error the app meets answers in the ``ErrorOut`` shape, with its status from the table."""
    app.add_exception_handler(NoticeflowError, handle_noticeflow_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(Exception, handle_unexpected)
