"""The folder watcher never loses or duplicates a document, even when killed mid-batch.

The crash test drops 20 documents into the inbox while a real ``noticeflow watch`` process runs (born-digital
notices made unique, corrupt files, byte-identical duplicates, files copied slowly in chunks), kills the
watcher with SIGKILL mid-batch, restarts it with ``--once``, and then checks the folders and the store.
It runs against SQLite, and against PostgreSQL when ``NOTICEFLOW_TEST_PG_URL`` is set. The journal tests
resume a claim from each state a crash can leave behind. The hostile-inbox tests use real file-system
objects: ``chattr +i`` (skipped, saying why, where the file system refuses it), symbolic links, a FIFO, a
sub-folder, an inbox on /dev/shm (another file system: ``EXDEV``), and a writer in another process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

import flows.watch
from flows.inbox import InboxEntry, SettleTracker, is_candidate
from flows.moves import free_names, link_then_unlink, move_exclusive
from flows.watch import Outcome, WatchFolders, WatchOptions, process_claim, watch
from pipeline.errors import OcrEngineError
from pipeline.ingest import MAX_ATTEMPTS, Policy
from pipeline.models import Channel, NoticeResult, Status
from pipeline.process import PipelineContext, failed_result
from pipeline.profiles import load_profiles
from pipeline.store import Store, open_store

pytestmark = pytest.mark.slow  # a long file: an xdist worker takes it first (tests/conftest.py)
ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "fixtures" / "samples"
BORN_DIGITAL = [
    SAMPLES / n for n in ("notice_0006.pdf", "notice_0011.pdf", "notice_0017.pdf", "notice_0022.pdf")
]
PG_URL = os.environ.get("NOTICEFLOW_TEST_PG_URL")


def _unique_pdf(index: int) -> bytes:
    """A committed born-digital notice with a trailing comment: same notice, different bytes."""
    return BORN_DIGITAL[index % len(BORN_DIGITAL)].read_bytes() + f"\n%copy-{index}\n".encode()


_NO_PG = pytest.mark.skipif(not PG_URL, reason="NOTICEFLOW_TEST_PG_URL is not set (bash scripts/postgres.sh)")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=_NO_PG)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store: a SQLite file, or a new schema of the test PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    import sqlalchemy

    schema = f"watch_{uuid.uuid4().hex[:8]}"
    engine = sqlalchemy.create_engine(str(PG_URL))
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def _start_watcher(root: Path, store_url: str, home: Path, once: bool = False) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NOTICEFLOW_HOME": str(home), "NOTICEFLOW_DB_URL": store_url}
    command = [
        sys.executable,
        "-m",
        "flows.cli",
        "watch",
        "--no-orchestrate",
        str(root),
        "--settle",
        "0.5",
        "--as-of",
        "2026-11-28",
    ]
    return subprocess.Popen([*command, *(["--once"] if once else [])], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def _copy_slowly(data: bytes, target: Path, chunks: int = 6, pause_s: float = 0.4) -> None:
    with target.open("wb") as handle:
        step = len(data) // chunks + 1
        for start in range(0, len(data), step):
            handle.write(data[start : start + step])
            handle.flush()
            time.sleep(pause_s)


def _drop_batch(inbox: Path) -> tuple[set[str], list[threading.Thread]]:
    """20 files: 13 unique notices, 3 duplicates of them, 2 corrupt, 2 copied slowly. Returns the names
    expected in failed/ and the slow writers."""
    for index in range(13):
        (inbox / f"notice-{index:02d}.pdf").write_bytes(_unique_pdf(index))
    for index in range(3):
        (inbox / f"again-{index}.pdf").write_bytes(_unique_pdf(index))
    (inbox / "torn.pdf").write_bytes(_unique_pdf(20)[:900])
    (inbox / "empty.png").write_bytes(b"")
    (inbox / ".hidden-upload.pdf.part").write_bytes(b"%PDF-partial")
    writers = [
        threading.Thread(target=_copy_slowly, args=(_unique_pdf(30 + i), inbox / f"slow-{i}.pdf"))
        for i in range(2)
    ]
    for writer in writers:
        writer.start()
    return {"torn.pdf", "empty.png"}, writers


def _wait_for(condition, timeout_s: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_killed_mid_batch_then_restarted_loses_and_duplicates_nothing(tmp_path: Path, store_url: str) -> None:
    root, home = tmp_path / "watch", tmp_path / "home"
    inbox = root / "inbox"
    inbox.mkdir(parents=True)
    watcher = _start_watcher(root, store_url, home)
    expected_failed, writers = _drop_batch(inbox)
    assert _wait_for(lambda: len(list((root / "processed").glob("*.pdf"))) >= 3, 60), watcher.stderr
    watcher.send_signal(signal.SIGKILL)
    watcher.wait()
    for writer in writers:
        writer.join()
    restarted = _start_watcher(root, store_url, home, once=True)
    assert restarted.wait(timeout=120) == 0, restarted.stderr.read() if restarted.stderr else ""

    processed = sorted(p.name for p in (root / "processed").iterdir() if not p.name.endswith(".json"))
    failed = sorted(p.name for p in (root / "failed").iterdir() if not p.name.endswith(".json"))
    assert [p.name for p in inbox.iterdir()] == [".hidden-upload.pdf.part"]  # ignored, never taken
    assert list((root / ".work").iterdir()) == []
    assert set(failed) == expected_failed
    assert len(processed) == 18 and len(set(processed)) == 18
    for name in failed:
        error = json.loads((root / "failed" / f"{name}.error.json").read_text())
        assert error["code"] in {"corrupt_file", "empty_file"} and error["attempts"] == 1
    results = [
        NoticeResult.model_validate_json((root / "processed" / f"{n}.json").read_text()) for n in processed
    ]
    assert sum(r.status is Status.DUPLICATE for r in results) == 3
    stored = open_store(store_url).list_results(status=None, limit=1000)
    readable = [r for r in stored if r.status is not Status.FAILED]
    assert len(readable) == 15 == len({r.document_id for r in results})
    assert sorted(r.source for r in stored if r.status is Status.FAILED) == sorted(expected_failed)


def _context() -> PipelineContext:
    return PipelineContext.default(dt.date(2026, 11, 28))


def _claim_with(folders: WatchFolders, name: str, data: bytes) -> Path:
    """A claim as ``flows.watch.claim`` leaves it: the entry's name in the journal, its bytes as document."""
    claim_dir = folders.work / uuid.uuid4().hex
    claim_dir.mkdir(parents=True)
    (claim_dir / "name").write_text(json.dumps({"name": name}))
    (claim_dir / "document").write_bytes(data)
    return claim_dir


