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

An accepted command is kept a while (`JOURNAL_SECONDS`) with the log epoch
and seq that took it: if that log is restored from a backup, the commands it
lost are sent again (the restored log answers the ones it still has from
its stored results, by command id, so each takes effect once).

The file is versioned: an older one is moved forward step by step (`_STEPS`)
when opened, never set aside. A queued command this version can no longer
read or send becomes a conflict with the reason, shown until dismissed.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from api_client import storage
from api_client.contract import Conflict, PendingCommand
from api_client.summaries import summarize, touched_incident
from domain.commands import COMMAND_ADAPTER, Command
from domain.epochs import log_of
from domain.models import Incident
from domain.protocol import CommandError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
# how long an accepted command is kept, to be sent again if the server's log is
# restored from a backup taken before it (nightly backups: a day and a margin)
JOURNAL_SECONDS = 36 * 3600.0
UNSENDABLE = "unsendable"  # the conflict code of a command this version cannot send
WITHDRAWN = "withdrawn before it was sent"

# version 1 (floorline 0.1.0) as it was made; a new file is made as this and
# then moved through every step, so a new file and an upgraded one are alike
_SCHEMA_V1 = """
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


def _v1_to_v2(db: sqlite3.Connection) -> None:
    # accepted commands are kept (see JOURNAL_SECONDS), marked by the log that took them
    db.execute("ALTER TABLE commands ADD COLUMN accepted_epoch TEXT")
    db.execute("ALTER TABLE commands ADD COLUMN accepted_seq INTEGER")
    db.execute("ALTER TABLE commands ADD COLUMN accepted_at REAL")


# each step moves a file from version n to n + 1, in one transaction with the bump
_STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2}


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
        self.set_aside_why = ""
        try:
            self._db = self._open()
        except (sqlite3.DatabaseError, UnusableOutbox) as exc:
            # never deleted: it may hold the only record of work done offline
            # (a newer version's file: that version can still send it)
            self.set_aside_why = str(exc)
            self.set_aside_as = storage.set_aside(path, f"unusable outbox ({exc})")
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
                    for statement in filter(str.strip, _SCHEMA_V1.split(";")):
                        db.execute(statement)
                    db.execute("INSERT INTO meta VALUES ('schema', '1')")
                    db.execute("INSERT INTO meta VALUES ('last_local_id', '0')")
            _migrate(db)
            db.execute("SELECT pos, command_id, body, accepted_seq FROM commands LIMIT 1")
            _park_unsendable(db)
            # which commands are on their way (a withdrawal must not race them)
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
        """The commands not yet accepted, in the order they were made."""
        rows = self._db.execute(
            "SELECT command_id, body, issued_at, local_id FROM commands"
            " WHERE staff_id = ? AND accepted_seq IS NULL ORDER BY pos",
            (staff_id,),
        ).fetchall()
        # every body was read when the file was opened (unreadable ones parked)
        return [
            _pending(cid, COMMAND_ADAPTER.validate_json(body), at, local)
            for cid, body, at, local in rows
        ]

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
        *,
        epoch: str | None = None,
        seqs: dict[str, int] | None = None,
        now: float | None = None,
    ) -> None:
        """Record a batch of answers in one transaction.

        Accepted commands leave the queue (their events come over the live
        feed) and are kept a while marked with `epoch` and their seq from
        `seqs`; refused ones become conflicts, kept until the user dismisses them.
        """
        now = time.time() if now is None else now
        with storage.transaction(self._db):
            for pending, server_id in accepted:
                if epoch is None:
                    self._db.execute(
                        "DELETE FROM commands WHERE command_id = ?", (pending.command_id,)
                    )
                else:
                    self._db.execute(
                        "UPDATE commands SET accepted_epoch = ?, accepted_seq = ?, accepted_at = ?"
                        " WHERE command_id = ?",
                        (epoch, (seqs or {}).get(pending.command_id, 0), now, pending.command_id),
                    )
                self._db.execute("DELETE FROM sent WHERE command_id = ?", (pending.command_id,))
                if _creates(pending) and server_id is not None:
                    self._db.execute(
                        "UPDATE local_ids SET server_id = ? WHERE local_id = ?",
                        (server_id, pending.incident_id),
                    )
            for pending, error in refused:
                self._refuse(staff_id, pending, error)
            self._db.execute("DELETE FROM commands WHERE accepted_at < ?", (now - JOURNAL_SECONDS,))

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

    # -- after the server's log changed under us ----------------------------

    def replay_after_restore(self, log_id: str) -> int:
        """Queue again, in their first order, the kept commands the log `log_id` accepted.

        That log was restored from a backup: the restored one answers those
        it still has from its stored results and applies the others once.
        An incident opened here gets its number anew (the restored log may
        give it another), so commands naming it by its old number name it
        by its local one again until then. Kept commands of other logs are
        dropped. How many were queued again.
        """
        with storage.transaction(self._db):
            kept = self._db.execute(
                "SELECT command_id, local_id, accepted_epoch FROM commands"
                " WHERE accepted_seq IS NOT NULL ORDER BY pos"
            ).fetchall()
            again = [(cid, local) for cid, local, epoch in kept if log_of(epoch or "") == log_id]
            renumber: dict[int, int] = {}  # the old server number -> the local one
            for _cid, local in again:
                if local is None:
                    continue
                row = self._db.execute(
                    "SELECT server_id FROM local_ids WHERE local_id = ?", (local,)
                ).fetchone()
                if row is not None and row[0] is not None:
                    renumber[row[0]] = local
                self._db.execute(
                    "UPDATE local_ids SET server_id = NULL, refused = NULL WHERE local_id = ?",
                    (local,),
                )
            self._db.executemany(
                "UPDATE commands SET accepted_epoch = NULL, accepted_seq = NULL,"
                " accepted_at = NULL WHERE command_id = ?",
                [(cid,) for cid, _ in again],
            )
            self._db.execute("DELETE FROM commands WHERE accepted_seq IS NOT NULL")
            if renumber:
                self._renumber(renumber)
        if again:
            log.warning("server log %s was restored: sending %d again", log_id, len(again))
        return len(again)

    def forget_accepted(self) -> None:
        """The server's log is another one (started afresh): what the old one took is moot."""
        with storage.transaction(self._db):
            self._db.execute("DELETE FROM commands WHERE accepted_seq IS NOT NULL")

    def _renumber(self, renumber: dict[int, int]) -> None:
        rows = self._db.execute(
            "SELECT command_id, body FROM commands WHERE accepted_seq IS NULL"
        ).fetchall()
        for command_id, body in rows:
            command = COMMAND_ADAPTER.validate_json(body)
            local = renumber.get(getattr(command, "incident_id", None) or 0)
            if local is not None:
                moved = command.model_copy(update={"incident_id": local})
                self._db.execute(
                    "UPDATE commands SET body = ? WHERE command_id = ?",
                    (COMMAND_ADAPTER.dump_json(moved).decode(), command_id),
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
                command: Command | None = COMMAND_ADAPTER.validate_json(body)
            except ValidationError:
                command = None  # kept and shown all the same: the reason says what it was
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


def _migrate(db: sqlite3.Connection) -> None:
    """Move an older file forward, one version per transaction."""
    while True:
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        version = int(row[0]) if row is not None else None
        if version == SCHEMA_VERSION:
            return
        if version is None or version not in _STEPS:
            newer = version is not None and version > SCHEMA_VERSION
            raise UnusableOutbox(
                f"written by a newer floorline (outbox version {version})"
                if newer
                else f"unknown outbox version {row and row[0]!r}"
            )
        with storage.transaction(db):
            _STEPS[version](db)
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(version + 1),))
        log.info("outbox moved from version %d to %d", version, version + 1)


