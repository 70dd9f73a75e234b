"""The file moves the folder watcher (flows.watch) is built on; each one leaves no half-done state a crash
could turn into a lost or doubled document.

- ``move_exclusive(source, target)``: rename that never replaces; ``FileExistsError`` when ``target``
  exists (Linux ``renameat2(RENAME_NOREPLACE)``; a hard link then unlink where the file system lacks it).
  Two threads or two watchers can therefore never be given the same destination.
- ``copy_then_remove(source, target)``: the move across file systems (``rename`` says ``EXDEV``): copy a
  regular file, opened ``O_NOFOLLOW|O_NONBLOCK`` and checked to be the one listed, flush it, then remove the
  original. The caller journals the original first (``remove_original`` finishes the job after a crash).
- ``free_names(folder, name, suffix)``: destination names whose file and JSON (``name`` + ``suffix``) are
  both free, ``name`` shortened to fit (file names are at most 255 bytes): the extension is kept and the
  stem cut, then ``stem-1.ext``, ``stem-2.ext``... .
- ``write_atomically(path, text)``: a temporary file flushed, then renamed over ``path``.
"""

from __future__ import annotations

import ctypes
import errno
import itertools
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

_NAME_BYTES = 200  # of NAME_MAX's 255: room for "-NNN" and ".error.json"
_EXTENSION_BYTES = 16  # a longer "extension" is part of the name, cut with it
_AT_FDCWD, _RENAME_NOREPLACE = -100, 1
_RENAMEAT2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
if _RENAMEAT2 is not None:
    _RENAMEAT2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]


def move_exclusive(source: Path, target: Path) -> None:
    """Move ``source`` (any kind of entry) to ``target`` unless ``target`` exists."""
    if _RENAMEAT2 is not None:
        encoded_source, encoded_target = os.fsencode(source), os.fsencode(target)
        if _RENAMEAT2(_AT_FDCWD, encoded_source, _AT_FDCWD, encoded_target, _RENAME_NOREPLACE) == 0:
            return
        number = ctypes.get_errno()
        if number not in (errno.EINVAL, errno.ENOSYS):  # these two: not supported here
            raise OSError(number, os.strerror(number), str(source), None, str(target))
    link_then_unlink(source, target)


def link_then_unlink(source: Path, target: Path) -> None:
    """The exclusive move where ``renameat2`` is missing (not for folders: they cannot be linked)."""
    os.link(source, target, follow_symlinks=False)
    os.unlink(source)


def copy_then_remove(source: Path, target: Path, identity: tuple[int, int]) -> None:
    """Copy the regular file ``source`` whose (device, inode) is ``identity`` to ``target``, flushed, then
    remove ``source``; a ``target`` + ``.tmp`` is all a failure leaves behind."""
    partial = target.with_name(target.name + ".tmp")
    descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with open(descriptor, "rb") as original:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != identity:
            raise FileNotFoundError(errno.ENOENT, "replaced while it was being taken", str(source))
        with partial.open("wb") as copy:
            shutil.copyfileobj(original, copy, 1 << 20)
            copy.flush()
            os.fsync(copy.fileno())
    partial.rename(target)
    flush_to_disk(target.parent)
    os.unlink(source)


def remove_original(source: Path, identity: tuple[int, int]) -> None:
    """Remove ``source`` if it is still the file that was copied (a crash came before its removal)."""
    try:
        info = os.lstat(source)
    except FileNotFoundError:
        return
    if (info.st_dev, info.st_ino) == identity:
        os.unlink(source)


def free_names(folder: Path, name: str, suffix: str) -> Iterator[Path]:
    """Endless: each name free at the time it is given (``move_exclusive`` is what makes it exclusive)."""
    stem, extension = _fitting(name)
    for number in itertools.count():
        candidate = folder / (f"{stem}-{number}{extension}" if number else f"{stem}{extension}")
        if not os.path.lexists(candidate) and not os.path.lexists(f"{candidate}{suffix}"):
            yield candidate


def _fitting(name: str) -> tuple[str, str]:
    stem, extension = Path(name).stem, Path(name).suffix
    if len(os.fsencode(extension)) > _EXTENSION_BYTES:
        stem, extension = name, ""
    while len(os.fsencode(stem + extension)) > _NAME_BYTES:
        stem = stem[:-1]
    return stem, extension


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    temporary.replace(path)


def flush_to_disk(path: Path) -> None:
    """A file's bytes, or a folder's entries (a rename, a new name), on disk before the next step."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
