"""The painted floor is frozen out of full collections; another user's floor frees the last."""

from __future__ import annotations

import gc
import weakref

from tui import collector


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_a_reset_within_a_floor_only_freezes_and_another_floor_frees_the_last() -> None:
    try:
        collector.floor_painted(("client", "pb2"))
        dropped = _Node()
        gone = weakref.ref(dropped)
        collector.floor_painted(None)  # the incident screen made ahead: frozen with the rest
        del dropped
        # the same user's snapshot or catch-up reset: no full pass (it stopped the app)
        collector.floor_painted(("client", "pb2"))
        gc.collect()
        assert gone() is not None and gc.get_freeze_count() > 0
        # another user signs in: what the last session froze is let go and collected
        collector.floor_painted(("client", "h1"))
        assert gone() is None
        assert gc.get_freeze_count() > 0  # and the new floor is frozen
    finally:
        collector.app_closed()
    assert gc.get_freeze_count() == 0


def test_garbage_frozen_by_a_reset_is_swept_once_the_terminal_is_quiet() -> None:
    try:
        collector.floor_painted(("client", "pb2"))
        closed = _Node()  # a dialog closed just as a catch-up froze the heap
        gone = weakref.ref(closed)
        collector.floor_painted(("client", "pb2"))
        del closed
        booted = 10 * collector.SWEEP_AT_LATEST  # a machine up for hours
        # the app's first tick: it has just frozen its floor, and sweeps nothing yet
        assert not collector.sweep_when_quiet(booted, idle=collector.QUIET_FOR)
        assert gone() is not None
        start = booted + collector.SWEEP_EVERY
        # someone at the keys: no stall for them yet
        assert not collector.sweep_when_quiet(start, idle=1.0)
        assert gone() is not None
        # left alone long enough: swept, and the floor frozen again
        assert collector.sweep_when_quiet(start, idle=collector.QUIET_FOR)
        assert gone() is None and gc.get_freeze_count() > 0
        # not again at once
        assert not collector.sweep_when_quiet(start + 1, idle=collector.QUIET_FOR + 1)
        # and never left alone: swept all the same, later
        late = start + collector.SWEEP_AT_LATEST
        assert collector.sweep_when_quiet(late, idle=0.0)
    finally:
        collector.app_closed()
