"""Every 4xx/5xx as a `domain.protocol.Problem`, in words a user can act on."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.decide import RejectCode
from domain.protocol import CommandError, Problem

log = logging.getLogger("floorline.errors")

STATUS_FOR_CODE: dict[str, int] = {
    RejectCode.INVALID: 422,
    RejectCode.FORBIDDEN: 403,
    RejectCode.NOT_FOUND: 404,
    RejectCode.ILLEGAL: 409,
    RejectCode.CONFLICT: 409,
}

CODE_FOR_STATUS: dict[int, str] = {
    400: "invalid",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "invalid",
    409: "conflict",
    410: "resync",
    413: "too_large",
    422: "invalid",
    429: "too_many_attempts",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code or CODE_FOR_STATUS.get(status, "error")
        self.headers = headers


def problem_response(
    status: int, problem: Problem, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True), status_code=status, headers=headers
    )


def rejection_response(error: CommandError) -> JSONResponse:
    problem = Problem(
        detail=error.message, code=error.code, current=error.current, by=error.by, at=error.at
    )
    return problem_response(STATUS_FOR_CODE.get(error.code, 422), problem)


def _describe(errors: list[Any]) -> str:
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",))
        kind = err.get("type", "")
        if kind == "json_invalid":
            parts.append(f"the body is not valid JSON ({err.get('ctx', {}).get('error', '')})")
        elif not loc and kind in ("model_attributes_type", "dict_type"):
            parts.append("the body must be a JSON object (Content-Type: application/json)")
        elif kind == "extra_forbidden":
            parts.append(f"unknown field {loc!r}")
        else:
            parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else err.get("msg", ""))
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return problem_response(exc.status, Problem(detail=exc.detail, code=exc.code), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(422, Problem(detail=_describe(list(exc.errors())), code="invalid"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = CODE_FOR_STATUS.get(exc.status_code, "error")
        return problem_response(
            exc.status_code, Problem(detail=str(exc.detail), code=code), exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(
            500, Problem(detail="the server hit an unexpected error", code="error")
        )
