"""The spans of time the metrics are reported for: this shift, today, the last 7 days,
this month, one calendar month, and the days of a chart.

Every window is half-open, [start, end), in the policy's timezone; one that runs
up to now ends at now. Days and months start at local midnight, so a day across
a DST change is as long as the wall clock says.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.models import Frozen
from domain.policy import Policy
from domain.sla import shift_start

MONTH_FORM = "YYYY-MM"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class WindowKind(StrEnum):
    SHIFT = "shift"
    TODAY = "today"
    LAST_7_DAYS = "7d"
    MONTH = "month"


WINDOW_LABELS: dict[WindowKind, str] = {
    WindowKind.SHIFT: "this shift",
    WindowKind.TODAY: "today",
    WindowKind.LAST_7_DAYS: "last 7 days",
    WindowKind.MONTH: "this month",
}


class Window(Frozen):
    name: str  # "shift", "today", "7d", "month", "2026-11" or "2026-11-24"
    label: str  # "this shift", "November 2026", "Tue 24 Nov"
    start: float
    end: float


class MonthError(ValueError):
    """A month that is not YYYY-MM, or not yet begun; the message says which."""


def _midnight(day: date, tz: ZoneInfo) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()


def _local_day(moment: float, policy: Policy) -> date:
    return datetime.fromtimestamp(moment, ZoneInfo(policy.timezone)).date()


def window_for(kind: WindowKind, now: float, policy: Policy) -> Window:
    """One of the board's windows, ending now."""
    tz = ZoneInfo(policy.timezone)
    today = _local_day(now, policy)
    if kind is WindowKind.SHIFT:
        start = shift_start(now, policy)
    elif kind is WindowKind.TODAY:
        start = _midnight(today, tz)
    elif kind is WindowKind.LAST_7_DAYS:
        start = _midnight(today - timedelta(days=6), tz)  # today and the six days before
    else:
        start = _midnight(today.replace(day=1), tz)
    return Window(name=str(kind), label=WINDOW_LABELS[kind], start=start, end=now)


def _month_after(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def _month(first: date, policy: Policy, now: float) -> Window:
    tz = ZoneInfo(policy.timezone)
    start = _midnight(first, tz)
    end = min(_midnight(_month_after(first), tz), now)
    return Window(name=f"{first:%Y-%m}", label=f"{first:%B %Y}", start=start, end=max(start, end))


def month_window(text: str, now: float, policy: Policy) -> Window:
    """The calendar month `YYYY-MM` (this month: up to now); MonthError if malformed or future."""
    found = _MONTH.match(text.strip())
    if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1:
        raise MonthError(f"{text!r} is not a month: expected {MONTH_FORM}, e.g. 2026-11")
    first = date(int(found[1]), int(found[2]), 1)
    this_month = _local_day(now, policy).replace(day=1)
    if first > this_month:
        raise MonthError(
            f"{first:%Y-%m} has not begun (this month is {this_month:%Y-%m});"
            f" expected a month as {MONTH_FORM}, up to this one"
        )
    return _month(first, policy, now)


def previous_month(month: Window, policy: Policy) -> Window:
    """The whole calendar month before `month`."""
    first = _local_day(month.start, policy).replace(day=1)
    before = (first - timedelta(days=1)).replace(day=1)
    return _month(before, policy, float("inf"))


def day_windows(now: float, days: int, policy: Policy) -> tuple[Window, ...]:
    """The last `days` local days, oldest first; the last is today, up to now."""
    tz = ZoneInfo(policy.timezone)
    today = _local_day(now, policy)
    windows = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        end = min(_midnight(day + timedelta(days=1), tz), now)
        windows.append(
            Window(
                name=f"{day:%Y-%m-%d}", label=f"{day:%a %d %b}", start=_midnight(day, tz), end=end
            )
        )
    return tuple(windows)
