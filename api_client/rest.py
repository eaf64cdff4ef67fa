"""The HTTP half of the protocol (httpx): sign-in, snapshot, the outbox drain, time.

Every exchange also feeds the clock estimator, since every body carries
`server_time`. Transport failures become `ServerUnreachable`, a 401/403
`SessionEnded`, and a 5xx, a 429 or an unreadable body `ServerTrouble` (the
server is away or busy: keep the work and retry, after `Retry-After` if it
said). Only a 4xx carrying our backend's own problem body (JSON with a
`code`, see `backend/errors.py`) is its considered answer, an `HttpError`
for the caller to show; a proxy's 404 or 400 page while the backend is away
is not.

With several servers for the floor (`api_client.servers`), an exchange that
cannot reach the one in use, or gets a 5xx from it, is made again with the
next: every call is safe to repeat (a command is known by its id, so one the
failed server took before it went is answered, not applied, by the next).
Only when every server has failed does the caller hear of it.

httpx is imported, and its client built, on the first request: a terminal
paints its last known floor from disk before it needs the network.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import ssl
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from api_client.clock import ClockEstimator
from api_client.errors import (
    ServerTrouble,
    ServerUnreachable,
    SessionEnded,
    SignInFailed,
    certificate_problem,
)
from api_client.servers import Servers, parse_servers
from domain.protocol import (
    BatchResult,
    ChangePin,
    CommandBatch,
    CommandEnvelope,
    Problem,
    ServerTime,
    Session,
    SignIn,
    Snapshot,
)

if TYPE_CHECKING:
    import httpx

Body = TypeVar("Body", bound=BaseModel)

TIMEOUT = 15.0  # seconds for a whole exchange
CONNECT_TIMEOUT = 5.0


def ssl_context(verify: bool | str) -> ssl.SSLContext:
    """One TLS policy for both HTTPS and WSS: system trust, an operator's CA bundle, or none."""
    if verify is False:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return ssl.create_default_context()


