"""`floorline audit verify | export | register`: the journal, checked or written out for a
regulator, and the regulators' registers as CSV.

Works on the database directly, like `floorline floor export`, and changes
nothing (beyond making missing tables, as a server does when it opens one), so
it is safe beside a running server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from backend import eventlog, floorconfig, journal
from backend.config import default_db_url
from backend.register_csv import register_csv
from backend.storage import Storage, StorageError
from backend.timespan import BadSpan, iso, span
from domain.policy import Policy, PolicyError, policy_from_toml
from domain.registers import register_lines


class Refused(Exception):
    """Bad input on the command line: the message says what to change."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="floorline audit", description="Check the journal, or write it out."
    )
    sub = parser.add_subparsers(dest="action", required=True)
    check = sub.add_parser("verify", help="check the journal's hash chain")
    _db(check)
    check.add_argument(
        "--head", metavar="HASH", help="a head hash written down earlier: it must be in the chain"
    )
    out = sub.add_parser("export", help="write the journal's entries in a time span (JSON lines)")
    _span_options(out)
    registers = sub.add_parser(
        "register", help="write the regulators' registers for a time span (CSV)"
    )
    _span_options(registers)
    return parser


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, help=f"database URL (default: {default_db_url()})")


def _span_options(parser: argparse.ArgumentParser) -> None:
    _db(parser)
    parser.add_argument(
        "--from", dest="start", required=True, metavar="DATE", help="first day (YYYY-MM-DD)"
    )
    parser.add_argument(
        "--to", dest="end", required=True, metavar="DATE", help="last day (included)"
    )
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="file to write")
    parser.add_argument(
        "--policy",
        type=Path,
        help="the server's policy file (its timezone reads the dates; its registers)",
    )


def load_policy(path: Path | None) -> Policy:
    if path is None:
        return Policy()
    try:
        return policy_from_toml(path.read_text())
    except OSError as exc:
        raise Refused(f"cannot read the policy file: {exc}") from exc
    except PolicyError as exc:
        raise Refused(str(exc)) from exc


def existing_db(db_url: str | None) -> str:
    """The database URL, which must name a database that exists: reading a mistyped
    SQLite path must not leave an empty database there."""
    url = db_url or default_db_url()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise Refused(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite" and not Path(str(parsed.database)).exists():
        raise Refused(f"no database at {parsed.database}")
    return url


def head_hash(text: str) -> str:
    value = text.strip().lower()
    if len(value) < 16 or len(value) > 64 or any(ch not in "0123456789abcdef" for ch in value):
        raise Refused(f"--head {text!r} is not a head hash: give its 64 hex digits (or 16+)")
    return value


# --- verify -------------------------------------------------------------------------


async def _verify(args: argparse.Namespace, out: TextIO) -> int:
    storage = await Storage.open(args.db)
    try:
        async with storage.engine.connect() as conn:
            verdict = await journal.verify(conn, expect=args.head)
    finally:
        await storage.close()
    if verdict.broken_at is not None:
        good = verdict.broken_at - 1
        print(f"journal BROKEN at entry {verdict.broken_at}: {verdict.problem}", file=out)
        trusted = f"entries 1-{good} verify" if good > 0 else "no entry before it verifies"
        print(
            f"{trusted}; entry {verdict.broken_at} and every one after it cannot be trusted",
            file=out,
        )
        return 1
    head = verdict.head
    print(f"journal intact: {verdict.entries} entries, head entry {head.seq}", file=out)
    print(f"head hash (sha256): {head.hash}", file=out)
    if verdict.expected is not None:
        if verdict.expected_seq is None:
            print(
                f"journal BROKEN: the head written down ({verdict.expected[:16]}…) is not in the"
                " chain: it was rewritten or cut back since",
                file=out,
            )
            return 1
        print(
            f"the head written down is entry {verdict.expected_seq}'s: the chain up to it is"
            " unchanged since",
            file=out,
        )
    return 0


# --- export -------------------------------------------------------------------------


async def _export(args: argparse.Namespace, out: TextIO) -> int:
    start, end = span(args.start, args.end, load_policy(args.policy).timezone)
    storage = await Storage.open(args.db)
    try:
        async with storage.engine.connect() as conn:
            head = await journal.read_head(conn)
            found = await journal.seq_span(conn, start, end)
            written = 0
            with args.out.open("w", encoding="utf-8") as file:
                if found is not None:
                    # a stretch of the chain with no hole: each line follows the one before
                    async for row in journal.entries(conn, first=found[0], last=found[1]):
                        try:
                            entry = journal.entry_of(row)
                        except journal.Unreadable:
                            entry = dict(row._mapping)  # as stored: verify names it
                        file.write(journal.canonical(entry).decode("ascii") + "\n")
                        written += 1
                trailer = {
                    "journal_head": head.model_dump(),
                    "from": iso(start),
                    "to": iso(end),
                    "entries": written,
                    "exported_at": iso(datetime.now(UTC).timestamp()),
                }
                file.write(json.dumps(trailer, sort_keys=True) + "\n")
    finally:
        await storage.close()
    where = f"entries {found[0]}-{found[1]}" if found else "no entries in that span"
    print(f"wrote {written} journal entries ({where}) to {args.out}", file=out)
    print(f"journal head: entry {head.seq}, sha256 {head.hash}", file=out)
    return 0


# --- the registers ------------------------------------------------------------------


async def _register(args: argparse.Namespace, out: TextIO) -> int:
    policy = load_policy(args.policy)
    start, end = span(args.start, args.end, policy.timezone)
    storage = await Storage.open(args.db)
    try:
        base = await floorconfig.base_state(storage.engine, policy)
        async with storage.engine.connect() as conn:
            state = await eventlog.load_state(conn, base)
    finally:
        await storage.close()
    now = datetime.now(UTC).timestamp()
    lines = register_lines(state.incidents.values(), state, start, end, now)
    args.out.write_text(register_csv(lines, policy.timezone), encoding="utf-8")
    when = f"{iso(start, policy.timezone)} to {iso(end, policy.timezone)}"
    print(f"wrote {len(lines)} register lines ({when}) to {args.out}", file=out)
    return 0


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    run = {"verify": _verify, "export": _export, "register": _register}[args.action]
    try:
        args.db = existing_db(args.db)
        if getattr(args, "head", None) is not None:
            args.head = head_hash(args.head)
        return asyncio.run(run(args, sys.stdout))
    except (Refused, BadSpan, StorageError) as exc:
        print(f"floorline audit {args.action}: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, StorageError) else 2
    except OSError as exc:
        print(f"floorline audit {args.action}: {exc}", file=sys.stderr)
        return 1
