"""`floorline service-account add | list | revoke`: other systems' keys for the intake API.

Works on the database directly, like `floorline floor import`, and is safe
beside a running server: a key is checked against the database on every
request, so one revoked here is refused by every server at once.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import socket
import sys
import time
from datetime import UTC, datetime

from backend import service_accounts
from backend.config import default_db_url
from backend.service_accounts import ServiceAccountError
from backend.storage import Storage, StorageError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="floorline service-account",
        description="API keys for other systems (phone, chat, slot systems) on the intake API.",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="make an account and print its key (shown only now)")
    add.add_argument("id", help="short id: lower-case letters, digits, '.', '_', '-' (max 32)")
    add.add_argument("--name", default="", help="what the floor sees as the actor")
    listing = sub.add_parser("list", help="the accounts (never their keys)")
    revoke = sub.add_parser("revoke", help="revoke an account's key, at once")
    revoke.add_argument("id")
    for each in (add, listing, revoke):
        each.add_argument("--db", default=None, help=f"database URL (default: {default_db_url()})")
    return parser


def _operator() -> tuple[str, str]:
    """Who acts at the console, as the journal records them."""
    user = getpass.getuser()
    return f"console:{user}"[:40], f"service-account cli by {user}@{socket.gethostname()}"[:80]


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


async def _run(args: argparse.Namespace) -> int:
    storage = await Storage.open(args.db or default_db_url())
    by, terminal = _operator()
    try:
        if args.action == "add":
            account, key = await service_accounts.create(
                storage.engine, args.id, args.name, by, terminal, time.time()
            )
            print(f"service account {account.id} ({account.name}) made; its API key:")
            print(f"  {key}")
            print("it is shown only now: store it in the other system's settings")
        elif args.action == "revoke":
            account = await service_accounts.revoke(
                storage.engine, args.id, by, terminal, time.time()
            )
            print(f"service account {account.id}: key {account.key_id} revoked")
        else:
            accounts = await service_accounts.list_accounts(storage.engine)
            if not accounts:
                print("no service accounts")
            for account in accounts:
                state = (
                    f"revoked {_when(account.revoked_at)}"
                    if account.revoked_at is not None
                    else "active"
                )
                print(
                    f"{account.id:<16} {account.name:<24} key {account.key_id}  {state}"
                    f"  (made {_when(account.created_at)} by {account.created_by})"
                )
    except ServiceAccountError as exc:
        print(f"floorline service-account {args.action}: {exc}", file=sys.stderr)
        return 1
    finally:
        await storage.close()
    return 0


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except StorageError as exc:
        print(f"floorline service-account: {exc}", file=sys.stderr)
        return 1
