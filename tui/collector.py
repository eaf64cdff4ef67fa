"""Keeping a loaded floor out of the cyclic garbage collector's full passes.

With 2,000 incidents on screen a full pass walked some 150,000 objects and
stopped the app for 40-80 ms every few seconds, often between a change
arriving and its row being drawn. Most of those objects are the floor itself
and the screen showing it, which live until the next snapshot or sign-in: once
a floor is painted they are frozen, and a frozen object is never walked.
"""

from __future__ import annotations

import gc

_frozen_for: list[object] = [None]  # whose floor the last freeze held
_last_sweep: list[float] = [0.0]  # monotonic time of the last quiet sweep (or first tick)

# Whatever was garbage in a cycle when a freeze came (a dialog closed during a
# catch-up, the screens a sign-in replaced) stays frozen: left alone, a long
# shift of reconnects would pile it up. A terminal nobody has touched for
# QUIET_FOR is swept at most every SWEEP_EVERY, and one never left alone at
# least every SWEEP_AT_LATEST, when its stall is the price of a bounded heap.
QUIET_FOR = 30.0
SWEEP_EVERY = 600.0
SWEEP_AT_LATEST = 3600.0


def floor_painted(owner: object = None) -> None:
    """A whole floor was just loaded and drawn (start-up, sign-in, snapshot).

    `owner`: whose floor it is, on which client (None: the same as before).
    For another owner's floor what earlier calls froze is let go and collected first, so a client
    dropped since (a user switch) is freed rather than kept frozen for the rest
    of the shift; the first floor skips that pass, which would only delay
    connecting after start-up. Within one user's floor nothing is dropped that
    only the collector frees (a replaced incident goes with its last
    reference), and a full pass at a snapshot or a catch-up's reset stopped the
    app for 100-350 ms just as rows arrived: those only freeze.
    """
    if owner is not None:
        if owner != _frozen_for[0] and _frozen_for[0] is not None and gc.get_freeze_count():
            gc.unfreeze()
            gc.collect()
        _frozen_for[0] = owner
    gc.freeze()


def sweep_when_quiet(now: float, idle: float) -> bool:
    """At `now` (monotonic seconds), with no key pressed for `idle`: if a sweep is due,
    hand the frozen heap back, collect it whole and freeze what lives. True if it did."""
    if not _last_sweep[0]:
        _last_sweep[0] = now  # the first tick: the floor was just frozen, nothing to sweep
        return False
    since = now - _last_sweep[0]
    due = (idle >= QUIET_FOR and since >= SWEEP_EVERY) or since >= SWEEP_AT_LATEST
    if not due or not gc.get_freeze_count():
        return False
    _last_sweep[0] = now
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return True


def app_closed() -> None:
    """What the app froze may be collected again once it is gone."""
    gc.unfreeze()
    _frozen_for[0] = None
    _last_sweep[0] = 0.0
