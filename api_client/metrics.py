"""The duty manager's metrics over HTTP (no UI here).

    metrics = client.metrics
    board = await metrics.board(WindowKind.SHIFT)        # report + the last 14 days
    digest = await metrics.digest("2026-11")

The server computes every figure from its event log; nothing is kept or
computed here, and nothing is queued offline: without the server there are
no figures. A refusal (not a duty manager or admin: `SessionEnded` with
`forbidden`; a bad month: `HttpError`) carries the server's reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.digest import MonthlyDigest
from domain.metric_windows import WindowKind
from domain.metrics import DailyMetrics, MetricsBoard, MetricsReport
from domain.models import Tier

if TYPE_CHECKING:
    from api_client.staff_admin import SignedInCalls

CHART_DAYS = 14


def _filters(tier: Tier | None, pit: str | None) -> dict[str, str]:
    found = {"tier": str(tier) if tier else None, "pit": pit}
    return {key: value for key, value in found.items() if value}


class Metrics:
    def __init__(self, rest: SignedInCalls) -> None:
        self._rest = rest

    async def report(
        self, window: WindowKind, *, tier: Tier | None = None, pit: str | None = None
    ) -> MetricsReport:
        params = {"window": str(window)} | _filters(tier, pit)
        return await self._rest.call("GET", "/v1/metrics", MetricsReport, params=params)

    async def daily(
        self, days: int = CHART_DAYS, *, tier: Tier | None = None, pit: str | None = None
    ) -> DailyMetrics:
        params = {"days": str(days)} | _filters(tier, pit)
        return await self._rest.call("GET", "/v1/metrics/daily", DailyMetrics, params=params)

    async def board(
        self, window: WindowKind, *, tier: Tier | None = None, pit: str | None = None
    ) -> MetricsBoard:
        """The window's report and the last 14 days for its charts."""
        report = await self.report(window, tier=tier, pit=pit)
        return MetricsBoard(report=report, daily=await self.daily(tier=tier, pit=pit))

    async def digest(self, month: str) -> MonthlyDigest:
        """The monthly digest of `month` (YYYY-MM)."""
        params = {"month": month}
        return await self._rest.call("GET", "/v1/metrics/digest", MonthlyDigest, params=params)
