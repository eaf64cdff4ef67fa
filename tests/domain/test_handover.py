"""The shift handover: its boundary, its pack, who acknowledges it, when it is flagged.

T0 is Wed 18 Nov 2026 22:06:40 in Sydney; shifts start 06:00, 14:00, 22:00
(default policy). So the shift under way began 22:00 (T0 - 400) and the next
starts 06:00 (T0 + 28,400), the one after at 14:00 (T0 + 57,200).

The floor, times as offsets from T0 in seconds:
A  P1 on site (VVIP), opened 0 by a pit boss at the table: answered at once;
   stabilise due 900 (broken by 1,800), auto-escalated to L2 at 600 and L3 at
   1,800; its next step, L4 VIP director / COO, is at 3,600.
C  P2 on site, opened 1,500 the same way: its update promise (every 30 min)
   is due 3,300, inside the hour after 1,800: about to breach. Its L2 is at
   1,500 + 600 = 2,100.
D  P3 on site, opened 0: next due its update at 14,400; P3 does not climb.
E  P2 opened -7,200, resolved -3,600: its report is due 82,800.
BJ-07 down at 1,000 ("felt torn"), player not moved.
Roster: every line of both chains covered all day, except main L3, covered
22:00-10:00: in the incoming shift (06:00-14:00) it is empty from 10:00
(T0 + 28,400 + 14,400 = T0 + 42,800).

The pack opened at 1,800 is for 06:00: open 3 (A pinned, an unacknowledged
P1; then C due 3,300; then D due 14,400), breached 1 (A), about to breach 1
(C), escalations C L2 at 2,100 then A L4 at 3,600, report E due 82,800,
BJ-07 down since 1,000, one gap: main L3 from 42,800.
"""

from __future__ import annotations

from typing import Any

import pytest

from domain import commands as c
from domain.decide import Rejected
from domain.handover import (
    current_handover,
    current_shift,
    handover_boundary,
    handover_flag,
)
from domain.models import Asset, AssetKind, Chain, Location, Player, Priority, RosterEntry, Tier
from tests.domain.floor import T0, Floor

SIX = T0 + 28_400  # 06:00 Thursday
TEN_PM = T0 - 400  # 22:00 Wednesday


def _roster() -> tuple[RosterEntry, ...]:
    entries = []
    for chain in Chain:
        for line in range(1, 5):
            hours = ("22:00", "10:00") if (chain, line) == (Chain.MAIN, 3) else ("00:00", "24:00")
            entries.append(
                RosterEntry(
                    chain=chain,
                    line=line,
                    staff_id=f"{chain}-{line}",
                    name=f"{chain} {line}",
                    title="on call",
                    shift_start=hours[0],
                    shift_end=hours[1],
                )
            )
    return tuple(entries)


def _floor() -> tuple[Floor, dict[str, int]]:
    floor = Floor()
    assets = {"BJ-07": Asset(id="BJ-07", kind=AssetKind.TABLE, pit="2")}
    floor.state = floor.state.model_copy(update={"assets": assets, "roster": _roster()})
    on_site: dict[str, Any] = {"channel": "on_site", "location": Location(pit="2", spot="BJ-07")}
    ids = {
        "E": floor.open(at=T0 - 7200, priority=Priority.P2, channel="phone"),
        "A": floor.open(at=T0, **on_site),
        "D": floor.open(
            at=T0,
            priority=Priority.P3,
            player=Player(reference="LY-1", tier=Tier.STANDARD),
            **on_site,
        ),
    }
    floor.run("pb2", c.Resolve(incident_id=ids["E"]), T0 - 3600)
    floor.run(None, c.AutoEscalate(incident_id=ids["A"], line=2), T0 + 600)
    floor.run("pb2", c.StartDowntime(asset_id="BJ-07", reason="felt torn"), T0 + 1000)
    ids["C"] = floor.open(at=T0 + 1500, priority=Priority.P2, **on_site)
    floor.run(None, c.AutoEscalate(incident_id=ids["A"], line=3), T0 + 1800)
    return floor, ids


def test_the_boundary_is_the_coming_shift_or_the_one_just_passed_while_late() -> None:
    policy = Floor().state.policy
    assert current_shift(T0, policy) == (TEN_PM, SIX)
    assert handover_boundary(T0, policy) == TEN_PM  # 6:40 into the shift: the outgoing is late
    assert handover_boundary(TEN_PM + 899, policy) == TEN_PM
    assert handover_boundary(TEN_PM + 900, policy) == SIX  # 15 min in: the next one
    assert handover_boundary(SIX - 1, policy) == SIX


