"""Snapshots of the downtime board: a machine past 10:00, a moved table, one just down."""

from __future__ import annotations

import pytest

SIZES = [(80, 24), (120, 36)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_downtime_board(snap_compare, static_floor, make_app, size) -> None:
    assert snap_compare(make_app(static_floor("dm1")), terminal_size=size, press=["d"])
