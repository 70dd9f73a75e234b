"""A document run through flows.orchestration is a Prefect flow run on a real server, with the right result.

One Prefect server for the module, started by ``prefect_api`` the way ``serve`` and ``watch`` start theirs
(``prefect server start`` on a free loopback port, its own PREFECT_HOME under a fresh NOTICEFLOW_HOME),
about 10–30 s; the documents are born-digital PDFs (no tesseract). Select with ``-m orchestration``.
Checked: the run of a notice is COMPLETED in the server (read back with Prefect's client, and listed by
``prefect flow-run ls``), its load and store task runs completed too, and its result is the one the
in-process pipeline gives, stored once with the channel; the same bytes again are a duplicate; a file that
is no document ends ``failed`` with its code, its run completed (a bad document is an answer, not a crash).
``noticeflow serve`` and the scheduled inbox sweep run each document as such a flow run by default.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from flows.orchestration import PREFECT, PrefectApi, prefect_api, run_document
from pipeline.ingest import Incoming
from pipeline.models import Channel, NoticeResult, Status
from pipeline.process import PipelineContext, process_document
from pipeline.profiles import load_profiles
from pipeline.settings import Settings
from pipeline.store import open_store
from tests.servers import running_server

pytestmark = pytest.mark.orchestration

SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"
AS_OF = dt.date(2026, 11, 28)  # after every sample's notice date (as in test_golden)
TENANT = "acme"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectApi]:
    home = tmp_path_factory.mktemp("orchestration-home")
    with pytest.MonkeyPatch.context() as env:
        for name in [n for n in os.environ if n.startswith("PREFECT_") or n.startswith("NOTICEFLOW_")]:
            env.delenv(name)
        env.setenv("NOTICEFLOW_HOME", str(home))
        store = open_store(Settings().database_url)
        for profile in load_profiles(SAMPLES / "profiles.json"):
            store.put_profile(profile, TENANT)
        store.close()
        with prefect_api(Settings(), "test") as api:
            yield api


@pytest.fixture
def context(server: PrefectApi) -> PipelineContext:
    return PipelineContext.default(AS_OF, Settings(), tuple(load_profiles(SAMPLES / "profiles.json")))


def _flow_runs(name: str) -> list[object]:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    with get_client(sync_client=True) as client:
        return list(client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name]))))


def _task_runs(flow_run_id: object) -> dict[str, str]:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return {run.name.split(" ")[0]: run.state_type.value for run in runs if run.state_type}


def _without_run_facts(result: NoticeResult) -> dict[str, object]:
    return result.model_dump(mode="json", exclude={"timings", "channel"})


def test_a_notice_is_a_completed_flow_run_with_the_in_process_result(
    server: PrefectApi, context: PipelineContext, tmp_path: Path
) -> None:
    notice = tmp_path / "incoming.pdf"
    notice.write_bytes((SAMPLES / "notice_0006.pdf").read_bytes())
    store = open_store(Settings().database_url)
    result = run_document(Incoming(notice, "cp90-dunmore.pdf", Channel.WATCH, TENANT), context, store)

    (run,) = _flow_runs("ingest cp90-dunmore.pdf")
    assert run.state_type is not None and run.state_type.value == "COMPLETED"  # type: ignore[attr-defined]
    assert run.parameters["channel"] == "watch" and run.parameters["tenant"] == TENANT  # type: ignore[attr-defined]
    assert _task_runs(run.id) == {"load": "COMPLETED", "store": "COMPLETED"}  # type: ignore[attr-defined]
    in_process = process_document(notice, context, "cp90-dunmore.pdf")
    assert result.status is Status.PROCESSED and result.profile_id is not None
    assert _without_run_facts(result) == _without_run_facts(in_process)
    assert store.result(result.document_id, TENANT).channel is Channel.WATCH
    cli_env = {**os.environ, "PREFECT_API_URL": server.url, "COLUMNS": "250"}  # a wide table: whole names
    listed = subprocess.run([PREFECT, "flow-run", "ls"], env=cli_env, capture_output=True, text=True,
                            timeout=60, check=True)  # fmt: skip
    assert "ingest cp90-dunmore.pdf" in listed.stdout and "COMPLETED" in listed.stdout

    again = run_document(Incoming(notice, "copy.pdf", Channel.WATCH, TENANT), context, store)
    assert again.status is Status.DUPLICATE and again.document_id == result.document_id
    store.close()


def test_a_file_that_is_no_document_ends_failed_and_its_run_completed(
    context: PipelineContext, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 this is not a PDF at all")
    with contextlib.closing(open_store(Settings().database_url)) as store:
        result = run_document(Incoming(junk, "junk.pdf", Channel.API, TENANT), context, store)

    assert result.status is Status.FAILED and result.error is not None
    assert result.error.code == "corrupt_file" and not result.error.retryable
    (run,) = _flow_runs("ingest junk.pdf")
    assert run.state_type is not None and run.state_type.value == "COMPLETED"  # type: ignore[attr-defined]


def test_an_upload_to_serve_is_a_flow_run(server: PrefectApi, tmp_path: Path) -> None:
    """``noticeflow serve`` (orchestrated by default) on the server PREFECT_API_URL names: the upload's
    result is the answer, its flow run completed with the API's channel, and the access log still logs."""
    env = {**os.environ, "PREFECT_API_URL": server.url, "NOTICEFLOW_HOME": str(tmp_path / "home")}
    serve = [sys.executable, "-c", "import flows.serve_cli; from flows.cli import main; main()"]
    with running_server([*serve, "serve", "--port", "{port}"], env, tmp_path / "serve.log") as url:
        upload = {"file": ("served-cp503.pdf", (SAMPLES / "notice_0011.pdf").read_bytes())}
        when = {"as_of": AS_OF.isoformat()}
        answer = httpx.post(f"{url}/v1/notices", params=when, files=upload, timeout=120)
        httpx.get(f"{url}/healthz")
    assert answer.status_code == 201, answer.text
    assert answer.json()["channel"] == "api" and answer.json()["fields"]["notice_number"]["value"] == "CP503"
    (run,) = _flow_runs("ingest served-cp503.pdf")
    assert run.state_type is not None and run.state_type.value == "COMPLETED"  # type: ignore[attr-defined]
    assert run.parameters["channel"] == "api"  # type: ignore[attr-defined]
    access = [line for line in (tmp_path / "serve.log").read_text().splitlines() if '" 20' in line]
    assert '"POST /v1/notices' in access[-2] and '"GET /healthz' in access[-1]  # outlives the run


