from __future__ import annotations

import gc
import logging
import sqlite3
import tracemalloc
from pathlib import Path

import pytest

from api_client.replica import Replica
from domain.events import Event, EventType
from domain.models import (
    Channel,
    Incident,
    IncidentKind,
    Location,
    Pit,
    Player,
    Priority,
    Role,
    Staff,
)
from domain.reducer import fold
from domain.state import FloorState

SERVER = "http://127.0.0.1:9"
ME = Staff(id="dm1", name="Dana K.", role=Role.DUTY_MANAGER)


def floor_with(count: int) -> FloorState:
    incidents = {
        n: Incident(
            id=n,
            kind=IncidentKind.TABLE_DISPUTE,
            priority=Priority.P3,
            channel=Channel.ON_SITE,
            player=Player(reference=f"VV-0000-{n:04d}"),
            location=Location(pit="1", spot="BJ-01"),
            opened_at=1000.0 + n,
        )
        for n in range(1, count + 1)
    }
    return FloorState(seq=count, incidents=incidents, staff={ME.id: ME}, next_incident_id=count + 1)


def notes(first_seq: int, incident_ids: list[int]) -> list[Event]:
    return [
        Event(
            seq=first_seq + n,
            type=EventType.NOTE_ADDED,
            at=5000.0 + n,
            actor="dm1",
            incident_id=iid,
            data={"text": f"note {n}"},
        )
        for n, iid in enumerate(incident_ids)
    ]


def test_the_last_known_floor_comes_back_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "dm1.db"
    replica = Replica(path, server=SERVER, staff_id="dm1")
    replica.replace("epoch-a", floor_with(2000), ME)
    events = notes(2001, [5, 17, 5, 1999])
    changed, _ = replica.apply(events)
    assert changed == {5, 17, 1999}
    replica.save_clock_offset(-600.0)
    replica.close()

    again = Replica(path, server=SERVER, staff_id="dm1")
    assert again.state == fold(floor_with(2000), events)
    assert (again.epoch, again.me, again.seq, again.clock_offset) == ("epoch-a", ME, 2004, -600.0)


def test_a_reopened_floor_takes_new_events_like_the_original(tmp_path: Path) -> None:
    path = tmp_path / "dm1.db"
    base = floor_with(300)
    replica = Replica(path, server=SERVER, staff_id="dm1")
    replica.replace("epoch-a", base, ME)
    replica.close()
    events = notes(301, [5, 6, 5, 300])

    reopened = Replica(path, server=SERVER, staff_id="dm1")
    reopened.apply(events)
    assert reopened.state == fold(base, events)
    # a note lands on its own incident only, however the loaded ones are laid out
    assert [e.text for e in reopened.state.incidents[6].timeline] == ["note 1"]
    assert reopened.state.incidents[7] == base.incidents[7]
    reopened.close()
    assert Replica(path, server=SERVER, staff_id="dm1").state == fold(base, events)


def test_a_loaded_floor_of_2000_incidents_stays_small_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "dm1.db"
    replica = Replica(path, server=SERVER, staff_id="dm1")
    replica.replace("epoch-a", fold(floor_with(2000), notes(2001, list(range(1, 2001)))), ME)
    replica.close()
    gc.collect()
    tracemalloc.start()
    try:
        again = Replica(path, server=SERVER, staff_id="dm1")
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(again.state.incidents) == 2000
    # pydantic's per-instance field-name sets alone would be over 5 KiB an incident
    assert held / 2000 < 3 * 1024, f"{held / 2000:.0f} bytes an incident"
    assert peak < 1.5 * held  # read row by row, never the whole file at once
    again.close()


def test_a_burst_of_events_rewrites_only_the_rows_it_touched(tmp_path: Path) -> None:
    path = tmp_path / "dm1.db"
    replica = Replica(path, server=SERVER, staff_id="dm1")
    replica.replace("epoch-a", floor_with(50), ME)
    replica.close()
    with sqlite3.connect(path) as db:  # a trailing space marks every row as it was
        db.execute("UPDATE incidents SET body = body || ' '")
    replica = Replica(path, server=SERVER, staff_id="dm1")
    replica.apply(notes(51, [3, 4]))
    replica.close()
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT id FROM incidents WHERE body LIKE '% '")
        untouched = {r[0] for r in rows}
    assert untouched == set(range(1, 51)) - {3, 4}


