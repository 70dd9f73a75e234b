"""The morning digest: the daily deadline review sends each tenant's digest to a real SMTP server on loopback
(aiosmtpd in the test process); the message is parsed back and its counts checked against a seeded store."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from flows.deploy import ScheduleSettings, run_deadline_review
from flows.digest import digest_recipients
from pipeline.catalog import load_catalog
from pipeline.digest import Digest, DigestLine, build_digest, digest_html, digest_text
from pipeline.errors import ConfigurationError
from pipeline.models import NoticeResult, ScamCheck, ScamRisk, Status
from pipeline.profiles import TaxpayerProfile
from pipeline.review import reject_result
from pipeline.settings import Settings
from pipeline.store import Store, open_store
from tests.servers import free_port

ROOT = Path(__file__).parent.parent
GOLDEN = ROOT / "fixtures" / "samples" / "golden"
AS_OF = dt.date(2026, 11, 20)


class Inbox:
    """aiosmtpd's handler: every message the server accepts, as received."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


def _seed(store: Store, tenant: str, name: str, **changes: object) -> NoticeResult:
    result = NoticeResult.model_validate_json((GOLDEN / f"{name}.result.json").read_text())
    return store.save_result(result.model_copy(update=changes), tenant=tenant)


def _seeded_store(settings: Settings) -> Store:
    """acme on 2026-11-20: overdue 0016 (11-06), 0002 (04-12, in review) and 0033 (2025-12-28); due soon 0001
    (11-25, in review: a name word OCR scored low); a suspected scam (0008, no deadline, in review); 0006
    rejected (closed); 0013 no deadline.
    default: 0011 overdue (2024-11-27)."""
    settings.home.mkdir(parents=True)
    store = open_store(settings.database_url)
    for profile in json.loads((ROOT / "fixtures" / "samples" / "profiles.json").read_text()):
        store.put_profile(TaxpayerProfile.model_validate(profile), "acme")
    for name in (
        "notice_0016.pdf",
        "notice_0002.pdf",
        "notice_0033.pdf",
        "notice_0001.pdf",
        "notice_0013.pdf",
    ):
        _seed(store, "acme", name)
    scam = ScamCheck(risk=ScamRisk.HIGH, score=0.9)
    _seed(store, "acme", "notice_0008.png", scam=scam, status=Status.NEEDS_REVIEW, review_reasons=("scam",))
    closed = _seed(store, "acme", "notice_0006.pdf")
    reject_result(store, closed.document_id, "not ours", actor="jo", tenant="acme")
    _seed(store, "default", "notice_0011.pdf")
    return store


def test_the_daily_review_mails_each_tenant_its_digest_with_the_right_counts(
    tmp_path: Path, smtp_server: tuple[int, Inbox]
) -> None:
    port, inbox = smtp_server
    settings = Settings(
        home=tmp_path / "home",
        smtp_url=f"smtp://127.0.0.1:{port}?tls=none",
        digest_from="noticeflow@firm.example",
        digest_to="acme:jo@firm.example,acme:al@firm.example,owner@firm.example,beta:b@firm.example",
        public_url="https://nf.firm.example",
    )
    _seeded_store(settings)
    run_deadline_review(AS_OF, settings, ScheduleSettings())
    by_recipients = {tuple(sorted(to)): message for to, message in inbox.received}
    assert set(by_recipients) == {
        ("al@firm.example", "jo@firm.example"),
        ("owner@firm.example",),
    }  # beta: nothing
    acme = by_recipients[("al@firm.example", "jo@firm.example")]
    expected = "3 overdue, 1 due within 7 days, 1 suspected scams, 3 waiting for review (3 new)"
    assert acme["Subject"] == f"IRS notices on 2026-11-20: {expected}"
    assert acme["From"] == "noticeflow@firm.example"
    text = acme.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    page = acme.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert (
        "Overdue (3)" in text and "Due within 7 days (1)" in text and "Waiting for review (3, 3 new)" in text
    )
    assert (
        "(SSN ending 7893), $23524.51 due; deadline 2026-11-25, 5 days left https://nf.firm.example/notices/"
        in text
    )
    assert "<h3>Suspected scams (1)</h3>" in page and 'href="https://nf.firm.example/notices/' in page
    assert "not ours" not in text and "7917" not in text  # the rejected notice (client-6) is closed
    owner = by_recipients[("owner@firm.example",)]
    assert owner["Subject"].endswith(
        "1 overdue, 0 due within 7 days, 0 suspected scams, 0 waiting for review (0 new)"
    )


def test_a_digest_never_carries_a_full_ssn() -> None:
    line = DigestLine(document_id="ab" * 32, notice="CP14", client="ANNA LEE 123-45-6789", amount_due="10.00",
                      deadline="2026-11-25", days_left=5)  # fmt: skip
    digest = Digest(tenant="default", as_of=AS_OF, due_soon=(line,))
    written = digest_text(digest, "https://nf") + digest_html(digest, "https://nf")
    assert "123-45-6789" not in written and "6789" in written and "ab" * 32 in written


def test_only_notices_first_seen_since_the_last_digest_are_new(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    old = _seed(store, "default", "notice_0002.pdf")  # in review
    between = dt.datetime.now(dt.UTC)
    new = _seed(store, "default", "notice_0001.pdf")  # in review
    digest = build_digest(store, "default", AS_OF, load_catalog(), new_since=between)
    assert {line.document_id: line.is_new for line in digest.waiting_review} == {
        old.document_id: False,
        new.document_id: True,
    }
    assert digest.heading("waiting_review", "Waiting for review") == "Waiting for review (2, 1 new)"
    assert "- NEW " in digest_text(digest)


@pytest.mark.parametrize("entry", ["acme", "acme:", "acme:not-an-address"])
def test_bad_digest_recipients_are_refused(entry: str) -> None:
    with pytest.raises(ConfigurationError):
        digest_recipients(entry)
