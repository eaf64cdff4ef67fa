"""Where a terminal keeps its files, and how an unusable file is set aside.

    <data_dir>/replicas/<server-slug>/<staff_id>.db   the replica, per user
    <data_dir>/replicas/<server-slug>/outbox.db       queued and refused commands

(`<server-slug>` is the floor's first server, when it has several.)

A file we cannot use is renamed, never deleted: it may hold the only copy of
something a user did offline, and someone may want to look at it.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)


def server_slug(server: str) -> str:
    """`https://floor.example:8443/` -> `floor.example-8443`: a safe folder name."""
    parts = urlsplit(server if "://" in server else f"//{server}")
    host = parts.hostname or "server"
    name = f"{host}-{parts.port}" if parts.port else host
    if parts.path.strip("/"):
        name += "-" + parts.path.strip("/")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def safe_name(staff_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", staff_id) or "_"


def set_aside(path: Path, why: str) -> Path:
    """Rename `path` (and its WAL companions) to `<name>.corrupt-<timestamp>`."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    path.rename(target)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    log.warning("%s: %s; kept as %s and starting a new one", path, why, target.name)
    return target


def connect(path: Path, *, durable: bool) -> sqlite3.Connection:
    """Open `path` in WAL mode, where every commit is atomic.

    `durable`: each commit is on disk before it returns (FULL: an fsync per
    commit). Without it (NORMAL) a power cut may roll back the last commits,
    never part of one: fit for a cache that can be rebuilt, not for user work.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # autocommit off in the DB-API sense: we open transactions explicitly
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken up front so readers never see half of it."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
