"""A server process on a free loopback port, for the end-to-end tests and the benchmarks.

``running_server(command, env, log) -> Iterator[str]`` starts ``command`` (``{port}`` in an argument becomes
a free loopback port) with its output in ``log``, waits until ``GET /healthz`` answers 200 and yields the
base URL; on exit it stops the server (terminate, then kill after 15 s). Raises ``RuntimeError`` with the
server's log when it exits early or does not come up in ``timeout_s``.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(
    command: list[str], env: dict[str, str], log: Path, timeout_s: float = 60
) -> Iterator[str]:
    port = free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [argument.replace("{port}", str(port)) for argument in command],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, log, timeout_s)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}:\n{log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the server did not come up in {timeout_s} s:\n{log.read_text()}")
