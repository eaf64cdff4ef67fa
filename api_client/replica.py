"""The local replica: the last confirmed floor state, on disk, per server and user.

One SQLite file holds the snapshot plus every event folded since, one row per
incident and downtime, so applying a burst of events rewrites only the rows it
touched. Opening it gives the last known floor with no network at all.

Commits are atomic but not fsync'd one by one: a power cut may roll back the
last few, leaving the replica at an earlier seq with exactly the rows of that
seq (each commit writes its rows and its seq together), and the live feed
resumes from there. The outbox, which holds what users did, is the durable one.

A file that is not ours (not SQLite, another schema, another server or user)
is set aside and the replica starts empty; the sync loop then rebuilds it
from a snapshot.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from api_client import storage
from api_client.shared_fields import lean_downtime, lean_incident, share_field_sets
from domain.cover_records import ContactCheck, Cover
from domain.events import BadEvent, Event, EventType
from domain.floor_changes import FLOOR_EVENTS
from domain.models import Asset, Downtime, Incident, Pit, PlayerFlag, RosterEntry, Staff
from domain.player_flags import PLAYER_FLAG_EVENTS, flagged_incidents
from domain.policy import Policy
from domain.reducer import apply
from domain.state import FloorState

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE incidents (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE downtimes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE staff (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE assets (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE roster (pos INTEGER PRIMARY KEY, body TEXT NOT NULL);
"""

_DOWNTIME_EVENTS = (
    EventType.DOWNTIME_STARTED,
    EventType.PLAYER_MOVED,
    EventType.DOWNTIME_ENDED,
)


class ForeignReplica(Exception):
    """The file exists but is not this user's replica of this server."""


