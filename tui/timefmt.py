"""How times read on the floor: countdowns, clock times, ages. Pure functions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.sla import Urgency

# CSS classes (themes colour them) for each urgency of a countdown
URGENCY_CLASS: dict[Urgency, str] = {
    Urgency.OK: "-ok",
    Urgency.AMBER: "-amber",
    Urgency.RED: "-red",
    Urgency.BREACHED: "-breached",
    Urgency.MET: "-met",
}


def format_span(seconds: float) -> str:
    """`75` -> `1:15`, `3725` -> `1:02:05`, `200000` -> `2d 07h`."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_countdown(remaining: float, *, approximate: bool = False) -> str:
    """Time left, or `+m:ss` once overdue; `~` while the clock is not server-checked."""
    text = format_span(remaining) if remaining >= 0 else "+" + format_span(remaining)
    return f"~{text}" if approximate else text


def format_clock(timestamp: float, timezone: str) -> str:
    """The floor's local time of day, `02:23`."""
    return datetime.fromtimestamp(timestamp, ZoneInfo(timezone)).strftime("%H:%M")


def format_clock_seconds(timestamp: float, timezone: str) -> str:
    return datetime.fromtimestamp(timestamp, ZoneInfo(timezone)).strftime("%H:%M:%S")


def format_datetime(timestamp: float, timezone: str) -> str:
    return datetime.fromtimestamp(timestamp, ZoneInfo(timezone)).strftime("%a %d %b %H:%M")