@pytest.fixture
def folders(tmp_path: Path) -> WatchFolders:
    result = WatchFolders(tmp_path / "watch")
    result.create()
    return result


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'store.db'}")


def test_resume_after_crash_before_the_result_was_written(folders: WatchFolders, store: Store) -> None:
    claim_dir = _claim_with(folders, "a.pdf", _unique_pdf(0))
    destination = process_claim(claim_dir, folders, _context(), store, resumed=True)
    assert destination == folders.processed / "a.pdf"
    assert json.loads((folders.processed / "a.pdf.json").read_text())["status"] == "processed"


def test_resume_after_crash_between_commit_and_move_is_not_a_duplicate(
    folders: WatchFolders, store: Store
) -> None:
    data = _unique_pdf(1)
    first = _claim_with(folders, "b.pdf", data)
    (first / "document").rename(folders.root / "b.pdf")  # stand aside, as if the first run had committed it
    store.save_result(
        NoticeResult.model_validate_json(
            json.dumps({"document_id": _sha(data), "source": "b.pdf", "status": "processed"})
        ), actor="watcher",
    )  # fmt: skip
    (folders.root / "b.pdf").rename(first / "document")
    process_claim(first, folders, _context(), store, resumed=True)
    assert json.loads((folders.processed / "b.pdf.json").read_text())["status"] == "processed"
    assert len(store.list_results(status=None)) == 1


