"""The local floor on its own: the optimistic view and offline-created incidents."""

from __future__ import annotations

from pathlib import Path

import pytest

from api_client.changes import ChangeHub
from api_client.errors import CannotWithdraw
from api_client.local import Answer, LocalFloor
from domain import commands as c
from domain.models import Channel, IncidentKind, Location, Player, Priority, Role, Staff
from domain.protocol import CommandError, CommandResult
from domain.state import FloorState

SERVER = "http://127.0.0.1:9"
HOST = Staff(id="h1", name="Sam P.", role=Role.HOST)
ARRIVAL = c.OpenIncident(
    kind=IncidentKind.ARRIVAL,
    priority=Priority.P2,
    channel=Channel.ON_SITE,
    player=Player(reference="VV-2231-4411", host_id="h1"),
    location=Location(spot="car park P2"),
)


@pytest.fixture
def floor(tmp_path: Path) -> LocalFloor:
    local = LocalFloor(
        tmp_path, server=SERVER, staff_id="h1", terminal="t1", hub=ChangeHub(), now=lambda: 1e9
    )
    local.replica.replace("epoch-a", FloorState(seq=10, staff={HOST.id: HOST}), HOST)
    return local


def test_an_offline_incident_and_its_note_show_under_the_local_number(floor: LocalFloor) -> None:
    opened = floor.queue(ARRIVAL, "open-1", 1e9)
    floor.queue(c.AddNote(incident_id=-1, text="met at car"), "note-1", 1e9 + 5)
    draft = floor.state.incidents[-1]
    assert opened.incident_id == -1
    assert [e.text for e in draft.timeline] == ["opened", "met at car"]
    assert floor.confirmed.incidents == {}
    # the first chunk stops before the note: its incident's number is not known yet
    assert [p.command_id for p, _ in floor.next_chunk(200)] == ["open-1"]


def test_queued_commands_follow_the_server_number_once_it_is_known(floor: LocalFloor) -> None:
    opened = floor.queue(ARRIVAL, "open-1", 1e9)
    floor.queue(c.AddNote(incident_id=-1, text="met at car"), "note-1", 1e9 + 5)
    (sent,) = floor.next_chunk(200)
    result = CommandResult(command_id="open-1", status="accepted", seq=11, incident_id=57)
    floor.settle([Answer(opened, sent[1], result)], [])

    (note,) = floor.next_chunk(200)
    assert note[1] == c.AddNote(incident_id=57, text="met at car")
    # until its event arrives, the view shows the incident under its real number
    assert set(floor.state.incidents) == {57}
    assert [e.text for e in floor.state.incidents[57].timeline] == ["opened", "met at car"]


def test_when_the_creation_is_refused_its_followers_become_conflicts(floor: LocalFloor) -> None:
    opened = floor.queue(ARRIVAL, "open-1", 1e9)
    floor.queue(c.AddNote(incident_id=-1, text="met at car"), "note-1", 1e9 + 5)
    floor.settle([], [(opened, CommandError(code="invalid", message="no such car park"))])

    assert floor.next_chunk(200) == []
    assert [x.command_id for x in floor.conflicts] == ["open-1", "note-1"]
    follower = floor.conflicts[1]
    assert follower.reason == ("incident L-1 was not opened on the server: no such car park")
    assert floor.pending == () and floor.state.incidents == {}
    assert floor.status.pending == 0


def _reopened(floor: LocalFloor, tmp_path: Path) -> LocalFloor:
    floor.close()
    return LocalFloor(
        tmp_path, server=SERVER, staff_id="h1", terminal="t1", hub=ChangeHub(), now=lambda: 1e9
    )


def test_a_command_not_yet_sent_is_withdrawn_for_good(floor: LocalFloor, tmp_path: Path) -> None:
    opened = floor.queue(ARRIVAL, "open-1", 1e9)
    assert -1 in floor.state.incidents
    assert floor.withdraw("open-1") == opened
    assert floor.pending == () and -1 not in floor.state.incidents  # the view drops it
    assert floor.status.pending == 0
    again = _reopened(floor, tmp_path)
    assert again.pending == () and again.next_chunk(200) == []
    # its local number is not handed out again
    assert again.queue(ARRIVAL, "open-2", 1e9).incident_id == -2
    again.close()


def test_a_command_handed_to_the_sender_cannot_be_withdrawn(
    floor: LocalFloor, tmp_path: Path
) -> None:
    floor.queue(ARRIVAL, "open-1", 1e9)
    assert [p.command_id for p, _ in floor.next_chunk(200)] == ["open-1"]  # now in flight
    with pytest.raises(CannotWithdraw, match="was sent and waits for the server's answer"):
        floor.withdraw("open-1")
    assert [p.command_id for p in floor.pending] == ["open-1"]
    # still so after a restart: the server may have it, the answer is what settles it
    again = _reopened(floor, tmp_path)
    with pytest.raises(CannotWithdraw):
        again.withdraw("open-1")
    again.close()


def test_an_offline_incident_goes_only_after_the_commands_queued_on_it(
    floor: LocalFloor,
) -> None:
    floor.queue(ARRIVAL, "open-1", 1e9)
    floor.queue(c.AddNote(incident_id=-1, text="met at car"), "note-1", 1e9 + 5)
    with pytest.raises(CannotWithdraw, match="1 later command"):
        floor.withdraw("open-1")
    floor.withdraw("note-1")
    floor.withdraw("open-1")
    assert floor.pending == () and floor.state.incidents == {}
    with pytest.raises(CannotWithdraw, match="no longer waiting"):
        floor.withdraw("open-1")
