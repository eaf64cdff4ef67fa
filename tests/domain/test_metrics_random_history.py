"""The board's quick judging gives the figures of the plain definition, on random floors.

A random floor runs real commands (`decide` + `apply`) over sixteen hours: incidents
of every priority, tier and channel, answered, stabilised, noted, reprioritised,
escalated, resolved, reopened, compensated and closed at random moments, a few
actions arriving out of time order (done offline), some on the very moment
a window ends. Each day's figures and the
whole span's report are checked against the definition worked out the slow way:
a fold per window, each promise clock settled again (`domain.sla`), the events
counted one by one.
"""

from __future__ import annotations

import contextlib
import math
import random

import pytest

from domain import commands as c
from domain.decide import Rejected
from domain.events import Event
from domain.incident_history import DOWNTIME_EVENTS, PROMISES, RECOVERY_KINDS, History, fold_history
from domain.metric_windows import Window
from domain.metrics import MetricsReport, daily_metrics, metrics_report, nearest_rank
from domain.models import Location, Player, Priority, Tier
from domain.policy import Policy
from domain.sla import clocks, settles
from tests.domain.floor import T0, Floor

SPAN = 4 * 3600.0  # the "days": four hours each, so the floor is busy in every one
KINDS = ("result_dispute", "payment_failure", "room_overbooking", "machine_fault", "tournament")
CHANNELS = ("on_site", "phone", "chat", "email")


def random_log(seed: int, steps: int = 500, longest_gap: float = 400) -> list[Event]:
    """A floor's log of `steps` commands, each up to `longest_gap` seconds after the last."""
    rng = random.Random(seed)
    floor = Floor()
    numbers: list[int] = []
    at = T0
    for _ in range(steps):
        at += rng.uniform(5, longest_gap)
        boundary = T0 + SPAN * math.ceil((at - T0) / SPAN)
        if boundary - at < 600 and rng.random() < 0.5:  # on the very moment a window ends
            at = boundary
        if not numbers or rng.random() < 0.2:
            numbers.append(
                floor.open(
                    rng.choice(["h1", "dm1"]),
                    at=at,
                    kind=rng.choice(KINDS),
                    priority=rng.choice(list(Priority)),
                    channel=rng.choice(CHANNELS),
                    player=Player(
                        reference="LC-1000-2000", tier=rng.choice(list(Tier)), host_id="h1"
                    ),
                    location=Location(pit=rng.choice(["1", "2"]), spot="BJ-01"),
                )
            )
            continue
        number = rng.choice(numbers[-12:])  # mostly the recent ones: lives, not noise
        choices: list[c.Command] = [
            c.Acknowledge(incident_id=number),
            c.Stabilise(incident_id=number),
            c.AddNote(incident_id=number, text="player told"),
            c.SetPriority(incident_id=number, priority=rng.choice(list(Priority))),
            c.Escalate(incident_id=number, reason="needs the next line"),
            c.Resolve(incident_id=number),
            c.Resolve(incident_id=number),
            c.Reopen(incident_id=number, reason="called back"),
            c.RecordCompensation(incident_id=number, text="dinner for two"),
            c.Close(incident_id=number),
        ]
        command = rng.choice(choices)
        # now and then an action done offline, arriving after later ones
        when = at - rng.uniform(60, 3600) if rng.random() < 0.05 else at
        with contextlib.suppress(Rejected):  # not allowed in its state: the floor says no
            floor.run("dm1", command, when)
    return floor.events


def plain_counts(history: History, events: list[Event], window: Window) -> dict[str, float | None]:
    """Kept and broken promises, recoveries owed and given, and events, the slow way."""
    start, end = window.start, window.end

    def inside(moment: float | None) -> bool:
        return moment is not None and start <= moment < end

    counts = {f"{how}.{name}": 0 for name in PROMISES for how in ("kept", "broken")}
    owed = given = resolved = first_contact = reopened = 0
    to_answer: list[float] = []
    to_resolve: list[float] = []
    for record in history.incidents.values():
        incident = record.incident
        done = incident.answered_at or incident.acknowledged_at
        if inside(done):
            assert done is not None
            to_answer.append(done - incident.opened_at)
        if inside(record.first_resolved_at):
            assert record.first_resolved_at is not None
            resolved += 1
            first_contact += record.first_line and not record.reopened
            reopened += record.reopened
            to_resolve.append(record.first_resolved_at - incident.opened_at)
        late_p1 = False
        for clock in clocks(incident):
            on_time, moment = settles(clock)
            if inside(moment):
                counts[f"{'kept' if on_time else 'broken'}.{clock.name}"] += 1
            if clock.name in ("stabilise", "resolve") and not on_time and moment < end:
                late_p1 = incident.priority is Priority.P1
        counts["kept.update"] += sum(map(inside, record.updates_kept))
        counts["broken.update"] += sum(map(inside, record.updates_broken))
        if inside(record.first_resolved_at) and (incident.kind in RECOVERY_KINDS or late_p1):
            owed += 1
            given += bool(record.recoveries)
    counts["owed"], counts["given"] = owed, given
    counts["resolved"], counts["first_contact"], counts["reopened"] = (
        resolved,
        first_contact,
        reopened,
    )
    counts["events"] = sum(
        1
        for e in events
        if start <= e.at < end and (e.incident_id is not None or e.type in DOWNTIME_EVENTS)
    )
    plain: dict[str, float | None] = dict(counts)
    for key, samples in (("ack", sorted(to_answer)), ("resolve", sorted(to_resolve))):
        plain[f"{key}.median"] = nearest_rank(samples, 0.5)
        plain[f"{key}.p90"] = nearest_rank(samples, 0.9)
    return plain


def quick_counts(report: MetricsReport) -> dict[str, float | None]:
    shares = {m.key: (m.part, m.count) for m in report.metrics}
    counts: dict[str, float | None] = {}
    for name in PROMISES:
        part, count = shares[f"sla.{name}"]
        counts[f"kept.{name}"], counts[f"broken.{name}"] = part, count - part
    counts["given"], counts["owed"] = shares["recovery"]
    counts["first_contact"], counts["resolved"] = shares["fcr"]
    counts["reopened"] = shares["reopen"][0]
    for key in ("ack.median", "ack.p90", "resolve.median", "resolve.p90"):
        counts[key] = report.metric(key).value
    counts["events"] = report.events
    return counts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_quick_judging_equals_the_plain_definition(seed: int) -> None:
    events = random_log(seed)
    policy = Policy()
    days = tuple(
        Window(name=f"day {n}", label=f"day {n}", start=T0 + n * SPAN, end=T0 + (n + 1) * SPAN)
        for n in range(4)
    )
    daily = daily_metrics(events, policy, days)
    judged = 0
    for n, day in enumerate(days):
        report = metrics_report(events, policy, day)
        # the chart's day is the day's own report
        assert {m.key: m.value for m in report.metrics} == {
            key: values[n] for key, values in daily.values.items()
        }, day.name
        history = fold_history(events, policy, day.end)
        assert quick_counts(report) == plain_counts(history, events, day), day.name
        judged += report.metric("sla.all").count
    assert judged > 100  # the floors are busy enough to say something
