"""Sending the morning digest (pipeline.digest) by e-mail, part of the daily deadline review (flows.deploy).

``send_digests(store, as_of, settings, catalog, new_since) -> list[EmailMessage]``: for every tenant that has
recipients in ``NOTICEFLOW_DIGEST_TO`` (comma-separated ``ADDRESS`` for tenant "default" or
``TENANT:ADDRESS``; several entries per tenant allowed) and something to report, one message from
``NOTICEFLOW_DIGEST_FROM`` to them: plain text plus a simple HTML part, links to ``NOTICEFLOW_PUBLIC_URL``
when set. It goes over ``NOTICEFLOW_SMTP_URL`` (``smtps://`` or ``smtp://`` with STARTTLS, flows.mailbox
reads the URL; login when the URL has a user). Without ``NOTICEFLOW_SMTP_URL`` nothing is sent. Returns
the messages sent. Raises ``MailUnavailable`` when the server cannot be reached or refuses a message.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from collections import defaultdict
from email.message import EmailMessage

from flows.mailbox import MailUnavailable, Server, Tls, parse_server
from pipeline.catalog import Catalog
from pipeline.digest import Digest, build_digest, digest_html, digest_text
from pipeline.errors import ConfigurationError
from pipeline.settings import Settings
from pipeline.store import DEFAULT_TENANT, Store

TIMEOUT_S = 30.0


def digest_recipients(text: str) -> dict[str, tuple[str, ...]]:
    """``NOTICEFLOW_DIGEST_TO`` by tenant."""
    recipients: dict[str, list[str]] = defaultdict(list)
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        tenant, _, address = entry.rpartition(":")
        if "@" not in address:
            raise ConfigurationError(f"NOTICEFLOW_DIGEST_TO: {entry!r} is not ADDRESS or TENANT:ADDRESS")
        recipients[tenant or DEFAULT_TENANT].append(address)
    return {tenant: tuple(addresses) for tenant, addresses in recipients.items()}


def digest_message(digest: Digest, sender: str, to: tuple[str, ...], base_url: str | None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = digest.subject
    message.set_content(digest_text(digest, base_url))
    message.add_alternative(digest_html(digest, base_url), subtype="html")
    return message


def send_digests(
    store: Store, as_of: dt.date, settings: Settings, catalog: Catalog, new_since: dt.datetime
) -> list[EmailMessage]:
    """``new_since``: when the previous digest went out; notices first seen since are marked new."""
    if not settings.smtp_url:
        return []
    server = parse_server(settings.smtp_url, ("smtps", "smtp"))
    sent = []
    for tenant, to in digest_recipients(settings.digest_to).items():
        digest = build_digest(store, tenant, as_of, catalog, new_since)
        if digest.is_empty:
            continue  # nothing needs a person: no message
        message = digest_message(digest, settings.digest_from, to, settings.public_url)
        send_message(server, message)
        sent.append(message)
    return sent


def send_message(server: Server, message: EmailMessage) -> None:
    try:
        with _connect(server) as smtp:
            if server.user:
                smtp.login(server.user, server.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailUnavailable(f"the digest could not be sent through {server.host}: {error}") from error


def _connect(server: Server) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if server.tls is Tls.IMPLICIT:
        return smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_S, context=context)
    smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_S)
    if server.tls is Tls.STARTTLS:
        smtp.starttls(context=context)  # raises when the server does not offer it
    return smtp
