from __future__ import annotations

import pytest

from api_client.backoff import Backoff


def ceiling(lo: float, hi: float) -> float:
    return hi  # the top of each jitter window, to see the ladder itself


def test_delays_double_up_to_the_cap() -> None:
    backoff = Backoff(0.5, 30.0, rng=ceiling)
    delays = [backoff.next_delay() for _ in range(9)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


def test_full_jitter_stays_within_the_window() -> None:
    backoff = Backoff(0.5, 30.0)
    for step in range(12):
        assert 0.0 <= backoff.next_delay() <= min(30.0, 0.5 * 2**step)


def test_a_short_session_keeps_climbing_and_a_healthy_one_resets() -> None:
    backoff = Backoff(0.5, 30.0, stable_after=5.0, rng=ceiling)
    for _ in range(4):
        backoff.next_delay()
    backoff.session_ended(lasted=0.2)  # accepted, then dropped at once
    assert backoff.next_delay() == 8.0
    backoff.session_ended(lasted=60.0)
    assert backoff.next_delay() == 0.5


def test_nonsense_delays_are_refused() -> None:
    with pytest.raises(ValueError):
        Backoff(0.0, 1.0)
    with pytest.raises(ValueError):
        Backoff(2.0, 1.0)
