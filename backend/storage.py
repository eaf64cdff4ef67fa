"""Opening the database: one async engine, SQLite or PostgreSQL, one code path for both."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from backend import schema

SQLITE_BUSY_TIMEOUT = 30.0  # seconds another process may hold the write lock


class StorageError(RuntimeError):
    """The database URL is unusable or the database cannot be opened."""


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


class Storage:
    """The engine plus what every part needs to know about the database."""

    def __init__(self, engine: AsyncEngine, *, channel: str) -> None:
        self.engine = engine
        self.channel = channel  # the LISTEN/NOTIFY channel on PostgreSQL

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @classmethod
    async def open(cls, db_url: str) -> Storage:
        url, connect_args = engine_url(db_url)
        engine = create_async_engine(url, connect_args=connect_args, pool_pre_ping=False)
        if engine.dialect.name == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        search_path = connect_args.get("server_settings", {}).get("search_path", "")
        channel = "floorline_events" + "".join(ch for ch in search_path if ch.isalnum())
        storage = cls(engine, channel=channel.lower())
        try:
            async with engine.begin() as conn:
                await conn.run_sync(schema.metadata.create_all)
                await conn.run_sync(schema.create_later_indexes)
                await _ensure_meta(conn)
        except Exception as exc:
            await engine.dispose()
            raise StorageError(f"cannot open the database {url!r}: {exc}") from exc
        return storage

    async def close(self) -> None:
        await self.engine.dispose()


async def _ensure_meta(conn: AsyncConnection) -> None:
    row = (await conn.execute(select(schema.meta.c.id))).first()
    if row is None:
        await conn.execute(
            insert(schema.meta).values(id=1, seq=0, epoch=secrets.token_hex(8), pruned_through=0)
        )
