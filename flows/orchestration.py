"""Prefect where it pays: a long-running service (``serve``, ``watch``, the scheduled sweep) runs each
document as a Prefect flow run (``flows.ingest.ingest_document``) on a Prefect server that it starts once.

``prefect_api(settings, service) -> ContextManager[PrefectApi]``: with ``PREFECT_API_URL`` set, that server
(it must answer ``/api/health``, else ``InfrastructureError``). Otherwise ``prefect server start`` on a free
loopback port, as a background process with its own ``PREFECT_HOME`` (``$NOTICEFLOW_HOME/prefect/server-
<service>``: runs are kept from one start to the next, and two services never share a SQLite file), its output
in ``server.log`` there and its address in ``api_url`` there. The context is entered only once ``/api/health``
answers (``NOTICEFLOW_PREFECT_READY_S``, default 90 s: a first start migrates the database), so a service
takes no work before its server is ready; the process's Prefect client is pointed at it (``PREFECT_API_URL``)
and, on exit, the server's whole process group is stopped. ``NOTICEFLOW_PREFECT_UI=true`` serves Prefect's
UI beside the API. Runs on a server of our own send no heartbeats: it ends with the service, so there is
nobody to mark a crashed run, and each heartbeat thread costs a flow run ~0.9 s at its end.

``run_document(incoming, context, store) -> NoticeResult`` is the ingest service (``pipeline.ingest``:
dedupe, read with the one failure policy, keep, store, audit with the channel) as one flow run of
``ingest_document`` in this process, reported to the current Prefect API: the run, its task runs, their
states and retries show in ``prefect flow-run ls`` and the UI. It has ``pipeline.ingest.ingest``'s signature
and contract: the run uses the caller's context (profiles, page slots) and store, and raises only
``StoreUnavailable`` when the store stays down through every attempt; any other failure (a bug in the run)
is this document's failed result, not stored, with the error's code.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.commands import prepare_prefect
from pipeline.errors import InfrastructureError
from pipeline.ingest import Incoming
from pipeline.models import NoticeResult
from pipeline.process import PipelineContext, guarded
from pipeline.settings import Settings
from pipeline.store import Store

if TYPE_CHECKING:
    from prefect.context import SyncClientContext

log = logging.getLogger("noticeflow.orchestration")
PREFECT = str(Path(sys.executable).with_name("prefect"))
HEALTH_POLL_S = 0.25
STOP_GRACE_S = 15.0
DRAIN_S = 5.0


class OrchestrationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTICEFLOW_", frozen=True)

    prefect_ui: bool = False  # NOTICEFLOW_PREFECT_UI: serve Prefect's UI on the server we start
    prefect_ready_s: float = Field(90.0, gt=0)  # NOTICEFLOW_PREFECT_READY_S: how long a start may take


@dataclass(frozen=True)
class PrefectApi:
    """The Prefect API the service's flow runs report to; ``home`` is set when this process started it."""

    url: str
    home: Path | None = None
    ready_s: float = 0.0  # how long the start took (0 for a server someone else runs)


@contextlib.contextmanager
def prefect_api(settings: Settings, service: str) -> Iterator[PrefectApi]:
    """The configured Prefect server, or one started for ``service`` (see the module docstring)."""
    prepare_prefect(settings)
    # Prefect configures logging when ``prefect.main`` is first imported: now, before the service sets up
    # its own; at the first flow run it would silence those handlers (uvicorn's access log, say).
    import prefect.main  # noqa: F401

    given = os.environ.get("PREFECT_API_URL")
    if given:
        if not _is_healthy(given):
            raise InfrastructureError(f"the Prefect server at PREFECT_API_URL={given} does not answer")
        yield PrefectApi(given)
        return
    home = settings.home / "prefect" / f"server-{service}"
    options = OrchestrationSettings()
    started = time.monotonic()
    url, server = _start_server(home, options)
    try:
        with _terminated_as_exit():
            _wait_until_healthy(url, server, home / "server.log", options.prefect_ready_s)
            (home / "api_url").write_text(url + "\n")
            with _pointed_at(url):
                yield PrefectApi(url, home, round(time.monotonic() - started, 2))
    finally:
        _stop(server)
        (home / "api_url").unlink(missing_ok=True)


