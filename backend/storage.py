"""Opening the database: one async engine, SQLite or PostgreSQL, one code path for both.

Opening checks the schema revision (`backend.dbschema`): an empty database is
made by the migrations, a 0.1.0 one is adopted, and an older one is refused
with the command that upgrades it, unless the caller asks to upgrade it here
(`floorline db upgrade`, and the terminal's built-in backend, which has
nobody to run that for it).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, insert, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from backend import dbschema, journal, schema

SQLITE_BUSY_TIMEOUT = 30.0  # seconds another process may hold the write lock


# taken while a process checks or migrates the schema: servers starting together
# on one PostgreSQL database migrate it once, one after the other
_MIGRATION_LOCK = 0x666C_6F6F_726C  # "floorl"


class StorageError(RuntimeError):
    """The database URL is unusable or the database cannot be opened."""


class SchemaOutdated(StorageError):
    """The database is at an older schema revision: `floorline db upgrade` moves it."""


def display_url(db_url: str) -> str:
    """The URL as it may be printed: a password is replaced by ***."""
    try:
        url = make_url(db_url.replace("postgres://", "postgresql://", 1))
    except Exception:
        return db_url
    return url.render_as_string(hide_password=True)


def engine_url(db_url: str) -> tuple[URL, dict[str, Any]]:
    """The SQLAlchemy URL and connect arguments for an operator-facing URL.

    Accepts `sqlite:///path`, `postgresql://...` (or `postgres://`); a
    `search_path` query parameter on a PostgreSQL URL selects the schema.
    """
    try:
        url = make_url(db_url.replace("postgres://", "postgresql://", 1))
    except Exception as exc:
        raise StorageError(f"not a database URL: {db_url!r}") from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StorageError("an SQLite database must be a file: sqlite:///path/to/floor.db")
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        return url.set(drivername="sqlite+aiosqlite"), {"timeout": SQLITE_BUSY_TIMEOUT}
    if backend == "postgresql":
        connect_args: dict[str, Any] = {}
        search_path = url.query.get("search_path")
        if search_path:
            connect_args["server_settings"] = {"search_path": str(search_path)}
            url = url.difference_update_query(["search_path"])
        return url.set(drivername="postgresql+asyncpg"), connect_args
    raise StorageError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer; FULL makes each commit durable
    # before the command is answered (NORMAL can lose the last commits).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(db_url: str) -> tuple[AsyncEngine, str]:
    """The engine for `db_url` (nothing checked yet) and its LISTEN/NOTIFY channel."""
    url, connect_args = engine_url(db_url)
    engine = create_async_engine(url, connect_args=connect_args, pool_pre_ping=False)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    search_path = connect_args.get("server_settings", {}).get("search_path", "")
    channel = "floorline_events" + "".join(ch for ch in search_path if ch.isalnum())
    return engine, channel.lower()


def sqlite_file(db_url: str) -> Path | None:
    """The file of an SQLite URL; None for PostgreSQL."""
    url, _ = engine_url(db_url)
    if url.get_backend_name() != "sqlite":
        return None
    assert url.database is not None
    return Path(url.database).expanduser()


class Storage:
    """The engine plus what every part needs to know about the database."""

    def __init__(self, engine: AsyncEngine, *, channel: str) -> None:
        self.engine = engine
        self.channel = channel  # the LISTEN/NOTIFY channel on PostgreSQL

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @classmethod
    async def open(cls, db_url: str, *, upgrade: bool = False) -> Storage:
        """Open the database at the newest schema revision, or raise StorageError.

        An empty database is made; `upgrade` also moves an older one forward
        (otherwise that is SchemaOutdated, naming `floorline db upgrade`).
        """
        engine, channel = make_engine(db_url)
        storage = cls(engine, channel=channel)
        try:
            async with engine.begin() as conn:
                if storage.is_postgres:
                    await conn.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
                await conn.run_sync(_bring_to_head, display_url(db_url), upgrade)
                await _ensure_meta(conn)
                await journal.ensure_head(conn)
        except StorageError:
            await engine.dispose()
            raise
        except dbschema.SchemaError as exc:
            await engine.dispose()
            raise StorageError(str(exc)) from exc
        except Exception as exc:
            await engine.dispose()
            raise StorageError(f"cannot open the database {engine.url!r}: {exc}") from exc
        return storage

    async def close(self) -> None:
        await self.engine.dispose()


def _bring_to_head(conn: Connection, shown_url: str, upgrade: bool) -> None:
    found = dbschema.status(conn)
    if found.kind is dbschema.Kind.NEWER:
        raise StorageError(dbschema.newer_message(found))
    if found.kind is dbschema.Kind.UNVERSIONED and not upgrade:
        dbschema.adopt(conn)  # what 0.1.0 made is revision 0001 as it stands
        found = dbschema.status(conn)
    if found.kind is dbschema.Kind.OLD and not upgrade:
        raise SchemaOutdated(dbschema.outdated_message(found, shown_url))
    if found.kind is not dbschema.Kind.CURRENT:
        dbschema.upgrade(conn)


async def _ensure_meta(conn: AsyncConnection) -> None:
    row = (await conn.execute(select(schema.meta.c.id))).first()
    if row is None:
        await conn.execute(
            insert(schema.meta).values(id=1, seq=0, epoch=secrets.token_hex(8), pruned_through=0)
        )
