"""The outbox: what is still to send, what the server refused, and dismissing it."""

from __future__ import annotations

from textual.widgets import OptionList

from api_client.contract import Conflict
from domain import commands as c
from screens.incident import KEPT_NAME, IncidentScreen
from screens.modals import YesNoModal
from screens.outbox import OutboxScreen, conflict_content

from .test_incident_helpers import find_incident, notices, settle, text_of


def with_outbox(floor) -> int:
    arrival = find_incident(floor, "VV-7310-0925")
    floor.set_pending(
        c.Acknowledge(incident_id=arrival),
        c.AddNote(incident_id=arrival, text="met at car, escorted via private lift"),
    )
    floor.submit_as("dm1", c.Assign(incident_id=arrival, owner="h2"))
    floor.conflicts = (
        Conflict(
            command_id="refused-1",
            command=c.Resolve(incident_id=arrival, expected_version=1),
            issued_at=floor.now() - 120,
            code="conflict",
            reason=f"#{arrival} assigned to Riley C.",
            by="dm1",
            at=floor.now() - 60,
            summary=f"resolve #{arrival}",
        ),
    )
    return arrival


async def open_outbox(app, pilot) -> OutboxScreen:
    await pilot.pause()
    await pilot.press("o")
    await pilot.pause()
    assert isinstance(app.screen, OutboxScreen)
    return app.screen


async def test_pending_in_order_and_conflicts_with_the_current_state(
    static_floor, make_app
) -> None:
    floor = static_floor("h1")
    arrival = with_outbox(floor)
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_outbox(app, pilot)
        waiting = screen.query_one("#outbox-pending", OptionList)
        pending = [str(waiting.get_option_at_index(i).prompt) for i in range(waiting.option_count)]
        assert pending[0].startswith(" 1. acknowledge") and f"#{arrival}" in pending[0]
        assert pending[1].startswith(" 2. add_note") or pending[1].startswith(" 2. add note")
        assert "“met at car, escorte…”" in pending[1]  # which note it is
        conflicts = screen.query_one("#outbox-conflicts", OptionList)
        prompt = str(conflicts.get_option("refused-1").prompt)
        assert f"resolve #{arrival}: changed by someone else first" in prompt
        assert "by Dana K. at 02:12" in prompt
        assert f"#{arrival} now: in progress, Riley C., P2, L1" in prompt


async def test_dismiss_a_conflict(static_floor, make_app) -> None:
    floor = static_floor("h1")
    with_outbox(floor)
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_outbox(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        assert floor.conflicts == ()
        refused = screen.query_one("#outbox-conflicts", OptionList)
        assert refused.option_count == 0
        assert "none" in (refused.border_title or "")


async def test_enter_on_a_conflict_opens_its_incident_to_redo_it(static_floor, make_app) -> None:
    floor = static_floor("h1")
    arrival = with_outbox(floor)
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(1.2)  # settled: the incident screen made ahead
        await open_outbox(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, IncidentScreen) and screen.incident_id == arrival
        assert screen is app.get_screen(KEPT_NAME)  # the quick one the queue opens
        assert text_of(screen, "#incident-head").startswith(f"#{arrival} ")


async def test_withdraw_a_command_still_waiting_after_a_confirmation(
    static_floor, make_app
) -> None:
    floor = static_floor("h1")
    arrival = with_outbox(floor)
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_outbox(app, pilot)
        waiting = screen.query_one("#outbox-pending", OptionList)
        waiting.focus()
        await pilot.press("down")  # the note, second in line
        note = floor.pending[1]
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, YesNoModal)
        assert f"Withdraw {note.summary}? It has not been sent" in app.screen.question
        await pilot.press("escape")  # not this time: nothing changes
        await settle(app, pilot)
        assert len(floor.pending) == 2
        await pilot.press("w", "enter")
        await settle(app, pilot)
        assert [p.command.type for p in floor.pending] == ["acknowledge"]
        assert waiting.option_count == 1
        assert f"withdrawn: {note.summary} (never sent)" in notices(app)
        assert f"#{arrival}" in str(waiting.get_option_at_index(0).prompt)


async def test_a_command_already_sent_is_not_withdrawn_and_says_why(static_floor, make_app) -> None:
    floor = static_floor("h1")
    with_outbox(floor)
    floor.in_flight.add(floor.pending[0].command_id)
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_outbox(app, pilot)
        screen.query_one("#outbox-pending", OptionList).focus()
        await pilot.press("w", "enter")
        await settle(app, pilot)
        assert len(floor.pending) == 2
        assert any("waits for the server's answer" in n for n in notices(app))


def test_a_conflict_names_who_and_when_once(static_floor) -> None:
    floor = static_floor("h1")
    arrival = find_incident(floor, "VV-7310-0925")
    floor.submit_as("dm1", c.Assign(incident_id=arrival, owner="h2"))
    worded_by_server = Conflict(
        command_id="refused-2",
        command=c.Resolve(incident_id=arrival, expected_version=1),
        issued_at=floor.now() - 120,
        code="conflict",
        reason=f"#{arrival} assigned to Riley C. by Dana K.",
        by="dm1",
        at=floor.now() - 60,
    )
    text = conflict_content(worded_by_server, floor.state).plain
    assert f"#{arrival} assigned to Riley C. by Dana K. at 02:12" in text
    assert text.count("Dana K.") == 1


def test_a_conflict_on_an_incident_that_left_the_view_shows_no_current_state(
    static_floor,
) -> None:
    floor = static_floor("h1")
    left = Conflict(
        command_id="refused-3",
        command=c.Resolve(incident_id=999, expected_version=2),
        issued_at=floor.now() - 120,
        code="conflict",
        reason="#999 left your view: reassigned by Dana K.",
        by="dm1",
        at=floor.now() - 60,
    )
    text = conflict_content(left, floor.state).plain
    assert "#999 left your view: reassigned by Dana K. at 02:12" in text
    assert "incident not on this terminal" in text


async def test_a_command_this_version_cannot_send_is_listed_with_why(
    static_floor, make_app
) -> None:
    floor = static_floor("h1")
    floor.conflicts = (
        Conflict(
            command_id="old-1",
            command=None,
            issued_at=floor.now() - 300,
            code="unsendable",
            reason="queued by another floorline version in a form this one cannot send",
            summary="page the pit phone (not sendable)",
        ),
    )
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_outbox(app, pilot)
        prompt = str(screen.query_one("#outbox-conflicts", OptionList).get_option("old-1").prompt)
        assert "page the pit phone (not sendable): cannot be sent by this version" in prompt
        assert "another floorline version" in prompt
        await pilot.press("x")
        await settle(app, pilot)
        assert floor.conflicts == ()
