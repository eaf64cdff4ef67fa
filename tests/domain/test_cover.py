"""Covers, gaps ahead and confirmed contacts: pure rules, time always given."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import commands as c
from domain.cover import GAP_HORIZON, _moments, gaps_ahead, reach, who_to_call
from domain.cover_records import Cover
from domain.decide import RejectCode, Rejected
from domain.models import Chain, Contact, Role, RosterEntry, Staff
from domain.policy import Policy
from domain.state import FloorState
from tests.domain.floor import Floor

TWO_AM = 1_795_744_800.0  # Fri 27 Nov 2026 02:00 UTC
HOUR = 3600.0
MINUTE = 60.0

FINANCE = Contact(method="phone", value="x5201")


def _entry(chain: Chain, line: int, staff_id: str, name: str, start: str, end: str, *contacts):
    return RosterEntry(
        chain=chain,
        line=line,
        staff_id=staff_id,
        name=name,
        title="on call",
        contacts=contacts or (Contact(method="phone", value=f"x-{staff_id}"),),
        shift_start=start,
        shift_end=end,
    )


ROSTER = (
    _entry(Chain.MAIN, 1, "h1", "Sam P.", "00:00", "24:00"),
    _entry(
        Chain.MAIN, 2, "dm1", "Dana K.", "00:00", "24:00", Contact(method="radio", value="ch 3")
    ),
    _entry(Chain.MAIN, 3, "tgd1", "Avery M.", "00:00", "24:00"),
    _entry(Chain.MAIN, 4, "vipd1", "Blake S.", "00:00", "24:00"),
    _entry(Chain.PAYMENTS, 1, "h1", "Sam P.", "00:00", "24:00"),
    _entry(Chain.PAYMENTS, 2, "fin1", "Lee M.", "00:00", "03:30", FINANCE),  # ends 03:30
    _entry(Chain.PAYMENTS, 3, "aml1", "Quinn H.", "00:00", "24:00"),
    # no L4 payments at night: the bank desk opens at 08:00
    _entry(Chain.PAYMENTS, 4, "bank1", "Acquirer ops desk", "08:00", "20:00"),
)


@pytest.fixture
def floor() -> Floor:
    floor = Floor(Policy(timezone="UTC"))
    staff = dict(floor.state.staff)
    staff["dm2"] = Staff(id="dm2", name="Chris N.", role=Role.DUTY_MANAGER)
    gone = {"pb9": Staff(id="pb9", name="Old Hand", role=Role.PIT_BOSS, pit="9")}
    floor.state = floor.state.model_copy(
        update={"roster": ROSTER, "staff": staff, "inactive_staff": gone}
    )
    return floor


def _names(floor: Floor, chain: Chain, line: int, at: float) -> list[str]:
    return [e.name for e in who_to_call(floor.state, chain, line, at)]


def test_a_cover_replaces_the_scheduled_people_only_while_it_runs(floor: Floor) -> None:
    cover = c.SetCover(
        chain=Chain.MAIN,
        line=2,
        staff_id="pb2",
        starts_at=TWO_AM + HOUR,
        until=TWO_AM + 4 * HOUR,
        reason="Dana at the hospital with a guest",
        contact_method="pager",
        contact_value="#221",
    )
    floor.run("dm1", cover, TWO_AM)
    # starting: set, but not yet running
    assert _names(floor, Chain.MAIN, 2, TWO_AM + 30 * MINUTE) == ["Dana K."]
    # active: the covering person, reachable by the pager given with the cover
    [covering] = who_to_call(floor.state, Chain.MAIN, 2, TWO_AM + HOUR)
    assert covering.name == "Jordan T."
    assert covering.title == "cover for on call"
    assert covering.contacts == (Contact(method="pager", value="#221"),)
    assert _names(floor, Chain.MAIN, 2, TWO_AM + 4 * HOUR - 1) == ["Jordan T."]
    # lapsed at its end time, with nothing but the clock to say so
    assert _names(floor, Chain.MAIN, 2, TWO_AM + 4 * HOUR) == ["Dana K."]
    # other lines are untouched
    assert _names(floor, Chain.MAIN, 3, TWO_AM + 2 * HOUR) == ["Avery M."]


def test_ending_a_cover_early_gives_the_line_back_to_its_schedule(floor: Floor) -> None:
    floor.run(
        "dm1",
        c.SetCover(
            chain=Chain.PAYMENTS,
            line=2,
            staff_id="dm2",
            until=TWO_AM + 3 * HOUR,
            reason="Lee in a meeting",
            contact_method="phone",
            contact_value="x4002",
        ),
        TWO_AM,
    )
    assert _names(floor, Chain.PAYMENTS, 2, TWO_AM + 10 * MINUTE) == ["Chris N."]
    floor.run("dm1", c.EndCover(chain=Chain.PAYMENTS, line=2, reason="Lee is back"), TWO_AM + HOUR)
    assert _names(floor, Chain.PAYMENTS, 2, TWO_AM + HOUR) == ["Lee M."]
    with pytest.raises(Rejected) as refused:
        floor.run("dm1", c.EndCover(chain=Chain.PAYMENTS, line=2), TWO_AM + HOUR + 1)
    assert refused.value.message == "nobody covers L2 finance now"


def test_the_latest_cover_on_a_line_wins_while_it_runs(floor: Floor) -> None:
    first = c.SetCover(
        chain=Chain.MAIN,
        line=3,
        staff_id="pb1",
        until=TWO_AM + 4 * HOUR,
        reason="Avery off sick",
        contact_method="phone",
        contact_value="x1001",
    )
    floor.run("dm1", first, TWO_AM)
    takes_now = first.model_copy(
        update={"staff_id": "pb2", "until": TWO_AM + 2 * HOUR, "contact_value": "x1002"}
    )
    floor.run("dm1", takes_now, TWO_AM + HOUR)
    assert _names(floor, Chain.MAIN, 3, TWO_AM + 90 * MINUTE) == ["Jordan T."]
    assert _names(floor, Chain.MAIN, 3, TWO_AM + 3 * HOUR) == ["Alex R."]


def test_a_gap_now_is_flagged_as_starting_now(floor: Floor) -> None:
    gaps = gaps_ahead(floor.state, TWO_AM, lines=(3, 4)).gaps
    assert [(g.chain, g.line, g.starts_at) for g in gaps] == [(Chain.PAYMENTS, 4, TWO_AM)]


def test_a_gap_in_an_hour_and_a_half_is_flagged_with_its_start(floor: Floor) -> None:
    forecast = gaps_ahead(floor.state, TWO_AM, lines=(2,))
    # Lee M.'s finance shift ends at 03:30 and nobody follows
    assert [(g.chain, g.line, g.starts_at) for g in forecast.gaps] == [
        (Chain.PAYMENTS, 2, TWO_AM + 90 * MINUTE)
    ]
    assert forecast.valid_until == TWO_AM + MINUTE  # recomputed when the minute turns
    # seen from 01:00, 03:30 is more than 2 h away: not flagged yet
    assert gaps_ahead(floor.state, TWO_AM - HOUR, lines=(2,)).gaps == ()


def test_a_cover_closes_a_gap_ahead_and_a_lapsing_one_opens_it(floor: Floor) -> None:
    floor.run(
        "dm1",
        c.SetCover(
            chain=Chain.PAYMENTS,
            line=2,
            staff_id="dm2",
            starts_at=TWO_AM + 90 * MINUTE,
            until=TWO_AM + 3 * HOUR + 30,
            reason="finance is home at 03:30",
            contact_method="phone",
            contact_value="x4002",
        ),
        TWO_AM,
    )
    forecast = gaps_ahead(floor.state, TWO_AM + 50 * MINUTE, lines=(2,))
    assert forecast.gaps == ()
    # its end (05:00:30) comes within 2 h at 03:00:30, before the next minute turns
    assert forecast.valid_until == TWO_AM + 51 * MINUTE
    later = gaps_ahead(floor.state, TWO_AM + HOUR + 30, lines=(2,))
    assert [g.starts_at for g in later.gaps] == [TWO_AM + 3 * HOUR + 30]


def test_no_gap_when_every_line_is_answered_for_two_hours(floor: Floor) -> None:
    # at midnight, finance's 03:30 end is beyond the 2 hours
    assert gaps_ahead(floor.state, TWO_AM - 2 * HOUR, lines=(1, 2, 3)).gaps == ()


@pytest.mark.parametrize(
    ("actor", "change", "code", "message"),
    [
        ("dm1", {"staff_id": "zz9"}, RejectCode.INVALID, "no staff member 'zz9' on the staff list"),
        (
            "dm1",
            {"staff_id": "pb9"},
            RejectCode.INVALID,
            "Old Hand is not active on the staff list",
        ),
        (
            "dm1",
            {"until": TWO_AM - MINUTE},
            RejectCode.INVALID,
            "the end, Fri 27 Nov 01:59, is in the past: a cover ends after Fri 27 Nov 02:00 "
            "and by Sat 28 Nov 02:00",
        ),
        (
            "dm1",
            {"until": TWO_AM + 25 * HOUR},
            RejectCode.INVALID,
            "the end, Sat 28 Nov 03:00, is more than 24 h ahead: a cover ends after "
            "Fri 27 Nov 02:00 and by Sat 28 Nov 02:00",
        ),
        ("dm1", {"reason": "   "}, RejectCode.INVALID, "a cover needs a reason"),
        (
            "dm1",
            {"staff_id": "pb1"},
            RejectCode.INVALID,
            "Alex R. has no contact on the roster: give a way to reach them",
        ),
        (
            "pb2",
            {},
            RejectCode.FORBIDDEN,
            "a pit boss may not set cover; allowed: admin, duty manager",
        ),
        (
            "h1",
            {},
            RejectCode.FORBIDDEN,
            "a host may not set cover; allowed: admin, duty manager",
        ),
    ],
    ids=[
        "unknown",
        "inactive",
        "past",
        "beyond-24h",
        "no-reason",
        "no-contact",
        "pit-boss",
        "host",
    ],
)
def test_a_cover_is_refused_with_its_reason(floor: Floor, actor, change, code, message) -> None:
    base = {
        "chain": Chain.MAIN,
        "line": 2,
        "staff_id": "h2",
        "until": TWO_AM + HOUR,
        "reason": "cover",
    }
    command = c.SetCover(**(base | change))
    with pytest.raises(Rejected) as refused:
        floor.run(actor, command, TWO_AM)
    assert (refused.value.code, refused.value.message) == (code, message)
    assert floor.state.covers == ()


def test_a_confirmed_contact_stays_confirmed_for_seven_days_and_across_a_roster_reload(
    floor: Floor,
) -> None:
    assert reach(floor.state, "fin1", FINANCE, TWO_AM).confirmed_at is None
    floor.run("dm1", c.ConfirmContact(staff_id="fin1", method="phone", value="x5201"), TWO_AM)
    now = reach(floor.state, "fin1", FINANCE, TWO_AM + HOUR)
    assert (now.confirmed_at, now.stale) == (TWO_AM, False)
    assert reach(floor.state, "fin1", FINANCE, TWO_AM + 8 * 86400).stale
    # the roster is reloaded: the same number keeps its check, a new one starts unconfirmed
    reloaded = tuple(
        e.model_copy(update={"contacts": (*e.contacts, Contact(method="pager", value="#9"))})
        for e in ROSTER
    )
    floor.state = floor.state.model_copy(update={"roster": reloaded})
    assert reach(floor.state, "fin1", FINANCE, TWO_AM + HOUR).confirmed_at == TWO_AM
    assert reach(floor.state, "fin1", Contact(method="pager", value="#9"), TWO_AM).stale
    with pytest.raises(Rejected) as refused:
        floor.run("dm1", c.ConfirmContact(staff_id="fin1", method="phone", value="x9999"), TWO_AM)
    assert refused.value.message == "Lee M. has no contact phone x9999"


def test_a_covering_person_is_paged_with_the_covers_contact(floor: Floor) -> None:
    floor.run(
        "dm1",
        c.SetCover(
            chain=Chain.PAYMENTS,
            line=3,
            staff_id="pb1",
            until=TWO_AM + HOUR,
            reason="AML desk unstaffed",
            contact_method="pager",
            contact_value="#42",
        ),
        TWO_AM,
    )
    [paged] = floor.run("dm1", c.PageContact(staff_id="pb1", method="pager"), TWO_AM + 60)
    assert (paged.data["line"], paged.data["chain"], paged.data["value"]) == (3, "payments", "#42")
    # once the cover lapsed, the roster has no way to reach them
    with pytest.raises(Rejected):
        floor.run("dm1", c.PageContact(staff_id="pb1", method="pager"), TWO_AM + HOUR)


def test_a_cover_ending_at_a_time_no_calendar_holds_is_refused_in_words(floor: Floor) -> None:
    for impossible in (1e18, -1e18):
        with pytest.raises(Rejected) as refused:
            floor.run(
                "dm1",
                c.SetCover(chain=Chain.MAIN, line=2, staff_id="dm2", until=impossible, reason="x"),
                TWO_AM,
            )
        assert f"time {impossible:g}" in refused.value.message


# --- gaps ahead against the plain definition ---------------------------------------

# a zone and a moment its clocks change (or, for zones that keep theirs, one of
# those moments): the gaps are asked from three hours before it to one after
CHANGES = (
    ("Europe/Warsaw", 1_806_195_600.0),  # 28 Mar 2027, 02:00 -> 03:00
    ("America/New_York", 1_805_007_600.0),  # 14 Mar 2027, 02:00 -> 03:00
    ("Australia/Lord_Howe", 1_806_764_400.0),  # 4 Apr 2027, 02:00 -> 01:30
    ("Europe/Warsaw", 1_824_944_400.0),  # 31 Oct 2027, 03:00 -> 02:00
    ("America/New_York", 1_825_567_200.0),  # 7 Nov 2027, 02:00 -> 01:00
    ("UTC", 1_806_195_600.0),
    ("Asia/Kolkata", 1_805_007_600.0),
)
TIMES = st.sampled_from(["00:00", "01:30", "02:00", "02:30", "03:00", "06:00", "22:00", "24:00"])


@st.composite
def rostered_floors(draw: st.DrawFn) -> tuple[FloorState, float]:
    zone, change = draw(st.sampled_from(CHANGES))
    now = change + draw(st.integers(-180, 60)) * 60 + draw(st.integers(0, 59))
    chains, lines = st.sampled_from(list(Chain)), st.integers(1, 2)
    roster = tuple(
        RosterEntry(
            chain=draw(chains),
            line=draw(lines),
            staff_id=f"s{n}",
            name=f"Staff {n}",
            title="on call",
            shift_start=draw(TIMES),
            shift_end=draw(TIMES),
            days=tuple(sorted(draw(st.sets(st.integers(0, 6), min_size=1)))),
        )
        for n in range(draw(st.integers(0, 6)))
    )
    covers = tuple(
        Cover(
            chain=draw(chains),
            line=draw(lines),
            staff_id="dm1",
            starts_at=(start := now + draw(st.integers(-3 * 3600, 3 * 3600))),
            ends_at=start + draw(st.integers(1, 4 * 3600)),
            reason="cover",
            set_by="dm1",
            set_at=now,
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    policy = Policy(timezone=zone)
    return FloorState(roster=roster, covers=covers, policy=policy), now


@settings(max_examples=300, deadline=None)
@given(rostered_floors())
def test_gaps_ahead_are_the_first_moments_who_to_call_names_nobody(
    case: tuple[FloorState, float],
) -> None:
    state, now = case
    moments = _moments(state, now, now + GAP_HORIZON)
    expected = [
        (chain, line, start)
        for chain in Chain
        for line in (1, 2)
        if (start := next((t for t in moments if not who_to_call(state, chain, line, t)), None))
        is not None
    ]
    found = gaps_ahead(state, now, lines=(1, 2)).gaps
    assert [(g.chain, g.line, g.starts_at) for g in found] == expected


def test_a_night_shift_ends_by_the_wall_clock_on_the_night_the_clocks_go_forward() -> None:
    night = RosterEntry(
        chain=Chain.MAIN,
        line=1,
        staff_id="pb1",
        name="Alex R.",
        title="pit boss",
        shift_start="22:00",
        shift_end="06:00",
        days=(5,),  # Saturday night into Sunday 28 March 2027
    )
    warsaw = ZoneInfo("Europe/Warsaw")
    state = FloorState(roster=(night,), policy=Policy(timezone="Europe/Warsaw"))
    now = datetime(2027, 3, 28, 4, 30, tzinfo=warsaw).timestamp()
    gaps = gaps_ahead(state, now, lines=(1,)).gaps
    # 06:00 on the wall clock, seven hours after 22:00, not eight
    main = [g.starts_at for g in gaps if g.chain is Chain.MAIN]
    assert main == [datetime(2027, 3, 28, 6, 0, tzinfo=warsaw).timestamp()]


def test_a_handover_exactly_at_the_horizon_is_no_gap() -> None:
    def shift(staff_id: str, start: str, end: str) -> RosterEntry:
        return RosterEntry(
            chain=Chain.MAIN,
            line=1,
            staff_id=staff_id,
            name=staff_id,
            title="pit boss",
            shift_start=start,
            shift_end=end,
        )

    state = FloorState(roster=(shift("pb1", "00:00", "04:00"), shift("pb2", "04:00", "08:00")))
    # the policy's zone (Sydney): 02:00:00 there, so the horizon ends at 04:00:00 sharp
    sydney = ZoneInfo(state.policy.timezone)
    now = datetime(2027, 7, 23, 2, 0, tzinfo=sydney).timestamp()
    gaps = gaps_ahead(state, now, lines=(1,)).gaps
    assert [g for g in gaps if g.chain is Chain.MAIN] == []
