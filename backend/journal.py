"""The tamper-evident journal: every command the server decided, in a SHA-256 hash chain.

Each entry holds its own seq, the time, who sent the command from which
terminal, the command itself (masked as everything stored is), what came of
it, and the hash of the entry before; its own hash covers all of that. An
entry edited, deleted or moved after it was written no longer fits the chain,
and `verify` names the first one that does not. Entries are appended by the
command path, in the transaction that stores the command's events, behind the
journal's head row, so writers in every process queue there and the chain
never forks.

The hash is SHA-256 over the entry (without its own `hash`) as canonical JSON:
keys sorted, no whitespace, ASCII only. Anyone can check an export with a few
lines of code and nothing of ours.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from backend import schema
from domain.commands import mask_command
from domain.decide import Actor
from domain.privacy import mask_sensitive
from domain.protocol import CommandEnvelope, CommandResult
from domain.staff_admin import FloorEnvelope

GENESIS = "0" * 64  # what the first entry holds as the hash before it
SYSTEM = "system"
_PAGE = 1000


def canonical(value: object) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode("ascii")


def entry_hash(entry: dict[str, Any]) -> str:
    """The hash of an entry: over every field but `hash` itself."""
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


@dataclass(frozen=True, slots=True)
class Decided:
    """One decided command, as the journal keeps it (before it has a seq and a hash)."""

    at: float
    staff_id: str
    terminal: str
    command_id: str
    command_type: str
    command: dict[str, Any]
    issued_at: float | None
    outcome: str  # "accepted" or the refusal's code
    message: str
    event_seq: int  # the last event it appended (0: none)

    @classmethod
    def of(
        cls,
        envelope: CommandEnvelope | FloorEnvelope,
        actor: Actor | None,
        at: float,
        result: CommandResult,
    ) -> Decided:
        command = envelope.command
        if isinstance(envelope, CommandEnvelope):
            # what the server stores keeps no card number or PIN, whoever sent it
            body = mask_command(envelope.command).model_dump(mode="json")
        else:
            body = command.model_dump(mode="json")  # floor changes: no free text, no PINs
        issued = envelope.issued_at if isinstance(envelope, CommandEnvelope) else None
        error = result.error
        return cls(
            at=float(at),  # stored as a float: hashed as one, or the row would not verify
            staff_id=actor.id if actor else SYSTEM,
            terminal=actor.terminal if actor else "",
            command_id=envelope.command_id,
            command_type=command.type,
            command=body,
            # a terminal's clock is its own; a value JSON cannot hold is no time at all
            issued_at=float(issued) if issued is not None and math.isfinite(issued) else None,
            outcome=error.code if error else "accepted",
            message=mask_sensitive(error.message) if error else "",
            event_seq=result.seq,
        )


class Head(BaseModel):
    """The journal's last entry: write the hash down elsewhere to prove later what it was."""

    seq: int
    hash: str


async def ensure_head(conn: AsyncConnection) -> None:
    """The head row, at seq 0, on a database that has none (new, or older than the journal)."""
    h = schema.journal_head
    if (await conn.execute(select(h.c.id))).first() is None:
        await conn.execute(insert(h).values(id=1, seq=0, hash=GENESIS))


async def read_head(conn: AsyncConnection) -> Head:
    h = schema.journal_head
    row = (await conn.execute(select(h.c.seq, h.c.hash))).first()
    return Head(seq=row.seq, hash=row.hash) if row is not None else Head(seq=0, hash=GENESIS)


async def append(conn: AsyncConnection, decided: Sequence[Decided]) -> Head:
    """Chain `decided` onto the journal, in the caller's transaction."""
    h = schema.journal_head
    # a no-op UPDATE takes the head row's lock: a second writer (any process)
    # waits here until this transaction ends, then chains onto what it wrote
    row = (
        await conn.execute(
            update(h).where(h.c.id == 1).values(seq=h.c.seq).returning(h.c.seq, h.c.hash)
        )
    ).one()
    seq, previous = int(row.seq), str(row.hash)
    if not decided:
        return Head(seq=seq, hash=previous)
    rows = []
    for item in decided:
        seq += 1
        entry = _entry(item, seq, previous)
        previous = entry["hash"] = entry_hash(entry)
        rows.append({**entry, "command": canonical(entry["command"]).decode("ascii")})
    await conn.execute(insert(schema.journal), rows)
    await conn.execute(update(h).where(h.c.id == 1).values(seq=seq, hash=previous))
    return Head(seq=seq, hash=previous)


def _entry(item: Decided, seq: int, prev_hash: str) -> dict[str, Any]:
    return {
        "seq": seq,
        "prev_hash": prev_hash,
        "at": item.at,
        "staff_id": item.staff_id,
        "terminal": item.terminal,
        "command_id": item.command_id,
        "command_type": item.command_type,
        "command": item.command,
        "issued_at": item.issued_at,
        "outcome": item.outcome,
        "message": item.message,
        "event_seq": item.event_seq,
    }


