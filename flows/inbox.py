"""What a watched inbox holds and which of its entries are ready to be taken (flows.watch takes them).

``scan_inbox(inbox)`` lists the entries by ``lstat``: nothing is followed or opened, so a symbolic link
(dangling or not), a FIFO, a device or a sub-folder is seen as what it is (``EntryKind``), never as the
file it points to, and never blocks. Hidden, temporary and partial names (``.x``, ``~$x``, ``.part``,
``.tmp``, ``.crdownload``, ``.json`` ...) are not listed: they are not the watcher's.

``SettleTracker.settled(entries, now)``: the entries whose size and mtime have not changed for
``settle_s`` seconds, less the regular files some process still has open for writing
(``held_for_writing``: every ``/proc/<pid>/fd``, which shows the writers of root and of the watcher's own
user; a writer on another machine, over a network share, is seen only through the settle time).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

_IGNORED_SUFFIXES = {".part", ".tmp", ".crdownload", ".partial", ".download", ".json"}
_IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
_WRITE_MODES = (os.O_WRONLY, os.O_RDWR)


class EntryKind(StrEnum):
    FILE = "file"
    FOLDER = "folder"
    LINK = "link"
    PIPE = "pipe"
    DEVICE = "device"
    SOCKET = "socket"


def kind_of(mode: int) -> EntryKind:
    if stat.S_ISREG(mode):
        return EntryKind.FILE
    if stat.S_ISDIR(mode):
        return EntryKind.FOLDER
    if stat.S_ISLNK(mode):
        return EntryKind.LINK
    if stat.S_ISFIFO(mode):
        return EntryKind.PIPE
    if stat.S_ISSOCK(mode):
        return EntryKind.SOCKET
    return EntryKind.DEVICE


@dataclass(frozen=True)
class InboxEntry:
    path: Path
    kind: EntryKind
    size: int
    mtime_ns: int
    identity: tuple[int, int, int]  # device, inode, ctime: changes when the entry is replaced or altered

    @classmethod
    def of(cls, path: Path) -> InboxEntry:
        """Raises OSError (FileNotFoundError when it is gone)."""
        info = os.lstat(path)
        identity = (info.st_dev, info.st_ino, info.st_ctime_ns)
        return cls(path, kind_of(info.st_mode), info.st_size, info.st_mtime_ns, identity)


def is_candidate(name: str) -> bool:
    """A name the watcher takes; hidden, temporary and partial names belong to whoever writes them."""
    return (
        not name.startswith((".", "~$", "~"))
        and name not in _IGNORED_NAMES
        and Path(name).suffix.lower() not in _IGNORED_SUFFIXES
    )


def scan_inbox(inbox: Path) -> list[InboxEntry]:
    """The inbox's candidate entries by name; one that vanishes while listed is skipped."""
    entries = []
    for name in sorted(os.listdir(inbox)):
        if not is_candidate(name):
            continue
        try:
            entries.append(InboxEntry.of(inbox / name))
        except FileNotFoundError:
            continue
    return entries


@dataclass
class SettleTracker:
    """Remembers each entry's (size, mtime) and since when it has not changed."""

    settle_s: float
    seen: dict[Path, tuple[tuple[int, int], float]] = field(default_factory=dict)

    def settled(self, entries: list[InboxEntry], now: float) -> list[InboxEntry]:
        ready, current = [], {}
        for entry in entries:
            signature = (entry.size, entry.mtime_ns)
            previous = self.seen.get(entry.path)
            since = previous[1] if previous and previous[0] == signature else now
            current[entry.path] = (signature, since)
            if now - since >= self.settle_s:
                ready.append(entry)
        self.seen = current
        files = {(e.identity[0], e.identity[1]) for e in ready if e.kind is EntryKind.FILE}
        held = held_for_writing(files) if files else set()
        return [e for e in ready if (e.identity[0], e.identity[1]) not in held]


def held_for_writing(files: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of ``files`` (device, inode) some process has open for writing, per ``/proc/*/fd``."""
    held = set()
    for process in _process_dirs():
        for descriptor in _descriptors(process):
            try:
                info = os.stat(descriptor)  # the open file itself (the link is resolved by the kernel)
            except OSError:  # closed meanwhile, or a process of another user
                continue
            if (info.st_dev, info.st_ino) in files and _opened_for_writing(descriptor):
                held.add((info.st_dev, info.st_ino))
    return held


def _process_dirs() -> list[Path]:
    try:
        return [Path("/proc", name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:  # no /proc: only the settle time guards against half-written files
        return []


def _descriptors(process: Path) -> list[Path]:
    try:
        return [process / "fd" / name for name in os.listdir(process / "fd")]
    except OSError:  # the process ended, or belongs to another user
        return []


def _opened_for_writing(descriptor: Path) -> bool:
    """From ``/proc/<pid>/fdinfo/<fd>``'s ``flags:`` (octal open flags); a reader does not count."""
    fdinfo = descriptor.parent.parent / "fdinfo" / descriptor.name
    try:
        lines = fdinfo.read_text().splitlines()
    except OSError:
        return False
    flags = next((int(line.split()[1], 8) for line in lines if line.startswith("flags:")), 0)
    return (flags & os.O_ACCMODE) in _WRITE_MODES
