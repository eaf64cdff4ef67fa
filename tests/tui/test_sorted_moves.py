"""Moving values in a sorted list, few (by bisection) or many (in one pass), as a resort would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.sorted_moves import FEW, moved

VALUES = st.lists(st.integers(0, 40), max_size=120)


@given(
    VALUES, st.lists(st.booleans(), max_size=120), st.lists(st.integers(0, 40), max_size=2 * FEW)
)
def test_moving_values_gives_what_sorting_again_would_and_leaves_the_old_list(
    values: list[int], leaving: list[bool], added: list[int]
) -> None:
    ordered = sorted(values)
    # only values the list holds can go, each at most as often as it holds them
    gone = [v for v, goes in zip(values, leaving, strict=False) if goes]
    stay = values[len(leaving) :] + [
        v for v, goes in zip(values, leaving, strict=False) if not goes
    ]
    before = list(ordered)
    assert moved(ordered, gone, added) == sorted(stay + added)
    assert ordered == before  # a list handed out is never changed
