"""The floor map's layout and its kept cells, without Textual."""

from __future__ import annotations

from domain import commands as c
from domain.floor_map import CellState, floor_cells, sections
from domain.models import Asset, AssetKind, Location, Pit, Player, Priority, Tier
from tests.domain.floor import T0, Floor
from tui.floor_map_model import CELL_EXTRA, MapLayout, MapModel

MIN = 60.0


def big_assets(pits: int, per_pit: int) -> dict[str, Asset]:
    return {
        f"T{p}-{n:03d}": Asset(
            id=f"T{p}-{n:03d}",
            kind=AssetKind.TABLE,
            pit=str(p),
            game=("blackjack", "baccarat")[n % 2],
        )
        for p in range(1, pits + 1)
        for n in range(1, per_pit + 1)
    }


def test_cells_fill_the_width_and_no_line_is_wider() -> None:
    assets = big_assets(5, 100)
    pits = sections(assets, {})
    for width in (40, 80, 120, 160, 300):
        layout = MapLayout(pits, width)
        used = layout.cell_x(layout.per_line)
        assert used <= width or layout.per_line == 1
        # one more cell would not have fitted: the width is used
        assert layout.cell_x(layout.per_line + 1) > width
        assert sorted(layout.position) == sorted(assets)
    narrow, wide = MapLayout(pits, 80), MapLayout(pits, 160)
    assert wide.per_line > 2 * narrow.per_line - 1
    assert len(wide.lines) < len(narrow.lines)
    assert narrow.cell_width == len("T1-001") + CELL_EXTRA


def test_a_terminal_too_narrow_for_one_cell_still_shows_one_per_line() -> None:
    layout = MapLayout(sections(big_assets(1, 3), {}), 10)
    assert layout.per_line == 1
    assert [line.asset_ids for line in layout.lines if line.asset_ids] == [
        ("T1-001",),  # baccarat first (odd numbers), then blackjack
        ("T1-003",),
        ("T1-002",),
    ]


def test_each_pit_has_a_heading_then_its_banks_each_on_lines_of_their_own() -> None:
    assets = {
        a.id: a
        for a in (
            Asset(id="BJ-01", kind=AssetKind.TABLE, pit="1", game="blackjack"),
            Asset(id="BJ-02", kind=AssetKind.TABLE, pit="1", game="blackjack"),
            Asset(id="SL-01", kind=AssetKind.MACHINE, pit="1", game="slot"),
            Asset(id="BAC-01", kind=AssetKind.TABLE, pit="2", game="baccarat"),
        )
    }
    layout = MapLayout(sections(assets, {"1": Pit(id="1", name="Main")}), 80)
    shape = [(line.heading, line.pit, line.label, line.asset_ids) for line in layout.lines]
    assert shape == [
        (True, "1", "", ()),
        (False, "1", "blackjack", ("BJ-01", "BJ-02")),
        (False, "1", "slot", ("SL-01",)),
        (True, "2", "", ()),
        (False, "2", "baccarat", ("BAC-01",)),
    ]
    assert layout.order == ("BJ-01", "BJ-02", "SL-01", "BAC-01")
    # the first row of a pit keeps its heading in view
    assert layout.first_line_of("BAC-01") == 3
    assert layout.first_line_of("SL-01") == 2


def test_moving_goes_by_column_across_banks_and_pits_and_stops_at_the_edges() -> None:
    assets = big_assets(2, 10)  # per pit: 5 baccarat, 5 blackjack
    layout = MapLayout(sections(assets, {}), 3 * (6 + CELL_EXTRA) + 10)  # 3 to a line
    assert layout.per_line == 3
    rows = [line.asset_ids for line in layout.lines if line.asset_ids]
    assert rows[0] == ("T1-001", "T1-003", "T1-005")
    assert rows[1] == ("T1-007", "T1-009")
    assert layout.moved("T1-003", lines=1) == "T1-009"
    assert layout.moved("T1-005", lines=1) == "T1-009"  # the shorter row's last cell
    assert layout.moved("T1-009", lines=1) == "T1-004"  # the next bank's row, same column
    # down from pit 1's last row skips pit 2's heading
    last_of_pit1 = rows[3][0]
    assert layout.moved(last_of_pit1, lines=1) == rows[4][0]
    assert rows[4][0].startswith("T2-")
    assert layout.moved("T1-001", lines=-1) == "T1-001"  # the top edge
    assert layout.moved("T1-005", columns=1) == "T1-007"  # reading order runs on
    assert layout.moved("T1-001", columns=-1) == "T1-001"
    assert layout.moved(layout.order[-1], columns=1) == layout.order[-1]
    assert layout.moved("T1-001", lines=100) == rows[-1][0]  # a page past the end: the last row
    assert layout.moved("gone", lines=1) == layout.order[0]


