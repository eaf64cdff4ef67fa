"""Covers and overrides, gaps ahead, and whether a contact is known to work.

`who_to_call` is the one answer to "who is on duty on this line now": a cover
running on the line replaces its scheduled people (`escalation.on_duty`) for
as long as it runs, and lapses by itself at its end time; nothing but `now`
decides that. Every screen, the paging check and the backend ask it.

Schedules change on the minute (rosters are written in HH:MM); covers start
and end at any second. `gaps_ahead` checks exactly those moments.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field

from domain import commands as c
from domain.cover_records import ContactCheck, Cover
from domain.escalation import LINE_TITLES, TOP_LINE, on_duty, shift_windows
from domain.events import PAYLOADS, Event, EventType, Payload
from domain.local_time import local_text
from domain.models import Chain, Contact, RosterEntry
from domain.rejection import RejectCode, Rejected
from domain.state import FloorState

COVER_EVENTS = frozenset({EventType.COVER_SET, EventType.COVER_ENDED, EventType.CONTACT_CONFIRMED})
MAX_COVER = 24 * 3600.0  # a cover ends within a day of being set
GAP_HORIZON = 2 * 3600.0  # how far ahead a gap is flagged
CONFIRMED_FOR = 7 * 86400.0  # a confirmation older than this no longer counts
KEEP_ENDED = 24 * 3600.0  # a cover is forgotten this long after it ended


def line_name(chain: Chain, line: int) -> str:
    """`L2 finance` (payments) or `L3 pit boss / table games director` (main)."""
    return f"L{line} {LINE_TITLES[chain][line]}"


# --- who answers -------------------------------------------------------------


def active_cover(state: FloorState, chain: Chain, line: int, now: float) -> Cover | None:
    """The cover running on the line at `now`: the latest one set, if several are."""
    for cover in reversed(state.covers):
        if cover.chain is chain and cover.line == line and cover.active(now):
            return cover
    return None


def roster_contacts(state: FloorState, staff_id: str) -> tuple[Contact, ...]:
    """Every way the roster has to reach someone, once each, in roster order."""
    seen: dict[tuple[str, str], Contact] = {}
    for entry in state.roster:
        if entry.staff_id == staff_id:
            for contact in entry.contacts:
                seen.setdefault((contact.method, contact.value), contact)
    return tuple(seen.values())


def cover_contacts(state: FloorState, cover: Cover) -> tuple[Contact, ...]:
    """The cover's own contact first (given for the night), then the roster's."""
    given = (cover.contact,) if cover.contact is not None else ()
    known = tuple(
        ct
        for ct in roster_contacts(state, cover.staff_id)
        if cover.contact is None
        or (ct.method, ct.value) != (cover.contact.method, cover.contact.value)
    )
    return given + known


def cover_entry(state: FloorState, cover: Cover) -> RosterEntry:
    """The cover as the ladders show on-duty people: one roster line of its own."""
    scheduled = on_duty(state.roster, cover.chain, cover.line, cover.starts_at, state.policy)
    title = scheduled[0].title if scheduled else LINE_TITLES[cover.chain][cover.line]
    return RosterEntry(
        chain=cover.chain,
        line=cover.line,
        staff_id=cover.staff_id,
        name=state.staff_name(cover.staff_id),
        title=f"cover for {title}",
        contacts=cover_contacts(state, cover),
    )


def who_to_call(state: FloorState, chain: Chain, line: int, now: float) -> list[RosterEntry]:
    """Who answers the line at `now`: the running cover, else the roster (empty: a gap)."""
    cover = active_cover(state, chain, line, now)
    if cover is not None:
        return [cover_entry(state, cover)]
    return on_duty(state.roster, chain, line, now, state.policy)


def entries_of(state: FloorState, staff_id: str, now: float) -> list[RosterEntry]:
    """Where someone answers: the lines they cover now first, then their roster lines."""
    covering = [
        cover_entry(state, cover)
        for chain in Chain
        for line in range(1, TOP_LINE + 1)
        if (cover := active_cover(state, chain, line, now)) and cover.staff_id == staff_id
    ]
    return covering + [e for e in state.roster if e.staff_id == staff_id]


def window_end(state: FloorState, chain: Chain, line: int, now: float) -> float | None:
    """When the people scheduled on the line now hand over (by the roster, minute by
    minute over the next 24 h): where a cover "for the rest of this shift" ends.
    None when the same people stay on all day."""
    scheduled = on_duty(state.roster, chain, line, now, state.policy)
    minute = (math.floor(now / 60) + 1) * 60
    while minute <= now + MAX_COVER:
        if on_duty(state.roster, chain, line, minute, state.policy) != scheduled:
            return minute
        minute += 60
    return None


def at_clock(hhmm: str, now: float, timezone: str) -> float:
    """The next `HH:MM` on the floor's clock after `now` (within a day), or ValueError."""
    try:
        hours, minutes = (int(part) for part in hhmm.strip().split(":"))
        if not (0 <= hours <= 23 and 0 <= minutes <= 59):
            raise ValueError
    except ValueError:
        raise ValueError(f"{hhmm.strip()!r} is not a time of day: write it as HH:MM") from None
    zone = ZoneInfo(timezone)
    local = datetime.fromtimestamp(now, zone)
    moment = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    if moment.timestamp() <= now:
        moment = (local + timedelta(days=1)).replace(
            hour=hours, minute=minutes, second=0, microsecond=0
        )
    return moment.timestamp()


