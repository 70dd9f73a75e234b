"""The CLI contract of DESIGN.md: JSON Lines on stdout, logs on stderr, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from flows.cli import _COMMAND_MODULES, register_commands, report_error
from flows.commands import app
from pipeline.errors import StoreUnavailable

pytestmark = pytest.mark.slow  # a long file: an xdist worker takes it first (tests/conftest.py)
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
        pytest.param(["cases", "list"], {"flows.cases_cli"}, id="cases"),
        pytest.param(
            ["--help"],
            {
                "flows.review_cli",
                "flows.cases_cli",
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


# ---- issue 14: every error coded, every document answered, options said -----------------------------------

OTHER = ROOT / "fixtures" / "samples" / "notice_0011.pdf"  # born-digital too


def test_an_unusable_home_is_one_coded_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    homes = [tmp_path / "a-file" / "home"]  # cannot be created, even by root
    if os.geteuid() != 0:  # root writes into a read-only folder anyway
        read_only = tmp_path / "read-only"
        read_only.mkdir(mode=0o555)
        homes.append(read_only)
    for home in homes:
        monkeypatch.setenv("NOTICEFLOW_HOME", str(home))
        done = run(str(SAMPLE), "--json")
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.startswith("error [home_unusable]: NOTICEFLOW_HOME"), done.stderr
        assert "Traceback" not in done.stderr


def test_a_missing_path_is_file_not_found_not_a_corrupt_file(tmp_path: Path) -> None:
    done = run(str(SAMPLE), str(tmp_path / "nowhere.pdf"), "--json", "--as-of", "2026-11-28")
    assert done.returncode == 1
    missing = json.loads(done.stdout.splitlines()[1])
    assert (missing["status"], missing["error"]["code"]) == ("failed", "file_not_found")


def test_bad_usage_prints_one_coded_line_and_exits_2() -> None:
    done = run(str(SAMPLE), "--as-of", "yesterday")
    assert (done.returncode, done.stdout) == (2, "")
    assert (
        done.stderr.strip()
        == "error [bad_usage]: Invalid value for --as-of: 'yesterday' is not a date like 2024-06-10"
    )


def test_a_store_that_fails_mid_batch_still_gives_every_document_its_line(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the SQLite write lock: the stored document still answers (a read), the new one
    ends failed with the store's code after every attempt, and the batch prints both lines."""
    from typer.testing import CliRunner

    from pipeline import ingest, store

    assert run(str(SAMPLE), "--json", "--as-of", "2026-11-28").returncode == 0
    monkeypatch.setattr(store, "SQLITE_BUSY_TIMEOUT_MS", 50)  # each attempt waits 50 ms, not 30 s
    monkeypatch.setattr(ingest.time, "sleep", lambda seconds: None)  # the retry pauses, not their number
    other_process = sqlite3.connect(home / "noticeflow.db", isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")
    try:
        done = CliRunner().invoke(
            app, ["ingest", str(SAMPLE), str(OTHER), "--json", "--as-of", "2026-11-28", "--workers", "1"]
        )
    finally:
        other_process.close()
    assert done.exit_code == 1, done.output
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["status"] for line in lines] == ["duplicate", "failed"]
    assert lines[1]["error"]["code"] == "store_unavailable" and lines[1]["error"]["retryable"]
    assert lines[1]["document_id"] and lines[1]["source"] == str(OTHER)


def test_a_store_that_cannot_be_opened_fails_each_document_with_its_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "NOTICEFLOW_DB_URL", "postgresql+psycopg://noticeflow:x@127.0.0.1:9/none"
    )  # no one on 9
    done = run(str(SAMPLE), str(OTHER), "--json")
    assert done.returncode == 1
    codes = [json.loads(line)["error"]["code"] for line in done.stdout.splitlines()]
    assert codes == ["store_unavailable", "store_unavailable"]


def test_new_options_on_a_stored_document_are_said_and_reprocess_applies_them(home: Path) -> None:
    first = json.loads(run(str(SAMPLE), "--json", "--as-of", "2024-01-01").stdout)
    assert first["status"] == "needs_review"  # dated after that "today"
    again = json.loads(run(str(SAMPLE), "--json", "--as-of", "2026-11-28").stdout)
    assert again["status"] == "duplicate" and again["review_reasons"] == first["review_reasons"]
    assert len(again["notes"]) == 1 and "--as-of not applied" in again["notes"][0]
    assert "--as-of not applied" in run(str(SAMPLE), "--as-of", "2026-11-28").stdout  # the table says it too

    read_again = json.loads(run(str(SAMPLE), "--json", "--as-of", "2026-11-28", "--reprocess").stdout)
    assert read_again["status"] == "processed" and "notes" not in read_again
    from pipeline.store import open_store

    store = open_store(f"sqlite:///{home / 'noticeflow.db'}")
    assert [r.status.value for r in store.history(first["document_id"])] == ["needs_review", "processed"]
    assert store.result(first["document_id"]).status.value == "processed"
    store.close()
    assert "notes" not in json.loads(run(str(SAMPLE), "--json").stdout)  # no reading option given


def test_ingest_matches_the_stored_profiles_when_no_profiles_file_is_given(tmp_path: Path) -> None:
    address = {"street": "8075 Meadowlark St", "city": "Savannah", "state": "GA", "zip": "31401"}
    profile = {"id": "client-dunmore", "name": "Mark Dunmore", "ssn_last4": "7917", "address": address}
    (tmp_path / "profiles.json").write_text(json.dumps([profile]))
    imported = subprocess.run(
        [sys.executable, "-m", "flows.cli", "profiles", "import", str(tmp_path / "profiles.json")],
        capture_output=True, text=True, cwd=ROOT, timeout=120, env=os.environ.copy(),
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    result = json.loads(run(str(SAMPLE), "--json", "--as-of", "2026-11-28").stdout)
    assert result["profile_id"] == "client-dunmore"
    assert {check["name"]: check["status"] for check in result["validation"]["checks"]}["ssn_last4"] == "pass"


@pytest.mark.parametrize(
    ("error", "line", "exit_code"),
    [
        pytest.param(
            StoreUnavailable("the store is locked"),
            "error [store_unavailable]: the store is locked",
            1,
            id="coded",
        ),
        pytest.param(
            RuntimeError("boom at SSN 287-65-5364"),
            "error [internal_error]: unexpected RuntimeError: boom at SSN XXX-XX-5364",
            1,
            id="a-bug",
        ),
        pytest.param(
            typer.BadParameter("no documents found"),
            "error [bad_usage]: Invalid value: no documents found",
            2,
            id="usage",
        ),  # fmt: skip
    ],
)
def test_every_error_is_one_coded_line_with_its_exit_code(
    error: Exception, line: str, exit_code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report_error(error) == exit_code
    assert capsys.readouterr().err == line + "\n"
