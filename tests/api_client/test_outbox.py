from __future__ import annotations

from pathlib import Path

from api_client.outbox import Outbox
from domain import commands as c
from domain.models import Channel, IncidentKind, Location, Player, Priority
from domain.protocol import CommandError

OPEN = c.OpenIncident(
    kind=IncidentKind.ARRIVAL,
    priority=Priority.P2,
    channel=Channel.ON_SITE,
    player=Player(reference="VV-2231-4411"),
    location=Location(spot="car park"),
)


def test_commands_survive_reopening_in_order(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    box = Outbox(path)
    for n in range(5):
        box.add("h1", f"cmd-{n}", c.AddNote(incident_id=7, text=f"note {n}"), 100.0 + n)
    box.add("h2", "other-user", c.AddNote(incident_id=7, text="not mine"), 200.0)
    box.close()

    again = Outbox(path)
    queued = again.pending("h1")
    assert [p.command_id for p in queued] == [f"cmd-{n}" for n in range(5)]
    assert [p.command.text for p in queued] == [f"note {n}" for n in range(5)]  # type: ignore[union-attr]
    assert queued[0].summary == "note on #7"
    assert [p.command_id for p in again.pending("h2")] == ["other-user"]


def test_local_numbers_are_never_reused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    box = Outbox(path)
    first = box.add("h1", "open-1", OPEN, 1.0)
    box.settle("h1", [(first, 42)], [])
    box.close()
    box = Outbox(path)
    second = box.add("h1", "open-2", OPEN, 2.0)
    assert (first.incident_id, second.incident_id) == (-1, -2)
    assert box.local_ids()[-1].server_id == 42
    assert second.summary.endswith("L-2")


def test_a_refused_command_is_kept_until_dismissed(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    box = Outbox(path)
    queued = box.add("h1", "resolve-1", c.Resolve(incident_id=3, expected_version=2), 5.0)
    error = CommandError(code="conflict", message="#3 reassigned by Dana K.", by="dm1", at=4.0)
    box.settle("h1", [], [(queued, error)])
    assert box.pending("h1") == []
    box.close()

    box = Outbox(path)
    (conflict,) = box.conflicts("h1")
    assert (conflict.code, conflict.reason, conflict.by) == ("conflict", error.message, "dm1")
    assert conflict.command == queued.command
    assert box.dismiss("h1", "resolve-1")
    assert box.conflicts("h1") == []


def test_an_unreadable_outbox_is_kept_aside_not_deleted(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    garbage = b"this is not a database, but it may be all someone did offline" * 100
    path.write_bytes(garbage)

    box = Outbox(path)

    assert box.set_aside_as is not None
    assert box.set_aside_as.read_bytes() == garbage
    queued = box.add("h1", "fresh", c.AddNote(incident_id=1, text="after"), 1.0)
    assert box.pending("h1") == [queued]
