"""End to end, as a new operator meets floorline: an empty database, the README's floor
imported with the CLI, its admin and a new pit boss signed in on two terminals, a cover
set by the duty manager on both ladders, the pit boss moved to another pit (still signed
in) and then signed out by a deactivation.

How long the cover and the sign-out take to show is printed (`pytest -s`), not
asserted: on a loaded machine a timed bound would only measure the machine.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList, Static

from api_client.errors import PinChangeRequired
from domain.commands import SetCover
from domain.models import Chain
from screens.escalation import EscalationScreen
from screens.login import LoginScreen
from screens.queue import QueueScreen
from screens.staff import StaffScreen
from screens.staff_modals import ChangeStaffModal, PinModal, StaffQuestionModal
from tests.backend.test_floor_file import PIN_LINE, floor_cli
from tests.conftest import BackendFactory
from tests.domain.test_floorfile import readme_example
from tests.tui.conftest import field_focused
from tests.tui.e2e import real_client, until
from tui.widgets.incident_table import IncidentTable

from .test_staff_screen import fill_add_dialog, highlight, rows


async def first_sign_in(app: Any, pilot: Any, pin: str, new_pin: str) -> None:
    """The one-time PIN, then a PIN of one's own twice, to the queue."""
    await until(pilot, lambda: isinstance(app.screen, LoginScreen))
    await field_focused(app, pilot)
    login = app.screen
    await pilot.press(*pin, "enter")
    await until(pilot, lambda: login.changing_pin and not login.busy)
    assert "this PIN was given to you once" in str(
        login.query_one("#login-message", Static).content
    )
    await pilot.press(*new_pin, "enter", *new_pin, "enter")
    await until(pilot, lambda: isinstance(app.screen, QueueScreen))
    # keys go to the queue itself, not to its filter, once the table has focus
    await until(pilot, lambda: isinstance(app.focused, IncidentTable))


async def open_ladder(app: Any, pilot: Any) -> None:
    """From the queue, the escalation screen with the rota's pit boss on main L3."""
    await pilot.press("e")
    await until(pilot, lambda: isinstance(app.screen, EscalationScreen))
    await until(pilot, lambda: "Alex R." in ladder_line(app, "main|3|pb1|pa"))


def ladder_line(app: Any, option_id: str) -> str:
    if not isinstance(app.screen, EscalationScreen):
        return ""
    try:
        return str(app.screen.query_one("#ladder-main", OptionList).get_option(option_id).prompt)
    except Exception:  # not on the ladder (yet)
        return ""


async def test_a_new_floor_from_an_empty_database_to_a_cover_and_a_sign_out(
    backend_factory: BackendFactory, make_app: Any, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    server = backend_factory(demo=False, db_url=db)
    assert any("floorline floor import" in line for line in server.output)  # says what to do
    floor = tmp_path / "floor.toml"
    floor.write_text(readme_example())
    done = floor_cli("import", floor, "--db", db)
    assert done.returncode == 0, done.stderr
    pins = dict(PIN_LINE.findall(done.stdout))

    office = make_app(
        None,
        source_factory=real_client(tmp_path / "office", "office"),
        server_url=server.url,
        staff_id="admin",
    )
    pit = make_app(
        None,
        source_factory=real_client(tmp_path / "pit-1", "pit-1"),
        server_url=server.url,
        staff_id="pb4",
    )
    duty_manager = real_client(tmp_path / "dm", "night-office")(server.url)
    async with office.run_test(size=(80, 24)) as desk, pit.run_test(size=(80, 24)) as floor_:
        await first_sign_in(office, desk, pins["admin"], "246810")
        await desk.press("S")
        await until(desk, lambda: isinstance(office.screen, StaffScreen))
        staff = office.screen
        assert isinstance(staff, StaffScreen)
        await fill_add_dialog(desk, "pb4", "Quinn B.", role_downs=2, pit_downs=1)
        await until(desk, lambda: getattr(office.focused, "id", None) == "pin-done")
        assert isinstance(office.screen, PinModal)
        pb4_pin = str(office.screen.query_one("#pin-value", Static).content)
        await desk.press("enter")
        await until(desk, lambda: ["pb4", "Quinn B.", "pit boss", "1", "active"] in rows(staff))

        await first_sign_in(pit, floor_, pb4_pin, "135790")
        await desk.press("escape")  # the staff screen, back to the queue
        await until(desk, lambda: isinstance(office.screen, QueueScreen))
        for app, pilot in ((office, desk), (pit, floor_)):
            await open_ladder(app, pilot)

        with pytest.raises(PinChangeRequired):
            await duty_manager.sign_in("dm1", pins["dm1"])
        await duty_manager.change_pin("dm1", pins["dm1"], "864200")
        await duty_manager.start()
        await until(desk, lambda: "dm2" in duty_manager.state.staff)
        started = time.monotonic()
        await duty_manager.submit(
            SetCover(
                chain=Chain.MAIN,
                line=3,
                staff_id="dm2",
                until=time.time() + 3600,
                reason="Alex R. called to the high-limit room",
            )
        )

        def both_show_the_cover() -> bool:
            return all(
                "(cover to" in ladder_line(app, "main|3|dm2|radio")
                and ladder_line(app, "main|3|pb1|pa") == ""
                for app in (office, pit)
            )

        await until(desk, both_show_the_cover)
        print(f"\ncover on both ladders after {time.monotonic() - started:.3f} s")
        assert "Chris N." in ladder_line(pit, "main|3|dm2|radio")

        await desk.press("escape")
        await until(desk, lambda: isinstance(office.screen, QueueScreen))
        await desk.press("S")
        await until(desk, lambda: isinstance(office.screen, StaffScreen))
        staff = office.screen
        assert isinstance(staff, StaffScreen)
        await highlight(desk, staff, "pb4")

        # a move to pit 2 keeps the pit boss signed in, now in the new pit
        signed_out: list[bool] = []

        def in_pit_2() -> bool:
            signed_out.append(isinstance(pit.screen, LoginScreen))
            me = pit.source.me
            return me is not None and me.pit == "2"

        await desk.press("enter")  # enter on a row: change role and pit
        await until(desk, lambda: isinstance(office.screen, ChangeStaffModal))
        await desk.press("tab", "enter", "down", "enter", "tab", "enter")  # pit 1 -> 2, save
        await until(floor_, in_pit_2)
        await until(desk, lambda: ["pb4", "Quinn B.", "pit boss", "2", "active"] in rows(staff))
        assert not any(signed_out) and isinstance(pit.screen, EscalationScreen)

        await desk.press("x")
        await until(desk, lambda: isinstance(office.screen, StaffQuestionModal))
        started = time.monotonic()
        await desk.press("enter")
        await until(floor_, lambda: isinstance(pit.screen, LoginScreen))
        print(f"pit boss's terminal at sign-in after {time.monotonic() - started:.3f} s")
        await until(
            desk, lambda: ["pb4", "Quinn B.", "pit boss", "2", "deactivated"] in rows(staff)
        )
    await duty_manager.close()
