"""Mail intake: ``noticeflow mail`` takes notices in from IMAP mailboxes (``NOTICEFLOW_IMAP_URL``).

``take_in(mailbox, context, store) -> list[MailMessage]`` handles every message in the mailbox's folder:
each PDF or image attachment (a forwarded message's too) goes through the ingest service with channel
``mail`` and the mailbox's tenant; the message (sender, subject, outcome, reasons, document ids) is recorded
in the store; then it is moved on the server to the processed folder, or to the failed folder when it has
no PDF or image of a page (an image too small to be one, a signature's logo, is passed over), or an
attachment is over ``NOTICEFLOW_MAIL_MAX_ATTACHMENT_BYTES`` or could not be read. Nothing is deleted.

Exactly once, crash-safe, in three steps per message, each of which may be done again:
1. store its documents: a document is named ``mail:MAILBOX/UIDVALIDITY.UID/FILE``, so one already stored
   under that name is this message's own, stored before a crash (``ingest(..., resumed=True)``), and the
   store keeps a document once whatever happens;
2. record the message under (mailbox, UIDVALIDITY.UID): recording it again keeps the first record;
3. move it. A message still in the folder that has a record was recorded before a crash: it is moved
   without being read again.
Kill the intake at any moment and start it again: every message ends in one of the two folders, its
documents stored once. A message that raises (not the server or the store being away) ``MAX_ATTEMPTS``
polls in a row is recorded as failed. Logs name a message by its key, never its sender or subject.
"""

from __future__ import annotations

import email
import email.policy
import logging
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated

import typer

from flows.commands import app, open_configured_store, parse_as_of
from flows.mailbox import Mailbox, MailboxSession, MailUnavailable, open_mailbox, parse_mailboxes
from pipeline import ingest
from pipeline.errors import ImageTooSmall, InfrastructureError
from pipeline.ingest import MAX_ATTEMPTS, Incoming
from pipeline.models import Channel, NoticeResult
from pipeline.process import PipelineContext
from pipeline.settings import Settings
from pipeline.store import MailMessage, MailOutcome, Store

log = logging.getLogger("noticeflow.mail")
DOCUMENT_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/tiff": ".tif"}
DOCUMENT_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes


def attachments_of(message: EmailMessage) -> list[Attachment]:
    """Every PDF or image part, in order; ``walk`` goes into forwarded messages (message/rfc822) too."""
    found: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename() or ""
        suffix = DOCUMENT_TYPES.get(part.get_content_type())
        if suffix is None and Path(name).suffix.lower() not in DOCUMENT_SUFFIXES:
            continue
        content = part.get_payload(decode=True)
        found.append(Attachment(name or f"attachment-{len(found) + 1}{suffix}", _bytes(content)))
    return found


def _bytes(content: object) -> bytes:
    return content if isinstance(content, bytes) else b""  # a part that does not decode: an empty file


def take_in(
    mailbox: Mailbox, context: PipelineContext, store: Store, failures: Counter[str] | None = None
) -> list[MailMessage]:
    """One poll of the mailbox: every message in its folder taken in and moved. ``failures`` counts the
    polls each message raised in (kept by a long-running caller between polls)."""
    failures = Counter() if failures is None else failures
    context = replace(context, profiles=tuple(store.list_profiles(mailbox.tenant)))
    taken = []
    with open_mailbox(mailbox) as session:
        for uid in session.uids():
            key = f"{session.uidvalidity}.{uid}"
            seen_as = f"{mailbox.label}/{key}"
            try:
                record = _record_of(session, uid, key, context, store, failures[seen_as])
            except InfrastructureError:
                raise  # the server or the store is away: the next poll starts again
            except Exception:  # noqa: BLE001 - one bad message never stops the intake
                log.exception("message %s of %s is kept for the next poll", key, mailbox.label)
                failures[seen_as] += 1
                continue
            if record is not None:
                session.move(uid, _folder_for(mailbox, record.outcome))
                log.info("message %s of %s: %s", key, mailbox.label, record.outcome.value)
                taken.append(record)
    return taken


def _record_of(
    session: MailboxSession, uid: int, key: str, context: PipelineContext, store: Store, failed_polls: int
) -> MailMessage | None:
    mailbox = session.mailbox
    recorded = store.get_mail_message(mailbox.label, key, mailbox.tenant)
    if recorded is not None:
        return recorded  # recorded before a crash: only the move is left
    if failed_polls >= MAX_ATTEMPTS:
        reason = f"the intake raised on this message in {MAX_ATTEMPTS} polls; see its log"
        gave_up = MailMessage(mailbox=mailbox.label, message_key=key, sender="", subject="",
                              outcome=MailOutcome.FAILED, reasons=(reason,))  # fmt: skip
        return store.record_mail_message(gave_up, mailbox.tenant)
    raw = session.fetch(uid)
    if raw is None:
        return None  # moved meanwhile by another intake
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return store.record_mail_message(_take_message(message, mailbox, key, context, store), mailbox.tenant)


