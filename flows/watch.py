"""Folder watch: ``ROOT/inbox`` in, ``ROOT/processed`` or ``ROOT/failed`` out, never losing a document.

``watch(root, context, store, once=False)`` polls the inbox (a full scan every ``poll_s``: no event can be
missed). A file is taken only once its size and mtime have stayed the same for ``settle_s`` seconds;
hidden, temporary and partial files (``.part``, ``~$x``, ``.DS_Store``, ``.tmp``, ``.crdownload``) are
ignored.

Crash safety is a small journal per file under ``ROOT/.work/<claim>/``:
1. claim: the file is renamed from the inbox into its claim folder (atomic; it can't be queued twice);
2. process and commit the result to the store (the store keys documents by content hash, so doing this
   twice stores once);
3. write ``result.json`` and ``dest`` (the collision-free final name) into the claim folder;
4. rename the document to ``dest``, then ``result.json`` to ``dest`` + ``.json`` (or ``.error.json``).
On start, every claim left by a crash resumes at the step its files show. Kill the watcher at any moment:
each file ends in exactly one of processed/ or failed/, stored once. A bad file never stops the watcher.

Step 2 is the ingest service (pipeline.ingest) with its one failure policy: a bug is final at once, an
infrastructure failure is tried ``MAX_ATTEMPTS`` times. A claim that still raises (outside the service) is
counted in ``attempts`` in its folder and ends in failed/ after ``MAX_ATTEMPTS`` rounds. Each round asks
for "today" and reads the tenant's profiles (``NOTICEFLOW_WATCH_TENANT``) again: a watcher runs for weeks.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline import ingest
from pipeline.errors import InternalError, StoreUnavailable
from pipeline.ingest import MAX_ATTEMPTS, Incoming, Policy
from pipeline.models import Channel, ErrorInfo, NoticeResult, Status
from pipeline.process import PipelineContext, failed_result, process_document
from pipeline.store import DEFAULT_TENANT, Store
from pipeline.triage import for_day

log = logging.getLogger("noticeflow.watch")
_IGNORED_SUFFIXES = {".part", ".tmp", ".crdownload", ".partial", ".download", ".json"}
_IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
_JOURNAL = ("result.json", "dest", "attempts")  # a claim folder's own files, beside the document


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


@dataclass
class SettleTracker:
    """Remembers each inbox file's (size, mtime) and since when it has not changed."""

    settle_s: float
    seen: dict[Path, tuple[tuple[int, float], float]] = field(default_factory=dict)

    def settled(self, paths: list[Path], now: float) -> list[Path]:
        ready, current = [], {}
        for path in paths:
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            signature = (stat.st_size, stat.st_mtime)
            previous = self.seen.get(path)
            since = previous[1] if previous and previous[0] == signature else now
            current[path] = (signature, since)
            if now - since >= self.settle_s:
                ready.append(path)
        self.seen = current
        return ready


def is_candidate(path: Path) -> bool:
    name = path.name
    return (
        path.is_file()
        and not name.startswith((".", "~$", "~"))
        and name not in _IGNORED_NAMES
        and path.suffix.lower() not in _IGNORED_SUFFIXES
    )


