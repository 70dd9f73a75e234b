"""The durable store: results and their history, field provenance, reviews, an append-only audit log,
taxpayer profiles, reminders, the messages mail intake took in, the calendar feeds' tokens and the cases
notices are linked into, in SQLite (one machine) or PostgreSQL (many); and the review pages' signed-out
sessions (``revoke_session``, ``is_session_revoked``: random ids, not per tenant).

``open_store(url)`` takes a SQLAlchemy URL — ``sqlite:///$NOTICEFLOW_HOME/noticeflow.db`` (its folder is
created) or ``postgresql+psycopg://user:password@host:5432/db`` — migrates the database to the newest schema
(alembic, ``pipeline/migrations``) and returns a ``Store``. Each method is one transaction and may be called
from many threads and processes at once; a watcher and an API process can share one SQLite file (WAL, busy
timeout, writers take the write lock when they begin).

The contract:
- Everything is per tenant, a plain string ("default" unless the API says otherwise). No method reads or
  changes another tenant's documents, results, reviews, reminders or profiles.
- ``save_result`` keeps a document's first result: saving the same (tenant, document_id) again stores nothing
  and returns the stored result with status "duplicate", also when two processes race to save it. Two
  exceptions: a *failed* current result is replaced by the next save (retrying after an OCR crash must
  work), and a failed result without a document_id (the file could not be read) is returned unstored.
- ``replace_result`` (a re-processing, a review's correction) keeps the old result as history and makes the
  new one current. Reads return the NoticeResult exactly as it was stored.
- A scanned stack (a result with ``children``) is one document and each of its notices another, joined to
  it by ``parent_id``, with its own result, reviews and audit; the stack's row keeps no copy of them: reads
  of the stack give its current notices (``children``, in page order). Saving the stack again is a duplicate
  of all of it; replacing it (``replace_result``) makes each notice's new result a new version of the notice
  with the same page range, and marks a notice whose page range is gone superseded (audited). The queue
  (``list_results``) lists the notices, never the stack nor a superseded notice.
- Full SSNs never reach the database: every ddd-dd-dddd in text about to be written (the result JSON and its
  raw field text, audit values, review reasons, reminder messages, profile JSON) becomes XXX-XX-dddd, and an
  ``ssn_last4`` value that is not four digits is stored as null. What a method returns is what was stored.
- Every result saved or replaced (a review's too) is linked into its case in the same transaction
  (``pipeline.cases`` rules: a notice listing periods joins each period's case, a copy its original's
  cases; the cases' status, deadline, priority and lead are derived again, and those of the cases it
  left). ``list_cases``, ``case``, ``case_of_document``
  read them; ``record_case_event`` adds a plan or a dispute; ``link_unlinked`` links results stored before
  cases existed. ``list_results(one_per_case=True)`` is the queue: a case's lead only.
- Reads return models: ``NoticeResult`` and ``pipeline.profiles.TaxpayerProfile``, validated here once.
  ``put_profile`` takes a ``TaxpayerProfile``.
- Two ways to look a thing up: ``result(id)`` and ``profile(id)`` raise the not-found error, for callers
  that need the thing; ``get_result`` and ``get_profile`` return None, for callers that ask whether it is.

Raises ``StoreUnavailable`` (code "store_unavailable") when the database cannot be reached or stays locked,
``DocumentNotFound`` (code "document_not_found") when a method needs a document the tenant does not have,
``ProfileNotFound`` (code "profile_not_found") when ``profile`` finds no such profile of the tenant,
``ConfigurationError`` for a URL that names no usable database.

Why one module of ~1,100 lines: the tables, the ``Store`` and the row builders are one schema; split, each
half would have to know the other's columns, and a column change would touch two files.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex
from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Engine,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    MetaData,
    Select,
    Text,
    UniqueConstraint,
    case,
    create_engine,
    delete,
    event,
    func,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    Mapped,
    Session,
    mapped_column,
    relationship,
)
from sqlalchemy.sql import ColumnElement

from extractors.ssn import mask_full_ssns
from pipeline.cases import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseKey,
    CaseStatus,
    CaseSummary,
    arrange_case,
    case_keys,
    content_key,
)
from pipeline.errors import (
    CaseNotFound,
    ConfigurationError,
    DocumentNotFound,
    ProfileNotFound,
    StoreUnavailable,
)
from pipeline.models import Field, FieldValue, Frozen, NoticeResult, Priority, Status, parse_iso_date
from pipeline.profiles import TaxpayerProfile
from pipeline.triage import URGENT_DAYS, stored_priority

log = logging.getLogger(__name__)

DEFAULT_TENANT = "default"
if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD_REVISION = "0007"  # the newest migration in migrations/versions; a test keeps the two equal
SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITER = "noticeflow_writer"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)
_MIGRATION_LOCK = 7_140_112  # PostgreSQL advisory lock key held while migrating
_LAST4 = regex.compile(r"\d{4}")

"""A taxpayer profile's JSON, as ``pipeline.profiles.TaxpayerProfile`` reads it (``id`` is its key)."""

Change = tuple[str, FieldValue, FieldValue]
"""One change a replacement made: (field name, old value, new value)."""


class ReviewDecision(StrEnum):
    ACCEPT = "accept"
    CORRECT = "correct"
    REJECT = "reject"


