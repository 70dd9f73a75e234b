"""The spool of accepted uploads (flows.spool) shared by several server processes: an entry someone holds is
never taken or cleaned, crash leftovers are, files vanishing while listed are skipped, failed attempts are
capped by moving the entry to ``stuck/``. ``flock`` locks belong to an open file, so two descriptors in this
process stand for two servers."""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows import spool
from flows.spool import MAX_ATTEMPTS, Spooled, SpoolEntry, claim_spooled, spool_upload

DOCUMENT_ID = "ab" * 32


def entry(tenant: str = "acme", attempts: int = 0) -> SpoolEntry:
    return SpoolEntry(tenant=tenant, document_id=DOCUMENT_ID, source="Jane Roe 123-45-6789.pdf", size=5,
                      profile_id=None, as_of=dt.date(2026, 5, 1), attempts=attempts)  # fmt: skip


def spool_bytes(home: Path, tmp_path: Path, name: str = "upload") -> Spooled:
    path = tmp_path / name
    path.write_bytes(b"%PDF-")
    return spool_upload(path, entry(), home)


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def held(home: Path) -> Iterator[Path]:
    """A half-written entry another server is still writing: its lock held, bytes without a description."""
    folder = home / "spool" / "acme"
    folder.mkdir(parents=True)
    lock = os.open(folder / "written.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)
    (folder / "written.bin").write_bytes(b"%PDF-")
    (folder / "written.json.tmp").write_text("{")
    yield folder
    os.close(lock)


def test_an_entry_another_process_holds_is_neither_taken_nor_cleaned(
    home: Path, tmp_path: Path, held: Path
) -> None:
    running = spool_bytes(home, tmp_path)  # complete, and its job still runs
    assert list(claim_spooled(home)) == []
    assert len(names(held)) == 6  # both entries untouched
    running.discard()
    assert names(held) == ["written.bin", "written.json.tmp", "written.lock"]


def test_leftovers_of_a_crash_are_removed_once_their_lock_is_free(home: Path, tmp_path: Path) -> None:
    folder = home / "spool" / "acme"
    kept = spool_bytes(home, tmp_path)
    kept.release()  # its server died: the entry is complete, its lock free
    (folder / "orphan.bin").write_bytes(b"%PDF-")  # died before describing the bytes
    (folder / "orphan.json.tmp").write_text("{")
    (folder / "lonely.lock").touch()  # died right after taking the lock
    (claimed,) = claim_spooled(home)
    assert claimed.entry == entry(attempts=2) and claimed.data.read_bytes() == b"%PDF-"
    assert names(folder) == sorted(claimed.stem.name + suffix for suffix in (".bin", ".json", ".lock"))
    claimed.discard()
    assert names(folder) == []


def test_a_file_vanishing_while_the_spool_is_listed_is_skipped(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool_bytes(home, tmp_path).release()
    listed = list((home / "spool").glob("*/*"))
    ghost = home / "spool" / "acme" / "gone.bin"  # removed by another server between listing and stat()
    monkeypatch.setattr(Path, "glob", lambda self, pattern: iter([ghost, *listed]))
    assert [claimed.entry for claimed in claim_spooled(home)] == [entry(attempts=2)]


def test_the_last_allowed_failed_attempt_moves_the_entry_to_stuck(
    home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = home / "spool" / "acme"
    spool_bytes(home, tmp_path).give_back()
    for attempt in range(2, MAX_ATTEMPTS + 1):
        (claimed,) = claim_spooled(home)
        assert claimed.entry.attempts == attempt
        with caplog.at_level(logging.ERROR, logger="flows.spool"):
            claimed.give_back()
    assert names(folder) == ["stuck"]  # at once, not at the next start
    assert list(claim_spooled(home)) == []
    assert names(folder) == ["stuck"]
    assert sorted(path.suffix for path in (folder / "stuck").iterdir()) == [".bin", ".json"]
    assert "stuck" in caplog.text and "6789" not in caplog.text and "Jane" not in caplog.text


def test_an_entry_cut_short_on_its_way_to_stuck_is_moved_there(home: Path, tmp_path: Path) -> None:
    folder = home / "spool" / "acme"
    interrupted = spool_bytes(home, tmp_path)
    interrupted.release()
    (folder / "stuck").mkdir()
    interrupted.data.rename(folder / "stuck" / interrupted.data.name)  # died between the two moves
    assert list(claim_spooled(home)) == []
    assert len(names(folder / "stuck")) == 2 and names(folder) == ["stuck"]


def test_new_spool_folders_are_flushed_with_the_folder_above(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[Path] = []
    flush = spool.flush_to_disk
    monkeypatch.setattr(spool, "flush_to_disk", lambda path: flushed.append(path) or flush(path))
    home.mkdir()
    spool_bytes(home, tmp_path).discard()
    assert {home, home / "spool", home / "spool" / "acme"} <= set(flushed)


def test_attempts_that_end_their_process_count_too(home: Path, tmp_path: Path) -> None:
    """A document that kills its server (a native crash, the out-of-memory killer) never reaches
    ``give_back``: each start counts its attempt before it begins, and the last start sets it aside."""
    folder = home / "spool" / "acme"
    spool_bytes(home, tmp_path).release()  # the accepting server died while processing it
    for attempt in range(2, MAX_ATTEMPTS + 1):
        (claimed,) = claim_spooled(home)
        assert claimed.entry.attempts == attempt
        claimed.release()  # and so did every server that took it again
    assert list(claim_spooled(home)) == []
    assert names(folder) == ["stuck"]
