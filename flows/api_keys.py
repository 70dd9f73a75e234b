"""API keys, the API's settings, and who a request is: the tenant of its key, or "default" on loopback.

``NOTICEFLOW_API_KEYS`` holds comma-separated ``KEY`` or ``TENANT:KEY`` entries (a bare key is its own
tenant, named ``key-`` + the first 12 hex digits of its sha256, so the key itself is never stored);
``parse_api_keys`` reads them and raises ValueError (never echoing a key) for a short key, a bad tenant name
or a key given twice. ``match_api_key`` compares a key in constant time with every configured key.

``tenant_for(keys, sign_ins, address, given)`` is the API's rule: without keys only loopback addresses are
served (as tenant "default", ``LoopbackOnly`` otherwise); an address past the invalid-key limit of the
throttle it shares with the sign-in page (``flows.throttle``) gets ``TooManyInvalidKeys`` before its key is
looked at; no key is ``MissingApiKey``, a wrong one ``InvalidApiKey`` (and counts against the address).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import ipaddress
import math
from collections.abc import Iterable

import regex
from fastapi import Request
from pydantic import Field, SecretStr, ValidationError, model_validator

from flows.http_errors import (
    InvalidApiKey,
    LoopbackOnly,
    MissingApiKey,
    TooManyInvalidKeys,
    describe_errors,
)
from flows.throttle import SignInThrottle
from pipeline.errors import ConfigurationError
from pipeline.settings import Settings
from pipeline.store import DEFAULT_TENANT

_TENANT_NAME = regex.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclasses.dataclass(frozen=True)
class ApiKey:
    tenant: str
    digest: bytes = dataclasses.field(repr=False)  # sha256 of the key: equal lengths for compare_digest


def parse_api_keys(text: str) -> tuple[ApiKey, ...]:
    """``KEY`` or ``TENANT:KEY`` entries, comma-separated; raises ValueError (never echoing a key)."""
    keys: list[ApiKey] = []
    for number, entry in enumerate((part.strip() for part in text.split(",")), start=1):
        if not entry:
            continue
        tenant, sep, key = entry.partition(":")
        key = key if sep else entry
        digest = hashlib.sha256(key.encode()).digest()
        tenant = tenant if sep else "key-" + digest.hex()[:12]
        if not _TENANT_NAME.fullmatch(tenant):
            raise ValueError(f"API key entry #{number}: a tenant is 1-64 letters, digits, '_', '.', '-'")
        if len(key) < 16 or regex.search(r"\s", key):
            raise ValueError(f"API key entry #{number}: a key needs at least 16 characters and no spaces")
        if any(hmac.compare_digest(digest, known.digest) for known in keys):
            raise ValueError(f"API key entry #{number}: the same key is configured twice")
        keys.append(ApiKey(tenant=tenant, digest=digest))
    return tuple(keys)


class ApiSettings(Settings):
    """The pipeline's settings plus the API's: ``NOTICEFLOW_API_KEYS``, ``NOTICEFLOW_MAX_UPLOAD_BYTES``,
    ``NOTICEFLOW_MAX_PENDING`` (uploads queued or processing at once; more get 503 "busy"), and the invalid
    keys an address may send (API or sign-in page) within a window before it must wait
    (``NOTICEFLOW_SIGN_IN_ATTEMPTS``, ``NOTICEFLOW_SIGN_IN_WINDOW_MINUTES``), and the proxies whose
    ``X-Forwarded-For`` is believed (``NOTICEFLOW_TRUSTED_PROXIES``: comma-separated addresses or networks;
    none by default, see ``flows.api_guards``)."""

    api_keys: SecretStr = SecretStr("")
    max_upload_bytes: int = Field(25 * 1024 * 1024, ge=1024)
    max_pending: int = Field(256, ge=1)
    sign_in_attempts: int = Field(5, ge=1, le=1000)  # invalid keys per address in the window
    sign_in_window_minutes: float = Field(15, gt=0, le=24 * 60)
    trusted_proxies: str = ""

    @model_validator(mode="after")
    def _refuse_bad_keys(self) -> ApiSettings:
        parse_api_keys(self.api_keys.get_secret_value())
        return self

    @model_validator(mode="after")
    def _refuse_bad_proxies(self) -> ApiSettings:
        for proxy in self.proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"trusted proxy {proxy!r}: not an IP address or network") from None
        return self

    @property
    def keys(self) -> tuple[ApiKey, ...]:
        return parse_api_keys(self.api_keys.get_secret_value())

    @property
    def proxies(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.trusted_proxies.split(",") if part.strip())


def load_api_settings() -> ApiSettings:
    """Settings from the environment; a bad value is a ``ConfigurationError`` that names no secret."""
    try:
        return ApiSettings()
    except ValidationError as error:
        raise ConfigurationError(f"bad API settings: {describe_errors(error.errors())}") from None


def match_api_key(keys: Iterable[ApiKey], given: str) -> ApiKey | None:
    """The configured key equal to ``given``, compared in constant time with every key (no early exit: the
    time taken does not depend on which key matched)."""
    digest = hashlib.sha256(given.encode()).digest()
    found = None
    for key in keys:
        if hmac.compare_digest(digest, key.digest):
            found = key
    return found


def tenant_for(keys: tuple[ApiKey, ...], sign_ins: SignInThrottle, address: str, given: str | None) -> str:
    """The tenant of the key ``given`` from ``address`` (see the module docstring for the refusals)."""
    if not keys:
        if not is_loopback(address):
            raise LoopbackOnly("no API keys are configured (NOTICEFLOW_API_KEYS): only loopback is served")
        return DEFAULT_TENANT
    if wait_s := sign_ins.wait_s(address):
        raise TooManyInvalidKeys(
            f"too many invalid API keys from this address; retry in {math.ceil(wait_s)} s", math.ceil(wait_s)
        )
    if not given:
        raise MissingApiKey("send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'")
    key = match_api_key(keys, given)
    if key is None:
        sign_ins.failed(address)
        raise InvalidApiKey("the API key is not valid")
    return key.tenant


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)