def test_resume_after_crash_during_the_final_moves(folders: WatchFolders, store: Store) -> None:
    claim_dir = _claim_with(folders, "c.pdf", _unique_pdf(2))
    (claim_dir / "result.json").write_text('{"status": "processed"}')
    destination = folders.processed / "c.pdf"
    (claim_dir / "dest").write_text(json.dumps({"path": str(destination), "suffix": ".json"}))
    (claim_dir / "document").rename(destination)  # the document moved; the crash came before its JSON did
    assert process_claim(claim_dir, folders, _context(), store, resumed=True) == destination
    assert (folders.processed / "c.pdf.json").exists() and not claim_dir.exists()


def test_name_collisions_never_overwrite(folders: WatchFolders, store: Store) -> None:
    for index in range(3):
        process_claim(_claim_with(folders, "same.pdf", _unique_pdf(index)), folders, _context(), store, False)
    assert sorted(p.name for p in folders.processed.iterdir()) == [
        "same-1.pdf", "same-1.pdf.json", "same-2.pdf", "same-2.pdf.json", "same.pdf", "same.pdf.json",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "taken"),
    [("scan.pdf", True), ("scan.pdf.part", False), ("~$scan.pdf", False), (".DS_Store", False),
     ("download.crdownload", False), ("scan.tmp", False)],
)  # fmt: skip
def test_partial_and_hidden_files_are_ignored(name: str, taken: bool) -> None:
    assert is_candidate(name) is taken


def test_a_file_is_taken_only_after_it_settles(tmp_path: Path) -> None:
    path = tmp_path / "growing.pdf"
    path.write_bytes(b"%PDF-1")
    tracker = SettleTracker(settle_s=2.0)
    assert tracker.settled([InboxEntry.of(path)], now=100.0) == []
    with path.open("ab") as handle:
        handle.write(b"more")
    assert tracker.settled([InboxEntry.of(path)], now=101.5) == []  # changed: the clock starts again
    assert tracker.settled([InboxEntry.of(path)], now=102.0) == []
    assert [e.path for e in tracker.settled([InboxEntry.of(path)], now=103.6)] == [path]


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


# ---- one failure policy: bounded attempts, one final place -------------------------------------------------

QUICK = WatchOptions(settle_s=0.0, poll_s=0.01, once=True, policy=Policy(delays_s=(0.0,)))


def _drop(folders: WatchFolders, name: str, data: bytes) -> None:
    (folders.inbox / name).write_bytes(data)