class Unreadable(ValueError):
    """A stored entry whose command is no longer JSON: it was edited."""


def entry_of(row: Any) -> dict[str, Any]:
    """A stored row as the entry that was hashed (plus its stored `hash`)."""
    entry = dict(row._mapping)
    try:
        entry["command"] = json.loads(entry["command"])
    except (TypeError, ValueError) as exc:
        raise Unreadable(f"entry {entry['seq']}'s command is no longer JSON") from exc
    return entry


async def entries(
    conn: AsyncConnection, *, first: int = 1, last: int | None = None
) -> AsyncIterator[Any]:
    """Stored rows from seq `first` to `last`, in seq order, a page at a time."""
    j = schema.journal
    after = first - 1
    while True:
        query = select(j).where(j.c.seq > after).order_by(j.c.seq).limit(_PAGE)
        if last is not None:
            query = query.where(j.c.seq <= last)
        rows = (await conn.execute(query)).all()
        for row in rows:
            yield row
        if len(rows) < _PAGE:
            return
        after = rows[-1].seq


# --- checking the chain -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    entries: int  # how many were checked
    head: Head  # what the head row says
    broken_at: int | None = None  # the first entry that does not fit (its seq)
    problem: str = ""
    expected: str | None = None  # a head hash written down earlier, when asked about one
    expected_seq: int | None = None  # the entry that has it (None: not in the chain)

    @property
    def intact(self) -> bool:
        return self.broken_at is None and (self.expected is None or self.expected_seq is not None)


async def verify(conn: AsyncConnection, *, expect: str | None = None) -> Verdict:
    """Check every entry against its hash and the one before it; name the first that fails.

    `expect` is a head hash written down earlier (whole, or its first 16 or
    more hex digits): it must be the hash of some entry, or the chain was
    rewritten (or cut back) since.
    """
    head = await read_head(conn)
    wanted = expect.strip().lower() if expect is not None else None
    checked = 0
    previous_seq, previous_hash = 0, GENESIS
    found: int | None = None
    async for row in entries(conn):
        checked += 1
        misfit = _misfit(row, previous_seq, previous_hash)
        if misfit is not None:
            return Verdict(checked, head, misfit[0], misfit[1], wanted, found)
        previous_seq, previous_hash = int(row.seq), str(row.hash)
        if wanted is not None and previous_hash.startswith(wanted):
            found = previous_seq
    if head.seq > previous_seq:
        problem = f"{_span(previous_seq + 1, head.seq)} missing: the journal's head is entry"
        problem += f" {head.seq}, its last stored entry is {previous_seq}" if previous_seq else ""
        return Verdict(checked, head, previous_seq + 1, problem, wanted, found)
    if head.seq != previous_seq or head.hash != previous_hash:
        problem = (
            f"entry {previous_seq} is not the journal's head: the head row says entry"
            f" {head.seq}, hash {head.hash[:16]}…"
        )
        return Verdict(checked, head, previous_seq, problem, wanted, found)
    return Verdict(checked, head, expected=wanted, expected_seq=found)


def _misfit(row: Any, previous_seq: int, previous_hash: str) -> tuple[int, str] | None:
    """(seq, what is wrong) when `row` does not follow the entry before it."""
    seq = int(row.seq)
    if seq != previous_seq + 1:
        after = f"the first stored is {seq}"
        if previous_seq:
            after = f"entry {previous_seq} is followed by {seq}"
        return previous_seq + 1, f"{_span(previous_seq + 1, seq - 1)} missing ({after})"
    try:
        entry = entry_of(row)
    except Unreadable as exc:
        return seq, f"{exc} (edited after it was written)"
    computed = entry_hash(entry)
    if computed != row.hash:
        return seq, (
            f"entry {seq} was changed or moved after it was written: its content hashes to"
            f" {computed[:16]}…, it was stored as {str(row.hash)[:16]}…"
        )
    if row.prev_hash != previous_hash:
        before = f"entry {previous_seq}'s hash" if previous_seq else "the journal's start"
        return seq, (
            f"entry {seq} does not follow the entry before it: it holds"
            f" {str(row.prev_hash)[:16]}…, {before} is {previous_hash[:16]}…"
            " (an entry before it was rewritten, or moved)"
        )
    return None


def _span(first: int, last: int) -> str:
    return f"entry {first} is" if first == last else f"entries {first}-{last} are"


async def seq_span(conn: AsyncConnection, start: float, end: float) -> tuple[int, int] | None:
    """The first and last seq of the entries written in [start, end), if any."""
    j = schema.journal
    row = (
        await conn.execute(
            select(func.min(j.c.seq), func.max(j.c.seq)).where(j.c.at >= start, j.c.at < end)
        )
    ).one()
    return None if row[0] is None else (int(row[0]), int(row[1]))
