"""The counts above the queue stay right as changes arrive and promises fall due."""

from __future__ import annotations

from domain.commands import (
    Acknowledge,
    Command,
    FileReport,
    OpenIncident,
    Resolve,
    SetPriority,
)
from domain.models import Channel, IncidentKind, Location, Player, Priority, Tier
from domain.sla import attainment
from tests.tui.conftest import BASE_TIME
from tui.floor_summary import QueueCounts, QueueSummary, ShiftAttainment, queue_summary


def _numbers(summary: QueueSummary) -> tuple[object, ...]:
    return summary.by_priority, summary.breached, summary.reports_due, summary.reports_overdue


def test_counts_kept_change_by_change_match_a_recount(static_floor) -> None:
    floor = static_floor("dm1")
    counts = QueueCounts()
    counts.rebuild(floor.state.incidents.values(), floor.state)
    opened = OpenIncident(
        kind=IncidentKind.PAYMENT_FAILURE,
        priority=Priority.P2,
        channel=Channel.CHAT,
        player=Player(reference="VP-1234-5678", tier=Tier.VIP),
        location=Location(pit=None, spot="online"),
    )
    new_id = floor.state.next_incident_id
    steps: list[Command] = [
        opened,
        Acknowledge(incident_id=39),
        SetPriority(incident_id=new_id, priority=Priority.P1, reason="a VIP waiting"),
        Resolve(incident_id=40, note="dealer relieved, hand voided"),
    ]
    for step in steps:
        events = floor.submit_as("dm1", step)
        counts.update(floor.state, {e.incident_id for e in events}, lambda _incident: True)
        state = floor.state
        for later in (0, 59, 600, 3600, 86400):
            now = BASE_TIME + later
            fresh = queue_summary(state.incidents.values(), state, now)
            assert _numbers(counts.summary(now)) == _numbers(fresh), (step.type, later)


def test_a_report_counts_overdue_from_its_due_second_and_the_summary_knows_when(
    static_floor,
) -> None:
    floor = static_floor("dm1")
    state = floor.state
    owed = sorted(
        i.report_due for i in state.incidents.values() if i.report_due is not None and not i.report
    )
    assert owed, "the demo floor has reports due"
    first = owed[0]
    counts = QueueCounts()
    counts.rebuild(state.incidents.values(), state)
    before = counts.summary(first - 1)
    assert before.reports_overdue == 0 and before.valid_until <= first
    at = counts.summary(first)
    assert (at.reports_due, at.reports_overdue) == (len(owed), 1)
    assert _numbers(queue_summary(state.incidents.values(), state, first)) == _numbers(at)
    # filing it takes it off both counts
    number = next(i.id for i in state.incidents.values() if i.report_due == first)
    events = floor.submit_as("dm1", FileReport(incident_id=number, root_cause="worn felt"))
    counts.update(floor.state, {e.incident_id for e in events}, lambda _incident: True)
    after = counts.summary(first)
    assert (after.reports_due, after.reports_overdue) == (len(owed) - 1, 0)


def test_the_summary_is_recounted_when_its_next_promise_falls_due(static_floor) -> None:
    floor = static_floor("dm1")
    state = floor.state
    counts = QueueCounts()
    counts.rebuild(state.incidents.values(), state)
    now = BASE_TIME
    summary = counts.summary(now)
    assert summary.valid_until > now
    before = counts.summary(summary.valid_until - 0.001)
    after = counts.summary(summary.valid_until + 0.001)
    assert _numbers(before) == _numbers(summary)
    assert after.breached == summary.breached + 1


def test_the_shift_sla_kept_change_by_change_matches_a_recount(static_floor) -> None:
    floor = static_floor("dm1")
    kept = ShiftAttainment()
    kept.rebuild(floor.state.incidents.values())
    steps: list[Command] = [
        Acknowledge(incident_id=39),
        Resolve(incident_id=40, note="dealer relieved, hand voided"),
        SetPriority(incident_id=39, priority=Priority.P2, reason="a workaround is in place"),
    ]
    for step in steps:
        events = floor.submit_as("dm1", step)
        kept.update(floor.state, {e.incident_id for e in events})
        incidents = floor.state.incidents.values()
        for since, now in ((BASE_TIME - 8 * 3600, BASE_TIME), (BASE_TIME - 600, BASE_TIME + 7200)):
            assert kept.between(since, now) == attainment(incidents, since, now), step.type


def test_counts_and_the_shift_sla_after_a_catch_up_at_once_match_a_recount(static_floor) -> None:
    floor = static_floor("dm1")
    counts, kept = QueueCounts(), ShiftAttainment()
    counts.rebuild(floor.state.incidents.values(), floor.state)
    kept.rebuild(floor.state.incidents.values())
    known = set(floor.state.incidents)
    for n in range(50):  # many new incidents and many settled ones, in one notice
        opened = OpenIncident(
            kind=IncidentKind.MACHINE_FAULT,
            priority=(Priority.P1, Priority.P2, Priority.P3)[n % 3],
            channel=Channel.ON_SITE,
            player=Player(reference=f"LY-{n:05d}"),
            location=Location(pit="1", spot=f"SL-{n}"),
        )
        floor.submit_as("dm1", opened)
    touched = set(floor.state.incidents) - known  # an opening names its incident in its data
    for incident in list(floor.state.incidents.values()):
        if incident.state == "new" and incident.id not in touched:
            touched |= {
                e.incident_id for e in floor.submit_as("dm1", Acknowledge(incident_id=incident.id))
            }
    numbers = {n for n in touched if n is not None}
    assert counts.update(floor.state, numbers, lambda _incident: True)
    kept.update(floor.state, numbers)
    state = floor.state
    incidents = state.incidents.values()
    for later in (0, 59, 600, 3600, 86400):
        now = BASE_TIME + later
        assert _numbers(counts.summary(now)) == _numbers(queue_summary(incidents, state, now))
        since = now - 8 * 3600
        assert kept.between(since, now) == attainment(incidents, since, now)
