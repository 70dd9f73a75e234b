"""Folder watch: ``ROOT/inbox`` in, ``ROOT/processed`` or ``ROOT/failed`` out, never losing a document.

``watch(root, context, store, options)`` polls the inbox (a full scan every ``poll_s``: no event can be
missed). What is ready to take is flows.inbox's answer: entries seen by ``lstat`` (nothing followed or
opened), unchanged for ``settle_s`` seconds, and, for files, not open for writing by any process.

Crash safety is a small journal per entry under ``ROOT/.work/<claim>/``, whose files have fixed internal
names (``document``, ``name``, ``origin``, ``result.json``, ``dest``, ``attempts``): no user's name can
collide with them, and a long name only appears where it fits.
1. claim: ``name`` records the entry's name, then the entry is renamed into the claim as ``document``
   (atomic; it can't be queued twice). An inbox on another file system (``EXDEV``) is copied instead:
   ``origin`` names the original, the copy is flushed, then the original is removed (flows.moves);
2. a regular file is read, and its result committed to the store (the store keys documents by content
   hash, so doing this twice stores once). Anything else is refused unread with code ``not_a_file``: a
   symbolic link (not followed: its target is never read nor hashed), a FIFO (never opened), a device, a
   socket, a sub-folder (sub-folders are not walked);
3. ``result.json`` and ``dest`` (the planned final name) are written into the claim;
4. the document is moved to a free name that nothing else can take meanwhile (flows.moves.move_exclusive;
   ``dest`` is rewritten before each try), then ``result.json`` to ``dest`` + ``.json`` (or ``.error.json``).
On start, every claim left by a crash resumes at the step its files show. Kill the watcher at any moment:
each entry ends in exactly one of processed/ or failed/, stored once.

Nothing one entry does can stop the watcher: each step of each entry has its own error handling. An entry
that cannot be moved out of the inbox (an immutable file, a read-only or foreign mount) is reported once
with code ``cannot_move`` in ``failed/NAME.error.json`` and left where it is; ``.work/left-in-inbox.json``
remembers it (by name and inode/ctime, so a freed or replaced entry is taken again), across restarts too.

Step 2 is the ingest service (pipeline.ingest) with its one failure policy: a bug is final at once, an
infrastructure failure is tried ``MAX_ATTEMPTS`` times. A claim that still raises (outside the service) is
counted in ``attempts`` in its folder and ends in failed/ after ``MAX_ATTEMPTS`` rounds. Each round asks
for "today" and reads the tenant's profiles (``NOTICEFLOW_WATCH_TENANT``) again: a watcher runs for weeks.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from extractors.ssn import mask_name
from flows.inbox import EntryKind, InboxEntry, SettleTracker, kind_of, scan_inbox
from flows.moves import copy_then_remove, free_names, move_exclusive, remove_original, write_atomically
from pipeline import ingest
from pipeline.errors import CannotMove, InternalError, NotAFile, NoticeflowError
from pipeline.ingest import MAX_ATTEMPTS, Incoming, Policy
from pipeline.load import hash_file
from pipeline.models import Channel, ErrorInfo, NoticeResult, Status
from pipeline.process import PipelineContext, process_document
from pipeline.store import DEFAULT_TENANT, Store
from pipeline.triage import for_day

log = logging.getLogger("noticeflow.watch")
# A claim's own files: internal names, so no user's name can collide with them.
DOCUMENT, NAME, ORIGIN, RESULT, DEST = "document", "name", "origin", "result.json", "dest"
ATTEMPTS = "attempts"
# The entry (or the inbox it is in) refuses to be moved: immutable, read-only, busy, another file system.
_UNMOVABLE = {errno.EPERM, errno.EACCES, errno.EROFS, errno.EBUSY, errno.EXDEV}
_REFUSALS = {
    EntryKind.LINK: "a symbolic link: links are not followed; put the file itself in the inbox",
    EntryKind.PIPE: "a named pipe (FIFO), not a file; it was not opened",
    EntryKind.DEVICE: "a device, not a file; it was not opened",
    EntryKind.SOCKET: "a socket, not a file",
    EntryKind.FOLDER: "a sub-folder: sub-folders are not walked; put its files in the inbox itself",
}


@dataclass(frozen=True)
class WatchFolders:
    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def processed(self) -> Path:
        return self.root / "processed"

    @property
    def failed(self) -> Path:
        return self.root / "failed"

    @property
    def work(self) -> Path:
        return self.root / ".work"

    def create(self) -> None:
        for folder in (self.inbox, self.processed, self.failed, self.work):
            folder.mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class Outcome:
    """How a claim ends: in failed/ or processed/, with this JSON beside the document."""

    is_failed: bool
    payload: str

    @property
    def suffix(self) -> str:
        return ".error.json" if self.is_failed else ".json"

    @classmethod
    def of(cls, result: NoticeResult) -> Outcome:
        if result.status is not Status.FAILED:
            return cls(False, result.model_dump_json(indent=1))
        error = result.error or ErrorInfo(code="unknown", message="no result")
        return cls(True, _error_json(error, result.document_id, result.source))

    @classmethod
    def refused(
        cls, error: NoticeflowError, name: str, attempts: int = 1, document_id: str | None = None
    ) -> Outcome:
        info = ErrorInfo(code=error.code, message=error.message, attempts=attempts)
        return cls(True, _error_json(info, document_id, mask_name(name)))


def _error_json(error: ErrorInfo, document_id: str | None, source: str) -> str:
    fields = {"code": error.code, "message": error.message, "attempts": error.attempts}
    return json.dumps({**fields, "document_id": document_id, "source": source}, indent=1)


# ---- 1. claim --------------------------------------------------------------------------------------------


def claim(entry: InboxEntry, folders: WatchFolders) -> Path:
    """Move ``entry`` into a new claim folder and return the folder. Raises OSError when it cannot be
    moved (``FileNotFoundError``: it is gone); the claim is then removed again."""
    claim_dir = folders.work / uuid.uuid4().hex
    claim_dir.mkdir()
    try:
        write_atomically(claim_dir / NAME, json.dumps({"name": entry.path.name}))
        try:
            os.rename(entry.path, claim_dir / DOCUMENT)
        except OSError as error:
            if error.errno != errno.EXDEV or entry.kind is not EntryKind.FILE:
                raise
            _copy_in(entry, claim_dir)
    except BaseException:
        shutil.rmtree(claim_dir, ignore_errors=True)
        raise
    return claim_dir


def _copy_in(entry: InboxEntry, claim_dir: Path) -> None:
    """The inbox is on another file system: the journal names the original before the copy starts."""
    device, inode = entry.identity[0], entry.identity[1]
    origin = {"path": str(entry.path), "device": device, "inode": inode}
    write_atomically(claim_dir / ORIGIN, json.dumps(origin))
    copy_then_remove(entry.path, claim_dir / DOCUMENT, (device, inode))
    (claim_dir / ORIGIN).unlink()


def _claimed_document(claim_dir: Path) -> Path | None:
    """The claim's document, after finishing a copy a crash cut short; None when it never came in."""
    document, origin = claim_dir / DOCUMENT, claim_dir / ORIGIN
    if origin.exists():
        if os.path.lexists(document):  # copied and flushed; the original may still be in the inbox
            copied = json.loads(origin.read_text())
            try:
                remove_original(Path(copied["path"]), (int(copied["device"]), int(copied["inode"])))
            except OSError:  # it cannot be removed (any more): it stays the one, in the inbox; the copy goes
                document.unlink()
        origin.unlink()
    return document if os.path.lexists(document) else None