class ReminderKind(StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


class AuditEntry(Frozen):
    """One row of a document's append-only audit log."""

    at: dt.datetime
    actor: str
    document_id: str
    action: str  # "ingested", "reprocessed", "reviewed", or the action given to replace_result
    field: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    detail: str | None = None


class Reminder(Frozen):
    document_id: str
    kind: ReminderKind
    due: dt.date
    as_of: dt.date
    message: str


class MailOutcome(StrEnum):
    """The server folder a message was moved to."""

    PROCESSED = "processed"
    FAILED = "failed"


class MailMessage(Frozen):
    """One message mail intake took in: which mailbox and message, who sent it, what became of it."""

    mailbox: str  # user@host/folder, no password
    message_key: str  # UIDVALIDITY.UID: the message in that mailbox until it is moved
    sender: str
    subject: str
    outcome: MailOutcome
    reasons: tuple[str, ...] = ()  # why it failed: no attachment, an attachment too large or unreadable
    document_ids: tuple[str, ...] = ()  # the documents its attachments were stored as


# ---- tables ---------------------------------------------------------------------------------------------


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {dt.datetime: DateTime(timezone=True)}


class DocumentRow(Base):
    """One file a tenant sent, keyed by the sha256 of its bytes."""

    __tablename__ = "documents"
    tenant: Mapped[str] = mapped_column(primary_key=True, server_default=DEFAULT_TENANT)
    document_id: Mapped[str] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[dt.datetime]
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    pages: Mapped[int]
    # A notice of a scanned stack: the stack's document id ("<sha256>:p3-5" under "<sha256>").
    parent_id: Mapped[str | None] = mapped_column(Text)
    superseded_at: Mapped[dt.datetime | None]  # a person moved a boundary: another page range replaced it
    __table_args__ = (Index("ix_documents_parent", "tenant", "parent_id"),)


class ResultRow(Base):
    """Every processing of a document: one is current, the others are its history."""

    __tablename__ = "results"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(server_default=DEFAULT_TENANT)
    document_id: Mapped[str]
    is_current: Mapped[bool]
    status: Mapped[str]
    priority: Mapped[str]
    category: Mapped[str]
    deadline: Mapped[dt.date | None]
    profile_id: Mapped[str | None]
    action: Mapped[str]
    actor: Mapped[str]
    created_at: Mapped[dt.datetime]
    result_json: Mapped[str] = mapped_column(Text)  # the NoticeResult as stored: what reads return
    fields: Mapped[list[FieldRow]] = relationship(cascade="all, delete-orphan")
    __table_args__ = (
        ForeignKeyConstraint(["tenant", "document_id"], ["documents.tenant", "documents.document_id"]),
        # At most one current result per document, enforced by the database for concurrent writers.
        Index(
            "ix_results_one_current",
            "tenant",
            "document_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_results_queue", "tenant", "is_current", "priority", "deadline"),
    )


class FieldRow(Base):
    """One field of one result with its provenance (page, box, raw text, rule), for queries."""

    __tablename__ = "fields"
    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"))
    name: Mapped[str]
    value: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float]
    page: Mapped[int | None]
    bbox: Mapped[list[int] | None] = mapped_column(JSON)
    raw: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str | None]
    kind: Mapped[str | None]
    __table_args__ = (UniqueConstraint("result_id", "name"),)


class ReviewRow(Base):
    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(server_default=DEFAULT_TENANT)
    document_id: Mapped[str]
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id"))
    decision: Mapped[str]
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str]
    at: Mapped[dt.datetime]
    __table_args__ = (
        ForeignKeyConstraint(["tenant", "document_id"], ["documents.tenant", "documents.document_id"]),
    )


class AuditRow(Base):
    """Append-only: the store inserts rows and never updates or deletes them."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    tenant: Mapped[str] = mapped_column(server_default=DEFAULT_TENANT)
    actor: Mapped[str]
    document_id: Mapped[str]
    action: Mapped[str]
    field: Mapped[str | None]
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_audit_log_document", "tenant", "document_id"),)


class ProfileRow(Base):
    __tablename__ = "profiles"
    tenant: Mapped[str] = mapped_column(primary_key=True, server_default=DEFAULT_TENANT)
    profile_id: Mapped[str] = mapped_column(primary_key=True)
    profile_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]


class RevokedSessionRow(Base):
    __tablename__ = "revoked_sessions"
    session_id: Mapped[str] = mapped_column(primary_key=True)
    expires_at: Mapped[dt.datetime]


class ReminderRow(Base):
    __tablename__ = "reminders"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(server_default=DEFAULT_TENANT)
    document_id: Mapped[str]
    kind: Mapped[str]
    due: Mapped[dt.date]
    as_of: Mapped[dt.date]
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    __table_args__ = (
        ForeignKeyConstraint(["tenant", "document_id"], ["documents.tenant", "documents.document_id"]),
        UniqueConstraint("tenant", "document_id", "kind", "due", "as_of"),
    )


class MailMessageRow(Base):
    __tablename__ = "mail_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(server_default=DEFAULT_TENANT)
    mailbox: Mapped[str]
    message_key: Mapped[str]
    sender: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str]
    reasons: Mapped[list[str]] = mapped_column(JSON)
    document_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]
    __table_args__ = (UniqueConstraint("tenant", "mailbox", "message_key"),)


class CalendarTokenRow(Base):
    """A tenant's calendar feed token, kept as its sha256 only; rotating replaces it."""

    __tablename__ = "calendar_tokens"
    tenant: Mapped[str] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(unique=True)
    created_at: Mapped[dt.datetime]


