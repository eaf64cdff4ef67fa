"""A moment as the floor's local time, in words, for messages the rules write."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_text(timestamp: float, timezone: str, form: str) -> str:
    """`timestamp` in `timezone` as `form` (strftime); a time no calendar holds (a broken
    clock, a malformed command) reads `time 1e+18` rather than raising."""
    try:
        return datetime.fromtimestamp(timestamp, ZoneInfo(timezone)).strftime(form)
    except (OverflowError, ValueError, OSError):
        return f"time {timestamp:g}"
