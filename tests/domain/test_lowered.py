"""A lowered priority stays marked until a duty manager has seen it."""

from __future__ import annotations

from domain import commands as c
from domain.lowered import LoweringMemo, unseen_lowering
from domain.models import Priority
from tests.domain.floor import T0, Floor


def test_a_lowering_stays_unseen_until_a_duty_manager_acts_on_the_incident() -> None:
    floor = Floor()
    number = floor.open()  # P1
    floor.run("pb2", c.SetPriority(incident_id=number, priority=Priority.P4, reason="no error"), T0)
    lowering = unseen_lowering(floor.state.incidents[number], floor.state)
    assert lowering is not None
    assert (lowering.previous, lowering.priority, lowering.by) == ("P1", "P4", "pb2")
    # a host's note is no duty manager's eye on it
    floor.run("h1", c.AddNote(incident_id=number, text="player calm"), T0 + 60)
    assert unseen_lowering(floor.state.incidents[number], floor.state) is not None
    floor.run("dm1", c.AddNote(incident_id=number, text="seen, agreed"), T0 + 120)
    assert unseen_lowering(floor.state.incidents[number], floor.state) is None
    # lowered again later: marked again
    floor.run("pb2", c.SetPriority(incident_id=number, priority=Priority.P2), T0 + 180)
    assert unseen_lowering(floor.state.incidents[number], floor.state) is None  # raised
    floor.run("pb2", c.SetPriority(incident_id=number, priority=Priority.P3, reason="ok"), T0 + 240)
    assert unseen_lowering(floor.state.incidents[number], floor.state) is not None


def test_a_duty_managers_own_lowering_is_no_mark_and_the_memo_follows_changes() -> None:
    floor = Floor()
    theirs, ours = floor.open(), floor.open()
    floor.run("dm1", c.SetPriority(incident_id=ours, priority=Priority.P3, reason="fixed"), T0)
    memo = LoweringMemo()
    assert memo.unseen(floor.state) == []
    floor.run("pb2", c.SetPriority(incident_id=theirs, priority=Priority.P2, reason="x"), T0 + 5)
    memo.update(floor.state, [theirs])
    assert [lowering.incident_id for lowering in memo.unseen(floor.state)] == [theirs]
    floor.run("dm1", c.Acknowledge(incident_id=theirs), T0 + 9)
    memo.update(floor.state, [theirs])
    assert memo.unseen(floor.state) == []
    floor.run("pb2", c.SetPriority(incident_id=ours, priority=Priority.P4, reason="y"), T0 + 12)
    memo.update(floor.state)  # a new floor: every incident worked out again
    assert [lowering.incident_id for lowering in memo.unseen(floor.state)] == [ours]
