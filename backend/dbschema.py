"""Which schema revision a database is at, and moving it forward (Alembic, configured here).

A database is one of:
- empty: none of our tables; the migrations make it from nothing;
- unversioned: made by floorline 0.1.0's create_all, before migrations
  (no `alembic_version`); adopted by stamping the first revision once its
  tables are checked to be there;
- old: at an earlier revision; `floorline db upgrade` moves it forward;
- current: at the head revision;
- newer: at a revision this floorline does not know (a later release).

Everything here takes a synchronous SQLAlchemy connection (the async engine's
`run_sync`), inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

MIGRATIONS = Path(__file__).with_name("migrations")
FIRST_REVISION = "0001"
UPGRADE_HINT = "floorline db upgrade"

# what floorline 0.1.0 made (revision 0001): checked before a database is adopted
RELEASE_TABLES: dict[str, set[str]] = {
    "meta": {"id", "seq", "epoch", "pruned_through"},
    "events": {"seq", "type", "incident_id", "at", "body", "view"},
    "snapshots": {"seq", "body"},
    "commands": {"command_id", "staff_id", "at", "result"},
    "audit": {
        "id",
        "at",
        "staff_id",
        "terminal",
        "command_type",
        "command_id",
        "result",
        "message",
        "issued_at",
        "seq",
    },
    "staff": {"id", "name", "role", "pit", "pin_hash", "active"},
    "assets": {"id", "body"},
    "roster": {"position", "body"},
    "pits": {"id", "body"},
    "one_time_pins": {"staff_id", "since"},
    "tokens": {"token_hash", "staff_id", "terminal", "issued_at", "expires_at", "revoked"},
}


class Kind(StrEnum):
    EMPTY = "empty"
    UNVERSIONED = "unversioned"
    OLD = "old"
    CURRENT = "current"
    NEWER = "newer"


class SchemaError(RuntimeError):
    """The database's tables cannot be used or adopted as they are; the message says why."""


@dataclass(frozen=True, slots=True)
class Status:
    kind: Kind
    revision: str | None  # what alembic_version says (None: no revision recorded)
    head: str

    def describe(self) -> str:
        """One line for an operator: `0002 (the newest)`, `0001: floorline db upgrade ...`."""
        if self.kind is Kind.EMPTY:
            return f"empty: `{UPGRADE_HINT}` or `floorline serve` creates it at {self.head}"
        if self.kind is Kind.UNVERSIONED:
            return (
                "made by floorline 0.1.0 (no revision recorded):"
                f" `{UPGRADE_HINT}` adopts it and moves it to {self.head}"
            )
        if self.kind is Kind.CURRENT:
            return f"{self.revision} (the newest this floorline knows)"
        if self.kind is Kind.OLD:
            return f"{self.revision}, older than {self.head}: run `{UPGRADE_HINT}`"
        return f"{self.revision}, made by a newer floorline (this one knows up to {self.head})"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def status(conn: Connection) -> Status:
    head = head_revision()
    revision = MigrationContext.configure(conn).get_current_revision()
    if revision is not None:
        if revision == head:
            kind = Kind.CURRENT
        elif revision in known_revisions():
            kind = Kind.OLD
        else:
            kind = Kind.NEWER
        return Status(kind, revision, head)
    ours = set(inspect(conn).get_table_names()) & RELEASE_TABLES.keys()
    return Status(Kind.UNVERSIONED if ours else Kind.EMPTY, None, head)


def adopt(conn: Connection) -> None:
    """Record that a database made before migrations is at the first revision."""
    inspector = inspect(conn)
    tables = set(inspector.get_table_names())
    missing = sorted(RELEASE_TABLES.keys() - tables)
    if missing:
        raise SchemaError(
            "this database has some floorline tables but not all"
            f" (missing: {', '.join(missing)}): restore it from a backup; nothing was changed"
        )
    for table, columns in RELEASE_TABLES.items():
        have = {column["name"] for column in inspector.get_columns(table)}
        if columns - have:
            lost = ", ".join(sorted(columns - have))
            raise SchemaError(
                f"table {table} lacks columns floorline needs ({lost}): nothing was changed"
            )
    command.stamp(alembic_config(conn), FIRST_REVISION)


def upgrade(conn: Connection) -> Status:
    """Move the database to the head revision (adopting a 0.1.0 one first); its new status."""
    before = status(conn)
    if before.kind is Kind.NEWER:
        raise SchemaError(newer_message(before))
    if before.kind is Kind.UNVERSIONED:
        adopt(conn)
    if before.kind is not Kind.CURRENT:
        command.upgrade(alembic_config(conn), "head")
    return status(conn)


def newer_message(found: Status) -> str:
    return (
        f"the database is at schema revision {found.revision}, which this floorline does not"
        f" know (it knows up to {found.head}): it was made by a newer floorline; run that one"
    )


def outdated_message(found: Status, db_url: str) -> str:
    at = found.revision or f"{FIRST_REVISION} (made by floorline 0.1.0)"
    return (
        f"the database is at schema revision {at}; this floorline needs {found.head}."
        f" Back it up, then run: {UPGRADE_HINT} --db {db_url}"
    )
