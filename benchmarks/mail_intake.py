"""What taking a notice in by mail costs, against handing the same file to the ingest service directly.

    .venv/bin/python benchmarks/mail_intake.py [--messages 20]

Starts a throw-away dovecot on loopback (tests.imap_server; needs dovecot-imapd), delivers N messages each
with one born-digital notice made unique by a trailing comment (no duplicates, no OCR), and times one
``flows.mail.take_in`` poll over them (fetch, parse, ingest, record, move). Then ingests the same N files
with ``pipeline.ingest.ingest`` into a fresh store. Prints both totals, the per-message median of the
direct path and the mail overhead per message. A script, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import statistics
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BORN_DIGITAL = [ROOT / "fixtures" / "samples" / f"notice_{n}.pdf" for n in ("0006", "0011", "0017", "0022")]


def _unique_notices(count: int, folder: Path) -> list[Path]:
    paths = []
    for number in range(count):
        path = folder / f"notice-{number}.pdf"
        path.write_bytes(
            BORN_DIGITAL[number % len(BORN_DIGITAL)].read_bytes() + f"\n%mail-{number}\n".encode()
        )
        paths.append(path)
    return paths


def _message(path: Path) -> bytes:
    message = EmailMessage()
    message["From"], message["Subject"] = "client@example.com", f"Fwd: {path.name}"
    message.set_content("See attached.")
    message.add_attachment(path.read_bytes(), maintype="application", subtype="pdf", filename=path.name)
    return message.as_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20)
    count = parser.parse_args().messages
    logging.basicConfig(level=logging.WARNING)
    from flows.mail import take_in
    from flows.mailbox import parse_mailboxes
    from pipeline import ingest
    from pipeline.models import Channel
    from pipeline.process import PipelineContext
    from pipeline.settings import Settings
    from pipeline.store import open_store
    from tests.imap_server import running_dovecot

    with tempfile.TemporaryDirectory() as name, running_dovecot() as account:
        folder = Path(name)
        notices = _unique_notices(count, folder)
        imap = account.connect()
        for path in notices:
            imap.append("INBOX", None, None, _message(path))
        context = PipelineContext.default(dt.date(2026, 11, 28), Settings(home=folder / "home", workers=2))
        start = time.perf_counter()
        taken = take_in(
            parse_mailboxes(account.url)[0], context, open_store(f"sqlite:///{folder / 'mail.db'}")
        )
        by_mail = time.perf_counter() - start
        assert len(taken) == count
        direct_store, direct = open_store(f"sqlite:///{folder / 'direct.db'}"), []
        for path in notices:
            start = time.perf_counter()
            ingest.ingest(ingest.Incoming(path, path.name, Channel.CLI), context, direct_store)
            direct.append(time.perf_counter() - start)
    print(f"{count} messages by mail: {by_mail:.2f} s ({by_mail / count * 1000:.0f} ms a message)")
    median_ms = statistics.median(direct) * 1000
    print(f"the same files ingested directly: {sum(direct):.2f} s (median {median_ms:.0f} ms)")
    print(f"mail overhead: {(by_mail - sum(direct)) / count * 1000:.0f} ms a message")


if __name__ == "__main__":
    main()