def test_the_scheduled_sweep_reads_each_document_as_a_flow_run(server: PrefectApi) -> None:
    from flows.deploy import ScheduleSettings, sweep_inbox

    settings = Settings()
    inbox = settings.home / "watch" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLES / "notice_0017.pdf", inbox / "swept.pdf")
    sweep_inbox(settings.model_copy(update={"watch_tenant": TENANT}), ScheduleSettings())

    assert (settings.home / "watch" / "processed" / "swept.pdf").exists()
    (run,) = _flow_runs("ingest swept.pdf")
    assert run.state_type is not None and run.state_type.value == "COMPLETED"  # type: ignore[attr-defined]
    assert run.parameters["channel"] == "sweep" and run.parameters["tenant"] == TENANT  # type: ignore[attr-defined]


def test_a_terminated_service_stops_the_prefect_server_it_started(tmp_path: Path) -> None:
    """SIGTERM (a service stopped by systemd, a container, ``kill``) stops the server it started as well."""
    service = (
        "import sys, time; from pathlib import Path; from flows.orchestration import prefect_api; "
        "from pipeline.settings import Settings\n"
        "with prefect_api(Settings(home=Path(sys.argv[1])), 'test') as api:\n"
        "    print(api.url, flush=True); time.sleep(600)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NOTICEFLOW_"))}
    with subprocess.Popen([sys.executable, "-c", service, str(tmp_path)], env=env, stdout=subprocess.PIPE,
                          text=True, cwd=Path(__file__).parent.parent) as running:  # fmt: skip
        assert running.stdout is not None
        url = running.stdout.readline().strip()
        assert httpx.get(f"{url}/health", timeout=10).status_code == 200
        running.send_signal(signal.SIGTERM)
        assert running.wait(timeout=60) == 128 + signal.SIGTERM
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/health", timeout=5)