# --- gaps ahead --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gap:
    """Nobody answers `line` of `chain` from `starts_at` (at or before now: a gap now)."""

    chain: Chain
    line: int
    starts_at: float


@dataclass(frozen=True, slots=True)
class GapForecast:
    gaps: tuple[Gap, ...]
    valid_until: float  # the next moment the forecast may change by itself


def _moments(state: FloorState, now: float, end: float) -> list[float]:
    """`now`, every minute in (now, end], and every cover start or end in between."""
    moments = {now}
    minute = (math.floor(now / 60) + 1) * 60
    while minute <= end:
        moments.add(minute)
        minute += 60
    for cover in state.covers:
        moments.update(t for t in (cover.starts_at, cover.ends_at) if now < t <= end)
    return sorted(moments)


def _answered(
    state: FloorState, chain: Chain, line: int, since: float, until: float
) -> list[tuple[float, float]]:
    """The spans of [since, until] in which `who_to_call` names someone for the line:
    each cover set on it, and each shift window of its roster entries."""
    spans = [(c.starts_at, c.ends_at) for c in state.covers if c.chain is chain and c.line == line]
    for entry in state.roster:
        if entry.chain is chain and entry.line == line:
            spans += shift_windows(entry, since, until, state.policy)
    return spans


def _first_unanswered(spans: list[tuple[float, float]], moments: list[float]) -> float | None:
    # a few spans per line: asked at every minute of the horizon, as `who_to_call` would be
    return next((t for t in moments if not any(a <= t < b for a, b in spans)), None)


def gaps_ahead(
    state: FloorState,
    now: float,
    *,
    horizon: float = GAP_HORIZON,
    lines: Iterable[int] = range(1, TOP_LINE + 1),
) -> GapForecast:
    """Each line of each chain with nobody on duty now or at any moment before
    `now + horizon` (by the roster and the covers), and when its gap starts."""
    end = now + horizon
    moments = _moments(state, now, end)
    wanted = tuple(lines)
    gaps = tuple(
        Gap(chain, line, start)
        for chain in Chain
        for line in wanted
        if (start := _first_unanswered(_answered(state, chain, line, now, end), moments))
        is not None
    )
    # it changes by itself when a minute turns, or a cover starts, ends or comes in range
    changes: list[float] = [(math.floor(now / 60) + 1) * 60]
    for cover in state.covers:
        for t in (cover.starts_at, cover.ends_at):
            changes += [m for m in (t, t - horizon) if m > now]
    return GapForecast(gaps, min(changes))


# --- reachability ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reach:
    confirmed_at: float | None  # None: never confirmed
    stale: bool  # never, or not within CONFIRMED_FOR


def check_of(state: FloorState, staff_id: str, contact: Contact) -> ContactCheck | None:
    key = (staff_id, contact.method, contact.value)
    return next((ch for ch in state.contact_checks if ch.key == key), None)


def reach(state: FloorState, staff_id: str, contact: Contact, now: float) -> Reach:
    check = check_of(state, staff_id, contact)
    if check is None:
        return Reach(None, True)
    return Reach(check.confirmed_at, now - check.confirmed_at > CONFIRMED_FOR)


# --- deciding ----------------------------------------------------------------

EventMaker = Callable[..., Event]


def _when(timestamp: float, timezone: str) -> str:
    return local_text(timestamp, timezone, "%a %d %b %H:%M")


def decide_cover(
    state: FloorState,
    command: c.SetCover | c.EndCover | c.ConfirmContact,
    now: float,
    event: EventMaker,
) -> list[Event]:
    """The events of a cover command (the role was checked already), or `Rejected`."""
    if isinstance(command, c.SetCover):
        return [event(EventType.COVER_SET, CoverSetData(**_cover_data(state, command, now)))]
    if isinstance(command, c.EndCover):
        cover = active_cover(state, command.chain, command.line, now)
        if cover is None:
            where = line_name(command.chain, command.line)
            raise Rejected(RejectCode.ILLEGAL, f"nobody covers {where} now")
        ended = CoverEndedData(
            chain=cover.chain,
            line=cover.line,
            staff_id=cover.staff_id,
            set_at=cover.set_at,
            reason=command.reason.strip(),
        )
        return [event(EventType.COVER_ENDED, ended)]
    name = state.staff_name(command.staff_id)
    known = [ct for e in entries_of(state, command.staff_id, now) for ct in e.contacts]
    if not any((ct.method, ct.value) == (command.method, command.value) for ct in known):
        raise Rejected(
            RejectCode.INVALID, f"{name} has no contact {command.method} {command.value}"
        )
    confirmed = ContactConfirmedData(
        staff_id=command.staff_id, method=command.method, value=command.value
    )
    return [event(EventType.CONTACT_CONFIRMED, confirmed)]