class CaseRow(Base):
    """A case (pipeline.cases) with the facts derived from its open notices, for the queue's order."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(server_default=DEFAULT_TENANT)
    case_key: Mapped[str] = mapped_column(Text)
    key_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str]
    priority: Mapped[str]
    deadline: Mapped[dt.date | None]
    stage: Mapped[str | None]
    notice_count: Mapped[int]
    lead_document_id: Mapped[str | None]  # its most urgent open notice: the queue's one row for it
    updated_at: Mapped[dt.datetime]
    __table_args__ = (
        UniqueConstraint("tenant", "case_key"),
        Index("ix_cases_queue", "tenant", "status", "priority", "deadline"),
    )


class CaseNoticeRow(Base):
    """Which case a document is in (a notice listing periods: each of their cases); ``id`` keeps the order
    documents were first stored in."""

    __tablename__ = "case_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(server_default=DEFAULT_TENANT)
    document_id: Mapped[str]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    content_key: Mapped[str | None] = mapped_column(Text)
    linked_to: Mapped[str | None]  # the original of a copy, the notice that superseded one (pipeline.cases)
    __table_args__ = (
        ForeignKeyConstraint(["tenant", "document_id"], ["documents.tenant", "documents.document_id"]),
        UniqueConstraint("tenant", "document_id", "case_id"),
        Index("ix_case_notices_case", "case_id"),
        Index("ix_case_notices_content", "tenant", "content_key"),
    )


class CaseEventRow(Base):
    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(server_default=DEFAULT_TENANT)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str]
    on_day: Mapped[dt.date]
    document_id: Mapped[str | None]
    detail: Mapped[str] = mapped_column(Text)
    actor: Mapped[str]
    at: Mapped[dt.datetime]


# A result's document in a case: the join of results and case_notices.
_IS_MEMBER = (CaseNoticeRow.tenant == ResultRow.tenant) & (CaseNoticeRow.document_id == ResultRow.document_id)


# The priority column holds the priority a result has on every day (pipeline.triage.stored_priority); the
# queue's rank for a day is that one step up when the deadline is near (pipeline.triage.priority_for_day).
def _priority_rank(priority: InstrumentedAttribute[str]) -> ColumnElement[int]:
    return case({p.value: rank for rank, p in enumerate(Priority)}, value=priority, else_=len(Priority))


def _rank_on(
    day: dt.date | None,
    priority: InstrumentedAttribute[str] = ResultRow.priority,
    deadline: InstrumentedAttribute[dt.date | None] = ResultRow.deadline,
) -> ColumnElement[int]:
    """The queue rank of a row (results or cases) on ``day``: its priority, one step up when near."""
    rank = _priority_rank(priority)
    if day is None:
        return rank
    is_near = deadline <= day + dt.timedelta(days=URGENT_DAYS)
    return case((is_near & (rank > 0), rank - 1), else_=rank)


# ---- opening and migrating --------------------------------------------------------------------------------


def open_store(url: str) -> Store:
    """Open the database at a SQLAlchemy URL and migrate it to the newest schema (a no-op when it is)."""
    try:
        engine = _create_engine(make_url(url))
    except (ArgumentError, ImportError) as error:
        raise ConfigurationError(f"the store URL names no usable database ({error})") from error
    store = Store(engine)
    try:
        store._migrate()
    except Exception:
        store.close()
        raise
    return store


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration for running the migrations on an open connection (see migrations/env.py)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "rev_%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def _create_engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        try:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(
                f"cannot create the folder of the store {url.database}: {error}"
            ) from error
    engine = create_engine(url)
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: object) -> None:
    # SQLAlchemy emits BEGIN itself (_begin_sqlite): sqlite3's own transaction handling skips it for reads.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")  # readers and one writer at once, across processes
    cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough in WAL mode
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    # A writer takes the write lock when it begins: taking it later, after reading, fails at once with
    # "database is locked" if another process wrote in between, instead of waiting the busy timeout.
    is_writer = connection.get_execution_options().get(_WRITER, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if is_writer else "BEGIN")


# ---- the store --------------------------------------------------------------------------------------------


class Store:
    """The store's API (see the module docstring for the contract). Made by ``open_store``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{_WRITER: True})
        self._name = engine.url.render_as_string(hide_password=True)

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        try:
            bind = self._writer if write else self._engine
            with Session(bind, expire_on_commit=False) as session, session.begin():
                yield session
        except (OperationalError, InterfaceError, PoolTimeout) as error:
            reason = error.orig if isinstance(error, DBAPIError) else error
            raise StoreUnavailable(f"the store {self._name} is unavailable: {reason}") from error

    def _is_at_head(self) -> bool:
        """Whether the schema is already the newest: the common case, checked without importing alembic
        (a third of a second at every CLI start)."""
        try:
            with self._transaction() as session:
                return session.scalar(text("SELECT version_num FROM alembic_version")) == HEAD_REVISION
        except (OperationalError, ProgrammingError, StoreUnavailable):
            return False

    def _migrate(self) -> None:
        """Run alembic's upgrade to head inside one transaction that holds the migration lock."""
        if self._is_at_head():
            return
        from alembic import command

        with self._transaction(write=True) as session:  # SQLite: the write lock
            connection = session.connection()
            if connection.dialect.name == "postgresql":
                # Two processes opening a fresh database: the second waits here, then finds it at head.
                connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            command.upgrade(alembic_config(connection), "head")

    def ping(self) -> bool:
        """Whether the database answers."""
        try:
            with self._transaction() as session:
                session.execute(select(1))
        except StoreUnavailable:
            return False
        return True

    def close(self) -> None:
        self._engine.dispose()

    # -- results --

    def save_result(
        self,
        result: NoticeResult,
        tenant: str = DEFAULT_TENANT,
        actor: str = "pipeline",
        *,
        file_size: int | None = None,
    ) -> NoticeResult:
        """Store a document's first result; a known document gives its stored result as "duplicate".
        ``file_size`` (bytes) goes on the document record when the caller knows it."""
        if not result.document_id:
            return result
        stored = _without_full_ssns(result)
        try:
            return self._save_once(stored, tenant, actor, file_size)
        except IntegrityError:
            # Another process inserted the same new document between our look and our insert.
            return self._save_once(stored, tenant, actor, file_size)

    def _save_once(
        self, result: NoticeResult, tenant: str, actor: str, file_size: int | None
    ) -> NoticeResult:
        with self._transaction(write=True) as session:
            if _lock_document(session, tenant, result.document_id) is None:
                session.add(_document_row(result, tenant, file_size))
                _add_result(session, result, tenant, actor, "ingested", ())
                _add_children(session, result, tenant, actor, "ingested")
                return result
            current = session.scalars(_current(tenant, result.document_id)).one_or_none()
            if current is not None and current.status != Status.FAILED.value:
                stored = NoticeResult.model_validate_json(current.result_json)
                return _with_children(session, tenant, stored).model_copy(update={"status": Status.DUPLICATE})
            _add_result(session, result, tenant, actor, "reprocessed", ())
            _add_children(session, result, tenant, actor, "reprocessed")
            return result

    def replace_result(
        self, result: NoticeResult, tenant: str, actor: str, action: str, changes: Sequence[Change]
    ) -> NoticeResult:
        """Make ``result`` the document's current result, the old one history; audit each change."""
        stored = _without_full_ssns(result)
        with self._transaction(write=True) as session:
            if _lock_document(session, tenant, stored.document_id) is None:
                raise DocumentNotFound(f"no document {stored.document_id!r} to replace the result of")
            _add_result(session, stored, tenant, actor, action, changes)
            _add_children(session, stored, tenant, actor, action)
        return stored

    def result(self, document_id: str, tenant: str = DEFAULT_TENANT) -> NoticeResult:
        """The document's current result; ``DocumentNotFound`` when the tenant has no such document."""
        result = self.get_result(document_id, tenant)
        if result is None:
            raise DocumentNotFound(f"no notice {document_id}")
        return result

    def get_result(self, document_id: str, tenant: str = DEFAULT_TENANT) -> NoticeResult | None:
        """The document's current result, or None when the tenant has no such document."""
        with self._transaction() as session:
            stored = session.scalars(_current(tenant, document_id).with_only_columns(ResultRow.result_json))
            json_text = stored.one_or_none()
            if json_text is None:
                return None
            return _with_children(session, tenant, NoticeResult.model_validate_json(json_text))

    def history(self, document_id: str, tenant: str = DEFAULT_TENANT) -> list[NoticeResult]:
        """Every result the document had, oldest first; the last is the current one."""
        query = (
            select(ResultRow.result_json)
            .where(ResultRow.tenant == tenant, ResultRow.document_id == document_id)
            .order_by(ResultRow.id)
        )
        with self._transaction() as session:
            return [NoticeResult.model_validate_json(row) for row in session.scalars(query)]

    def document_ids_starting(self, prefix: str, tenant: str = DEFAULT_TENANT, limit: int = 2) -> list[str]:
        """Ids of the tenant's documents that start with ``prefix`` (ids abbreviated as git abbreviates)."""
        query = select(DocumentRow.document_id).where(
            DocumentRow.tenant == tenant, DocumentRow.document_id.startswith(prefix, autoescape=True)
        )
        with self._transaction() as session:
            return list(session.scalars(query.order_by(DocumentRow.document_id).limit(limit)))

    def documents_since(self, since: dt.datetime, tenant: str = DEFAULT_TENANT) -> set[str]:
        """Ids of the tenant's documents first seen at ``since`` or later."""
        query = select(DocumentRow.document_id).where(
            DocumentRow.tenant == tenant, DocumentRow.first_seen >= since
        )
        with self._transaction() as session:
            return set(session.scalars(query))

    def tenants(self) -> list[str]:
        """Every tenant that has a document, for jobs that sweep all of them."""
        with self._transaction() as session:
            return sorted(session.scalars(select(DocumentRow.tenant).distinct()))

    def list_results(
        self,
        tenant: str = DEFAULT_TENANT,
        status: str | None = None,
        priority: str | None = None,
        category: str | None = None,
        due_before: dt.date | None = None,
        profile_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
        as_of: dt.date | None = None,
        *,
        one_per_case: bool = False,
        without_linked: bool = False,
    ) -> list[NoticeResult]:
        """Current results matching every filter given (``due_before``: deadline strictly earlier), most
        urgent first: by priority (critical, high, normal, low), then deadline (none last). With ``as_of``
        the priority is the one on that day (the results are as stored: read them through
        ``pipeline.triage.for_day``). ``one_per_case``: of the documents in a case, only the lead of an
        open case (its most urgent open notice); copies, superseded notices and closed cases are left out,
        documents in no case (failed ones) stay. ``without_linked``: copies and superseded notices are left
        out."""
        rank = _rank_on(as_of)
        is_queued = ResultRow.document_id.not_in(_not_queued(tenant))
        query = select(ResultRow.result_json).where(ResultRow.tenant == tenant, ResultRow.is_current)
        query = query.where(is_queued)
        if one_per_case:
            query = _leads_only(query)
        if without_linked:
            query = _without_linked(query)
        for column, wanted in (
            (ResultRow.status, status),
            (ResultRow.category, category),
            (ResultRow.profile_id, profile_id),
        ):
            if wanted is not None:
                query = query.where(column == str(wanted))
        if priority is not None:
            query = query.where(rank == list(Priority).index(Priority(priority)))
        if due_before is not None:
            query = query.where(ResultRow.deadline < due_before)
        query = query.order_by(rank, ResultRow.deadline.asc().nulls_last(), ResultRow.id)
        with self._transaction() as session:
            rows = session.scalars(query.limit(limit).offset(offset))
            return [NoticeResult.model_validate_json(row) for row in rows]

    # -- cases --

    def list_cases(
        self,
        tenant: str = DEFAULT_TENANT,
        status: CaseStatus | None = None,
        limit: int = 50,
        offset: int = 0,
        as_of: dt.date | None = None,
    ) -> list[CaseSummary]:
        """The tenant's cases that hold a notice, open ones first, then most urgent first (priority on
        ``as_of``, deadline, none last). Read them through ``pipeline.cases.case_for_day``."""
        query = select(CaseRow).where(CaseRow.tenant == tenant, CaseRow.notice_count > 0)
        if status is not None:
            query = query.where(CaseRow.status == CaseStatus(status).value)
        is_closed = case((CaseRow.status == CaseStatus.OPEN.value, 0), else_=1)
        rank = _rank_on(as_of, CaseRow.priority, CaseRow.deadline)
        query = query.order_by(is_closed, rank, CaseRow.deadline.asc().nulls_last(), CaseRow.id)
        with self._transaction() as session:
            return [_case_summary(row) for row in session.scalars(query.limit(limit).offset(offset))]

    def case(self, case_id: int, tenant: str = DEFAULT_TENANT) -> Case:
        """The case with its timeline and events; ``CaseNotFound`` when the tenant has no such case."""
        with self._transaction() as session:
            row = session.get(CaseRow, case_id)
            if row is None or row.tenant != tenant or row.notice_count == 0:
                raise CaseNotFound(f"no case {case_id}")
            arrangement = arrange_case(_case_results(session, row), key=_key_of(row))
            query = select(CaseEventRow).filter_by(case_id=case_id).order_by(CaseEventRow.id)
            events = session.scalars(query)
            return Case(
                **_case_summary(row).model_dump(),
                entries=arrangement.entries,
                events=tuple(
                    CaseEvent(
                        kind=CaseEventKind(event.kind),
                        on=event.on_day,
                        detail=event.detail,
                        actor=event.actor,
                        at=_utc(event.at),
                        document_id=event.document_id,
                    )
                    for event in events
                ),
            )

    def cases_of(self, document_ids: Sequence[str], tenant: str = DEFAULT_TENANT) -> dict[str, CaseSummary]:
        """The case of each of these documents that is in one."""
        query = (
            select(CaseNoticeRow.document_id, CaseRow)
            .join(CaseRow, CaseRow.id == CaseNoticeRow.case_id)
            .where(CaseNoticeRow.tenant == tenant, CaseNoticeRow.document_id.in_(list(document_ids)))
        )
        with self._transaction() as session:
            return {document_id: _case_summary(row) for document_id, row in session.execute(query)}

    def link_unlinked(self, tenant: str = DEFAULT_TENANT) -> int:
        """Link into their cases the current results that are in none though they could be (stored before
        cases existed), in the order their documents were first stored; how many were linked."""
        query = (
            select(ResultRow)
            .outerjoin(CaseNoticeRow, _IS_MEMBER)
            .join(
                DocumentRow,
                (DocumentRow.tenant == ResultRow.tenant) & (DocumentRow.document_id == ResultRow.document_id),
            )
            .where(ResultRow.tenant == tenant, ResultRow.is_current, CaseNoticeRow.id.is_(None))
            .where(ResultRow.status != Status.FAILED.value)
            .order_by(DocumentRow.first_seen, ResultRow.id)
        )
        with self._transaction(write=True) as session:
            rows = list(session.scalars(query))
            for row in rows:
                _link_case(session, tenant, NoticeResult.model_validate_json(row.result_json))
            return len(rows)

    def case_id_of(self, document_id: str, tenant: str = DEFAULT_TENANT) -> int | None:
        """The id of the case the document is in (of a notice listing periods: its own period's case), or None
        (a failed result is in none)."""
        query = select(CaseNoticeRow.case_id).filter_by(tenant=tenant, document_id=document_id)
        with self._transaction() as session:
            return session.scalars(query.order_by(CaseNoticeRow.id).limit(1)).first()

    def record_case_event(
        self,
        case_id: int,
        tenant: str,
        kind: CaseEventKind,
        on: dt.date,
        detail: str,
        actor: str,
        document_id: str | None = None,
    ) -> None:
        """Add what a person recorded for the whole case (a dispute names the notice disputed, which must be
        in the case); ``CaseNotFound`` for another tenant's case, ``DocumentNotFound`` for a notice not in
        it."""
        with self._transaction(write=True) as session:
            row = session.get(CaseRow, case_id)
            if row is None or row.tenant != tenant:
                raise CaseNotFound(f"no case {case_id}")
            if document_id is not None:
                query = select(CaseNoticeRow.id).filter_by(
                    tenant=tenant, document_id=document_id, case_id=case_id
                )
                if session.scalars(query).first() is None:
                    raise DocumentNotFound(f"no notice {document_id} in case {case_id}")
            event = CaseEventRow(
                tenant=tenant, case_id=case_id, kind=CaseEventKind(kind).value, on_day=on,
                document_id=document_id, detail=mask_full_ssns(detail), actor=actor, at=_now(),
            )  # fmt: skip
            session.add(event)

    def case_of_document(self, document_id: str, tenant: str = DEFAULT_TENANT) -> Case | None:
        """The case the document is in, with its timeline and events; None for a document in none."""
        case_id = self.case_id_of(document_id, tenant)
        return None if case_id is None else self.case(case_id, tenant)

    # -- reviews and the audit log --

    def record_review(
        self, document_id: str, tenant: str, decision: ReviewDecision, actor: str, reason: str | None
    ) -> None:
        """Record a person's decision on the current result (a correction's values go via replace_result)."""
        decision = ReviewDecision(decision)
        with self._transaction(write=True) as session:
            current = session.scalars(_current(tenant, document_id)).one_or_none()
            if current is None:
                raise DocumentNotFound(f"no document {document_id!r} to review")
            reason = _masked(reason)
            session.add(
                ReviewRow(
                    tenant=tenant,
                    document_id=document_id,
                    result_id=current.id,
                    decision=decision.value,
                    reason=reason,
                    actor=actor,
                    at=_now(),
                )
            )
            session.add(_audit_row(tenant, document_id, actor, "reviewed", new=decision.value, detail=reason))

    def audit_log(self, document_id: str, tenant: str = DEFAULT_TENANT) -> list[AuditEntry]:
        """The document's audit rows, oldest first."""
        query = (
            select(AuditRow)
            .where(AuditRow.tenant == tenant, AuditRow.document_id == document_id)
            .order_by(AuditRow.id)
        )
        with self._transaction() as session:
            return [
                AuditEntry(
                    at=_utc(row.at),
                    actor=row.actor,
                    document_id=row.document_id,
                    action=row.action,
                    field=row.field,
                    old_value=row.old_value,
                    new_value=row.new_value,
                    detail=row.detail,
                )
                for row in session.scalars(query)
            ]

    # -- profiles --

    def put_profile(self, profile: TaxpayerProfile, tenant: str = DEFAULT_TENANT) -> None:
        """Insert or replace the profile with its ``id``."""
        row = {"profile_json": mask_full_ssns(profile.model_dump_json()), "updated_at": _now()}
        with self._transaction(write=True) as session:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            upsert = insert(ProfileRow).values(tenant=tenant, profile_id=profile.id, **row)
            session.execute(upsert.on_conflict_do_update(index_elements=["tenant", "profile_id"], set_=row))

    def profile(self, profile_id: str, tenant: str = DEFAULT_TENANT) -> TaxpayerProfile:
        """The tenant's profile; ``ProfileNotFound`` when it has none with that id."""
        profile = self.get_profile(profile_id, tenant)
        if profile is None:
            raise ProfileNotFound(f"no profile {profile_id!r}")
        return profile

    def get_profile(self, profile_id: str, tenant: str = DEFAULT_TENANT) -> TaxpayerProfile | None:
        """The tenant's profile, or None when it has none with that id."""
        with self._transaction() as session:
            row = session.get(ProfileRow, (tenant, profile_id))
            return None if row is None else TaxpayerProfile.model_validate_json(row.profile_json)

    def list_profiles(self, tenant: str = DEFAULT_TENANT) -> list[TaxpayerProfile]:
        """The tenant's profiles, by id."""
        query = (
            select(ProfileRow.profile_json).where(ProfileRow.tenant == tenant).order_by(ProfileRow.profile_id)
        )
        with self._transaction() as session:
            return [TaxpayerProfile.model_validate_json(row) for row in session.scalars(query)]

    def delete_profile(self, profile_id: str, tenant: str = DEFAULT_TENANT) -> bool:
        """Whether there was such a profile to delete."""
        with self._transaction(write=True) as session:
            row = session.get(ProfileRow, (tenant, profile_id))
            if row is not None:
                session.delete(row)
            return row is not None

    # -- sessions --

    def revoke_session(self, session_id: str, expires_at: dt.datetime) -> None:
        """Remember a signed-out session until ``expires_at`` (when its cookie would end anyway); sessions
        that expired are forgotten here."""
        with self._transaction(write=True) as session:
            session.execute(delete(RevokedSessionRow).where(RevokedSessionRow.expires_at < _now()))
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            row = insert(RevokedSessionRow).values(session_id=session_id, expires_at=_utc(expires_at))
            session.execute(row.on_conflict_do_nothing(index_elements=["session_id"]))

    def is_session_revoked(self, session_id: str) -> bool:
        with self._transaction() as session:
            return session.get(RevokedSessionRow, session_id) is not None

    # -- reminders --

    def save_reminder(
        self, document_id: str, tenant: str, kind: ReminderKind, due: dt.date, as_of: dt.date, message: str
    ) -> bool:
        """Write a reminder; False when the same one (document, kind, due) was already written that day."""
        row = ReminderRow(
            tenant=tenant,
            document_id=document_id,
            kind=ReminderKind(kind).value,
            due=due,
            as_of=as_of,
            message=mask_full_ssns(message),
            created_at=_now(),
        )
        same = select(ReminderRow.id).filter_by(
            tenant=tenant, document_id=document_id, kind=row.kind, due=due, as_of=as_of
        )
        try:
            with self._transaction(write=True) as session:
                if session.get(DocumentRow, (tenant, document_id)) is None:
                    raise DocumentNotFound(f"no document {document_id!r} to remind of")
                if session.scalars(same).first() is not None:
                    return False
                session.add(row)
        except IntegrityError:  # the same reminder, written by another process meanwhile
            return False
        return True

    def list_reminders(self, tenant: str = DEFAULT_TENANT) -> list[Reminder]:
        """The tenant's reminders, by day written, then due date."""
        query = (
            select(ReminderRow)
            .where(ReminderRow.tenant == tenant)
            .order_by(ReminderRow.as_of, ReminderRow.due, ReminderRow.id)
        )
        with self._transaction() as session:
            return [
                Reminder(
                    document_id=row.document_id,
                    kind=ReminderKind(row.kind),
                    due=row.due,
                    as_of=row.as_of,
                    message=row.message,
                )
                for row in session.scalars(query)
            ]

    # -- mail intake --

    def record_mail_message(self, message: MailMessage, tenant: str = DEFAULT_TENANT) -> MailMessage:
        """Record a message once; recording it again returns the first record (nothing changes)."""
        row = MailMessageRow(
            tenant=tenant,
            mailbox=message.mailbox,
            message_key=message.message_key,
            sender=mask_full_ssns(message.sender),
            subject=mask_full_ssns(message.subject),
            outcome=message.outcome.value,
            reasons=[mask_full_ssns(reason) for reason in message.reasons],
            document_ids=list(message.document_ids),
            created_at=_now(),
        )
        try:
            with self._transaction(write=True) as session:
                session.add(row)
        except IntegrityError:  # recorded before (a crash before the move, or another process)
            pass
        recorded = self.get_mail_message(message.mailbox, message.message_key, tenant)
        assert recorded is not None, "a recorded message reads back"
        return recorded

    def get_mail_message(
        self, mailbox: str, message_key: str, tenant: str = DEFAULT_TENANT
    ) -> MailMessage | None:
        query = select(MailMessageRow).filter_by(tenant=tenant, mailbox=mailbox, message_key=message_key)
        with self._transaction() as session:
            row = session.scalars(query).one_or_none()
            return None if row is None else _mail_message(row)

    def list_mail_messages(self, tenant: str = DEFAULT_TENANT) -> list[MailMessage]:
        """The tenant's messages, in the order they were taken in."""
        query = select(MailMessageRow).where(MailMessageRow.tenant == tenant).order_by(MailMessageRow.id)
        with self._transaction() as session:
            return [_mail_message(row) for row in session.scalars(query)]

    # -- calendar feed tokens --

    def set_calendar_token(self, tenant: str, token_sha256: str) -> None:
        """Make ``token_sha256`` the tenant's only calendar token (the old one stops working)."""
        row = {"token_sha256": token_sha256, "created_at": _now()}
        with self._transaction(write=True) as session:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            upsert = insert(CalendarTokenRow).values(tenant=tenant, **row)
            session.execute(upsert.on_conflict_do_update(index_elements=["tenant"], set_=row))

    def calendar_tenant(self, token_sha256: str) -> str | None:
        """The tenant whose calendar token has this sha256, or None."""
        query = select(CalendarTokenRow.tenant).where(CalendarTokenRow.token_sha256 == token_sha256)
        with self._transaction() as session:
            return session.scalars(query).one_or_none()


