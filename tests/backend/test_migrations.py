"""Schema migrations: a database made by floorline 0.1.0 is refused until upgraded, then
served with its event log intact; an empty one is made by the migrations.

The 0.1.0 database is `fixtures/floor-0.1.0.db` (and `.pg.sql` for PostgreSQL),
written by that release through `fixtures/make_release_db.py`.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text

from backend import dbschema, schema
from backend.embedded import start_embedded
from backend.storage import Storage
from tests.backend.helpers import Terminal
from tests.conftest import PG_URL, BackendFactory
from tui.cli import main as cli_main

FIXTURES = Path(__file__).with_name("fixtures")
RELEASE_DB = FIXTURES / "floor-0.1.0.db"
RELEASE_SQL = FIXTURES / "floor-0.1.0.pg.sql"
DM_PIN = "3001"  # the demo floor's duty manager, as 0.1.0 loaded it
LAST_NOTE = "fixture-note-059"  # the last note the fixture's script sent


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def floorline(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """`floorline serve ...` / `floorline db ...` as the operator types them (in this process:
    a refusal comes before the server listens)."""

    def run(*args: str) -> Ran:
        capsys.readouterr()
        code = cli_main(list(args))
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return run


def release_rows(path: Path = RELEASE_DB) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        return {
            "meta": conn.execute("SELECT seq, epoch, pruned_through FROM meta").fetchall(),
            "events": conn.execute(
                "SELECT seq, type, body, view FROM events ORDER BY seq"
            ).fetchall(),
            "commands": conn.execute(
                "SELECT command_id, result FROM commands ORDER BY command_id"
            ).fetchall(),
        }


def sqlite_rows(path: Path, head: int) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        return {
            "events": conn.execute(
                "SELECT seq, type, body, view FROM events WHERE seq <= ? ORDER BY seq", (head,)
            ).fetchall(),
            "commands": conn.execute(
                "SELECT command_id, result FROM commands WHERE at <= (SELECT max(at) FROM"
                " commands WHERE command_id = 'fixture-open') ORDER BY command_id"
            ).fetchall(),
        }


def no_differences(conn: Connection) -> list[Any]:
    return compare_metadata(MigrationContext.configure(conn), schema.metadata)


async def schema_differences(db_url: str) -> list[Any]:
    """What the database at `db_url` has different from backend/schema.py."""
    storage = await Storage.open(db_url)
    try:
        async with storage.engine.connect() as conn:
            return await conn.run_sync(no_differences)
    finally:
        await storage.close()


async def check_served(server_url: str, expected: dict[str, list[tuple[Any, ...]]]) -> None:
    """A terminal signs in with its 0.1.0 PIN and resumes from the 0.1.0 log's head."""
    ((head, epoch, _pruned),) = expected["meta"]
    dm = await Terminal.sign_in(server_url, "dm1", DM_PIN)
    snapshot = await dm.snapshot()
    assert snapshot["epoch"] == epoch and snapshot["seq"] >= head
    async with dm.live(after=head - 5, epoch=epoch) as feed:
        assert (await feed.frame())["type"] == "hello"  # no resync: its replica stays good
        replayed = await feed.events_until(head)
    assert [e["seq"] for e in replayed][:5] == list(range(head - 4, head + 1))
    # a command 0.1.0 answered is still answered the same, not applied again
    stored = dict(expected["commands"])[LAST_NOTE]
    again = await dm.command(
        {"command_id": LAST_NOTE, "command": {"type": "add_note", "incident_id": 1, "text": "x"}}
    )
    assert again.json()["seq"] == json.loads(stored)["seq"]
    await dm.close()


async def test_an_empty_database_is_made_by_the_migrations(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'fresh.db'}"
    storage = await Storage.open(db)
    async with storage.engine.connect() as conn:
        found = await conn.run_sync(dbschema.status)
        assert found.kind is dbschema.Kind.CURRENT and found.revision == dbschema.head_revision()
        # the migrations build exactly what backend/schema.py declares
        assert await conn.run_sync(no_differences) == []
    await storage.close()


