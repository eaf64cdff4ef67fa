"""Holding Python's cyclic garbage collector off while a big computation builds its objects.

Parsing and folding a month's log makes hundreds of thousands of small objects
at once; each of the collector's full passes walks every one of them, and at
50,000 incidents those passes were more than half the metrics board's time.
Reference counting still frees the work's objects as usual, and any cycle left
meanwhile is collected once the collector is back on. The collector is process-wide, so
several computations at once share one hold: it is switched back on (if it was
on) when the last of them ends, however it ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holding = 0
_was_enabled = False


@contextmanager
def collector_held() -> Iterator[None]:
    global _holding, _was_enabled
    with _lock:
        if _holding == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holding += 1
    try:
        yield
    finally:
        with _lock:
            _holding -= 1
            if _holding == 0 and _was_enabled:
                gc.enable()
