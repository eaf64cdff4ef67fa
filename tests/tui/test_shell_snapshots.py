"""How the sign-in, lock and keys help look at 80x24 and 120x36."""

from __future__ import annotations

import pytest

from tests.tui.conftest import field_focused

SIZES = [(80, 24), (120, 36)]


@pytest.mark.parametrize("size", SIZES)
def test_login(snap_compare, static_floor, make_app, size) -> None:
    app = make_app(
        static_floor(None), staff_id="pb2", login_hint="Built-in demo floor. Try pb2 / 1002."
    )
    assert snap_compare(app, terminal_size=size)


def test_login_error(snap_compare, static_floor, make_app) -> None:
    app = make_app(static_floor(None), staff_id="pb2")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_typed_wrong_pin)


async def _typed_wrong_pin(pilot) -> None:
    await field_focused(pilot.app, pilot)
    await pilot.press(*"1234", "enter")
    for _ in range(3):
        busy = [w for w in pilot.app.workers if w.group == "session"]
        await pilot.app.workers.wait_for_complete(busy)
        await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_lock(snap_compare, static_floor, make_app, size) -> None:
    app = make_app(static_floor("pb2"))
    assert snap_compare(app, terminal_size=size, press=["ctrl+l"])


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, static_floor, make_app, size) -> None:
    app = make_app(static_floor("pb2"))
    assert snap_compare(app, terminal_size=size, press=["question_mark"])
