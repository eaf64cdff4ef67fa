"""Snapshots of the shift handover: the pack as dm1 would hand it over at 06:00, and
as dm2 finds it 15 minutes into the shift, still to be acknowledged."""

from __future__ import annotations

import pytest

from domain import commands as c

SIZES = [(80, 24), (120, 36)]


async def _open(pilot) -> None:
    await pilot.pause()
    await pilot.press("H")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_handover_preview(snap_compare, static_floor, make_app, size) -> None:
    assert snap_compare(make_app(static_floor("dm1")), terminal_size=size, run_before=_open)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_handover_waiting_for_the_incoming_manager(
    snap_compare, static_floor, make_app, size
) -> None:
    source = static_floor("dm2")
    source.submit_as("dm1", c.OpenHandover(note="BAC-03 shuffler still out; tech at 07:00"))
    source.advance(3 * 3600 + 47 * 60 + 20 * 60)  # 06:20

    async def run_before(pilot) -> None:
        pilot.app.tick()
        await _open(pilot)

    assert snap_compare(make_app(source), terminal_size=size, run_before=run_before)
