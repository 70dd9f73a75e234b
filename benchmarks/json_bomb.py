"""Server memory while it is sent a 150 MB JSON body, with and without an API key.

    .venv/bin/python benchmarks/json_bomb.py [--megabytes 150]

Starts ``noticeflow serve`` on a free loopback port with a fresh NOTICEFLOW_HOME and a generated key, then
sends ``PUT /v1/profiles/bomb`` with a JSON body of ``--megabytes`` MB (one profile whose name is that long)
four ways: without a key and with one, each with a ``Content-Length`` and streamed without one (chunked).
For each it prints the answer and how long it took, and the server's resident memory: before, the highest
seen while the request ran (sampled every 5 ms from /proc), and the growth. Last, the server's peak RSS
over its whole life (VmHWM). The bar: peak < 500 MB and growth < 100 MB. Request bodies are capped before
they are parsed or the key is checked (flows.api_guards: 413 ``too_large``), so the body is never held;
before the cap, the body was read and parsed first (290 MB → 725 MB before a 401). A script, not a test:
the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import running_server  # noqa: E402

SERVE = "import flows.serve_cli; from flows.cli import main; main()"
CHUNK = 1 << 20
MB = 1_000_000


@dataclass(frozen=True)
class Sent:
    answer: str
    seconds: float
    before_mb: float
    peak_mb: float


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    assert match, f"no {field} for process {pid}"
    return int(match.group(1)) * 1024 / MB


def server_pid(log: Path) -> int:
    match = re.search(r"Started server process \[(\d+)\]", log.read_text())
    assert match, f"the server log names no process:\n{log.read_text()}"
    return int(match.group(1))


def json_bomb(size: int) -> Iterator[bytes]:
    """``{"id": "bomb", "name": "AAAA…"}`` of ``size`` bytes, made as it is sent."""
    head, tail = b'{"id": "bomb", "name": "', b'"}'
    yield head
    left = size - len(head) - len(tail)
    while left > 0:
        yield b"A" * min(CHUNK, left)
        left -= CHUNK
    yield tail


def send(url: str, pid: int, size: int, headers: dict[str, str], *, declare_length: bool) -> Sent:
    """Send the bomb while a thread samples the server's RSS; the answer, or how the connection ended."""
    before, peak, done = rss_mb(pid), [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    headers = {**headers, "Content-Type": "application/json"}
    if declare_length:
        headers["Content-Length"] = str(size)
    started = time.perf_counter()
    try:
        response = httpx.put(f"{url}/v1/profiles/bomb", content=json_bomb(size), headers=headers, timeout=120)
        code = response.json().get("error", {}).get("code", "") if response.content else ""
        answer = f"{response.status_code} {code}"
    except httpx.TransportError as error:  # the server answered and closed while the body was still sent
        answer = f"connection closed while sending ({type(error).__name__})"
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return Sent(answer, seconds, before, max(peak[0], before))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=150)
    size = parser.parse_args().megabytes * MB
    key = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="noticeflow-json-bomb-") as scratch:
        home = Path(scratch) / "home"
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOTICEFLOW_")}
        env |= {"NOTICEFLOW_HOME": str(home), "NOTICEFLOW_API_KEYS": f"bench:{key}"}
        command = [sys.executable, "-c", SERVE, "serve", "--port", "{port}"]
        log = Path(scratch) / "server.log"
        with running_server(command, env, log) as url:
            pid = server_pid(log)
            httpx.get(f"{url}/v1/profiles", headers={"X-API-Key": key}).raise_for_status()  # warm
            print(f"server RSS at start: {rss_mb(pid):.0f} MB; body: {size / MB:.0f} MB of JSON")
            growths = []
            for label, headers in (("no key", {}), ("with key", {"X-API-Key": key})):
                for declare_length in (True, False):
                    sent = send(url, pid, size, headers, declare_length=declare_length)
                    growths.append(sent.peak_mb - sent.before_mb)
                    how = "Content-Length" if declare_length else "chunked"
                    print(f"{label:8} {how:14} → {sent.answer:24} in {sent.seconds:5.2f} s; "
                          f"RSS {sent.before_mb:.0f} → peak {sent.peak_mb:.0f} MB "
                          f"(+{sent.peak_mb - sent.before_mb:.0f} MB)")  # fmt: skip
            stored = httpx.get(f"{url}/v1/profiles", headers={"X-API-Key": key}).json()["items"]
            peak = rss_mb(pid, "VmHWM")
            print(
                f"server peak RSS over its life (VmHWM): {peak:.0f} MB; largest growth: {max(growths):.0f} MB"
            )
            print(f"profiles stored: {len(stored)}")
            print(
                "bar (peak < 500 MB, growth < 100 MB):",
                "met" if peak < 500 and max(growths) < 100 else "MISSED",
            )


if __name__ == "__main__":
    main()
