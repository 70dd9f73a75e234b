"""Mail servers as configured: the IMAP mailboxes mail intake polls and the SMTP server the digest uses.

``parse_mailboxes(text) -> tuple[Mailbox, ...]`` reads ``NOTICEFLOW_IMAP_URL``: comma-separated URLs

    imaps://USER:APP_PASSWORD@HOST[:993][/FOLDER][?tenant=T&processed=F&failed=F]
    imap://USER:APP_PASSWORD@HOST[:143][/FOLDER][?...&tls=starttls|none]

(``@`` in a user name written ``%40``; FOLDER defaults to INBOX, tenant to "default", the folders messages
are moved to to ``noticeflow-processed`` and ``noticeflow-failed``). ``parse_server(url, ...)`` reads one
such URL for SMTP too (``smtps://`` port 465, ``smtp://`` port 587 with STARTTLS). TLS is the default:
``imaps``/``smtps`` speak it from the start, ``imap``/``smtp`` upgrade with STARTTLS and stop when the
server does not offer it; ``tls=none`` (plain text) is accepted for a loopback host only.

``open_mailbox(mailbox) -> MailboxSession``: logged in, the folder selected, the two target folders
created; ``uids()``, ``fetch(uid)`` (the raw message, not marked seen), ``move(uid, folder)`` (IMAP MOVE:
nothing is ever deleted). Raises ``ConfigurationError`` for a URL that cannot work and ``MailUnavailable``
(retryable) when the server cannot be reached or refuses a command.
"""

from __future__ import annotations

import imaplib
import ipaddress
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pipeline.errors import ConfigurationError, InfrastructureError
from pipeline.store import DEFAULT_TENANT

TIMEOUT_S = 60.0


class MailUnavailable(InfrastructureError):
    code = "mail_unavailable"


class Tls(StrEnum):
    IMPLICIT = "implicit"  # imaps, smtps
    STARTTLS = "starttls"
    NONE = "none"  # loopback only


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    tls: Tls
    user: str
    password: str
    path: str
    query: dict[str, str]


@dataclass(frozen=True)
class Mailbox:
    server: Server
    folder: str
    tenant: str
    processed_folder: str
    failed_folder: str

    @property
    def label(self) -> str:
        """The mailbox without its password, as logs and the store name it."""
        return f"{self.server.user}@{self.server.host}/{self.folder}"


_PORTS = {"imaps": (993, Tls.IMPLICIT), "imap": (143, Tls.STARTTLS),
          "smtps": (465, Tls.IMPLICIT), "smtp": (587, Tls.STARTTLS)}  # fmt: skip