def _adopt_older_claim(claim_dir: Path) -> None:
    """A claim made before the journal had internal names holds the document under its own name."""
    if (claim_dir / NAME).exists():
        return
    journal = {DOCUMENT, NAME, ORIGIN, RESULT, DEST, ATTEMPTS}
    names = [p.name for p in claim_dir.iterdir() if p.name not in journal and not p.name.endswith(".tmp")]
    if len(names) == 1:
        os.rename(claim_dir / names[0], claim_dir / DOCUMENT)
        write_atomically(claim_dir / NAME, json.dumps({"name": names[0]}))


def _claimed_name(claim_dir: Path) -> str:
    try:
        return str(json.loads((claim_dir / NAME).read_text())["name"])
    except (OSError, ValueError, KeyError):  # a journal a disk damaged: the document still has to go
        return claim_dir.name


# ---- 2. and 3. read, store, plan -------------------------------------------------------------------------


def _read(document: Path, context: PipelineContext, source: str | None) -> NoticeResult:
    """In this process; or, with NOTICEFLOW_DEPLOYMENT set, as a flow run on the work pool that stores the
    result itself (ROOT must then be on storage the workers mount at the same path)."""
    settings = context.settings
    if settings.deployment is None:
        return process_document(document, context, source)
    from flows.pool import submit_document

    return submit_document(
        document, context.as_of, None, settings.deployment, settings=settings,
        timeout_s=settings.submit_timeout_s, source=source, stored_profiles=True,
    )  # fmt: skip


