"""Snapshots of the escalation ladders: side by side when wide, stacked at 80 columns."""

from __future__ import annotations

import pytest

from domain.models import Chain

SIZES = [(80, 24), (120, 36)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_ladders(snap_compare, static_floor, make_app, size) -> None:
    assert snap_compare(make_app(static_floor("dm1")), terminal_size=size, press=["e"])


def test_gap_on_a_line(snap_compare, static_floor, make_app) -> None:
    floor = static_floor("dm1")
    roster = tuple(e for e in floor.truth.roster if not (e.chain is Chain.MAIN and e.line == 3))
    floor.truth = floor.truth.model_copy(update={"roster": roster})
    assert snap_compare(make_app(floor), terminal_size=(80, 24), press=["e"])
