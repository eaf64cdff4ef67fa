"""Staff sign-in: PIN hashes, bearer tokens (stored only as hashes), failed-PIN slowing."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field, replace

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from backend import schema
from backend.token_cache import TokenCache
from domain.models import Staff
from domain.pins import new_pin_problem

_hasher = PasswordHasher()
# verified when the staff ID is unknown, so a wrong ID costs as long as a wrong PIN
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))

FREE_FAILURES = 3  # wrong PINs allowed before each further one costs a wait
MAX_LOCKOUT = 300.0
FAILURE_MEMORY = 900.0  # wrong PINs are forgotten after this long without another
# Staff IDs with recent wrong PINs that are remembered (about 150 B each); the
# least recently tried go first. Pushing a locked ID out takes this many
# slow-hash guesses at other IDs, each as costly as a guess at the PIN.
MAX_TRACKED = 100_000


# Demo PINs are printed on the console at start: a slow hash protects nothing
# there, and a light one keeps demo start-up and sign-in quick. Verifying reads
# the parameters from the hash itself, so both kinds verify the same way.
_demo_hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


def hash_pin(pin: str, *, demo: bool = False) -> str:
    return (_demo_hasher if demo else _hasher).hash(pin)


def _verify(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AuthError(Exception):
    """Why a request is not signed in; answered 401."""


class TooManyAttempts(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many wrong PINs; try again in {int(retry_after) + 1} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Session:
    staff_id: str
    terminal: str
    token_hash: str
    expires_at: float
    # signed in with a one-time PIN: nothing but changing it is allowed
    must_change_pin: bool = False


class PinChangeRefused(Exception):
    """A new PIN that breaks the rules, or a wrong current one; the message says which."""


@dataclass(slots=True)
class _Failures:
    count: int = 0
    locked_until: float = 0.0
    last_at: float = 0.0


@dataclass
class Authenticator:
    engine: AsyncEngine
    token_ttl: float
    max_tracked: int = MAX_TRACKED
    _failures: OrderedDict[str, _Failures] = field(default_factory=OrderedDict)
    # a token revoked through another process is still accepted here for up to
    # `TokenCache.ttl` (5 s); see backend/token_cache.py
    _sessions: TokenCache[Session] = field(default_factory=TokenCache)

    def check_not_locked(self, staff_id: str, now: float) -> None:
        failures = self._failures.get(staff_id)
        if failures is not None and failures.locked_until > now:
            raise TooManyAttempts(failures.locked_until - now)

    def _attempted(self, staff_id: str, now: float) -> None:
        """Count an attempt as a wrong PIN until it proves right.

        Counted before the slow check, so guesses sent in parallel cannot all
        pass the lock check while the first is still being verified.
        """
        failures = self._failures.pop(staff_id, None)
        if failures is None or now - failures.last_at > FAILURE_MEMORY:
            failures = _Failures()
        failures.count += 1
        failures.last_at = now
        if failures.count > FREE_FAILURES:
            wait = min(2.0 ** (failures.count - FREE_FAILURES), MAX_LOCKOUT)
            failures.locked_until = now + wait
        self._failures[staff_id] = failures  # the most recently tried last
        while len(self._failures) > self.max_tracked:
            self._failures.popitem(last=False)

    async def sign_in(
        self, staff_id: str, pin: str, terminal: str, now: float
    ) -> tuple[str, Session]:
        """A new token for a right PIN; raises AuthError or TooManyAttempts."""
        self.check_not_locked(staff_id, now)
        self._attempted(staff_id, now)
        s = schema.staff
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(s.c.pin_hash, s.c.active).where(s.c.id == staff_id))
            ).first()
        pin_hash = row.pin_hash if row is not None and row.active else _DUMMY_HASH
        # argon2 is slow on purpose: keep it off the event loop
        ok = await asyncio.to_thread(_verify, pin_hash, pin)
        if not ok or row is None or not row.active:
            raise AuthError("wrong staff ID or PIN")
        self._failures.pop(staff_id, None)
        token = secrets.token_urlsafe(32)
        session = Session(
            staff_id=staff_id,
            terminal=terminal,
            token_hash=token_digest(token),
            expires_at=now + self.token_ttl,
            must_change_pin=await self._one_time(staff_id),
        )
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(schema.tokens).values(
                    token_hash=session.token_hash,
                    staff_id=staff_id,
                    terminal=terminal,
                    issued_at=now,
                    expires_at=session.expires_at,
                    revoked=False,
                )
            )
        return token, session

    async def session_for(self, token: str, now: float) -> Session:
        digest = token_digest(token)
        session = await self._sessions.get(digest, lambda: self._stored_session(digest))
        if session.expires_at <= now:
            raise AuthError("your session has expired; sign in again")
        return session

    async def _stored_session(self, digest: str) -> Session:
        """The token's session as stored; AuthError if it is unknown or was signed out."""
        t = schema.tokens
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(t.c.staff_id, t.c.terminal, t.c.expires_at, t.c.revoked).where(
                        t.c.token_hash == digest
                    )
                )
            ).first()
        if row is None:
            raise AuthError("this session is not known here; sign in again")
        if row.revoked:
            raise AuthError("this session was signed out; sign in again")
        return Session(
            staff_id=row.staff_id,
            terminal=row.terminal,
            token_hash=digest,
            expires_at=row.expires_at,
            must_change_pin=await self._one_time(row.staff_id),
        )

    async def _one_time(self, staff_id: str) -> bool:
        o = schema.one_time_pins
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(o.c.staff_id).where(o.c.staff_id == staff_id))).first()
        return row is not None

    async def change_pin(self, session: Session, old: str, new: str) -> Session:
        """Replace the PIN (checked against the current one); the session may then do all."""
        if (problem := new_pin_problem(old, new)) is not None:
            raise PinChangeRefused(problem)
        s = schema.staff
        async with self.engine.connect() as conn:
            current = (
                await conn.execute(select(s.c.pin_hash).where(s.c.id == session.staff_id))
            ).scalar()
        if current is None or not await asyncio.to_thread(_verify, current, old):
            raise PinChangeRefused("the current PIN is wrong")
        new_hash = await asyncio.to_thread(hash_pin, new)
        async with self.engine.begin() as conn:
            await conn.execute(
                update(s).where(s.c.id == session.staff_id).values(pin_hash=new_hash)
            )
            await conn.execute(
                delete(schema.one_time_pins).where(
                    schema.one_time_pins.c.staff_id == session.staff_id
                )
            )
        self._sessions.forget_where(lambda known: known.staff_id == session.staff_id)
        return replace(session, must_change_pin=False)

    def forget_staff(self, staff_id: str) -> None:
        """Their checked tokens are asked of the database again (they were revoked there)."""
        self._sessions.forget_where(lambda known: known.staff_id == staff_id)

    async def sign_out(self, session: Session) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(schema.tokens)
                .where(schema.tokens.c.token_hash == session.token_hash)
                .values(revoked=True)
            )
        self._sessions.forget(session.token_hash)


async def load_staff(engine: AsyncEngine) -> dict[str, Staff]:
    """Active staff as the floor sees them (never with their PIN hashes)."""
    s = schema.staff
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(s.c.id, s.c.name, s.c.role, s.c.pit).where(s.c.active.is_(True))
            )
        ).all()
    return {r.id: Staff(id=r.id, name=r.name, role=r.role, pit=r.pit) for r in rows}
