"""Scale-out: ``ingest_document`` as a deployment on a Prefect work pool, run by process workers anywhere.

``register_deployment(pool) -> str`` creates the ``process`` work pool if it is missing and deploys
``flows/ingest.py:ingest_document`` from this checkout as ``ingest-document/noticeflow-ingest``.
``submit_document(path, as_of, profiles_file, deployment) -> NoticeResult`` submits one flow run to the pool,
waits (bounded) for it to finish and returns the result the flow stored, read back from the shared store by
the document's sha256; ``submit_documents`` does the same for many documents at once, one flow run each.
The watcher and the API call these instead of ``process_document`` when a deployment is configured
(``NOTICEFLOW_DEPLOYMENT``); ``noticeflow pool register`` and ``noticeflow pool submit PATH...`` are the CLI.

What every worker machine must share with the submitter:
- the Prefect server: ``PREFECT_API_URL`` (workers poll the pool, submitters create runs);
- the file paths: documents are passed by absolute path, never by content, so the inbox lives on shared
  storage mounted at the same path everywhere; the code too, since runs start in this checkout's folder;
- the store: the same ``NOTICEFLOW_DB_URL`` (PostgreSQL; a SQLite file only when all are on one machine).

Like ``process_document``, a submission never raises for a document: it gives a ``duplicate`` result for
bytes already stored (nothing is submitted), and a ``failed`` result with code "infrastructure" when a run
crashes, fails, or does not finish in time (such a run is cancelled, so a retry is the only copy). It raises
``ConfigurationError`` when there is no Prefect server to submit to, when the pool is not a process pool,
or when a run completed but its result is not in the store (workers see other paths or another store), and
``InfrastructureError`` when the Prefect server does not answer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer

from flows.commands import app, open_configured_store, parse_as_of, prepare_prefect
from pipeline.errors import ConfigurationError, InfrastructureError
from pipeline.ingest import as_duplicate, stored_duplicate
from pipeline.load import hash_file, unreadable_file
from pipeline.models import NoticeResult, Status
from pipeline.process import failed_result
from pipeline.settings import Settings
from pipeline.store import DEFAULT_TENANT, Store

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.objects import FlowRun

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = "flows/ingest.py:ingest_document"
DEPLOYMENT_NAME = "noticeflow-ingest"
DEPLOYMENT = f"ingest-document/{DEPLOYMENT_NAME}"
DEFAULT_POOL = "noticeflow"
SUBMIT_TIMEOUT_S = 600.0  # one notice takes seconds; this bounds a queue with no worker polling it
POLL_S = 1.0

pool_app = typer.Typer(help="Run ingestion on a Prefect work pool (scale-out).", no_args_is_help=True)
app.add_typer(pool_app, name="pool")


def _require_prefect_server() -> None:
    """Without ``PREFECT_API_URL`` Prefect would start a private in-process server no worker polls."""
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise ConfigurationError(
            "no Prefect server to submit to: set PREFECT_API_URL (e.g. http://prefect-host:4200/api) to the "
            "server the workers poll"
        )


# ---- the deployment ---------------------------------------------------------------------------------------


def ensure_process_pool(pool: str) -> None:
    """Create the ``process`` work pool ``pool`` unless it exists; an existing pool must be a process pool."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            existing = client.read_work_pool(pool)
        except ObjectNotFound:
            template = ProcessWorker.get_default_base_job_template()
            with contextlib.suppress(ObjectAlreadyExists):  # created by another process meanwhile
                client.create_work_pool(WorkPoolCreate(name=pool, type="process", base_job_template=template))
            return
    if existing.type != "process":
        raise ConfigurationError(f"work pool {pool!r} has type {existing.type!r}; noticeflow needs 'process'")


def register_deployment(pool: str) -> str:
    """Deploy ``ingest_document`` from this checkout to the process pool ``pool``; returns its full name.

    Runs start in this checkout's folder (a ``set_working_directory`` pull step), so every worker machine
    needs the project at the same path, installed in the environment the worker runs in."""
    from prefect import flow

    _require_prefect_server()
    ensure_process_pool(pool)
    ingest = flow.from_source(source=str(PROJECT_ROOT), entrypoint=ENTRYPOINT)
    deployment = ingest.to_deployment(
        name=DEPLOYMENT_NAME,
        work_pool_name=pool,
        description="One notice: loaded, read, analyzed and stored (noticeflow).",
        tags=["noticeflow"],
    )
    deployment.apply(work_pool_name=pool)
    return f"{ingest.name}/{DEPLOYMENT_NAME}"


