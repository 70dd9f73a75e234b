"""What the watcher's writer check costs: one scan of every ``/proc/<pid>/fd`` (flows.inbox.held_for_writing).

    .venv/bin/python benchmarks/watch_writer_check.py [--rounds 20]

The scan runs once per watcher round, and only in a round where some inbox file has settled. Prints the
processes and open descriptors seen, and the milliseconds a scan takes (median of ``--rounds``), with a
file held open for writing by this process, which the scan must find.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from flows.inbox import held_for_writing


def _count_descriptors(pid: str) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:  # ended, or another user's
        return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    processes = [name for name in os.listdir("/proc") if name.isdigit()]
    descriptors = sum(_count_descriptors(pid) for pid in processes)
    with tempfile.TemporaryDirectory() as folder, (Path(folder) / "writing.pdf").open("wb") as handle:
        info = os.fstat(handle.fileno())
        wanted = {(info.st_dev, info.st_ino)}
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            found = held_for_writing(wanted)
            timings.append(time.perf_counter() - started)
            assert found == wanted, "the file this process writes was not found"
    print(f"{len(processes)} processes, {descriptors} open descriptors")
    median_ms, max_ms = statistics.median(timings) * 1000, max(timings) * 1000
    print(f"one scan: {median_ms:.1f} ms (median of {rounds}), max {max_ms:.1f} ms")


if __name__ == "__main__":
    main()
