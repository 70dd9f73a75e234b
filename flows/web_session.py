"""Signed session cookies for the review pages: ``base64url(json) + "." + base64url(hmac_sha256)``.

A ``Session`` carries a CSRF token, when it was issued, the HMAC id of the API key it signed in with (None
before login; never the key) and the reviewer's name. ``SessionSigner.load`` returns only a session this
server signed and that has not expired (``max_age_s``); ``find_key`` finds its key among the configured
ones in constant time, so removing a key from the configuration ends its sessions. A sign-out ends its
session for good: its ``id`` is revoked in the store until ``expires_at`` (``flows.web``).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable

from flows.api_keys import ApiKey

# ---- sessions ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Session:
    """What the cookie carries: the key's HMAC id (None before login), the reviewer's name, a CSRF token."""

    csrf: str
    issued: int
    key_id: str | None = None
    reviewer: str | None = None
    is_new: bool = False  # made for this response: the cookie must be set

    @property
    def id(self) -> str:
        """What a sign-out revokes in the store: a digest of the session's random CSRF token (unique to
        it), so the store never holds the token itself."""
        return hashlib.sha256(b"session-id:" + self.csrf.encode()).hexdigest()[:32]


class SessionSigner:
    """Signs and reads session cookies: ``base64url(json) + "." + base64url(hmac_sha256)``."""

    def __init__(self, secret: bytes, max_age_s: float) -> None:
        self._secret = secret
        self.max_age_s = max_age_s

    def expires_at(self, session: Session) -> dt.datetime:
        return dt.datetime.fromtimestamp(session.issued + self.max_age_s, dt.UTC)

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
