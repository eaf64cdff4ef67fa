"""How the floor map looks: the demo floor at 80x24 and 160x45, each theme, a cell's list."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_floor_map(snap_compare, static_floor, make_app, size) -> None:
    assert snap_compare(make_app(static_floor("dm1")), terminal_size=size, press=["L"])


@pytest.mark.parametrize("theme", ["night", "high-contrast"])
def test_floor_map_in_theme(snap_compare, static_floor, make_app, theme) -> None:
    app = make_app(static_floor("dm1"), theme=theme)
    # on the first red cell, so the cursor over a P1 shows too
    assert snap_compare(app, terminal_size=(80, 24), press=["L", "r"])


def test_floor_map_of_a_pit_boss(snap_compare, static_floor, make_app) -> None:
    assert snap_compare(make_app(static_floor("pb2")), terminal_size=(80, 24), press=["L"])


def test_floor_map_cell_list(snap_compare, static_floor, make_app) -> None:
    # BJ-02 holds four open incidents: the first red cell, and enter lists them
    app = make_app(static_floor("dm1"))
    assert snap_compare(app, terminal_size=(80, 24), press=["L", "r", "enter"])
