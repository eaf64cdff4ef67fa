"""End to end: an admin adds a pit boss on the staff screen; the PIN shown signs them in once,
to choose their own, at their own terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from api_client.errors import SignInFailed
from domain.models import Role
from screens.login import LoginScreen
from screens.queue import QueueScreen
from screens.staff import StaffScreen
from screens.staff_modals import PinModal
from tests.backend.helpers import Terminal, open_p1
from tests.conftest import BackendProcess
from tests.tui.conftest import field_focused
from tests.tui.e2e import real_client, sign_in_on_screen, until
from tui.widgets.incident_table import IncidentTable

from .test_staff_screen import fill_add_dialog, rows

NEW_PIN = "482913"


def office_app(make_app: Any, backend: BackendProcess, tmp_path: Path) -> Any:
    """The admin's terminal, on its own files, against the real backend."""
    return make_app(
        None,
        source_factory=real_client(tmp_path / "office", "office"),
        server_url=backend.url,
        staff_id="admin",
    )


async def test_an_added_pit_boss_signs_in_with_the_pin_shown_and_chooses_their_own(
    backend: BackendProcess, make_app, tmp_path: Path
) -> None:
    office = office_app(make_app, backend, tmp_path)
    async with office.run_test(size=(80, 24), notifications=True) as pilot:
        await sign_in_on_screen(office, pilot, backend, "admin")

        def floor_in() -> bool:  # the first snapshot, on a queue ready for keys
            tables = office.screen.query(IncidentTable)
            return bool(tables) and tables.first().row_count > 0

        await until(pilot, floor_in)
        await pilot.press("S")
        await until(pilot, lambda: isinstance(office.screen, StaffScreen))
        staff = office.screen
        assert isinstance(staff, StaffScreen)

        await fill_add_dialog(pilot, "pb4", "Quinn B.", role_downs=2, pit_downs=1)
        # up and ready for the key that closes it
        await until(pilot, lambda: getattr(office.focused, "id", None) == "pin-done")
        assert isinstance(office.screen, PinModal)
        pin = str(office.screen.query_one("#pin-value", Static).content)
        assert pin.isdigit()
        await pilot.press("enter")
        # listed once the server's event comes back on the live feed
        await until(pilot, lambda: ["pb4", "Quinn B.", "pit boss", "1", "active"] in rows(staff))

    pit = make_app(
        None,
        source_factory=real_client(tmp_path / "pit-1", "pit-1"),
        server_url=backend.url,
        staff_id="pb4",
    )
    async with pit.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(pit.screen, LoginScreen))
        await field_focused(pit, pilot)  # keys typed before would land in another field
        login = pit.screen
        assert isinstance(login, LoginScreen)
        await pilot.press(*pin, "enter")
        await until(pilot, lambda: login.changing_pin and not login.busy)
        message = str(login.query_one("#login-message", Static).content)
        assert message.startswith("Quinn B., this PIN was given to you once: choose your own")

        await pilot.press(*NEW_PIN, "enter", *NEW_PIN, "enter")
        await until(pilot, lambda: isinstance(pit.screen, QueueScreen))
        me = pit.source.me
        assert me is not None and (me.id, me.role, me.pit) == ("pb4", Role.PIT_BOSS, "1")

    # the PIN shown worked once: now only their own does
    check = real_client(tmp_path / "check", "check")(backend.url)
    try:
        with pytest.raises(SignInFailed):
            await check.sign_in("pb4", pin)
        assert (await check.sign_in("pb4", NEW_PIN)).id == "pb4"
    finally:
        await check.close()


async def journal_head(backend: BackendProcess) -> tuple[int, str]:
    admin = await Terminal.sign_in(backend.url, "admin", backend.pins["admin"])
    try:
        answer = await admin.http.get("/v1/audit/head")
    finally:
        await admin.close()
    assert answer.status_code == 200, answer.text
    head = answer.json()
    return head["seq"], head["hash"]


async def test_the_admin_reads_the_journal_head_to_write_down_and_reads_it_again(
    backend: BackendProcess, make_app, tmp_path: Path
) -> None:
    office = office_app(make_app, backend, tmp_path)
    async with office.run_test(size=(80, 24)) as pilot:
        await sign_in_on_screen(office, pilot, backend, "admin")
        await until(pilot, lambda: isinstance(office.screen, QueueScreen))
        await pilot.press("S")
        await until(pilot, lambda: isinstance(office.screen, StaffScreen))
        staff = office.screen

        def shown() -> str:
            return str(staff.query_one("#staff-journal", Static).content)

        seq, digest = await journal_head(backend)
        await until(pilot, lambda: digest in shown())
        assert f"entry {seq:,}" in shown()

        # the head moves with every command the server journals; j reads it again
        dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
        try:
            await dm.accepted(open_p1())
        finally:
            await dm.close()
        later_seq, later_digest = await journal_head(backend)
        assert later_digest != digest
        await pilot.press("j")
        await until(pilot, lambda: later_digest in shown())
        assert f"entry {later_seq:,}" in shown()
