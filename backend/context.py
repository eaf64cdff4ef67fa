"""What every request handler reaches: the running backend's parts, and who is asking."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from backend.auth import Authenticator, AuthError, Session
from backend.config import ServerConfig
from backend.errors import ApiError
from backend.live import LiveHub
from backend.metrics_cache import MetricsCache
from backend.scheduler import EscalationScheduler
from backend.service import FloorService
from backend.storage import Storage
from domain.decide import Actor
from domain.models import Staff

TERMINAL_HEADER = "x-floorline-terminal"


@dataclass
class Backend:
    config: ServerConfig
    storage: Storage
    service: FloorService
    hub: LiveHub
    auth: Authenticator
    scheduler: EscalationScheduler
    metrics: MetricsCache

    def now(self) -> float:
        return self.config.clock()


@dataclass(frozen=True, slots=True)
class Caller:
    session: Session
    staff: Staff
    terminal: str

    @property
    def actor(self) -> Actor:
        return Actor(staff=self.staff, terminal=self.terminal)


def get_backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend  # set by the app factory
    return backend


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise AuthError("sign in first: no Authorization header")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("the Authorization header must be 'Bearer <token>'")
    return token.strip()


class PinChangeRequired(AuthError):
    """Signed in with a one-time PIN that is not yet changed; answered 403."""


async def caller_for(
    backend: Backend,
    authorization: str | None,
    terminal: str | None,
    *,
    changing_pin: bool = False,
) -> Caller:
    """Who is asking, or AuthError (expired, revoked, forged, unknown staff, PIN to change)."""
    session = await backend.auth.session_for(bearer_token(authorization), backend.now())
    staff = backend.service.state.staff.get(session.staff_id)
    if staff is None:
        raise AuthError(f"staff ID {session.staff_id} is no longer active")
    if session.must_change_pin and not changing_pin:
        raise PinChangeRequired("change your one-time PIN first (sign in again to do it)")
    return Caller(session=session, staff=staff, terminal=(terminal or session.terminal)[:80])


async def get_caller(request: Request) -> Caller:
    return await _caller(request, changing_pin=False)


async def get_pin_changer(request: Request) -> Caller:
    """The caller of the one call a session with a one-time PIN may make."""
    return await _caller(request, changing_pin=True)


async def _caller(request: Request, *, changing_pin: bool) -> Caller:
    backend = get_backend(request)
    try:
        return await caller_for(
            backend,
            request.headers.get("authorization"),
            request.headers.get(TERMINAL_HEADER),
            changing_pin=changing_pin,
        )
    except PinChangeRequired as exc:
        raise ApiError(403, str(exc), code="pin_change_required") from exc
    except AuthError as exc:
        raise ApiError(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from exc