def test_the_pack_is_the_floor_as_handed_over() -> None:
    floor, ids = _floor()
    floor.run("dm1", c.OpenHandover(note="BJ-07 tech coming at 07:00"), T0 + 1800)
    (handover,) = floor.state.handovers
    pack = handover.pack
    assert (handover.shift_starts, handover.opened_by, handover.note) == (
        SIX,
        "dm1",
        "BJ-07 tech coming at 07:00",
    )
    assert (pack.shift_starts, pack.shift_ends) == (SIX, T0 + 57_200)
    assert pack.open_count == 3
    assert [(i.id, i.promise, i.due) for i in pack.incidents] == [
        (ids["A"], "stabilise", T0 + 900),
        (ids["C"], "update", T0 + 3300),
        (ids["D"], "update", T0 + 14_400),
    ]
    assert (pack.breached, pack.about_to_breach) == (1, 1)
    assert [(e.id, e.line, e.at) for e in pack.escalations] == [
        (ids["C"], 2, T0 + 2100),
        (ids["A"], 4, T0 + 3600),
    ]
    assert pack.escalations[1].title == "VIP director / COO"
    assert [(r.id, r.due) for r in pack.reports] == [(ids["E"], T0 + 82_800)]
    assert [(d.asset_id, d.since, d.player_moved) for d in pack.downtimes] == [
        ("BJ-07", T0 + 1000, False)
    ]
    assert [(g.chain, g.line, g.starts_at) for g in pack.gaps] == [(Chain.MAIN, 3, T0 + 42_800)]


def test_the_incoming_duty_manager_acknowledges_and_not_the_one_who_opened_it() -> None:
    floor, _ = _floor()
    floor.run("dm1", c.OpenHandover(), T0 + 1800)
    with pytest.raises(Rejected, match="you opened this handover"):
        floor.run("dm1", c.AcknowledgeHandover(shift_starts=SIX), SIX + 60)
    with pytest.raises(Rejected, match="no handover for the 14:00 shift"):
        floor.run("admin", c.AcknowledgeHandover(shift_starts=T0 + 57_200), SIX + 60)
    # a time no calendar holds (a malformed command) is refused in words, not raised on
    for impossible in (1e18, -1e18):
        with pytest.raises(Rejected, match="no handover for the time"):
            floor.run("admin", c.AcknowledgeHandover(shift_starts=impossible), SIX + 60)
    floor.run("admin", c.AcknowledgeHandover(shift_starts=SIX, note="got it"), SIX + 60)
    (handover,) = floor.state.handovers
    assert (handover.acknowledged_by, handover.acknowledged_at) == ("admin", SIX + 60)
    with pytest.raises(Rejected, match="acknowledged already, by Floor Admin"):
        floor.run("admin", c.AcknowledgeHandover(shift_starts=SIX), SIX + 120)


def test_a_pack_opened_again_needs_acknowledging_again_and_a_stale_one_is_a_conflict() -> None:
    floor, _ = _floor()
    floor.run("dm1", c.OpenHandover(note="first"), T0 + 1800)
    first = floor.state.handovers[0].opened_at
    floor.run("admin", c.AcknowledgeHandover(shift_starts=SIX, opened_at=first), T0 + 1900)
    floor.run("dm1", c.OpenHandover(note="second: a P1 just came in"), T0 + 2000)
    (handover,) = floor.state.handovers
    assert (handover.note, handover.acknowledged_by) == ("second: a P1 just came in", None)
    with pytest.raises(Rejected, match="opened the 06:00 handover again at 22:40"):
        floor.run("admin", c.AcknowledgeHandover(shift_starts=SIX, opened_at=first), T0 + 2100)


def test_an_unacknowledged_handover_is_flagged_15_minutes_into_its_shift() -> None:
    floor, _ = _floor()
    assert handover_flag(floor.state, SIX + 900) is None  # none opened: nothing to flag
    floor.run("dm1", c.OpenHandover(), T0 + 1800)
    state = floor.state
    assert handover_flag(state, SIX + 899) is None  # 14:59 into the shift
    flag = handover_flag(state, SIX + 900)
    assert flag is not None and flag.since == SIX + 900
    assert current_handover(state, SIX + 1200) == flag.handover
    floor.run("admin", c.AcknowledgeHandover(shift_starts=SIX), SIX + 1200)
    assert handover_flag(floor.state, SIX + 1300) is None


def test_a_late_outgoing_manager_opens_the_handover_of_the_shift_just_begun() -> None:
    floor, _ = _floor()
    floor.run("dm1", c.OpenHandover(), SIX + 300)  # 06:05
    assert floor.state.handovers[0].shift_starts == SIX


def test_only_duty_managers_and_admins_hand_over() -> None:
    floor, _ = _floor()
    for who in ("pb2", "h1"):
        with pytest.raises(Rejected, match="may not open handover"):
            floor.run(who, c.OpenHandover(), T0 + 1800)
