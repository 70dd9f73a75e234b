"""The one way a document comes in: every entry point (CLI, watcher, sweep, API, work pool, mail) calls this.

``ingest(incoming, context, store) -> NoticeResult`` takes one file with the name it was given, the
``Channel`` it came through, and the tenant, and does, in order:

1. dedupe: a document already stored for the tenant (by content hash) is answered with its stored result
   as ``duplicate``, without being read again (a stored ``failed`` result is read again). A caller that
   may be taking the same document in again after a crash (``resumed``) names it by where it came from, so
   a stored result under this very name (a failed one too) is this document's own, returned as stored;
2. read it (``pipeline.process.process_document`` unless the caller runs it elsewhere, e.g. as a Prefect
   flow run), with the one failure policy: a failure whose error class is ``retryable`` is tried again,
   at most ``MAX_ATTEMPTS`` times in all; a bad document and a bug (``internal_error``, logged with its
   traceback) are final at once. The final error says how many attempts were made;
3. keep the original (not for a failed result), so the review pages can show the scan;
4. store the result and audit it with the channel as actor; the store too gets ``MAX_ATTEMPTS``.

``admit`` and ``commit`` are steps 1 and 3–4 for a caller that reads many documents at once (the CLI's
batch overlaps documents over every core) and must still treat each document the same way. A caller that
reads a stored document again on purpose skips ``admit`` and commits with ``replace=True``: the new
reading becomes the stored result's new version (a failed re-reading replaces nothing).
``note_unapplied`` tells a caller who gave reading options (profiles, a date) that a duplicate was read
with the options of its first reading.
Raises only ``StoreUnavailable`` when the store stays unreachable through every attempt; the caller then
ends the document as failed (``commit_or_failed``: nothing was stored) or keeps it to try later within
its own bound.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from extractors.ssn import mask_name
from pipeline.archive import keep_original
from pipeline.errors import StoreUnavailable
from pipeline.load import hash_file
from pipeline.models import Channel, ErrorInfo, NoticeResult, Status
from pipeline.process import (
    PipelineContext,
    Reader,
    document_label,
    failed_result,
    guarded,
    process_document,
)
from pipeline.store import DEFAULT_TENANT, Store

MAX_ATTEMPTS = 3
RETRY_DELAYS_S = (1.0, 4.0)  # before the second and the third attempt

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incoming:
    """One document handed in: where its bytes are, the name it was given (the result's ``source``)."""

    path: Path
    name: str  # a full SSN in it is cut to its last four here, before it reaches a result, log or store
    channel: Channel
    tenant: str = DEFAULT_TENANT
    file_size: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", mask_name(self.name))


# The service as entry points hold it: ``ingest`` here, or run as a Prefect flow run
# (flows.orchestration.run_document), with the same contract.
IngestService = Callable[[Incoming, PipelineContext, Store], NoticeResult]


@dataclass(frozen=True)
class Policy:
    """How hard to try; tests shorten the delays, never the bound."""

    attempts: int = MAX_ATTEMPTS
    delays_s: Sequence[float] = RETRY_DELAYS_S


def ingest(
    incoming: Incoming,
    context: PipelineContext,
    store: Store,
    read: Reader | None = None,
    policy: Policy = Policy(),
    *,
    resumed: bool = False,
) -> NoticeResult:
    """``read``: how the document is read (default ``process_document``, in this process)."""
    known = admit(incoming, store, resumed=resumed)
    if known is not None:
        return known
    result = read_with_retries(incoming, context, read or process_document, policy)
    return commit(incoming, result, context, store, policy)


def admit(incoming: Incoming, store: Store, *, resumed: bool = False) -> NoticeResult | None:
    """The stored result as ``duplicate`` when this document is already in the store, else None; with
    ``resumed``, one stored under ``incoming.name`` as it was stored."""
    try:
        document_id = hash_file(incoming.path)
    except OSError:
        return None  # reading it will say why
    if resumed:
        stored = store.get_result(document_id, incoming.tenant)
        if stored is not None and stored.source == incoming.name:
            return stored  # a failed one too: it was final when it was stored
    return stored_duplicate(store, document_id, incoming.tenant)


def stored_duplicate(store: Store, document_id: str, tenant: str) -> NoticeResult | None:
    """The stored result of these bytes as ``duplicate``; None when not stored or stored as failed."""
    known = store.get_result(document_id, tenant)
    return None if known is None or known.status is Status.FAILED else as_duplicate(known)


def as_duplicate(result: NoticeResult) -> NoticeResult:
    return result.model_copy(update={"status": Status.DUPLICATE})


def read_with_retries(
    incoming: Incoming,
    context: PipelineContext,
    read: Reader,
    policy: Policy = Policy(),
    first: NoticeResult | None = None,
) -> NoticeResult:
    """The document read until it succeeds or fails for good; ``first``: the first attempt's result, when
    the caller made it (the CLI's batch)."""
    result = first or guarded(read, incoming.path, context, incoming.name)
    for attempt in range(1, policy.attempts + 1):
        if result.error is None or not result.error.retryable or attempt == policy.attempts:
            return _with_attempts(result, attempt)
        _pause(incoming, result.error.code, attempt, policy)
        result = guarded(read, incoming.path, context, incoming.name)
    raise AssertionError("unreachable: the last attempt returns")


def commit(
    incoming: Incoming,
    result: NoticeResult,
    context: PipelineContext,
    store: Store,
    policy: Policy = Policy(),
    *,
    replace: bool = False,
) -> NoticeResult:
    """Keep the original and store the result (a failed one too, so a later upload can replace it);
    ``replace``: the document was read again on purpose, its reading becomes a new version."""
    result = result.model_copy(update={"channel": incoming.channel})
    keep_original(incoming.path, result, context.settings.home)
    if not result.document_id:
        return result  # unreadable file: nothing to key it by
    for attempt in range(1, policy.attempts + 1):
        try:
            return _store(incoming, result, store, replace)
        except StoreUnavailable as error:
            if attempt == policy.attempts:
                raise
            _pause(incoming, error.code, attempt, policy)
    raise AssertionError("unreachable: the last attempt returns or raises")


def commit_or_failed(
    incoming: Incoming,
    result: NoticeResult,
    context: PipelineContext,
    store: Store,
    policy: Policy = Policy(),
    *,
    replace: bool = False,
) -> NoticeResult:
    """``commit``; a store unreachable through every attempt ends the document ``failed`` with the store's
    code (nothing was stored), so a batch (or the watcher) goes on and still answers for every document."""
    try:
        return commit(incoming, result, context, store, policy, replace=replace)
    except StoreUnavailable as error:
        return failed_result(incoming.path, incoming.name, error, result.timings)


def _store(incoming: Incoming, result: NoticeResult, store: Store, replace: bool) -> NoticeResult:
    actor, tenant = incoming.channel.value, incoming.tenant
    if replace and store.get_result(result.document_id, tenant) is not None:
        if result.status is Status.FAILED:
            return result  # a failed re-reading keeps the stored result current
        return store.replace_result(result, tenant, actor, "reprocessed", ())
    return store.save_result(result, tenant=tenant, actor=actor, file_size=incoming.file_size)


def note_unapplied(result: NoticeResult, options: Sequence[str]) -> NoticeResult:
    """A duplicate answered to a caller who gave ``options`` that change a reading (profiles, a date): the
    stored result was read with the options of its first reading; the note says so and how to apply them."""
    if result.status is not Status.DUPLICATE or not options:
        return result
    note = (f"already stored: this is the earlier reading; {', '.join(options)} not applied to it "
            "(reprocess it to apply them)")  # fmt: skip
    return result.model_copy(update={"notes": (*result.notes, note)})


def _pause(incoming: Incoming, code: str, attempt: int, policy: Policy) -> None:
    """Logged by document id, never by name: a file name may hold a taxpayer's name or SSN."""
    document = document_label(incoming.path)
    _log.warning("%s (%s): %s; trying again (attempt %d of %d)", document, incoming.channel.value, code,
                 attempt + 1, policy.attempts)  # fmt: skip
    time.sleep(policy.delays_s[min(attempt, len(policy.delays_s)) - 1])


def _with_attempts(result: NoticeResult, attempts: int) -> NoticeResult:
    if result.error is None:
        return result
    error = ErrorInfo(**{**result.error.model_dump(), "attempts": attempts})
    return result.model_copy(update={"error": error})
