"""The taxpayer profile pages: the tenant's list with a form to add one, and one profile to view and edit.

``/profiles`` (GET, POST) and ``/profiles/{id}`` (GET, POST). The form's values are validated as
``TaxpayerProfile`` (the returns are edited as a JSON array); an invalid form is shown again, as typed,
with the reason and status 422. Another tenant's profile is a 404.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from flows.api_deps import ApiState
from flows.api_models import NoticeOut
from flows.http_errors import describe_errors
from flows.web_pages import (
    PROFILE_ID,
    Api,
    PageError,
    User,
    WebUser,
    read_form,
    redirect,
    render,
    text_field,
    web_state,
)
from pipeline.errors import ProfileNotFound
from pipeline.profiles import TaxpayerProfile

router = APIRouter(include_in_schema=False)


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
        if not PROFILE_ID.fullmatch(profile_id):
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
    today = web_state(request).today()
    found = api.store.list_results(user.tenant, profile_id=profile.id, as_of=today)
    notices = [NoticeOut.from_result(result, today) for result in found]
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