# ---- submitting -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolRequest:
    """What every flow run of one submission shares."""

    deployment: str
    as_of: dt.date
    profiles_file: Path | None
    settings: Settings
    tenant: str = DEFAULT_TENANT
    timeout_s: float = SUBMIT_TIMEOUT_S
    stored_profiles: bool = False  # the run matches the tenant's profiles kept in the store

    def parameters(self, path: Path, source: str | None) -> dict[str, str | bool | None]:
        """The flow run's parameters. ``source``, ``tenant`` and ``stored_profiles`` are sent only when
        asked for: ``ingest_document`` has to take them first (the watcher and the API need them)."""
        profiles = str(self.profiles_file.resolve()) if self.profiles_file else None
        parameters: dict[str, str | bool | None] = {
            "path": str(path), "as_of": self.as_of.isoformat(), "profiles_file": profiles
        }  # fmt: skip
        if source is not None:
            parameters["source"] = source
        if self.tenant != DEFAULT_TENANT:
            parameters["tenant"] = self.tenant
        if self.stored_profiles:
            parameters["stored_profiles"] = True
        return parameters


@dataclass(frozen=True)
class Submission:
    """One document handed to the pool: where it is, its id, and the flow run that reads it."""

    path: Path
    document_id: str
    source: str | None = None
    flow_run_id: UUID | None = None

    @property
    def shown_source(self) -> str:
        return self.source or str(self.path)


def submit_document(
    path: Path,
    as_of: dt.date,
    profiles_file: Path | None,
    deployment: str,
    *,
    settings: Settings | None = None,
    timeout_s: float = SUBMIT_TIMEOUT_S,
    source: str | None = None,
    tenant: str = DEFAULT_TENANT,
    stored_profiles: bool = False,
) -> NoticeResult:
    """One document as a flow run on the pool; the result the flow stored (see the module docstring).
    ``source`` names the document in its result (default: its path)."""
    request = PoolRequest(
        deployment, as_of, profiles_file, settings or Settings(), tenant, timeout_s, stored_profiles
    )
    (result,) = submit_to_pool([path], request, [source])
    return result


def submit_documents(
    paths: list[Path],
    as_of: dt.date,
    profiles_file: Path | None,
    deployment: str,
    *,
    settings: Settings | None = None,
    timeout_s: float = SUBMIT_TIMEOUT_S,
    tenant: str = DEFAULT_TENANT,
) -> list[NoticeResult]:
    """One flow run per new document, all submitted before any is waited for; results in input order."""
    request = PoolRequest(deployment, as_of, profiles_file, settings or Settings(), tenant, timeout_s)
    return submit_to_pool(paths, request, [None] * len(paths))


def submit_to_pool(paths: list[Path], request: PoolRequest, sources: list[str | None]) -> list[NoticeResult]:
    """Each path's result, in order: a duplicate for bytes already stored (or earlier in ``paths``), else
    the stored result of its own flow run. ``sources`` name the documents in results (None: the path)."""
    store = open_configured_store(request.settings)
    results: dict[int, NoticeResult] = {}
    new: dict[int, Submission] = {}  # the first copy of each document not stored yet
    first: dict[str, int] = {}
    copies: dict[int, int] = {}  # the same bytes again in this batch -> the index of the first copy
    for index, (path, source) in enumerate(zip(paths, sources, strict=True)):
        path = path.resolve()  # runs start elsewhere: absolute paths, the same on every machine
        try:
            document_id = hash_file(path)
        except OSError as error:
            results[index] = failed_result(path, source or str(path), unreadable_file(path, error), {})
            continue
        if document_id in first:
            copies[index] = first[document_id]
        elif (known := stored_duplicate(store, document_id, request.tenant)) is not None:
            results[index] = known
        else:
            first[document_id] = index
            new[index] = Submission(path, document_id, source)
    if new:
        import httpx  # not at the top: every CLI command imports this module

        try:
            results |= _collect(_submit(new, request), store, request)
        except httpx.HTTPError as error:  # Prefect's client has retried already
            raise InfrastructureError(
                f"the Prefect server (PREFECT_API_URL) did not answer: {error}"
            ) from error
    for index, original in copies.items():
        copied = results[original]
        results[index] = copied if copied.status is Status.FAILED else as_duplicate(copied)
    return [results[index] for index in range(len(paths))]


def _submit(documents: dict[int, Submission], request: PoolRequest) -> dict[int, Submission]:
    """Create every run before waiting for any (``timeout=0``: create it and return)."""
    prepare_prefect(request.settings)
    from prefect.deployments import run_deployment
    from prefect.exceptions import ObjectNotFound

    _require_prefect_server()
    submitted = {}
    for index, document in documents.items():
        parameters = request.parameters(document.path, document.source)
        try:
            run = run_deployment(request.deployment, parameters=parameters, timeout=0, as_subflow=False)
        except ObjectNotFound:
            raise ConfigurationError(
                f"no deployment {request.deployment!r} on the Prefect server: run `noticeflow pool register`"
            ) from None
        submitted[index] = replace(document, flow_run_id=run.id)
    return submitted


