"""Keeping a catch-up's incidents out of the garbage collector's full passes.

A terminal coming back to thousands of events allocates the objects of
thousands of incidents in a few seconds. The collector's full passes, each
triggered by that allocation and each walking every object not yet frozen,
then held the interpreter for 100-370 ms apiece, on whichever thread was
allocating: the UI's loop stood still for all of them. What a replay page
leaves behind is the floor, alive until the next snapshot or sign-in, so
after each page the young garbage is collected (a short pass over the young
generations only) and the rest frozen (`gc.freeze`): later full passes walk
only what came after. The UI hands frozen objects back to the collector when
another user's floor comes, and in quiet moments through a shift
(`tui.collector.sweep_when_quiet`), so what froze as garbage is collected then.
"""

from __future__ import annotations

import gc

CATCH_UP_PAGE = 100  # events in one frame: a replay page, not the live trickle


def settle_after(events: int) -> None:
    """After `events` were folded in from one frame: freeze what a catch-up page left."""
    if events >= CATCH_UP_PAGE:
        gc.collect(1)
        gc.freeze()