def _ingest(
    incoming: Incoming, context: PipelineContext, store: Store, resumed: bool, options: WatchOptions
) -> NoticeResult:
    """The ingest service's steps (a pool run stores its result itself). On a resumed claim, a duplicate
    stored under this very name is this file, committed before a crash: its result is the original."""
    known = ingest.admit(incoming, store)
    if known is not None:
        return _unless_resumed(known, store, incoming, resumed)
    if options.run_document is not None:  # a Prefect flow run (flows.orchestration): it reads, keeps, stores
        return options.run_document(incoming, context)
    policy = options.policy
    read = ingest.read_with_retries(incoming, context, _read, policy)
    if context.settings.deployment is not None:
        return read
    return ingest.commit_or_failed(incoming, read, context, store, policy)  # store down: failed/


def _unless_resumed(known: NoticeResult, store: Store, incoming: Incoming, resumed: bool) -> NoticeResult:
    if resumed and known.source == incoming.name:
        return store.get_result(known.document_id, incoming.tenant) or known
    return known


def process_claim(
    claim_dir: Path, folders: WatchFolders, context: PipelineContext, store: Store, resumed: bool,
    options: WatchOptions | None = None,
) -> Path | None:  # fmt: skip
    """Carry one claim to its end; returns where the document went (None for an empty, abandoned claim)."""
    _adopt_older_claim(claim_dir)
    if not (claim_dir / DEST).exists():
        document = _claimed_document(claim_dir)
        if document is None:  # crashed between creating the claim and moving the entry in
            shutil.rmtree(claim_dir)
            return None
        name, options = _claimed_name(claim_dir), options or WatchOptions()
        kind = kind_of(os.lstat(document).st_mode)
        if kind is EntryKind.FILE:
            incoming = Incoming(document, name, options.channel, options.tenant)
            outcome = Outcome.of(for_day(_ingest(incoming, context, store, resumed, options), context.as_of))
        else:
            outcome = Outcome.refused(NotAFile(_REFUSALS[kind]), name)
        _plan_destination(claim_dir, name, outcome, folders)
    return _finish_claim(claim_dir)


def _plan_destination(claim_dir: Path, name: str, outcome: Outcome, folders: WatchFolders) -> None:
    folder = folders.failed if outcome.is_failed else folders.processed
    write_atomically(claim_dir / RESULT, outcome.payload)
    _record_destination(claim_dir, next(free_names(folder, name, outcome.suffix)), outcome.suffix)


def _record_destination(claim_dir: Path, destination: Path, suffix: str) -> None:
    write_atomically(claim_dir / DEST, json.dumps({"path": str(destination), "suffix": suffix}))


# ---- 4. move out -----------------------------------------------------------------------------------------


def _finish_claim(claim_dir: Path) -> Path:
    plan = json.loads((claim_dir / DEST).read_text())
    destination, suffix = Path(plan["path"]), str(plan["suffix"])
    if os.path.lexists(claim_dir / DOCUMENT):
        destination = _move_out(claim_dir, destination, suffix)
    if (claim_dir / RESULT).exists():
        (claim_dir / RESULT).replace(f"{destination}{suffix}")
    shutil.rmtree(claim_dir)
    log.info("%s -> %s", mask_name(destination.name), destination.parent.name)
    return destination


def _move_out(claim_dir: Path, planned: Path, suffix: str) -> Path:
    """To the planned name or, when another claim took it meanwhile, the next free one; never replacing."""
    document = claim_dir / DOCUMENT
    if os.path.lexists(planned) and os.path.samestat(os.lstat(planned), os.lstat(document)):
        os.unlink(document)  # linked there before a crash (where renameat2 is missing), not yet unlinked
        return planned
    destination, candidates = planned, free_names(planned.parent, _claimed_name(claim_dir), suffix)
    while True:
        try:
            move_exclusive(document, destination)
            return destination
        except FileExistsError:
            destination = next(candidates)
            _record_destination(claim_dir, destination, suffix)  # before the move: a crash finds it there


