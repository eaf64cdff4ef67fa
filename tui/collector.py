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


def app_closed() -> None:
    """What the app froze may be collected again once it is gone."""
    gc.unfreeze()
    _frozen_for[0] = None
