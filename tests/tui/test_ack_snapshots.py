"""Snapshots: the queue at 80x24 with an ETA counting down and a P1 awaiting this
user's ack, the acknowledge dialog, the P1's incident screen with its acks, and the
escalate dialog on the payments chain."""

from __future__ import annotations

from typing import Any

from domain import commands as c
from domain.models import Channel, IncidentKind, Location, Player, Priority, Tier

from .test_incident_helpers import find_incident


def _floor(static_floor: Any) -> tuple[Any, int, int]:
    """dm2's floor: a P1 paged to them on L2, and a P2 pb2 is on in 5 min."""
    floor = static_floor("dm2")

    def open_at(spot: str, priority: Priority) -> int:
        events = floor.submit_as(
            "pb2",
            c.OpenIncident(
                kind=IncidentKind.TABLE_DISPUTE,
                priority=priority,
                channel=Channel.ON_SITE,
                player=Player(reference="VP-7781-2044", tier=Tier.VIP),
                location=Location(pit="2", spot=spot),
            ),
        )
        number = events[0].incident_id
        assert number is not None
        return number

    paged = open_at("BJ-06", Priority.P1)
    floor.submit_as("pb2", c.Escalate(incident_id=paged, line=2, reason="VIP insists"))
    floor.submit_as("pb2", c.PageContact(incident_id=paged, staff_id="dm2", method="radio"))
    floor.submit_as("pb2", c.Acknowledge(incident_id=paged, note="at the table"))
    eta = open_at("BJ-05", Priority.P2)
    floor.submit_as("pb2", c.Acknowledge(incident_id=eta, eta_minutes=5))
    return floor, paged, eta


def test_queue_with_an_eta_and_a_p1_awaiting_my_ack(snap_compare, static_floor, make_app) -> None:
    floor, _, _ = _floor(static_floor)
    # filtered to the two, below the floor's long-breached rows otherwise
    press = ["slash", *"2044", "enter"]
    assert snap_compare(make_app(floor), terminal_size=(80, 24), press=press)


def test_ack_dialog(snap_compare, static_floor, make_app) -> None:
    floor, _, _ = _floor(static_floor)
    assert snap_compare(make_app(floor), terminal_size=(80, 24), press=["a"])


def test_p1_incident_with_its_acks(snap_compare, static_floor, make_app) -> None:
    floor, paged, _ = _floor(static_floor)

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        pilot.app.action_open_incident(paged)
        await pilot.pause()

    assert snap_compare(make_app(floor), terminal_size=(80, 24), run_before=run_before)


def test_escalate_dialog_on_the_payments_chain(snap_compare, static_floor, make_app) -> None:
    floor = static_floor("dm1")
    failed = find_incident(floor, "VP-5120-3388")  # a failed transfer: payments chain, L2

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        pilot.app.action_open_incident(failed)
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("2")  # where it is: refused in words
        await pilot.pause()

    assert snap_compare(make_app(floor), terminal_size=(80, 24), run_before=run_before)
