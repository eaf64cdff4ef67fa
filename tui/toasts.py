"""Which toasts are up, so a storm of alerts never buries the floor under them.

Textual stacks every toast it is given: sixty P1s in half a minute would
cover the queue. At most `ALERT_LIMIT` alert toasts are up at once, the
newest, and one more counts those they replaced ("and 12 more") for as long
as the storm lasts. Textual takes toasts down only all together
(`App.clear_notifications`), so replacing one means showing the others again
with the time each had left: the ledger knows what they are.
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
    markup: bool = False
    alert: bool = False


@dataclass(frozen=True, slots=True)
class ToastPlan:
    """What to do for new alerts: clear the toasts and show `reshow` again, then show `new`."""

    clear: bool
    reshow: tuple[Toast, ...] = ()  # up before, with the time they have left
    new: tuple[Toast, ...] = ()  # shown for the first time (the newest alerts, then the count)
    clearings: int = 0  # the ledger's count of clearings when planned

    def stale(self, ledger: ToastLedger) -> bool:
        """All toasts were taken down since (a lock): nothing planned before goes up."""
        return ledger.clearings != self.clearings


@dataclass
class ToastLedger:
    limit: int = ALERT_LIMIT
    _up: list[Toast] = field(default_factory=list)
    _count: Toast | None = None  # the "and N more" toast, while a storm lasts
    _hidden: list[Toast] = field(default_factory=list)  # the alerts it counts
    clearings: int = 0

    def shown(self, toast: Toast) -> None:
        """A toast other than an alert went up."""
        self._up.append(toast)

    def cleared(self) -> None:
        """Every toast was taken down (the terminal locked, say)."""
        self._up.clear()
        self._count = None
        self._hidden.clear()
        self.clearings += 1

    def alerts(self, alerts: list[tuple[str, str]], now: float, seconds: float) -> ToastPlan:
        """Plan the toasts for `alerts` ((title, message) pairs), each up for `seconds`."""
        self._up = [t for t in self._up if t.until > now]
        if self._count is not None and self._count.until <= now:
            self._count = None
        up_alerts = [t for t in self._up if t.alert]
        if not up_alerts and self._count is None:
            self._hidden.clear()  # the last storm is over
        fresh = [Toast(m, title, "error", now + seconds, alert=True) for title, m in alerts]
        keep = (up_alerts + fresh)[-self.limit :]
        dropped = [t for t in up_alerts + fresh if t not in keep]
        self._hidden.extend(dropped)
        count = self._counting(now + seconds) if dropped else self._count
        replaced = any(t in self._up for t in dropped) or (
            self._count is not None and count is not self._count
        )
        new = tuple(t for t in fresh if t in keep)
        if count is not None and count is not self._count:
            new += (count,)
        self._up = [t for t in self._up if t not in dropped] + [t for t in fresh if t in keep]
        self._count = count
        if not replaced:
            return ToastPlan(clear=False, new=new, clearings=self.clearings)
        stays = tuple(t for t in self._up if t not in new)
        return ToastPlan(clear=True, reshow=stays, new=new, clearings=self.clearings)

    def _counting(self, until: float) -> Toast:
        titles = {t.title for t in self._hidden}
        title = titles.pop() if len(titles) == 1 else "More alerts"
        return Toast(f"and {len(self._hidden)} more", title, "error", until)
