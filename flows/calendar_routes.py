"""The calendar feed's routes (``flows.api.create_app`` mounts them beside the API):

    POST /v1/calendar/token         a new feed token for the caller's tenant (API key needed): 201
                                    ``{"token", "url"}``; the tenant's previous token stops working
    GET  /v1/calendar.ics?token=T   the tenant's open deadlines as iCalendar (pipeline.deadline_feed);
                                    read-only, no API key: calendars cannot send one. ``?as_of=`` as the API

A token is 32 random bytes (URL-safe base64); the store keeps its sha256 only, so a stolen database gives
no working feed URL. An unknown token is 403 ``invalid_calendar_token``. Links in the feed point to
``NOTICEFLOW_PUBLIC_URL`` when it is set, else to the address the calendar used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from flows.api_deps import State, Tenant
from flows.api_routes import AsOf
from flows.http_errors import InvalidApiKey, error_responses
from pipeline.deadline_feed import calendar_feed, deadline_events, notice_link

calendar = APIRouter(prefix="/v1", tags=["calendar"], responses=error_responses(422, 503))


class InvalidCalendarToken(InvalidApiKey):
    code = "invalid_calendar_token"


class CalendarTokenOut(BaseModel):
    token: str
    url: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _base_url(state: State, request: Request) -> str:
    return (state.settings.public_url or str(request.base_url)).rstrip("/")


@calendar.post("/calendar/token", status_code=201, responses=error_responses(401, 403, 429))
async def rotate_calendar_token(request: Request, tenant: Tenant, state: State) -> CalendarTokenOut:
    """A new calendar feed token for your tenant; the previous one stops working."""
    token = secrets.token_urlsafe(32)
    await run_in_threadpool(state.store.set_calendar_token, tenant, token_digest(token))
    return CalendarTokenOut(token=token, url=f"{_base_url(state, request)}/v1/calendar.ics?token={token}")


@calendar.get(
    "/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}, **error_responses(403)},
)
async def calendar_ics(
    request: Request,
    state: State,
    token: Annotated[str, Query(min_length=1, max_length=200, description="the tenant's feed token")],
    as_of: AsOf = None,
) -> Response:
    """Every open deadline of the token's tenant as an all-day event with alarms 7 days and 1 day before."""
    tenant = await run_in_threadpool(state.store.calendar_tenant, token_digest(token))
    if tenant is None:
        raise InvalidCalendarToken("unknown calendar token: ask for a new one (POST /v1/calendar/token)")
    day = as_of or dt.date.today()
    events = await run_in_threadpool(deadline_events, state.store, tenant, day, state.context.catalog)
    base = _base_url(state, request)
    feed = calendar_feed(events, dt.datetime.now(dt.UTC), lambda document_id: notice_link(base, document_id))
    return Response(feed, media_type="text/calendar; charset=utf-8")
