"""The floor map's rule: each table or machine shows the worst of what is on it."""

from __future__ import annotations

import pytest

from domain import commands as c
from domain.floor_map import (
    SILENT_MARK,
    CellState,
    cell_state,
    downtime_overdue,
    floor_cells,
    natural_key,
    sections,
)
from domain.models import Asset, AssetKind, FlagKind, Location, Pit, Player, Priority, Tier
from domain.policy import Policy

from .floor import T0, Floor

MIN = 60.0
HOUR = 60 * MIN

ASSETS = {
    a.id: a
    for a in (
        Asset(id="BJ-07", kind=AssetKind.TABLE, pit="2", game="blackjack"),
        Asset(id="BJ-10", kind=AssetKind.TABLE, pit="2", game="blackjack"),
        Asset(id="BJ-2", kind=AssetKind.TABLE, pit="2", game="blackjack"),
        Asset(id="BAC-01", kind=AssetKind.TABLE, pit="2", game="baccarat"),
        Asset(id="SL-2001", kind=AssetKind.MACHINE, pit="10", game="slot"),
        Asset(id="SL-2002", kind=AssetKind.MACHINE, pit="2", game="slot"),
        Asset(id="RL-01", kind=AssetKind.TABLE, pit="1", game="roulette"),
    )
}


def floor_with_assets(policy: Policy | None = None) -> Floor:
    floor = Floor(policy)
    floor.state = floor.state.model_copy(
        update={"assets": dict(ASSETS), "pits": {"2": Pit(id="2", name="Baccarat and blackjack")}}
    )
    return floor


def open_at(floor: Floor, spot: str, priority: Priority, at: float = T0, **player: object) -> int:
    fields: dict[str, object] = {
        "reference": f"VP-1000-{len(floor.state.incidents):04d}",
        "tier": Tier.VIP,
    }
    fields.update(player)
    return floor.open(
        at=at,
        priority=priority,
        kind="table_dispute",
        location=Location(pit="2", spot=spot),
        player=Player.model_validate(fields),
    )


def down(floor: Floor, asset_id: str, at: float = T0) -> int:
    floor.run("pb2", c.StartDowntime(asset_id=asset_id, reason="shuffler fault"), at)
    return floor.state.next_downtime_id - 1


def state_of(floor: Floor, asset_id: str, now: float) -> CellState:
    return floor_cells(floor.state, now)[asset_id].state


def test_a_clear_table_is_clear_and_not_red() -> None:
    floor = floor_with_assets()
    cell = floor_cells(floor.state, T0)["BJ-07"]
    assert cell.state is CellState.CLEAR and not cell.state.is_red
    assert cell.incidents == () and cell.downtime is None and not cell.silent


def test_the_worst_open_incident_colours_the_cell() -> None:
    floor = floor_with_assets()
    open_at(floor, "BJ-07", Priority.P3)
    assert state_of(floor, "BJ-07", T0) is CellState.P3
    open_at(floor, "BJ-07", Priority.P1)
    open_at(floor, "BJ-07", Priority.P2)
    cell = floor_cells(floor.state, T0)["BJ-07"]
    assert cell.state is CellState.P1 and cell.state.is_red
    # worst first, so the screen names the P1 and the list starts with it
    assert [i.priority for i in cell.incidents] == [Priority.P1, Priority.P2, Priority.P3]


def test_a_resolved_incident_no_longer_colours_its_table() -> None:
    floor = floor_with_assets()
    number = open_at(floor, "BJ-07", Priority.P1)
    floor.run("pb2", c.Resolve(incident_id=number, note="hand replayed"), T0 + MIN)
    assert state_of(floor, "BJ-07", T0 + MIN) is CellState.CLEAR


def test_an_incident_names_its_table_in_any_case_and_online_ones_are_on_no_cell() -> None:
    floor = floor_with_assets()
    open_at(floor, " bj-07 ", Priority.P2)
    open_at(floor, "online", Priority.P1)
    cells = floor_cells(floor.state, T0)
    assert cells["BJ-07"].state is CellState.P2
    assert all(cell.state is CellState.CLEAR for key, cell in cells.items() if key != "BJ-07")


def test_a_downtime_is_down_then_red_once_the_player_waits_past_the_limit() -> None:
    policy = Policy(downtime_replace_after=5 * MIN)
    floor = floor_with_assets(policy)
    number = down(floor, "SL-2002")
    downtime = floor.state.downtimes[number]
    assert state_of(floor, "SL-2002", T0 + 5 * MIN - 1) is CellState.DOWN
    assert floor_cells(floor.state, T0)["SL-2002"].changes_at == T0 + 5 * MIN
    assert not downtime_overdue(downtime, T0 + 5 * MIN - 1, policy)
    assert downtime_overdue(downtime, T0 + 5 * MIN, policy)
    cell = floor_cells(floor.state, T0 + 5 * MIN)["SL-2002"]
    assert cell.state is CellState.DOWN_OVERDUE and cell.state.is_red
    assert cell.changes_at is None  # nothing more happens by itself