class Replica:
    def __init__(self, path: Path, *, server: str, staff_id: str) -> None:
        self.path = path
        self.server = server
        self.staff_id = staff_id
        self.state = FloorState()
        self.epoch: str | None = None
        self.me: Staff | None = None
        self.clock_offset = 0.0
        self.set_aside_as: Path | None = None  # where an unusable file went
        try:
            self._db = self._open()
        except (sqlite3.DatabaseError, ForeignReplica, ValidationError, ValueError) as exc:
            self.set_aside_as = storage.set_aside(path, f"unusable replica ({exc})")
            self.state, self.epoch, self.me, self.clock_offset = FloorState(), None, None, 0.0
            self._db = self._connect()
            self._create()

    @property
    def seq(self) -> int:
        return self.state.seq

    @property
    def synced(self) -> bool:
        """Whether this replica ever took a snapshot (it can resume from its seq)."""
        return self.epoch is not None

    def close(self) -> None:
        self._db.close()

    # -- reading --------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = storage.connect(self.path, durable=False)
        # the file is read whole once, at open, and then written a few rows at a
        # time: SQLite's default 2 MiB page cache would only hold the floor twice
        db.execute("PRAGMA cache_size=-256")
        return db

    def _open(self) -> sqlite3.Connection:
        db = self._connect()
        try:
            self._db = db
            self._load()
        except BaseException:
            db.close()
            raise
        return db

    def _load(self) -> None:
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if not tables:
            self._create()
            return
        if "meta" not in tables:
            raise ForeignReplica("no meta table")
        meta = {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM meta")}
        if meta.get("schema") != SCHEMA_VERSION:
            raise ForeignReplica(f"schema version {meta.get('schema')!r}")
        if meta.get("server") != self.server or meta.get("staff_id") != self.staff_id:
            raise ForeignReplica(f"belongs to {meta.get('staff_id')!r} at {meta.get('server')!r}")
        self.epoch = meta.get("epoch")
        self.clock_offset = float(meta.get("clock_offset", 0.0))
        self.me = Staff.model_validate(meta["me"]) if meta.get("me") else None

        def rows(table: str, order: str = "id") -> Iterator[str]:
            # row by row: the bodies of a whole floor are never all held at once
            return (r[0] for r in self._db.execute(f"SELECT body FROM {table} ORDER BY {order}"))

        incidents = (lean_incident(Incident.model_validate_json(b)) for b in rows("incidents"))
        downtimes = (lean_downtime(Downtime.model_validate_json(b)) for b in rows("downtimes"))
        self.state = FloorState(
            policy=Policy.model_validate(meta["policy"]) if meta.get("policy") else Policy(),
            seq=int(meta.get("seq", 0)),
            incidents={i.id: i for i in incidents},
            downtimes={d.id: d for d in downtimes},
            staff={s.id: s for s in map(Staff.model_validate_json, rows("staff"))},
            inactive_staff={
                s.id: s for s in map(Staff.model_validate, meta.get("inactive_staff", ()))
            },
            pits={p.id: p for p in map(Pit.model_validate, meta.get("pits", ()))},
            assets={a.id: a for a in map(Asset.model_validate_json, rows("assets"))},
            roster=tuple(RosterEntry.model_validate_json(b) for b in rows("roster", "pos")),
            next_incident_id=int(meta.get("next_incident_id", 1)),
            next_downtime_id=int(meta.get("next_downtime_id", 1)),
            covers=tuple(map(Cover.model_validate, meta.get("covers", ()))),
            contact_checks=tuple(map(ContactCheck.model_validate, meta.get("contact_checks", ()))),
            player_flags={
                ref: tuple(map(PlayerFlag.model_validate, flags))
                for ref, flags in meta.get("player_flags", {}).items()
            },
        )

    def _create(self) -> None:
        with self._transaction():
            for statement in filter(str.strip, _SCHEMA.split(";")):
                self._db.execute(statement)
            self._put_meta(schema=SCHEMA_VERSION, server=self.server, staff_id=self.staff_id, seq=0)

    # -- writing --------------------------------------------------------------

    def replace(self, epoch: str, state: FloorState, me: Staff) -> None:
        """Take a whole snapshot: every row rewritten in one transaction."""
        with self._transaction():
            for table in ("incidents", "downtimes"):
                self._db.execute(f"DELETE FROM {table}")
            self._put_rows("incidents", state.incidents.values())
            self._put_rows("downtimes", state.downtimes.values())
            self._put_config(state)
            self._put_meta(
                epoch=epoch,
                me=me.model_dump(mode="json"),
                policy=state.policy.model_dump(mode="json"),
                **self._counters(state),
                **self._duty(state),
            )
        share_field_sets(state.incidents.values(), state.downtimes.values())
        self.epoch, self.state, self.me = epoch, state, me

    def apply(self, events: Iterable[Event]) -> tuple[set[int], set[int]]:
        """Fold `events` and persist the rows they touched; the changed (or dropped) ids.

        An event that cannot be folded raises `BadEvent` with none of `events` kept.
        """
        state = self.state
        incidents: set[int] = set()
        downtimes: set[int] = set()
        for event in events:
            try:
                state = apply(state, event)
            except BadEvent:
                raise
            except Exception as exc:  # the event's fault, not the terminal's: nothing is kept
                raise BadEvent(event.seq, f"the fold failed ({type(exc).__name__}: {exc})") from exc
            if event.type in _DOWNTIME_EVENTS:
                if event.downtime_id is not None:
                    downtimes.add(event.downtime_id)
            elif event.type in (EventType.INCIDENT_OPENED, EventType.INCIDENT_SHOWN):
                number = event.incident_id
                if number is None:
                    shown = event.data.get("incident")
                    number = shown.get("id") if isinstance(shown, dict) else None
                if isinstance(number, int):  # it is: the event folded, so its incident is valid
                    incidents.add(number)
            elif event.incident_id is not None and event.type is not EventType.HIDDEN:
                incidents.add(event.incident_id)
            elif event.type in PLAYER_FLAG_EVENTS:
                # a flag shows on every incident of its player: each is redrawn
                incidents |= flagged_incidents(state, [event])
        gone = incidents - state.incidents.keys()  # left this viewer's view
        downtimes &= state.downtimes.keys()
        with self._transaction():
            self._db.executemany("DELETE FROM incidents WHERE id = ?", [(i,) for i in gone])
            self._put_rows("incidents", (state.incidents[i] for i in incidents - gone))
            self._put_rows("downtimes", (state.downtimes[d] for d in downtimes))
            duty_moved = (state.covers, state.contact_checks, state.player_flags) != (
                self.state.covers,
                self.state.contact_checks,
                self.state.player_flags,
            )
            self._put_meta(**self._counters(state), **(self._duty(state) if duty_moved else {}))
            if any(event.type in FLOOR_EVENTS for event in events):
                self._put_config(state)
        self.state = state
        return incidents, downtimes

    def save_clock_offset(self, offset: float) -> None:
        with self._transaction():
            self._put_meta(clock_offset=offset)
        self.clock_offset = offset

    def save_me(self, me: Staff) -> None:
        with self._transaction():
            self._put_meta(me=me.model_dump(mode="json"))
        self.me = me

    def _counters(self, state: FloorState) -> dict[str, Any]:
        return {
            "seq": state.seq,
            "next_incident_id": state.next_incident_id,
            "next_downtime_id": state.next_downtime_id,
        }

    def _duty(self, state: FloorState) -> dict[str, Any]:
        """Covers, contact checks and player flags: a handful of rows, kept whole in the meta
        table."""
        return {
            "covers": [cover.model_dump(mode="json") for cover in state.covers],
            "contact_checks": [check.model_dump(mode="json") for check in state.contact_checks],
            "player_flags": {
                ref: [flag.model_dump(mode="json") for flag in flags]
                for ref, flags in state.player_flags.items()
            },
        }

    def _put_config(self, state: FloorState) -> None:
        """The floor's configuration (staff, tables and machines, the rota, pits), whole:
        a few dozen rows, rewritten on the rare event that changes any of it, so a
        terminal started again resumes with the staff and rota it last heard of."""
        for table in ("staff", "assets", "roster"):
            self._db.execute(f"DELETE FROM {table}")
        self._put_rows("staff", state.staff.values())
        self._put_rows("assets", state.assets.values())
        self._db.executemany(
            "INSERT INTO roster (pos, body) VALUES (?, ?)",
            [(n, e.model_dump_json()) for n, e in enumerate(state.roster)],
        )
        self._put_meta(
            inactive_staff=[m.model_dump(mode="json") for m in state.inactive_staff.values()],
            pits=[p.model_dump(mode="json") for p in state.pits.values()],
        )

    def _put_rows(self, table: str, values: Iterable[Any]) -> None:
        self._db.executemany(
            f"INSERT OR REPLACE INTO {table} (id, body) VALUES (?, ?)",
            [(v.id, v.model_dump_json()) for v in values],
        )

    def _put_meta(self, **values: Any) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [(k, json.dumps(v)) for k, v in values.items()],
        )

    def _transaction(self) -> AbstractContextManager[None]:
        return storage.transaction(self._db)
