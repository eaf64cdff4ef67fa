"""`floorline db upgrade|current`: the database's schema revision, for the operator.

Works on the database directly, like `floorline serve --db`. An SQLite file
is copied (SQLite's online backup) to `<file>.before-<revision>` before any
migration runs on it, so an upgrade that goes wrong loses nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from backend import dbschema
from backend.config import default_db_url
from backend.storage import Storage, StorageError, display_url, make_engine, sqlite_file


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="floorline db", description="The backend database's schema revision."
    )
    sub = parser.add_subparsers(dest="action", required=True)
    db_help = f"database URL (default: {default_db_url()})"
    upgrade = sub.add_parser("upgrade", help="migrate the database to this floorline's schema")
    upgrade.add_argument("--db", default=None, help=db_help)
    current = sub.add_parser("current", help="print the database's schema revision")
    current.add_argument("--db", default=None, help=db_help)
    return parser


async def read_status(db_url: str) -> dbschema.Status:
    engine, _ = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(dbschema.status)
    except Exception as exc:
        raise StorageError(f"cannot read the database {display_url(db_url)}: {exc}") from exc
    finally:
        await engine.dispose()


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite database, even while a server writes to it."""
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def keep_copy(path: Path, head: str) -> Path:
    """Copy `path` aside before migrating it: `floor.db.before-0002` (never overwritten)."""
    target = path.with_name(f"{path.name}.before-{head}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.before-{head}-{n}")
        n += 1
    copy_sqlite(path, target)
    return target


async def upgrade_database(db_url: str, say: Callable[[str], None] = print) -> dbschema.Status:
    """Migrate `db_url` to the head revision; a copy of an SQLite file is kept first."""
    path = sqlite_file(db_url)
    before = await read_status(db_url) if path is None or path.exists() else None
    if before is not None and before.kind is dbschema.Kind.NEWER:
        raise StorageError(dbschema.newer_message(before))
    moves = before is not None and before.kind in (dbschema.Kind.OLD, dbschema.Kind.UNVERSIONED)
    if path is not None and before is not None and moves:
        say(f"kept a copy of the database as {keep_copy(path, before.head)}")
    storage = await Storage.open(db_url, upgrade=True)
    await storage.close()
    after = await read_status(db_url)
    if before is None or before.kind is dbschema.Kind.EMPTY:
        say(f"database created at schema revision {after.revision}")
    elif moves:
        was = before.revision or "0.1.0 (no revision recorded)"
        say(f"database upgraded from {was} to {after.revision}")
    else:
        say(f"database already at {after.revision} (the newest): nothing to do")
    return after


async def _current(db_url: str) -> int:
    path = sqlite_file(db_url)
    if path is not None and not path.exists():
        print(f"no database at {path}")
        return 1
    print((await read_status(db_url)).describe())
    return 0


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    db_url = args.db or default_db_url()
    try:
        if args.action == "current":
            return asyncio.run(_current(db_url))
        asyncio.run(upgrade_database(db_url))
        return 0
    except StorageError as exc:
        print(f"floorline db {args.action}: {exc}", file=sys.stderr)
        return 1