def _give_up(claim_dir: Path, folders: WatchFolders) -> None:
    """A claim that raised ``MAX_ATTEMPTS`` rounds (a bug outside the pipeline, a disk that refuses the
    journal) ends in failed/ as ``internal_error``: a watcher never retries for ever."""
    log.error("claim %s raised %d rounds: it goes to failed/", claim_dir.name, MAX_ATTEMPTS)
    _adopt_older_claim(claim_dir)
    document = claim_dir / DOCUMENT
    if _claimed_document(claim_dir) is None:
        shutil.rmtree(claim_dir)
        return
    is_file = kind_of(os.lstat(document).st_mode) is EntryKind.FILE
    bug = InternalError(f"the watcher could not finish this file in {MAX_ATTEMPTS} rounds; see its log")
    name = _claimed_name(claim_dir)
    outcome = Outcome.refused(bug, name, MAX_ATTEMPTS, hash_file(document) if is_file else None)
    _plan_destination(claim_dir, name, outcome, folders)
    _finish_claim(claim_dir)


def _attempts(claim_dir: Path) -> int:
    counter = claim_dir / ATTEMPTS
    return int(counter.read_text()) if counter.exists() else 0


def _count_attempt(claim_dir: Path) -> None:
    try:
        write_atomically(claim_dir / ATTEMPTS, str(_attempts(claim_dir) + 1))
    except (OSError, ValueError):
        log.exception("claim %s: its attempts cannot be counted", claim_dir.name)


# ---- entries left in the inbox ---------------------------------------------------------------------------


