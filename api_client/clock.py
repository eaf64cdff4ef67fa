"""The server's time as seen from this terminal.

NTP-style: for an exchange sent at t0 and answered at t3 (local clock) with
the server's stamp ts, the offset is ts - (t0 + t3) / 2 and the error is at
most half the round trip, so the lowest-RTT sample of the last few wins.
Samples are anchored to the monotonic clock: when someone sets the terminal's
wall clock, countdowns keep running where they were.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

SAMPLES_KEPT = 8
SUSPECT_OFFSET = 30.0  # a terminal clock this far off is worth a warning
# A frame is stamped before it travels, so it may trail our estimate by its
# delivery delay (a long replay can queue for a while) but can never lead it.
FRAME_AHEAD_LIMIT = 1.0
FRAME_BEHIND_LIMIT = 60.0


class ClockEstimator:
    def __init__(
        self,
        wall_clock: Callable[[], float],
        monotonic: Callable[[], float],
        *,
        offset: float = 0.0,
    ) -> None:
        self._wall = wall_clock
        self._mono = monotonic
        # (rtt, base) where server time = monotonic() + base
        self._samples: deque[tuple[float, float]] = deque(maxlen=SAMPLES_KEPT)
        self._fallback_offset = offset  # the last known offset, until a first sample

    def assume_offset(self, offset: float) -> None:
        """The last known offset (from the replica), used until a first sample."""
        self._fallback_offset = offset

    def now(self) -> float:
        """Server-corrected time."""
        best = self._best()
        if best is None:
            return self._wall() + self._fallback_offset
        return self._mono() + best[1]

    @property
    def offset(self) -> float:
        """Server time minus this terminal's wall clock, in seconds."""
        best = self._best()
        if best is None:
            return self._fallback_offset
        return self._mono() + best[1] - self._wall()

    @property
    def sampled(self) -> bool:
        return bool(self._samples)

    @property
    def suspect(self) -> bool:
        return abs(self.offset) > SUSPECT_OFFSET

    def add_exchange(self, t0: float, t3: float, server_time: float) -> None:
        """One request/response: t0 and t3 are `monotonic()` readings around it."""
        if not math.isfinite(server_time) or server_time <= 0 or t3 < t0:
            return
        self._samples.append((t3 - t0, server_time - (t0 + t3) / 2))

    def check_frame(self, server_time: float) -> None:
        """Sanity check against a live frame's stamp (one-way, so never a sample).

        Only a gross disagreement (the server's clock was stepped, or the
        estimate is from before a long sleep) resets the estimate to it.
        """
        if not math.isfinite(server_time) or server_time <= 0:
            return
        lead = server_time - self.now()
        if lead > FRAME_AHEAD_LIMIT or lead < -FRAME_BEHIND_LIMIT:
            self._samples.clear()
            self._samples.append((math.inf, server_time - self._mono()))

    def _best(self) -> tuple[float, float] | None:
        return min(self._samples, key=lambda s: s[0]) if self._samples else None
