"""One scanned stack through every entry point: ``noticeflow ingest``, ``noticeflow watch`` and
``noticeflow serve`` (real processes, a loopback server) give the same notices, each stored once, and
sending the stack again through any of them stores nothing twice. A text-layer stack: no OCR."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipeline.store import open_store
from tests.servers import running_server
from tests.stacks import notices, write_stack

pytestmark = pytest.mark.slow  # a long file: an xdist worker takes it first (tests/conftest.py)
ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28"
SERVE = "import flows.serve_cli; from flows.cli import main; main()"


def _env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("NOTICEFLOW_")}
    return {**env, "NOTICEFLOW_HOME": str(home)}


def _cli(stack: Path, home: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "flows.cli", "ingest", str(stack), "--json", "--as-of", AS_OF]
    done = subprocess.run(command, cwd=ROOT, env=_env(home), capture_output=True, check=True, timeout=120)
    (line,) = done.stdout.decode().splitlines()  # one JSON line for the one document sent
    return dict(json.loads(line))


def _watch(stack: Path, home: Path) -> dict[str, Any]:
    root = home / "watch"
    (root / "inbox").mkdir(parents=True, exist_ok=True)
    (root / "inbox" / stack.name).write_bytes(stack.read_bytes())
    command = [sys.executable, "-m", "flows.cli", "watch", "--no-orchestrate", str(root), "--once",
               "--settle", "0.2", "--as-of", AS_OF]  # fmt: skip
    subprocess.run(command, cwd=ROOT, env=_env(home), capture_output=True, check=True, timeout=120)
    assert not any((root / "inbox").iterdir())
    moved = sorted((root / "processed").glob("stack*.pdf"))
    return dict(json.loads(moved[-1].with_name(moved[-1].name + ".json").read_text()))


@contextmanager
def _server(home: Path) -> Iterator[httpx.Client]:
    command = [sys.executable, "-c", SERVE, "serve", "--no-orchestrate", "--port", "{port}"]
    home.mkdir(parents=True, exist_ok=True)
    with (
        running_server(command, _env(home), home / "server.log") as base,
        httpx.Client(base_url=base, timeout=120) as client,
    ):
        yield client


def _upload(client: httpx.Client, stack: Path) -> httpx.Response:
    files = {"file": (stack.name, stack.read_bytes())}
    return client.post("/v1/notices", params={"as_of": AS_OF}, files=files)


def _notices(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What must be the same from every entry point: each notice's id, pages, status and values."""
    return [
        (child["document_id"], tuple(child["page_range"]), child["status"],
         {name: field["value"] for name, field in child["fields"].items()})
        for child in result["children"]
    ]  # fmt: skip


def test_one_stack_through_the_cli_the_watcher_and_the_api(tmp_path: Path) -> None:
    stack = tmp_path / "stack.pdf"
    truth = write_stack(stack, notices(3, seed=21, pages=(1, 3)))
    homes = {name: tmp_path / name for name in ("cli", "watch", "api")}

    from_cli = _cli(stack, homes["cli"])
    from_watch = _watch(stack, homes["watch"])
    with _server(homes["api"]) as api:
        created = _upload(api, stack)
        assert created.status_code == 201, created.text
        from_api = created.json()
        again = [_upload(api, stack)]
        again_cli = _cli(stack, homes["api"])
        again_watch = _watch(stack, homes["api"])
        fetched = api.get(f"/v1/notices/{from_api['children'][1]['document_id']}").json()
        queue = api.get("/v1/notices", params={"limit": 50}).json()["items"]

    assert [n[1] for n in _notices(from_cli)] == [(first, last) for first, last, _ in truth]
    assert _notices(from_cli) == _notices(from_watch) == _notices(from_api)
    assert again[0].status_code == 200
    for duplicate in (again[0].json(), again_cli, again_watch):
        assert duplicate["status"] == "duplicate" and _notices(duplicate) == _notices(from_api)
    assert (
        fetched["parent_id"] == from_api["document_id"]
        and fetched["page_range"] == from_api["children"][1]["page_range"]
    )
    assert sorted(item["document_id"] for item in queue) == sorted(n[0] for n in _notices(from_api))
    store = open_store(f"sqlite:///{homes['api'] / 'noticeflow.db'}")
    for notice_id, *_ in _notices(from_api):
        assert [entry.action for entry in store.audit_log(notice_id)] == ["ingested"]
    assert [entry.action for entry in store.audit_log(from_api["document_id"])] == ["ingested"]
    kept = sorted(p.name for p in (homes["api"] / "documents").iterdir())  # the original and its pages, once
    assert kept == [from_api["document_id"], f"{from_api['document_id']}.pages.json"]
    store.close()
