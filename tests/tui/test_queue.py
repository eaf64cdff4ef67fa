"""The queue as floor staff use it: order, filters, views, acknowledging from the list."""

from __future__ import annotations

from domain.models import IncidentState, Priority
from domain.sla import risk_key
from screens.queue import QueueScreen
from tests.tui.conftest import settle
from tui.queue_model import View
from tui.widgets.incident_table import IncidentTable, layout


def _rows(app) -> list:
    return list(app.screen.query_one(IncidentTable)._rows)


async def test_unacknowledged_p1_is_pinned_on_top_and_the_rest_sorted_by_risk(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = _rows(app)
        assert rows[0].priority is Priority.P1 and rows[0].state is IncidentState.NEW
        unpinned = [r for r in rows if not (r.priority is Priority.P1 and r.state == "new")]
        assert rows[: len(rows) - len(unpinned)] == [
            r for r in rows if r.priority is Priority.P1 and r.state == "new"
        ]
        keys = [risk_key(r) for r in rows]
        assert keys == sorted(keys)


async def test_slash_filter_narrows_the_queue_and_escape_clears_it(static_floor, make_app) -> None:
    app = make_app(static_floor("dm1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        everything = len(_rows(app))
        await pilot.press("slash", *"BJ-07")
        await pilot.pause()
        narrowed = _rows(app)
        assert 0 < len(narrowed) < everything
        assert all(r.location.spot == "BJ-07" for r in narrowed)
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert len(_rows(app)) == everything


async def test_priority_keys_toggle_a_priority_filter(static_floor, make_app) -> None:
    app = make_app(static_floor("dm1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        assert {r.priority for r in _rows(app)} == {Priority.P1}
        await pilot.press("2")
        assert {r.priority for r in _rows(app)} == {Priority.P1, Priority.P2}
        await pilot.press("1", "2")
        assert len({r.priority for r in _rows(app)}) == 4


async def test_view_cycle_offers_only_what_the_role_allows(static_floor, make_app) -> None:
    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        seen = [screen.filters.view]
        for _ in range(3):
            await pilot.press("v")
            seen.append(screen.filters.view)
        # a pit boss starts on their pit and never gets the whole floor
        assert seen == [View.PIT, View.MINE, View.PIT, View.MINE]
        await pilot.press("v")
        assert all(r.location.pit == "2" for r in _rows(app))


async def test_duty_manager_starts_on_the_whole_floor_host_on_their_own(
    static_floor, make_app
) -> None:
    for staff, first in (("dm1", View.FLOOR), ("h1", View.MINE)):
        app = make_app(static_floor(staff))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.screen.filters.view is first


async def test_ack_from_the_queue_updates_the_row_and_keeps_the_cursor_on_it(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    app = make_app(floor, cursor_blink=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        table = app.screen.query_one(IncidentTable)
        target = table.selected
        assert target is not None and target.state is IncidentState.NEW
        await pilot.press("a")
        await settle(app, pilot)
        assert table.selected_id == target.id  # it re-sorted; the cursor followed it
        assert table.selected.state is IncidentState.ACKNOWLEDGED
        assert "acked" in _visible_text(app)
        assert any(f"Acknowledged #{target.id}" in n.message for n in app._notifications)


async def test_take_sends_the_version_the_user_saw(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        seen = app.screen.query_one(IncidentTable).selected
        await pilot.press("t")
        await settle(app, pilot)
        take = floor.submitted[-1]
        assert take.type == "take" and take.expected_version == seen.version
        assert app.screen.query_one(IncidentTable).selected.owner == "dm1"


async def test_pending_commands_are_marked_on_their_rows(static_floor, make_app) -> None:
    from domain.commands import AddNote

    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        floor.set_pending(AddNote(incident_id=40, text="on my way"))
        await pilot.pause()
        line = next(line for line in _visible_text(app).splitlines() if line.startswith("#40"))
        assert "↻" in line


def test_narrow_layout_keeps_the_columns_a_pit_boss_needs() -> None:
    narrow = [c.key for c, _ in layout(78)]
    assert narrow[:3] == ["number", "mark", "priority"]
    for key in ("tier", "player", "location", "state", "line", "next"):
        assert key in narrow
    assert "owner" not in narrow
    assert sum(w for _, w in layout(78)) + len(narrow) - 1 <= 78
    assert {"kind", "owner", "update"} <= {c.key for c, _ in layout(118)}


def _visible_text(app) -> str:
    table = app.screen.query_one(IncidentTable)
    return "\n".join(table.render_line(y).text for y in range(table.size.height))
