"""The intake API (`/v1/intake/...`) for other systems, and admins' service accounts.

Every request carries a service account's key (`Authorization: Bearer fl_...`)
and an `Idempotency-Key`. The key and the body's digest are claimed first; the
commands made from the body get ids derived from the account and the key, so
a retried webhook is answered from the stored results of the first and opens
nothing again, however many times it arrives and on whichever process. The
same key with another body is refused in words. A bad key (401), a malformed
body (422) or an unknown table or machine (404) is answered before any claim
or command, so none of them makes anything.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from backend import eventlog, schema, service_accounts
from backend.auth import AuthError
from backend.context import Backend, Caller, bearer_token, get_backend, get_caller
from backend.errors import STATUS_FOR_CODE, ApiError, rejection_response
from backend.service_accounts import BadKey, ServiceAccount, ServiceAccountError
from domain import commands as c
from domain.decide import Actor
from domain.intake import (
    CreatedServiceAccount,
    IntakeAnswer,
    IntakeDowntime,
    IntakeIncident,
    IntakeNote,
    NewServiceAccount,
    ServiceAccountInfo,
)
from domain.models import Role
from domain.protocol import CommandEnvelope, CommandResult, Problem
from domain.rejection import Rejected

router = APIRouter(prefix="/v1/intake", tags=["intake"])
admin_router = APIRouter(prefix="/v1/service-accounts", tags=["service accounts"])

BackendDep = Annotated[Backend, Depends(get_backend)]
CallerDep = Annotated[Caller, Depends(get_caller)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="one per event in the sending system: a retry sends the same key",
    ),
]
REPLAYED_HEADER = "Idempotent-Replayed"
AccountIdPath = Annotated[
    str, Path(min_length=1, max_length=32, pattern=service_accounts.ID_PATTERN.pattern)
]

INTAKE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no API key, or an unknown or revoked one"},
    403: {"model": Problem, "description": "not something a service account may do"},
    404: {"model": Problem, "description": "no such table, machine or incident"},
    409: {"model": Problem, "description": "not possible now (the table is already down)"},
    422: {"model": Problem, "description": "a malformed body, or a key reused with another"},
}


async def get_account(request: Request) -> ServiceAccount:
    backend = get_backend(request)
    try:
        header = request.headers.get("authorization")
        if not header:
            raise AuthError("no API key: send 'Authorization: Bearer fl_...'")
        key = bearer_token(header)
        return await service_accounts.verify(backend.storage.engine, key)
    except (AuthError, BadKey) as exc:
        raise ApiError(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from exc


AccountDep = Annotated[ServiceAccount, Depends(get_account)]


def _actor(account: ServiceAccount) -> Actor:
    return Actor(staff=account.staff, terminal=f"intake: {account.name}"[:80])


def _command_id(account: ServiceAccount, key: str, part: str) -> str:
    digest = hashlib.sha256(f"{account.id}\n{key}".encode()).hexdigest()[:40]
    return f"intake:{digest}:{part}"


class _Key:
    """An Idempotency-Key with the request it came with, as the database keeps them."""

    def __init__(self, account: ServiceAccount, key: str, request: str) -> None:
        self.account = account
        self.key = key
        self.key_hash = hashlib.sha256(key.encode()).hexdigest()
        self.body_hash = hashlib.sha256(request.encode()).hexdigest()

    async def seen(self, backend: Backend) -> bool:
        """Whether the key was claimed before: with this request (a replay), or refused."""
        k = schema.intake_keys
        async with backend.storage.engine.connect() as conn:
            first = (
                await conn.execute(
                    select(k.c.body_hash).where(
                        k.c.account_id == self.account.id, k.c.idempotency_key == self.key_hash
                    )
                )
            ).scalar()
        if first is None:
            return False
        if first != self.body_hash:
            raise ApiError(
                422,
                "this Idempotency-Key was already used with a different request; a new event"
                " needs a new key (a retry sends the same body with the same key)",
                code="idempotency_key_reused",
            )
        return True

    async def claim(self, backend: Backend) -> bool:
        """Claim the key for this request; True if it was claimed before (a replay).

        Claimed in its own transaction, before any command, so two requests racing
        with one key and different bodies cannot both go through.
        """
        k = schema.intake_keys
        try:
            async with backend.storage.engine.begin() as conn:
                await conn.execute(
                    insert(k).values(
                        account_id=self.account.id,
                        idempotency_key=self.key_hash,
                        body_hash=self.body_hash,
                        at=backend.now(),
                    )
                )
        except IntegrityError:
            return await self.seen(backend)
        return False


async def _submit(
    backend: Backend, account: ServiceAccount, key: str, part: str, command: c.Command
) -> CommandResult:
    envelope = CommandEnvelope(command_id=_command_id(account, key, part), command=command)
    [result] = await backend.service.submit([envelope], _actor(account))
    return result


def _answer(answer: IntakeAnswer, replayed: bool, status: int = 201) -> Response:
    return Response(
        content=answer.model_dump_json(),
        status_code=status,
        media_type="application/json",
        headers={REPLAYED_HEADER: "true"} if replayed else None,
    )


def _refused(rejected: Rejected) -> ApiError:
    status = STATUS_FOR_CODE.get(rejected.code, 422)
    return ApiError(status, rejected.message, code=str(rejected.code))


@router.post(
    "/incidents",
    status_code=201,
    response_model=IntakeAnswer,
    responses=INTAKE_PROBLEMS,
    summary="Open an incident (a call, a chat, a report from another system)",
)
async def open_incident(
    body: IntakeIncident, account: AccountDep, backend: BackendDep, key: IdempotencyKey
) -> Response:
    try:
        command = body.command(backend.service.state)
    except Rejected as rejected:
        raise _refused(rejected) from rejected
    replayed = await _Key(account, key, f"incident {body.model_dump_json()}").claim(backend)
    result = await _submit(backend, account, key, "incident", command)
    if result.error is not None:
        return rejection_response(result.error)
    answer = IntakeAnswer(
        incident_id=result.incident_id, seq=result.seq, server_time=result.server_time
    )
    return _answer(answer, replayed)


@router.post(
    "/incidents/{incident_id}/notes",
    status_code=201,
    response_model=IntakeAnswer,
    responses=INTAKE_PROBLEMS,
    summary="Add a note to an incident this service account opened",
)
async def add_note(
    # an incident number the server could have given (and one the command's id can hold)
    incident_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: IntakeNote,
    account: AccountDep,
    backend: BackendDep,
    key: IdempotencyKey,
) -> Response:
    request = f"note {incident_id} {body.model_dump_json()}"
    replayed = await _Key(account, key, request).claim(backend)
    command = c.AddNote(incident_id=incident_id, text=body.text)
    result = await _submit(backend, account, key, f"note-{incident_id}", command)
    if result.error is not None:
        return rejection_response(result.error)
    answer = IntakeAnswer(incident_id=incident_id, seq=result.seq, server_time=result.server_time)
    return _answer(answer, replayed)


@router.post(
    "/downtimes",
    status_code=201,
    response_model=IntakeAnswer,
    responses=INTAKE_PROBLEMS,
    summary="A table or machine is down; with a player on it, an incident too",
)
async def start_downtime(
    body: IntakeDowntime, account: AccountDep, backend: BackendDep, key: IdempotencyKey
) -> Response:
    state = backend.service.state
    try:
        opening = body.incident(state)
        asset = body.downtime(state, None).asset_id
    except Rejected as rejected:
        raise _refused(rejected) from rejected
    claim = _Key(account, key, f"downtime {body.model_dump_json()}")
    if not await claim.seen(backend) and state.open_downtime_of(asset) is not None:
        # refused before anything is claimed or opened: a retry is asked afresh
        raise ApiError(409, f"{asset} is already down", code="illegal")
    # (a downtime started by someone else between here and the command below
    # leaves the player's incident open and answers that refusal)
    replayed = await claim.claim(backend)
    incident_id: int | None = None
    if opening is not None:
        opened = await _submit(backend, account, key, "incident", opening)
        if opened.error is not None:
            return rejection_response(opened.error)
        incident_id = opened.incident_id
    try:
        downtime = body.downtime(backend.service.state, incident_id)
    except Rejected as rejected:  # the asset left the floor meanwhile
        raise _refused(rejected) from rejected
    result = await _submit(backend, account, key, "downtime", downtime)
    if result.error is not None:
        return rejection_response(result.error)
    answer = IntakeAnswer(
        incident_id=incident_id,
        downtime_id=await _downtime_of(backend, result.seq),
        seq=result.seq,
        server_time=result.server_time,
    )
    return _answer(answer, replayed)


async def _downtime_of(backend: Backend, seq: int) -> int | None:
    """The downtime the event at `seq` started (read back, so a replay names it too)."""
    async with backend.storage.engine.connect() as conn:
        [stored] = await eventlog.read_after(conn, seq - 1, upto=seq, limit=1)
    return stored.event.downtime_id


# --- admins: the accounts ---------------------------------------------------

ADMIN_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "not signed in, or the session expired"},
    403: {"model": Problem, "description": "admins only"},
    404: {"model": Problem, "description": "no such service account"},
    409: {"model": Problem, "description": "the id is taken, or the account already revoked"},
    422: {"model": Problem, "description": "the request is not valid"},
}


def info(account: ServiceAccount) -> ServiceAccountInfo:
    return ServiceAccountInfo(
        id=account.id,
        name=account.name,
        key_id=account.key_id,
        created_at=account.created_at,
        created_by=account.created_by,
        revoked_at=account.revoked_at,
    )


def _admin(caller: CallerDep) -> None:
    if caller.staff.role is not Role.ADMIN:
        raise ApiError(403, "service accounts are managed by admins only")


@admin_router.get("", response_model=list[ServiceAccountInfo], responses=ADMIN_PROBLEMS)
async def list_service_accounts(caller: CallerDep, backend: BackendDep) -> list[ServiceAccountInfo]:
    _admin(caller)
    return [info(a) for a in await service_accounts.list_accounts(backend.storage.engine)]


@admin_router.post(
    "", status_code=201, response_model=CreatedServiceAccount, responses=ADMIN_PROBLEMS
)
async def add_service_account(
    body: NewServiceAccount, caller: CallerDep, backend: BackendDep
) -> CreatedServiceAccount:
    """A new account; its key is in this answer and nowhere else, ever."""
    _admin(caller)
    try:
        account, key = await service_accounts.create(
            backend.storage.engine,
            body.id,
            body.name,
            caller.staff.id,
            caller.terminal,
            backend.now(),
        )
    except ServiceAccountError as exc:
        raise ApiError(exc.status, str(exc)) from exc
    return CreatedServiceAccount(account=info(account), key=key)


@admin_router.post(
    "/{account_id}/revoke", response_model=ServiceAccountInfo, responses=ADMIN_PROBLEMS
)
async def revoke_service_account(
    account_id: AccountIdPath, caller: CallerDep, backend: BackendDep
) -> ServiceAccountInfo:
    """Revoke the key: refused on the next request, on every process."""
    _admin(caller)
    try:
        account = await service_accounts.revoke(
            backend.storage.engine, account_id, caller.staff.id, caller.terminal, backend.now()
        )
    except ServiceAccountError as exc:
        raise ApiError(exc.status, str(exc)) from exc
    return info(account)