@pytest.mark.parametrize(
    "damage",
    ["not sqlite", "other user", "other schema"],
)
def test_an_unusable_replica_is_set_aside_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    path = tmp_path / "dm1.db"
    if damage == "not sqlite":
        path.write_bytes(b"\x00garbage" * 4096)
    else:
        other = Replica(path, server=SERVER, staff_id="h1" if damage == "other user" else "dm1")
        other.replace("epoch-x", floor_with(3), ME)
        other.close()
        if damage == "other schema":
            with sqlite3.connect(path) as db:
                db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    before = path.read_bytes()

    with caplog.at_level(logging.WARNING):
        replica = Replica(path, server=SERVER, staff_id="dm1")

    assert replica.set_aside_as is not None and replica.set_aside_as.read_bytes() == before
    assert ".corrupt-" in replica.set_aside_as.name
    assert any("unusable replica" in r.getMessage() for r in caplog.records)
    assert replica.state == FloorState() and not replica.synced


def test_a_power_cut_loses_whole_recent_events_never_part_of_one(tmp_path: Path) -> None:
    """Commits are not fsync'd one by one: a cut may drop the unsynced tail of the
    write-ahead log. Whatever survives is a floor exactly at its recorded seq."""
    path = tmp_path / "live" / "dm1.db"
    base = floor_with(200)
    replica = Replica(path, server=SERVER, staff_id="dm1")
    replica.replace("epoch-a", base, ME)
    replica.close()  # the snapshot is checkpointed into the main file
    replica = Replica(path, server=SERVER, staff_id="dm1")
    events = notes(201, [7, 7, 150, 3, 199, 7, 42, 3, 88, 150, 1, 2])
    for event in events:  # one commit per frame, as the live feed delivers them
        replica.apply([event])
    log = path.with_name("dm1.db-wal").read_bytes()
    main = path.read_bytes()
    assert log, "the events should still be in the write-ahead log"

    seen = set()
    for cut in sorted({len(log) * n // 16 for n in range(17)} | {len(log) - 1, 40}):
        torn = tmp_path / f"cut-{cut}" / "dm1.db"
        torn.parent.mkdir()
        torn.write_bytes(main)
        torn.with_name("dm1.db-wal").write_bytes(log[:cut])
        reopened = Replica(torn, server=SERVER, staff_id="dm1")
        assert reopened.set_aside_as is None
        applied = reopened.seq - base.seq
        assert 0 <= applied <= len(events)
        assert reopened.state == fold(base, events[:applied]), f"cut at {cut}"
        assert reopened.epoch == "epoch-a" and reopened.me == ME
        seen.add(applied)
        reopened.close()
    replica.close()
    assert 0 in seen and len(events) in seen and len(seen) > 2  # cuts landed all over


def test_staff_and_floor_changes_since_the_snapshot_come_back_from_disk(tmp_path: Path) -> None:
    """A terminal started again resumes from its seq: what it folded since must be there."""
    path = tmp_path / "dm1.db"
    base = floor_with(3).model_copy(update={"pits": {"1": Pit(id="1", name="Main floor")}})
    quinn = Staff(id="pb4", name="Quinn B.", role=Role.PIT_BOSS, pit="1")
    replica = Replica(path, server=SERVER, staff_id="dm1")
    replica.replace("epoch-a", base, ME)
    events = [
        Event(
            seq=4,
            type=EventType.STAFF_ADDED,
            at=5000.0,
            actor="admin",
            data={"staff": quinn.model_dump(mode="json"), "active": True},
        ),
        Event(
            seq=5,
            type=EventType.STAFF_UPDATED,
            at=5001.0,
            actor="admin",
            data={"staff": ME.model_dump(mode="json"), "active": False},
        ),
    ]
    replica.apply(events)
    replica.close()

    again = Replica(path, server=SERVER, staff_id="dm1")
    assert again.state == fold(base, events)
    assert again.state.staff == {"pb4": quinn}
    assert again.state.inactive_staff == {"dm1": ME}
    assert again.state.pits == base.pits
    again.close()
