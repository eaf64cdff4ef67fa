"""An outbox written by an older floorline is moved forward, never set aside: its
queued commands are sent, once each, and one this version cannot send is shown
with the reason.

`fixtures/outbox-0.1.0.db` is what floorline 0.1.0's terminal wrote (see
`fixtures/make_release_outbox.py`): dm1's work queued offline against the demo floor.
`fixtures/replica-0.1.0.db` is dm1's replica that 0.1.0's terminal kept of the
0.1.0 server database `tests/backend/fixtures/floor-0.1.0.db` (see
`fixtures/make_release_replica.py`).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import time
from collections import Counter
from pathlib import Path

from api_client import storage
from api_client.outbox import SCHEMA_VERSION, UNSENDABLE, Outbox
from api_client.summaries import incident_label
from tests.api_client.fixtures.make_release_outbox import NOTE_ON_NEW, NOTE_ON_ONE, OPENED
from tests.conftest import BackendFactory, BackendProcess
from tui.cli import main as floorline

from .flaky_link import FlakyLink
from .helpers import Seen, log_after, make_client, matches_server, online, server_snapshot, until

FIXTURE = Path(__file__).with_name("fixtures") / "outbox-0.1.0.db"
QUEUED = ["release-open", "release-note-new", "release-note-one"]
QUEUED_MAKE = ["incident_opened", "note_added", "note_added"]  # the event each one makes


def release_outbox(folder: Path) -> Path:
    """The 0.1.0 outbox, as if written just before the upgrade: its commands keep their
    order and spacing, moved to the last few minutes (the server refuses an action done
    longer ago than the policy's outbox limit)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(shutil.copy(FIXTURE, folder / "outbox.db"))
    with sqlite3.connect(path) as db:
        (newest,) = db.execute("SELECT max(issued_at) FROM commands").fetchone()
        if newest is not None:
            db.execute(
                "UPDATE commands SET issued_at = issued_at - ? + ?", (newest, time.time() - 60)
            )
    db.close()
    return path


def add_row(path: Path, command_id: str, body: dict[str, object], local_id: int | None) -> None:
    """A queued command as some other floorline version wrote it."""
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO commands (command_id, staff_id, issued_at, local_id, body)"
            " VALUES (?, 'dm1', 30.0, ?, ?)",
            (command_id, local_id, json.dumps(body)),
        )
        if local_id is not None:
            db.execute("INSERT INTO local_ids (local_id) VALUES (?)", (local_id,))
    db.close()


def test_a_0_1_0_outbox_is_moved_forward_with_everything_in_it(tmp_path: Path) -> None:
    path = release_outbox(tmp_path)
    box = Outbox(path)
    assert box.set_aside_as is None
    queued = box.pending("dm1")
    assert [p.command_id for p in queued] == QUEUED
    assert queued[0].incident_id == -1 and queued[1].incident_id == -1  # the note follows it
    assert queued[1].summary == f"note on {incident_label(-1)}"
    assert [c.command_id for c in box.conflicts("dm1")] == ["release-refused"]
    assert list(box.local_ids()) == [-1]
    box.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (
            str(SCHEMA_VERSION),
        )
    db.close()
    # and the next local number is still never one already used
    again = Outbox(path)
    assert again.add("dm1", "after", again.pending("dm1")[0].command, 40.0).incident_id == -2


def test_a_command_this_version_cannot_send_is_shown_with_the_reason(tmp_path: Path) -> None:
    path = release_outbox(tmp_path)
    add_row(path, "retired-1", {"type": "page_the_pit_phone", "pit": "2"}, None)
    add_row(path, "changed-1", {"type": "add_note", "incident_id": 1}, None)  # text missing

    box = Outbox(path)

    assert [p.command_id for p in box.pending("dm1")] == QUEUED  # never sent blind
    shown = {c.command_id: c for c in box.conflicts("dm1")}
    retired, changed = shown["retired-1"], shown["changed-1"]
    assert retired.code == changed.code == UNSENDABLE
    assert retired.command is None and retired.summary == "page the pit phone (not sendable)"
    assert "cannot send" in retired.reason and "do it again" in retired.reason
    assert "text" in changed.reason and changed.summary == "add note (not sendable)"
    assert box.dismiss("dm1", "retired-1")  # dismissed like any refused command
    box.close()
    assert "retired-1" not in {c.command_id for c in Outbox(path).conflicts("dm1")}


