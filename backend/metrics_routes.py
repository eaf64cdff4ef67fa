"""The duty manager's metrics over HTTP, computed from the event log.

    GET /v1/metrics?window=shift|today|7d|month[&tier=vip][&pit=2]  -> MetricsReport
    GET /v1/metrics/daily?days=14[&tier=...][&pit=...]               -> DailyMetrics
    GET /v1/metrics/digest?month=YYYY-MM                             -> MonthlyDigest

Duty managers and admins only: anyone else is answered 403 with the reason.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from backend.context import Backend, Caller, get_backend, get_caller
from backend.errors import ApiError
from backend.metrics_log import compute
from domain.digest import MonthlyDigest, monthly_digest
from domain.metric_windows import (
    MonthError,
    WindowKind,
    day_windows,
    month_window,
    previous_month,
    window_for,
)
from domain.metrics import (
    DailyMetrics,
    MetricsReport,
    metrics_refusal,
)
from domain.models import Tier
from domain.protocol import Problem

router = APIRouter(prefix="/v1/metrics", tags=["metrics"])

BackendDep = Annotated[Backend, Depends(get_backend)]
CallerDep = Annotated[Caller, Depends(get_caller)]
TierQuery = Annotated[Tier | None, Query(description="only this tier's players")]
PitQuery = Annotated[str | None, Query(max_length=40, description="only this pit")]
MAX_DAYS = 62

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "not signed in"},
    403: {"model": Problem, "description": "duty managers and admins only"},
    422: {"model": Problem, "description": "the request is not valid"},
}


def _allowed(caller: Caller) -> None:
    refusal = metrics_refusal(caller.staff.role)
    if refusal is not None:
        raise ApiError(403, refusal)


def _json(model: MetricsReport | DailyMetrics | MonthlyDigest) -> Response:
    return Response(content=model.model_dump_json(), media_type="application/json")


@router.get("", response_model=MetricsReport, responses=RESPONSES)
async def metrics(
    caller: CallerDep,
    backend: BackendDep,
    window: WindowKind = WindowKind.SHIFT,
    tier: TierQuery = None,
    pit: PitQuery = None,
) -> Response:
    _allowed(caller)
    policy = backend.service.state.policy
    now = backend.now()
    span = window_for(window, now, policy)
    report = await backend.metrics.report(policy, span, now, tier=tier, pit=pit)
    return _json(report)


@router.get("/daily", response_model=DailyMetrics, responses=RESPONSES)
async def daily(
    caller: CallerDep,
    backend: BackendDep,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 14,
    tier: TierQuery = None,
    pit: PitQuery = None,
) -> Response:
    _allowed(caller)
    policy = backend.service.state.policy
    now = backend.now()
    windows = day_windows(now, days, policy)
    return _json(await backend.metrics.daily(policy, windows, now, tier=tier, pit=pit))


@router.get("/digest", response_model=MonthlyDigest, responses=RESPONSES)
async def digest(
    caller: CallerDep,
    backend: BackendDep,
    month: Annotated[str, Query(max_length=20, description="YYYY-MM")],
) -> Response:
    _allowed(caller)
    policy = backend.service.state.policy
    try:
        span = month_window(month, backend.now(), policy)
    except MonthError as exc:
        raise ApiError(422, f"month: {exc}") from exc
    result, pruned = await compute(
        backend.storage,
        policy,
        previous_month(span, policy).start,
        span.end,
        lambda events: monthly_digest(events, policy, span),
    )
    return _json(result.model_copy(update={"pruned_before": pruned}))
