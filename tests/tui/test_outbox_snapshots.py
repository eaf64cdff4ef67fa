"""Snapshots of the outbox: two commands waiting and one refused (journey 3)."""

from __future__ import annotations

import pytest

from .test_outbox_screen import with_outbox

SIZES = [(80, 24), (120, 36)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_outbox(snap_compare, static_floor, make_app, size) -> None:
    floor = static_floor("h1")
    with_outbox(floor)
    assert snap_compare(make_app(floor), terminal_size=size, press=["o"])
