"""Shift windows as an operator writes them on a rota: "Mon-Fri 22:00-06:00".

A window starts on each listed weekday at its start time and ends at its end
time that day, or the next day when the end is not after the start (a night
shift belongs to the day it starts on). Times are 24-hour HH:MM wall-clock
times in the policy's timezone; "24:00" may end a window.
"""

from __future__ import annotations

import re

from domain.models import EVERY_DAY, Frozen

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EVERY_DAY_WORDS = {"daily", "every day", "everyday"}
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
_TIME = re.compile(r"^(\d{2}):(\d{2})$")
_SHIFT = re.compile(r"^\s*(?P<days>.+?)\s+(?P<start>\S+)\s*-\s*(?P<end>\S+)\s*$")
TIME_HINT = "expected HH:MM on the 24-hour clock, like 09:00 or 21:30"
DAYS_HINT = "expected days like Mon-Fri, Sat,Sun or daily"


class Shift(Frozen):
    days: tuple[int, ...] = EVERY_DAY
    start: str
    end: str

    def __str__(self) -> str:
        return f"{render_days(self.days)} {self.start}-{self.end}"


def minutes(hhmm: str, *, end: bool = False) -> int:
    """Minutes after midnight of an HH:MM time; ValueError naming what is wrong."""
    match = _TIME.match(hhmm.strip())
    if not match:
        raise ValueError(f"bad time {hhmm!r} ({TIME_HINT})")
    hours, mins = int(match[1]), int(match[2])
    if end and hours == 24 and mins == 0:
        return DAY_MINUTES
    if hours > 23 or mins > 59:
        raise ValueError(f"bad time {hhmm!r} ({TIME_HINT})")
    return hours * 60 + mins


def _day(name: str) -> int:
    word = name.strip().lower()
    for number, (short, full) in enumerate(zip(DAY_NAMES, _FULL_NAMES, strict=True)):
        if word in (short.lower(), full):
            return number
    raise ValueError(f"unknown day {name.strip()!r} ({DAYS_HINT})")


def parse_days(text: str) -> tuple[int, ...]:
    if text.strip().lower() in _EVERY_DAY_WORDS:
        return EVERY_DAY
    days: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.partition("-")
        if not dash:
            days.add(_day(first))
            continue
        day, stop = _day(first), _day(last)
        while True:  # a range may wrap the week: Fri-Mon
            days.add(day)
            if day == stop:
                break
            day = (day + 1) % 7
    return tuple(sorted(days))


def render_days(days: tuple[int, ...]) -> str:
    """Runs of consecutive days, Monday first: "Mon-Fri", "Mon,Wed,Fri-Sun", "daily"."""
    if tuple(sorted(days)) == EVERY_DAY:
        return "daily"
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(
        DAY_NAMES[run[0]] if len(run) == 1 else f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}"
        for run in runs
    )


def parse_shift(text: str) -> Shift:
    """A Shift from "Mon-Fri 22:00-06:00"; ValueError naming what is wrong."""
    match = _SHIFT.match(text)
    if not match:
        raise ValueError(
            f"bad shift {text!r} (expected days and hours, like 'Mon-Fri 22:00-06:00')"
        )
    days = parse_days(match["days"])
    start = minutes(match["start"])
    end = minutes(match["end"], end=True)
    if start == end:
        raise ValueError(f"empty shift {text!r}: it starts and ends at {match['start']}")
    return Shift(days=days, start=match["start"], end=match["end"])


def week_spans(shift: Shift) -> list[tuple[int, int]]:
    """The shift's windows as [start, end) minutes of a week from Monday 00:00."""
    start, end = minutes(shift.start), minutes(shift.end, end=True)
    length = end - start if end > start else end + DAY_MINUTES - start
    spans: list[tuple[int, int]] = []
    for day in shift.days:
        begin = day * DAY_MINUTES + start
        finish = begin + length
        if finish <= WEEK_MINUTES:
            spans.append((begin, finish))
        else:  # Sunday night into Monday morning
            spans += [(begin, WEEK_MINUTES), (0, finish - WEEK_MINUTES)]
    return spans


def overlap(a: Shift, b: Shift) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in week_spans(a) for s2, e2 in week_spans(b))
