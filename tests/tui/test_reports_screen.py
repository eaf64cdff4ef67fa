"""The reports list on the demo floor: due, overdue, filed; filing from the list;
the incident's timeline on enter; the reason for anyone who may not see it."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from domain import commands as c
from screens.incident import IncidentScreen
from screens.modals import ReportModal
from screens.queue import QueueScreen
from screens.reports import ReportsScreen

from .conftest import field_focused
from .screen_text import screen_lines
from .test_incident_helpers import find_incident, notices, settle, text_of

DAY = 86_400.0


async def reports_shown(app, pilot: Pilot[None]) -> ReportsScreen:
    await pilot.pause()
    await pilot.press("F")
    await pilot.pause()
    assert isinstance(app.screen, ReportsScreen)
    return app.screen


def rows(screen: ReportsScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def test_a_due_report_turns_overdue_and_shows_on_the_queue(static_floor, make_app) -> None:
    source = static_floor("dm1")
    late = find_incident(source, "VP-6402-1187")  # journey 4: a P1 resolved 50 min ago
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await reports_shown(app, pilot)
        listed = {row[0]: row for row in rows(screen)}
        # resolved 50 minutes ago: 23:10:00 of its 24 h left
        assert listed[f"#{late}"][1:4] == ["P1", "due", "in 23:10:00"]
        assert all(row[2] == "due" for row in rows(screen))  # nothing overdue yet

        overdue_before = sum(row[2] == "overdue" for row in rows(screen))
        source.advance(DAY)  # 50 minutes past its 24 h
        app.tick()
        await pilot.pause()
        now_overdue = [row for row in rows(screen) if row[2] == "overdue"]
        assert [f"#{late}", "P1", "overdue", "late +50:00"] in [r[:4] for r in now_overdue]
        # the longest overdue on top: every overdue row before every due one
        statuses = [row[2] for row in rows(screen)]
        assert statuses == sorted(statuses, key=["overdue", "due", "filed"].index)
        assert f"overdue {len(now_overdue)}" in text_of(screen, "#reports-head")
        assert len(now_overdue) > overdue_before

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        summary = text_of(app.screen, "#queue-summary")
        assert f"({len(now_overdue)} overdue)" in summary.splitlines()[0]


async def test_filing_from_the_list_refuses_an_empty_root_cause(static_floor, make_app) -> None:
    source = static_floor("dm1")
    late = find_incident(source, "VP-6402-1187")
    app = make_app(source)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await reports_shown(app, pilot)
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(late)))
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ReportModal)
        await field_focused(app, pilot, "dialog-cause")
        await pilot.press("enter")  # nothing typed
        await pilot.pause()
        assert isinstance(app.screen, ReportModal)
        assert "root cause cannot be empty" in text_of(app.screen, "#dialog-hint")
        app.screen.query_one("#dialog-cause", Input).value = "gateway timeout on duplicate check"
        app.screen.query_one("#dialog-measures", Input).value = "retry limit set; alert added"
        await pilot.click("#dialog-ok")
        await settle(app, pilot)
        assert isinstance(app.screen, ReportsScreen)
        sent = [cmd for cmd in source.submitted if isinstance(cmd, c.FileReport)]
        assert sent == [
            c.FileReport(
                incident_id=late,
                root_cause="gateway timeout on duplicate check",
                measures="retry limit set; alert added",
            )
        ]
        filed = next(row for row in rows(screen) if row[0] == f"#{late}")
        assert filed[2] == "filed" and filed[4] == "Dana K."
        assert "gateway timeout" in filed[5]
        detail = text_of(screen, "#reports-detail")
        assert "root cause: gateway timeout on duplicate check" in detail
        assert "measures: retry limit set; alert added" in detail
        assert "report filed on #" in notices(app)[-1]


async def test_enter_opens_the_incident_and_its_timeline(static_floor, make_app) -> None:
    source = static_floor("admin")
    late = find_incident(source, "VP-6402-1187")
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await reports_shown(app, pilot)
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(late)))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        assert app.screen.incident is not None and app.screen.incident.id == late
        assert f"#{late}  P1  payment failure  RESOLVED" in screen_lines(app)[0]


async def test_a_pit_boss_or_host_is_told_why_not(static_floor, make_app) -> None:
    for staff_id in ("pb2", "h1"):
        app = make_app(static_floor(staff_id))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("F")
            await pilot.pause()
            assert isinstance(app.screen, QueueScreen)
            assert "for duty managers and admins" in notices(app)[-1]
            # opened some other way, the screen says why instead of showing nothing
            app.push_screen(ReportsScreen())
            await pilot.pause()
            shown = "\n".join(screen_lines(app))
            assert "The reports list is for duty managers and admins" in shown
