"""The queue as floor staff use it: order, filters, views, acknowledging from the list."""

from __future__ import annotations

import re

from api_client.contract import Changes
from domain.commands import Acknowledge
from domain.models import Incident, IncidentState, Priority
from domain.sla import attainment, owes_follow_up, risk_key, shift_start
from screens.queue import QueueScreen
from tests.tui.conftest import settle
from tests.tui.e2e import until
from tests.tui.screen_text import screen_lines
from tui.floor_summary import queue_summary
from tui.queue_model import View, haystack
from tui.timefmt import format_clock
from tui.widgets.incident_table import IncidentTable, layout
from tui.widgets.queue_cells import short_name


def _rows(app) -> list[Incident]:
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


async def test_the_night_view_shows_the_sla_kept_this_shift(static_floor, make_app) -> None:
    """Journey 7: a duty manager sees the shift's SLA attainment; a pit boss does not."""
    for staff in ("dm1", "pb2"):
        floor = static_floor(staff)
        app = make_app(floor)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            summary = str(app.screen.query_one("#queue-summary").content)
            if staff == "pb2":
                assert "shift SLA" not in summary
                continue
            now = app.now
            since = shift_start(now, floor.state.policy)
            kept = attainment(floor.state.incidents.values(), since, now)
            assert kept.share is not None and kept.broken  # the demo night has both
            assert f"shift SLA {kept.share:.0%}" in summary


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
        await pilot.press("a")  # the acknowledge dialog: enter is a plain ack, no ETA
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert table.selected_id == target.id  # it re-sorted; the cursor followed it
        assert table.selected.state is IncidentState.ACKNOWLEDGED
        assert "acked" in _visible_text(app)
        assert any(f"acknowledged #{target.id}" in n.message for n in app.notified)


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


def test_narrow_layout_shows_what_every_incident_must_show() -> None:
    # 80 columns, 79 of them beside the scrollbar: number, owner, SLA and the promised
    # update time always; who and where too, every title whole, nothing off the edge
    for width in (79, 80):
        columns = layout(width)
        keys = [c.key for c, _ in columns]
        assert keys[:3] == ["number", "mark", "priority"]
        for key in ("tier", "player", "location", "state", "owner", "next", "update"):
            assert key in keys, (width, key)
        assert sum(size + c.gap for c, size in columns) - columns[-1][0].gap == width
        assert all(len(c.title) <= size for c, size in columns)
        assert dict((c.key, size) for c, size in columns)["player"] >= len("⊘ VV-****-1930")
    # a little wider, the escalation line comes back, then the kind
    assert "line" in [c.key for c, _ in layout(84)]
    assert {"kind", "owner", "update", "line"} <= {c.key for c, _ in layout(100)}
    assert {"kind", "owner", "update", "line"} <= {c.key for c, _ in layout(118)}
    for width in range(60, 140):
        columns = layout(width)
        assert sum(size + c.gap for c, size in columns) - columns[-1][0].gap <= width, width


def test_an_owner_is_shortened_only_as_far_as_the_column_needs() -> None:
    assert short_name("Jordan T.", 9) == "Jordan T."
    assert short_name("Jordan T.", 8) == "Jordan T"
    assert short_name("Floor Admin", 8) == "Floor A."
    assert short_name("Mary Ann Lee", 7) == "Mary L."
    assert short_name("Alexandria", 8) == "Alexandria"  # nothing shorter says who: cut later


