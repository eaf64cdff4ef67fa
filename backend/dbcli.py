"""`floorline db upgrade|current|backup|restore|mark-restored`: the backend's database.

Works on the database directly, like `floorline serve --db`. An SQLite file
is copied (SQLite's online backup) to `<file>.before-<revision>` before any
migration runs on it, so an upgrade that goes wrong loses nothing. Backup
and restore are SQLite's (see backend/dbbackup.py); PostgreSQL has its own
tools, which the refusal names.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import update

from backend import dbbackup, dbschema, eventlog, schema
from backend.config import default_db_url
from backend.storage import Storage, StorageError, display_url, make_engine, sqlite_file
from domain.epochs import restored_epoch


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="floorline db",
        description="The backend's database: its schema revision, backups and restores.",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    db_help = f"database URL (default: {default_db_url()})"
    upgrade = sub.add_parser("upgrade", help="migrate the database to this floorline's schema")
    upgrade.add_argument("--db", default=None, help=db_help)
    current = sub.add_parser("current", help="print the database's schema revision")
    current.add_argument("--db", default=None, help=db_help)
    backup = sub.add_parser("backup", help="copy the SQLite database to FILE, even while serving")
    backup.add_argument("file", type=Path)
    backup.add_argument("--db", default=None, help=db_help)
    restore = sub.add_parser(
        "restore", help="replace the SQLite database by the backup FILE (server stopped)"
    )
    restore.add_argument("file", type=Path)
    restore.add_argument("--db", default=None, help=db_help)
    mark = sub.add_parser(
        "mark-restored",
        help="after pg_restore or a point-in-time recovery, with every server stopped:"
        " give the log a new epoch, so terminals take a snapshot",
    )
    mark.add_argument("--db", default=None, help=db_help)
    return parser


PG_BACKUP = (
    "a PostgreSQL database is backed up with PostgreSQL's own tools:"
    " pg_dump -Fc (restore with pg_restore, then `floorline db mark-restored`), or"
    " continuous archiving for point-in-time recovery; see 'Upgrading and backups' in the README"
)


async def read_status(db_url: str) -> dbschema.Status:
    engine, _ = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(dbschema.status)
    except Exception as exc:
        raise StorageError(f"cannot read the database {display_url(db_url)}: {exc}") from exc
    finally:
        await engine.dispose()


def keep_copy(path: Path, head: str) -> Path:
    """Copy `path` aside before migrating it: `floor.db.before-0002` (never overwritten)."""
    target = path.with_name(f"{path.name}.before-{head}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.before-{head}-{n}")
        n += 1
    dbbackup.backup(path, target)
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


def _backup(db_url: str, file: Path) -> int:
    path = sqlite_file(db_url)
    if path is None:
        raise dbbackup.BackupError(PG_BACKUP)
    head = dbbackup.backup(path, file)
    print(f"backed up the log to seq {head.seq} (epoch {head.epoch}) as {file}")
    return 0


def _restore(db_url: str, file: Path) -> int:
    path = sqlite_file(db_url)
    if path is None:
        raise dbbackup.BackupError(PG_BACKUP.replace("backed up", "restored"))
    head, kept = dbbackup.restore(file, path)
    if kept is not None:
        print(f"kept the database it replaced as {kept}")
    # a backup made by an older floorline is brought to this one's schema
    asyncio.run(upgrade_database(db_url, say=lambda _line: None))
    print(
        f"restored the log to seq {head.seq} from {file}; its new epoch {head.epoch} makes"
        " every terminal take a snapshot and send again what the backup had not seen"
    )
    return 0


async def _mark_restored(db_url: str) -> int:
    """A log put back by the database's own tools is a restored log to its terminals too."""
    storage = await Storage.open(db_url)
    try:
        async with storage.engine.begin() as conn:
            head = await eventlog.lock_head(conn)
            epoch = restored_epoch(secrets.token_hex(8), head.epoch)
            await conn.execute(update(schema.meta).where(schema.meta.c.id == 1).values(epoch=epoch))
    finally:
        await storage.close()
    print(f"the log at seq {head.seq} now has the epoch {epoch}: terminals take a snapshot")
    return 0


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    db_url = args.db or default_db_url()
    try:
        if args.action == "current":
            return asyncio.run(_current(db_url))
        if args.action == "backup":
            return _backup(db_url, args.file)
        if args.action == "restore":
            return _restore(db_url, args.file)
        if args.action == "mark-restored":
            return asyncio.run(_mark_restored(db_url))
        asyncio.run(upgrade_database(db_url))
        return 0
    except (StorageError, dbbackup.BackupError) as exc:
        print(f"floorline db {args.action}: {exc}", file=sys.stderr)
        return 1