def _cover_data(state: FloorState, command: c.SetCover, now: float) -> dict[str, Any]:
    member = state.staff.get(command.staff_id)  # active staff only
    if member is None:
        gone = state.inactive_staff.get(command.staff_id)
        if gone is not None:
            raise Rejected(RejectCode.INVALID, f"{gone.name} is not active on the staff list")
        raise Rejected(
            RejectCode.INVALID, f"no staff member {command.staff_id!r} on the staff list"
        )
    reason = command.reason.strip()
    if not reason:
        raise Rejected(RejectCode.INVALID, "a cover needs a reason")
    tz = state.policy.timezone
    if not now < command.until <= now + MAX_COVER:
        when = "is in the past" if command.until <= now else "is more than 24 h ahead"
        raise Rejected(
            RejectCode.INVALID,
            f"the end, {_when(command.until, tz)}, {when}: a cover ends after "
            f"{_when(now, tz)} and by {_when(now + MAX_COVER, tz)}",
        )
    starts = max(now, command.starts_at if command.starts_at is not None else now)
    if starts >= command.until:
        raise Rejected(
            RejectCode.INVALID,
            f"the cover would start ({_when(starts, tz)}) after it ends "
            f"({_when(command.until, tz)})",
        )
    method, value = command.contact_method.strip(), command.contact_value.strip()
    if bool(method) != bool(value):
        raise Rejected(RejectCode.INVALID, "a contact needs both a way (phone, pager) and a number")
    contact = Contact(method=method, value=value) if method else None
    if contact is None and not roster_contacts(state, member.id):
        raise Rejected(
            RejectCode.INVALID,
            f"{member.name} has no contact on the roster: give a way to reach them",
        )
    return {
        "chain": str(command.chain),
        "line": command.line,
        "staff_id": member.id,
        "name": member.name,
        "starts_at": starts,
        "ends_at": command.until,
        "reason": reason,
        "contact": contact.model_dump(mode="json") if contact else None,
    }


# --- the events' payloads ------------------------------------------------------


class CoverSetData(Payload):
    chain: Chain
    line: int = Field(ge=1, le=4)
    staff_id: str
    name: str
    starts_at: float
    ends_at: float
    reason: str
    contact: Contact | None = None


class CoverEndedData(Payload):
    chain: Chain
    line: int = Field(ge=1, le=4)
    staff_id: str
    set_at: float
    reason: str = ""


class ContactConfirmedData(Payload):
    staff_id: str
    method: str
    value: str


PAYLOADS[EventType.COVER_SET] = CoverSetData
PAYLOADS[EventType.COVER_ENDED] = CoverEndedData
PAYLOADS[EventType.CONTACT_CONFIRMED] = ContactConfirmedData


# --- folding -----------------------------------------------------------------


def apply_cover(state: FloorState, event: Event) -> FloorState:
    """Fold one of `COVER_EVENTS` (the reducer's dispatch)."""
    update: dict[str, Any] = {"seq": max(state.seq, event.seq)}
    data = event.data
    if event.type is EventType.COVER_SET:
        cover = Cover(
            chain=Chain(data["chain"]),
            line=int(data["line"]),
            staff_id=data["staff_id"],
            starts_at=float(data["starts_at"]),
            ends_at=float(data["ends_at"]),
            reason=data["reason"],
            contact=Contact.model_validate(data["contact"]) if data.get("contact") else None,
            set_by=event.actor,
            set_at=event.at,
        )
        # long-finished covers would only grow every snapshot
        kept = tuple(c for c in state.covers if c.ends_at > event.at - KEEP_ENDED)
        update["covers"] = (*kept, cover)
    elif event.type is EventType.COVER_ENDED:
        chain, line, set_at = Chain(data["chain"]), int(data["line"]), float(data["set_at"])
        update["covers"] = tuple(
            cover.model_copy(
                update={"ends_at": min(cover.ends_at, event.at), "ended_by": event.actor}
            )
            if (cover.chain, cover.line, cover.set_at) == (chain, line, set_at)
            else cover
            for cover in state.covers
        )
    elif event.type is EventType.CONTACT_CONFIRMED:
        check = ContactCheck(
            staff_id=data["staff_id"],
            method=data["method"],
            value=data["value"],
            confirmed_at=event.at,
            confirmed_by=event.actor,
        )
        others = tuple(ch for ch in state.contact_checks if ch.key != check.key)
        update["contact_checks"] = (*others, check)
    return state.model_copy(update=update)
