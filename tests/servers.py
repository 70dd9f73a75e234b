"""A server process on a free loopback port, for the end-to-end tests and the benchmarks.

``running_server(command, env, log) -> Iterator[str]`` starts ``command`` (``{port}`` in an argument becomes
a free loopback port) with its output in ``log``, waits until ``GET /healthz`` answers 200 and yields the
base URL; on exit it stops the server (terminate, then kill after 15 s). Raises ``RuntimeError`` with the
server's log when it exits early or does not come up in ``timeout_s``.

``free_port() -> int``: a loopback port free when asked, from a block of its own for each test process (each
pytest-xdist worker, ``PYTEST_XDIST_WORKER``), below the kernel's ephemeral range. Between asking and the
server's bind no other worker can pick the same port, nor the kernel hand it to a client connection or a
``bind(0)``; ports are handed out in turn, so one process does not get the same port twice in a row.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


PORT_BLOCKS_FROM = 20_000  # below 32768, where Linux's ephemeral range (ip_local_port_range) starts
PORT_BLOCK_SIZE = 1_000


def _port_block() -> range:
    """This process's ports: the first block without xdist, then one block per worker (gw0, gw1, ...)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker.removeprefix("gw")) + 1 if worker else 0
    first = PORT_BLOCKS_FROM + index * PORT_BLOCK_SIZE
    if first + PORT_BLOCK_SIZE > 32_768:
        raise RuntimeError(f"no port block for xdist worker {worker}: run fewer workers")
    return range(first, first + PORT_BLOCK_SIZE)


def _ports_in_turn() -> Iterator[int]:
    block = _port_block()
    start = random.randrange(len(block))  # two runs of the suite at once rarely start on the same port
    return itertools.cycle([*block[start:], *block[:start]])


_PORTS = _ports_in_turn()


def free_port() -> int:
    for port in itertools.islice(_PORTS, PORT_BLOCK_SIZE):
        with socket.socket() as probe, contextlib.suppress(OSError):
            probe.bind(("127.0.0.1", port))
            return port
    raise RuntimeError(f"no free loopback port in {_port_block()}")


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
