"""Snapshots of the staff screen: the demo floor's staff, one deactivated, and the add dialog."""

from __future__ import annotations

import pytest

from domain.decide import Actor
from domain.staff_admin import SetStaffActive, decide_floor

SIZES = [(80, 24), (120, 36)]


def with_one_deactivated(floor) -> None:
    """h3 left: listed after the active staff, greyed."""
    command = SetStaffActive(staff_id="h3", active=False)
    events = decide_floor(floor.truth, command, Actor(floor.truth.staff["admin"]), floor.now())
    floor._fold(events)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_staff(snap_compare, static_floor, make_app, size) -> None:
    floor = static_floor("admin")
    with_one_deactivated(floor)
    assert snap_compare(make_app(floor), terminal_size=size, press=["S", "down", "down"])


def test_add_dialog(snap_compare, static_floor, make_app) -> None:
    floor = static_floor("admin")
    app = make_app(floor)
    assert snap_compare(app, terminal_size=(80, 24), press=["S", "a", *"pb4", "enter", *"Quinn B."])
