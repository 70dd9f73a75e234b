"""End to end: ``noticeflow serve`` in a subprocess (uvicorn on a free loopback port, a tmp NOTICEFLOW_HOME,
two tenants' keys), driven over real HTTP with httpx. Born-digital samples only: no tesseract."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, running_server

pytestmark = pytest.mark.slow  # a long file: an xdist worker takes it first (tests/conftest.py)
ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "fixtures" / "samples" / "notice_0006.pdf"  # born-digital CP90: fast, no OCR
ENCRYPTED = ROOT / "fixtures" / "faults" / "encrypted.pdf"
ACME_KEY, BETA_KEY = "acme-e2e-key-0123456789", "beta-e2e-key-0123456789"
LIMIT = 1 << 20
# `serve` registers itself when flows.serve_cli is imported; flows.cli.main is the installed entry point.
SERVE = "import flows.serve_cli; from flows.cli import main; main()"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTICEFLOW_")}
    env |= {
        "NOTICEFLOW_HOME": str(home),
        "NOTICEFLOW_API_KEYS": f"acme:{ACME_KEY},beta:{BETA_KEY}",
        "NOTICEFLOW_MAX_UPLOAD_BYTES": str(LIMIT),
    }
    command = [sys.executable, "-c", SERVE, "serve", "--no-orchestrate", "--port", "{port}"]
    with running_server(command, env, home / "server.log") as base:
        yield base


@pytest.fixture
def acme(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {ACME_KEY}"}, timeout=60) as client:
        yield client


@pytest.fixture
def beta(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, headers={"X-API-Key": BETA_KEY}, timeout=60) as client:
        yield client


def post_file(
    client: httpx.Client,
    content: bytes,
    name: str = "notice.pdf",
    headers: dict[str, str] | None = None,
    **params: str,
) -> httpx.Response:
    return client.post(
        "/v1/notices",
        params={"as_of": "2026-11-28", **params},
        files={"file": (name, content)},
        headers=headers,
    )


def test_upload_get_and_duplicate(acme: httpx.Client) -> None:
    created = post_file(acme, SAMPLE.read_bytes())
    assert created.status_code in (200, 201), created.text  # 200 when another test sent it first
    result = created.json()
    assert result["fields"]["notice_number"]["value"] == "CP90" and result["source"] == "notice.pdf"
    fetched = acme.get(f"/v1/notices/{result['document_id']}")
    assert fetched.status_code == 200 and fetched.json()["fields"] == result["fields"]
    again = post_file(acme, SAMPLE.read_bytes())
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    ids = [item["document_id"] for item in acme.get("/v1/notices", params={"limit": 200}).json()["items"]]
    assert ids.count(result["document_id"]) == 1


def test_tenants_are_isolated(acme: httpx.Client, beta: httpx.Client) -> None:
    document_id = post_file(acme, SAMPLE.read_bytes() + b"\n%e2e-tenant\n").json()["document_id"]
    hidden = beta.get(f"/v1/notices/{document_id}")
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "document_not_found"
    assert document_id not in {item["document_id"] for item in beta.get("/v1/notices").json()["items"]}
    assert beta.post(f"/v1/notices/{document_id}/review", json={"decision": "accept"}).status_code == 404


def test_background_upload_is_polled_to_its_result(acme: httpx.Client) -> None:
    accepted = post_file(acme, SAMPLE.read_bytes() + b"\n%e2e-wait\n", wait="false")
    assert accepted.status_code == 202 and accepted.json()["status"] == "pending"
    deadline = time.monotonic() + 30
    while (polled := acme.get(accepted.headers["location"])).status_code == 202:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert polled.status_code == 200 and polled.json()["status"] == "processed"


def test_bad_uploads_answer_in_the_error_shape(acme: httpx.Client, url: str) -> None:
    gif = post_file(acme, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", name="looks.pdf")
    assert gif.status_code == 415 and gif.json()["error"]["code"] == "unsupported_type"
    encrypted = post_file(acme, ENCRYPTED.read_bytes())
    assert encrypted.status_code == 422 and encrypted.json()["error"]["code"] == "encrypted_pdf"
    too_large = post_file(acme, b"%PDF-1.7\n" + b"0" * (2 * LIMIT))
    assert too_large.status_code == 413 and too_large.json()["error"]["code"] == "too_large"
    anonymous = httpx.get(f"{url}/v1/notices")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "missing_api_key"
    assert acme.get("/v1/notices", params={"limit": "lots"}).json()["error"]["code"] == "invalid_request"


def test_openapi_and_readiness(url: str) -> None:
    assert "/v1/notices" in httpx.get(f"{url}/openapi.json").json()["paths"]
    assert httpx.get(f"{url}/readyz").json()["checks"]["store"] is True


def test_serve_refuses_other_hosts_without_keys(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTICEFLOW_")} | {
        "NOTICEFLOW_HOME": str(tmp_path)
    }
    done = subprocess.run(
        [sys.executable, "-c", SERVE, "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "NOTICEFLOW_API_KEYS" in done.stderr


def test_forwarded_for_is_not_believed_and_the_access_log_masks_ssns(tmp_path: Path) -> None:
    """``serve`` behind no configured proxy: X-Forwarded-For cannot dodge the invalid-key throttle, and a
    letter reason with an SSN in the query string reaches the access log masked."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTICEFLOW_")}
    env |= {"NOTICEFLOW_HOME": str(tmp_path), "NOTICEFLOW_API_KEYS": f"acme:{ACME_KEY}",
            "NOTICEFLOW_SIGN_IN_ATTEMPTS": "3"}  # fmt: skip
    command = [sys.executable, "-c", SERVE, "serve", "--no-orchestrate", "--port", "{port}"]
    with running_server(command, env, tmp_path / "server.log") as base, httpx.Client(base_url=base) as client:
        document_id = post_file(client, SAMPLE.read_bytes(), headers={"X-API-Key": ACME_KEY}).json()[
            "document_id"
        ]
        reasons = {"stance": "disagree", "reason": "SSN 123-45-6789 paid", "note": "987 65 4321"}
        letter = client.get(
            f"/v1/notices/{document_id}/letter", params=reasons, headers={"X-API-Key": ACME_KEY}
        )
        assert letter.status_code == 200
        for number in range(4):
            guess = {"X-API-Key": "wrong-key-0123456789", "X-Forwarded-For": f"198.51.100.{number}"}
            client.get("/v1/notices", headers=guess)
        assert client.get("/v1/notices", headers={"X-API-Key": ACME_KEY}).status_code == 429
    log = (tmp_path / "server.log").read_text()
    assert "/letter?stance=disagree" in log and "XXX-XX-6789" in log and "XXX-XX-4321" in log
    assert "6789" not in log.replace("XXX-XX-6789", "") and "987" not in log
