"""Which toasts are up, so a storm of alerts never buries the floor under them.

Textual stacks every toast it is given: sixty P1s in half a minute would
cover the queue. At most `ALERT_LIMIT` alert toasts are up at once, the
newest, and one more counts those they replaced ("and 12 more") while the
storm lasts. Textual takes toasts down only all together and puts each one up
a moment after it is given (a message on the app's queue), so the ledger keeps
what should be up and what Textual was given, and `sync` says what to give it
next: the new toasts only, or a clearing and everything again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.notifications import SeverityLevel

ALERT_LIMIT = 3  # alert toasts up at once, besides the count of the ones they replaced


@dataclass(frozen=True, slots=True, eq=False)  # one toast is not another with the same words
class Toast:
    message: str
    title: str
    severity: SeverityLevel
    until: float  # monotonic time it goes
    markup: bool = True
    alert: bool = False


@dataclass
class ToastLedger:
    limit: int = ALERT_LIMIT
    _wanted: list[Toast] = field(default_factory=list)  # up, or to go up, oldest first
    _count: Toast | None = None  # "and N more", while a storm lasts
    _hidden: list[Toast] = field(default_factory=list)  # the alerts it counts
    _sent: list[Toast] = field(default_factory=list)  # given to Textual since it last cleared

    def add(self, toast: Toast, now: float) -> None:
        self._expire(now)
        if not toast.alert:
            self._wanted.append(toast)
            return
        if self._count is None and not any(t.alert for t in self._wanted):
            self._hidden.clear()  # the last storm is over
        self._wanted.append(toast)
        alerts = [t for t in self._wanted if t.alert]
        if len(alerts) > self.limit:
            oldest = alerts[0]
            self._wanted.remove(oldest)
            self._hidden.append(oldest)
            titles = {t.title for t in self._hidden}
            title = titles.pop() if len(titles) == 1 else "More alerts"
            # as long as the newest of the ones it goes with
            self._count = Toast(f"and {len(self._hidden)} more", title, "error", toast.until, False)

    def cleared(self) -> None:
        """Nothing is to be up (a lock): what Textual was given goes at the next sync."""
        self._wanted.clear()
        self._count = None
        self._hidden.clear()

    def sync(self, now: float) -> tuple[bool, list[Toast]]:
        """(clear Textual's toasts first?, the toasts to give it) to bring it to what is wanted."""
        self._expire(now)
        self._sent = [t for t in self._sent if t.until > now]
        wanted = self._wanted + ([self._count] if self._count is not None else [])
        if all(t in wanted for t in self._sent):
            new = [t for t in wanted if t not in self._sent]
            self._sent += new
            return False, new
        self._sent = list(wanted)
        return True, wanted

    def _expire(self, now: float) -> None:
        self._wanted = [t for t in self._wanted if t.until > now]
        if self._count is not None and self._count.until <= now:
            self._count = None