class HttpError(Exception):
    """A 4xx with the server's `Problem` body: its answer, for the user to see."""

    def __init__(self, status: int, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.status = status
        self.problem = problem


class Rest:
    def __init__(
        self,
        servers: Servers | str,  # a str: one address, or the comma list of a floor's
        *,
        terminal: str,
        tls: Callable[[], ssl.SSLContext | None],  # None: plain http
        clock: ClockEstimator,
        monotonic: Callable[[], float],
    ) -> None:
        self.token: str | None = None
        self._servers = servers if isinstance(servers, Servers) else Servers(parse_servers(servers))
        self._terminal = terminal
        self._tls = tls
        self._clock = clock
        self._mono = monotonic
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            httpx = _import_httpx()
            self._client = httpx.AsyncClient(
                # plain http never uses TLS: a context that trusts nothing costs
                # nothing, where loading the system's CA store takes a while
                verify=self._tls() or ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
                timeout=httpx.Timeout(TIMEOUT, connect=CONNECT_TIMEOUT),
                headers={"X-Floorline-Terminal": self._terminal},
                trust_env=False,  # a floor terminal talks to its backend directly
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def sign_in(self, staff_id: str, pin: str, terminal: str) -> Session:
        body = SignIn(staff_id=staff_id, pin=pin, terminal=terminal).model_dump()
        try:
            return await self._call("POST", "/v1/session", Session, json=body, auth=False)
        except HttpError as exc:
            raise SignInFailed(exc.problem.detail) from exc
        except SessionEnded as exc:
            raise SignInFailed(exc.message) from exc
        except ServerTrouble as exc:
            if exc.status == 429:  # too many wrong PINs: the wait, in the server's words
                raise SignInFailed(exc.message) from exc
            raise

    async def change_pin(self, old_pin: str, new_pin: str) -> None:
        """Replace a one-time PIN (the session's only allowed call until then)."""
        body = ChangePin(old_pin=old_pin, new_pin=new_pin).model_dump()
        try:
            await self._send("POST", "/v1/session/pin", json=body)
        except HttpError as exc:
            raise SignInFailed(exc.problem.detail) from exc
        except SessionEnded as exc:
            raise SignInFailed(exc.message) from exc

    async def call(self, method: str, path: str, shape: type[Body], **kw: Any) -> Body:
        """One signed-in exchange answered with `shape`; HttpError for a 4xx."""
        return await self._call(method, path, shape, **kw)

    async def sign_out(self) -> None:
        await self._send("DELETE", "/v1/session", limit=3.0)

    async def snapshot(self) -> Snapshot:
        return await self._call("GET", "/v1/snapshot", Snapshot)

    async def server_time(self) -> float:
        return (await self._call("GET", "/v1/time", ServerTime)).server_time

    async def send_batch(self, envelopes: Sequence[CommandEnvelope]) -> BatchResult:
        batch = CommandBatch(commands=list(envelopes))
        result = await self._call(
            "POST", "/v1/commands/batch", BatchResult, json=batch.model_dump(mode="json")
        )
        if len(result.results) != len(envelopes):
            raise ServerTrouble("the batch answer does not match the commands sent")
        return result

    async def _call(self, method: str, path: str, shape: type[Body], **kw: Any) -> Body:
        response = await self._send(method, path, **kw)
        try:
            return shape.model_validate_json(response.content)
        except ValidationError as exc:
            problems = exc.error_count()
            raise ServerTrouble(f"unreadable answer from {path}: {problems} errors") from exc

    async def _send(
        self, method: str, path: str, *, auth: bool = True, limit: float | None = None, **kw: Any
    ) -> httpx.Response:
        httpx = _import_httpx()
        headers = {"Authorization": f"Bearer {self.token}"} if auth and self.token else {}
        http = self._http()
        servers = self._servers
        for others in range(len(servers) - 1, -1, -1):  # each server once at most
            server = servers.current
            t0 = self._mono()
            try:
                response = await http.request(
                    method, server + path, headers=headers, timeout=limit or http.timeout, **kw
                )
            except httpx.TransportError as exc:
                if others:
                    servers.fail_over(server, _words(exc))
                    continue
                # no connection made: the request never left this terminal
                unsent = isinstance(
                    exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout
                )
                raise ServerUnreachable(_words(exc), may_have_arrived=not unsent) from exc
            self._sample_clock(t0, self._mono(), response)
            if response.status_code >= 500 and others:
                servers.fail_over(server, _status_words(response))
                continue
            break
        if response.is_success:
            return response
        status = response.status_code
        problem = _problem(response)
        if status in (401, 403) and not path.startswith("/v1/session"):
            detail = problem.detail if problem else _status_words(response)
            raise SessionEnded(detail, forbidden=status == 403)
        if problem is not None and 400 <= status < 500 and status != 429:
            raise HttpError(status, problem)
        # a 5xx, a 429, or not our server's answer (a proxy while the backend is away)
        words = problem.detail if problem else f"{_status_words(response)} from the server"
        raise ServerTrouble(words, status=status, retry_after=_retry_after(response))

    def _sample_clock(self, t0: float, t3: float, response: httpx.Response) -> None:
        if "json" not in response.headers.get("content-type", ""):
            return
        try:
            stamp = response.json().get("server_time")
        except (ValueError, AttributeError):
            return
        if isinstance(stamp, int | float):
            self._clock.add_exchange(t0, t3, float(stamp))


def _import_httpx() -> ModuleType:
    # httpx loads its command-line client (click, pygments, rich.syntax) whenever
    # click is installed, and the backend's uvicorn installs it: ~2 MiB and 60 ms
    # for a tool a terminal never runs. A None entry makes that import fail, which
    # httpx handles by leaving its `main` a stub.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    import httpx

    return httpx


def _problem(response: httpx.Response) -> Problem | None:
    """Our backend's problem body, or None when the answer is not one (a proxy's page)."""
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(body, dict) or "code" not in body:
        return None  # our backend always names the code
    try:
        return Problem.model_validate(body)
    except ValidationError:
        return None


def _status_words(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.reason_phrase}".strip()


def _retry_after(response: httpx.Response) -> float | None:
    """`Retry-After` in seconds from now (a number or an HTTP date), if the answer gave one."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


def _words(exc: httpx.TransportError) -> str:
    httpx = _import_httpx()
    if isinstance(exc, httpx.TimeoutException):
        return "the server did not answer in time"
    if (untrusted := certificate_problem(exc)) is not None:
        return untrusted
    if isinstance(exc, httpx.ConnectError):
        return "cannot reach the server"
    return f"connection lost ({type(exc).__name__})"
