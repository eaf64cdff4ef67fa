"""A locked terminal hides player details on every screen, not only the queue.

Each test shows a screen with a player's details on it, locks the terminal
(ctrl+l, as a person steps away) and reads what the terminal shows then: the
lock over its own masked queue, which must not carry any of it. The screen
under the lock is out of view; it hides its details as well, so that nothing
would show should a dialog ever let it through.
"""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select

from domain import commands as c
from domain.models import IncidentKind
from screens.lock import LockScreen
from screens.new_incident import NewIncidentScreen
from screens.player_care import PlayerScreen
from screens.reports import ReportsScreen

from .test_incident_helpers import find_incident, screen_text, settle

VVIP_HAND = "VV-2231-4411"  # journey 1, BJ-07: shown as VV-****-4411
LATE_PAYMENT = "VP-6402-1187"  # journey 4: the late P1 on the payments chain


async def _lock(app, pilot) -> str:
    await pilot.press("ctrl+l")
    await pilot.pause()
    assert isinstance(app.screen, LockScreen)
    await pilot.pause()
    return screen_text(app)


def _hides_its_details(screen) -> None:
    assert screen.has_class("-locked")
    details = list(screen.query(".player-detail"))
    assert details and not [widget for widget in details if widget.display]


async def test_the_queue_masks_players_when_locked(static_floor, make_app) -> None:
    app = make_app(static_floor("dm1"))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"VV-", "enter")  # a player's card typed in the filter
        await pilot.pause()
        before = screen_text(app)
        assert "VV-****-4411" in before and "VV-" in before
        shown = await _lock(app, pilot)
        assert "****-" not in shown and "VV-" not in shown


async def test_the_incident_screen_hides_player_summary_notes_and_recovery(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    late = find_incident(floor, LATE_PAYMENT)
    floor.submit_as("dm1", c.AddNote(incident_id=late, text="call at 9"))
    floor.submit_as("dm1", c.RecordCompensation(incident_id=late, text="accepted: 500 free play"))
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.action_open_incident(late)
        await settle(app, pilot)
        before = screen_text(app)
        details = ("VP-****-1187", "deposit charged twice", "call at 9", "500 free play")
        assert all(detail in before for detail in details), before
        incident = app.screen
        shown = await _lock(app, pilot)
        assert not [detail for detail in details if detail in shown], shown
        _hides_its_details(incident)


async def test_the_new_incident_form_hides_what_was_typed(static_floor, make_app) -> None:
    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NewIncidentScreen)
        form.query_one("#new-kind", Select).value = IncidentKind.TABLE_DISPUTE
        form.query_one("#new-reference", Input).value = "VV-7001-5150"
        form.query_one("#new-summary", Input).value = "player says the dealer misread"
        await pilot.pause()
        assert "VV-7001-5150" in screen_text(app)
        shown = await _lock(app, pilot)
        assert "7001" not in shown and "dealer misread" not in shown
        # and nothing typed is lost: unlocked, the form is as it was
        await pilot.press(*floor_pin(app), "enter")
        await settle(app, pilot)
        assert app.screen is form
        assert form.query_one("#new-reference", Input).value == "VV-7001-5150"
        assert "VV-7001-5150" in screen_text(app)


async def test_a_dialog_open_when_the_terminal_locks_hides_its_text(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, VVIP_HAND)
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.action_open_incident(bj07)
        await settle(app, pilot)
        # one letter over and over, longer than the field: the lock dialog is narrower
        # than this one, so any sliver of the text still showing beside it is caught
        await pilot.press("m", *"Q" * 80)
        await pilot.pause()
        assert "QQQQ" in screen_text(app)
        app.action_lock()  # the auto-lock, while the dialog is open
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        assert "QQ" not in screen_text(app)


async def test_ctrl_l_locks_from_inside_a_dialog_too(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, VVIP_HAND)
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.action_open_incident(bj07)
        await settle(app, pilot)
        await pilot.press("m", *"player asked")
        await pilot.pause()
        await pilot.press("ctrl+l")  # stepping away with the note half typed
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press(*floor_pin(app), "enter")
        await settle(app, pilot)
        # back where they were, nothing typed lost
        assert app.screen.query_one("#dialog-text", Input).value == "player asked"


async def test_the_downtime_board_escalation_ladder_and_outbox_show_no_player(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    late = find_incident(floor, LATE_PAYMENT)
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.action_open_incident(late)
        await settle(app, pilot)
        for key in ("d", "e", "o", "escape", "escape", "escape", "g"):
            await pilot.press(key)
            await settle(app, pilot)
            if key == "escape":
                continue
            shown = await _lock(app, pilot)
            assert "VP-" not in shown and "deposit charged twice" not in shown, (key, shown)
            await pilot.press(*floor_pin(app), "enter")
            await settle(app, pilot)
            assert not isinstance(app.screen, LockScreen)


async def test_the_player_view_shows_nothing_of_the_player(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    late = find_incident(floor, LATE_PAYMENT)
    floor.submit_as("dm1", c.RecordCompensation(incident_id=late, text="accepted: 500 free play"))
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.action_open_incident(late)
        await settle(app, pilot)
        await pilot.press("P")
        await settle(app, pilot)
        assert isinstance(app.screen, PlayerScreen)
        before = screen_text(app)
        details = ("VP-****-1187", "500 free play")
        assert all(detail in before for detail in (*details, "VIP")), before
        player = app.screen
        shown = await _lock(app, pilot)
        assert not [detail for detail in details if detail in shown], shown
        _hides_its_details(player)  # its tier too (the lock's queue keeps tiers, masked)
        await pilot.press(*floor_pin(app), "enter")
        await settle(app, pilot)
        assert "VP-****-1187" in screen_text(app)  # all there again once unlocked


async def test_the_reports_list_hides_summary_root_cause_and_measures(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    late = find_incident(floor, LATE_PAYMENT)
    floor.submit_as(
        "dm1",
        c.FileReport(
            incident_id=late,
            root_cause="gateway timeout charged the player twice",
            measures="refund desk paged on the second charge",
        ),
    )
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("F")
        await settle(app, pilot)
        reports = app.screen
        assert isinstance(reports, ReportsScreen)
        table = reports.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(late)))
        await settle(app, pilot)
        before = screen_text(app)
        details = ("deposit charged twice", "gateway timeout", "refund desk")
        assert all(detail in before for detail in details), before
        shown = await _lock(app, pilot)
        assert not [detail for detail in details if detail in shown], shown
        _hides_its_details(reports)
        await pilot.press(*floor_pin(app), "enter")
        await settle(app, pilot)
        assert all(detail in screen_text(app) for detail in details)


def floor_pin(app) -> str:
    source = app.source
    return source.pins[source.me.id]
