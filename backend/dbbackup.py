"""`floorline db backup FILE` / `floorline db restore FILE` for an SQLite database.

A backup is SQLite's online backup, read in one transaction: consistent while
the server keeps writing (each command's events, its stored result and the
log's head commit together, so a backup holds all of a command or none of it).

A restore needs the database to itself (the server stopped): it keeps the
database it replaces as `<file>.replaced-<time>`, copies the backup in, and
gives the log a new epoch naming the one backed up (`domain.epochs`), so every
terminal takes a snapshot and sends again what the backup had not seen; the
restored results by command id answer what it had, so each command takes
effect once.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from backend import dbschema
from domain.epochs import restored_epoch

BUSY_TIMEOUT = 5.0


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why and that nothing changed."""


@dataclass(frozen=True, slots=True)
class LogHead:
    seq: int
    epoch: str


def _head(db: sqlite3.Connection, what: str) -> LogHead:
    try:
        row = db.execute("SELECT seq, epoch FROM meta WHERE id = 1").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is not a floorline database ({exc})") from exc
    if row is None:
        raise BackupError(f"{what} is not a floorline database (its log has no head)")
    return LogHead(seq=int(row[0]), epoch=str(row[1]))


def backup(source: Path, target: Path) -> LogHead:
    """Copy the live database `source` to a new file `target`; the head it holds."""
    if not source.exists():
        raise BackupError(f"no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists: give a new file name (nothing was written)")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT)
    dst = sqlite3.connect(partial)
    try:
        _head(src, str(source))  # a floorline database, before anything is written
        src.backup(dst)  # all pages in one step: one consistent read of the source
        dst.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
        copied = _head(dst, "the copy")
        if dst.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError("the copy did not pass SQLite's check (nothing was written)")
    except BaseException:
        dst.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    dst.close()
    partial.rename(target)  # only a whole backup ever has the name asked for
    return copied


def restore(backup_file: Path, target: Path) -> tuple[LogHead, Path | None]:
    """Replace the database `target` by `backup_file`, under a new epoch.

    Returns the restored head and where the replaced database was kept.
    """
    if not backup_file.exists():
        raise BackupError(f"no backup at {backup_file}")
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError(f"{backup_file} did not pass SQLite's check: nothing was restored")
        backed_up = _head(src, str(backup_file))
        _check_revision(src, backup_file)
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=0.5, isolation_level=None)
        try:
            kept = _take_alone(dst, target)
            src.backup(dst)
            epoch = restored_epoch(secrets.token_hex(8), backed_up.epoch)
            dst.execute("UPDATE meta SET epoch = ? WHERE id = 1", (epoch,))
        finally:
            dst.close()
    finally:
        src.close()
    return LogHead(seq=backed_up.seq, epoch=epoch), kept


def _check_revision(src: sqlite3.Connection, backup_file: Path) -> None:
    try:
        row = src.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return  # made by 0.1.0, before migrations: adopted once restored
    if row is not None and row[0] not in dbschema.known_revisions():
        raise BackupError(
            f"{backup_file} is at schema revision {row[0]}, made by a newer floorline:"
            " restore it with that version; nothing was restored"
        )


def _take_alone(dst: sqlite3.Connection, target: Path) -> Path | None:
    """Hold `target` exclusively (or refuse) and keep a copy of what it holds now."""
    try:
        # held until this connection closes: no server can open it meanwhile, and an
        # open one (even idle) makes this fail, since it holds its own lock
        dst.execute("PRAGMA locking_mode=EXCLUSIVE")
        dst.execute("BEGIN EXCLUSIVE")
        tables = dst.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        dst.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        raise BackupError(
            f"{target} is in use ({exc}): stop `floorline serve` on it first; nothing was restored"
        ) from exc
    if not tables:
        return None
    name = f"{target.name}.replaced-{time.strftime('%Y%m%dT%H%M%S')}"
    kept, n = target.with_name(name), 1
    while kept.exists():
        kept, n = target.with_name(f"{name}-{n}"), n + 1
    copy = sqlite3.connect(kept)
    try:
        dst.backup(copy)
    finally:
        copy.close()
    return kept
