from __future__ import annotations

import pytest

from api_client.clock import ClockEstimator


class FakeClocks:
    def __init__(self, wall: float, mono: float = 1000.0) -> None:
        self.wall = wall
        self.mono = mono

    def tick(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds


SERVER_EPOCH = 1_700_000_000.0


def test_offset_is_the_midpoint_of_the_exchange() -> None:
    clocks = FakeClocks(wall=SERVER_EPOCH + 600)  # terminal 10 minutes fast
    est = ClockEstimator(lambda: clocks.wall, lambda: clocks.mono)
    t0 = clocks.mono
    clocks.tick(0.2)  # server stamps halfway through a 0.4 s round trip
    stamp = SERVER_EPOCH + 0.2
    clocks.tick(0.2)
    est.add_exchange(t0, clocks.mono, stamp)
    assert est.now() == pytest.approx(SERVER_EPOCH + 0.4, abs=1e-6)
    assert est.offset == pytest.approx(-600, abs=1e-6)
    assert est.suspect


def test_lowest_round_trip_wins() -> None:
    clocks = FakeClocks(wall=SERVER_EPOCH)
    est = ClockEstimator(lambda: clocks.wall, lambda: clocks.mono)
    # a slow exchange whose reply sat in a queue: the midpoint is 1 s off
    est.add_exchange(clocks.mono, clocks.mono + 4.0, SERVER_EPOCH + 1.0)
    # a quick exchange, exact
    est.add_exchange(clocks.mono, clocks.mono + 0.01, SERVER_EPOCH + 0.005)
    assert est.offset == pytest.approx(0.0, abs=1e-6)
    assert not est.suspect


def test_a_wall_clock_jump_does_not_move_countdowns() -> None:
    clocks = FakeClocks(wall=SERVER_EPOCH)
    est = ClockEstimator(lambda: clocks.wall, lambda: clocks.mono)
    est.add_exchange(clocks.mono, clocks.mono, SERVER_EPOCH)
    clocks.wall += 3600  # someone sets the terminal's clock an hour ahead
    clocks.tick(5)
    assert est.now() == pytest.approx(SERVER_EPOCH + 5)
    assert est.offset == pytest.approx(-3600)


def test_before_any_sample_the_last_known_offset_is_used() -> None:
    clocks = FakeClocks(wall=SERVER_EPOCH - 600)
    est = ClockEstimator(lambda: clocks.wall, lambda: clocks.mono)
    est.assume_offset(600)
    assert not est.sampled
    assert est.now() == pytest.approx(SERVER_EPOCH)


def test_live_frames_only_correct_a_gross_error() -> None:
    clocks = FakeClocks(wall=SERVER_EPOCH)
    est = ClockEstimator(lambda: clocks.wall, lambda: clocks.mono)
    est.add_exchange(clocks.mono, clocks.mono, SERVER_EPOCH)
    est.check_frame(SERVER_EPOCH - 3)  # a frame that queued for a while: no change
    assert est.now() == pytest.approx(SERVER_EPOCH)
    est.check_frame(SERVER_EPOCH + 120)  # the server's clock was stepped
    assert est.now() == pytest.approx(SERVER_EPOCH + 120)