# ---- rows -------------------------------------------------------------------------------------------------


def _without_full_ssns(result: NoticeResult) -> NoticeResult:
    """The result as the store keeps it: every full SSN in its JSON masked, ``ssn_last4`` 4 digits or null."""
    ssn = result.fields.get("ssn_last4")
    if ssn is not None and ssn.value is not None and not _LAST4.fullmatch(str(ssn.value)):
        log.warning("store: %s: ssn_last4 is not four digits; storing null", result.document_id)
        fields = {**result.fields, "ssn_last4": ssn.model_copy(update={"value": None})}
        result = result.model_copy(update={"fields": fields})
    return NoticeResult.model_validate_json(mask_full_ssns(result.model_dump_json()))


def _mail_message(row: MailMessageRow) -> MailMessage:
    return MailMessage(
        mailbox=row.mailbox,
        message_key=row.message_key,
        sender=row.sender,
        subject=row.subject,
        outcome=MailOutcome(row.outcome),
        reasons=tuple(row.reasons),
        document_ids=tuple(row.document_ids),
    )


def _lock_document(session: Session, tenant: str, document_id: str) -> DocumentRow | None:
    """The document row, locked until the transaction ends (PostgreSQL; SQLite writers lock the file)."""
    query = select(DocumentRow).filter_by(tenant=tenant, document_id=document_id).with_for_update()
    return session.scalars(query).one_or_none()


