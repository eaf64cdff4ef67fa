"""Snapshots of the reports list: the demo floor a day on, for a duty manager."""

from __future__ import annotations

import pytest

SIZES = [(80, 24), (120, 36)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_reports_list(snap_compare, static_floor, make_app, size) -> None:
    source = static_floor("dm1")
    # 23 h on: the reports of the night's earliest resolves are overdue, the rest due
    source.advance(23 * 3600)

    async def open_reports(pilot) -> None:
        await pilot.pause()
        await pilot.press("F")
        await pilot.pause()

    assert snap_compare(make_app(source), terminal_size=size, run_before=open_reports)
