"""Mail intake against a real IMAP server (dovecot on loopback, tests.imap_server): every message ends in
the processed or failed folder, its documents stored once, also when the intake is killed mid-run."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import Image

from flows.mail import take_in
from flows.mailbox import Mailbox, Tls, parse_mailboxes
from pipeline import ingest
from pipeline.errors import ConfigurationError
from pipeline.ingest import MAX_ATTEMPTS
from pipeline.models import Channel, Status
from pipeline.process import PipelineContext
from pipeline.settings import Settings
from pipeline.store import MailMessage, MailOutcome, Store, open_store
from tests.imap_server import DOVECOT, ImapAccount, running_dovecot

pytestmark = pytest.mark.slow  # a long file: an xdist worker takes it first (tests/conftest.py)
ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "fixtures" / "samples"
PHOTO = ROOT / "fixtures" / "photos" / "cp14_grey_lit_tilted.jpg"
TRUNCATED = ROOT / "fixtures" / "faults" / "truncated.pdf"
PROCESSED, FAILED = "noticeflow-processed", "noticeflow-failed"
LIMIT = 25 * 1024 * 1024  # NOTICEFLOW_MAIL_MAX_ATTACHMENT_BYTES


def _born_digital() -> list[Path]:
    """The samples with a text layer: read without OCR, so twenty messages take seconds."""
    truths = sorted(SAMPLES.glob("*.truth.json"))
    return [SAMPLES / json.loads(t.read_text())["source"] for t in truths if '"pdf_text"' in t.read_text()]


TEXT_PDFS = _born_digital()


@pytest.fixture
def account(tmp_path: Path) -> Iterator[ImapAccount]:
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; scripts/setup.sh does)")
    with running_dovecot() as account:
        yield account


def _message(subject: str, *attachments: tuple[str, bytes]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jennifer Sullivan <jen@example.com>"
    message["To"] = "notices@firm.example"
    message["Subject"] = subject
    message.set_content("Please see the attached notice.")
    for name, content in attachments:
        kind = ("image", "jpeg") if name.endswith(".jpg") else ("application", "pdf")
        message.add_attachment(content, maintype=kind[0], subtype=kind[1], filename=name)
    return message


def _forwarded(inner: EmailMessage) -> EmailMessage:
    message = _message("Fwd: " + str(inner["Subject"]))
    message.add_attachment(inner)  # message/rfc822, its PDF inside
    return message


def _thirty_megabytes() -> EmailMessage:
    """Written out by hand: the email package takes seconds to serialize 30 MB."""
    content = base64.encodebytes(b"%PDF-1.4\n" + bytes(30 * 1024 * 1024))
    raw = (b"From: Jennifer Sullivan <jen@example.com>\r\nSubject: Big scan\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=cut\r\n\r\n--cut\r\nContent-Type: application/pdf\r\n"
           b"Content-Disposition: attachment; filename=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + content + b"\r\n--cut--\r\n")  # fmt: skip
    return RawMessage(raw)


class RawMessage(EmailMessage):
    """A message delivered as the bytes it was given."""

    def __init__(self, raw: bytes) -> None:
        super().__init__()
        self.raw = raw

    def as_bytes(self, unixfrom: bool = False, policy: object = None) -> bytes:
        return self.raw


def _stack(tmp_path: Path) -> bytes:
    stack = tmp_path / "stack.pdf"
    subprocess.run(["pdfunite", str(TEXT_PDFS[15]), str(TEXT_PDFS[16]), str(stack)], check=True)
    return stack.read_bytes()


def _twenty_messages(tmp_path: Path) -> list[EmailMessage]:
    """13 born-digital notices, a duplicate of the first, a forwarded one, a stack, a message without an
    attachment, a 30 MB attachment, an unreadable PDF and a phone photo (last: the one OCR'd)."""
    singles = [_message(f"Notice {n}", (pdf.name, pdf.read_bytes())) for n, pdf in enumerate(TEXT_PDFS[:13])]
    return [
        *singles[:5],
        _message("Same notice again", ("again.pdf", TEXT_PDFS[0].read_bytes())),
        _forwarded(_message("From my client", ("cp.pdf", TEXT_PDFS[14].read_bytes()))),
        _message("A stack", ("stack.pdf", _stack(tmp_path))),
        _message("Just a question, nothing attached"),
        _thirty_megabytes(),
        _message("Broken", ("broken.pdf", TRUNCATED.read_bytes())),
        *singles[5:],
        _message("Photo of my letter", ("photo.jpg", PHOTO.read_bytes())),
    ]


def _deliver(account: ImapAccount, messages: list[EmailMessage]) -> None:
    imap = account.connect()
    for message in messages:
        status, _ = imap.append("INBOX", None, None, message.as_bytes())
        assert status == "OK"
    imap.logout()


def _counts(account: ImapAccount) -> dict[str, int]:
    imap = account.connect()
    counts = {folder: int(imap.select(folder)[1][0] or 0) for folder in ("INBOX", PROCESSED, FAILED)}
    imap.logout()
    return counts


def _stored_documents(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            return int(connection.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:  # not created yet
        return 0


def _run_intake(account: ImapAccount, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NOTICEFLOW_HOME": str(home), "NOTICEFLOW_IMAP_URL": account.url,
           "NOTICEFLOW_WORKERS": "2", "NOTICEFLOW_MAIL_MAX_ATTACHMENT_BYTES": str(LIMIT)}  # fmt: skip
    env.pop("NOTICEFLOW_DB_URL", None)
    command = [sys.executable, "-m", "flows.cli", "mail", "--once", "--as-of", "2026-11-28"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _kill_after_documents(intake: subprocess.Popen[bytes], database: Path, documents: int) -> None:
    deadline = time.monotonic() + 120
    while _stored_documents(database) < documents and intake.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert intake.poll() is None, "the intake ended before it could be killed"
    intake.send_signal(signal.SIGKILL)
    intake.wait()


def test_twenty_messages_killed_mid_run_and_restarted_are_each_taken_in_once(
    account: ImapAccount, tmp_path: Path
) -> None:
    messages = _twenty_messages(tmp_path)
    _deliver(account, messages)
    home = tmp_path / "home"
    database = home / "noticeflow.db"
    _kill_after_documents(_run_intake(account, home), database, documents=4)
    killed = _counts(account)
    assert killed["INBOX"] > 0, "killed mid-run: messages are left"

    again = _run_intake(account, home)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err.decode()[-3000:]
    printed = out.decode().splitlines()  # one line a message it moved: outcome, key, documents, reasons
    assert len(printed) == 20 - killed[PROCESSED] - killed[FAILED], out.decode()
    assert all(line.split("\t")[0] in ("processed", "failed") for line in printed)

    assert _counts(account) == {"INBOX": 0, PROCESSED: 17, FAILED: 3}
    store = open_store(f"sqlite:///{database}")
    records = store.list_mail_messages()
    assert len(records) == len({record.message_key for record in records}) == 20
    failed = {record.subject: record.reasons for record in records if record.outcome is MailOutcome.FAILED}
    _check_rejects(failed)
    _check_documents_stored_once(store, records, messages)


def _check_rejects(failed: dict[str, tuple[str, ...]]) -> None:
    assert failed["Just a question, nothing attached"] == ("no PDF or image of a page attached",)
    assert "big.pdf: 31.5 MB is over the 26.2 MB limit" in failed["Big scan"][0]
    assert failed["Broken"][0].startswith("broken.pdf: ")
    assert len(failed) == 3, failed


def _check_documents_stored_once(
    store: Store, records: list[MailMessage], messages: list[EmailMessage]
) -> None:
    expected = {
        hashlib.sha256(part.get_payload(decode=True)).hexdigest()
        for message in messages for part in message.walk()
        if part.get_filename() and len(part.get_payload(decode=True)) <= LIMIT
    }  # fmt: skip
    recorded = {document for record in records for document in record.document_ids}
    assert recorded == expected
    for document_id in expected:
        assert len(store.history(document_id)) == 1  # stored once: never re-processed or replaced
        assert store.result(document_id).channel is Channel.MAIL
    by_subject = {record.subject: record for record in records}
    assert by_subject["Same notice again"].document_ids == by_subject["Notice 0"].document_ids
    assert by_subject["Notice 0"].sender == "Jennifer Sullivan <jen@example.com>"


def _context(tmp_path: Path) -> PipelineContext:
    return PipelineContext.default(dt.date(2026, 11, 28), Settings(home=tmp_path / "home", workers=2))


def _mailbox(account: ImapAccount, tenant: str = "default") -> Mailbox:
    return parse_mailboxes(f"{account.url}&tenant={tenant}")[0]


def test_a_message_recorded_before_a_crash_is_moved_without_being_read_again(
    account: ImapAccount, tmp_path: Path
) -> None:
    _deliver(account, [_message("Notice", ("n.pdf", TEXT_PDFS[0].read_bytes()))])
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    mailbox = _mailbox(account)
    uidvalidity = int(account.connect().status("INBOX", "(UIDVALIDITY)")[1][0].split()[-1].strip(b")"))
    key = f"{uidvalidity}.1"
    recorded = MailMessage(mailbox=mailbox.label, message_key=key, sender="s", subject="Notice",
                           outcome=MailOutcome.PROCESSED)  # fmt: skip
    store.record_mail_message(recorded)  # the crash came between recording and moving
    assert take_in(mailbox, _context(tmp_path), store) == [recorded]
    assert _counts(account) == {"INBOX": 0, PROCESSED: 1, FAILED: 0}
    assert store.tenants() == []  # its attachment was not read again


def test_documents_stored_before_a_crash_are_the_messages_own_not_duplicates(
    account: ImapAccount, tmp_path: Path
) -> None:
    """The crash came after the attachment was stored, before the message was recorded; the mailbox's
    tenant is the documents' tenant."""
    _deliver(account, [_message("Notice", ("n.pdf", TEXT_PDFS[0].read_bytes()))])
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    context, mailbox = _context(tmp_path), _mailbox(account, tenant="acme")
    first = take_in(mailbox, context, store)  # stored, recorded, moved; now as if the last two never were
    document_id = first[0].document_ids[0]
    with sqlite3.connect(tmp_path / "store.db") as database:
        database.execute("DELETE FROM mail_messages")
    imap = account.connect()
    imap.select(PROCESSED)
    imap.uid("MOVE", "1", "INBOX")
    again = take_in(mailbox, context, store)
    assert [(r.outcome, r.document_ids) for r in again] == [(MailOutcome.PROCESSED, (document_id,))]
    assert len(store.history(document_id, "acme")) == 1
    assert [entry.action for entry in store.audit_log(document_id, "acme")] == ["ingested"]
    stored = store.result(document_id, "acme")
    incoming = ingest.Incoming(TEXT_PDFS[0], stored.source, Channel.MAIL, "acme")
    assert ingest.admit(incoming, store, resumed=True) == stored != ingest.admit(incoming, store)
    assert stored.status is not Status.DUPLICATE and store.get_result(document_id) is None  # not "default"


class BuggyStore(Store):
    """A store whose recording of a message raises (a bug), except for the give-up record."""

    def record_mail_message(self, message: MailMessage, tenant: str = "default") -> MailMessage:
        if not message.reasons or "raised" not in message.reasons[0]:
            raise RuntimeError("a bug")
        return super().record_mail_message(message, tenant)


def test_a_message_that_raises_in_three_polls_ends_in_failed(account: ImapAccount, tmp_path: Path) -> None:
    _deliver(account, [_message("Notice", ("n.pdf", TEXT_PDFS[0].read_bytes()))])
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.__class__ = BuggyStore
    failures: Counter[str] = Counter()
    for _ in range(MAX_ATTEMPTS):
        assert take_in(_mailbox(account), _context(tmp_path), store, failures) == []
        assert _counts(account)["INBOX"] == 1  # kept for the next poll
    (gave_up,) = take_in(_mailbox(account), _context(tmp_path), store, failures)
    assert gave_up.outcome is MailOutcome.FAILED and "raised on this message in 3 polls" in gave_up.reasons[0]
    assert _counts(account) == {"INBOX": 0, PROCESSED: 0, FAILED: 1}


def _logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_signature_logo_is_not_a_notice(account: ImapAccount, tmp_path: Path) -> None:
    with_logo = _message("Notice", ("n.pdf", TEXT_PDFS[0].read_bytes()))
    with_logo.add_attachment(
        _logo(), maintype="image", subtype="png", filename="image001.png", disposition="inline"
    )
    logo_only = _message("Thanks!")
    logo_only.add_attachment(
        _logo(), maintype="image", subtype="png", filename="image001.png", disposition="inline"
    )
    _deliver(account, [with_logo, logo_only])
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    taken = take_in(_mailbox(account), _context(tmp_path), store)
    assert [(r.outcome, len(r.document_ids), r.reasons) for r in taken] == [
        (MailOutcome.PROCESSED, 1, ()),
        (MailOutcome.FAILED, 0, ("no PDF or image of a page attached",)),
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("imaps://me%40firm.com:pw@mail.firm.com/Notices?tenant=acme",
                     ("mail.firm.com", 993, Tls.IMPLICIT, "me@firm.com", "Notices", "acme"), id="imaps"),
        pytest.param("imap://me:pw@mail.firm.com",
                     ("mail.firm.com", 143, Tls.STARTTLS, "me", "INBOX", "default"), id="starttls"),
        pytest.param("imap://me:pw@127.0.0.1:1143/?tls=none",
                     ("127.0.0.1", 1143, Tls.NONE, "me", "INBOX", "default"), id="plain-on-loopback"),
    ],
)  # fmt: skip
def test_mailbox_urls(url: str, expected: tuple[object, ...]) -> None:
    (mailbox,) = parse_mailboxes(url)
    server = mailbox.server
    assert (server.host, server.port, server.tls, server.user, mailbox.folder, mailbox.tenant) == expected


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("imap://me:pw@mail.firm.com/?tls=none", id="plain-text-password-over-the-network"),
        pytest.param("imaps://mail.firm.com/INBOX", id="no-credentials"),
        pytest.param("https://me:pw@mail.firm.com", id="not-imap"),
        pytest.param("", id="unset"),
    ],
)
def test_unsafe_or_incomplete_mailbox_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_mailboxes(url)
