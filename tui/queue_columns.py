"""The queue's columns and how they share a terminal's width. Pure (no Textual)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    grow: bool = False  # takes the width left over
    right: bool = False  # right-aligned
    gap: int = 1  # blank cells after it (the clock-driven columns always have 1)


COLUMNS: tuple[Column, ...] = (
    Column("number", "#", 6),
    Column("mark", "", 1),
    Column("priority", "P", 2),
    Column("tier", "Tier", 4),
    Column("player", "Player", 14, grow=True),
    Column("location", "Location", 10, grow=True),
    Column("kind", "Kind", 16, grow=True),
    Column("state", "State", 8),
    Column("owner", "Owner", 10),
    Column("line", "Line", 4),
    # right-aligned so the seconds of every countdown sit in the same two columns
    Column("next", "Next due", 14, right=True),
    Column("update", "Update", 6),
)

# An 80-column terminal (79 with the scrollbar) still shows what every incident
# must show (number, owner, its SLA countdown, the time of the next promised
# update) and who and where: a silent visitor's flag and masked ID in full
# (14), a table or a room (10), every open state's word (7) and a name as the
# floor writes it ("Jordan T.", shortened to "Jordan T" when it does not fit).
# The pending mark sits right after the number, with no blank between them.
NARROW: tuple[Column, ...] = (
    Column("number", "#", 6, gap=0),
    Column("mark", "", 1),
    Column("priority", "P", 2),
    Column("tier", "Tier", 4),
    Column("player", "Player", 14, grow=True),
    Column("location", "Location", 10, grow=True),
    Column("state", "State", 7),
    Column("owner", "Owner", 8),
    Column("next", "Next due", 14, right=True),
    Column("update", "Upd", 5),  # a clock time, 02:25
)
# what a narrow table adds while there is room, in this order: (column, before which).
# These give way first: the incident screen and the ladder show the escalation line,
# the incident screen the kind.
NARROW_EXTRAS: tuple[tuple[Column, str], ...] = (
    (Column("line", "Line", 4), "next"),
    (Column("kind", "Kind", 9, grow=True), "state"),
)
# the cells that change with the clock (the state shows an acknowledgement's ETA
# counting down), always the last columns of a row: from the first of these on,
# every cell is painted as a timed one
TIMED_COLUMNS = ("state", "owner", "line", "next", "update")
SECONDS = 2  # a countdown's last characters: all that changes on most ticks


def _used(columns: Sequence[Column]) -> int:
    """Cells `columns` take at their least, with the blanks between them."""
    return sum(c.width + c.gap for c in columns) - columns[-1].gap


WIDE_AT = _used(COLUMNS)  # narrower than this, the narrow columns


def layout(width: int) -> list[tuple[Column, int]]:
    """Columns and their widths for a table `width` cells wide."""
    columns = list(COLUMNS) if width >= WIDE_AT else _narrow(width)
    growers = [c for c in columns if c.grow]
    sizes = {c.key: c.width for c in columns}
    spare = width - _used(columns)
    if spare >= 0:
        extra, rest = divmod(spare, len(growers))
        for c in growers:
            sizes[c.key] += extra
        sizes[growers[-1].key] += rest
    else:
        # narrower than a floor terminal: the growing columns give up cells in turn
        # (the last first) rather than the row losing its update time off the edge
        short = -spare
        while short and any(sizes[c.key] > 1 for c in growers):
            for c in reversed(growers):
                if short and sizes[c.key] > 1:
                    sizes[c.key] -= 1
                    short -= 1
    return [(c, sizes[c.key]) for c in columns]


def _narrow(width: int) -> list[Column]:
    columns = list(NARROW)
    for column, before in NARROW_EXTRAS:
        if _used(columns) + column.width + column.gap <= width:
            at = next(n for n, c in enumerate(columns) if c.key == before)
            columns.insert(at, column)
    return columns


@dataclass(frozen=True, slots=True)
class Split:
    """A row at one width: the cells that stay put, then the clock-driven ones."""

    steady: tuple[tuple[Column, int], ...]
    timed: tuple[tuple[Column, int], ...]
    timed_x: int  # where the timed cells start
    seconds_x: int  # where the countdown's seconds start


@lru_cache(maxsize=8)
def split(width: int) -> Split:
    columns = layout(width)
    first = next(n for n, (c, _) in enumerate(columns) if c.key in TIMED_COLUMNS)
    steady, timed = tuple(columns[:first]), tuple(columns[first:])
    timed_x = sum(size + c.gap for c, size in steady)
    seconds_x, x = timed_x, timed_x
    for column, size in timed:
        if column.key == "next":
            seconds_x = x + size - SECONDS
        x += size + 1
    return Split(steady, timed, timed_x, seconds_x)
