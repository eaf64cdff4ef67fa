"""The HTTP endpoints of `domain.protocol`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from backend import eventlog, journal
from backend.audit import AuditEntry, recent
from backend.auth import AuthError, PinChangeRefused, TooManyAttempts
from backend.context import (
    TERMINAL_HEADER,
    Backend,
    Caller,
    get_backend,
    get_caller,
    get_pin_changer,
)
from backend.errors import ApiError, problem_response, rejection_response
from backend.live import filtered_parts
from backend.register_csv import register_csv
from backend.timespan import BadSpan, span
from backend.visibility import visible_state
from domain.models import Role
from domain.protocol import (
    BatchResult,
    ChangePin,
    CommandBatch,
    CommandEnvelope,
    CommandResult,
    EventPage,
    JournalHead,
    Problem,
    Resync,
    ServerTime,
    Session,
    SignIn,
    Snapshot,
)
from domain.registers import register_lines

router = APIRouter(prefix="/v1")

BackendDep = Annotated[Backend, Depends(get_backend)]
CallerDep = Annotated[Caller, Depends(get_caller)]
PinChangerDep = Annotated[Caller, Depends(get_pin_changer)]

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "not signed in, or the session expired"},
    422: {"model": Problem, "description": "the request is not valid"},
}


def _json(model: BaseModel) -> Response:
    return Response(content=model.model_dump_json(), media_type="application/json")


@router.post(
    "/session",
    response_model=Session,
    responses={**PROBLEMS, 429: {"model": Problem, "description": "too many wrong PINs"}},
)
async def sign_in(
    body: SignIn,
    backend: BackendDep,
    terminal: Annotated[str | None, Header(alias=TERMINAL_HEADER)] = None,
) -> Response:
    now = backend.now()
    name = (body.terminal or terminal or "")[:80]
    try:
        token, session = await backend.auth.sign_in(body.staff_id, body.pin, name, now)
    except TooManyAttempts as exc:
        raise ApiError(
            429, str(exc), headers={"Retry-After": str(int(exc.retry_after) + 1)}
        ) from exc
    except AuthError as exc:
        raise ApiError(401, str(exc)) from exc
    staff = backend.service.state.staff.get(session.staff_id)
    if staff is None:  # added a moment ago by another process (a floor import): fold it now
        await backend.service.catch_up()
        staff = backend.service.state.staff.get(session.staff_id)
    if staff is None:
        raise ApiError(401, "this staff ID is not on this server's floor yet; try again")
    return _json(
        Session(
            token=token,
            expires_at=session.expires_at,
            staff=staff,
            server_time=now,
            must_change_pin=session.must_change_pin,
        )
    )


@router.post(
    "/session/pin",
    status_code=204,
    responses={
        **PROBLEMS,
        403: {"model": Problem, "description": "the current PIN is wrong"},
    },
)
async def change_pin(body: ChangePin, caller: PinChangerDep, backend: BackendDep) -> Response:
    try:
        await backend.auth.change_pin(caller.session, body.old_pin, body.new_pin)
    except PinChangeRefused as exc:
        raise ApiError(422, str(exc)) from exc
    return Response(status_code=204)


@router.delete("/session", status_code=204, responses=PROBLEMS)
async def sign_out(caller: PinChangerDep, backend: BackendDep) -> Response:
    await backend.auth.sign_out(caller.session)
    backend.hub.close_token(caller.session.token_hash, "signed out")
    return Response(status_code=204)


@router.get("/snapshot", response_model=Snapshot, responses=PROBLEMS)
async def snapshot(caller: CallerDep, backend: BackendDep) -> Response:
    service = backend.service
    state = service.state
    return _json(
        Snapshot(
            epoch=service.epoch,
            seq=state.seq,
            server_time=backend.now(),
            me=caller.staff,
            state=visible_state(state, caller.staff),
        )
    )


@router.post(
    "/commands",
    response_model=CommandResult,
    responses={
        **PROBLEMS,
        403: {"model": Problem, "description": "the role or pit does not allow it"},
        404: {"model": Problem, "description": "no such incident (or not visible)"},
        409: {"model": Problem, "description": "not possible now; carries the current incident"},
        413: {"model": Problem, "description": "the body is too large"},
    },
)
async def command(body: CommandEnvelope, caller: CallerDep, backend: BackendDep) -> Response:
    [result] = await backend.service.submit([body], caller.actor)
    if result.error is not None:
        return rejection_response(result.error)
    return _json(result)


@router.post("/commands/batch", response_model=BatchResult, responses=PROBLEMS)
async def command_batch(body: CommandBatch, caller: CallerDep, backend: BackendDep) -> Response:
    results = await backend.service.submit(body.commands, caller.actor)
    return _json(BatchResult(results=results, server_time=backend.now()))


@router.get(
    "/events",
    response_model=EventPage,
    responses={**PROBLEMS, 410: {"model": Resync, "description": "take a fresh snapshot"}},
)
async def events(
    caller: CallerDep,
    backend: BackendDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> Response:
    service = backend.service
    head = service.state.seq
    now = backend.now()
    if after < service.pruned_through or after > head:
        reason = "older than the retained log" if after <= head else "ahead of this server's log"
        resync = Resync(
            reason=f"seq {after} is {reason}", epoch=service.epoch, head=head, server_time=now
        )
        return JSONResponse(resync.model_dump(mode="json"), status_code=410)
    async with backend.storage.engine.connect() as conn:
        page = await eventlog.read_after(conn, after, upto=head, limit=limit)
    _, parts = filtered_parts(page, caller.staff, service.state.policy)
    body = (
        f'{{"epoch":"{service.epoch}","events":[{",".join(parts)}],'
        f'"head":{head},"server_time":{now!r}}}'
    )
    return Response(content=body, media_type="application/json")


@router.get("/time", response_model=ServerTime)
async def server_time(backend: BackendDep) -> ServerTime:
    return ServerTime(server_time=backend.now())


@router.get(
    "/audit",
    response_model=list[AuditEntry],
    responses={**PROBLEMS, 403: {"model": Problem, "description": "admins only"}},
)
async def audit_trail(
    caller: CallerDep,
    backend: BackendDep,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> list[AuditEntry]:
    if caller.staff.role is not Role.ADMIN:
        raise ApiError(403, "the audit trail is for admins only")
    return await recent(backend.storage.engine, limit)


@router.get(
    "/audit/head",
    response_model=JournalHead,
    responses={**PROBLEMS, 403: {"model": Problem, "description": "admins only"}},
)
async def journal_head(caller: CallerDep, backend: BackendDep) -> JournalHead:
    """The journal's last entry and its hash: written down elsewhere, it proves later that
    nothing up to it was changed (`floorline audit verify --head HASH`)."""
    if caller.staff.role is not Role.ADMIN:
        raise ApiError(403, "the journal's head is for admins only")
    async with backend.storage.engine.connect() as conn:
        head = await journal.read_head(conn)
    return JournalHead(seq=head.seq, hash=head.hash, server_time=backend.now())


@router.get(
    "/audit/register",
    response_class=Response,
    responses={
        **PROBLEMS,
        200: {"content": {"text/csv": {}}, "description": "the registers' lines, CSV"},
        403: {"model": Problem, "description": "duty managers and admins only"},
    },
)
async def register_export(
    caller: CallerDep,
    backend: BackendDep,
    start: Annotated[str, Query(alias="from", max_length=40, description="first day, YYYY-MM-DD")],
    end: Annotated[str, Query(alias="to", max_length=40, description="last day (included)")],
) -> Response:
    """The regulators' registers: every matter that happened in the span, with when it
    happened, when it was logged on the floor and in the register (days in the policy's
    timezone)."""
    if caller.staff.role not in (Role.DUTY_MANAGER, Role.ADMIN):
        raise ApiError(403, "the registers are for duty managers and admins")
    state = backend.service.state
    try:
        first, last = span(start, end, state.policy.timezone)
    except BadSpan as exc:
        raise ApiError(422, str(exc)) from exc
    lines = register_lines(state.incidents.values(), state, first, last, backend.now())
    return Response(
        content=register_csv(lines, state.policy.timezone),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="registers.csv"'},
    )


__all__ = ["TERMINAL_HEADER", "problem_response", "router"]