def _current(tenant: str, document_id: str) -> Select[ResultRow]:
    return select(ResultRow).where(
        ResultRow.tenant == tenant, ResultRow.document_id == document_id, ResultRow.is_current
    )


def _add_result(
    session: Session, result: NoticeResult, tenant: str, actor: str, action: str, changes: Sequence[Change]
) -> None:
    """Add ``result`` as the document's current result (the old one becomes history) and its audit rows."""
    session.execute(
        update(ResultRow)
        .where(ResultRow.tenant == tenant, ResultRow.document_id == result.document_id, ResultRow.is_current)
        .values(is_current=False)
    )
    session.add(_result_row(result, tenant, actor, action))
    _link_case(session, tenant, result)
    document_id = result.document_id
    if not changes:
        session.add(_audit_row(tenant, document_id, actor, action, detail=f"status {result.status.value}"))
    for field, old, new in changes:
        session.add(_audit_row(tenant, document_id, actor, action, field=field, old=old, new=new))


def _link_case(session: Session, tenant: str, result: NoticeResult) -> None:
    """Put the document in its cases (a notice listing periods in each period's; a copy in its original's)
    and derive them, and the ones it left, again. PostgreSQL: a tenant's cases are linked one transaction at
    a time (SQLite writers already are)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"cases:{tenant}"))))
    query = select(CaseNoticeRow).filter_by(tenant=tenant, document_id=result.document_id)
    members = {member.case_id: member for member in session.scalars(query.order_by(CaseNoticeRow.id))}
    content, keys = content_key(result), case_keys(result)
    cases = (_cases_of_copy(session, tenant, result.document_id, content) if keys else []) or [
        _case_row(session, tenant, key) for key in keys
    ]
    for case_row in cases:
        member = members.pop(case_row.id, None)
        if member is None:
            member = CaseNoticeRow(tenant=tenant, document_id=result.document_id, case_id=case_row.id)
            session.add(member)
        member.content_key = content
    for member in members.values():
        session.delete(member)
    session.flush()
    for case_row in cases:
        _derive_case(session, case_row)
    for left in members:
        _derive_case(session, session.get_one(CaseRow, left))


def _leads_only(query: Select[str]) -> Select[str]:
    """The query's results that are the lead of one of their cases (once, however many), or in no case."""
    is_lead = (
        select(CaseNoticeRow.id)
        .join(CaseRow, CaseRow.id == CaseNoticeRow.case_id)
        .where(_IS_MEMBER, CaseRow.lead_document_id == ResultRow.document_id)
    )
    return query.where(~select(CaseNoticeRow.id).where(_IS_MEMBER).exists() | is_lead.exists())


