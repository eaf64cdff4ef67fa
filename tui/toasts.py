"""How many alert toasts are up, so a storm of alerts never buries the floor.

Textual stacks every toast it is given: sixty P1s in half a minute would
cover the queue. At most `ALERT_LIMIT` alert toasts are up at once; the first
alert past them puts up one more toast saying that more are ringing, and the
rest only ring until those have gone. Every alert still rings and every
incident is in the queue. (Textual can take toasts down only all together, so
the ones up are never swapped for newer ones.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

ALERT_LIMIT = 3  # alert toasts up at once, besides the one saying more are ringing


class Shown(Enum):
    TOAST = "toast"  # a toast of its own
    MORE = "more"  # the toast saying more are ringing, in its place
    RUNG = "rung"  # the bell only


@dataclass
class AlertToasts:
    limit: int = ALERT_LIMIT
    _up: list[float] = field(default_factory=list)  # when each alert toast goes (monotonic)
    _more_until: float = 0.0  # when the "more are ringing" toast goes

    def admit(self, now: float, until: float) -> Shown:
        """How an alert rung at `now` is shown, a toast of it lasting until `until`."""
        self._up = [t for t in self._up if t > now]
        if len(self._up) < self.limit:
            self._up.append(until)
            return Shown.TOAST
        if self._more_until <= now:
            self._more_until = until
            return Shown.MORE
        return Shown.RUNG

    def cleared(self) -> None:
        """Every toast was taken down (a lock)."""
        self._up.clear()
        self._more_until = 0.0
