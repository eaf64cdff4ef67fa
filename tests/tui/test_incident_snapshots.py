"""Snapshots of the incident screen: journey 1 on a floor terminal, journey 4 on a laptop."""

from __future__ import annotations

import pytest

from .test_incident_helpers import find_incident

SIZES = [(80, 24), (120, 36)]


def opener(incident_id: int):
    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.action_open_incident(incident_id)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_disputed_vvip_hand(snap_compare, static_floor, make_app, size) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    assert snap_compare(make_app(floor), terminal_size=size, run_before=opener(bj07))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_late_payment_owes_recovery(snap_compare, static_floor, make_app, size) -> None:
    floor = static_floor("dm1")
    late = find_incident(floor, "VP-6402-1187")
    assert snap_compare(make_app(floor), terminal_size=size, run_before=opener(late))


def test_silent_visit_arrival(snap_compare, static_floor, make_app) -> None:
    floor = static_floor("h1")
    arrival = find_incident(floor, "VV-7310-0925")
    assert snap_compare(make_app(floor), terminal_size=(80, 24), run_before=opener(arrival))
