"""Load benchmark for the HTTP API: concurrent uploads, then a check that every upload is stored once.

    .venv/bin/python benchmarks/api_load.py [--uploads 200] [--clients 8] [--repeats 20] [--time-limit 300]
    .venv/bin/python benchmarks/api_load.py --url http://127.0.0.1:8080 --api-key KEY   # a running server

Without ``--url`` it starts ``noticeflow serve`` on a free loopback port with a fresh NOTICEFLOW_HOME and a
generated key, and stops it at the end; ``--url`` must be a loopback address. The uploads are the committed
born-digital samples, each made unique by a PDF comment after ``%%EOF`` (``%unique-RUN-N``: other bytes, the
same notice), and ``--repeats`` of them sent again byte for byte. Every upload waits for its result
(``wait=true``) from one of ``--clients`` threads sharing an httpx connection pool.

Prints throughput, latency p50/p90/p99, response counts and errors, then pages through ``GET /v1/notices``
and checks that every distinct upload is stored exactly once and got exactly one 201 (the other copies 200
``duplicate``). Exit 0 when there were no errors and nothing was lost or stored twice, else 1. Bounded: at
most ``--uploads`` requests, none started after ``--time-limit`` seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import os
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import running_server  # noqa: E402

SAMPLES = [ROOT / "fixtures" / "samples" / f"notice_{n}.pdf" for n in ("0006", "0011", "0017", "0022")]
SERVE = "import flows.serve_cli; from flows.cli import main; main()"


@dataclass(frozen=True)
class Upload:
    number: int
    content: bytes
    document_id: str


@dataclass(frozen=True)
class Outcome:
    upload: Upload
    status: int | None  # None: the request itself failed
    result_status: str | None
    seconds: float
    error: str | None = None
    server_seconds: float = 0.0  # the pipeline's own time, summed from the result's timings


def plan_uploads(count: int, repeats: int, run: str) -> list[Upload]:
    """``count - repeats`` unique uploads, with a repeat of an earlier one after every few of them."""
    unique = count - repeats
    every = max(1, unique // max(1, repeats))
    uploads: list[Upload] = []
    for number in range(unique):
        content = SAMPLES[number % len(SAMPLES)].read_bytes() + f"\n%unique-{run}-{number}\n".encode()
        uploads.append(Upload(number, content, hashlib.sha256(content).hexdigest()))
        if repeats and number % every == every - 1 and len(uploads) < count:
            uploads.append(Upload(len(uploads), content, uploads[-1].document_id))
    return uploads[:count]


def send(client: httpx.Client, upload: Upload, deadline: float) -> Outcome | None:
    if time.monotonic() > deadline:
        return None
    start = time.perf_counter()
    try:
        response = client.post("/v1/notices", files={"file": (f"load-{upload.number}.pdf", upload.content)})
    except httpx.HTTPError as error:
        return Outcome(upload, None, None, time.perf_counter() - start, f"{type(error).__name__}: {error}")
    seconds = time.perf_counter() - start
    body = response.json()
    if response.status_code not in (200, 201):
        return Outcome(upload, response.status_code, None, seconds, str(body.get("error")))
    processing = sum(body["timings"].values()) if response.status_code == 201 else 0.0
    return Outcome(upload, response.status_code, body["status"], seconds, server_seconds=processing)


def stored_ids(client: httpx.Client) -> Counter[str]:
    """How often each document id appears when paging through the tenant's notices."""
    seen: Counter[str] = Counter()
    offset: int | None = 0
    while offset is not None:
        page = client.get("/v1/notices", params={"limit": 200, "offset": offset}).raise_for_status().json()
        seen.update(item["document_id"] for item in page["items"])
        offset = page["next_offset"]
    return seen


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(outcomes: list[Outcome], wall: float, planned: int) -> list[str]:
    """Print the request figures; return the problems found."""
    latencies = [outcome.seconds * 1000 for outcome in outcomes]
    answers = Counter(f"{o.status} {o.result_status}" for o in outcomes if o.error is None)
    errors = [o for o in outcomes if o.error is not None]
    print(f"  sent {len(outcomes)} of {planned} in {wall:.1f} s: {len(outcomes) / wall:.1f} uploads/s")
    if latencies:
        print("  latency ms: " + "  ".join(
            f"p{int(share * 100)} {percentile(latencies, share):.0f}" for share in (0.5, 0.9, 0.99)
        ) + f"  max {max(latencies):.0f}")  # fmt: skip
    processed = [o.server_seconds * 1000 for o in outcomes if o.status == 201]
    if processed:
        print(
            f"  pipeline time per new upload (result timings): mean {sum(processed) / len(processed):.0f} ms"
        )
    print("  responses: " + ", ".join(f"{answer} × {n}" for answer, n in sorted(answers.items())))
    print(f"  errors: {len(errors)}")
    for outcome in errors[:5]:
        print(f"    upload {outcome.upload.number}: {outcome.status} {outcome.error}")
    return [f"{len(errors)} errors"] if errors else []


