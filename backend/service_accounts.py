"""Service accounts: the API keys other systems use on the intake API.

A key is `fl_<key id>_<secret>`, shown once when the account is made. The
database keeps the key id (to find the account with one indexed read) and the
SHA-256 of the secret: the secret is 32 random bytes, so a slow hash would add
nothing but latency to every webhook. Nothing is cached: a revoked key is
refused on the very next request, on every backend process.

Making and revoking an account are chained onto the journal and the audit
trail, like every command, with the admin (or the operator at the console)
as actor.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from backend import journal, schema
from domain.models import Role, Staff

KEY_PREFIX = "fl"
ACTOR_PREFIX = "svc:"  # a service account acts as `svc:<id>`: never a staff ID (no colon)
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")


class ServiceAccountError(Exception):
    """An account that cannot be made or revoked as asked; the message says why.

    `status` is the HTTP answer: 422 a bad id, 404 no such account, 409 taken or revoked.
    """

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class BadKey(Exception):
    """A key that does not sign in: unknown, malformed or revoked (answered 401)."""


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    id: str
    name: str
    key_id: str
    created_at: float
    created_by: str
    revoked_at: float | None

    @property
    def actor_id(self) -> str:
        return ACTOR_PREFIX + self.id

    @property
    def staff(self) -> Staff:
        """How the account appears to `decide`: a member with the service role."""
        return Staff(id=self.actor_id, name=self.name, role=Role.SERVICE)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_key(key: str) -> tuple[str, str]:
    """(key id, secret) of `fl_<key id>_<secret>`; BadKey for anything else."""
    prefix, _, rest = key.strip().partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != KEY_PREFIX or not re.fullmatch(r"[0-9a-f]{12}", key_id) or len(secret) < 20:
        raise BadKey("not a floorline API key (expected fl_<key id>_<secret>)")
    return key_id, secret


def _account(row: Any) -> ServiceAccount:
    return ServiceAccount(
        id=row.id,
        name=row.name,
        key_id=row.key_id,
        created_at=row.created_at,
        created_by=row.created_by,
        revoked_at=row.revoked_at,
    )


async def create(
    engine: AsyncEngine, account_id: str, name: str, by: str, terminal: str, now: float
) -> tuple[ServiceAccount, str]:
    """A new account and its key (the only time the key exists outside the caller)."""
    if not ID_PATTERN.fullmatch(account_id):
        raise ServiceAccountError(
            f"service account id {account_id!r}: 1-32 lower-case letters, digits, '.', '_'"
            " or '-', starting with a letter or digit",
            422,
        )
    name = name.strip() or account_id
    if len(name) > 120:
        raise ServiceAccountError("the name is longer than 120 characters", 422)
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    account = ServiceAccount(account_id, name, key_id, now, by, None)
    sa = schema.service_accounts
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(sa).values(
                    id=account_id,
                    name=name,
                    key_id=key_id,
                    secret_hash=_digest(secret),
                    created_at=now,
                    created_by=by,
                    revoked_at=None,
                )
            )
            await _record(conn, "add_service_account", account, by, terminal, now)
    except IntegrityError as exc:
        raise ServiceAccountError(f"a service account {account_id!r} already exists", 409) from exc
    return account, f"{KEY_PREFIX}_{key_id}_{secret}"


async def list_accounts(engine: AsyncEngine) -> list[ServiceAccount]:
    sa = schema.service_accounts
    async with engine.connect() as conn:
        rows = (await conn.execute(select(sa).order_by(sa.c.id))).all()
    return [_account(row) for row in rows]


async def revoke(
    engine: AsyncEngine, account_id: str, by: str, terminal: str, now: float
) -> ServiceAccount:
    """Revoke the account's key from now on; refused for an unknown or revoked account."""
    sa = schema.service_accounts
    async with engine.begin() as conn:
        row = (await conn.execute(select(sa).where(sa.c.id == account_id))).first()
        if row is None:
            raise ServiceAccountError(f"no service account {account_id!r}", 404)
        if row.revoked_at is not None:
            raise ServiceAccountError(f"service account {account_id!r} is already revoked", 409)
        await conn.execute(update(sa).where(sa.c.id == account_id).values(revoked_at=now))
        account = _account(row)
        await _record(conn, "revoke_service_account", account, by, terminal, now)
    return replace(account, revoked_at=now)


async def verify(engine: AsyncEngine, key: str) -> ServiceAccount:
    """The active account the key belongs to, or BadKey."""
    key_id, secret = parse_key(key)
    sa = schema.service_accounts
    async with engine.connect() as conn:
        row = (await conn.execute(select(sa).where(sa.c.key_id == key_id))).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _digest(secret)):
        raise BadKey("unknown API key")
    if row.revoked_at is not None:
        raise BadKey(f"this API key was revoked (service account {row.id!r})")
    return _account(row)


async def _record(
    conn: AsyncConnection,
    action: str,
    account: ServiceAccount,
    by: str,
    terminal: str,
    now: float,
) -> None:
    """The change on the audit trail and the journal (never the key or its hash)."""
    command_id = str(uuid.uuid4())
    await conn.execute(
        insert(schema.audit).values(
            at=now,
            staff_id=by,
            terminal=terminal,
            command_type=action,
            command_id=command_id,
            result="accepted",
            message="",
            issued_at=None,
            seq=0,
        )
    )
    body = {"type": action, "id": account.id, "name": account.name, "key_id": account.key_id}
    await journal.append(
        conn,
        [
            journal.Decided(
                at=float(now),
                staff_id=by,
                terminal=terminal,
                command_id=command_id,
                command_type=action,
                command=body,
                issued_at=None,
                outcome="accepted",
                message="",
                event_seq=0,
            )
        ],
    )
