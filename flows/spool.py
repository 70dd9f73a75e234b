"""Background uploads kept on disk until their result is stored, so a server restart finishes them.

An upload answered 202 (``?wait=false``) has been promised a result. Its entry is three files in
``home/spool/<tenant>/`` named ``<document_id>-<random>``: ``.lock`` (made first; whoever owns the entry holds
an exclusive ``fcntl.flock`` on it), ``.bin`` (the bytes) and ``.json`` (a ``SpoolEntry``: what processing
needs, and the attempts started so far), each flushed to disk, as are new folders. An attempt is counted on
disk before it starts, so one that ends its process (a native crash, the out-of-memory killer) counts too.

- ``spool_upload(path, entry, home)`` moves ``path`` into a new entry and returns it as a ``Spooled``, locked,
  its first attempt counted; an OSError (disk full, permission) propagates after what was written is
  removed.
- ``claim_entry(stem)`` takes one entry again (a server retrying it after a failed attempt, ``flows.jobs``);
  ``claim_spooled(home)`` yields, oldest first and locked for the caller, the entries that nobody holds:
  what earlier processes accepted and did not finish. Several servers may share one home; an entry another
  process holds is left alone, and files vanishing meanwhile are skipped. What only a crash leaves behind
  (bytes without a description, a ``.json.tmp``, a lone lock) is removed once its lock is free. Each
  entry claimed has one more attempt counted.
- The owner ends an entry with ``Spooled.discard()`` once its result is stored, ``Spooled.give_back()``
  after a failed attempt (the entry waits for the next start), or ``Spooled.release()`` (not processed).
  An entry whose ``MAX_ATTEMPTS`` attempts (``pipeline.ingest``'s bound) all ended without a result
  (given back, or found again after its process died), or with an unreadable description, is moved to
  ``stuck/`` beside it, never deleted, and logged as an error for an operator.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

# An attempt here is one ingest: the one failure policy's bound.
from flows.moves import flush_to_disk
from pipeline.ingest import MAX_ATTEMPTS as MAX_ATTEMPTS

log = logging.getLogger(__name__)

_SUFFIXES = (".bin", ".json", ".json.tmp", ".lock")


class SpoolEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant: str
    document_id: str
    source: str
    size: int
    profile_id: str | None
    as_of: dt.date
    attempts: int = 0  # attempts to process and store it started so far


class Spooled:
    """An entry this process holds the lock of, until ``discard``, ``give_back`` or ``release``."""

    def __init__(self, entry: SpoolEntry, stem: Path, lock: int) -> None:
        self.entry = entry
        self.stem = stem
        self._lock = lock

    @property
    def data(self) -> Path:
        return _file(self.stem, ".bin")

    def discard(self) -> None:
        """Remove the entry: its result is stored (the description goes first, as a crash would leave it)."""
        _file(self.stem, ".json").unlink(missing_ok=True)
        self.data.unlink(missing_ok=True)
        self._lock = _drop_lock(self.stem, self._lock)

    def give_back(self) -> None:
        """The attempt failed: let go, for the next start; after the last allowed one, to ``stuck/``."""
        try:
            if self.entry.attempts >= MAX_ATTEMPTS:
                _set_aside(self.stem, f"{self.entry.attempts} failed attempts")
                self._lock = _drop_lock(self.stem, self._lock)
        finally:
            self.release()

    def release(self) -> None:
        """Let go of the lock and leave the entry for the next start."""
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1


def spool_upload(path: Path, entry: SpoolEntry, home: Path) -> Spooled:
    """A new entry under ``home/spool`` holding ``path``'s bytes (moved), locked by the caller, with the
    caller's attempt counted."""
    entry = entry.model_copy(update={"attempts": entry.attempts + 1})
    folder = home / "spool" / entry.tenant
    _make_folder(folder)
    stem, lock = _lock_new(folder, entry.document_id)
    try:
        shutil.move(path, _file(stem, ".bin"))
        flush_to_disk(_file(stem, ".bin"))
        _describe(stem, entry)
    except BaseException:
        for suffix in (".json", ".json.tmp", ".bin"):
            _file(stem, suffix).unlink(missing_ok=True)
        _drop_lock(stem, lock)
        raise
    return Spooled(entry, stem, lock)


def claim_spooled(home: Path) -> Iterator[Spooled]:
    """Every complete entry no other process holds, oldest first, each locked as it is yielded (a caller
    that stops early has claimed no more)."""
    for stem in _stems(home / "spool"):
        if (spooled := claim_entry(stem)) is not None:
            yield spooled


