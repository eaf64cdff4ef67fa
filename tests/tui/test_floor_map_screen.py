"""The floor map screen on the demo floor: codes and marks, keys, live recolouring."""

from __future__ import annotations

import re

from textual.widgets import Static

from domain import commands as c
from domain.floor_map import CellState, floor_cells
from domain.models import Asset, AssetKind, Location, Player, Priority, Tier
from screens.floor_map import FloorMapScreen
from screens.incident import IncidentScreen
from screens.map_cell_modal import MapCellModal
from screens.queue import QueueScreen
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_lines
from tui.widgets.floor_map import FloorMap

from .test_incident_helpers import find_incident, notices

MIN = 60.0


async def open_map(app, pilot) -> FloorMapScreen:
    await pilot.pause()
    await pilot.press("L")
    for _ in range(100):
        if isinstance(app.screen, FloorMapScreen) and app.screen.query(FloorMap):
            break
        await pilot.pause(0.02)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, FloorMapScreen)
    return screen


def current(app) -> object:
    return app.screen


def shown(app) -> str:
    return "\n".join(screen_lines(app))


def cell_text(app, asset_id: str) -> str:
    """The cell as drawn: `P1 BJ-07 ⊘`, the cursor's brackets left out."""
    match = re.search(r"[\[ ](\S\S) " + re.escape(asset_id) + r" +(⊘?)", shown(app))
    assert match is not None, f"{asset_id} is not on screen:\n{shown(app)}"
    return f"{match.group(1)} {asset_id}{' ' + match.group(2) if match.group(2) else ''}"


def detail(screen: FloorMapScreen) -> str:
    return str(screen.query_one("#map-detail", Static).content)


