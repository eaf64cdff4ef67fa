"""Snapshots of the metrics board: the demo night shift for a duty manager."""

from __future__ import annotations

import pytest

from .test_metrics_screen import answered

SIZES = [(80, 24), (120, 36)]


async def _board(pilot) -> None:
    await pilot.pause()
    await pilot.press("M")
    await answered(pilot.app, pilot)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_metrics_board(snap_compare, static_floor, make_app, size) -> None:
    assert snap_compare(make_app(static_floor("dm1")), terminal_size=size, run_before=_board)
