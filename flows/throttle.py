"""Invalid API keys counted per client address, so a key cannot be guessed at the speed of the network.

``SignInThrottle(limit, window_s)``: ``failed(address)`` counts an invalid key (from the API or the sign-in
page: ``flows.api`` makes one per app and both use it); once an address has ``limit`` of them within
``window_s`` seconds, ``wait_s(address)`` says how long until the oldest leaves the window (0 when it may try
now). A valid key does not clear the count: otherwise a holder of one key could guess others ``limit - 1``
at a time, signing in with their own in between. An IPv6 address is counted by its /64 (one host usually
holds a whole /64); an IPv4-mapped one as the IPv4 address. At most ``MAX_ADDRESSES`` addresses are
remembered (the longest idle are forgotten first), so a flood of addresses cannot fill memory. In memory,
per server process: behind a proxy every client shares the proxy's address.
"""

from __future__ import annotations

import ipaddress
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
        client = client_of(address)
        with self._lock:
            if client not in self._failures:
                return 0.0
            failures = self._recent(client)
            if len(failures) < self.limit:
                return 0.0
            return max(0.0, failures[0] + self.window_s - self._clock())

    def failed(self, address: str) -> None:
        client = client_of(address)
        with self._lock:
            failures = self._failures.setdefault(client, deque(maxlen=self.limit))
            failures.append(self._clock())
            self._failures.move_to_end(client)
            while len(self._failures) > MAX_ADDRESSES:
                self._failures.popitem(last=False)

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures[client]  # the newest ``limit`` failures, oldest first
        while failures and failures[0] <= self._clock() - self.window_s:
            failures.popleft()
        return failures


def client_of(address: str) -> str:
    """What failures are counted under: an IPv6 address's /64, an IPv4 address (mapped or not), else as is."""
    try:
        parsed = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv4Address):
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.IPv6Network((int(parsed) >> 64 << 64, 64)))