def test_a_bug_ends_in_failed_after_one_attempt(
    folders: WatchFolders, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def buggy(path: Path, context: PipelineContext, source: str | None = None) -> NoticeResult:
        calls.append(str(source))
        raise KeyError("a bug")

    monkeypatch.setattr(flows.watch, "process_document", buggy)
    _drop(folders, "bug.pdf", _unique_pdf(5))
    watch(folders.root, _context(), store, QUICK)
    error = json.loads((folders.failed / "bug.pdf.error.json").read_text())
    assert (error["code"], error["attempts"], calls) == ("internal_error", 1, ["bug.pdf"])
    assert sorted(p.name for p in folders.inbox.iterdir()) == [] == list(folders.work.iterdir())


def test_an_infrastructure_failure_is_tried_three_times_then_failed(
    folders: WatchFolders, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def ocr_down(path: Path, context: PipelineContext, source: str | None = None) -> NoticeResult:
        calls.append(path.name)
        return failed_result(path, source or path.name, OcrEngineError("tesseract is not answering"), {})

    monkeypatch.setattr(flows.watch, "process_document", ocr_down)
    _drop(folders, "busy.pdf", _unique_pdf(6))
    watch(folders.root, _context(), store, QUICK)
    error = json.loads((folders.failed / "busy.pdf.error.json").read_text())
    assert (error["code"], error["attempts"], len(calls)) == ("ocr_failed", 3, 3)


def test_a_claim_that_raises_every_round_ends_in_failed(
    folders: WatchFolders, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    rounds: list[int] = []

    def journal_refused(claim_dir: Path, name: str, outcome: Outcome, folders: WatchFolders) -> None:
        rounds.append(1)
        raise PermissionError("the journal cannot be written")

    monkeypatch.setattr(flows.watch, "_plan_destination", journal_refused)
    claim_dir = _claim_with(folders, "stuck.pdf", _unique_pdf(7))
    for _ in range(MAX_ATTEMPTS):
        flows.watch._handle_claims([claim_dir], set(), folders, _context(), store, QUICK)
    monkeypatch.undo()  # the last round's give-up writes its own journal
    flows.watch._handle_claims([claim_dir], set(), folders, _context(), store, QUICK)
    assert len(rounds) == MAX_ATTEMPTS
    assert json.loads((folders.failed / "stuck.pdf.error.json").read_text())["code"] == "internal_error"
    assert not claim_dir.exists()


def test_each_round_matches_the_profiles_stored_since_and_uses_that_day(
    folders: WatchFolders, store: Store
) -> None:
    days = iter([dt.date(2026, 11, 28), dt.date(2026, 11, 29)])
    options = dataclasses.replace(QUICK, today=lambda: next(days))
    _drop(folders, "before.pdf", _unique_pdf(0))
    watch(folders.root, _context(), store, options)
    for profile in load_profiles(SAMPLES / "profiles.json"):
        store.put_profile(profile)
    _drop(folders, "after.pdf", _unique_pdf(4))
    watch(folders.root, _context(), store, options)
    before = NoticeResult.model_validate_json((folders.processed / "before.pdf.json").read_text())
    after = NoticeResult.model_validate_json((folders.processed / "after.pdf.json").read_text())
    assert before.profile_id is None and after.profile_id is not None
    assert after.channel is Channel.WATCH
    assert next(days, None) is None  # "today" was asked once a round


# ---- a hostile inbox: entries that are not plain files, or cannot be moved -----------------------------


def _make_immutable(path: Path) -> str | None:
    """``chattr +i``; the reason it could not be done (a file system without the flag), or None."""
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
    return None if done.returncode == 0 else f"chattr +i refused here: {done.stderr.strip()}"


def _poisoned_inbox(folders: WatchFolders, outside: Path) -> dict[str, str | None]:
    """Every kind of entry the watcher must refuse, then good notices. Returns the entries expected in
    failed/ with their code, and why the immutable one is missing (None when it is there)."""
    inbox = folders.inbox
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(_unique_pdf(8))
    (inbox / "link.pdf").symlink_to(outside / "secret.pdf")
    (inbox / "passwd.pdf").symlink_to("/etc/passwd")
    (inbox / "dangling.pdf").symlink_to(outside / "gone.pdf")
    os.mkfifo(inbox / "pipe.pdf")
    (inbox / "scans").mkdir()
    (inbox / "scans" / "inside.pdf").write_bytes(_unique_pdf(9))
    (inbox / "dest").write_bytes(_unique_pdf(10))
    (inbox / f"{'n' * 246}.pdf").write_bytes(_unique_pdf(11))
    (inbox / "frozen.pdf").write_bytes(_unique_pdf(12))
    expected = {n: "not_a_file" for n in ("link.pdf", "passwd.pdf", "dangling.pdf", "pipe.pdf", "scans")}
    skipped = _make_immutable(inbox / "frozen.pdf")
    if skipped is None:
        expected["frozen.pdf"] = "cannot_move"
    (inbox / "good.pdf").write_bytes(_unique_pdf(13))
    return {**expected, "": skipped}


def _run_until(folders: WatchFolders, store: Store, done: Callable[[], bool]) -> threading.Thread:
    """A watcher that keeps running in a thread until ``done()``; returns it, stopped."""
    stop = threading.Event()
    options = dataclasses.replace(QUICK, once=False, poll_s=0.05)
    watcher = threading.Thread(target=watch, args=(folders.root, _context(), store, options, stop))
    watcher.start()
    assert _wait_for(done, 60)
    assert watcher.is_alive()  # nothing stopped it
    stop.set()
    watcher.join(timeout=30)
    return watcher


def test_a_poisoned_inbox_never_stops_the_watcher_and_every_entry_is_reported(
    folders: WatchFolders, store: Store, tmp_path: Path
) -> None:
    expected = _poisoned_inbox(folders, tmp_path / "outside")
    skipped = expected.pop("")
    long_name = f"{'n' * 246}.pdf"
    try:
        _run_until(folders, store, lambda: (folders.processed / "good.pdf.json").exists())
        _run_until(folders, store, lambda: True)  # a restart reports nothing twice
        watch(folders.root, _context(), store, QUICK)  # --once ends though an entry stays in the inbox
        reports = {p.name.removesuffix(".error.json"): p for p in folders.failed.glob("*.error.json")}
        assert sorted(reports) == sorted(expected)
        for name, code in expected.items():
            report = json.loads(reports[name].read_text())
            assert (report["code"], report["source"], report["document_id"]) == (code, name, None)
            assert os.path.lexists(folders.failed / name) is (code == "not_a_file")
        assert (folders.failed / "link.pdf").is_symlink() and (
            folders.failed / "scans" / "inside.pdf"
        ).exists()
        processed = sorted(p.name for p in folders.processed.iterdir() if not p.name.endswith(".json"))
        assert processed == ["dest", "good.pdf", f"{'n' * 196}.pdf"]  # cut to 200 bytes, extension kept
        assert all((folders.processed / f"{name}.json").exists() for name in processed)
        assert sorted(r.source for r in store.list_results(status=None)) == sorted(
            ["dest", "good.pdf", long_name]
        )
        assert os.listdir(folders.inbox) == (["frozen.pdf"] if skipped is None else [])
        assert os.listdir(folders.work) == ["left-in-inbox.json"]
    finally:
        subprocess.run(["chattr", "-i", str(folders.inbox / "frozen.pdf")], capture_output=True, check=False)
    if skipped:
        pytest.skip(f"all but the immutable entry checked; {skipped}")


def _other_file_system(tmp_path: Path) -> Path:
    """A folder on another file system than ``tmp_path`` (/dev/shm), or the test is skipped."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second file system (/dev/shm) to put the inbox on")
    return Path(tempfile.mkdtemp(dir=shm))


def test_an_inbox_on_another_file_system_is_copied_then_emptied(tmp_path: Path, store: Store) -> None:
    remote = _other_file_system(tmp_path)
    try:
        folders = WatchFolders(tmp_path / "watch")
        folders.root.mkdir()
        (folders.root / "inbox").symlink_to(remote)  # rename from it says EXDEV
        (remote / "far.pdf").write_bytes(_unique_pdf(14))
        watch(folders.root, _context(), store, QUICK)
        assert (folders.processed / "far.pdf").read_bytes() == _unique_pdf(14)
        assert json.loads((folders.processed / "far.pdf.json").read_text())["status"] == "processed"
        assert os.listdir(remote) == [] and os.listdir(folders.work) == []
    finally:
        shutil.rmtree(remote)


@pytest.mark.parametrize("copied", [True, False], ids=["copy-flushed", "copy-cut-short"])
def test_a_copy_across_file_systems_resumes_after_a_crash(
    folders: WatchFolders, store: Store, copied: bool
) -> None:
    """The journal names the original before copying: a crash removes the copy or the original, not both."""
    original = folders.inbox / "far.pdf"
    original.write_bytes(_unique_pdf(15))
    info = original.stat()
    claim_dir = _claim_with(folders, "far.pdf", _unique_pdf(15))
    origin = {"path": str(original), "device": info.st_dev, "inode": info.st_ino}
    (claim_dir / "origin").write_text(json.dumps(origin))
    if not copied:
        (claim_dir / "document").rename(claim_dir / "document.tmp")
    process_claim(claim_dir, folders, _context(), store, resumed=True)
    assert original.exists() is not copied
    assert (folders.processed / "far.pdf").exists() is copied and not claim_dir.exists()


def test_a_copy_whose_original_cannot_be_removed_is_dropped(folders: WatchFolders, store: Store) -> None:
    """After a crash the original turned immutable: it stays the one (in the inbox), never two documents."""
    original = folders.inbox / "far.pdf"
    original.write_bytes(_unique_pdf(22))
    info = original.stat()
    claim_dir = _claim_with(folders, "far.pdf", _unique_pdf(22))
    (claim_dir / "origin").write_text(
        json.dumps({"path": str(original), "device": info.st_dev, "inode": info.st_ino})
    )
    if reason := _make_immutable(original):
        pytest.skip(reason)
    try:
        assert process_claim(claim_dir, folders, _context(), store, resumed=True) is None
        assert original.exists() and not claim_dir.exists() and os.listdir(folders.processed) == []
    finally:
        subprocess.run(["chattr", "-i", str(original)], check=True)


def test_two_claims_planned_to_one_name_both_keep_their_file(folders: WatchFolders, store: Store) -> None:
    """Parallel threads can plan the same free name; the move is exclusive, so neither replaces the other."""
    claims = [_claim_with(folders, "same.pdf", _unique_pdf(index)) for index in (16, 17)]
    for claim_dir in claims:
        (claim_dir / "result.json").write_text('{"status": "processed"}')
        (claim_dir / "dest").write_text(
            json.dumps({"path": str(folders.processed / "same.pdf"), "suffix": ".json"})
        )
    finished = [process_claim(claim_dir, folders, _context(), store, resumed=True) for claim_dir in claims]
    assert finished == [folders.processed / "same.pdf", folders.processed / "same-1.pdf"]
    assert {p.read_bytes() for p in finished} == {_unique_pdf(16), _unique_pdf(17)}


@pytest.mark.parametrize("move", [move_exclusive, link_then_unlink], ids=["renameat2", "link-fallback"])
def test_an_exclusive_move_never_replaces(tmp_path: Path, move: Callable[[Path, Path], None]) -> None:
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    with pytest.raises(FileExistsError):
        move(tmp_path / "a", tmp_path / "b")
    move(tmp_path / "a", tmp_path / "c")
    assert sorted(os.listdir(tmp_path)) == ["b", "c"] and (tmp_path / "b").read_text() == "b"


def test_a_crash_between_link_and_unlink_leaves_one_file(folders: WatchFolders, store: Store) -> None:
    claim_dir = _claim_with(folders, "d.pdf", _unique_pdf(18))
    (claim_dir / "result.json").write_text('{"status": "processed"}')
    destination = folders.processed / "d.pdf"
    (claim_dir / "dest").write_text(json.dumps({"path": str(destination), "suffix": ".json"}))
    os.link(claim_dir / "document", destination)  # the fallback's first half, then the crash
    assert process_claim(claim_dir, folders, _context(), store, resumed=True) == destination
    assert sorted(os.listdir(folders.processed)) == ["d.pdf", "d.pdf.json"]


@pytest.mark.parametrize(
    ("name", "extension"),
    [("n" * 250, ""), ("é" * 120 + ".pdf", ".pdf"), ("scan." + "x" * 240, ""), ("a" * 251 + ".pdf", ".pdf")],
    ids=["ascii", "utf8", "long-extension-is-name", "max"],
)
def test_long_names_are_cut_to_fit_beside_their_json(tmp_path: Path, name: str, extension: str) -> None:
    names = free_names(tmp_path, name, ".error.json")
    first = next(names)
    first.touch()
    second = next(names)
    for candidate in (first, second):
        assert len(os.fsencode(candidate.name + ".error.json")) <= 255
    assert first.name.endswith(extension) and name.startswith(first.name.removesuffix(extension))
    assert second.name == f"{first.name.removesuffix(extension)}-1{extension}"


@pytest.mark.parametrize("planned", [False, True], ids=["before-plan", "after-plan"])
def test_a_claim_from_before_internal_names_is_finished(
    folders: WatchFolders, store: Store, planned: bool
) -> None:
    claim_dir = folders.work / uuid.uuid4().hex
    claim_dir.mkdir()
    (claim_dir / "old.pdf").write_bytes(_unique_pdf(19))  # the document under its own name, no journal
    if planned:
        (claim_dir / "result.json").write_text('{"status": "processed"}')
        (claim_dir / "dest").write_text(
            json.dumps({"path": str(folders.processed / "old.pdf"), "suffix": ".json"})
        )
    assert process_claim(claim_dir, folders, _context(), store, resumed=True) == folders.processed / "old.pdf"
    assert (folders.processed / "old.pdf").read_bytes() == _unique_pdf(19)


def test_an_entry_left_in_the_inbox_is_taken_once_freed(folders: WatchFolders, store: Store) -> None:
    frozen = folders.inbox / "frozen.pdf"
    frozen.write_bytes(_unique_pdf(20))
    if reason := _make_immutable(frozen):
        pytest.skip(reason)
    try:
        watch(folders.root, _context(), store, QUICK)
        assert json.loads((folders.failed / "frozen.pdf.error.json").read_text())["code"] == "cannot_move"
    finally:
        subprocess.run(["chattr", "-i", str(frozen)], check=True)
    watch(folders.root, _context(), store, QUICK)
    assert (folders.processed / "frozen.pdf").exists() and os.listdir(folders.inbox) == []
    assert os.listdir(folders.work) == []  # nothing left to remember


# ---- a writer slower than the settle time ------------------------------------------------------------------

_SLOW_WRITER = """
import sys, time
data = sys.stdin.buffer.read()
with open(sys.argv[1], "wb") as handle:
    handle.write(data[: len(data) // 2]); handle.flush()
    print("half", flush=True)
    time.sleep(float(sys.argv[2]))
    handle.write(data[len(data) // 2 :])
"""


def test_a_file_open_for_writing_is_not_settled(tmp_path: Path) -> None:
    path = tmp_path / "open.pdf"
    with path.open("wb") as handle:
        handle.write(b"%PDF-")
        handle.flush()
        assert SettleTracker(settle_s=0.0).settled([InboxEntry.of(path)], now=1.0) == []
        with path.open("rb"):  # a reader does not hold it back
            pass
    with path.open("rb"):
        assert [e.path for e in SettleTracker(settle_s=0.0).settled([InboxEntry.of(path)], now=1.0)] == [path]


def test_a_writer_that_pauses_longer_than_the_settle_time_is_waited_for(
    folders: WatchFolders, store: Store
) -> None:
    target = folders.inbox / "slow.pdf"
    writer = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(target), "2.0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert writer.stdin is not None and writer.stdout is not None
    writer.stdin.write(_unique_pdf(21))
    writer.stdin.close()
    assert writer.stdout.readline() == b"half\n"
    options = dataclasses.replace(QUICK, settle_s=0.3, poll_s=0.1)
    watch(folders.root, _context(), store, options)  # --once: it waits while the file is open for writing
    assert writer.wait(timeout=30) == 0
    result = json.loads((folders.processed / "slow.pdf.json").read_text())
    assert result["status"] == "processed"
    assert (folders.processed / "slow.pdf").read_bytes() == _unique_pdf(21)