def _without_linked(query: Select[str]) -> Select[str]:
    """The query's results that are neither a copy nor superseded (a document in no case stays)."""
    linked = select(CaseNoticeRow.document_id).where(
        CaseNoticeRow.tenant == ResultRow.tenant, CaseNoticeRow.linked_to.is_not(None)
    )
    return query.where(ResultRow.document_id.not_in(linked))


def _cases_of_copy(session: Session, tenant: str, document_id: str, content: str | None) -> list[CaseRow]:
    """The cases of the first document stored with the same content, when there is one."""
    if content is None:
        return []
    first = (
        select(CaseNoticeRow.document_id)
        .where(
            CaseNoticeRow.tenant == tenant,
            CaseNoticeRow.content_key == content,
            CaseNoticeRow.document_id != document_id,
        )
        .order_by(CaseNoticeRow.id)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(CaseRow)
        .join(CaseNoticeRow, CaseNoticeRow.case_id == CaseRow.id)
        .where(CaseNoticeRow.tenant == tenant, CaseNoticeRow.document_id == first)
        .order_by(CaseNoticeRow.id)
    )
    return list(session.scalars(query))


def _case_row(session: Session, tenant: str, key: CaseKey) -> CaseRow:
    """The tenant's case with this key, made (empty) when there is none yet."""
    found = session.scalars(select(CaseRow).filter_by(tenant=tenant, case_key=key.text)).one_or_none()
    if found is not None:
        return found
    row = CaseRow(
        tenant=tenant,
        case_key=key.text,
        key_json=mask_full_ssns(key.model_dump_json()),
        status=CaseStatus.OPEN.value,
        priority=Priority.NORMAL.value,
        notice_count=0,
        updated_at=_now(),
    )
    session.add(row)
    session.flush()  # its id, for the document's link
    return row