class LeftInInbox:
    """Entries that cannot be moved out of the inbox, reported once each: their name and identity, kept in
    ``.work/left-in-inbox.json``. An entry whose identity changed (freed, replaced) is taken again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.identities: dict[str, list[int]] = json.loads(path.read_text()) if path.exists() else {}
        except (OSError, ValueError):
            log.warning("%s cannot be read: entries left in the inbox may be reported again", path)
            self.identities = {}

    def holds(self, entry: InboxEntry) -> bool:
        return self.identities.get(entry.path.name) == list(entry.identity)

    def leave(self, entry: InboxEntry, error: NoticeflowError, folders: WatchFolders) -> None:
        """Report ``entry`` in failed/ (without the entry) and remember it."""
        name = entry.path.name
        report = folders.work / f"{uuid.uuid4().hex}.error.json"
        write_atomically(report, Outcome.refused(error, name).payload)
        for candidate in free_names(folders.failed, name, ".error.json"):
            try:
                move_exclusive(report, Path(f"{candidate}.error.json"))
                break
            except FileExistsError:
                continue
        log.error("%s is left in the inbox: %s", mask_name(name), error.message)
        self.identities[name] = list(entry.identity)
        self._save()

    def keep_only(self, names: set[str]) -> None:
        """Forget entries no longer in the inbox."""
        if set(self.identities) - names:
            self.identities = {name: i for name, i in self.identities.items() if name in names}
            self._save()

    def _save(self) -> None:
        if self.identities:
            write_atomically(self.path, json.dumps(self.identities))
        else:
            self.path.unlink(missing_ok=True)


# ---- the loop --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WatchOptions:
    settle_s: float = 2.0
    poll_s: float = 1.0
    once: bool = False
    once_timeout_s: float = 60.0  # --once waits this long at most for files still being written
    today: Callable[[], dt.date] = dt.date.today  # asked every round: a watcher runs for weeks
    tenant: str = DEFAULT_TENANT  # NOTICEFLOW_WATCH_TENANT
    channel: Channel = Channel.WATCH  # the scheduled sweep says Channel.SWEEP
    policy: Policy = Policy()  # attempts per document (pipeline.ingest); tests shorten the delays
    # The ingest service run elsewhere, storing its result itself: flows.orchestration.run_document (each
    # document a Prefect flow run) unless --no-orchestrate. None: pipeline.ingest in this process.
    run_document: Callable[[Incoming, PipelineContext], NoticeResult] | None = None


def _for_this_round(context: PipelineContext, store: Store, options: WatchOptions) -> PipelineContext:
    """Today's date and the tenant's profiles as they are now: profiles imported since are matched."""
    profiles = tuple(store.list_profiles(options.tenant))
    return replace(context, as_of=options.today(), profiles=profiles)


def _handle_claims(
    claims: list[Path], resumed: set[Path], folders: WatchFolders, context: PipelineContext, store: Store,
    options: WatchOptions,
) -> None:  # fmt: skip
    def handle(claim_dir: Path) -> None:
        try:
            if _attempts(claim_dir) >= MAX_ATTEMPTS:
                _give_up(claim_dir, folders)
            else:
                process_claim(claim_dir, folders, context, store, claim_dir in resumed, options)
        except Exception:  # noqa: BLE001 - one bad file (or a store outage) never stops the watcher
            log.exception("claim %s is kept for the next round", claim_dir.name)
            _count_attempt(claim_dir)

    with ThreadPoolExecutor(max_workers=context.settings.workers) as pool:
        list(pool.map(handle, claims))


def _take(ready: list[InboxEntry], folders: WatchFolders, left: LeftInInbox) -> list[Path]:
    """Claim each ready entry; one that cannot be moved is reported once and left where it is."""
    claims = []
    for entry in ready:
        try:
            claims.append(claim(entry, folders))
        except FileNotFoundError:  # removed by its owner, or taken by another watcher
            continue
        except OSError as error:
            if error.errno in _UNMOVABLE:
                reason = CannotMove(f"it cannot be moved out of the inbox ({error.strerror})")
                _leave(entry, reason, folders, left)
            else:  # the watcher's own disk (full, failing): tried again next round
                log.exception("%s could not be taken", mask_name(entry.path.name))
        except Exception:  # noqa: BLE001 - one entry never stops the watcher
            log.exception("%s could not be taken; it is tried again next round", mask_name(entry.path.name))
    return claims


def _leave(entry: InboxEntry, error: NoticeflowError, folders: WatchFolders, left: LeftInInbox) -> None:
    try:
        left.leave(entry, error, folders)
    except Exception:  # noqa: BLE001 - failed/ refused the report: the next round tries again
        log.exception("%s cannot be reported in failed/", mask_name(entry.path.name))


def _run_round(
    folders: WatchFolders, tracker: SettleTracker, left: LeftInInbox, context: PipelineContext, store: Store,
    options: WatchOptions,
) -> bool:  # fmt: skip
    """Resume what a crash left, take what has settled; True while entries still wait in the inbox."""
    leftovers = sorted(p for p in folders.work.iterdir() if p.is_dir())
    waiting = [entry for entry in scan_inbox(folders.inbox) if not left.holds(entry)]
    fresh = _take(tracker.settled(waiting, time.monotonic()), folders, left)
    if leftovers or fresh:
        round_context = _for_this_round(context, store, options)
        _handle_claims(leftovers + fresh, set(leftovers), folders, round_context, store, options)
    remaining = scan_inbox(folders.inbox)
    left.keep_only({entry.path.name for entry in remaining})  # forget what was freed and taken, or removed
    return any(not left.holds(entry) for entry in remaining)


def watch(
    root: Path,
    context: PipelineContext,
    store: Store,
    options: WatchOptions = WatchOptions(),
    stop: threading.Event | None = None,
) -> None:
    """Run until ``stop`` (a threading.Event) is set, or, with ``options.once``, until the inbox is empty
    (entries left in it because they cannot be moved do not count)."""
    folders = WatchFolders(root)
    folders.create()
    tracker, left = SettleTracker(options.settle_s), LeftInInbox(folders.work / "left-in-inbox.json")
    started = time.monotonic()
    while True:
        try:
            waiting = _run_round(folders, tracker, left, context, store, options)
        except Exception:  # noqa: BLE001 - the inbox unreadable, the store down: the next round tries again
            log.exception("this round of the watcher failed; the next one tries again")
            waiting = True
        if options.once and (not waiting or time.monotonic() - started > options.once_timeout_s):
            return
        if stop is not None and stop.is_set():
            return
        time.sleep(options.poll_s)