def claim_entry(stem: Path) -> Spooled | None:
    """The entry at ``stem`` locked for the caller, one more attempt counted; None when another process
    holds it, it is gone, or it was set aside in ``stuck/`` (its attempts used up)."""
    lock = _try_lock(stem)
    return _take(stem, lock) if lock >= 0 else None


def _stems(spool: Path) -> list[Path]:
    """The entries' paths without suffix, oldest first; a file that vanishes while listed is skipped."""
    ages: dict[Path, float] = {}
    for path in spool.glob("*/*"):
        suffix = next((suffix for suffix in _SUFFIXES if path.name.endswith(suffix)), None)
        if suffix is None:
            continue
        try:
            modified = path.stat().st_mtime
        except FileNotFoundError:
            continue
        stem = path.with_name(path.name.removesuffix(suffix))
        ages[stem] = min(modified, ages.get(stem, modified))
    return sorted(ages, key=ages.__getitem__)


def _take(stem: Path, lock: int) -> Spooled | None:
    """The locked entry when it is complete; what a crash left is cleaned up (or set aside) and unlocked."""
    data, description = _file(stem, ".bin"), _file(stem, ".json")
    _file(stem, ".json.tmp").unlink(missing_ok=True)  # a description its writer never put in place
    if not description.exists():  # the writer died before describing the bytes, or after removing them
        data.unlink(missing_ok=True)
        _drop_lock(stem, lock)
        return None
    try:
        entry = SpoolEntry.model_validate_json(description.read_text())
    except (OSError, ValidationError):
        entry = None
    if entry is None or not data.exists() or entry.attempts >= MAX_ATTEMPTS:
        _set_aside(stem, _why_stuck(entry, data))
        _drop_lock(stem, lock)
        return None
    entry = entry.model_copy(update={"attempts": entry.attempts + 1})
    try:
        _describe(stem, entry)  # counted before it starts: a crash during it counts too
    except OSError as error:
        log.warning("spool: cannot count an attempt of %s (%s); left for the next start", stem.name, error)
        os.close(lock)
        return None
    return Spooled(entry, stem, lock)


def _why_stuck(entry: SpoolEntry | None, data: Path) -> str:
    if entry is None:
        return "an unreadable description"
    if not data.exists():
        return "a move to stuck/ cut short"
    return f"{entry.attempts} attempts that ended without a result (a crash during each, or failures)"


def _set_aside(stem: Path, reason: str) -> None:
    stuck = stem.parent / "stuck"
    _make_folder(stuck)
    for suffix in (".bin", ".json"):
        with contextlib.suppress(FileNotFoundError):
            _file(stem, suffix).rename(stuck / (stem.name + suffix))
    flush_to_disk(stuck)
    flush_to_disk(stem.parent)
    log.error(
        "spool: upload %s moved to %s after %s; it will not be retried: process it again or remove it",
        stem.name, stuck, reason,
    )  # fmt: skip


def _describe(stem: Path, entry: SpoolEntry) -> None:
    """Write the entry's description in one step (a temp file flushed, then renamed)."""
    pending = _file(stem, ".json.tmp")
    pending.write_text(entry.model_dump_json())
    flush_to_disk(pending)
    pending.replace(_file(stem, ".json"))
    flush_to_disk(stem.parent)


def _lock_new(folder: Path, document_id: str) -> tuple[Path, int]:
    """A new entry's stem and its lock, taken before any other file of the entry exists."""
    while True:
        stem = folder / f"{document_id}-{secrets.token_hex(4)}"
        lock = os.open(_file(stem, ".lock"), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _is_at(lock, _file(stem, ".lock")):
            return stem, lock
        os.close(lock)  # a resume took the bare lock for a crash's leftover and removed it: start over


def _try_lock(stem: Path) -> int:
    """The entry's lock, taken without waiting; -1 when another process holds it or has just removed it."""
    path = _file(stem, ".lock")
    lock = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock)
        return -1
    if not _is_at(lock, path):  # its owner removed the file before letting go: the entry is gone
        os.close(lock)
        return -1
    return lock


def _drop_lock(stem: Path, lock: int) -> int:
    """Remove the lock file, then let go (in that order: whoever locks the path next finds a new file)."""
    if lock >= 0:
        _file(stem, ".lock").unlink(missing_ok=True)
        os.close(lock)
    return -1


def _is_at(lock: int, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(lock).st_ino
    except FileNotFoundError:
        return False


def _make_folder(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each made durable by flushing the folder above it."""
    for missing in reversed([path for path in (folder, *folder.parents) if not path.exists()]):
        missing.mkdir(exist_ok=True)
        flush_to_disk(missing.parent)


def _file(stem: Path, suffix: str) -> Path:
    return stem.with_name(stem.name + suffix)