def _collect(
    submissions: dict[int, Submission], store: Store, request: PoolRequest
) -> dict[int, NoticeResult]:
    """Wait (at most the request's timeout) for every run; each document's stored result, or why none."""
    from prefect import get_client

    run_ids = [s.flow_run_id for s in submissions.values() if s.flow_run_id is not None]
    with get_client(sync_client=True) as client:
        finished = _wait_for_runs(client, run_ids, request.timeout_s)
        for run_id in set(run_ids) - set(finished):
            _cancel(client, run_id)
    results, missing = {}, []
    for index, submission in submissions.items():
        run = finished.get(submission.flow_run_id) if submission.flow_run_id else None
        if run is None or run.state is None or not run.state.is_completed():
            results[index] = _run_failure(submission, run, request.timeout_s)
        elif (stored := store.get_result(submission.document_id, request.tenant)) is not None:
            results[index] = stored
        else:
            missing.append(submission)
    if missing:
        raise _not_in_store(missing, request.settings)
    return results


def _wait_for_runs(client: SyncPrefectClient, run_ids: list[UUID], timeout_s: float) -> dict[UUID, FlowRun]:
    """The runs that reached a final state (completed, failed, crashed, cancelled) within ``timeout_s``."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + timeout_s
    waiting, finished = set(run_ids), {}
    while waiting:
        query = FlowRunFilter(id=FlowRunFilterId(any_=sorted(waiting)))
        for run in client.read_flow_runs(flow_run_filter=query, limit=len(waiting)):
            if run.state is not None and run.state.is_final():
                finished[run.id] = run
                waiting.discard(run.id)
        if not waiting or time.monotonic() >= deadline:
            break
        time.sleep(POLL_S)
    return finished


def _cancel(client: SyncPrefectClient, flow_run_id: UUID) -> None:
    """Stop a run we no longer wait for: a queued one is cancelled, a started one is asked to stop."""
    from prefect.states import Cancelled, Cancelling

    run = client.read_flow_run(flow_run_id)
    queued = run.state is not None and (run.state.is_scheduled() or run.state.is_paused())
    client.set_flow_run_state(flow_run_id, Cancelled() if queued else Cancelling(), force=True)


def _run_failure(submission: Submission, run: FlowRun | None, timeout_s: float) -> NoticeResult:
    if run is None:
        why = f"did not finish within {timeout_s:g} s (is a worker polling the pool?); it was cancelled"
    else:
        why = f"ended {run.state.name}: {run.state.message or 'no message'}" if run.state else "ended"
    error = InfrastructureError(f"flow run {submission.flow_run_id} for {submission.path.name} {why}")
    return failed_result(submission.path, submission.shown_source, error, {})


def _not_in_store(missing: list[Submission], settings: Settings) -> ConfigurationError:
    from sqlalchemy import make_url

    url = make_url(settings.database_url).render_as_string(hide_password=True)
    runs = ", ".join(str(s.flow_run_id) for s in missing[:3])
    return ConfigurationError(
        f"{len(missing)} flow run(s) completed but left no result in the store at {url} (e.g. {runs}): "
        "the workers must see the documents at the same paths (shared storage) and use the same "
        "NOTICEFLOW_DB_URL as this process"
    )


# ---- commands ---------------------------------------------------------------------------------------------


@pool_app.command("register")
def register_command(
    pool: Annotated[
        str, typer.Option(envvar="NOTICEFLOW_WORK_POOL", help="The process work pool the workers poll.")
    ] = DEFAULT_POOL,
) -> None:
    """Create the work pool (if missing) and deploy ingest_document to it; prints the deployment name."""
    prepare_prefect(Settings())
    typer.echo(register_deployment(pool))


@pool_app.command("submit")
def submit_command(
    paths: Annotated[list[Path], typer.Argument(help="Notice files or folders, at paths the workers see.")],
    deployment: Annotated[
        str, typer.Option(envvar="NOTICEFLOW_DEPLOYMENT", help="The deployment `pool register` printed.")
    ] = DEPLOYMENT,
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON result per document per line.")] = (
        False
    ),
    profiles: Annotated[Path | None, typer.Option(help="Profiles file at a path the workers see.")] = None,
    as_of: Annotated[str | None, typer.Option(help="Today's date for deadlines, YYYY-MM-DD.")] = None,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds to wait for the runs.")] = SUBMIT_TIMEOUT_S,
) -> None:
    """Submit each document as a flow run to the pool, wait for all, print their stored results."""
    from flows.cli import collect_documents, print_table

    documents = collect_documents(paths)
    if not documents:
        raise typer.BadParameter("no documents found", param_hint="PATH")
    results = submit_documents(documents, parse_as_of(as_of), profiles, deployment, timeout_s=timeout)
    if json_lines:
        for result in results:
            typer.echo(result.model_dump_json())
    else:
        print_table(results)
    raise typer.Exit(1 if any(r.status is Status.FAILED for r in results) else 0)
