"""The acknowledge dialog, the ETA on the queue, a quiet acknowledgement that still
re-alerts, and a P1 paged to this terminal's user marked until they acknowledge."""

from __future__ import annotations

from typing import Any

from api_client.contract import ConnectionStatus, Link
from domain import commands as c
from domain.models import Channel, IncidentKind, Location, Player, Priority, Tier
from tests.tui.conftest import BASE_TIME
from tests.tui.screen_text import screen_lines
from tui.widgets.incident_table import IncidentTable

from .test_incident_helpers import settle, text_of


def _open(floor: Any, priority: Priority, spot: str) -> int:
    events = floor.submit_as(
        "pb2",
        c.OpenIncident(
            kind=IncidentKind.TABLE_DISPUTE,
            priority=priority,
            channel=Channel.ON_SITE,
            player=Player(reference="VP-7781-2044", tier=Tier.VIP),
            location=Location(pit="2", spot=spot),
            summary="payout disputed",
        ),
    )
    number = events[0].incident_id
    assert number is not None
    return number


def _row_of(app: Any, number: int) -> str:
    return next(line for line in screen_lines(app) if f"#{number}" in line)


async def _to_row(app: Any, pilot: Any, number: int) -> None:
    table = app.screen.query_one(IncidentTable)
    for _ in range(table.row_count):
        if table.selected_id == number:
            return
        await pilot.press("down")
    raise AssertionError(f"#{number} is not on the queue")


async def test_the_ack_dialog_is_enter_for_none_one_key_for_2_5_10_and_c_for_other(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    plain, ten, other, kept = (
        _open(floor, Priority.P2, spot) for spot in ("BJ-01", "BJ-02", "BJ-03", "BJ-04")
    )
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        await _to_row(app, pilot, plain)
        await pilot.press("a")
        await settle(app, pilot)
        assert "On it in:  2 = 2 min   5 = 5 min   1 = 10 min   c = other" in "\n".join(
            screen_lines(app)
        )
        await pilot.press("enter")  # a plain acknowledgement: two key presses
        await settle(app, pilot)
        assert floor.truth.incidents[plain].acknowledged_at is not None
        assert floor.truth.incidents[plain].eta_due is None

        await _to_row(app, pilot, ten)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        assert floor.truth.incidents[ten].eta_due == BASE_TIME + 600
        assert "on 10m" in _row_of(app, ten)  # the state cell counts it down

        await _to_row(app, pilot, other)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("c", "0", "enter")
        await settle(app, pilot)
        assert text_of(app.screen, "#dialog-hint") == (
            "an ETA of 0 min is out of range: from 1 min to 24 h (1440 min)"
        )
        await pilot.press("backspace", *"25h", "enter")
        await settle(app, pilot)
        assert "an ETA of 1500 min is out of range" in text_of(app.screen, "#dialog-hint")
        await pilot.press("backspace", "backspace", "backspace", *"45", "enter")
        await settle(app, pilot)
        assert floor.truth.incidents[other].eta_due == BASE_TIME + 45 * 60
        assert "on 45m" in _row_of(app, other)

        await _to_row(app, pilot, kept)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("escape")  # changed their mind: nothing sent
        await settle(app, pilot)
        assert floor.truth.incidents[kept].acknowledged_at is None

        floor.advance(10 * 60 + 30)  # the 10 min ETA passed: late, before the server says so
        app.tick()
        await pilot.pause()
        assert "late 0m" in _row_of(app, ten)
        assert "on 34:" not in _row_of(app, other) and "on 34m" in _row_of(app, other)


async def test_a_quiet_acknowledgement_with_a_long_eta_still_re_alerts_at_its_next_update(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    number = _open(floor, Priority.P2, "BJ-05")  # a player update every 30 min
    floor.submit_as("pb2", c.Acknowledge(incident_id=number, eta_minutes=45))
    app = make_app(floor)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.tick()
        await settle(app, pilot)
        before = len(rings)
        floor.advance(30 * 60 + 1)  # no update, no stabilise: the ETA does not silence it
        app.tick()
        await pilot.pause()
        assert len(rings) > before
        assert any(
            f"#{number}" in n.message and "player update overdue" in n.message for n in app.notified
        )
        assert "on 14m" in _row_of(app, number)  # and its ETA still runs


async def test_a_p1_paged_to_me_is_marked_until_i_acknowledge(static_floor, make_app) -> None:
    floor = static_floor("dm2")
    number = _open(floor, Priority.P1, "BJ-06")
    app = make_app(floor)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(app, pilot)
        assert "◆" not in _row_of(app, number)
        floor.submit_as("pb2", c.Escalate(incident_id=number, line=2, reason="VIP insists"))
        floor.submit_as("pb2", c.PageContact(incident_id=number, staff_id="dm2", method="radio"))
        await settle(app, pilot)
        assert "◆" in _row_of(app, number)
        assert any(n.title == "Paged: P1 awaits your ack" for n in app.notified)
        app.action_open_incident(number)
        await settle(app, pilot)
        notices = text_of(app.screen, "#incident-notices")
        assert "waiting Dana K., Chris N. - you are paged: a to acknowledge" in notices
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        notices = text_of(app.screen, "#incident-notices")
        assert "acked Chris N. 02:13; waiting Dana K." in notices
        assert "you are paged" not in notices
        await pilot.press("escape")
        await settle(app, pilot)
        assert "◆" not in _row_of(app, number)


async def test_an_offline_owner_is_still_rung_when_their_eta_passes(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    offline, online = _open(floor, Priority.P2, "BJ-01"), _open(floor, Priority.P2, "BJ-02")
    app = make_app(floor)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        floor.submit_as("pb2", c.Acknowledge(incident_id=online, eta_minutes=2))
        await settle(app, pilot)
        app.tick()
        floor.advance(121)  # online: the server's lapse rings it, not this terminal's clock
        app.tick()
        await pilot.pause()
        assert not any(n.title == "ETA lapsed" for n in app.notified)

        floor.set_status(ConnectionStatus(Link.OFFLINE, since=floor.now()))
        floor.submit_as("pb2", c.Acknowledge(incident_id=offline, eta_minutes=2))
        await settle(app, pilot)
        app.tick()
        before = len(rings)
        floor.advance(121)
        app.tick()
        await pilot.pause()
        lapsed = [n for n in app.notified if n.title == "ETA lapsed"]
        assert len(lapsed) == 1 and f"#{offline} " in lapsed[0].message
        assert "offline: the next line is paged once the server hears of it" in lapsed[0].message
        assert len(rings) > before
        floor.advance(1)
        app.tick()
        assert len([n for n in app.notified if n.title == "ETA lapsed"]) == 1  # once
