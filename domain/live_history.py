"""The metrics' view of the log kept folded as it grows, so the board needs no refold.

`domain.incident_history.fold_history` folds every incident's whole story for
each question. A board asked for this month every few seconds would fold the
same month again each time. `LiveHistory` keeps each story folded as far as
the log goes and brings forward only what new events touch. Its answer for a
window is the fresh fold's, exactly:

- the fold reads events in seq order and `fold_history` keeps only those
  before the window's end; once every event fed is before that end, the
  stories folded here are the ones the fresh fold makes (actions done offline,
  with an earlier time than events before them, included: the order is seq's);
- the incidents counted are those the log reader would give the fresh fold:
  each with an event from `since` (the window's start less `lookback`) on;
- an event about an incident whose story was not read (one quiet since before
  the history's `base`) is not folded here: the caller reads that incident's
  whole story (`missing`) and hands it to `adopt`;
- when the log prunes its oldest events, `prune` forgets what a fresh fold of
  what is left would not read: each story whose opening is gone, and the
  pruned events' counts.

A window ending at or before the latest event fed is not answered here
(`history` gives None): the caller folds the log afresh for it, or keeps
what it made for a past day.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Mapping, Sequence

from domain.events import Event, EventType
from domain.incident_history import (
    DOWNTIME_EVENTS,
    History,
    IncidentRecord,
    Trail,
    fold_downtime_event,
    fold_incident_event,
    incident_record,
)
from domain.metric_windows import Window
from domain.models import Downtime
from domain.policy import Policy

ACTIVE_KEPT = 8  # the `since`s whose active records are kept up to date


class LiveHistory:
    """Every incident and downtime story in the log from `base` on, folded to its latest event."""

    def __init__(self, policy: Policy, base: float) -> None:
        self.policy = policy
        self.base = base  # stories with an event from here on were read whole
        self.latest_at = float("-inf")  # the latest time of any incident or downtime event fed
        self.missing: set[int] = set()  # incidents told of whose story is not here: read them
        self._trails: dict[int, Trail] = {}
        self._records: dict[int, IncidentRecord] = {}
        self._changed: set[int] = set()
        self._last_at: dict[int, float] = {}
        self._downtimes: dict[int, Downtime] = {}
        # every incident and downtime event's time, sorted; and each one's seq and time in
        # seq order, to take out what the log prunes (arrays: a month is 250,000 of them)
        self._moments = array("d")
        self._counted_seqs = array("q")
        self._counted_ats = array("d")
        # the records of the stories active from each `since` asked for lately, kept up to
        # date as records change: a month's board asks the same few every time
        self._active: dict[float, dict[int, IncidentRecord]] = {}
        # where each story begins: a log pruned past its start no longer tells it
        self._opened_seq: dict[int, int] = {}
        self._started_seq: dict[int, int] = {}

    def feed(self, events: Iterable[Event]) -> None:
        """Fold new events, in seq order, after those fed before."""
        for event in events:
            if event.type in DOWNTIME_EVENTS:
                fold_downtime_event(self._downtimes, event)
                if event.type is EventType.DOWNTIME_STARTED and event.downtime_id is not None:
                    self._started_seq[event.downtime_id] = event.seq
            elif event.incident_id is not None:
                number = event.incident_id
                if event.type is EventType.INCIDENT_OPENED:
                    self._opened_seq[number] = event.seq
                if number in self._trails or event.type is EventType.INCIDENT_OPENED:
                    fold_incident_event(self._trails, event, self.policy)
                    self._changed.add(number)
                else:
                    self.missing.add(number)
                self._last_at[number] = max(self._last_at.get(number, event.at), event.at)
            else:
                continue
            self.latest_at = max(self.latest_at, event.at)
            insort(self._moments, event.at)
            self._counted_seqs.append(event.seq)
            self._counted_ats.append(event.at)

    def prune(self, through: int) -> None:
        """The log no longer holds its events up to seq `through`: forget what a fresh fold
        of what is left would not know (a story whose start is gone, and those events)."""
        self._active.clear()
        for number in [n for n, seq in self._opened_seq.items() if seq <= through]:
            del self._opened_seq[number]
            self._trails.pop(number, None)
            self._records.pop(number, None)
            self._last_at.pop(number, None)
            self._changed.discard(number)
        for number in [n for n, seq in self._started_seq.items() if seq <= through]:
            del self._started_seq[number]
            self._downtimes.pop(number, None)
        gone = bisect_right(self._counted_seqs, through)
        for at in self._counted_ats[:gone]:
            del self._moments[bisect_left(self._moments, at)]
        del self._counted_seqs[:gone]
        del self._counted_ats[:gone]

    def adopt(self, stories: Mapping[int, Sequence[Event]]) -> None:
        """The whole stories (in seq order) of incidents in `missing`, up to the last fed event.

        Their events already fed were counted when fed; here they are folded.
        """
        for number, story in stories.items():
            self.missing.discard(number)
            trails: dict[int, Trail] = {}
            for event in story:
                fold_incident_event(trails, event, self.policy)
                self._last_at[number] = max(self._last_at.get(number, event.at), event.at)
            if number in trails:
                self._trails[number] = trails[number]
                self._opened_seq[number] = next(
                    e.seq for e in story if e.type is EventType.INCIDENT_OPENED
                )
                self._changed.add(number)
        self.missing.clear()  # a story the log no longer holds whole is skipped, as a fresh fold

    def history(self, since: float, end: float) -> History | None:
        """What the fresh fold over [since, end) would know, or None when some event fed is at
        or after `end` (or the history starts after `since`): then ask the log."""
        if end <= self.latest_at or since < self.base or self.missing:
            return None
        self.settle()
        active = self._active.get(since)
        if active is None:
            if len(self._active) >= ACTIVE_KEPT:
                self._active.clear()
            last_at = self._last_at
            active = {n: r for n, r in self._records.items() if last_at[n] >= since}
            self._active[since] = active
        return History(end=end, incidents=dict(active), downtimes=dict(self._downtimes))

    def settle(self) -> None:
        """Make the records of the stories changed since the last time."""
        for number in self._changed:
            trail = self._trails.get(number)
            if trail is None:
                continue
            record = self._records[number] = incident_record(trail, self.policy)
            # one incident kept per story, not two: the record's copy has every field of
            # the opening, and those the trail decides are set again on each record
            trail.opened = record.incident
            for since, active in self._active.items():
                if self._last_at[number] >= since:
                    active[number] = record
        self._changed.clear()

    def count_inside(self, window: Window) -> int:
        """How many incident and downtime events fed fall inside the window."""
        moments = self._moments
        return bisect_left(moments, window.end) - bisect_left(moments, window.start)
