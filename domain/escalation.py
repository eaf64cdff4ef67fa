"""The escalation ladder: which line an incident should be at, and who answers there.

The backend's scheduler and every terminal's countdown call these same
functions, so "escalates in 4:12" on a screen is what the server will do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.models import (
    PAYMENT_KINDS,
    TRIGGER_KINDS,
    Chain,
    Incident,
    IncidentKind,
    IncidentState,
    RosterEntry,
)
from domain.policy import EscalationTimes, Policy

TOP_LINE = 4

LINE_TITLES: dict[Chain, dict[int, str]] = {
    Chain.MAIN: {
        1: "VIP desk / host",
        2: "duty manager / game tech",
        3: "pit boss / table games director",
        4: "VIP director / COO",
    },
    Chain.PAYMENTS: {
        1: "VIP desk / host",
        2: "finance",
        3: "risk / AML",
        4: "acquiring bank",
    },
}


def chain_for(kind: IncidentKind) -> Chain:
    return Chain.PAYMENTS if kind in PAYMENT_KINDS else Chain.MAIN


def opening_line(kind: IncidentKind) -> int:
    """Trigger kinds (account blocked, payment dispute, ...) start at L2."""
    return 2 if kind in TRIGGER_KINDS else 1


def times_for(chain: Chain, policy: Policy) -> EscalationTimes:
    return policy.payments_escalation if chain is Chain.PAYMENTS else policy.escalation


def climbing(incident: Incident) -> bool:
    """Time-based escalation runs until the incident is stabilised or resolved.

    An acknowledgement alone does not stop it (section 5).
    """
    return incident.state in (
        IncidentState.NEW,
        IncidentState.ACKNOWLEDGED,
        IncidentState.IN_PROGRESS,
    )


def climb_anchor(incident: Incident, policy: Policy) -> float | None:
    """The moment the ladder's offsets count from, or None: it never climbs by time.

    Priorities the policy names (P1 and P2 by default) climb from T0. The rest
    escalate only once their own resolve promise breaches: L2 falls due at the
    breach, and the lines above keep the ladder's spacing from there.
    """
    if incident.priority in policy.escalate_by_time:
        return incident.opened_at
    if incident.resolve_due is None:
        return None
    return incident.resolve_due - times_for(incident.chain, policy).offset(2)


def line_due(incident: Incident, policy: Policy, now: float) -> int:
    """The line an incident should be at, at `now`; never below where it is."""
    anchor = climb_anchor(incident, policy)
    if not climbing(incident) or anchor is None:
        return incident.line
    times = times_for(incident.chain, policy)
    elapsed = now - anchor
    # `now` may precede T0 on a terminal whose clock lags the server's: stay at L1
    by_time = max(
        (line for line in range(1, TOP_LINE + 1) if elapsed >= times.offset(line)), default=1
    )
    return max(incident.line, by_time)


@dataclass(frozen=True, slots=True)
class NextStep:
    line: int
    at: float
    title: str


def lapse_page_due(incident: Incident, policy: Policy) -> float | None:
    """When the next line is paged for an acknowledgement's lapsed ETA (`domain.eta`):
    `policy.eta_grace` after the lapse, unless it is stabilised or updated first."""
    if incident.eta_lapsed is None or not climbing(incident) or incident.line >= TOP_LINE:
        return None
    return incident.eta_lapsed + policy.eta_grace


def next_escalation(incident: Incident, policy: Policy) -> NextStep | None:
    """The next automatic step: the ladder's (measured from T0, not from the previous
    line), or the page after a lapsed ETA when that comes first."""
    line = incident.line + 1
    anchor = climb_anchor(incident, policy)
    at: float | None = None
    if climbing(incident) and incident.line < TOP_LINE and anchor is not None:
        at = anchor + times_for(incident.chain, policy).offset(line)
    paged = lapse_page_due(incident, policy)
    if paged is not None and (at is None or paged < at):
        at = paged
    if at is None:
        return None
    return NextStep(line=line, at=at, title=LINE_TITLES[incident.chain][line])


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _wall(day: date, minutes: int, zone: ZoneInfo) -> float:
    """POSIX time of a wall-clock time on `day` (minutes may reach into the next day)."""
    extra, minute = divmod(minutes, 24 * 60)
    when = datetime.combine(day + timedelta(days=extra), time(minute // 60, minute % 60))
    return when.replace(tzinfo=zone).timestamp()


def on_shift(entry: RosterEntry, now: float, policy: Policy) -> bool:
    """Whether `now` falls in one of the entry's windows, read on the local wall clock.

    A window runs from its start on a listed day to its end that day, or the
    next day when the end is not after the start; across a DST change it is
    as long as the wall clock says (a night shift may last 7 or 9 hours).
    """
    zone = ZoneInfo(policy.timezone)
    today = datetime.fromtimestamp(now, zone).date()
    start, end = _minutes(entry.shift_start), _minutes(entry.shift_end)
    if end <= start:
        end += 24 * 60
    for day in (today, today - timedelta(days=1)):
        if day.weekday() in entry.days and _wall(day, start, zone) <= now < _wall(day, end, zone):
            return True
    return False


def shift_windows(
    entry: RosterEntry, since: float, until: float, policy: Policy
) -> list[tuple[float, float]]:
    """The entry's windows as [start, end) moments, each that holds a moment of
    [since, until]: `on_shift(entry, t, policy)` is whether one of them holds `t`.

    A window ends within two days of the midnight its day starts on, so the
    windows that may hold `t` belong to its own local day and the one before,
    as `on_shift` reads them.
    """
    zone = ZoneInfo(policy.timezone)
    start, end = _minutes(entry.shift_start), _minutes(entry.shift_end)
    if end <= start:
        end += 24 * 60
    day = datetime.fromtimestamp(since, zone).date() - timedelta(days=1)
    last = datetime.fromtimestamp(until, zone).date()
    windows: list[tuple[float, float]] = []
    while day <= last:
        if day.weekday() in entry.days:
            opens, closes = _wall(day, start, zone), _wall(day, end, zone)
            if opens <= until and since < closes:
                windows.append((opens, closes))
        day += timedelta(days=1)
    return windows


def on_duty(
    roster: tuple[RosterEntry, ...], chain: Chain, line: int, now: float, policy: Policy
) -> list[RosterEntry]:
    """Who to call now for one line of one chain (empty: a gap to highlight)."""
    return [e for e in roster if e.chain is chain and e.line == line and on_shift(e, now, policy)]
