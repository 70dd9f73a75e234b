"""Invalid keys per address (an IPv6 address by its /64): a window of ``limit`` failures, then a wait."""

from __future__ import annotations

import pytest

from flows import throttle
from flows.throttle import SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_waits_after_its_limit_until_the_oldest_failure_leaves_the_window() -> None:
    clock = Clock()
    sign_ins = SignInThrottle(limit=3, window_s=60, clock=clock)
    for _ in range(2):
        sign_ins.failed("10.0.0.1")
        clock.now += 10
    assert sign_ins.wait_s("10.0.0.1") == 0  # two failures: may still try
    sign_ins.failed("10.0.0.1")  # the third, at 1020
    assert sign_ins.wait_s("10.0.0.1") == 40  # the first (1000) leaves the window at 1060
    assert sign_ins.wait_s("10.0.0.2") == 0  # other addresses are not affected
    clock.now = 1060
    assert sign_ins.wait_s("10.0.0.1") == 0


@pytest.mark.parametrize(
    ("failing", "same", "other"),
    [
        pytest.param("2001:db8:0:7::1", "2001:db8:0:7:ffff::2", "2001:db8:0:8::1", id="ipv6-by-its-64"),
        pytest.param("[2001:db8::1]", "2001:db8::dead:beef", "2001:db8:1::1", id="ipv6-bracketed"),
        pytest.param("::ffff:10.0.0.1", "10.0.0.1", "10.0.0.2", id="ipv4-mapped"),
        pytest.param("10.0.0.1", "10.0.0.1", "10.0.0.3", id="ipv4-itself"),
    ],
)
def test_an_address_is_counted_by_the_network_one_client_holds(failing: str, same: str, other: str) -> None:
    sign_ins = SignInThrottle(limit=2, window_s=60, clock=Clock())
    sign_ins.failed(failing)
    sign_ins.failed(same)
    assert sign_ins.wait_s(failing) > 0 and sign_ins.wait_s(same) > 0
    assert sign_ins.wait_s(other) == 0


def test_memory_is_bounded_by_forgetting_the_longest_idle_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "MAX_ADDRESSES", 3)
    sign_ins = SignInThrottle(limit=1, window_s=60, clock=Clock())
    for address in ("a", "b", "c", "a", "d"):
        sign_ins.failed(address)
    assert [sign_ins.wait_s(address) > 0 for address in ("a", "b", "c", "d")] == [True, False, True, True]
