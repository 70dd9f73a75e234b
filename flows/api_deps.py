"""What the app holds (``ApiState``, on ``app.state.noticeflow``) and the dependencies that read it.

``State`` gives a route the ``ApiState``; ``Tenant`` the caller's tenant, from ``Authorization: Bearer KEY``
or ``X-API-Key: KEY`` by the rule of ``flows.api_keys.tenant_for`` (which raises the 401/403/429 errors).
The review pages (``flows.web``) read the same state: keys, store, settings and the sign-in throttle.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from flows.api_keys import ApiKey, ApiSettings, client_address, tenant_for
from flows.jobs import Jobs
from flows.throttle import SignInThrottle
from pipeline.process import PipelineContext
from pipeline.store import Store


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
    given = bearer.credentials if bearer else header_key
    return tenant_for(state.keys, state.sign_ins, client_address(request), given)


Tenant = Annotated[str, Depends(current_tenant)]