def test_a_0_1_0_database_is_refused_then_upgraded_and_served_intact(
    tmp_path: Path, backend_factory: BackendFactory, floorline: Callable[..., Ran]
) -> None:
    path = tmp_path / "floor.db"
    shutil.copy(RELEASE_DB, path)
    db = f"sqlite:///{path}"
    expected = release_rows()

    refused = floorline("serve", "--db", db, "--port", "0")
    assert refused.returncode == 1
    assert f"floorline db upgrade --db {db}" in refused.stderr
    assert "revision 0001" in refused.stderr and dbschema.head_revision() in refused.stderr

    assert "db upgrade" in floorline("db", "current", "--db", db).stdout
    upgraded = floorline("db", "upgrade", "--db", db)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"upgraded from 0.1.0 (no revision recorded) to {dbschema.head_revision()}" in (
        upgraded.stdout
    )
    kept = path.with_name(f"floor.db.before-{dbschema.head_revision()}")
    assert release_rows(kept) == expected  # the file as it was, in case the upgrade went wrong
    assert "the newest" in floorline("db", "current", "--db", db).stdout
    assert "nothing to do" in floorline("db", "upgrade", "--db", db).stdout
    # the upgraded file has exactly what backend/schema.py declares, as a new one would
    assert asyncio.run(schema_differences(db)) == []

    ((head, _epoch, _pruned),) = expected["meta"]
    assert sqlite_rows(path, head) == {k: expected[k] for k in ("events", "commands")}
    server = backend_factory(db_url=db, demo=False)
    asyncio.run(check_served(server.url, expected))


def test_a_database_from_a_newer_floorline_is_refused(
    tmp_path: Path, floorline: Callable[..., Ran]
) -> None:
    path = tmp_path / "floor.db"
    assert floorline("db", "upgrade", "--db", f"sqlite:///{path}").returncode == 0
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    refused = floorline("serve", "--db", f"sqlite:///{path}", "--port", "0")
    assert refused.returncode == 1 and "made by a newer floorline" in refused.stderr
    upgrade = floorline("db", "upgrade", "--db", f"sqlite:///{path}")
    assert upgrade.returncode == 1 and "9999" in upgrade.stderr


def test_half_a_floorline_database_is_not_adopted(
    tmp_path: Path, floorline: Callable[..., Ran]
) -> None:
    path = tmp_path / "floor.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO events VALUES (1, 'someone''s work')")
    conn.close()
    refused = floorline("serve", "--db", f"sqlite:///{path}", "--port", "0")
    assert refused.returncode == 1 and "missing: assets" in refused.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("events",)]
    conn.close()


def test_the_built_in_backend_upgrades_its_own_file(tmp_path: Path) -> None:
    shutil.copy(RELEASE_DB, tmp_path / "embedded.db")
    backend = start_embedded(tmp_path)
    try:
        assert backend.running
        with sqlite3.connect(tmp_path / "embedded.db") as conn:
            (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        conn.close()
        assert revision == dbschema.head_revision()
        assert (tmp_path / f"embedded.db.before-{revision}").exists()  # what it was, kept
        ((head, _epoch, _pruned),) = release_rows()["meta"]
        assert sqlite_rows(tmp_path / "embedded.db", head)["events"] == release_rows()["events"]
    finally:
        backend.stop()


# -- PostgreSQL --------------------------------------------------------------


async def load_release_sql(pg_url: str) -> None:
    schema_name = pg_url.rsplit("search_path=", 1)[1]
    conn = await asyncpg.connect(PG_URL, server_settings={"search_path": schema_name})
    try:
        await conn.execute(RELEASE_SQL.read_text())
    finally:
        await conn.close()


async def postgres_rows(pg_url: str, head: int) -> tuple[list[Any], list[tuple[Any, ...]]]:
    """What the migrations left different from backend/schema.py, and the events to `head`."""
    storage = await Storage.open(pg_url)
    async with storage.engine.connect() as conn:
        differences = await conn.run_sync(no_differences)
        events = await conn.execute(
            text("SELECT seq, type, body, view FROM events WHERE seq <= :h ORDER BY seq"),
            {"h": head},
        )
        rows = [tuple(row) for row in events]
    await storage.close()
    return differences, rows


@pytest.mark.postgres
def test_a_0_1_0_postgres_database_upgrades_and_serves_intact(
    pg_url: str, backend_factory: BackendFactory, floorline: Callable[..., Ran]
) -> None:
    asyncio.run(load_release_sql(pg_url))
    refused = floorline("serve", "--db", pg_url, "--port", "0")
    assert refused.returncode == 1 and "floorline db upgrade" in refused.stderr
    upgraded = floorline("db", "upgrade", "--db", pg_url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "the newest" in floorline("db", "current", "--db", pg_url).stdout

    expected = release_rows()
    ((head, _epoch, _pruned),) = expected["meta"]
    assert asyncio.run(postgres_rows(pg_url, head)) == ([], expected["events"])
    server = backend_factory(db_url=pg_url, demo=False)
    asyncio.run(check_served(server.url, expected))


@pytest.mark.postgres
async def test_an_empty_postgres_database_is_made_by_the_migrations(pg_url: str) -> None:
    storage = await Storage.open(pg_url)
    async with storage.engine.connect() as conn:
        assert (await conn.run_sync(dbschema.status)).kind is dbschema.Kind.CURRENT
        assert await conn.run_sync(no_differences) == []
    await storage.close()