def run_document(incoming: Incoming, context: PipelineContext, store: Store) -> NoticeResult:
    """``incoming`` through the ingest service as one ``ingest_document`` flow run (module docstring)."""
    from flows.ingest import ingest_document, running_here  # Prefect loads when a service first needs it

    def read(path: Path, context: PipelineContext, source: str | None) -> NoticeResult:
        with _thread_client(), running_here(context, store):
            return ingest_document(
                path, context.as_of, source=source, tenant=incoming.tenant, channel=incoming.channel
            )

    return guarded(read, incoming.path, context, incoming.name)


_clients = threading.local()


def _thread_client() -> SyncClientContext:
    """This thread's Prefect client for the current API, opened once and held open between flow runs (each
    run enters and leaves its context). A client per run costs a TLS context and a CSRF-token request."""
    from prefect.context import SyncClientContext
    from prefect.settings import PREFECT_API_URL

    held: dict[str, SyncClientContext] = _clients.__dict__.setdefault("by_api", {})
    url = str(PREFECT_API_URL.value())
    if url not in held:
        held[url] = SyncClientContext()
        held[url].client.__enter__()  # one more hold than the runs' enters: never closed by a run's exit
    return held[url]


# ---- the server process -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _terminated_as_exit() -> Iterator[None]:
    """SIGTERM ends this process through Python's exit (``SystemExit``), so the server it started is stopped
    too. By default the process would end at once and leave the server running (uvicorn, once shut down,
    sends itself the SIGTERM it caught). Only the main thread can set a handler; elsewhere, as it was."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def exit_now(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    before = signal.signal(signal.SIGTERM, exit_now)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _start_server(home: Path, options: OrchestrationSettings) -> tuple[str, subprocess.Popen[bytes]]:
    """``prefect server start`` on a free loopback port, in its own session (stopped with its children)."""
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env = {
        **clean, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": str(options.prefect_ui).lower(),
    }  # fmt: skip
    command = [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with (home / "server.log").open("ab") as sink:
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    return f"http://127.0.0.1:{port}/api", server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _is_healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log_file: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not _is_healthy(url):
        if server.poll() is not None or time.monotonic() > deadline:
            why = (
                f"exited with {server.returncode}"
                if server.poll() is not None
                else f"not up in {timeout_s:g} s"
            )
            tail = "\n".join(log_file.read_text(errors="replace").splitlines()[-20:])
            raise InfrastructureError(f"the Prefect server (prefect server start) {why}; {log_file}:\n{tail}")
        time.sleep(HEALTH_POLL_S)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group; SIGKILL to what is left after ``STOP_GRACE_S``."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=STOP_GRACE_S)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=STOP_GRACE_S)


@contextlib.contextmanager
def _pointed_at(url: str) -> Iterator[None]:
    """This process's Prefect client, in every thread, at ``url`` and without heartbeats; restored on exit.

    Prefect reads its settings once, at import: the environment is set and its global settings rebuilt."""
    import prefect.context
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY

    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    prefect.context.refresh_global_settings_context()
    root = prefect.context.GLOBAL_SETTINGS_CONTEXT
    quiet = root.settings.copy_with_update(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})
    prefect.context.GLOBAL_SETTINGS_CONTEXT = root.model_copy(update={"settings": quiet})
    try:
        yield
    finally:
        _drain()
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before
        prefect.context.refresh_global_settings_context()


def _drain() -> None:
    """Send the logs and events still queued (task run states are events) while the server is up."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=DRAIN_S)
    EventsWorker.drain_all(timeout=DRAIN_S)
