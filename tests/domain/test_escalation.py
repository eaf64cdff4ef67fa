from hypothesis import given
from hypothesis import strategies as st

from domain import commands as c
from domain.escalation import line_due, next_escalation, on_duty
from domain.models import (
    Chain,
    Contact,
    IncidentKind,
    Location,
    Player,
    Priority,
    RosterEntry,
    Tier,
)
from domain.policy import Policy, policy_from_toml
from tests.domain.floor import T0, Floor

POLICY = Policy(timezone="UTC")


def test_p1_climbs_l1_to_l4_at_the_policy_times_from_t0() -> None:
    floor = Floor()
    number = floor.open()
    incident = floor.state.incidents[number]
    assert [line_due(incident, POLICY, T0 + m * 60) for m in (0, 9, 10, 29, 30, 59, 60)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
    ]
    step = next_escalation(incident, POLICY)
    assert step is not None
    assert (step.line, step.at - T0, step.title) == (2, 600, "duty manager / game tech")


def test_acknowledging_does_not_stop_the_clock_but_stabilising_does() -> None:
    floor = Floor()
    number = floor.open()
    floor.run("pb2", c.Acknowledge(incident_id=number), T0 + 60)
    assert line_due(floor.state.incidents[number], POLICY, T0 + 700) == 2
    floor.run("pb2", c.Stabilise(incident_id=number), T0 + 800)
    stabilised = floor.state.incidents[number]
    assert line_due(stabilised, POLICY, T0 + 4000) == 1
    assert next_escalation(stabilised, POLICY) is None


def test_a_failed_transfer_opens_at_l2_on_the_payments_chain() -> None:
    floor = Floor()
    number = floor.open(
        actor_id="dm1",
        kind=IncidentKind.FAILED_TRANSFER,
        channel="chat",
        player=Player(reference="VP-5120-3388", tier=Tier.VIP),
        location=Location(spot="online"),
    )
    incident = floor.state.incidents[number]
    assert (incident.chain, incident.line) == (Chain.PAYMENTS, 2)
    step = next_escalation(incident, POLICY)
    assert step is not None and step.title == "risk / AML"


def test_manual_escalation_keeps_the_t0_schedule_for_the_next_line() -> None:
    floor = Floor()
    number = floor.open()
    floor.run("pb2", c.Escalate(incident_id=number, line=3, reason="VVIP"), T0 + 120)
    step = next_escalation(floor.state.incidents[number], POLICY)
    assert step is not None
    assert (step.line, step.at - T0) == (4, 3600)


@given(
    offsets=st.tuples(st.floats(1, 3600), st.floats(1, 3600), st.floats(1, 3600)).map(sorted),
    times=st.lists(st.floats(-100, 20_000), min_size=2, max_size=20),
)
def test_ladder_is_monotonic_in_time_and_bounded(offsets, times) -> None:
    l2, l3, l4 = offsets
    if not l2 < l3 < l4:
        return
    policy = Policy(timezone="UTC", escalation={"l2": l2, "l3": l3, "l4": l4})
    floor = Floor(policy)
    number = floor.open()
    incident = floor.state.incidents[number]
    lines = [line_due(incident, policy, T0 + t) for t in sorted(times)]
    assert lines == sorted(lines)
    assert all(1 <= line <= 4 for line in lines)
    for t in times:
        elapsed = (T0 + t) - T0  # the same float arithmetic the ladder does
        expected = 1 + sum(elapsed >= o for o in (l2, l3, l4))
        assert line_due(incident, policy, T0 + t) == expected


def test_night_shift_across_midnight_is_on_duty_after_midnight() -> None:
    entry = RosterEntry(
        chain=Chain.MAIN,
        line=2,
        staff_id="dm1",
        name="Dana K.",
        title="duty manager",
        contacts=(Contact(method="radio", value="ch 3"),),
        shift_start="22:00",
        shift_end="06:00",
    )
    two_am = 1_795_744_800.0  # 2026-11-27 02:00 UTC
    noon = two_am + 10 * 3600
    assert on_duty((entry,), Chain.MAIN, 2, two_am, POLICY) == [entry]
    assert on_duty((entry,), Chain.MAIN, 2, noon, POLICY) == []


def test_p3_and_p4_do_not_climb_by_time_until_their_resolve_promise_breaches() -> None:
    floor = Floor()
    number = floor.open(priority=Priority.P3, kind="bonus_question", channel="chat")
    incident = floor.state.incidents[number]
    assert incident.resolve_due == T0 + 24 * 3600
    # an hour in, an unstabilised P3 is still at L1: no duty manager woken for it
    assert line_due(incident, POLICY, T0 + 3600) == 1
    step = next_escalation(incident, POLICY)
    assert step is not None
    assert (step.line, step.at) == (2, incident.resolve_due)
    # from the breach on it climbs with the ladder's spacing (L3 20 min after L2)
    breach = incident.resolve_due
    assert [line_due(incident, POLICY, breach + m * 60) for m in (-1, 0, 19, 20, 50)] == [
        1,
        2,
        2,
        3,
        4,
    ]


def test_the_policy_names_which_priorities_climb_by_time() -> None:
    floor = Floor()
    p2 = floor.open(priority=Priority.P2)
    p3 = floor.open(priority=Priority.P3, kind="bonus_question", channel="chat")
    only_p1 = Policy(timezone="UTC", escalate_by_time=(Priority.P1,))
    # P2 now waits for its own resolve promise (4 h) like a P3
    assert line_due(floor.state.incidents[p2], only_p1, T0 + 3600) == 1
    assert line_due(floor.state.incidents[p2], POLICY, T0 + 3600) == 4
    every = policy_from_toml('escalate_by_time = ["P1", "P2", "P3"]\ntimezone = "UTC"')
    assert line_due(floor.state.incidents[p3], every, T0 + 3600) == 4
