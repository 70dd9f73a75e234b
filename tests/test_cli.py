"""The CLI contract of DESIGN.md: JSON Lines on stdout, logs on stderr, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import _COMMAND_MODULES, register_commands
from flows.commands import app

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "fixtures" / "samples" / "notice_0006.pdf"  # born-digital: no OCR, fast
FAULT = ROOT / "fixtures" / "faults" / "encrypted.pdf"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own NOTICEFLOW_HOME, so its store starts empty."""
    monkeypatch.setenv("NOTICEFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NOTICEFLOW_DB_URL", raising=False)
    return tmp_path / "home"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "flows.cli", "ingest", *args]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, timeout=120, env=os.environ.copy()
    )


def test_json_lines_one_object_per_document_and_exit_0() -> None:
    done = run(str(SAMPLE), "--json", "--as-of", "2026-11-28")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["status"] == "processed" and result["fields"]["notice_number"]["value"] == "CP90"
    assert set(result) >= {
        "document_id",
        "source",
        "status",
        "review_reasons",
        "pages",
        "notice_type",
        "fields",
        "profile_id",
        "validation",
        "triage",
        "scam",
        "error",
        "timings",
    }


def test_a_failed_document_still_gets_its_line_and_exit_1() -> None:
    done = run(str(SAMPLE), str(FAULT), "--json", "--as-of", "2026-11-28")
    assert done.returncode == 1
    statuses = [json.loads(line)["status"] for line in done.stdout.splitlines()]
    assert statuses == ["processed", "failed"]
    assert json.loads(done.stdout.splitlines()[1])["error"]["code"] == "encrypted_pdf"


def test_bad_usage_exits_2() -> None:
    assert run(str(SAMPLE), "--as-of", "yesterday").returncode == 2
    assert run().returncode == 2


def test_bad_profiles_file_exits_2(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles.json"
    profiles.write_text('[{"id": 1}]')
    done = run(str(SAMPLE), "--profiles", str(profiles))
    assert done.returncode == 2
    assert "bad_profiles" in done.stderr


def test_table_without_json() -> None:
    done = run(str(SAMPLE), "--as-of", "2026-11-28")
    assert done.returncode == 0
    assert "CP90" in done.stdout and "processed" in done.stdout


def test_same_bytes_again_are_a_duplicate_of_the_stored_result(home: Path) -> None:
    first = json.loads(run(str(SAMPLE), "--json", "--as-of", "2026-11-28").stdout)
    again = json.loads(run(str(SAMPLE), "--json", "--as-of", "2026-11-28").stdout)
    assert again["status"] == "duplicate" and again["document_id"] == first["document_id"]
    assert again["fields"] == first["fields"]
    assert (home / "noticeflow.db").exists()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["ingest", "a.pdf"], set(), id="ingest-loads-no-other-command"),
        pytest.param(["review", "list"], {"flows.review_cli"}, id="review"),
        pytest.param(
            ["--help"],
            {
                "flows.review_cli",
                "flows.deploy",
                "flows.pool",
                "flows.serve_cli",
                "flows.mail",
                "flows.mailbox",
                "flows.digest",
            },
            id="help",
        ),
    ],
)
def test_only_the_called_commands_module_is_imported(argv: list[str], expected: set[str]) -> None:
    """``ingest`` starts reading pages before FastAPI, the review code or SQLAlchemy are loaded."""
    probe = (
        "import json, sys, flows.cli; flows.cli.register_commands(json.loads(sys.argv[1])); "
        "watched = ('flows.', 'sqlalchemy', 'fastapi'); "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(watched))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(argv)], capture_output=True, text=True, cwd=ROOT
    )
    loaded = set(json.loads(done.stdout))
    always = {"flows.cli", "flows.commands"}
    assert {m for m in loaded if m.startswith("flows.")} - always == expected
    if not expected:
        assert not any(m.startswith(("sqlalchemy", "fastapi")) for m in loaded)


def test_orchestrated_ingest_runs_as_prefect_flows_with_the_same_result() -> None:
    """``--orchestrate`` (Prefect's temporary server, no heartbeats) gives what in-process gives."""
    flows = run(str(SAMPLE), "--json", "--as-of", "2026-11-28", "--orchestrate")
    assert flows.returncode == 0, flows.stderr
    orchestrated = json.loads(flows.stdout)
    assert "Finished in state Completed()" in flows.stderr  # Prefect's own log of the flow runs
    plain = json.loads(run(str(SAMPLE), "--json", "--as-of", "2026-11-28").stdout)
    assert plain["status"] == "duplicate"  # the flow stored it
    assert {k: v["value"] for k, v in plain["fields"].items()} == {
        k: v["value"] for k, v in orchestrated["fields"].items()
    }


def test_every_command_is_imported_from_the_module_that_defines_it() -> None:
    """``_COMMAND_MODULES`` names, for each command, the module that registers it: a command missing there
    or pointed at the wrong module would load every module, or none, before it runs."""
    register_commands([])
    defined_in = {command.name or command.callback.__name__: command.callback.__module__  # type: ignore[union-attr]
                  for command in app.registered_commands}  # fmt: skip
    for group in app.registered_groups:
        first = group.typer_instance.registered_commands[0]  # type: ignore[union-attr]
        defined_in[str(group.name)] = first.callback.__module__  # type: ignore[union-attr]
    assert defined_in.pop("ingest") == "flows.cli"
    assert defined_in == _COMMAND_MODULES