def _take_message(
    message: EmailMessage, mailbox: Mailbox, key: str, context: PipelineContext, store: Store
) -> MailMessage:
    """Every attachment stored through the ingest service; the message's outcome and reasons. An image
    too small to be a page (a signature's logo) is not a notice: it neither counts nor fails the message."""
    reasons: list[str] = []
    document_ids: list[str] = []
    with tempfile.TemporaryDirectory(prefix="noticeflow-mail-") as folder:
        for number, attachment in enumerate(attachments_of(message), start=1):
            refused = _over_the_limit(attachment, context.settings.mail_max_attachment_bytes)
            if refused is not None:
                reasons.append(refused)
                continue
            result = _ingest(attachment, Path(folder) / f"{number}", mailbox, key, context, store)
            error = result.error
            if error is not None and error.code == ImageTooSmall.code:
                continue  # a logo or an icon
            if result.document_id:
                document_ids.append(result.document_id)
            if error is not None:
                reasons.append(f"{attachment.name}: {error.code}: {error.message}")
    if not reasons and not document_ids:
        reasons.append("no PDF or image of a page attached")
    return MailMessage(
        mailbox=mailbox.label,
        message_key=key,
        sender=str(message.get("From", "")),
        subject=str(message.get("Subject", "")),
        outcome=MailOutcome.FAILED if reasons else MailOutcome.PROCESSED,
        reasons=tuple(reasons),
        document_ids=tuple(dict.fromkeys(document_ids)),
    )


def _over_the_limit(attachment: Attachment, limit: int) -> str | None:
    """Why the attachment is refused unread, or None."""
    size = len(attachment.content)
    if size <= limit:
        return None
    return (f"{attachment.name}: {_megabytes(size)} is over the {_megabytes(limit)} limit "
            "(NOTICEFLOW_MAIL_MAX_ATTACHMENT_BYTES)")  # fmt: skip


def _ingest(
    attachment: Attachment, path: Path, mailbox: Mailbox, key: str, context: PipelineContext, store: Store
) -> NoticeResult:
    path.write_bytes(attachment.content)
    name = f"mail:{mailbox.label}/{key}/{attachment.name}"
    incoming = Incoming(path, name, Channel.MAIL, mailbox.tenant, len(attachment.content))
    return ingest.ingest(incoming, context, store, resumed=True)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _folder_for(mailbox: Mailbox, outcome: MailOutcome) -> str:
    return mailbox.processed_folder if outcome is MailOutcome.PROCESSED else mailbox.failed_folder


def poll_mailboxes(
    mailboxes: tuple[Mailbox, ...], context: PipelineContext, store: Store, failures: Counter[str]
) -> list[MailMessage]:
    """One poll of every mailbox; a mailbox that is away is logged and tried at the next poll."""
    taken = []
    for mailbox in mailboxes:
        try:
            taken += take_in(mailbox, context, store, failures)
        except MailUnavailable as error:
            log.warning("%s", error.message)
    return taken


@app.command()
def mail(
    once: Annotated[bool, typer.Option(help="Take in the waiting messages once, then stop.")] = False,
    as_of: Annotated[str | None, typer.Option(help="Today's date for deadlines, YYYY-MM-DD.")] = None,
) -> None:
    """Take notices in from the mailboxes of NOTICEFLOW_IMAP_URL (every NOTICEFLOW_MAIL_POLL_S seconds)."""
    settings = Settings()
    mailboxes = parse_mailboxes(settings.imap_url)
    store = open_configured_store(settings)
    context = PipelineContext.default(parse_as_of(as_of), settings)
    failures: Counter[str] = Counter()
    while True:
        today = replace(context, as_of=parse_as_of(as_of))  # asked every poll: an intake runs for weeks
        if once:  # a mailbox that is away is an error here, for the exit code
            taken = [record for box in mailboxes for record in take_in(box, today, store, failures)]
        else:
            taken = poll_mailboxes(mailboxes, today, store, failures)
        for record in taken:
            why = " ".join("; ".join(record.reasons).split())  # one line a message
            typer.echo(f"{record.outcome.value}\t{record.message_key}\t{len(record.document_ids)} documents"
                       f"{chr(9) + why if why else ''}")  # fmt: skip
        if once:
            return
        time.sleep(settings.mail_poll_s)