def _derive_case(session: Session, case_row: CaseRow) -> None:
    """The case's columns again, from the current results of its documents (pipeline.cases rules)."""
    arrangement = arrange_case(_case_results(session, case_row), key=_key_of(case_row))
    linked = {entry.document_id: entry.linked_to for entry in arrangement.entries}
    for member in session.scalars(select(CaseNoticeRow).filter_by(case_id=case_row.id)):
        member.linked_to = linked.get(member.document_id)
    case_row.status = arrangement.status.value
    case_row.priority = arrangement.priority.value
    case_row.deadline = arrangement.deadline
    case_row.stage = arrangement.stage
    case_row.notice_count = arrangement.notice_count
    case_row.lead_document_id = arrangement.lead
    case_row.updated_at = _now()


def _case_results(session: Session, case_row: CaseRow) -> list[NoticeResult]:
    """The current results of the case's documents, in the order they were first stored."""
    query = (
        select(ResultRow.result_json)
        .join(CaseNoticeRow, _IS_MEMBER)
        .where(CaseNoticeRow.case_id == case_row.id, ResultRow.is_current)
        .order_by(CaseNoticeRow.id)
    )
    return [NoticeResult.model_validate_json(row) for row in session.scalars(query)]


def _key_of(row: CaseRow) -> CaseKey:
    return CaseKey.model_validate_json(row.key_json)


