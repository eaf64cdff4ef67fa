"""The garbage collector held off for the metrics' computation comes back on afterwards."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from backend.collector import collector_held


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_held_during_the_work_and_back_on_after_even_when_it_fails(collector_on: None) -> None:
    with collector_held():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), collector_held():
        _ = 1 / 0
    assert gc.isenabled()


def test_two_computations_at_once_share_the_hold(collector_on: None) -> None:
    first_in, second_done, states = threading.Event(), threading.Event(), []

    def first() -> None:
        with collector_held():
            first_in.set()
            second_done.wait(timeout=30)
            states.append(("first still working", gc.isenabled()))

    worker = threading.Thread(target=first)
    worker.start()
    assert first_in.wait(timeout=30)
    with collector_held():
        pass
    # the second ended while the first still works: the collector stays off
    states.append(("second done", gc.isenabled()))
    second_done.set()
    worker.join(timeout=30)
    assert states == [("second done", False), ("first still working", False)]
    assert gc.isenabled()


def test_left_off_when_it_was_off_before() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with collector_held():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
