"""Taking values out of a sorted list and putting others in, few or many at a time.

A few are moved by bisection (each a shift of the list's tail); many, as a
catch-up brings, in one pass: filter the list once and let the sort merge the
two sorted runs, linear in the list instead of a shift per value.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Sequence
from typing import Any, TypeVar

T = TypeVar("T", bound=Any)

FEW = 32  # below this many moves, bisection wins


def contains(ordered: Sequence[T], value: T) -> bool:
    at = bisect_left(ordered, value)
    return at < len(ordered) and ordered[at] == value


def moved(ordered: list[T], gone: Sequence[T], added: Sequence[T]) -> list[T]:
    """A new list: `ordered` without one of each of `gone` (all present), with `added`.

    `ordered` itself is left as it was (a list handed out stays as it was).
    """
    if len(gone) + len(added) < FEW:
        result = list(ordered)
        for value in gone:
            del result[bisect_left(result, value)]
        for value in added:
            insort(result, value)
        return result
    if gone:
        left = Counter(gone)
        kept = []
        for value in ordered:
            if left[value] > 0:
                left[value] -= 1
            else:
                kept.append(value)
    else:
        kept = list(ordered)
    kept.extend(sorted(added))
    kept.sort()  # two sorted runs: merged in one pass
    return kept