def _floor() -> Floor:
    floor = Floor()
    assets = {
        "BJ-07": Asset(id="BJ-07", kind=AssetKind.TABLE, pit="2", game="blackjack"),
        "BJ-08": Asset(id="BJ-08", kind=AssetKind.TABLE, pit="2", game="blackjack"),
        "SL-01": Asset(id="SL-01", kind=AssetKind.MACHINE, pit="1", game="slot"),
    }
    floor.state = floor.state.model_copy(update={"assets": assets})
    return floor


def _open(floor: Floor, spot: str, priority: Priority) -> int:
    return floor.open(
        priority=priority,
        kind="table_dispute",
        location=Location(pit="2", spot=spot),
        player=Player(reference="VP-1000-2000", tier=Tier.VIP),
    )


def state_of(model: MapModel, asset_id: str) -> CellState:
    return model.cells[asset_id].state


def test_the_model_remakes_only_the_cells_a_change_touches() -> None:
    floor = _floor()
    model = MapModel()
    model.rebuild(floor.state, T0, lambda pit: True)
    before = dict(model.cells)
    number = _open(floor, "BJ-07", Priority.P1)
    touched = model.update(floor.state, T0, {number}, ())
    assert touched == {"BJ-07"}
    assert model.cells["BJ-07"].state is CellState.P1
    assert model.cells["BJ-08"] is before["BJ-08"]  # untouched cells are kept as they were
    floor.run("pb2", c.Resolve(incident_id=number, note="replayed"), T0 + MIN)
    assert model.update(floor.state, T0 + MIN, {number}, ()) == {"BJ-07"}
    assert state_of(model, "BJ-07") is CellState.CLEAR
    # the kept cells equal the rule applied to the whole floor afresh
    assert model.cells == floor_cells(floor.state, T0 + MIN)


def test_the_tick_turns_a_downtime_red_at_its_limit_and_touches_nothing_else() -> None:
    floor = _floor()
    floor.run("pb1", c.StartDowntime(asset_id="SL-01", reason="screen dead"), T0)
    model = MapModel()
    model.rebuild(floor.state, T0, lambda pit: True)
    assert model.cells["SL-01"].state is CellState.DOWN
    assert model.tick(T0 + 9 * MIN) == set()
    limit = floor.state.policy.downtime_replace_after
    assert model.tick(T0 + limit) == {"SL-01"}
    assert state_of(model, "SL-01") is CellState.DOWN_OVERDUE
    assert model.tick(T0 + limit + 1) == set()
    number = floor.state.next_downtime_id - 1
    floor.run("pb1", c.EndDowntime(asset_id="SL-01"), T0 + limit + 2)
    assert model.update(floor.state, T0 + limit + 2, (), {number}) == {"SL-01"}
    assert state_of(model, "SL-01") is CellState.CLEAR


def test_the_model_shows_only_the_pits_it_is_told_to() -> None:
    floor = _floor()
    model = MapModel()
    model.rebuild(floor.state, T0, lambda pit: pit == "2")
    assert sorted(model.cells) == ["BJ-07", "BJ-08"]
    assert [p.pit for p in model.pits] == ["2"]
    number = floor.state.next_downtime_id
    floor.run("pb1", c.StartDowntime(asset_id="SL-01", reason="screen dead"), T0)
    assert model.update(floor.state, T0, (), {number}) == set()
    assert not model.needs_rebuild(floor.state)
    moved = floor.state.model_copy(update={"assets": {**floor.state.assets}})
    assert model.needs_rebuild(moved)  # the assets changed: lay the floor out again