def test_a_moved_player_takes_the_red_away_while_the_machine_stays_down() -> None:
    floor = floor_with_assets()
    down(floor, "SL-2002")
    floor.run("pb2", c.MovePlayer(asset_id="SL-2002", to="SL-2001"), T0 + 12 * MIN)
    assert state_of(floor, "SL-2002", T0 + 30 * MIN) is CellState.DOWN
    floor.run("pb2", c.EndDowntime(asset_id="SL-2002"), T0 + 31 * MIN)
    assert state_of(floor, "SL-2002", T0 + 31 * MIN) is CellState.CLEAR


@pytest.mark.parametrize(
    ("priority", "minutes", "worst"),
    [
        (Priority.P3, 1, CellState.DOWN),  # down beats a normal incident
        (Priority.P2, 1, CellState.P2),  # a critical incident beats a fresh downtime
        (Priority.P2, 11, CellState.DOWN_OVERDUE),  # a player left past 10:00 beats a P2
        (Priority.P1, 11, CellState.P1),  # nothing beats a P1
    ],
)
def test_incident_against_downtime_the_worse_wins(
    priority: Priority, minutes: float, worst: CellState
) -> None:
    floor = floor_with_assets()
    open_at(floor, "BJ-07", priority)
    down(floor, "BJ-07")
    assert state_of(floor, "BJ-07", T0 + minutes * MIN) is worst


def test_cell_state_ignores_what_is_closed_or_ended() -> None:
    floor = floor_with_assets()
    number = open_at(floor, "BJ-07", Priority.P1)
    floor.run("pb2", c.Resolve(incident_id=number, note="done"), T0 + MIN)
    downtime_id = down(floor, "BJ-07", T0 + MIN)
    floor.run("pb2", c.EndDowntime(asset_id="BJ-07"), T0 + 2 * MIN)
    ended = floor.state.downtimes[downtime_id]
    resolved = floor.state.incidents[number]
    assert cell_state([resolved], ended, T0 + HOUR, floor.state.policy) is CellState.CLEAR


def test_a_silent_visit_marks_the_cell_from_the_incident_or_the_players_flag() -> None:
    floor = floor_with_assets()
    open_at(floor, "BJ-07", Priority.P3, reference="VV-7310-0925", silent_visit=True)
    open_at(floor, "BAC-01", Priority.P4, reference="VV-5555-1234", host_id="h1")
    assert floor_cells(floor.state, T0)["BJ-07"].silent
    assert not floor_cells(floor.state, T0)["BAC-01"].silent
    # the host flags the player: every cell where that player has an open incident shows it
    floor.run("h1", c.SetPlayerFlag(reference="VV-5555-1234", flag=FlagKind.SILENT_VISIT), T0 + MIN)
    cell = floor_cells(floor.state, T0 + MIN)["BAC-01"]
    assert cell.silent and cell.state is CellState.P4  # a mark beside the state, not a state
    assert SILENT_MARK == "⊘"


def test_a_silent_player_whose_incident_is_resolved_is_no_longer_marked() -> None:
    floor = floor_with_assets()
    number = open_at(floor, "BJ-07", Priority.P3, silent_visit=True)
    floor.run("pb2", c.Resolve(incident_id=number, note="done"), T0 + MIN)
    assert not floor_cells(floor.state, T0 + MIN)["BJ-07"].silent


def test_every_state_has_its_own_code_so_colour_is_never_the_only_sign() -> None:
    codes = [s.code for s in CellState]
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 2 for code in codes)
    assert sorted(CellState) == [
        CellState.CLEAR,
        CellState.P4,
        CellState.P3,
        CellState.DOWN,
        CellState.P2,
        CellState.DOWN_OVERDUE,
        CellState.P1,
    ]
    assert {s for s in CellState if s.is_red} == {CellState.P1, CellState.DOWN_OVERDUE}


def test_sections_group_by_pit_then_tables_by_game_then_machines_in_natural_order() -> None:
    floor = floor_with_assets()
    found = sections(floor.state.assets, floor.state.pits)
    assert [(s.pit, s.name) for s in found] == [
        ("1", ""),
        ("2", "Baccarat and blackjack"),
        ("10", ""),
    ]
    pit2 = found[1]
    assert [(b.label, b.asset_ids) for b in pit2.banks] == [
        ("baccarat", ("BAC-01",)),
        ("blackjack", ("BJ-2", "BJ-07", "BJ-10")),
        ("slot", ("SL-2002",)),  # machines after tables
    ]
    assert pit2.asset_ids == ("BAC-01", "BJ-2", "BJ-07", "BJ-10", "SL-2002")


def test_natural_key_orders_numbers_as_numbers() -> None:
    ids = ["HL-1150", "BJ-10", "BJ-2", "bj-3", "HL-999"]
    assert sorted(ids, key=natural_key) == ["BJ-2", "bj-3", "BJ-10", "HL-999", "HL-1150"]
    # a superscript is a digit to str.isdigit but no number: an id, not a crash
    assert sorted(["SL-²", "SL-2"], key=natural_key) == ["SL-2", "SL-²"]
