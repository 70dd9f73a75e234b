"""The store (pipeline/store.py): one suite, run on SQLite and on PostgreSQL.

PostgreSQL runs when NOTICEFLOW_TEST_PG_URL is set, e.g. ``export NOTICEFLOW_TEST_PG_URL=$(bash
scripts/postgres.sh)``; each test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import pathlib
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import regex
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import ValidationError
from sqlalchemy import Engine, create_engine, func, inspect, make_url, select, text

from pipeline.errors import ConfigurationError, InfrastructureError, ProfileNotFound
from pipeline.models import (
    Category,
    Check,
    CheckStatus,
    DeadlineKind,
    ErrorInfo,
    Field,
    NoticeResult,
    NoticeTypeMatch,
    Priority,
    ScamCheck,
    ScamRisk,
    Status,
    Triage,
    Validation,
    ValidationStatus,
)
from pipeline.profiles import TaxpayerProfile
from pipeline.store import (
    MIGRATIONS,
    Base,
    Change,
    DocumentNotFound,
    MailMessage,
    MailOutcome,
    ReminderKind,
    ReviewDecision,
    Store,
    StoreUnavailable,
    open_store,
)

PG_URL = os.environ.get("NOTICEFLOW_TEST_PG_URL")
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(
            not PG_URL, reason="NOTICEFLOW_TEST_PG_URL is not set (bash scripts/postgres.sh prints one)"
        ),
    ),
]
FULL_SSN = regex.compile(r"\d{3}-\d{2}-\d{4}")


def doc_id(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


DOC = doc_id("cp14")


ADDRESS = {"street": "12 Elm St", "city": "Omaha", "state": "NE", "zip": "68102"}


def profile(profile_id: str = "client-7", **changes: object) -> TaxpayerProfile:
    data = {"id": profile_id, "name": "Jennifer Sullivan", "ssn_last4": "3051", "address": ADDRESS}
    return TaxpayerProfile.model_validate({**data, **changes})


# The notice type (or scam risk) that gives each priority as stored: the store keeps the priority of every
# day (pipeline.triage.stored_priority), not the one a result was written with.
CODE_OF = {Priority.LOW: "CP12", Priority.NORMAL: "CP14", Priority.HIGH: "CP90", Priority.CRITICAL: "CP14"}


def notice(
    document_id: str = DOC,
    *,
    status: Status = Status.NEEDS_REVIEW,
    priority: Priority = Priority.NORMAL,
    category: Category = Category.BALANCE_DUE,
    deadline: str | None = "2024-06-10",
    profile_id: str | None = "client-7",
    amount: str = "5181.72",
    ssn_last4: str = "3051",
    ssn_raw: str = "XXX-XX-3051",
    source: str = "cp14.pdf",
) -> NoticeResult:
    def read(value: str | int | None, raw: str | None, rule: str, page: int = 1) -> Field:
        return Field(value=value, confidence=0.95, page=page, bbox=(40, 30, 120, 18), raw=raw, rule=rule)

    return NoticeResult(
        document_id=document_id,
        source=source,
        status=status,
        review_reasons=() if status == Status.PROCESSED else ("amount_due: low confidence",),
        pages=2,
        notice_type=NoticeTypeMatch(code=CODE_OF[priority], title="Balance due", confidence=0.97),
        fields={
            "notice_number": read("CP14", "Notice CP14", "header"),
            "tax_year": read(2023, "Tax year 2023", "label"),
            "ssn_last4": read(ssn_last4, ssn_raw, "ssn_label"),
            "amount_due": read(amount, f"Amount due: ${amount}", "label", page=2),
            "deadline": Field(
                value=deadline, confidence=0.9, page=1, raw=deadline, kind=DeadlineKind.PRINTED
            ),
        },
        profile_id=profile_id,
        validation=Validation(
            status=ValidationStatus.PASS,
            checks=(Check(name="ssn_last4", status=CheckStatus.PASS, detail="ok"),),
        ),
        triage=Triage(
            category=category, priority=priority, days_left=9, route="collections", actions=("Pay",)
        ),
        scam=ScamCheck(risk=ScamRisk.HIGH, score=0.9) if priority is Priority.CRITICAL else ScamCheck(),
        timings={"ocr": 1.5},
    )


# ---- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/home/noticeflow.db"  # the folder does not exist yet
        return
    assert PG_URL is not None
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    store = open_store(url)
    yield store
    store.close()


@pytest.fixture
def db(url: str, store: Store) -> Iterator[Engine]:
    """A plain engine on the store's database, for looking at the rows themselves."""
    engine = create_engine(url)
    yield engine
    engine.dispose()


