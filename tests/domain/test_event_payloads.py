"""Event payloads: every event decide makes fits its type's model, and the reducer
never raises on an event that fits; one that does not is a `BadEvent` naming its seq."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from domain import commands as c
from domain.commands import COMMAND_TYPES
from domain.events import (
    PAYLOADS,
    AssignedData,
    BadEvent,
    Event,
    EventType,
    IncidentData,
    NoteAddedData,
    OpaqueData,
    check_event,
    make_event,
    payload_of,
)
from domain.models import Asset, AssetKind, Chain, Contact, FlagKind, HelpAnswer, RosterEntry
from domain.reducer import apply
from tests.domain.floor import T0, Floor

ASSETS = {
    "BJ-07": Asset(id="BJ-07", kind=AssetKind.TABLE, pit="2"),
    "BJ-08": Asset(id="BJ-08", kind=AssetKind.TABLE, pit="2"),
}
ROSTER = (
    RosterEntry(
        chain=Chain.MAIN,
        line=2,
        staff_id="dm1",
        name="Dana K.",
        title="duty manager",
        contacts=(Contact(method="radio", value="ch 4"),),
    ),
)


def floor_with_assets() -> Floor:
    floor = Floor()
    floor.state = floor.state.model_copy(update={"assets": ASSETS, "roster": ROSTER})
    return floor


def every_command(floor: Floor) -> list[tuple[str | None, c.Command]]:
    """One of each command type, in an order where each is legal, with who sends it."""
    n = floor.open()
    m = floor.open(at=T0 + 1)
    rg = floor.open(at=T0 + 2, kind="responsible_gambling")
    return [
        ("dm1", c.RecordInRegister(incident_id=rg, reference="RG-0001")),
        ("pb2", c.Acknowledge(incident_id=n, note="on my way")),
        ("pb2", c.Take(incident_id=m)),
        # the owner says when they will be on it (at T0 + 240: on it by T0 + 360)
        ("pb2", c.Acknowledge(incident_id=m, eta_minutes=2)),
        ("dm1", c.Assign(incident_id=n, owner="h1")),
        ("pb2", c.AddNote(incident_id=n, text="dealer swapped")),
        ("dm1", c.SetPriority(incident_id=n, priority="P2", reason="workaround found")),
        ("dm1", c.Escalate(incident_id=n, reason="player upset")),
        (None, c.AutoEscalate(incident_id=m, line=2)),
        (None, c.LapseEta(incident_id=m, due=T0 + 360)),
        (None, c.PageAfterLapse(incident_id=m, due=T0 + 360)),
        ("h1", c.Stabilise(incident_id=n, note="moved to BJ-08")),
        ("h1", c.Resolve(incident_id=n, note="paid out")),
        ("dm1", c.Reopen(incident_id=n, reason="player called back")),
        ("h1", c.Resolve(incident_id=n)),
        ("dm1", c.RecordCompensation(incident_id=n, text="dinner for two")),
        ("dm1", c.FileReport(incident_id=n, root_cause="worn shoe", measures="new shoes")),
        ("dm1", c.Close(incident_id=n)),
        ("dm1", c.PageContact(incident_id=m, staff_id="dm1", method="radio")),
        ("dm1", c.PageContact(staff_id="dm1", method="radio")),
        ("pb2", c.StartDowntime(asset_id="BJ-07", reason="felt torn")),
        ("pb2", c.MovePlayer(asset_id="BJ-07", to="BJ-08")),
        ("pb2", c.EndDowntime(asset_id="BJ-07")),
        ("dm1", c.ConfirmContact(staff_id="dm1", method="radio", value="ch 4")),
        (
            "dm1",
            c.SetCover(
                chain=Chain.MAIN,
                line=3,
                staff_id="pb1",
                until=T0 + 6 * 3600,
                reason="L3 off sick",
                contact_method="phone",
                contact_value="555",
            ),
        ),
        ("dm1", c.EndCover(chain=Chain.MAIN, line=3, reason="back")),
        ("h1", c.SetPlayerFlag(reference="VV-2231-4411", flag=FlagKind.SELF_EXCLUDED)),
        ("pb2", c.RecordHelpOffer(incident_id=m, answer=HelpAnswer.OFFERED, note="leaflet")),
        ("dm1", c.ClearPlayerFlag(reference="VV-2231-4411", flag=FlagKind.SELF_EXCLUDED)),
        # at 22:34, past the first quarter of the 22:00 shift: the 06:00 handover
        ("dm1", c.OpenHandover(note="BJ-07 felt ordered")),
        ("admin", c.AcknowledgeHandover(shift_starts=T0 + 28_400)),
    ]


def test_decide_emits_only_events_that_fit_their_type_for_every_command() -> None:
    floor = floor_with_assets()
    script = every_command(floor)
    assert {command.type for _, command in script} | {"open_incident"} == set(COMMAND_TYPES)
    for n, (actor, command) in enumerate(script):
        assert floor.run(actor, command, T0 + 60 * (n + 1)), command
    emitted = {event.type for event in floor.events}
    for event in floor.events:
        # as the wire carries it: a fresh parse, nothing remembered from decide
        received = Event.model_validate_json(event.model_dump_json())
        payload = payload_of(received)
        assert type(payload) is PAYLOADS[event.type], event
        assert payload == payload_of(event)
    assert len(emitted) == 27  # every type decide makes


def test_an_event_is_built_only_from_its_own_types_model() -> None:
    with pytest.raises(TypeError, match="carries AssignedData"):
        make_event(EventType.ASSIGNED, NoteAddedData(text="x"), at=T0, incident_id=1)
    event = make_event(EventType.ASSIGNED, AssignedData(owner="h1"), at=T0, incident_id=1)
    assert event.data == {"owner": "h1"}


@pytest.mark.parametrize(
    ("etype", "data", "words"),
    [
        ("assigned", {}, "owner: Field required"),
        ("escalated", {"line": 9}, "line: Input should be less than or equal to 4"),
        ("priority_changed", {"priority": "P7"}, "priority"),
        ("incident_opened", {"incident": {"id": 3}}, "incident.kind: Field required"),
        ("player_moved", {"to": ""}, "to: String should have at least 1 character"),
    ],
)
def test_data_that_does_not_fit_is_a_bad_event_naming_its_seq_and_changes_nothing(
    etype: str, data: dict[str, Any], words: str
) -> None:
    floor = floor_with_assets()
    number = floor.open()
    before = floor.state
    event = Event(seq=9, type=etype, at=T0, incident_id=number, downtime_id=1, data=data)
    with pytest.raises(BadEvent) as bad:
        apply(before, event)
    assert bad.value.seq == 9
    assert words in bad.value.reason
    assert floor.state is before


def test_an_event_about_an_incident_must_name_it() -> None:
    with pytest.raises(BadEvent, match="names no incident"):
        check_event(Event(seq=4, type="resolved", at=T0))


def test_a_type_with_no_model_registered_keeps_its_data_and_only_moves_the_seq(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    floor = floor_with_assets()
    number = floor.open()
    monkeypatch.delitem(PAYLOADS, EventType.REPORT_FILED)
    event = Event(
        seq=7, type="report_filed", at=T0, incident_id=number, data={"text": "x", "pages": 3}
    )
    payload = payload_of(event)
    assert isinstance(payload, OpaqueData)
    assert payload.model_dump() == {"text": "x", "pages": 3}
    after = apply(floor.state, event)
    assert after.seq == 7 and after.incidents == floor.state.incidents


# -- the reducer never raises on an event that fits -------------------------------

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=4),
    st.sampled_from(["P1", "P4", "main", "payments", "table", "machine", "h1", "BJ-07", "2"]),
)


@st.composite
def events(draw: st.DrawFn, numbers: list[int], incident: dict[str, Any]) -> Event:
    etype = draw(st.sampled_from(list(PAYLOADS)))
    model = PAYLOADS[etype]
    if model is IncidentData:
        data: dict[str, Any] = {"incident": {**incident, "id": draw(st.sampled_from(numbers))}}
    else:
        names = draw(st.lists(st.sampled_from(sorted(model.model_fields) or ["x"]), unique=True))
        data = {name: draw(VALUES) for name in names}
    event = Event(
        seq=1,
        type=etype,
        at=T0 + draw(st.floats(0, 86_400)),
        actor=draw(st.sampled_from(["h1", "dm1", "system", "", "nobody"])),
        incident_id=draw(st.sampled_from([*numbers, None, 999])),
        downtime_id=draw(st.sampled_from([1, 2, None])),
        data=data,
    )
    try:
        check_event(event)
    except BadEvent:
        assume(False)
    return event


FLOOR = floor_with_assets()
NUMBERS = [FLOOR.open(), FLOOR.open(at=T0 + 5)]
FLOOR.run("pb2", c.StartDowntime(asset_id="BJ-07", reason="felt torn"), T0 + 10)
INCIDENT = FLOOR.state.incidents[NUMBERS[0]].model_dump(mode="json")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.lists(events(NUMBERS, INCIDENT), min_size=1, max_size=12))
def test_the_reducer_never_raises_on_an_event_that_fits(stream: list[Event]) -> None:
    state = FLOOR.state
    for seq, event in enumerate(stream, start=state.seq + 1):
        state = apply(state, event.model_copy(update={"seq": seq}))
    assert state.seq == FLOOR.state.seq + len(stream)


def test_a_command_stamped_with_an_impossible_time_is_refused_in_words() -> None:
    from domain import commands as c
    from domain.acted_time import acted_at
    from domain.decide import Rejected
    from domain.state import FloorState

    for impossible in (1e18, -1e18):
        try:
            acted_at(FloorState(), c.AddNote(incident_id=1, text="x"), impossible, 1.8e9)
        except Rejected as refused:
            assert "time" in refused.message
        else:
            raise AssertionError(f"{impossible} was taken as a time")
