"""The admin's staff commands: add, deactivate, reactivate, change role or pit, reset PIN.

Each is a floor command (`domain.staff_admin`) on the command path, so it is
an event every terminal folds and the audit keeps; the domain decides who may
(admins) and what may not happen (the last active admin stays). A PIN made
here is answered once and stored only as its hash.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from backend.context import Backend, Caller, get_backend, get_caller
from backend.errors import STATUS_FOR_CODE, ApiError
from backend.floorimport import FloorRefused, random_pin
from backend.floorimport import run_floor_command as _run
from domain.models import Role
from domain.protocol import Problem, StaffPin, StaffResult
from domain.staff_admin import (
    STAFF_ID_PATTERN,
    AddStaff,
    ChangeStaff,
    FloorCommand,
    ImportFloor,
    ResetPin,
    SetStaffActive,
)

router = APIRouter(prefix="/v1/staff", tags=["staff"])

BackendDep = Annotated[Backend, Depends(get_backend)]
CallerDep = Annotated[Caller, Depends(get_caller)]
# the commands' own rule, so a malformed id is a 422 here, never a failure inside
StaffIdPath = Annotated[str, Path(min_length=1, max_length=40, pattern=STAFF_ID_PATTERN)]

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "not signed in"},
    403: {"model": Problem, "description": "admins only"},
    404: {"model": Problem, "description": "no such staff member"},
    409: {"model": Problem, "description": "refused: say, the last active admin"},
    422: {"model": Problem, "description": "the request is not valid"},
}


async def _decide(
    backend: Backend, caller: Caller, command: FloorCommand, pin: str | None = None
) -> None:
    if caller.staff.role is not Role.ADMIN:  # the domain refuses too; no PIN made then
        raise ApiError(403, "staff administration is for admins only")
    if isinstance(command, AddStaff):
        staff_id = command.id
    elif isinstance(command, ImportFloor):
        staff_id = ""  # names no one member (and is not sent here)
    else:
        staff_id = command.staff_id
    try:
        await _run(
            backend.service,
            command,
            caller.actor,
            pins={staff_id: pin} if pin else None,
        )
    except FloorRefused as exc:
        raise ApiError(STATUS_FOR_CODE.get(exc.code, 409), str(exc), code=exc.code) from exc


def _result(backend: Backend, staff_id: str) -> Response:
    state = backend.service.state
    active = staff_id in state.staff
    member = state.staff.get(staff_id) or state.inactive_staff[staff_id]
    body = StaffResult(staff=member, active=active, server_time=backend.now())
    return Response(body.model_dump_json(), media_type="application/json")


def _pin(backend: Backend, staff_id: str, pin: str) -> Response:
    state = backend.service.state
    member = state.staff.get(staff_id) or state.inactive_staff[staff_id]
    body = StaffPin(staff=member, pin=pin, server_time=backend.now())
    return Response(body.model_dump_json(), media_type="application/json")


@router.post("", response_model=StaffPin, responses=RESPONSES)
async def add_staff(body: AddStaff, caller: CallerDep, backend: BackendDep) -> Response:
    """A new member with a one-time PIN, answered only here."""
    pin = random_pin()
    await _decide(backend, caller, body, pin)
    return _pin(backend, body.id, pin)


@router.post("/{staff_id}/deactivate", response_model=StaffResult, responses=RESPONSES)
async def deactivate(staff_id: StaffIdPath, caller: CallerDep, backend: BackendDep) -> Response:
    """Signs them out everywhere at once: tokens revoked, live feeds closed."""
    await _decide(backend, caller, SetStaffActive(staff_id=staff_id, active=False))
    return _result(backend, staff_id)


@router.post("/{staff_id}/reactivate", response_model=StaffResult, responses=RESPONSES)
async def reactivate(staff_id: StaffIdPath, caller: CallerDep, backend: BackendDep) -> Response:
    await _decide(backend, caller, SetStaffActive(staff_id=staff_id, active=True))
    return _result(backend, staff_id)


@router.post("/{staff_id}/change", response_model=StaffResult, responses=RESPONSES)
async def change(
    staff_id: StaffIdPath, body: ChangeStaff, caller: CallerDep, backend: BackendDep
) -> Response:
    """A new role, pit or name; their open live feeds close so they reconnect re-scoped."""
    if body.staff_id != staff_id:
        raise ApiError(422, "the staff ID in the path and the body differ")
    await _decide(backend, caller, body)
    return _result(backend, staff_id)


@router.post("/{staff_id}/reset-pin", response_model=StaffPin, responses=RESPONSES)
async def reset_pin(staff_id: StaffIdPath, caller: CallerDep, backend: BackendDep) -> Response:
    """A new one-time PIN, answered only here; their sessions end."""
    pin = random_pin()
    await _decide(backend, caller, ResetPin(staff_id=staff_id), pin)
    return _pin(backend, staff_id, pin)
