"""A catch-up's replay page is frozen out of full collections; the live trickle is not."""

from __future__ import annotations

import gc

from api_client import heap


def test_only_a_replay_page_freezes_what_it_left() -> None:
    gc.unfreeze()
    try:
        heap.settle_after(3)  # a live frame: the collector sees it as usual
        assert gc.get_freeze_count() == 0
        kept = [[n] for n in range(1000)]  # what a page of incidents leaves
        heap.settle_after(heap.CATCH_UP_PAGE)
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()
