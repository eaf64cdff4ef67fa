from datetime import date

from domain import commands as c
from domain.models import Channel, Incident, Player, Priority, Tier
from domain.policy import Policy
from domain.sla import (
    Urgency,
    add_business_days,
    attainment,
    clocks,
    compensation_due,
    next_clock,
    risk_key,
    shift_start,
    urgency_of,
)
from tests.domain.floor import T0, Floor


def next_name(incident: Incident) -> str | None:
    """The name of the clock `incident` counts down to next (None: nothing running)."""
    clock = next_clock(incident)
    return clock.name if clock else None


def test_vvip_on_site_p1_has_the_journey_clocks() -> None:
    floor = Floor()
    number = floor.open()
    incident = floor.state.incidents[number]
    assert incident.answer_due == T0 + 120  # manager at the table, VVIP: 2 min
    assert incident.stabilise_due == T0 + 15 * 60
    assert incident.resolve_due == T0 + 2 * 3600
    assert [clock.name for clock in clocks(incident)] == ["answer", "stabilise", "resolve"]


def test_a_pit_boss_raising_it_at_the_table_is_the_manager_who_came() -> None:
    """Journey 1: the pit boss opens the dispute at BJ-07; the answer clock is done."""
    floor = Floor()
    number = floor.open("pb2")
    at_the_table = floor.state.incidents[number]
    assert [c.done_at for c in clocks(at_the_table)] == [T0, None, None]
    assert next_name(at_the_table) == "stabilise"
    assert at_the_table.state == "new"  # still to be acknowledged, and pinned until then

    # a host at the car is not the manager the promise is about; a desk call is not on site
    by_host, by_phone = floor.open("h1"), floor.open("pb2", channel="phone")
    for waiting in (by_host, by_phone):
        assert next_name(floor.state.incidents[waiting]) == "answer"
    floor.run("h1", c.Acknowledge(incident_id=by_host), T0 + 30)
    assert clocks(floor.state.incidents[by_host])[0].done_at == T0 + 30


def test_answer_time_follows_channel_and_tier() -> None:
    policy = Policy()
    assert policy.answer_seconds(Channel.PHONE, Tier.VVIP) == 10
    assert policy.answer_seconds(Channel.PHONE, Tier.VIP) == 20
    assert policy.answer_seconds(Channel.CHAT, Tier.VIP) == 30
    assert policy.answer_seconds(Channel.EMAIL, Tier.VVIP) == 600
    assert policy.answer_seconds(Channel.CHAT, Tier.STANDARD) == 60


def test_p4_resolution_skips_weekends_and_holidays() -> None:
    policy = Policy(timezone="UTC", holidays=(date(2026, 11, 30),))
    friday_noon = 1_795_780_800.0  # Fri 2026-11-27 12:00 UTC
    due = add_business_days(friday_noon, 3, policy)
    # Mon 30th is a holiday: Tue, Wed, Thu -> Thursday noon
    assert due == friday_noon + 6 * 86400


def test_countdown_turns_amber_then_red_then_breached() -> None:
    policy = Policy()
    window = 600.0
    assert urgency_of(400, window, policy) is Urgency.OK
    assert urgency_of(170, window, policy) is Urgency.AMBER
    assert urgency_of(50, window, policy) is Urgency.RED
    assert urgency_of(-1, window, policy) is Urgency.BREACHED


def test_unacknowledged_p1_is_pinned_above_a_sooner_deadline() -> None:
    floor = Floor()
    p1 = floor.open(at=T0)
    soon = floor.open(at=T0 - 3000, priority=Priority.P2)
    state = floor.state
    order = sorted(state.incidents.values(), key=lambda i: risk_key(i))
    assert [i.id for i in order] == [p1, soon]
    floor.run("pb2", c.Acknowledge(incident_id=p1), T0 + 30)
    order = sorted(floor.state.incidents.values(), key=lambda i: risk_key(i))
    assert [i.id for i in order] == [soon, p1]


def test_next_clock_moves_on_as_promises_are_kept() -> None:
    floor = Floor()
    number = floor.open(channel="phone")
    assert next_name(floor.state.incidents[number]) == "answer"
    floor.run("pb2", c.Acknowledge(incident_id=number), T0 + 30)
    assert next_name(floor.state.incidents[number]) == "stabilise"
    floor.run("pb2", c.Stabilise(incident_id=number), T0 + 600)
    assert next_name(floor.state.incidents[number]) == "update"


def test_compensation_only_when_a_p1_promise_was_broken() -> None:
    floor = Floor()
    on_time = floor.open()
    floor.run("pb2", c.Stabilise(incident_id=on_time), T0 + 600)
    floor.run("pb2", c.Resolve(incident_id=on_time), T0 + 5000)
    assert compensation_due(floor.state.incidents[on_time], floor.state.policy) is None

    late = floor.open(player=Player(reference="VP-1-2", tier=Tier.VIP, host_id="h1"))
    floor.run("pb2", c.Resolve(incident_id=late), T0 + 8000)
    proposal = compensation_due(floor.state.incidents[late], floor.state.policy)
    assert proposal is not None and "free play" in proposal


def test_the_shift_began_at_the_last_shift_start_even_across_midnight() -> None:
    policy = Policy()  # 06:00, 14:00, 22:00 in Sydney; T0 is 22:06:40 local
    assert T0 - shift_start(T0, policy) == 6 * 60 + 40
    assert shift_start(T0 - 7 * 60, policy) == T0 - 7 * 60 - 8 * 3600 + 20  # 21:59:40 -> 14:00
    two_am = T0 + 4 * 3600
    assert shift_start(two_am, policy) == shift_start(T0, policy)  # the night shift goes on
    assert Policy(shift_starts=("07:30",)).shift_starts == ("07:30",)


def test_attainment_counts_each_promise_once_when_it_settles() -> None:
    floor = Floor()
    kept = floor.open("pb2")  # answer met at opening (pit boss at the table)
    floor.run("pb2", c.Stabilise(incident_id=kept), T0 + 10 * 60)  # within 15:00
    late = floor.open("pb2", channel="phone")  # answer due in 10 s (VVIP phone)
    floor.run("pb2", c.Acknowledge(incident_id=late), T0 + 60)  # a minute late
    incidents = floor.state.incidents.values()

    # answer + stabilise of the first kept; the phone answer broken when it fell due
    at_half_hour = attainment(incidents, T0, T0 + 30 * 60)
    assert (at_half_hour.kept, at_half_hour.broken) == (2, 2)  # the phone's stabilise: 15:00
    assert at_half_hour.share == 0.5
    # a shift that began after these settled counts none of them; the resolves fall later
    later = attainment(incidents, T0 + 31 * 60, T0 + 90 * 60)
    assert (later.kept, later.broken, later.share) == (0, 0, None)
    assert attainment(incidents, T0 + 31 * 60, T0 + 3 * 3600).broken == 2  # both resolves
