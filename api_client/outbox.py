"""The durable outbox: commands made on this terminal, kept until the server answers.

A command is committed here (SQLite, `synchronous=FULL`) before anything is
sent, so neither a lost network nor a power cut can lose it. The server's
answer deletes it (accepted) or moves it to `conflicts` (refused), where it
stays until the user dismisses it.

A command handed to the sender is marked `sent` first: from then on the
server may have it, so it can no longer be withdrawn, only answered.

Incidents opened offline get a local number (-1, -2, ...), persisted so it
is never reused; `local_ids` maps it to the server's number once known, so
commands queued against the local number can be rewritten before sending.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from api_client import storage
from api_client.contract import Conflict, PendingCommand
from api_client.summaries import summarize, touched_incident
from domain.commands import COMMAND_ADAPTER, Command
from domain.models import Incident
from domain.protocol import CommandError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
WITHDRAWN = "withdrawn before it was sent"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE commands (
    pos INTEGER PRIMARY KEY AUTOINCREMENT,
    command_id TEXT NOT NULL UNIQUE,
    staff_id TEXT NOT NULL,
    issued_at REAL NOT NULL,
    local_id INTEGER,
    body TEXT NOT NULL
);
CREATE TABLE local_ids (
    local_id INTEGER PRIMARY KEY,
    server_id INTEGER,
    refused TEXT
);
CREATE TABLE conflicts (
    pos INTEGER PRIMARY KEY AUTOINCREMENT,
    command_id TEXT NOT NULL UNIQUE,
    staff_id TEXT NOT NULL,
    issued_at REAL NOT NULL,
    body TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    by_staff TEXT,
    at REAL,
    current TEXT,
    summary TEXT NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class LocalId:
    """What became of an incident opened offline."""

    server_id: int | None  # None: not numbered yet (or refused)
    refused: str | None  # why the server refused to open it


class UnusableOutbox(Exception):
    pass


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.set_aside_as: Path | None = None
        try:
            self._db = self._open()
        except (sqlite3.DatabaseError, UnusableOutbox) as exc:
            # never deleted: it may hold the only record of work done offline
            self.set_aside_as = storage.set_aside(path, f"unreadable outbox ({exc})")
            self._db = self._open()

    def close(self) -> None:
        self._db.close()

    def _open(self) -> sqlite3.Connection:
        # durable: a commit survives a power cut (WAL with NORMAL may roll it back)
        db = storage.connect(self.path, durable=True)
        try:
            # a sent command's row is overwritten, not just unlinked, when deleted
            db.execute("PRAGMA secure_delete=ON")
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if not tables:
                with storage.transaction(db):
                    for statement in filter(str.strip, _SCHEMA.split(";")):
                        db.execute(statement)
                    db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                    db.execute("INSERT INTO meta VALUES ('last_local_id', '0')")
            schema = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if schema is None or int(schema[0]) != SCHEMA_VERSION:
                raise UnusableOutbox(f"schema version {schema and schema[0]!r}")
            db.execute("SELECT pos, command_id, body FROM commands LIMIT 1").fetchall()
            # added after the first version of the file: made where missing
            with storage.transaction(db):
                db.execute("CREATE TABLE IF NOT EXISTS sent (command_id TEXT PRIMARY KEY)")
        except BaseException:
            db.close()
            raise
        return db

    # -- queued commands ------------------------------------------------------

    def add(
        self, staff_id: str, command_id: str, command: Command, issued_at: float
    ) -> PendingCommand:
        """Commit one command; an incident creation gets its local number here."""
        body = COMMAND_ADAPTER.dump_json(command).decode()
        with storage.transaction(self._db):
            local_id = None
            if command.type == "open_incident":
                row = self._db.execute("SELECT value FROM meta WHERE key = 'last_local_id'")
                local_id = int(row.fetchone()[0]) - 1
                self._db.execute(
                    "UPDATE meta SET value = ? WHERE key = 'last_local_id'", (str(local_id),)
                )
                self._db.execute("INSERT INTO local_ids (local_id) VALUES (?)", (local_id,))
            self._db.execute(
                "INSERT INTO commands (command_id, staff_id, issued_at, local_id, body)"
                " VALUES (?, ?, ?, ?, ?)",
                (command_id, staff_id, issued_at, local_id, body),
            )
        return _pending(command_id, command, issued_at, local_id)

    def pending(self, staff_id: str) -> list[PendingCommand]:
        rows = self._db.execute(
            "SELECT command_id, body, issued_at, local_id FROM commands"
            " WHERE staff_id = ? ORDER BY pos",
            (staff_id,),
        )
        queued = []
        for cid, body, at, local in rows:
            try:
                queued.append(_pending(cid, COMMAND_ADAPTER.validate_json(body), at, local))
            except ValidationError:
                # written by another version of floorline: left in place, never sent blind
                log.warning("outbox command %s is not readable by this version; kept", cid)
        return queued

    def mark_sent(self, command_ids: list[str]) -> None:
        """These are about to go to the server: none of them may be withdrawn from now."""
        with storage.transaction(self._db):
            self._db.executemany(
                "INSERT OR IGNORE INTO sent (command_id) VALUES (?)", [(i,) for i in command_ids]
            )

    def unmark_sent(self, command_ids: list[str]) -> None:
        """These never reached the server after all (no connection was made)."""
        with storage.transaction(self._db):
            self._db.executemany(
                "DELETE FROM sent WHERE command_id = ?", [(i,) for i in command_ids]
            )

    def sent(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT command_id FROM sent")}

    def withdraw(self, staff_id: str, command_id: str) -> bool:
        """Forget a queued command never sent; False if it was sent (or is not queued)."""
        with storage.transaction(self._db):
            row = self._db.execute(
                "SELECT local_id FROM commands WHERE command_id = ?", (command_id,)
            ).fetchone()
            gone = self._db.execute(
                "DELETE FROM commands WHERE command_id = ? AND staff_id = ?"
                " AND command_id NOT IN (SELECT command_id FROM sent)",
                (command_id, staff_id),
            )
            if gone.rowcount and row is not None and row[0] is not None:
                # an incident opened offline and withdrawn: its number is never reused
                self._db.execute(
                    "UPDATE local_ids SET refused = ? WHERE local_id = ?",
                    (WITHDRAWN, row[0]),
                )
        return gone.rowcount > 0

    def settle(
        self,
        staff_id: str,
        accepted: list[tuple[PendingCommand, int | None]],
        refused: list[tuple[PendingCommand, CommandError]],
    ) -> None:
        """Record a batch of answers in one transaction.

        Accepted commands are forgotten (their events come over the live feed);
        refused ones become conflicts, kept until the user dismisses them.
        """
        with storage.transaction(self._db):
            for pending, server_id in accepted:
                self._db.execute("DELETE FROM commands WHERE command_id = ?", (pending.command_id,))
                self._db.execute("DELETE FROM sent WHERE command_id = ?", (pending.command_id,))
                if _creates(pending) and server_id is not None:
                    self._db.execute(
                        "UPDATE local_ids SET server_id = ? WHERE local_id = ?",
                        (server_id, pending.incident_id),
                    )
            for pending, error in refused:
                self._refuse(staff_id, pending, error)

    def _refuse(self, staff_id: str, pending: PendingCommand, error: CommandError) -> None:
        self._db.execute("DELETE FROM commands WHERE command_id = ?", (pending.command_id,))
        self._db.execute("DELETE FROM sent WHERE command_id = ?", (pending.command_id,))
        self._db.execute(
            "INSERT OR REPLACE INTO conflicts (command_id, staff_id, issued_at, body, code,"
            " reason, by_staff, at, current, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pending.command_id,
                staff_id,
                pending.issued_at,
                COMMAND_ADAPTER.dump_json(pending.command).decode(),
                error.code,
                error.message,
                error.by,
                error.at,
                json.dumps(error.current) if error.current is not None else None,
                pending.summary,
            ),
        )
        if _creates(pending):
            self._db.execute(
                "UPDATE local_ids SET refused = ? WHERE local_id = ?",
                (error.message, pending.incident_id),
            )

    def local_ids(self) -> dict[int, LocalId]:
        rows = self._db.execute("SELECT local_id, server_id, refused FROM local_ids")
        return {local: LocalId(server_id=sid, refused=why) for local, sid, why in rows}

    # -- conflicts ------------------------------------------------------------

    def conflicts(self, staff_id: str) -> list[Conflict]:
        rows = self._db.execute(
            "SELECT command_id, body, issued_at, code, reason, by_staff, at, current, summary"
            " FROM conflicts WHERE staff_id = ? ORDER BY pos",
            (staff_id,),
        )
        found = []
        for cid, body, issued_at, code, reason, by, at, current, summary in rows:
            try:
                command = COMMAND_ADAPTER.validate_json(body)
            except ValidationError:
                log.warning("conflict %s is not readable by this version; kept", cid)
                continue
            found.append(
                Conflict(
                    command_id=cid,
                    command=command,
                    issued_at=issued_at,
                    code=code,
                    reason=reason,
                    by=by,
                    at=at,
                    current=_incident(current),
                    summary=summary,
                )
            )
        return found

    def dismiss(self, staff_id: str, command_id: str) -> bool:
        with storage.transaction(self._db):
            gone = self._db.execute(
                "DELETE FROM conflicts WHERE command_id = ? AND staff_id = ?",
                (command_id, staff_id),
            )
        return gone.rowcount > 0


def _pending(
    command_id: str, command: Command, issued_at: float, local_id: int | None
) -> PendingCommand:
    incident_id = touched_incident(command, local_id)
    return PendingCommand(
        command_id=command_id,
        command=command,
        issued_at=issued_at,
        incident_id=incident_id,
        summary=summarize(command, incident_id),
    )


def _creates(pending: PendingCommand) -> bool:
    return pending.command.type == "open_incident" and pending.incident_id is not None


def _incident(current: str | None) -> Incident | None:
    if current is None:
        return None
    try:
        return Incident.model_validate_json(current)
    except ValidationError:
        return None  # an older or newer server's shape: the reason still says what happened
