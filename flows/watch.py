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
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pipeline.archive import keep_original
from pipeline.errors import InfrastructureError
from pipeline.models import ErrorInfo, NoticeResult, Status
from pipeline.process import PipelineContext, process_document

log = logging.getLogger("noticeflow.watch")
_IGNORED_SUFFIXES = {".part", ".tmp", ".crdownload", ".partial", ".download", ".json"}
_IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
MAX_ATTEMPTS = 3
INFRASTRUCTURE_CODES = {InfrastructureError.code, *(cls.code for cls in InfrastructureError.__subclasses__())}


class ResultStore(Protocol):
    def save_result(self, result: NoticeResult, tenant: str = ..., actor: str = ...) -> NoticeResult: ...
    def get_result(self, document_id: str, tenant: str = ...) -> NoticeResult | None: ...


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
        (
            p
            for p in claim_dir.iterdir()
            if p.name not in ("result.json", "dest") and not p.name.endswith(".tmp")
        ),
        None,
    )


def _process(document: Path, context: PipelineContext) -> NoticeResult:
    """In this process; or, with NOTICEFLOW_DEPLOYMENT set, as a flow run on the work pool that stores the
    result itself (ROOT must then be on storage the workers mount at the same path)."""
    settings = context.settings
    if settings.deployment is None:
        return process_document(document, context, source=document.name)
    from flows.pool import submit_document

    return submit_document(
        document, context.as_of, None, settings.deployment, settings=settings,
        timeout_s=settings.submit_timeout_s, source=document.name, stored_profiles=True,
    )  # fmt: skip


def _process_with_retries(document: Path, context: PipelineContext) -> tuple[NoticeResult, int]:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        result = _process(document, context)
        if not (result.error and result.error.code in INFRASTRUCTURE_CODES) or attempt == MAX_ATTEMPTS:
            return result, attempt
        time.sleep(2**attempt)
    raise AssertionError("unreachable")


def _commit(result: NoticeResult, store: ResultStore, resumed: bool, pooled: bool) -> NoticeResult:
    """The result as stored. A pool run has stored it already; in-process results are saved here. On a
    resumed claim, a duplicate stored under this very name is this file, committed before a crash: its
    result is the original, not a duplicate."""
    stored = result if pooled else store.save_result(result, actor="watcher")
    if resumed and stored.status is Status.DUPLICATE and stored.source == result.source:
        return store.get_result(result.document_id) or stored
    return stored


def _error_json(result: NoticeResult, attempts: int) -> str:
    error = result.error or ErrorInfo(code="unknown", message="no result")
    return json.dumps(
        {
            "code": error.code,
            "message": error.message,
            "attempts": attempts,
            "document_id": result.document_id,
            "source": result.source,
        },
        indent=1,
    )


def process_claim(
    claim_dir: Path, folders: WatchFolders, context: PipelineContext, store: ResultStore, resumed: bool
) -> Path | None:
    """Carry one claim to its end; returns where the document went (None for an empty, abandoned claim)."""
    if not (claim_dir / "dest").exists():
        document = _document_in(claim_dir)
        if document is None:  # crashed between creating the claim and moving the file in
            shutil.rmtree(claim_dir)
            return None
        result, attempts = _process_with_retries(document, context)
        keep_original(document, result, context.settings.home)
        if result.status is Status.FAILED:
            folder, suffix, payload = folders.failed, ".error.json", _error_json(result, attempts)
        else:
            result = _commit(result, store, resumed, pooled=context.settings.deployment is not None)
            folder, suffix, payload = folders.processed, ".json", result.model_dump_json(indent=1)
        destination = _unique_destination(folder, document.name, suffix)
        _write_atomically(claim_dir / "result.json", payload)
        _write_atomically(claim_dir / "dest", json.dumps({"path": str(destination), "suffix": suffix}))
    return _finish_claim(claim_dir)


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


def _handle_claims(
    claims: list[Path],
    resumed: set[Path],
    folders: WatchFolders,
    context: PipelineContext,
    store: ResultStore,
) -> None:
    def handle(claim_dir: Path) -> None:
        try:
            process_claim(claim_dir, folders, context, store, claim_dir in resumed)
        except Exception:  # noqa: BLE001 - one bad file (or a store outage) never stops the watcher
            log.exception("claim %s is kept for the next round", claim_dir.name)

    with ThreadPoolExecutor(max_workers=context.settings.workers) as pool:
        list(pool.map(handle, claims))


def watch(
    root: Path,
    context: PipelineContext,
    store: ResultStore,
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
        _handle_claims(leftovers + fresh, set(leftovers), folders, context, store)
        waiting = _inbox(folders)
        if options.once and (not waiting or time.monotonic() - started > options.once_timeout_s):
            return
        if stop is not None and stop.is_set():
            return
        time.sleep(options.poll_s)


def _inbox(folders: WatchFolders) -> list[Path]:
    return sorted(p for p in folders.inbox.iterdir() if is_candidate(p))
