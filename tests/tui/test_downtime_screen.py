"""The downtime board: journey 2, the jammed machine in the high-limit room."""

from __future__ import annotations

from textual.widgets import Digits, Input, Label, Select, Static

from domain import commands as c
from screens.downtime import DowntimeScreen
from tests.tui.conftest import field_focused
from tui.widgets.downtime_card import DowntimeCard

from .test_incident_helpers import notices, settle, text_of


def card_for(screen, asset_id: str) -> DowntimeCard:
    floor = screen.floor
    return next(
        card
        for card in screen.query(DowntimeCard)
        if floor.downtimes[card.downtime_id].asset_id == asset_id
    )


async def open_board(app, pilot) -> DowntimeScreen:
    await pilot.pause()
    await pilot.press("d")
    await pilot.pause()
    await pilot.pause()
    assert isinstance(app.screen, DowntimeScreen)
    return app.screen


async def test_timer_turns_amber_red_then_breached(static_floor, make_app) -> None:
    floor = static_floor("pb3")  # HL-1142 went down four minutes ago
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(app, pilot)
        digits = card_for(board, "HL-1142").query_one(Digits)
        assert digits.value == "4:00" and digits.has_class("-ok")
        for minutes, value, cls in ((3, "7:00", "-amber"), (2.5, "9:30", "-red")):
            floor.advance(minutes * 60)
            app.tick()
            await pilot.pause()
            assert digits.value == value and digits.has_class(cls)
        floor.advance(60)
        app.tick()
        await pilot.pause()
        assert digits.value == "10:30" and digits.has_class("-breached")
        card = card_for(board, "HL-1142")
        assert "MOVE THE PLAYER NOW" in str(card.query_one(".downtime-player", Static).content)


async def test_player_moved_then_back_up(static_floor, make_app) -> None:
    floor = static_floor("pb3")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        board = await open_board(app, pilot)
        await pilot.press("p")
        await pilot.press(*"HL-1150", "enter")
        await settle(app, pilot)
        downtime = next(d for d in floor.truth.downtimes.values() if d.asset_id == "HL-1142")
        assert floor.truth.downtimes[downtime.id].moved_to == "HL-1150"
        player = card_for(board, "HL-1142").query_one(".downtime-player", Static)
        assert str(player.content).startswith("player moved to HL-1150 at")

        floor.advance(25 * 60)
        app.tick()
        await pilot.press("u", "enter")  # and confirm
        await settle(app, pilot)
        assert floor.truth.downtimes[downtime.id].ended_at is not None
        assert not list(board.query(DowntimeCard))
        ended = text_of(board, "#downtime-ended")
        assert "HL-1142" in ended and "down   29:00" in ended


async def test_a_move_to_nowhere_is_refused_in_the_dialog_with_nothing_lost(
    static_floor, make_app
) -> None:
    floor = static_floor("pb3")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_board(app, pilot)
        await pilot.press("p")
        await pilot.press(*"table nine", "enter")
        await pilot.pause()
        dialog = app.screen
        assert "no table or machine 'table nine' on the floor" in text_of(dialog, "#dialog-hint")
        typed = dialog.query_one("#dialog-text", Input)
        assert typed.value == "table nine"  # still there to correct
        typed.value = "hl-1150"
        await pilot.press("enter")
        await settle(app, pilot)
        downtime = next(d for d in floor.truth.downtimes.values() if d.asset_id == "HL-1142")
        assert floor.truth.downtimes[downtime.id].moved_to == "HL-1150"


async def test_back_up_asks_first_and_escape_keeps_it_down(static_floor, make_app) -> None:
    floor = static_floor("pb3")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(app, pilot)
        await pilot.press("u")
        await pilot.pause()
        question = app.screen.query_one("#dialog .field-label", Label)
        assert str(question.content) == "HL-1142 is back up? Its downtime ends now, after 4:00."
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is board and floor.submitted == []
        assert card_for(board, "HL-1142")  # still down, its timer running


async def test_mark_down(static_floor, make_app) -> None:
    floor = static_floor("pb3")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        board = await open_board(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        modal = app.screen
        modal.query_one("#dialog-asset", Select).value = "HL-1150"
        modal.query_one("#dialog-reason", Input).focus()
        await field_focused(app, pilot, "dialog-reason")  # not the asset list it opened on
        await pilot.press(*"reel stuck", "enter")
        await settle(app, pilot)
        assert floor.submitted[-1] == c.StartDowntime(asset_id="HL-1150", reason="reel stuck")
        digits = card_for(board, "HL-1150").query_one(Digits)
        assert digits.value == "0:00"


async def test_a_host_may_not_mark_down(static_floor, make_app) -> None:
    floor = static_floor("h1")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_board(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, DowntimeScreen)
        assert "a host may not start downtime; allowed: admin, duty manager, pit boss" in (
            notices(app)
        )


async def test_a_card_told_its_time_before_it_is_mounted_shows_it_once_mounted(
    static_floor, make_app
) -> None:
    """A machine marked down just before a tick: the tick reaches its new card before
    the card's timer exists, and the card shows the time once it does."""
    floor = static_floor("pb3")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(app, pilot)
        downtime = next(d for d in floor.state.downtimes.values() if d.asset_id == "HL-1142")
        card = DowntimeCard(downtime.id)
        card.show(downtime, floor.state, downtime.started_at + 125)
        await board.mount(card)
        await pilot.pause()
        assert card.query_one(Digits).value == "2:05"
