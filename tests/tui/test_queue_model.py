"""Typing on in the filter narrows the rows shown; it must match a full rebuild."""

from __future__ import annotations

from tui.queue_model import Filters, QueueModel, View


def test_narrowing_as_you_type_matches_a_full_rebuild(static_floor) -> None:
    floor = static_floor("dm1")
    me, state = floor.me, floor.state
    typed = Filters(view=View.FLOOR)
    model = QueueModel()
    model.rebuild(state, me, typed)
    shown_before = len(model.ids)
    for text in ("b", "bj", "bj-0", "bj-07"):
        typed.text = text
        model.narrow(state, me, typed)
        fresh = QueueModel()
        fresh.rebuild(state, me, Filters(view=View.FLOOR, text=text))
        assert model.ids == fresh.ids, text
    assert 0 < len(model.ids) < shown_before
