"""Snapshots at 80x24 of a flagged player: queue mark, incident band, player view."""

from __future__ import annotations

from domain import commands as c
from domain.models import FlagKind

from .test_incident_helpers import find_incident

REF = "VV-2231-4411"


def flagged_floor(static_floor, staff_id: str):
    floor = static_floor(staff_id)
    floor.submit_as("h1", c.SetPlayerFlag(reference=REF, flag=FlagKind.SELF_EXCLUDED))
    floor.submit_as("dm1", c.SetPlayerFlag(reference=REF, flag=FlagKind.SOURCE_OF_FUNDS))
    return floor


def test_queue_marks_a_flagged_player(snap_compare, static_floor, make_app) -> None:
    app = make_app(flagged_floor(static_floor, "pb2"))
    assert snap_compare(app, terminal_size=(80, 24))


def test_incident_of_a_flagged_player(snap_compare, static_floor, make_app) -> None:
    floor = flagged_floor(static_floor, "pb2")
    bj07 = find_incident(floor, REF)

    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.action_open_incident(bj07)
        await pilot.pause()

    assert snap_compare(make_app(floor), terminal_size=(80, 24), run_before=run_before)


def test_player_view(snap_compare, static_floor, make_app) -> None:
    floor = flagged_floor(static_floor, "dm1")
    bj07 = find_incident(floor, REF)

    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.action_open_incident(bj07)
        await pilot.pause()
        await pilot.press("P")
        await pilot.pause()

    assert snap_compare(make_app(floor), terminal_size=(80, 24), run_before=run_before)
