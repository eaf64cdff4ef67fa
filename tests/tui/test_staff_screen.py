"""The staff screen: adding someone (their PIN shown once), deactivating, refusals, offline."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App
from textual.widgets import DataTable, Input, Static

from api_client.contract import ConnectionStatus, Link
from domain.models import Role
from domain.protocol import StaffPin
from screens.lock import LockScreen
from screens.modals import YesNoModal
from screens.queue import QueueScreen
from screens.staff import StaffScreen
from screens.staff_modals import AddStaffModal, ChangeStaffModal, PinModal
from tests.tui.conftest import FakeStaffAdmin, StaticFloor, field_focused, settle

from .test_incident_helpers import notices


async def open_staff(app: App[object], pilot: Any) -> StaffScreen:
    await pilot.pause()
    await pilot.press("S")
    await pilot.pause()
    assert isinstance(app.screen, StaffScreen)
    return app.screen


def rows(screen: StaffScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def row_of(screen: StaffScreen, staff_id: str) -> tuple[int, list[str]]:
    found = [(i, row) for i, row in enumerate(rows(screen)) if row[0] == staff_id]
    assert found, f"{staff_id} is not listed"
    return found[0]


async def highlight(pilot: Any, screen: StaffScreen, staff_id: str) -> None:
    """Move the cursor down to a member, as the user would."""
    table = screen.query_one(DataTable)
    index, _ = row_of(screen, staff_id)
    await pilot.press(*["down"] * (index - table.cursor_row))
    assert table.cursor_row == index


def everything_shown(app: App[object]) -> str:
    """The text of every widget on every screen still open (toasts too)."""
    parts: list[str] = []
    for screen in app.screen_stack:
        for widget in screen.query("*"):
            if isinstance(widget, Static):
                parts.append(str(widget.content))
            elif isinstance(widget, Input):
                parts.append(widget.value)
            elif isinstance(widget, DataTable):
                parts.extend(
                    " ".join(map(str, r)) for r in map(widget.get_row_at, range(widget.row_count))
                )
    return "\n".join(parts)


async def fill_add_dialog(
    pilot: Any, staff_id: str, name: str, *, role_downs: int, pit_downs: int
) -> None:
    """Type an ID and a name, pick the role and the pit from their lists (by keys), add."""
    app = pilot.app
    await pilot.press("a")
    # each step once the dialog is where a person would see it (keys typed ahead land elsewhere)
    await field_focused(app, pilot, "staff-id")
    await pilot.press(*staff_id, "enter")
    await field_focused(app, pilot, "staff-name")
    await pilot.press(*name, "tab")
    await field_focused(app, pilot, "staff-role")
    await pilot.press("enter", *["down"] * role_downs, "enter")
    await pilot.press("tab")
    await field_focused(app, pilot, "staff-pit")
    await pilot.press("enter", *["down"] * pit_downs, "enter")
    await pilot.press("tab", "enter")  # on to Add


async def test_a_new_member_is_added_and_their_one_time_pin_shown_once(
    static_floor, make_app
) -> None:
    floor = static_floor("admin")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_staff(app, pilot)
        assert row_of(screen, "pb2")[1] == ["pb2", "Jordan T.", "pit boss", "2", "active"]

        # roles list host, pit boss, ...; pits 1, 2, 3 (each after the blank)
        await fill_add_dialog(pilot, "pb4", "Quinn B.", role_downs=2, pit_downs=1)
        await settle(app, pilot)

        pin = floor.pins["pb4"]  # what the server made, and answered once
        assert floor.truth.staff["pb4"].role is Role.PIT_BOSS
        assert isinstance(app.screen, PinModal)
        assert str(app.screen.query_one("#pin-value", Static).content) == pin
        assert "Quinn B. (pb4)" in str(app.screen.query_one("#pin-title", Static).content)
        # the new member is listed from the event, like on every other terminal
        assert row_of(screen, "pb4")[1] == ["pb4", "Quinn B.", "pit boss", "1", "active"]
        assert "Quinn B. (pb4) added as pit boss of pit 1" in notices(app)

        assert pin in everything_shown(app)
        # escape and the screen keys leave it up: it goes only once it is noted
        await pilot.press("escape", "d")
        await pilot.pause()
        assert isinstance(app.screen, PinModal)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen_stack[-1] is screen
        assert not any(isinstance(s, PinModal) for s in app.screen_stack)
        assert pin not in everything_shown(app)
        assert all(pin not in message for message in notices(app))


async def test_deactivating_moves_the_row_to_the_deactivated_and_back(
    static_floor, make_app
) -> None:
    floor = static_floor("admin")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_staff(app, pilot)
        await highlight(pilot, screen, "pb2")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, YesNoModal)
        await pilot.press("enter")
        await settle(app, pilot)

        assert "pb2" in floor.truth.inactive_staff
        listed = rows(screen)
        assert listed[-1] == ["pb2", "Jordan T.", "pit boss", "2", "deactivated"]
        assert [r[0] for r in listed[:-1]] == [
            "admin", "dm1", "dm2", "h1", "h2", "h3", "pb1", "pb3"
        ]  # fmt: skip
        assert str(screen.query_one("#staff-head", Static).content).startswith(
            "Staff: 8 active, 1 deactivated"
        )
        # the cursor went with them: `r` undoes it
        assert screen.query_one(DataTable).cursor_row == len(listed) - 1
        await pilot.press("r")
        await settle(app, pilot)
        assert "pb2" in floor.truth.staff
        assert row_of(screen, "pb2") == (7, ["pb2", "Jordan T.", "pit boss", "2", "active"])


async def test_a_pit_boss_is_told_staff_administration_is_for_admins(
    static_floor, make_app
) -> None:
    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert "Staff: a pit boss may not change staff or the floor; admins only" in notices(app)


async def test_a_refused_add_comes_back_with_what_was_typed_and_the_servers_words(
    static_floor, make_app
) -> None:
    floor = static_floor("admin")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_staff(app, pilot)
        await fill_add_dialog(pilot, "pb1", "Quinn B.", role_downs=2, pit_downs=1)
        await settle(app, pilot)

        dialog = app.screen
        assert isinstance(dialog, AddStaffModal)
        hint = str(dialog.query_one("#dialog-hint", Static).content)
        assert hint == "staff ID 'pb1' is already taken"
        assert dialog.query_one("#staff-id", Input).value == "pb1"
        assert dialog.query_one("#staff-name", Input).value == "Quinn B."
        assert floor.truth.staff["pb1"].name == "Alex R."

        # the ID has the cursor, all of it selected: type another and add, nothing else retyped
        assert app.focused is dialog.query_one("#staff-id", Input)
        await pilot.press(*"pb4", "enter")  # enter goes on to the name
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PinModal)
        assert floor.truth.staff["pb4"].name == "Quinn B."
        assert floor.truth.staff["pb4"].pit == "1"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen_stack[-1] is screen


async def test_the_last_admin_is_not_deactivated_and_the_server_says_why(
    static_floor, make_app
) -> None:
    floor = static_floor("admin")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_staff(app, pilot)
        await highlight(pilot, screen, "admin")
        await pilot.press("x")
        await pilot.pause()
        assert "That is you" in str(app.screen.query_one(".field-label", Static).content)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert "admin" in floor.truth.staff
        assert "Floor Admin is the last active admin: make someone else an admin first" in notices(
            app
        )
        assert row_of(screen, "admin")[1][-1] == "active"


async def test_a_role_change_and_a_pin_reset(static_floor, make_app) -> None:
    floor = static_floor("admin")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_staff(app, pilot)
        await highlight(pilot, screen, "h3")
        await pilot.press("enter")  # enter on a row: change role and pit
        await pilot.pause()
        assert isinstance(app.screen, ChangeStaffModal)
        # host -> pit boss (one down), then a pit: 3 (after the blank)
        await pilot.press("enter", "down", "enter", "tab", "enter", "down", "down", "down", "enter")
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert app.screen_stack[-1] is screen
        assert floor.truth.staff["h3"].role is Role.PIT_BOSS
        assert row_of(screen, "h3")[1] == ["h3", "Casey L.", "pit boss", "3", "active"]
        assert "Casey L. (h3) is now pit boss of pit 3" in notices(app)

        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, YesNoModal)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PinModal)
        assert str(app.screen.query_one("#pin-value", Static).content) == floor.pins["h3"]
        assert str(app.screen.query_one("#pin-title", Static).content).startswith(
            "New one-time PIN for Casey L. (h3)"
        )


async def test_offline_it_says_staff_changes_need_the_server(static_floor, make_app) -> None:
    floor = static_floor("admin")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_staff(app, pilot)
        floor.set_status(ConnectionStatus(Link.OFFLINE, since=floor.now() - 30))
        await settle(app, pilot)
        note = str(screen.query_one("#staff-note", Static).content)
        assert note.startswith("Offline: staff changes need the server (they are not queued)")

        await highlight(pilot, screen, "pb2")
        for key in ("a", "x", "p", "c"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen  # no dialog to fill in for nothing
        assert (
            "Staff changes need the server, and this terminal is offline: nothing was changed"
            " (they are not queued)." in notices(app)
        )
        assert "pb2" in floor.truth.staff


class HeldStaffAdmin(FakeStaffAdmin):
    """Answers only once the test lets it: the call is on its way meanwhile."""

    answer = asyncio.Event()

    async def reset_pin(self, staff_id: str) -> StaffPin:
        await self.answer.wait()
        return await super().reset_pin(staff_id)


class SlowFloor(StaticFloor):
    @property
    def staff_admin(self) -> HeldStaffAdmin:
        return HeldStaffAdmin(self)


async def test_a_pin_answered_while_locked_waits_for_the_unlock(make_app) -> None:
    floor = SlowFloor("admin")
    HeldStaffAdmin.answer = asyncio.Event()
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_staff(app, pilot)
        await highlight(pilot, screen, "h1")
        await pilot.press("p", "enter")
        await pilot.pause()
        note = str(screen.query_one("#staff-note", Static).content)
        assert note == "resetting the PIN of Sam P. (h1): waiting for the server's answer"
        # leaving now would drop the answer on its way: it waits
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert "still resetting the PIN of Sam P. (h1): wait for the server's answer" in notices(
            app
        )

        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        HeldStaffAdmin.answer.set()
        await settle(app, pilot)
        pin = floor.pins["h1"]
        assert isinstance(app.screen, LockScreen)  # not shown over the lock
        assert not any(isinstance(s, PinModal) for s in app.screen_stack)

        await pilot.press(*floor.pins["admin"], "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PinModal)
        assert str(app.screen.query_one("#pin-value", Static).content) == pin
