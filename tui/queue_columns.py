"""The queue's columns and how they share a terminal's width. Pure (no Textual)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    wide_only: bool = False
    grow: bool = False  # takes the width left over
    right: bool = False  # right-aligned


COLUMNS: tuple[Column, ...] = (
    Column("number", "#", 6),
    Column("mark", "", 1),
    Column("priority", "P", 2),
    Column("tier", "Tier", 4),
    Column("player", "Player", 14, grow=True),
    Column("location", "Location", 10, grow=True),
    Column("kind", "Kind", 16, wide_only=True, grow=True),
    Column("state", "State", 8),
    Column("owner", "Owner", 10, wide_only=True),
    Column("line", "Line", 4),
    # right-aligned so the seconds of every countdown sit in the same two columns
    Column("next", "Next due", 14, right=True),
    Column("update", "Update", 6, wide_only=True),
)
WIDE_AT = 100  # narrower than this, the wide-only columns go
# the only cells that change with the clock, always the last columns of a row
TIMED_COLUMNS = ("next", "update")
SECONDS = 2  # a countdown's last characters: all that changes on most ticks
NARROW_KIND = 9  # a narrow table shows the kind only if this much room is left over


def layout(width: int) -> list[tuple[Column, int]]:
    """Columns and their widths for a table `width` cells wide."""
    wide = width >= WIDE_AT
    columns = [c for c in COLUMNS if wide or not c.wide_only]
    if not wide:
        # spare room on a narrow screen goes to the kind, not a wider player column
        spare = width - sum(c.width + 1 for c in columns)
        if spare >= NARROW_KIND:
            at = next(n for n, c in enumerate(columns) if c.key == "state")
            columns.insert(at, Column("kind", "Kind", 0, grow=True))
            columns = [Column(c.key, c.title, c.width) if c.key == "player" else c for c in columns]
    used = sum(c.width for c in columns) + len(columns) - 1
    growers = [c for c in columns if c.grow]
    extra, rest = divmod(max(0, width - used), len(growers))
    return [
        (c, c.width + (extra + (rest if c is growers[-1] else 0) if c.grow else 0)) for c in columns
    ]


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
    timed_x = sum(size + 1 for _, size in steady)
    seconds_x, x = timed_x, timed_x
    for column, size in timed:
        if column.key == "next":
            seconds_x = x + size - SECONDS
        x += size + 1
    return Split(steady, timed, timed_x, seconds_x)