def count(db: Engine, table: str) -> int:
    with db.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Base.metadata.tables[table])) or 0


def audit_trail(store: Store, document_id: str = DOC, tenant: str = "default") -> list[tuple[Any, ...]]:
    return [
        (entry.action, entry.actor, entry.field, entry.old_value, entry.new_value)
        for entry in store.audit_log(document_id, tenant)
    ]


# ---- schema -----------------------------------------------------------------------------------------------


def test_a_fresh_database_is_at_head_and_reopening_changes_nothing(
    url: str, store: Store, db: Engine
) -> None:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with db.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == (head,)
    assert set(Base.metadata.tables) <= set(inspect(db).get_table_names())
    store.save_result(notice())

    open_store(url).close()
    open_store(url).close()

    with db.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == (head,)
        assert connection.scalar(text("SELECT count(*) FROM alembic_version")) == 1
    assert store.get_result(DOC) == notice()


def test_the_tables_match_the_migrations(db: Engine) -> None:
    with db.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


# ---- results ----------------------------------------------------------------------------------------------


def test_a_saved_result_reads_back_exactly(store: Store, db: Engine) -> None:
    result = notice()
    assert store.save_result(result, file_size=48_213) == result
    assert store.get_result(DOC) == result
    assert store.result(DOC).model_dump_json() == result.model_dump_json()
    assert count(db, "fields") == len(result.fields)
    assert store.get_result(doc_id("never seen")) is None
    with pytest.raises(DocumentNotFound, match="no notice"):
        store.result(doc_id("never seen"))


def test_saving_a_known_document_again_is_a_duplicate_and_stores_nothing(store: Store, db: Engine) -> None:
    store.save_result(notice())
    again = store.save_result(notice(source="copy of cp14.pdf", amount="1.00"))
    assert again.status == Status.DUPLICATE
    assert again.model_copy(update={"status": Status.NEEDS_REVIEW}) == notice()
    assert store.get_result(DOC) == notice()
    assert (count(db, "documents"), count(db, "results"), count(db, "audit_log")) == (1, 1, 1)


def test_failed_results_are_stored_only_with_a_document_id_and_a_retry_replaces_them(
    store: Store, db: Engine
) -> None:
    error = ErrorInfo(code="corrupt_file", message="truncated PDF")
    unreadable = NoticeResult(document_id="", source="broken.pdf", status=Status.FAILED, error=error)
    assert store.save_result(unreadable) == unreadable
    assert count(db, "documents") == 0

    crashed = NoticeResult(
        document_id=DOC,
        source="cp14.pdf",
        status=Status.FAILED,
        error=ErrorInfo(code="ocr_failed", message="x"),
    )
    assert store.save_result(crashed) == crashed
    assert store.save_result(notice()) == notice()  # the retry, not a duplicate
    assert store.history(DOC) == [crashed, notice()]
    assert store.save_result(notice()).status == Status.DUPLICATE
    assert [entry.action for entry in store.audit_log(DOC)] == ["ingested", "reprocessed"]


def _save_once_all_are_ready(store: Store, ready: Any) -> Status:
    ready.wait()
    return store.save_result(notice()).status


def test_threads_saving_one_new_document_at_once_keep_one_record(url: str, db: Engine) -> None:
    stores = [open_store(url) for _ in range(6)]  # own pools and connections, like separate processes
    ready = threading.Barrier(len(stores))
    with ThreadPoolExecutor(len(stores)) as pool:
        statuses = list(pool.map(_save_once_all_are_ready, stores, [ready] * len(stores)))
    for store in stores:
        store.close()
    assert sorted(statuses) == sorted([Status.NEEDS_REVIEW] + [Status.DUPLICATE] * 5)
    assert (count(db, "documents"), count(db, "results"), count(db, "audit_log")) == (1, 1, 1)


