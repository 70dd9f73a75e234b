"""Scale-out, shown for real: a Prefect server, a process work pool, two workers, one flow run per notice.

The test starts ``prefect server start`` on a free loopback port (its own PREFECT_HOME, SQLite, no UI, no
telemetry), registers the deployment with ``noticeflow pool register``, starts two ``prefect worker start``
processes (at most two runs each, so neither can take the whole batch), and submits nine files with
``noticeflow pool submit --json``: eight born-digital notices made unique, and a byte copy of the first.
Then: eight flow runs, all Completed; both workers ran some (the ``prefect.worker.name`` label a worker puts
on each run it takes); the copy came back "duplicate" without a run; every notice stored exactly once.
The store is a SQLite file shared by the workers' runs, or a fresh schema of ``NOTICEFLOW_TEST_PG_URL``.
Every wait is bounded; workers and server are stopped (their whole process groups) in any case. Two quick
tests without a server check what a submission decides before it makes a run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows import pool
from pipeline.load import hash_file
from pipeline.models import NoticeResult, Status
from pipeline.settings import Settings
from pipeline.store import open_store
from tests.servers import free_port

pytestmark = pytest.mark.scale_out

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "fixtures" / "samples"
BORN_DIGITAL = [SAMPLES / f"notice_{n}.pdf" for n in ("0006", "0011", "0017", "0022")]
PG_URL = os.environ.get("NOTICEFLOW_TEST_PG_URL")
DOCUMENTS = 8
WORKERS = ("worker-a", "worker-b")
SERVER_READY_S = 90.0
WORKERS_ONLINE_S = 60.0
RUNS_S = 150.0
PREFECT = str(Path(sys.executable).with_name("prefect"))
# flows.cli registers the ``pool`` commands once it imports flows.pool; importing it here works either way.
NOTICEFLOW = [sys.executable, "-c", "import flows.pool, flows.cli; flows.cli.main()"]


# ---- processes --------------------------------------------------------------------------------------------


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A background process in its own session (so its children can be stopped with it), output to ``log``."""
    with log.open("wb") as sink:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip


def _stop(processes: list[subprocess.Popen[bytes]], grace_s: float = 15.0) -> None:
    """SIGTERM to every process group at once; after each leader exits (or ``grace_s`` in all), SIGKILL to
    anything left."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(errors="replace") if log.exists() else "(no log)"
    return f"--- {log.name} ---\n" + "\n".join(text.splitlines()[-lines:])


def _noticeflow(args: list[str], env: dict[str, str], timeout_s: float) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*NOTICEFLOW, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout_s, check=False)  # fmt: skip
    assert done.returncode == 0, f"noticeflow {args[:2]} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done


def _wait_until(ready: Callable[[], bool], timeout_s: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.5)
    pytest.fail(f"{what} within {timeout_s:g} s\n" + "\n".join(_tail(log) for log in logs))


# ---- the Prefect API, read over plain HTTP (this process never imports Prefect) --------------------------


def _is_healthy(api: str, server: subprocess.Popen[bytes], log: Path) -> bool:
    assert server.poll() is None, "prefect server exited\n" + _tail(log)
    try:
        return httpx.get(f"{api}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _online_workers(api: str, pool_name: str) -> set[str]:
    response = httpx.post(f"{api}/work_pools/{pool_name}/workers/filter", json={}, timeout=10)
    response.raise_for_status()
    return {worker["name"] for worker in response.json() if worker["status"] == "ONLINE"}


def _flow_runs(api: str) -> list[dict[str, Any]]:
    response = httpx.post(f"{api}/flow_runs/filter", json={"limit": 200}, timeout=10)
    response.raise_for_status()
    runs: list[dict[str, Any]] = response.json()
    return runs


# ---- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture
def store_url(tmp_path: Path) -> Iterator[str]:
    """A SQLite file in tmp_path, or a fresh schema of the test PostgreSQL database when one is given."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    import sqlalchemy

    schema = f"scale_{uuid.uuid4().hex[:8]}"
    engine = sqlalchemy.create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@dataclass
class Cluster:
    """A Prefect server and two workers on one process pool, and the environment a submitter needs."""

    api: str
    env: dict[str, str]
    logs: list[Path]
    server_ready_s: float = 0.0