async def test_every_cell_says_the_rules_state_for_the_whole_floor(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_map(app, pilot)
        cells = floor_cells(floor.state, floor.now())
        assert len(cells) == len(floor.truth.assets)
        for asset_id, cell in cells.items():
            mark = " ⊘" if cell.silent else ""
            assert cell_text(app, asset_id) == f"{cell.state.code} {asset_id}{mark}"
        # the shift's journeys: the disputed hand at BJ-07, the jammed machine four
        # minutes down, a table whose players were moved, a slot down 25 minutes
        assert cell_text(app, "BJ-07").startswith("P1 ")
        assert cell_text(app, "HL-1142") == "DN HL-1142"
        assert cell_text(app, "BAC-03") == "DN BAC-03"
        assert cell_text(app, "SL-2004") == "D! SL-2004"
        text = shown(app)
        assert "Pit 1 · Main floor" in text and "Pit 3 · High-limit room" in text
        assert "Map: whole floor" in text


async def test_a_pit_boss_sees_their_pit_only(static_floor, make_app) -> None:
    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_map(app, pilot)
        text = shown(app)
        assert "Map: pit 2" in text
        assert "Pit 2 · Baccarat and blackjack" in text
        assert "Pit 1" not in text and "SL-2004" not in text and "HL-1142" not in text
        assert "P1 BJ-07" in text


async def test_the_map_shows_no_player_only_the_silent_visit_mark(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_map(app, pilot)
        silent = [a for a, cell in floor_cells(floor.state, floor.now()).items() if cell.silent]
        assert silent, "the demo floor has a silent visit at a table"
        screen.map.cursor = silent[0]
        await pilot.pause()
        assert "⊘ silent visit: no public calls" in detail(screen)
        text = shown(app)
        for incident in floor.state.incidents.values():
            reference = incident.player.reference
            assert reference not in text and incident.player.display not in text


async def test_arrows_move_by_cell_and_row_and_enter_opens_the_cells_incident(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_map(app, pilot)
        fmap = screen.map
        # pit 2: baccarat BAC-01..04, then blackjack BJ-05..08, four to a row at 80 columns
        assert fmap.cursor == "BAC-01"
        assert "[·· BAC-01" in shown(app)  # the cursor brackets its cell: not colour alone
        await pilot.press("right", "right")
        assert fmap.cursor == "BAC-03"
        assert "players moved to BAC-04" in detail(screen)
        await pilot.press("down")
        assert fmap.cursor == "BJ-07"
        assert "[P1 BJ-07" in shown(app)
        bj07 = find_incident(floor, "VV-2231-4411")  # journey 1's disputed hand
        assert f"#{bj07} P1 game/result dispute, acknowledged (+1 more" in detail(screen)
        await pilot.press("left", "up")
        assert fmap.cursor == "BAC-02"
        await pilot.press("down", "down")  # held at the last row
        assert fmap.cursor == "BJ-06"
        await pilot.press("end")
        assert fmap.cursor == "BJ-08"
        await pilot.press("home")
        assert fmap.cursor == "BAC-01"

        cells = floor_cells(floor.state, floor.now())
        single = next(a for a in fmap.grid.order if len(cells[a].incidents) == 1)
        fmap.cursor = single
        await pilot.pause()
        assert "(enter opens it)" in detail(screen)
        await pilot.press("enter")  # one incident: straight to it
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        assert app.screen.incident_id == cells[single].incidents[0].id
        await pilot.press("escape")  # back to the map, not home
        await pilot.pause()
        assert current(app) is screen and fmap.cursor == single
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)


async def test_enter_on_a_cell_with_several_incidents_lists_them_worst_first(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_map(app, pilot)
        cells = floor_cells(floor.state, floor.now())
        busy = next(a for a, cell in cells.items() if len(cell.incidents) > 1)
        expected = [i.id for i in cells[busy].incidents]
        screen.map.cursor = busy
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, MapCellModal)
        assert [number for number, _ in modal.incidents] == expected
        lines = [line.plain for _, line in modal.incidents]
        assert lines[0].startswith(f"#{expected[0]} {cells[busy].incidents[0].priority}")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        assert app.screen.incident_id == expected[1]


async def test_enter_on_a_clear_cell_does_nothing_and_says_so_in_the_detail(
    static_floor, make_app
) -> None:
    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_map(app, pilot)
        assert screen.map.cursor == "BAC-01"
        assert "no open incident" in detail(screen)
        assert screen.check_action("open", ()) is None  # dimmed in the footer
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen


async def test_r_jumps_to_each_red_cell_in_turn_and_round_again(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_map(app, pilot)
        fmap = screen.map
        cells = floor_cells(floor.state, floor.now())
        red = [a for a in fmap.grid.order if cells[a].state.is_red]
        assert "BJ-07" in red and "SL-2004" in red
        seen = []
        for _ in range(len(red) + 1):
            await pilot.press("r")
            seen.append(fmap.cursor)
        assert seen == [*red, red[0]]


async def test_r_with_nothing_red_says_so(static_floor, make_app) -> None:
    floor = static_floor("pb3")  # the high-limit room: one machine down four minutes
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_map(app, pilot)
        before = screen.map.cursor
        await pilot.press("r")
        await pilot.pause()
        assert screen.map.cursor == before
        assert any("Nothing is red" in n for n in notices(app))


async def test_cells_recolour_as_events_arrive_and_as_the_clock_passes_the_limit(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_map(app, pilot)
        assert cell_text(app, "RL-01") == "·· RL-01"
        # another terminal opens a P1 at the roulette table, for a silent-visit player
        events = floor.submit_as(
            "pb1",
            c.OpenIncident(
                kind="game_unavailable",
                priority=Priority.P1,
                channel="on_site",
                player=Player(reference="VV-1111-2222", tier=Tier.VVIP, silent_visit=True),
                location=Location(pit="1", spot="RL-01"),
            ),
        )
        await pilot.pause()
        await pilot.pause()
        assert cell_text(app, "RL-01") == "P1 RL-01 ⊘"
        # the pit's heading counts it
        assert re.search(r"Pit 1 · Main floor\s+2 P1", shown(app))

        number = events[0].incident_id
        floor.submit_as("pb1", c.Resolve(incident_id=number, note="wheel fixed"))
        await pilot.pause()
        await pilot.pause()
        assert cell_text(app, "RL-01") == "·· RL-01"

        # journey 2: HL-1142 went down four minutes ago; past 10:00 it turns red
        assert cell_text(app, "HL-1142") == "DN HL-1142"
        floor.advance(5 * MIN)
        app.tick()
        await pilot.pause()
        assert cell_text(app, "HL-1142") == "DN HL-1142"
        floor.advance(1 * MIN + 1)
        app.tick()
        await pilot.pause()
        assert cell_text(app, "HL-1142") == "D! HL-1142"
        screen.map.cursor = "HL-1142"
        await pilot.pause()
        assert "move the player" in detail(screen)
        # moved: still down, no longer red
        floor.submit_as("pb3", c.MovePlayer(asset_id="HL-1142", to="HL-1150"))
        await pilot.pause()
        await pilot.pause()
        assert cell_text(app, "HL-1142") == "DN HL-1142"
        assert floor_cells(floor.state, floor.now())["HL-1142"].state is CellState.DOWN


async def test_the_map_is_in_the_command_palette_and_the_help(static_floor, make_app) -> None:
    from tui.palette import FloorCommands

    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        provider = FloorCommands(app.screen)
        names = [hit.text async for hit in provider.discover()]
        assert "Everywhere: Floor map" in names
        (hit, *_) = [hit async for hit in provider.search("floor map")]
        await hit.command()
        await pilot.pause()
        assert isinstance(app.screen, FloorMapScreen)
        names = [hit.text async for hit in FloorCommands(app.screen).discover()]
        assert "Floor map: Next red" in names and "Floor map: Incidents" not in names


def big_floor(static_floor, tables: int = 500):
    """The demo floor with `tables` more tables in five pits, and a P1 on the last one."""
    floor = static_floor("dm1")
    extra = {
        f"T{p}-{n:03d}": Asset(
            id=f"T{p}-{n:03d}",
            kind=AssetKind.TABLE,
            pit=str(p),
            game=("blackjack", "baccarat", "roulette", "craps")[n % 4],
        )
        for p in range(1, 6)
        for n in range(1, tables // 5 + 1)
    }
    floor.truth = floor.truth.model_copy(update={"assets": {**floor.truth.assets, **extra}})
    last = max(extra)
    floor.submit_as(
        "dm1",
        c.OpenIncident(
            kind="table_dispute",
            priority=Priority.P1,
            channel="on_site",
            player=Player(reference="VP-1234-5678", tier=Tier.VIP),
            location=Location(pit=extra[last].pit, spot=last),
        ),
    )
    return floor, last


def check_rows_unwrapped(app, fmap: FloorMap) -> None:
    top = round(fmap.scroll_y)
    first = fmap.region.y
    rows = screen_lines(app)[first : first + fmap.scrollable_content_region.height]
    for offset, row in enumerate(rows):
        row = row.rstrip("\n")
        assert len(row) <= app.size.width
        line = fmap.grid.lines[top + offset]
        on_screen = re.findall(r"\S\S ([A-Z]+\d?-\d+)\b", row)
        assert tuple(on_screen) == line.asset_ids, row


async def test_a_500_table_floor_scrolls_without_wrapping(static_floor, make_app) -> None:
    floor, last = big_floor(static_floor)
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_map(app, pilot)
        fmap = screen.map
        layout = fmap.grid
        assert len(layout.order) == len(floor.truth.assets) >= 500
        assert len(layout.lines) > 100  # far more than a screen: it scrolls
        # no wrapping: each screen row shows exactly one layout line's cells, whole
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        check_rows_unwrapped(app, fmap)
        await pilot.press("end")
        await pilot.pause()
        assert fmap.cursor == layout.order[-1]
        assert fmap.scroll_y > 100
        assert layout.order[-1] in shown(app)
        check_rows_unwrapped(app, fmap)
        await pilot.press("home", "r")
        await pilot.pause()
        red = [a for a in layout.order if fmap.model.cells[a].state.is_red]
        assert fmap.cursor == red[0]
        for _ in range(len(red) - 1):
            await pilot.press("r")
        await pilot.pause()
        assert fmap.cursor == last  # the far end of the floor, scrolled into view
        assert f"[P1 {last}" in shown(app)


async def test_a_wide_terminal_puts_more_cells_on_each_line(static_floor, make_app) -> None:
    floor, _ = big_floor(static_floor)
    app = make_app(floor)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_map(app, pilot)
        wide = screen.map.grid
        assert wide.cell_x(wide.per_line + 1) > screen.map.scrollable_content_region.width
        assert wide.per_line >= 9
    app = make_app(big_floor(static_floor)[0])
    async with app.run_test(size=(80, 24)) as pilot:
        narrow = (await open_map(app, pilot)).map.grid
        assert narrow.per_line * 2 <= wide.per_line
        assert len(narrow.lines) > len(wide.lines)


async def test_locked_the_map_hides_its_cells_list_and_the_lock_shows_the_queue(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_map(app, pilot)
        await pilot.press("r", "enter")  # BJ-02: several incidents, listed
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, MapCellModal)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert modal.has_class("-locked")
        assert not modal.query_one("#dialog").display  # the list is hidden under the lock
        assert screen.check_action("open", ()) is None
        # the lock is opaque: the floor shows in its own masked queue, the map is back
        # as it was once unlocked
        assert "P1 BJ-02" not in shown(app)
        assert "Locked" in shown(app) and "••••••" in shown(app)
        await pilot.press(*floor.pins["dm1"], "enter")
        await settle(app, pilot)
        assert app.screen is modal and not app.locked
        assert "P1 BJ-02" in shown(app)


async def test_a_host_sees_every_table_coloured_by_their_own_players_only(
    static_floor, make_app
) -> None:
    floor = static_floor("h1")
    app = make_app(floor)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_map(app, pilot)
        assert "Map: floor, your players' incidents" in shown(app)
        assert sorted(screen.model.cells) == sorted(floor.truth.assets)  # every pit
        for asset_id, cell in screen.model.cells.items():
            assert all(
                i.player.host_id == "h1" or "h1" in (i.owner, i.opened_by) for i in cell.incidents
            )
            assert cell_text(app, asset_id).startswith(cell.state.code)
        # downtimes carry no personal data: a host sees them all
        assert cell_text(app, "SL-2004") == "D! SL-2004"
        # another host's player's incident leaves its table clear on this terminal
        everything = floor_cells(static_floor("dm1").state, floor.now())
        hidden = [
            a
            for a, cell in everything.items()
            if cell.incidents and not screen.model.cells[a].incidents
        ]
        assert hidden and all(cell_text(app, a).startswith(("··", "DN", "D!")) for a in hidden)


async def test_a_table_added_to_the_floor_appears_in_its_bank(static_floor, make_app) -> None:
    from api_client.contract import Changes

    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_map(app, pilot)
        screen.map.cursor = "BJ-07"
        await pilot.pause()
        assert "BJ-09" not in shown(app)
        added = Asset(id="BJ-09", kind=AssetKind.TABLE, pit="2", game="blackjack")
        # as an imported floor reaches a terminal: new assets, folded and announced
        floor.truth = floor.truth.model_copy(
            update={"assets": {**floor.truth.assets, added.id: added}}
        )
        floor._publish_changes(Changes(events=()))
        await pilot.pause()
        await pilot.pause()
        assert cell_text(app, "BJ-09") == "·· BJ-09"
        layout = screen.map.grid
        assert layout.order[layout.order.index("BJ-08") + 1] == "BJ-09"  # after BJ-08
        assert screen.map.cursor == "BJ-07"  # still where it was
