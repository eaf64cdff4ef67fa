"""The metrics board on the demo floor: a duty manager's figures, a pit boss told why not,
and a board that says it needs the server when there is none.

The fake source computes the figures the way the server does, from its own
event log (tests/tui/conftest.py); these tests check what reaches the screen.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, Static

from api_client.contract import ConnectionStatus, Link
from domain.metric_windows import WindowKind, window_for
from domain.metrics import metrics_report
from screens.metrics import MetricsScreen
from screens.queue import QueueScreen
from tests.tui.e2e import until
from tui.palette import _metrics_commands
from tui.widgets.metric_row import MetricRow

from .test_incident_helpers import notices, text_of


async def board_shown(app, pilot: Pilot[None]) -> MetricsScreen:
    """Press M and wait for the server's answer to be on screen."""
    await pilot.pause()
    await pilot.press("M")
    await answered(app, pilot)
    assert isinstance(app.screen, MetricsScreen)
    return app.screen


async def answered(app, pilot: Pilot[None]) -> None:
    for _ in range(3):
        busy = [w for w in app.workers if w.group == "metrics" and not w.is_finished]
        if busy:
            await app.workers.wait_for_complete(busy)
        await pilot.pause()


def row_text(screen: MetricsScreen, key: str) -> list[str]:
    row = next(r for r in screen.query(MetricRow) if r.key == key)
    return [str(cell.content) for cell in row.query(Static)]


async def test_a_duty_manager_sees_the_shift_against_its_targets(static_floor, make_app) -> None:
    source = static_floor("dm1")
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await board_shown(app, pilot)
        assert len(board.query(MetricRow)) == 14
        # the night shift began at 22:00; the demo's promises settled since then
        head = text_of(board, "#metrics-head")
        assert head.startswith("Metrics: this shift (since 22:00) · all tiers · all pits")
        policy = source.truth.policy
        expected = metrics_report(
            source.events, policy, window_for(WindowKind.SHIFT, source.now(), policy)
        ).metric("sla.answer")
        label, value, counts, target, status = row_text(board, "sla.answer")
        assert (label, counts, target) == (
            "answer promise kept",
            f"{expected.part}/{expected.count}",
            ">=95%",
        )
        assert status == ("met" if expected.met else "missed") and value.endswith("%")
        # the highlighted row spells out its formula and its days
        detail = text_of(board, "#metrics-detail")
        assert detail.startswith("answer promise kept: answer promises kept on time")
        assert "\nlast 14 days: " in detail

        await pilot.press("w")
        await answered(app, pilot)
        assert text_of(board, "#metrics-head").startswith("Metrics: today (since 00:00)")
        await pilot.press("4", "t", "t")
        await answered(app, pilot)
        head = text_of(board, "#metrics-head")
        assert head.startswith("Metrics: this month (since Sun 01 Nov) · VIP players · all pits")
        await pilot.press("p")
        await answered(app, pilot)
        assert "· VIP players · pit 1" in text_of(board, "#metrics-head")


async def test_a_pit_boss_or_host_is_told_why_not(static_floor, make_app) -> None:
    for staff_id, role in (("pb2", "pit boss"), ("h1", "host")):
        app = make_app(static_floor(staff_id))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("M")
            await pilot.pause()
            assert isinstance(app.screen, QueueScreen)
            assert notices(app) == [
                f"The metrics board is for duty managers and admins; you are signed in as a {role}"
            ]
            assert _metrics_commands(app) == []  # and the palette offers no windows


async def test_offline_the_board_says_it_needs_the_server(static_floor, make_app) -> None:
    source = static_floor("dm1")
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        source.set_status(ConnectionStatus(Link.OFFLINE, since=source.now()))
        await pilot.pause()
        board = await board_shown(app, pilot)
        assert "needs the server" in text_of(board, "#metrics-note")
        assert len(board.query(MetricRow)) == 0
        source.set_status(ConnectionStatus(Link.ONLINE))
        await pilot.pause()
        await answered(app, pilot)
        assert text_of(board, "#metrics-note") == ""
        assert len(board.query(MetricRow)) == 14
        # the link goes again: another window cannot be had, and the board says whose
        # figures it still shows
        source.set_status(ConnectionStatus(Link.OFFLINE, since=source.now()))
        await pilot.pause()
        await pilot.press("w")
        await answered(app, pilot)
        note = text_of(board, "#metrics-note")
        assert "needs the server" in note
        assert note.endswith("still those for this shift, all tiers · all pits.")
        assert text_of(board, "#metrics-head").startswith("Metrics: today · all tiers")


