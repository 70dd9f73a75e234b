"""The CLI contract of DESIGN.md: JSON Lines on stdout, logs on stderr, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "fixtures" / "samples" / "notice_0006.pdf"  # born-digital: no OCR, fast
FAULT = ROOT / "fixtures" / "faults" / "encrypted.pdf"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "ingest", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
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
