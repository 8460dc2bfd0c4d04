"""The login backoff's arithmetic, on a clock the test turns by hand."""

from __future__ import annotations

from firmware_host.web.throttle import FREE_TRIES, MAX_WAIT_SECONDS, Backoff, wait_after


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_free_tries_then_doubling_up_to_a_quarter_hour() -> None:
    assert [wait_after(n) for n in range(FREE_TRIES)] == [0.0] * FREE_TRIES
    assert [wait_after(n) for n in range(5, 10)] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert wait_after(20) == MAX_WAIT_SECONDS == 15 * 60
    assert wait_after(1000) == MAX_WAIT_SECONDS


def test_the_wait_runs_out_and_the_longest_key_wins() -> None:
    clock = Clock()
    backoff = Backoff(clock)
    name, address = ("name", "lan"), ("from", "10.0.0.9")
    for _ in range(FREE_TRIES):
        backoff.failed(name, address)
    assert backoff.wait(name) == 1.0
    assert backoff.wait(("name", "someone else")) == 0.0
    # The address is slowed for every name it tries.
    assert backoff.wait(("name", "someone else"), address) == 1.0
    clock.now += 1.0
    assert backoff.wait(name, address) == 0.0
    assert backoff.failed(name, address) == 2.0


def test_twenty_quick_tries_lock_for_the_full_wait_and_forget_clears() -> None:
    clock = Clock()
    backoff = Backoff(clock)
    key = ("name", "lan")
    for _ in range(20):
        backoff.failed(key)
        clock.now += 0.1
    assert backoff.wait(key) > MAX_WAIT_SECONDS - 1
    backoff.forget(key)
    assert backoff.wait(key) == 0.0