def _park_unsendable(db: sqlite3.Connection) -> None:
    """Make every queued command this version cannot read a conflict, with the reason."""
    rows = db.execute(
        "SELECT command_id, staff_id, issued_at, local_id, body FROM commands"
        " WHERE accepted_seq IS NULL ORDER BY pos"
    ).fetchall()
    for command_id, staff_id, issued_at, local_id, body in rows:
        try:
            COMMAND_ADAPTER.validate_json(body)
            continue
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            detail = f"{where}: {problem['msg']}" if where else problem["msg"]
        kind = _command_type(body)
        reason = (
            f"queued by another floorline version in a form this one cannot send ({detail});"
            " it was not sent: do it again if it still applies"
        )
        with storage.transaction(db):
            db.execute("DELETE FROM commands WHERE command_id = ?", (command_id,))
            db.execute(
                "INSERT OR REPLACE INTO conflicts (command_id, staff_id, issued_at, body, code,"
                " reason, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (command_id, staff_id, issued_at, body, UNSENDABLE, reason, kind),
            )
            if local_id is not None:
                db.execute(
                    "UPDATE local_ids SET refused = ? WHERE local_id = ?",
                    ("this version could not send it", local_id),
                )
        log.warning("outbox command %s cannot be sent by this version: %s", command_id, detail)


def _command_type(body: str) -> str:
    """`close (not sendable)`: what an unreadable command was, as far as it can be told."""
    try:
        kind = json.loads(body).get("type")
    except (ValueError, AttributeError):
        kind = None
    words = str(kind).replace("_", " ") if isinstance(kind, str) and kind else "a command"
    return f"{words} (not sendable)"


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
