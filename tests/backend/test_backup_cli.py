"""`floorline db backup` / `restore`: what they refuse, with a message that says what to do
and nothing changed. The round trip with terminals: tests/api_client/test_backup_restore.py."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from backend import schema
from backend.storage import Storage, sqlite_file
from domain.epochs import is_restore_of
from tests.conftest import BackendFactory
from tui.cli import main as floorline


def epoch_of(path: Path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        (epoch,) = db.execute("SELECT epoch FROM meta").fetchone()
    db.close()
    return str(epoch)


def test_restore_waits_for_the_server_to_stop_and_keeps_what_it_replaces(
    backend_factory: BackendFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = backend_factory()
    database = sqlite_file(server.db_url)
    assert database is not None
    backup = tmp_path / "backup.db"
    assert floorline(["db", "backup", str(backup), "--db", server.db_url]) == 0
    assert f"as {backup}" in capsys.readouterr().out

    assert floorline(["db", "backup", str(backup), "--db", server.db_url]) == 1
    assert "exists: give a new file name" in capsys.readouterr().err
    assert floorline(["db", "restore", str(backup), "--db", server.db_url]) == 1
    assert "stop `floorline serve` on it first" in capsys.readouterr().err
    assert epoch_of(database) == epoch_of(backup)  # nothing restored

    server.stop()
    assert floorline(["db", "restore", str(backup), "--db", server.db_url]) == 0
    out = capsys.readouterr().out
    assert is_restore_of(epoch_of(database), epoch_of(backup))
    (kept,) = database.parent.glob("floor.db.replaced-*")
    assert f"kept the database it replaced as {kept}" in out
    assert epoch_of(kept) == epoch_of(backup)  # the replaced one, as it was
    server.start()  # and it serves the restored log


def test_restore_refuses_a_file_that_is_not_a_floorline_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    assert floorline(["db", "upgrade", "--db", db]) == 0
    before = epoch_of(tmp_path / "floor.db")
    other = tmp_path / "notes.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    assert floorline(["db", "restore", str(other), "--db", db]) == 1
    assert "not a floorline database" in capsys.readouterr().err
    assert floorline(["db", "restore", str(tmp_path / "missing.db"), "--db", db]) == 1
    assert "no backup at" in capsys.readouterr().err
    assert epoch_of(tmp_path / "floor.db") == before


def test_postgres_backups_are_pg_dump_s_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = "postgresql://floor@db.invalid/floor"
    assert floorline(["db", "backup", str(tmp_path / "b.db"), "--db", db]) == 1
    assert "pg_dump" in capsys.readouterr().err
    assert floorline(["db", "restore", str(tmp_path / "b.db"), "--db", db]) == 1
    assert "pg_restore" in capsys.readouterr().err
    assert not (tmp_path / "b.db").exists()


@pytest.mark.postgres
def test_a_log_put_back_by_pg_restore_is_marked_restored(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def epoch() -> str:
        storage = await Storage.open(pg_url)
        async with storage.engine.connect() as conn:
            value = (await conn.execute(select(schema.meta.c.epoch))).scalar_one()
        await storage.close()
        return str(value)

    assert floorline(["db", "upgrade", "--db", pg_url]) == 0
    restored_from = asyncio.run(epoch())
    assert floorline(["db", "mark-restored", "--db", pg_url]) == 0
    assert "terminals take a snapshot" in capsys.readouterr().out
    assert is_restore_of(asyncio.run(epoch()), restored_from)
