"""Failed sign-ins counted per client address, so an API key cannot be guessed at the speed of the network.

``SignInThrottle(limit, window_s)``: ``failed(address)`` counts a refused sign-in; once an address has
``limit`` of them within ``window_s`` seconds, ``wait_s(address)`` says how long until the oldest leaves the
window (0 when it may try now); ``succeeded(address)`` forgets its failures. At most ``MAX_ADDRESSES``
addresses are remembered (the longest idle are forgotten first), so a flood of addresses cannot fill memory.
In memory, per server process: behind a proxy every client shares the proxy's address.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_ADDRESSES = 10_000


class SignInThrottle:
    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait_s(self, address: str) -> float:
        with self._lock:
            if address not in self._failures:
                return 0.0
            failures = self._recent(address)
            if len(failures) < self.limit:
                return 0.0
            return max(0.0, failures[0] + self.window_s - self._clock())

    def failed(self, address: str) -> None:
        with self._lock:
            failures = self._failures.setdefault(address, deque(maxlen=self.limit))
            failures.append(self._clock())
            self._failures.move_to_end(address)
            while len(self._failures) > MAX_ADDRESSES:
                self._failures.popitem(last=False)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)

    def _recent(self, address: str) -> deque[float]:
        failures = self._failures[address]  # the newest ``limit`` failures, oldest first
        while failures and failures[0] <= self._clock() - self.window_s:
            failures.popleft()
        return failures
