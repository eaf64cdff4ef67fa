"""Reconnect delays: capped exponential backoff with full jitter.

websockets resets its own backoff after every successful handshake, so a
server that accepts and then drops the socket at once would be hammered by a
naive client. Here a session counts as healthy only once it has stayed up for
`stable_after` seconds; a shorter one keeps climbing the ladder.
"""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    def __init__(
        self,
        first: float,
        cap: float,
        *,
        stable_after: float = 5.0,
        rng: Callable[[float, float], float] = random.uniform,
    ) -> None:
        if first <= 0 or cap < first:
            raise ValueError("reconnect delays need 0 < first <= cap")
        self.first = first
        self.cap = cap
        self.stable_after = stable_after
        self.attempt = 0  # failures since the last healthy session
        self._rng = rng

    def next_delay(self) -> float:
        """The wait before the next attempt; each call climbs one step."""
        ceiling = min(self.cap, self.first * 2**self.attempt)
        self.attempt += 1
        return self._rng(0.0, ceiling)

    def session_ended(self, lasted: float) -> None:
        """Forget past failures only if the session that just ended was healthy."""
        if lasted >= self.stable_after:
            self.attempt = 0