def _save_in_a_process(url: str, ready: Any, statuses: Any) -> None:
    store = open_store(url)
    statuses.put(_save_once_all_are_ready(store, ready).value)
    store.close()


def test_processes_saving_one_new_document_at_once_keep_one_record(url: str, db: Engine) -> None:
    context = multiprocessing.get_context("spawn")
    ready, statuses = context.Barrier(3), context.Queue()
    processes = [context.Process(target=_save_in_a_process, args=(url, ready, statuses)) for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    assert sorted(statuses.get(timeout=5) for _ in processes) == ["duplicate", "duplicate", "needs_review"]
    assert (count(db, "documents"), count(db, "results")) == (1, 1)


def test_replacing_a_result_keeps_history_and_audits_each_change(store: Store, db: Engine) -> None:
    original = store.save_result(notice())
    corrected = notice(amount="5200.00", status=Status.PROCESSED)
    changes: list[Change] = [("amount_due", "5181.72", "5200.00"), ("tax_year", 2022, 2023)]

    assert store.replace_result(corrected, "default", "alice", "corrected", changes) == corrected

    assert store.get_result(DOC) == corrected
    assert store.history(DOC) == [original, corrected]
    assert store.list_results() == [corrected]
    assert audit_trail(store) == [
        ("ingested", "pipeline", None, None, None),
        ("corrected", "alice", "amount_due", "5181.72", "5200.00"),
        ("corrected", "alice", "tax_year", "2022", "2023"),
    ]
    assert (count(db, "documents"), count(db, "results"), count(db, "fields")) == (1, 2, 10)


def test_replacing_the_result_of_an_unknown_document_raises(store: Store) -> None:
    with pytest.raises(DocumentNotFound) as raised:
        store.replace_result(notice(), "default", "alice", "corrected", [])
    assert raised.value.code == "document_not_found"


def test_reviews_are_recorded_and_appended_to_the_audit_log(store: Store, db: Engine) -> None:
    store.save_result(notice())
    store.record_review(DOC, "default", ReviewDecision.REJECT, "bob", "wrong client")
    store.record_review(DOC, "default", ReviewDecision("accept"), "carol", None)

    entries = store.audit_log(DOC)
    assert audit_trail(store) == [
        ("ingested", "pipeline", None, None, None),
        ("reviewed", "bob", None, None, "reject"),
        ("reviewed", "carol", None, None, "accept"),
    ]
    assert entries[1].detail == "wrong client"
    assert all(entry.at.tzinfo == dt.UTC for entry in entries)
    assert entries[0].at <= entries[1].at <= entries[2].at
    assert count(db, "reviews") == 2
    with pytest.raises(ValidationError):
        entries[0].action = "forged"  # type: ignore[misc]
    with pytest.raises(ValueError):
        store.record_review(DOC, "default", "maybe", "bob", None)  # type: ignore[arg-type]
    with pytest.raises(DocumentNotFound):
        store.record_review(doc_id("unknown"), "default", ReviewDecision.ACCEPT, "bob", None)


def test_list_results_filters_and_orders_by_priority_then_deadline(store: Store) -> None:
    saved = {
        "low": notice(doc_id("low"), priority=Priority.LOW, deadline="2024-06-01"),
        "critical_late": notice(doc_id("critical_late"), priority=Priority.CRITICAL, deadline="2024-07-01"),
        "high_undated": notice(doc_id("high_undated"), priority=Priority.HIGH, deadline=None),
        "levy": notice(
            doc_id("levy"),
            priority=Priority.HIGH,
            deadline="2024-06-20",
            status=Status.PROCESSED,
            category=Category.INTENT_TO_LEVY,
            profile_id="client-9",
        ),
        "critical_soon": notice(doc_id("critical_soon"), priority=Priority.CRITICAL, deadline="2024-06-15"),
    }
    for result in saved.values():
        store.save_result(result)
    names = {result.document_id: name for name, result in saved.items()}

    def listed(**filters: Any) -> list[str]:
        return [names[result.document_id] for result in store.list_results(**filters)]

    assert listed() == ["critical_soon", "critical_late", "levy", "high_undated", "low"]
    assert listed(priority="high") == ["levy", "high_undated"]
    assert listed(status=Status.PROCESSED) == ["levy"]
    assert listed(status="needs_review", priority=Priority.LOW) == ["low"]
    assert listed(category="intent_to_levy") == ["levy"]
    assert listed(due_before=dt.date(2024, 6, 20)) == ["critical_soon", "low"]
    assert listed(profile_id="client-9") == ["levy"]
    assert listed(limit=2, offset=1) == ["critical_late", "levy"]
    assert listed(tenant="someone-else") == []
    june_14 = dt.date(2024, 6, 14)  # deadlines up to June 21 are near: one step up on that day
    assert listed(as_of=june_14) == ["critical_soon", "levy", "critical_late", "high_undated", "low"]
    assert listed(as_of=june_14, priority="critical") == ["critical_soon", "levy", "critical_late"]
    assert listed(as_of=june_14, priority="normal") == ["low"]
    assert listed(as_of=dt.date(2024, 5, 1), priority="high") == ["levy", "high_undated"]


def test_a_tenant_sees_and_changes_only_its_own(store: Store) -> None:
    store.save_result(notice(), tenant="a")
    assert store.save_result(notice(amount="9.99"), tenant="b").status != Status.DUPLICATE
    store.save_result(notice(doc_id("only a")), tenant="a")
    store.put_profile(profile(name="A's client"), tenant="a")
    store.save_reminder(DOC, "a", ReminderKind.DUE_SOON, dt.date(2024, 6, 10), dt.date(2024, 6, 3), "soon")

    only_a = doc_id("only a")
    assert store.get_result(only_a, tenant="b") is None
    with pytest.raises(DocumentNotFound):
        store.result(only_a, tenant="b")
    assert store.history(only_a, tenant="b") == []
    assert store.audit_log(only_a, tenant="b") == []
    assert [r.field_value("amount_due") for r in store.list_results(tenant="b")] == ["9.99"]
    assert store.get_result(DOC) is None  # nor the default tenant
    assert store.get_profile("client-7", tenant="b") is None
    with pytest.raises(ProfileNotFound):
        store.profile("client-7", tenant="b")
    assert store.list_profiles(tenant="b") == []
    assert store.delete_profile("client-7", tenant="b") is False
    assert store.profile("client-7", tenant="a") == profile(name="A's client")
    assert store.list_reminders(tenant="b") == []
    for write in (
        lambda: store.replace_result(notice(only_a), "b", "mallory", "corrected", []),
        lambda: store.record_review(only_a, "b", ReviewDecision.ACCEPT, "mallory", None),
        lambda: store.save_reminder(
            only_a, "b", ReminderKind.OVERDUE, dt.date(2024, 6, 1), dt.date(2024, 6, 2), "x"
        ),
    ):
        with pytest.raises(DocumentNotFound):
            write()


def test_no_full_ssn_reaches_the_database(store: Store, db: Engine) -> None:
    leaky = notice(ssn_last4="123-45-6789", ssn_raw="SSN 123-45-6789", source="scan 123-45-6789.pdf")
    leaky = leaky.model_copy(update={"review_reasons": ("prints a full SSN: 123-45-6789",)})

    saved = store.save_result(leaky)
    store.replace_result(saved, "default", "alice", "corrected", [("ssn_last4", "123-45-6789", "6789")])
    store.record_review(DOC, "default", ReviewDecision.CORRECT, "alice", "SSN 123-45-6789 is the spouse's")
    store.save_reminder(
        DOC, "default", ReminderKind.OVERDUE, dt.date(2024, 6, 10), dt.date(2024, 6, 11), "123-45-6789"
    )
    store.put_profile(profile(spouse_name="old SSN 123-45-6789"))

    assert saved.fields["ssn_last4"].value is None
    assert saved.fields["ssn_last4"].raw == "SSN XXX-XX-6789"
    assert saved.source == "scan XXX-XX-6789.pdf"
    assert store.get_result(DOC) == saved
    stored_text = []
    with db.connect() as connection:
        for table in Base.metadata.sorted_tables:
            stored_text += [str(value) for row in connection.execute(select(table)) for value in row]
    assert [value for value in stored_text if FULL_SSN.search(value)] == []
    assert sum("XXX-XX-6789" in value for value in stored_text) >= 8  # the scan did read the masked text


# ---- profiles and reminders -------------------------------------------------------------------------------


def test_a_revoked_session_is_remembered_until_it_would_have_expired(store: Store, db: Engine) -> None:
    now = dt.datetime.now(dt.UTC)
    assert not store.is_session_revoked("a" * 32)
    store.revoke_session("a" * 32, now + dt.timedelta(hours=12))
    store.revoke_session("a" * 32, now + dt.timedelta(hours=12))  # twice (two tabs signing out): no error
    store.revoke_session("b" * 32, now - dt.timedelta(seconds=1))  # already expired: forgotten next time
    assert store.is_session_revoked("a" * 32) and not store.is_session_revoked("c" * 32)
    store.revoke_session("c" * 32, now + dt.timedelta(hours=1))
    with db.connect() as connection:
        ids = connection.execute(text("SELECT session_id FROM revoked_sessions")).scalars().all()
    assert sorted(ids) == ["a" * 32, "c" * 32]


def test_profiles_come_back_as_models_replaced_by_id_and_deleted(store: Store) -> None:
    jennifer = profile(returns=[{"tax_year": 2023, "tax_reported": "1200.50", "payments": []}])
    mark = profile("client-3", name="Mark Adams", ssn_last4="1111")
    store.put_profile(jennifer)
    store.put_profile(mark)
    assert store.profile("client-7") == jennifer
    assert isinstance(store.get_profile("client-3"), TaxpayerProfile)

    moved = jennifer.model_copy(update={"address": profile(address={**ADDRESS, "city": "Lincoln"}).address})
    store.put_profile(moved)
    assert store.list_profiles() == [mark, moved]  # by id
    assert store.delete_profile("client-7") is True
    assert store.delete_profile("client-7") is False
    assert store.list_profiles() == [mark]
    assert store.get_profile("client-7") is None
    with pytest.raises(ProfileNotFound):
        store.profile("client-7")
    assert store.list_profiles() == [mark]


def test_a_reminder_is_written_once_a_day(store: Store) -> None:
    store.save_result(notice())
    due, monday, tuesday = dt.date(2024, 6, 10), dt.date(2024, 6, 3), dt.date(2024, 6, 4)

    def remind(kind: ReminderKind, as_of: dt.date, message: str) -> bool:
        return store.save_reminder(DOC, "default", kind, due, as_of, message)

    assert remind(ReminderKind.DUE_SOON, monday, "CP14 due in 7 days") is True
    assert remind(ReminderKind.DUE_SOON, monday, "again") is False
    assert remind(ReminderKind.DUE_SOON, tuesday, "CP14 due in 6 days") is True
    assert remind(ReminderKind("overdue"), monday, "late") is True
    reminders = store.list_reminders()
    assert [(r.kind, r.as_of, r.message) for r in reminders] == [
        (ReminderKind.DUE_SOON, monday, "CP14 due in 7 days"),
        (ReminderKind.OVERDUE, monday, "late"),
        (ReminderKind.DUE_SOON, tuesday, "CP14 due in 6 days"),
    ]
    with pytest.raises(DocumentNotFound):
        store.save_reminder(doc_id("unknown"), "default", ReminderKind.OVERDUE, due, monday, "x")


def test_a_mail_message_is_recorded_once_per_tenant_masked(store: Store) -> None:
    first = MailMessage(mailbox="me@imap.example/INBOX", message_key="7.1", sender="Ann <a@b.c>",
                        subject="CP14 for SSN 123-45-6789", outcome=MailOutcome.FAILED,
                        reasons=("x.pdf: corrupt_file: 123-45-6789",), document_ids=(DOC,))  # fmt: skip
    recorded = store.record_mail_message(first)
    assert recorded.subject == "CP14 for SSN XXX-XX-6789" and recorded.reasons == (
        "x.pdf: corrupt_file: XXX-XX-6789",
    )
    again = first.model_copy(update={"outcome": MailOutcome.PROCESSED, "reasons": ()})
    assert store.record_mail_message(again) == recorded  # the first record stands
    assert store.record_mail_message(again, "acme").outcome is MailOutcome.PROCESSED  # another tenant's
    assert store.list_mail_messages() == [recorded]
    assert store.get_mail_message("me@imap.example/INBOX", "7.2") is None


def test_a_calendar_token_names_its_tenant_until_rotated(store: Store) -> None:
    store.set_calendar_token("acme", "a" * 64)
    store.set_calendar_token("beta", "b" * 64)
    assert (store.calendar_tenant("a" * 64), store.calendar_tenant("b" * 64)) == ("acme", "beta")
    store.set_calendar_token("acme", "c" * 64)
    assert (store.calendar_tenant("a" * 64), store.calendar_tenant("c" * 64)) == (None, "acme")


# ---- availability -----------------------------------------------------------------------------------------


def test_ping_answers_for_an_open_store(store: Store) -> None:
    assert store.ping() is True


def test_an_unreachable_postgresql_is_store_unavailable() -> None:
    pytest.importorskip("psycopg")
    url = "postgresql+psycopg://noticeflow:secret@127.0.0.1:9/noticeflow"  # nothing listens on port 9
    with pytest.raises(StoreUnavailable) as raised:
        open_store(url)
    assert isinstance(raised.value, InfrastructureError)
    assert raised.value.code == "store_unavailable"
    assert "secret" not in raised.value.message
    assert Store(create_engine(url)).ping() is False


def test_a_sqlite_store_that_cannot_be_created_is_store_unavailable(tmp_path: Any) -> None:
    (tmp_path / "home").write_text("a file where the folder should be")
    with pytest.raises(StoreUnavailable):
        open_store(f"sqlite:///{tmp_path}/home/noticeflow.db")


def test_a_url_that_names_no_database_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        open_store("not a database url")


def test_sqlite_uses_wal_and_waits_for_another_writer(tmp_path: Any) -> None:
    path = tmp_path / "noticeflow.db"
    store = open_store(f"sqlite:///{path}")
    other_process = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    assert other_process.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    other_process.execute("BEGIN IMMEDIATE")  # holds the write lock, as a busy watcher would
    threading.Timer(0.5, other_process.execute, ["COMMIT"]).start()

    started = time.monotonic()
    assert store.save_result(notice()) == notice()
    assert time.monotonic() - started >= 0.4
    other_process.close()
    store.close()


def test_head_revision_constant_names_the_newest_migration() -> None:
    from alembic.script import ScriptDirectory

    from pipeline.store import HEAD_REVISION, MIGRATIONS

    script = ScriptDirectory(str(MIGRATIONS))
    assert script.get_current_head() == HEAD_REVISION


def test_migration_0002_gives_current_results_the_priority_of_every_day(tmp_path: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    open_store(url).save_result(notice(priority=Priority.NORMAL))  # a CP14: normal on every day
    engine = create_engine(url)
    with engine.begin() as connection:  # as revision 0001 left it: the priority of a day 9 days before
        connection.execute(text("UPDATE results SET priority = 'high'"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        for newer in ("mail_messages", "calendar_tokens", "revoked_sessions"):  # revisions 0003 and 0004
            connection.execute(text(f"DROP TABLE {newer}"))
        for newer in ("case_events", "case_notices", "cases"):  # revision 0005
            connection.execute(text(f"DROP TABLE {newer}"))
        connection.execute(text("DROP INDEX ix_documents_parent"))  # revision 0007
        for column in ("parent_id", "superseded_at"):
            connection.execute(text(f"ALTER TABLE documents DROP COLUMN {column}"))
    open_store(url).close()
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT priority FROM results")) == "normal"
    engine.dispose()


def test_document_ids_by_prefix_stay_within_the_tenant(tmp_path: pathlib.Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'prefix.db'}")
    for document_id, tenant in (
        ("ab" + "0" * 62, "acme"),
        ("ab" + "1" * 62, "acme"),
        ("ab" + "2" * 62, "beta"),
    ):
        store.save_result(
            NoticeResult(document_id=document_id, source="s", status=Status.PROCESSED), tenant=tenant
        )
    assert store.document_ids_starting("ab0", "acme") == ["ab" + "0" * 62]
    assert len(store.document_ids_starting("ab", "acme")) == 2
    assert store.document_ids_starting("ab2", "acme") == []
    assert store.document_ids_starting("a%", "acme") == []  # LIKE wildcards are escaped