def verify(client: httpx.Client, outcomes: list[Outcome]) -> list[str]:
    """Every distinct upload stored exactly once, with exactly one 201 among its copies."""
    expected = {outcome.upload.document_id for outcome in outcomes if outcome.error is None}
    seen = stored_ids(client)
    lost = expected - set(seen)
    twice = [document_id for document_id in expected if seen[document_id] > 1]
    created = Counter(o.upload.document_id for o in outcomes if o.status == 201)
    wrong_created = [document_id for document_id in expected if created[document_id] != 1]
    print(f"  store: {len(expected)} distinct uploads, {len(expected) - len(lost)} stored, {len(lost)} lost, "
          f"{len(twice)} stored twice, {len(wrong_created)} without exactly one 201")  # fmt: skip
    problems = [f"{len(lost)} lost"] if lost else []
    problems += [f"{len(twice)} stored twice"] if twice else []
    return problems + ([f"{len(wrong_created)} created != 1"] if wrong_created else [])


@contextmanager
def local_server(key: str) -> Iterator[str]:
    """``noticeflow serve`` on a free loopback port with a fresh home; its URL."""
    with tempfile.TemporaryDirectory(prefix="noticeflow-load-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOTICEFLOW_")}
        env |= {"NOTICEFLOW_HOME": home, "NOTICEFLOW_API_KEYS": f"load:{key}"}
        command = [sys.executable, "-c", SERVE, "serve", "--no-orchestrate", "--port", "{port}"]
        with running_server(command, env, Path(home) / "server.log") as url:
            yield url


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(url: str, key: str, args: argparse.Namespace) -> int:
    uploads = plan_uploads(args.uploads, args.repeats, secrets.token_hex(4))
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120, limits=limits) as client:
        print(
            f"api_load: {len(uploads)} uploads ({args.repeats} repeats) from {args.clients} clients to {url}"
        )
        deadline = time.monotonic() + args.time_limit
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            sent = list(pool.map(lambda upload: send(client, upload, deadline), uploads))
        wall = time.perf_counter() - start
        outcomes = [outcome for outcome in sent if outcome is not None]
        problems = report(outcomes, wall, len(uploads)) + verify(client, outcomes)
    print("  result: " + ("OK" if not problems else "FAILED: " + ", ".join(problems)))
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (loopback only); default: start one")
    parser.add_argument("--api-key", help="the key for --url")
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=20, help="uploads that repeat an earlier one's bytes")
    parser.add_argument("--time-limit", type=float, default=300, help="no request starts after this (s)")
    args = parser.parse_args()
    if not 0 <= args.repeats < args.uploads <= 10_000 or not 1 <= args.clients <= 64:
        parser.error("need 0 <= repeats < uploads <= 10000 and 1 <= clients <= 64")
    if args.url:
        if not is_loopback_url(args.url) or not args.api_key:
            parser.error("--url must be a loopback address and needs --api-key")
        sys.exit(run(args.url.rstrip("/"), args.api_key, args))
    key = secrets.token_urlsafe(24)
    with local_server(key) as url:
        code = run(url, key, args)
    sys.exit(code)


if __name__ == "__main__":
    main()