def _unique_destination(folder: Path, name: str, result_suffix: str) -> Path:
    """``folder/name``, or ``name-1``, ``name-2``... so that neither the file nor its JSON exists yet."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, number = folder / name, 0
    while candidate.exists() or candidate.with_name(candidate.name + result_suffix).exists():
        number += 1
        candidate = folder / f"{stem}-{number}{suffix}"
    return candidate


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    temporary.replace(path)


def claim(path: Path, folders: WatchFolders) -> Path:
    claim_dir = folders.work / uuid.uuid4().hex
    claim_dir.mkdir()
    target = claim_dir / path.name
    path.rename(target)
    return target


def _document_in(claim_dir: Path) -> Path | None:
    return next(
        (p for p in claim_dir.iterdir() if p.name not in _JOURNAL and not p.name.endswith(".tmp")),
        None,
    )


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
    try:
        return ingest.commit(incoming, read, context, store, policy)
    except StoreUnavailable as error:  # through every attempt: the document ends in failed/
        return failed_result(incoming.path, incoming.name, error, {})


def _unless_resumed(known: NoticeResult, store: Store, incoming: Incoming, resumed: bool) -> NoticeResult:
    if resumed and known.source == incoming.name:
        return store.get_result(known.document_id, incoming.tenant) or known
    return known


def _error_json(result: NoticeResult) -> str:
    error = result.error or ErrorInfo(code="unknown", message="no result")
    return json.dumps(
        {
            "code": error.code,
            "message": error.message,
            "attempts": error.attempts,
            "document_id": result.document_id,
            "source": result.source,
        },
        indent=1,
    )


def process_claim(
    claim_dir: Path, folders: WatchFolders, context: PipelineContext, store: Store, resumed: bool,
    options: WatchOptions | None = None,
) -> Path | None:  # fmt: skip
    """Carry one claim to its end; returns where the document went (None for an empty, abandoned claim)."""
    if not (claim_dir / "dest").exists():
        document = _document_in(claim_dir)
        if document is None:  # crashed between creating the claim and moving the file in
            shutil.rmtree(claim_dir)
            return None
        options = options or WatchOptions()
        incoming = Incoming(document, document.name, options.channel, options.tenant)
        result = for_day(_ingest(incoming, context, store, resumed, options), context.as_of)
        _plan_destination(claim_dir, document.name, result, folders)
    return _finish_claim(claim_dir)


def _plan_destination(claim_dir: Path, name: str, result: NoticeResult, folders: WatchFolders) -> None:
    if result.status is Status.FAILED:
        folder, suffix, payload = folders.failed, ".error.json", _error_json(result)
    else:
        folder, suffix, payload = folders.processed, ".json", result.model_dump_json(indent=1)
    destination = _unique_destination(folder, name, suffix)
    _write_atomically(claim_dir / "result.json", payload)
    _write_atomically(claim_dir / "dest", json.dumps({"path": str(destination), "suffix": suffix}))


def _give_up(claim_dir: Path, folders: WatchFolders) -> None:
    """A claim that raised ``MAX_ATTEMPTS`` rounds (a bug outside the pipeline, a disk that refuses the
    journal) ends in failed/ as ``internal_error``: a watcher never retries for ever."""
    log.error("claim %s raised %d rounds: it goes to failed/", claim_dir.name, MAX_ATTEMPTS)
    document = _document_in(claim_dir)
    if document is None:
        shutil.rmtree(claim_dir)
        return
    bug = InternalError(f"the watcher could not finish this file in {MAX_ATTEMPTS} rounds; see its log")
    failed = failed_result(document, document.name, bug, {})
    error_info = failed.error.model_copy(update={"attempts": MAX_ATTEMPTS}) if failed.error else None
    _plan_destination(claim_dir, document.name, failed.model_copy(update={"error": error_info}), folders)
    _finish_claim(claim_dir)


def _attempts(claim_dir: Path) -> int:
    counter = claim_dir / "attempts"
    return int(counter.read_text()) if counter.exists() else 0


def _count_attempt(claim_dir: Path) -> None:
    try:
        _write_atomically(claim_dir / "attempts", str(_attempts(claim_dir) + 1))
    except (OSError, ValueError):
        log.exception("claim %s: its attempts cannot be counted", claim_dir.name)


def _finish_claim(claim_dir: Path) -> Path:
    plan = json.loads((claim_dir / "dest").read_text())
    destination = Path(plan["path"])
    document = _document_in(claim_dir)
    if document is not None:
        document.rename(destination)
    if (claim_dir / "result.json").exists():
        (claim_dir / "result.json").replace(destination.with_name(destination.name + plan["suffix"]))
    shutil.rmtree(claim_dir)
    log.info("%s -> %s", destination.name, destination.parent.name)
    return destination


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


def watch(
    root: Path,
    context: PipelineContext,
    store: Store,
    options: WatchOptions = WatchOptions(),
    stop: threading.Event | None = None,
) -> None:
    """Run until ``stop`` (a threading.Event) is set, or, with ``options.once``, until the inbox is empty."""
    folders = WatchFolders(root)
    folders.create()
    tracker = SettleTracker(options.settle_s)
    started = time.monotonic()
    while True:
        leftovers = sorted(p for p in folders.work.iterdir() if p.is_dir())
        fresh = [claim(path, folders).parent for path in tracker.settled(_inbox(folders), time.monotonic())]
        if leftovers or fresh:
            round_context = _for_this_round(context, store, options)
            _handle_claims(leftovers + fresh, set(leftovers), folders, round_context, store, options)
        waiting = _inbox(folders)
        if options.once and (not waiting or time.monotonic() - started > options.once_timeout_s):
            return
        if stop is not None and stop.is_set():
            return
        time.sleep(options.poll_s)


def _inbox(folders: WatchFolders) -> list[Path]:
    return sorted(p for p in folders.inbox.iterdir() if is_candidate(p))