async def test_the_palette_opens_the_board_at_a_window(static_floor, make_app) -> None:
    app = make_app(static_floor("dm1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        commands = {name: run for name, _help, run in _metrics_commands(app)}
        assert list(commands) == [
            "Metrics board: this shift",
            "Metrics board: today",
            "Metrics board: last 7 days",
            "Metrics board: this month",
        ]
        commands["Metrics board: last 7 days"]()
        await answered(app, pilot)
        assert isinstance(app.screen, MetricsScreen)
        assert text_of(app.screen, "#metrics-head").startswith("Metrics: last 7 days")


async def digest_written(app, pilot: Pilot[None]) -> None:
    for _ in range(3):
        busy = [w for w in app.workers if w.group == "digest" and not w.is_finished]
        if busy:
            await app.workers.wait_for_complete(busy)
        await pilot.pause()


async def test_the_board_writes_the_months_digest_and_says_where(
    static_floor, make_app, tmp_path
) -> None:
    from screens.digest_modal import DigestModal

    source = static_floor("dm1")
    app = make_app(source)
    out = tmp_path / "digests"
    async with app.run_test(size=(80, 24)) as pilot:
        board = await board_shown(app, pilot)
        await pilot.press("D")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DigestModal)
        # the floor's clock is in November 2026: the month before is offered
        month = dialog.query_one("#dialog-month", Input)
        assert month.value == "2026-10"
        for bad, said in (
            ("2026-13", "'2026-13' is not a month: expected YYYY-MM, e.g. 2026-11"),
            ("Nov 2026", "'Nov 2026' is not a month: expected YYYY-MM"),
            ("2026-12", "2026-12 has not begun (this month is 2026-11)"),
        ):
            month.value = bad
            month.focus()
            await pilot.press("enter")  # clicks in a row would make a double click
            await until(pilot, lambda: said in text_of(dialog, "#dialog-hint"))  # noqa: B023
            assert app.screen is dialog
        month.value = "2026-11"
        folder = dialog.query_one("#dialog-folder", Input)
        for bad, said in (
            ("~nobody-by-this-name/digests", "~nobody-by-this-name is no user's home"),
            ("dig\0ests", "a folder name cannot hold a NUL character"),
        ):
            folder.value = bad
            folder.focus()
            await pilot.press("enter")
            await until(pilot, lambda: said in text_of(dialog, "#dialog-hint"))  # noqa: B023
            assert app.screen is dialog
        folder.value = str(out)
        await pilot.click("#dialog-ok")
        await digest_written(app, pilot)
        assert app.screen is board
        names = sorted(p.name for p in out.iterdir())
        assert names == [
            "digest-2026-11-late-reports.csv",
            "digest-2026-11-metrics.csv",
            "digest-2026-11-recoveries.csv",
            "digest-2026-11-tiers.csv",
            "digest-2026-11.md",
        ]
        assert "Dana K. (duty manager)" in (out / "digest-2026-11.md").read_text()
        assert notices(app)[-1] == f"The digest of November 2026 is in {out} (5 files)."
        said = text_of(board, "#metrics-digest")
        assert said.startswith(f"Digest of November 2026 written to {out}: digest-2026-11.md")

        # a month with nothing in it still writes its files, and says so
        await pilot.press("D")
        await pilot.pause()
        app.screen.query_one("#dialog-folder", Input).value = str(out)
        await pilot.click("#dialog-ok")
        await digest_written(app, pilot)
        assert (out / "digest-2026-10.md").exists()
        assert "the files hold zeros" in notices(app)[-1]


async def test_a_digest_the_server_cannot_give_is_said_so(static_floor, make_app, tmp_path) -> None:
    source = static_floor("dm1")
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await board_shown(app, pilot)
        await pilot.press("D")
        await pilot.pause()
        app.screen.query_one("#dialog-folder", Input).value = str(tmp_path / "d")
        source.set_status(ConnectionStatus(Link.OFFLINE, since=source.now()))
        await pilot.click("#dialog-ok")
        await digest_written(app, pilot)
        assert "Digest not written: The digest needs the server" in text_of(
            board, "#metrics-digest"
        )
        assert not (tmp_path / "d").exists()
        # offline, the key says so at once
        await pilot.press("D")
        await pilot.pause()
        assert app.screen is board
        assert notices(app)[-1] == "The digest needs the server: its figures are computed there."