def parse_server(url: str, schemes: tuple[str, str]) -> Server:
    """One server URL whose scheme is one of ``schemes`` (the TLS one first)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in schemes or not parts.hostname:
        raise ConfigurationError(f"a mail server URL looks like {schemes[0]}://USER:PASSWORD@HOST")
    default_port, tls = _PORTS[parts.scheme]
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    if "tls" in query and parts.scheme == schemes[1]:
        tls = _plain_text_allowed(query["tls"], parts.hostname)
    try:
        port = parts.port or default_port
    except ValueError as error:
        raise ConfigurationError(f"{parts.hostname}: {error}") from None
    return Server(
        host=parts.hostname, port=port, tls=tls, user=unquote(parts.username or ""),
        password=unquote(parts.password or ""), path=unquote(parts.path.strip("/")), query=query,
    )  # fmt: skip


def _plain_text_allowed(value: str, host: str) -> Tls:
    if value not in (Tls.STARTTLS, Tls.NONE):
        raise ConfigurationError(f"tls={value!r}: write tls=starttls or tls=none")
    if value == Tls.NONE and not _is_loopback(host):
        raise ConfigurationError(f"tls=none sends the password in plain text: refused for {host}")
    return Tls(value)


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_mailboxes(text: str | None) -> tuple[Mailbox, ...]:
    """``NOTICEFLOW_IMAP_URL`` as mailboxes; ``ConfigurationError`` when it is missing or malformed."""
    urls = [url for url in (text or "").split(",") if url.strip()]
    if not urls:
        raise ConfigurationError("set NOTICEFLOW_IMAP_URL to imaps://USER:APP_PASSWORD@HOST/INBOX?tenant=T")
    mailboxes = []
    for url in urls:
        server = parse_server(url, ("imaps", "imap"))
        if not server.user or not server.password:
            raise ConfigurationError(f"{server.host}: the URL needs USER:APP_PASSWORD@")
        mailboxes.append(
            Mailbox(
                server=server,
                folder=server.path or "INBOX",
                tenant=server.query.get("tenant", DEFAULT_TENANT),
                processed_folder=server.query.get("processed", "noticeflow-processed"),
                failed_folder=server.query.get("failed", "noticeflow-failed"),
            )
        )
    return tuple(mailboxes)


class MailboxSession:
    """One logged-in IMAP connection with the mailbox's folder selected."""

    def __init__(self, imap: imaplib.IMAP4, mailbox: Mailbox) -> None:
        self._imap = imap
        self.mailbox = mailbox
        for folder in (mailbox.processed_folder, mailbox.failed_folder):
            imap.create(_quoted(folder))  # NO when it exists already: fine
        _check(imap.select(_quoted(mailbox.folder)), f"select {mailbox.folder}")
        validity = imap.response("UIDVALIDITY")[1]
        self.uidvalidity = int(validity[0]) if validity and validity[0] else 0

    def uids(self) -> list[int]:
        data = _check(self._imap.uid("SEARCH", "ALL"), "search")
        return [int(uid) for uid in (data[0] or b"").split()]

    def fetch(self, uid: int) -> bytes | None:
        """The whole message; None when it is gone (moved by another process)."""
        data = _check(self._imap.uid("FETCH", str(uid), "(BODY.PEEK[])"), f"fetch {uid}")
        return next((part[1] for part in data if isinstance(part, tuple)), None)

    def move(self, uid: int, folder: str) -> None:
        _check(self._imap.uid("MOVE", str(uid), _quoted(folder)), f"move {uid} to {folder}")


def _check(answer: tuple[str, list[Any]], what: str) -> list[Any]:
    """The answer's data; ``MailUnavailable`` when the server did not say OK."""
    status, data = answer
    if status != "OK":
        raise MailUnavailable(f"the IMAP server refused to {what}: {data!r}")
    return data


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def open_mailbox(mailbox: Mailbox) -> Iterator[MailboxSession]:
    server = mailbox.server
    try:
        imap = _connect(server)
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailUnavailable(f"cannot reach {mailbox.label}: {error}") from error
    try:
        try:
            imap.login(server.user, server.password)
        except imaplib.IMAP4.error as error:
            raise ConfigurationError(f"{mailbox.label} refused the login: {error}") from error
        if b"MOVE" not in _check(imap.capability(), "list its capabilities")[0].split():
            raise ConfigurationError(f"{mailbox.label}: the server does not support IMAP MOVE")
        yield MailboxSession(imap, mailbox)
    except (OSError, imaplib.IMAP4.abort) as error:
        raise MailUnavailable(f"{mailbox.label}: {error}") from error
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            imap.logout()


def _connect(server: Server) -> imaplib.IMAP4:
    if server.tls is Tls.IMPLICIT:
        return imaplib.IMAP4_SSL(server.host, server.port, ssl_context=ssl.create_default_context(),
                                 timeout=TIMEOUT_S)  # fmt: skip
    imap = imaplib.IMAP4(server.host, server.port, timeout=TIMEOUT_S)
    if server.tls is Tls.STARTTLS:
        imap.starttls(ssl.create_default_context())  # raises when the server does not offer it
    return imap