async def test_the_narrow_queue_shows_owner_and_promised_update_on_every_row(
    static_floor, make_app
) -> None:
    app = make_app(static_floor("dm1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        seen = _screen(app)
        header = _header_line(seen)
        assert seen[header].rstrip() == (
            "#       P  Tier Player         Location   State   Owner          Next due Upd"
        )
        floor = app.screen.floor
        table = app.screen.query_one(IncidentTable)
        rows = _rows(app)[: table.size.height - 1]
        for line, incident in zip(seen[header + 1 :], rows, strict=False):
            assert line.startswith(f"#{incident.id} ")
            owner = floor.staff_name(incident.owner)
            assert f" {owner} " in line or f" {owner.rstrip('.')} " in line, line
            if incident.next_update_due is not None:
                assert format_clock(incident.next_update_due, floor.policy.timezone) in line


def _visible_text(app) -> str:
    table = app.screen.query_one(IncidentTable)
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


def _screen(app) -> list[str]:
    """The terminal as the user sees it: every line as composed from the widgets."""
    return screen_lines(app)


async def _repainted(app, pilot) -> list[str]:
    """The same screen painted again from nothing (the partial repaints are not trusted)."""
    for widget in app.screen.walk_children():
        widget.refresh()
    await pilot.pause()
    return _screen(app)


def _shown_numbers(lines: list[str]) -> list[int]:
    return [int(line.split()[0][1:]) for line in lines if line[:2].strip("#").isdigit()]


async def test_countdowns_keep_ticking_on_every_visible_row(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down")
        first = _screen(app)
        # a second (the seconds change), a minute and more (the minutes roll), an hour
        for seconds in (1, 61, 3600):
            floor.advance(seconds)
            app.tick()
            await pilot.pause()
            ticked = _screen(app)
            assert ticked == await _repainted(app, pilot)
        header = next(n for n, line in enumerate(ticked) if "Next due" in line)
        end = ticked[header].index("Next due") + len("Next due")
        rows = slice(header + 1, header + 18)
        assert [line[end - 14 : end] for line in first[rows]] != [
            line[end - 14 : end] for line in ticked[rows]
        ]
        # the seconds line up: countdowns are right-aligned under their title
        assert {line[end - 1] for line in ticked[rows]} <= set("0123456789h")


async def test_countdowns_follow_the_rows_when_the_list_scrolls(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(120, 16)) as pilot:
        await pilot.pause()
        top = _shown_numbers(_screen(app))
        for keys in (("end",), ("pageup",), ("home",)):
            await pilot.press(*keys)
            await pilot.pause()
            assert _screen(app) == await _repainted(app, pilot), keys
            floor.advance(1)
            app.tick()
            await pilot.pause()
            seen = _screen(app)
            assert seen == await _repainted(app, pilot), keys
        assert _shown_numbers(seen) == top
        await pilot.press("end")
        await pilot.pause()
        assert _shown_numbers(_screen(app)) != top  # it did scroll


async def test_a_change_repaints_what_it_moved_and_keeps_the_order(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        pinned = _rows(app)[0]
        assert pinned.priority is Priority.P1 and pinned.state is IncidentState.NEW
        await pilot.press("down", "down")  # the cursor's row stays in view: nothing scrolls
        floor.submit_as("dm2", Acknowledge(incident_id=pinned.id))
        await settle(app, pilot)
        seen = _screen(app)
        assert seen == await _repainted(app, pilot)
        shown = _shown_numbers(seen)
        in_view = [i for i in app.screen.floor.incidents.values() if i.state.is_open]
        expected = [i.id for i in sorted(in_view, key=risk_key)]
        assert shown == expected[: len(shown)]
        assert pinned.id in shown and shown[0] != pinned.id  # no longer pinned on top
        # the counts above the queue are those of the floor as it is now
        floor_now = app.screen.floor
        fresh = queue_summary(floor_now.incidents.values(), floor_now, app.now)
        counts = " ".join(f"{p} {n}" for p, n in fresh.by_priority.items())
        assert counts in seen[0] and f"breached {fresh.breached}" in seen[0]


async def test_filter_shows_the_matching_rows_while_typing_and_deleting(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        everything = _shown_numbers(_screen(app))
        await pilot.press("slash")
        await pilot.pause()
        header = _header_line(_screen(app))
        for typed, text in (("b", "b"), ("j", "bj"), ("-", "bj-"), ("0", "bj-0"), ("7", "bj-07")):
            await pilot.press(typed)
            await pilot.pause()
            seen = _screen(app)
            shown = _shown_numbers(seen)
            floor_now = app.screen.floor
            matching = [
                i
                for i in floor_now.incidents.values()
                if (i.state.is_open or owes_follow_up(i, floor_now.policy))
                and text in haystack(i, floor_now)
            ]
            assert shown, text
            assert shown == [i.id for i in sorted(matching, key=risk_key)][: len(shown)], text
            assert f"showing {len(matching)}: text “{text}”" in "\n".join(seen[:3])
            assert _header_line(seen) == header  # the rows stay where they are
        for _ in range(5):
            await pilot.press("backspace")
        await pilot.pause()
        seen = _screen(app)
        shown = _shown_numbers(seen)
        assert shown == everything[: len(shown)] and len(shown) >= len(everything) - 2
        assert _header_line(seen) == header


def _header_line(lines: list[str]) -> int:
    return next(n for n, line in enumerate(lines) if "Next due" in line)


async def test_countdowns_move_with_the_columns_when_the_scrollbar_comes_and_goes(
    static_floor, make_app
) -> None:
    # at 80x24 the whole floor needs a scrollbar and one match does not: the table's
    # width, and with it where every countdown sits, changes by a column each way
    app = make_app(static_floor("dm1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(IncidentTable)
        assert table.show_vertical_scrollbar
        await pilot.press("slash", *"car", "enter")
        await settle(app, pilot)
        assert not table.show_vertical_scrollbar
        await pilot.press("enter")  # open the match
        await settle(app, pilot)
        await pilot.press("escape")  # back to the queue
        await settle(app, pilot)
        await pilot.press("escape")  # clear the filter: every row, and the scrollbar, again
        await settle(app, pilot)
        assert table.show_vertical_scrollbar and table.scroll_y == 0
        seen = _screen(app)
        assert seen == await _repainted(app, pilot)
        header = _header_line(seen)
        end = seen[header].index("Next due") + len("Next due")
        # the seconds of every countdown under the title's last letters, the promised
        # update after them, and nothing past the scrollbar's edge
        rows = seen[header + 1 : header + table.size.height]
        assert all(line[end - 1] in "0123456789h" for line in rows)
        edge = table.scrollable_content_region.right
        assert all(re.fullmatch(r" \d\d:\d\d *", line[end:edge]) for line in rows)
    fresh = make_app(static_floor("dm1"))
    async with fresh.run_test(size=(80, 24)) as pilot:
        await settle(fresh, pilot)
        assert _screen(fresh)[header:] == seen[header:]


async def test_a_breached_countdown_stays_red_on_the_selected_row(static_floor, make_app) -> None:
    app = make_app(static_floor("dm1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(IncidentTable)
        breached = table.get_component_rich_style("incident-table--breached")

        def countdown_style(y: int):
            # the row's last cells are its countdowns: the first styled one is the next due
            segments = list(table.render_line(y))
            return next(s.style for s in segments if s.text.strip().startswith(("ans", "upd")))

        rows = _rows(app)
        late = next(
            n
            for n, row in enumerate(rows)
            if row.next_update_due is not None and row.next_update_due < app.now
        )
        y = late + 1  # under the header
        assert countdown_style(y).color == breached.color  # red while not selected
        while table.cursor != late:
            await pilot.press("down")
        await pilot.pause()
        assert countdown_style(y).color == breached.color  # and still red on the cursor


async def test_a_renamed_owner_is_shown_at_once_not_on_the_next_tick(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert any("Alex R." in line for line in screen_lines(app))
        staff = dict(floor.truth.staff)
        staff["pb1"] = staff["pb1"].model_copy(update={"name": "Robin Q."})
        floor.truth = floor.truth.model_copy(update={"staff": staff})
        floor._publish_changes(Changes(roster=True))  # the clock stands still in this floor
        await until(pilot, lambda: any("Robin Q." in line for line in screen_lines(app)))
        assert not any("Alex R." in line for line in screen_lines(app))
