"""Backing the server's SQLite database up while commands stream in, restoring it, and the
terminals that reconnect: they end equal to the server, with every command once.

A restore sets the log back to the backup; its new epoch names the log backed
up, so a terminal takes a snapshot and sends again what it had sent since (kept
in its outbox): the restored log answers the ones the backup holds from its
stored results and applies the others once.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from api_client import Link
from api_client.outbox import Outbox
from backend.storage import sqlite_file
from domain import commands as c
from domain.epochs import is_restore_of
from domain.models import Channel, IncidentKind, Location, Player, Priority
from tests.conftest import BackendFactory
from tui.cli import main as floorline

from .helpers import make_client, matches_server, online, server_snapshot, until

STREAM = 200


def stream_notes_in(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM events WHERE type = 'note_added' AND body LIKE '%stream %'"
        ).fetchone()
    db.close()
    return int(count)


async def test_backup_while_commands_stream_in_restore_and_every_command_lands_once(
    backend_factory: BackendFactory, tmp_path: Path
) -> None:
    server = backend_factory()
    pin = server.pins["dm1"]
    database = sqlite_file(server.db_url)
    assert database is not None
    backup = tmp_path / "nightly.db"
    client = make_client(server.url, tmp_path / "terminal")
    await client.sign_in("dm1", pin)
    await client.start()
    await online(client)
    incident = min(client.confirmed.incidents)

    async def note(n: int) -> None:
        await client.submit(c.AddNote(incident_id=incident, text=f"stream {n}"))

    for n in range(100):
        await note(n)
    await until(client, lambda: not client.pending, what="the first hundred sent")
    for n in range(100, 120):
        await note(n)
    # the backup runs while those are being sent
    backed_up = await asyncio.to_thread(
        floorline, ["db", "backup", str(backup), "--db", server.db_url]
    )
    assert backed_up == 0
    for n in range(120, STREAM):
        await note(n)
    await until(client, lambda: not client.pending, within=30, what="all sent")
    in_backup = stream_notes_in(backup)
    assert 100 <= in_backup < STREAM  # the rest were accepted after it

    before = await server_snapshot(server.url, "dm1", pin)
    server.stop()
    await until(client, lambda: client.status.link is not Link.ONLINE, what="the link lost")
    restored = await asyncio.to_thread(
        floorline, ["db", "restore", str(backup), "--db", server.db_url]
    )
    assert restored == 0
    assert stream_notes_in(database) == in_backup
    server.start()

    # ONLINE once it took a snapshot of the restored log, with its replay queued
    await online(client, within=30)
    await until(client, lambda: not client.pending, within=30, what="the replay sent")
    snap = await matches_server(client, server.url, "dm1", pin)
    assert is_restore_of(snap.epoch, before.epoch) and snap.seq > before.seq - STREAM
    texts = [e.text for e in snap.state.incidents[incident].timeline]
    assert [texts.count(f"stream {n}") for n in range(STREAM)] == [1] * STREAM
    assert not client.conflicts
    await client.close()

    # a terminal started again on the same files sends nothing twice
    again = make_client(server.url, tmp_path / "terminal")
    await again.sign_in("dm1", pin)
    await again.start()
    await online(again)
    assert not again.pending
    await again.close()
    later = await server_snapshot(server.url, "dm1", pin)
    texts = [e.text for e in later.state.incidents[incident].timeline]
    assert [texts.count(f"stream {n}") for n in range(STREAM)] == [1] * STREAM


OPEN = c.OpenIncident(
    kind=IncidentKind.TABLE_DISPUTE,
    priority=Priority.P2,
    channel=Channel.ON_SITE,
    player=Player(reference="VV-2231-4411"),
    location=Location(spot="BJ-1"),
)


def test_a_restore_sends_again_what_the_old_log_took_renumbering_its_incidents(
    tmp_path: Path,
) -> None:
    box = Outbox(tmp_path / "outbox.db")
    opened = box.add("dm1", "open", OPEN, 1.0)
    box.settle("dm1", [(opened, 57)], [], epoch="aaaa", seqs={"open": 300}, now=10.0)
    # once #57 was known, the terminal named it by its number
    named = box.add("dm1", "note-57", c.AddNote(incident_id=57, text="seen"), 2.0)
    box.settle("dm1", [(named, None)], [], epoch="aaaa", seqs={"note-57": 301}, now=11.0)
    box.add("dm1", "note-later", c.AddNote(incident_id=57, text="later"), 3.0)
    box.add("dm1", "note-1", c.AddNote(incident_id=1, text="other"), 4.0)
    assert [p.command_id for p in box.pending("dm1")] == ["note-later", "note-1"]

    assert box.replay_after_restore("aaaa") == 2

    again = box.pending("dm1")
    assert [p.command_id for p in again] == ["open", "note-57", "note-later", "note-1"]
    # #57 may be another incident in the restored log: named by the local number until answered
    assert [getattr(p.command, "incident_id", None) for p in again] == [None, -1, -1, 1]
    assert box.local_ids()[-1].server_id is None


def test_a_log_started_afresh_gets_nothing_sent_again(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.db")
    sent = box.add("dm1", "note", c.AddNote(incident_id=3, text="seen"), 1.0)
    box.settle("dm1", [(sent, None)], [], epoch="aaaa", seqs={"note": 40}, now=10.0)
    box.forget_accepted()
    assert box.replay_after_restore("aaaa") == 0
    assert box.pending("dm1") == []


def test_accepted_commands_are_kept_only_for_a_while(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.db")
    sent = box.add("dm1", "old", c.AddNote(incident_id=3, text="seen"), 1.0)
    box.settle("dm1", [(sent, None)], [], epoch="aaaa", seqs={"old": 40}, now=10.0)
    fresh = box.add("dm1", "new", c.AddNote(incident_id=3, text="now"), 2.0)
    box.settle("dm1", [(fresh, None)], [], epoch="aaaa", seqs={"new": 41}, now=10.0 + 40 * 3600)
    assert box.replay_after_restore("aaaa") == 1
    assert [p.command_id for p in box.pending("dm1")] == ["new"]