def _case_summary(row: CaseRow) -> CaseSummary:
    return CaseSummary(
        id=row.id,
        key=_key_of(row),
        status=CaseStatus(row.status),
        deadline=row.deadline,
        priority=Priority(row.priority),
        stage=row.stage,
        notice_count=row.notice_count,
    )


def _document_row(result: NoticeResult, tenant: str, file_size: int | None) -> DocumentRow:
    return DocumentRow(
        tenant=tenant,
        document_id=result.document_id,
        source=result.source,
        first_seen=_now(),
        file_size=file_size,
        pages=result.pages,
        parent_id=result.parent_id,
    )


def _add_children(session: Session, stack: NoticeResult, tenant: str, actor: str, action: str) -> None:
    """Each notice of a stack as its own document (a new version of the notice with the same page range);
    a notice of the stack whose page range is gone is marked superseded."""
    for child in stack.children:
        if _lock_document(session, tenant, child.document_id) is None:
            session.add(_document_row(child, tenant, None))
            _add_result(session, child, tenant, actor, "ingested", ())
            continue
        session.execute(_documents(tenant, [child.document_id]).values(superseded_at=None))
        current = session.scalars(_current(tenant, child.document_id)).one_or_none()
        if current is None or current.result_json != child.model_dump_json():  # unchanged: no new version
            _add_result(session, child, tenant, actor, action, ())
    kept = {child.document_id for child in stack.children}
    gone = [notice for notice in _child_ids(session, tenant, stack.document_id) if notice not in kept]
    session.execute(_documents(tenant, gone).values(superseded_at=_now()))
    for notice in gone:
        session.add(_audit_row(tenant, notice, actor, "superseded", detail=f"{action}: pages cut anew"))


def _documents(tenant: str, document_ids: Sequence[str]) -> Any:
    return update(DocumentRow).where(DocumentRow.tenant == tenant, DocumentRow.document_id.in_(document_ids))


def _child_ids(session: Session, tenant: str, parent_id: str) -> list[str]:
    """The stack's notices that are not superseded."""
    query = select(DocumentRow.document_id).where(
        DocumentRow.tenant == tenant, DocumentRow.parent_id == parent_id, DocumentRow.superseded_at.is_(None)
    )
    return list(session.scalars(query))


def _with_children(session: Session, tenant: str, result: NoticeResult) -> NoticeResult:
    """A stack's result with its notices' current results, in page order (the stack's row keeps none)."""
    if result.split is None:
        return result
    query = select(ResultRow.result_json).where(
        ResultRow.tenant == tenant,
        ResultRow.is_current,
        ResultRow.document_id.in_(_child_ids(session, tenant, result.document_id)),
    )
    children = [NoticeResult.model_validate_json(row) for row in session.scalars(query)]
    children.sort(key=lambda child: child.page_range or (0, 0))
    return result.model_copy(update={"children": tuple(children)})


def _not_queued(tenant: str) -> Select[tuple[str]]:
    """Documents the queue does not list: stacks (their notices are listed) and superseded notices."""
    stacks = select(DocumentRow.parent_id).where(
        DocumentRow.tenant == tenant, DocumentRow.parent_id.is_not(None)
    )
    superseded = select(DocumentRow.document_id).where(
        DocumentRow.tenant == tenant, DocumentRow.superseded_at.is_not(None)
    )
    return stacks.union(superseded)  # type: ignore[return-value]


def _result_row(result: NoticeResult, tenant: str, actor: str, action: str) -> ResultRow:
    return ResultRow(
        tenant=tenant,
        document_id=result.document_id,
        is_current=True,
        status=result.status.value,
        priority=stored_priority(result).value,
        category=result.triage.category.value,
        deadline=parse_iso_date(result.field_value("deadline")),
        profile_id=result.profile_id,
        action=action,
        actor=actor,
        created_at=_now(),
        result_json=result.model_copy(update={"children": ()}).model_dump_json(),  # each its own row
        fields=[_field_row(name, field) for name, field in result.fields.items()],
    )


def _field_row(name: str, field: Field) -> FieldRow:
    return FieldRow(
        name=name,
        value=None if field.value is None else str(field.value),
        confidence=field.confidence,
        page=field.page,
        bbox=None if field.bbox is None else list(field.bbox),
        raw=field.raw,
        rule=field.rule,
        kind=None if field.kind is None else field.kind.value,
    )


def _audit_row(
    tenant: str,
    document_id: str,
    actor: str,
    action: str,
    *,
    field: str | None = None,
    old: FieldValue = None,
    new: FieldValue = None,
    detail: str | None = None,
) -> AuditRow:
    return AuditRow(
        at=_now(),
        tenant=tenant,
        actor=actor,
        document_id=document_id,
        action=action,
        field=field,
        old_value=_masked(old),
        new_value=_masked(new),
        detail=_masked(detail),
    )


def _masked(value: FieldValue) -> str | None:
    return None if value is None else mask_full_ssns(str(value))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes (written as UTC); PostgreSQL aware ones in the session's zone."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