def test_an_outbox_from_a_newer_version_is_kept_for_it(tmp_path: Path) -> None:
    path = release_outbox(tmp_path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    db.close()
    box = Outbox(path)
    assert box.set_aside_as is not None and box.set_aside_as.exists()
    assert "newer floorline" in box.set_aside_why
    assert box.pending("dm1") == []


async def test_the_upgraded_client_drains_a_0_1_0_outbox_exactly_once(
    backend: BackendProcess, tmp_path: Path
) -> None:
    folder = tmp_path / "replicas" / storage.server_slug(backend.url)
    release_outbox(folder)
    pin = backend.pins["dm1"]

    client = make_client(backend.url, tmp_path)
    await client.sign_in("dm1", pin)
    await client.start()
    await online(client)
    await until(client, lambda: not client.pending, what="the outbox drained")
    snap = await matches_server(client, backend.url, "dm1", pin)
    await client.close()
    # a new process on the same files: nothing is sent again
    again = make_client(backend.url, tmp_path)
    await again.sign_in("dm1", pin)
    await again.start()
    await online(again)
    assert not again.pending
    assert [c.command_id for c in again.conflicts] == ["release-refused"]
    await again.close()

    state = (await server_snapshot(backend.url, "dm1", pin)).state
    assert state.seq >= snap.seq
    opened = [i for i in state.incidents.values() if i.summary == OPENED]
    assert len(opened) == 1
    texts = [e.text for i in state.incidents.values() for e in i.timeline]
    assert texts.count(NOTE_ON_NEW) == 1 and texts.count(NOTE_ON_ONE) == 1
    assert NOTE_ON_NEW in [e.text for e in opened[0].timeline]


RELEASE_FLOOR = Path(__file__).parents[1] / "backend" / "fixtures" / "floor-0.1.0.db"
RELEASE_REPLICA = FIXTURE.with_name("replica-0.1.0.db")
RELEASE_PIN = "3001"  # dm1's PIN in the 0.1.0 database


def release_replica(folder: Path, server: str) -> tuple[int, str]:
    """dm1's 0.1.0 replica of the 0.1.0 database, as if kept for `server`: its seq, epoch."""
    path = Path(shutil.copy(RELEASE_REPLICA, folder / "dm1.db"))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'server'", (json.dumps(server),))
        meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
    db.close()
    return int(meta["seq"]), str(meta["epoch"])


async def test_an_upgraded_terminal_beside_its_upgraded_server_drains_its_outbox_once(
    backend_factory: BackendFactory, tmp_path: Path
) -> None:
    """Server and terminal both upgraded from 0.1.0: its replica and its outbox are kept."""
    floor = Path(shutil.copy(RELEASE_FLOOR, tmp_path / "floor.db"))
    db = f"sqlite:///{floor}"
    assert await asyncio.to_thread(floorline, ["db", "upgrade", "--db", db]) == 0
    server = backend_factory(db_url=db, demo=False)
    link = FlakyLink(server.url)  # to see how the terminal asks for the live feed
    await link.start()
    try:
        folder = tmp_path / "replicas" / storage.server_slug(link.url)
        release_outbox(folder)
        kept_seq, epoch = release_replica(folder, link.url)

        client = make_client(link.url, tmp_path)
        await client.sign_in("dm1", RELEASE_PIN)
        # the 0.1.0 replica is used as it is: the floor is there before any snapshot
        assert client.storage_warnings == () and client.confirmed.seq == kept_seq
        seen = Seen(client)
        await client.start()
        await online(client)
        await until(client, lambda: not client.pending, what="the outbox drained")
        snap = await matches_server(client, server.url, "dm1", RELEASE_PIN)
        seen.stop()
        # the feed went on from the replica's seq (one connection: no snapshot taken)
        assert [e.seq for e in seen.events] == list(range(kept_seq + 1, snap.seq + 1))
        (live,) = link.live_requests
        assert f"after={kept_seq}&epoch={epoch} " in live
        assert [c.command_id for c in client.conflicts] == ["release-refused"]
        await client.close()

        # a new process on the same files sends nothing again
        again = make_client(link.url, tmp_path)
        await again.sign_in("dm1", RELEASE_PIN)
        await again.start()
        await online(again)
        assert not again.pending and again.storage_warnings == ()
        await again.close()
    finally:
        await link.close()
    log = await log_after(server.url, "dm1", RELEASE_PIN, kept_seq)
    made = Counter((e["command_id"], e["type"]) for e in log)
    assert [
        made[command_id, kind] for command_id, kind in zip(QUEUED, QUEUED_MAKE, strict=True)
    ] == [1, 1, 1]
    assert not any(e["command_id"] == "release-refused" for e in log)
    opened = [i for i in snap.state.incidents.values() if i.summary == OPENED]
    assert len(opened) == 1 and NOTE_ON_NEW in [e.text for e in opened[0].timeline]
