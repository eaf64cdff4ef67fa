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
