"""The reducer is deterministic: any replica folding the same events equals the server."""

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import commands as c
from domain.decide import Rejected
from domain.models import IncidentState, Priority
from domain.reducer import fold
from domain.state import FloorState
from tests.domain.floor import STAFF, T0, Floor

ACTORS = sorted(STAFF)

# one random step: (actor, command builder given an incident id, seconds later)
command_builders = st.sampled_from(
    [
        lambda n: c.Acknowledge(incident_id=n, note="seen"),
        lambda n: c.Take(incident_id=n),
        lambda n: c.Assign(incident_id=n, owner="h1"),
        lambda n: c.AddNote(incident_id=n, text="called the player"),
        lambda n: c.SetPriority(incident_id=n, priority=Priority.P2, reason="workaround found"),
        lambda n: c.Escalate(incident_id=n, reason="player upset"),
        lambda n: c.Acknowledge(incident_id=n, eta_minutes=5),
        lambda n: c.Stabilise(incident_id=n),
        lambda n: c.Resolve(incident_id=n),
        lambda n: c.Reopen(incident_id=n),
        lambda n: c.Close(incident_id=n),
        lambda n: c.RecordCompensation(incident_id=n, text="500 free play"),
        lambda n: c.AutoEscalate(incident_id=n, line=2),
    ]
)
steps = st.lists(
    st.tuples(
        st.sampled_from([*ACTORS, None]), command_builders, st.integers(1, 3), st.floats(1, 900)
    ),
    max_size=40,
)


def run_random_shift(script) -> Floor:
    floor = Floor()
    for number in range(3):
        floor.open(at=T0 + number)
    at = T0 + 10
    for actor, build, number, later in script:
        at += later
        # refused commands leave no event, exactly as on the server
        with contextlib.suppress(Rejected):
            floor.run(actor, build(number), at)
    return floor


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(script=steps, cut=st.integers(0, 200))
def test_a_replica_from_any_snapshot_plus_the_rest_equals_the_server(script, cut) -> None:
    floor = run_random_shift(script)
    base = FloorState(staff=dict(STAFF))
    cut = min(cut, len(floor.events))
    snapshot = fold(base, floor.events[:cut])
    # a snapshot survives a round trip through JSON (what the wire and replica do)
    snapshot = FloorState.model_validate_json(snapshot.model_dump_json())
    assert fold(snapshot, floor.events[cut:]) == floor.state
    assert fold(base, floor.events) == floor.state


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(script=steps)
def test_invariants_hold_after_any_sequence_of_commands(script) -> None:
    floor = run_random_shift(script)
    assert [e.seq for e in floor.events] == list(range(1, len(floor.events) + 1))
    for incident in floor.state.incidents.values():
        assert 1 <= incident.line <= 4
        lines = [
            int(e.data["line"])
            for e in floor.events
            if e.type == "escalated" and e.incident_id == incident.id
        ]
        assert lines == sorted(set(lines)), "nobody de-escalates, no line twice"
        if incident.state is IncidentState.CLOSED:
            assert incident.closed_at is not None and incident.resolved_at is not None
        if incident.state.is_open:
            assert incident.resolved_at is None
        if incident.state.is_open and incident.acknowledged_at is not None:
            # nobody on the floor answers an incident without owning it; only the
            # scheduler (actor None here) moves one on with nobody behind it
            by_staff = any(
                e.actor != "system" and e.kind in ("acknowledged", "stabilised", "resolved")
                for e in incident.timeline
            )
            assert incident.owner is not None or not by_staff
        assert len(incident.timeline) >= 1


def test_version_moves_on_owner_and_state_changes_only() -> None:
    floor = Floor()
    number = floor.open()
    version = floor.state.incidents[number].version
    floor.run("pb2", c.AddNote(incident_id=number, text="called surveillance"), T0 + 10)
    floor.run(None, c.AutoEscalate(incident_id=number, line=2), T0 + 600)
    assert floor.state.incidents[number].version == version
    floor.run("dm1", c.Assign(incident_id=number, owner="h1"), T0 + 620)
    assert floor.state.incidents[number].version == version + 1


def test_each_version_keeps_who_made_it_when_and_the_owner_after() -> None:
    floor = Floor()
    number = floor.open()
    floor.run("pb2", c.Acknowledge(incident_id=number), T0 + 10)
    floor.run("pb2", c.AddNote(incident_id=number, text="called surveillance"), T0 + 20)
    floor.run("dm1", c.Assign(incident_id=number, owner="h1"), T0 + 30)
    incident = floor.state.incidents[number]
    assert [(ch.version, ch.by, ch.at, ch.owner) for ch in incident.changes] == [
        (2, "pb2", T0 + 10, "pb2"),  # acknowledging an unowned incident takes it
        (3, "dm1", T0 + 30, "h1"),
    ]
    assert incident.changes[-1].text == "reassigned to Sam P."
    assert incident.version == incident.changes[-1].version


def test_a_repeated_auto_escalation_adds_nothing() -> None:
    floor = Floor()
    number = floor.open()
    assert floor.run(None, c.AutoEscalate(incident_id=number, line=2), T0 + 600)
    assert floor.run(None, c.AutoEscalate(incident_id=number, line=2), T0 + 601) == []
    assert floor.state.incidents[number].line == 2
