"""How the queue looks: both terminal sizes, each theme, and offline (frozen clock and data)."""

from __future__ import annotations

import pytest

from api_client.contract import ConnectionStatus, Link
from tests.tui.conftest import BASE_TIME


@pytest.mark.parametrize(
    ("staff", "size"), [("pb2", (80, 24)), ("dm1", (80, 24)), ("dm1", (120, 36))]
)
def test_queue(snap_compare, static_floor, make_app, staff, size) -> None:
    assert snap_compare(make_app(static_floor(staff)), terminal_size=size)


@pytest.mark.parametrize("theme", ["night", "high-contrast"])
def test_queue_in_theme(snap_compare, static_floor, make_app, theme) -> None:
    assert snap_compare(make_app(static_floor("dm1"), theme=theme), terminal_size=(80, 24))


def test_queue_offline(snap_compare, static_floor, make_app) -> None:
    floor = static_floor("h1")
    floor.set_status(ConnectionStatus(Link.OFFLINE, since=BASE_TIME - 125, pending=3))
    assert snap_compare(make_app(floor), terminal_size=(80, 24))


def test_queue_filtered(snap_compare, static_floor, make_app) -> None:
    app = make_app(static_floor("dm1"))
    assert snap_compare(app, terminal_size=(80, 24), press=["slash", *"BJ-0", "enter", "1"])
