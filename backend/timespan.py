"""A span of time typed by an operator: days in the policy's timezone, or ISO moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class BadSpan(ValueError):
    """The dates do not make a span; the message says what to type instead."""


def moment(text: str, tz: ZoneInfo, *, end: bool) -> float:
    """A day (`2026-03-01`: from its start, or to its end when `end`) in `tz`, or an
    ISO date and time (without an offset: in `tz`)."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=tz)
            return (day + timedelta(days=1) if end else day).timestamp()
        when = datetime.fromisoformat(value)
        return (when if when.tzinfo else when.replace(tzinfo=tz)).timestamp()
    except (ValueError, OverflowError):
        raise BadSpan(f"{value!r} is not a date: give YYYY-MM-DD or an ISO date and time") from None


def span(start: str, end: str, timezone: str) -> tuple[float, float]:
    """[from the start of `start`, to the end of `end`): both days are included."""
    tz = ZoneInfo(timezone)
    first = moment(start, tz, end=False)
    last = moment(end, tz, end=True)
    if last <= first:
        raise BadSpan(f"the span ends before it starts: {end} is before {start}")
    return first, last


def iso(seconds: float, timezone: str = "UTC") -> str:
    zone = UTC if timezone == "UTC" else ZoneInfo(timezone)
    return datetime.fromtimestamp(seconds, zone).isoformat(timespec="seconds")