@pytest.fixture
def cluster(tmp_path: Path, store_url: str) -> Iterator[Cluster]:
    port = free_port()
    api, pool_name = f"http://127.0.0.1:{port}/api", "noticeflow-test"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NOTICEFLOW_"))}
    prefect = {**clean, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false"}
    env = {
        **prefect, "PREFECT_API_URL": api, "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_HOME": str(tmp_path / "client-home"), "NOTICEFLOW_HOME": str(tmp_path / "noticeflow-home"),
        "NOTICEFLOW_DB_URL": store_url, "NOTICEFLOW_WORK_POOL": pool_name,
    }  # fmt: skip
    logs = [tmp_path / "server.log", *(tmp_path / f"{name}.log" for name in WORKERS)]
    command = [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    server = _start(command, {**prefect, "PREFECT_HOME": str(tmp_path / "server-home")}, logs[0])
    workers: list[subprocess.Popen[bytes]] = []
    try:
        started = time.monotonic()
        _wait_until(lambda: _is_healthy(api, server, logs[0]), SERVER_READY_S, "server not healthy", logs[:1])
        cluster = Cluster(api, env, logs, time.monotonic() - started)
        deployment = _noticeflow(["pool", "register"], env, 120).stdout.strip()
        assert deployment == "ingest-document/noticeflow-ingest"
        for name, log in zip(WORKERS, logs[1:], strict=True):
            # At most two runs each: neither worker can take the whole batch before the other polls.
            command = [PREFECT, "worker", "start", "--pool", pool_name, "--type", "process", "--name", name,
                       "--limit", "2"]  # fmt: skip
            workers.append(_start(command, {**env, "PREFECT_HOME": str(tmp_path / f"{name}-home")}, log))
        online = lambda: _online_workers(api, pool_name) == set(WORKERS)  # noqa: E731
        _wait_until(online, WORKERS_ONLINE_S, "both workers not online", logs[1:])
        yield cluster
    finally:
        _stop(workers)  # workers first: a worker whose server is gone is slow to stop
        _stop([server])


def _documents(folder: Path) -> list[Path]:
    """Eight committed born-digital notices made unique by a trailing comment; a byte copy of the first."""
    folder.mkdir()
    documents = []
    for index in range(DOCUMENTS):
        path = folder / f"notice-{index:02d}.pdf"
        path.write_bytes(BORN_DIGITAL[index % len(BORN_DIGITAL)].read_bytes() + f"\n%copy-{index}\n".encode())
        documents.append(path)
    copy = folder / "notice-99-copy.pdf"
    copy.write_bytes(documents[0].read_bytes())
    return [*documents, copy]


# ---- the test ---------------------------------------------------------------------------------------------


def test_two_workers_share_a_batch_and_store_each_notice_once(
    tmp_path: Path, cluster: Cluster, store_url: str
) -> None:
    paths = _documents(tmp_path / "shared")
    notices, copy = paths[:-1], paths[-1]
    submitted = time.monotonic()
    submit = ["pool", "submit", *map(str, paths), "--json", "--as-of", "2026-11-28", "--timeout", str(RUNS_S)]
    results = [json.loads(line) for line in _noticeflow(submit, cluster.env, RUNS_S + 60).stdout.splitlines()]
    runs_s = time.monotonic() - submitted
    runs = _flow_runs(cluster.api)

    assert [r["document_id"] for r in results] == [hash_file(p) for p in notices] + [hash_file(copy)]
    statuses = [r["status"] for r in results]
    assert set(statuses[:-1]) <= {"processed", "needs_review"}, [r["error"] for r in results]
    assert statuses[-1] == "duplicate", "the copy is the first notice again, and no run is made"
    assert results[-1]["source"] == str(notices[0].resolve())

    ran_by = {run["name"]: run["labels"].get("prefect.worker.name") for run in runs}
    assert sorted(ran_by) == sorted(f"ingest {p.name}" for p in notices), "one flow run per new notice"
    assert [r["state_type"] for r in runs] == ["COMPLETED"] * DOCUMENTS, [r["state_name"] for r in runs]
    worker_logs = "\n".join(_tail(log) for log in cluster.logs[1:])
    assert set(ran_by.values()) == set(WORKERS), f"a worker ran nothing: {ran_by}\n{worker_logs}"

    store = open_store(store_url)
    try:
        stored = store.list_results(limit=100)
        assert sorted(r.document_id for r in stored) == sorted(hash_file(p) for p in notices)
        assert [len(store.history(r.document_id)) for r in stored] == [1] * DOCUMENTS, "stored once each"
    finally:
        store.close()
    print(f"\nserver ready in {cluster.server_ready_s:.1f} s, {DOCUMENTS} runs in {runs_s:.1f} s: {ran_by}")


# ---- before any run: what needs no server -----------------------------------------------------------------


def _no_runs(*args: object) -> None:
    raise AssertionError("nothing should be submitted")


def test_stored_bytes_come_back_duplicate_without_a_run(
    tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "_submit", _no_runs)
    first, again = _documents(tmp_path / "shared")[0], tmp_path / "shared" / "notice-99-copy.pdf"
    store = open_store(store_url)
    try:
        store.save_result(
            NoticeResult(document_id=hash_file(first), source="first.pdf", status=Status.PROCESSED)
        )
    finally:
        store.close()
    settings = Settings(home=tmp_path / "home", db_url=store_url)
    results = pool.submit_documents(
        [first, again], dt.date(2026, 11, 28), None, "none/none", settings=settings
    )
    assert [(r.status, r.source) for r in results] == [(Status.DUPLICATE, "first.pdf")] * 2


def test_an_unreadable_path_fails_without_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "_submit", _no_runs)
    settings = Settings(home=tmp_path / "home", db_url=f"sqlite:///{tmp_path / 'store.db'}")
    missing = tmp_path / "not-there.pdf"
    (result,) = pool.submit_documents([missing], dt.date(2026, 11, 28), None, "none/none", settings=settings)
    assert (result.status, result.error and result.error.code) == (Status.FAILED, "file_not_found")
