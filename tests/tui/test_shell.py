"""The app shell: lock and switch user, sign-in, themes, help, alerts, the status line."""

from __future__ import annotations

import tomllib

import pytest
from textual import events
from textual.widgets import Input, Static

from api_client.contract import ConnectionStatus, Link
from domain.commands import Assign, OpenIncident, SetPriority
from domain.models import Channel, IncidentKind, Location, Player, Priority, Tier
from screens.help import HelpScreen
from screens.lock import LockScreen
from screens.login import LoginScreen
from screens.new_incident import NewIncidentScreen
from screens.queue import QueueScreen
from tests.tui.conftest import BASE_TIME, field_focused, settle
from tests.tui.e2e import until
from tests.tui.test_incident_helpers import find_incident, screen_text
from tui.widgets.incident_table import HIDDEN_PLAYER, IncidentTable
from tui.widgets.status_bar import StatusBar


def in_one_read(app, keys: list[str | tuple[str, str]]) -> None:
    """Deliver `keys` as a terminal does a paste: all before the app handles any."""
    for key, char in (k if isinstance(k, tuple) else (k, k) for k in keys):
        app.post_message(events.Key(key, char))


async def reach_the_queue(app, pilot) -> None:
    """Wait out a sign-in whose keys were all delivered at once; then the queue is up."""
    for _ in range(20):
        await settle(app, pilot)
        if isinstance(app.screen, QueueScreen):
            break
    assert isinstance(app.screen, QueueScreen)


def _messages(app) -> list[str]:
    return [n.message for n in app.notified]


def _table_text(app, screen=None) -> str:
    """The queue's table (or the one on `screen`, such as the lock's), line by line."""
    table = (screen or app.screen_stack[1]).query_one(IncidentTable)
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def test_lock_hides_players_and_blocks_keys_until_the_same_pin(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "VV-****-4411" in _table_text(app)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen) and app.locked
        assert "VV-****-4411" not in _table_text(app) and HIDDEN_PLAYER in _table_text(app)
        await pilot.press("enter")  # a stray enter is not counted as a guess
        await settle(app, pilot)
        assert "type your PIN" in str(app.screen.query_one("#lock-message", Static).content)
        await pilot.press("a", "n", "escape")  # nothing behind the lock acts
        assert floor.submitted == []
        await pilot.press(*"9999", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LockScreen)
        assert "wrong PIN" in str(app.screen.query_one("#lock-message", Static).content)
        await pilot.press(*"1002", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, QueueScreen) and not app.locked
        assert "VV-****-4411" in _table_text(app)


async def test_switch_user_signs_the_first_out_and_shows_the_new_pit(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l", "f2", *"pb1", "enter", *"1001", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, QueueScreen)
        assert floor.me is not None and floor.me.id == "pb1"
        assert floor.signed_out == ["pb2"]
        rows = app.screen.query_one(IncidentTable)._rows
        assert rows and all(r.location.pit == "1" for r in rows)
        assert "Alex R." in str(app.screen.query_one(StatusBar).content)


async def test_a_new_user_does_not_land_in_the_last_users_half_typed_form(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, NewIncidentScreen)
        app.screen.query_one("#new-summary", Input).value = "player Mr Smith, card blocked"
        await pilot.pause()
        await pilot.press("ctrl+l", "f2", *"pb1", "enter", *"1001", "enter")
        await settle(app, pilot)
        assert floor.me is not None and floor.me.id == "pb1"
        assert isinstance(app.screen, QueueScreen)
        assert not any(isinstance(s, NewIncidentScreen) for s in app.screen_stack)
        await pilot.press("n")  # pb1's own form: empty, not pb2's draft
        await settle(app, pilot)
        assert app.screen.query_one("#new-summary", Input).value == ""


async def test_a_switch_of_user_typed_in_one_read_lands_in_its_fields(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l", "f2")
        in_one_read(app, [*"pb1", ("enter", "\r"), *"1001", ("enter", "\r")])
        await reach_the_queue(app, pilot)
        assert floor.me is not None and floor.me.id == "pb1"
        assert floor.signed_out == ["pb2"]


async def test_auto_lock_after_the_configured_idle_time(static_floor, make_app) -> None:
    idle = [0.0]
    app = make_app(static_floor("pb2"), auto_lock_seconds=300, idle_clock=lambda: idle[0])
    async with app.run_test(size=(80, 24)) as pilot:
        idle[0] = 299
        app.tick()
        assert not app.locked
        await pilot.press("down")  # a key press restarts the count
        idle[0] = 598
        app.tick()
        await pilot.pause()
        assert not app.locked
        idle[0] = 900
        app.tick()
        await pilot.pause()
        assert app.locked and isinstance(app.screen, LockScreen)


async def test_sign_in_failure_is_shown_under_the_form_and_the_pin_cleared(
    static_floor, make_app
) -> None:
    floor = static_floor(None)
    app = make_app(floor, staff_id="pb2")
    async with app.run_test(size=(80, 24)) as pilot:
        await field_focused(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        await pilot.press(*"1234", "enter")
        await settle(app, pilot)
        assert "wrong staff ID or PIN" in str(
            app.screen.query_one("#login-message", Static).content
        )
        assert app.screen.query_one("#login-pin", Input).value == ""
        await pilot.press(*"1002", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, QueueScreen)
        assert app.config.settings.last_staff_id == "pb2"


@pytest.mark.parametrize("between", [("tab", "\t"), ("enter", "\r")])
async def test_a_sign_in_typed_in_one_read_lands_in_its_fields(
    static_floor, make_app, between
) -> None:
    """A badge reader (or a paste, or a fast typist on a slow terminal) delivers
    "staff ID, Tab or Enter, PIN, Enter" before the app has handled any of it."""
    floor = static_floor(None)
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await field_focused(app, pilot, "login-staff")
        assert isinstance(app.screen, LoginScreen)
        in_one_read(app, [*"pb2", between, *"1002", ("enter", "\r")])
        await reach_the_queue(app, pilot)
        assert app.config.settings.last_staff_id == "pb2"


async def test_enter_in_the_staff_id_field_moves_on_to_the_pin(static_floor, make_app) -> None:
    floor = static_floor(None)
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await field_focused(app, pilot, "login-staff")
        await pilot.press(*"pb2", "enter")
        assert app.focused is app.screen.query_one("#login-pin")
        assert isinstance(app.screen, LoginScreen)  # not sent half-filled
        await pilot.press("shift+tab")
        assert app.focused is app.screen.query_one("#login-staff")
        await pilot.press("tab", *"1002", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_keyring_warning_is_shown_once_after_sign_in(static_floor, make_app) -> None:
    floor = static_floor(None)
    floor.token_warning = "no system keyring: the sign-in is kept in memory only"
    app = make_app(floor, staff_id="pb2")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await field_focused(app, pilot)
        await pilot.press(*"1002", "enter")
        await settle(app, pilot)
        assert _messages(app).count(floor.token_warning) == 1


async def test_theme_switch_is_remembered_in_the_config_file(
    static_floor, make_app, floor_config_dir
) -> None:
    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f10")
        assert app.theme == "night"
    saved = tomllib.loads((floor_config_dir / "config.toml").read_text())
    assert saved["theme"] == "night"


async def test_unknown_theme_falls_back_with_a_notice(static_floor, make_app) -> None:
    app = make_app(static_floor("pb2"), theme="sunset")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert app.theme == "floor"
        assert any("unknown theme 'sunset'" in m for m in _messages(app))


async def test_help_lists_this_screen_and_the_app_keys(static_floor, make_app) -> None:
    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(
            str(cell)
            for s in app.screen.query(".help-group").results(Static)
            for cell in _cells(s.content)
        )
        for words in ("Queue", "Everywhere", "Ack", "Filter", "Lock", "Toggle P1", "^l"):
            assert words in text
        assert "Focus Next" not in text
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


def _cells(table) -> list[str]:
    cells = [table.title]
    for column in table.columns:
        cells.extend(str(c) for c in column._cells)
    return cells


async def test_locked_the_floor_stays_in_view_masked_its_clocks_running(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        shown = _table_text(app, app.screen)
        assert HIDDEN_PLAYER in shown and "VV-****-4411" not in shown
        # the screens under the opaque lock are out of view: only the lock's queue ticks
        before = shown
        floor.advance(61)
        app.tick()
        await until(pilot, lambda: _table_text(app, app.screen) != before)
        # what happens on the floor meanwhile shows on the lock's queue, masked
        [opened] = floor.submit_as("dm1", _vvip_dispute_p1("BAC-03"))
        await until(pilot, lambda: f"#{opened.incident_id} " in _table_text(app, app.screen))
        assert "VV-1111-2222" not in _table_text(app, app.screen)
        await pilot.press(*floor.pins["pb2"], "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, QueueScreen) and not app.locked
        assert f"#{opened.incident_id} " in _table_text(app)


def _vvip_dispute_p1(spot: str) -> OpenIncident:
    return OpenIncident(
        kind=IncidentKind.RESULT_DISPUTE,
        priority=Priority.P1,
        channel=Channel.ON_SITE,
        player=Player(reference="VV-1111-2222", tier=Tier.VVIP),
        location=Location(pit="2", spot=spot),
    )


def _toasts(app) -> list[str]:
    """The toasts on the screen, as the user reads them."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


async def test_a_burst_of_p1s_shows_three_and_says_more_are_ringing(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        for spot in ("BAC-01", "BAC-02", "BAC-03", "BAC-04", "BAC-05"):  # in one turn
            floor.submit_as("pb2", _vvip_dispute_p1(spot))
        await until(pilot, lambda: any("more are ringing" in t for t in _toasts(app)))
        await until(pilot, lambda: sum("New P1" in t for t in _toasts(app)) == 3)
        assert len(_toasts(app)) == 4


async def test_new_p1_from_another_terminal_rings_and_notifies(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    rings = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        floor.submit_as("pb2", _vvip_dispute_p1("BAC-03"))
        await pilot.pause()
        await pilot.pause()
        assert rings
        assert any("BAC-03" in m and "Jordan T." in m for m in _messages(app))
        rows = app.screen.query_one(IncidentTable)._rows
        assert any(r.location.spot == "BAC-03" for r in rows[:3])


async def test_a_priority_lowered_elsewhere_rings_for_the_duty_manager(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    rings = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        floor.submit_as(
            "pb2", SetPriority(incident_id=bj07, priority=Priority.P4, reason="no error on camera")
        )
        await pilot.pause()
        await pilot.pause()
        assert rings
        assert any(
            f"#{bj07}" in m and "P1 to P4 by Jordan T.: no error on camera" in m
            for m in _messages(app)
        )
        # raising it again is no de-escalation: no second ring
        rings.clear()
        floor.submit_as("pb2", SetPriority(incident_id=bj07, priority=Priority.P2))
        await pilot.pause()
        await pilot.pause()
        assert rings == []


async def test_a_priority_lowered_while_locked_rings_without_its_typed_reason(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        floor.submit_as("pb2", _vvip_dispute_p1("BAC-03"))
        await until(pilot, lambda: "New P1" in screen_text(app))
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        assert "New P1" not in screen_text(app)  # what showed before the lock went with it
        app.notified.clear()
        floor.submit_as(
            "pb2", SetPriority(incident_id=bj07, priority=Priority.P4, reason="VV-2231-4411 left")
        )
        await until(pilot, lambda: bool(_messages(app)))
        [lowered] = _messages(app)
        assert f"#{bj07}" in lowered and "P1 to P4 by Jordan T." in lowered
        assert "left" not in lowered and "2231" not in lowered


async def test_a_lowered_priority_does_not_ring_for_a_pit_boss(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    rings = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        floor.submit_as(
            "dm1", SetPriority(incident_id=bj07, priority=Priority.P3, reason="workaround holds")
        )
        await pilot.pause()
        await pilot.pause()
        assert rings == []


async def test_a_priority_lowered_while_no_duty_manager_was_on_stays_on_their_queue(
    static_floor, make_app
) -> None:
    from screens.incident import IncidentScreen

    floor = static_floor("dm1")
    bj07 = find_incident(floor, "VV-2231-4411")
    # lowered before this duty manager's terminal was up: no bell could ring for it
    floor.submit_as(
        "pb2", SetPriority(incident_id=bj07, priority=Priority.P4, reason="no error on camera")
    )
    mark = f"not seen by a duty manager: #{bj07} lowered P1 to P4 by Jordan T."
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        summary = app.screen.query_one("#queue-summary", Static)
        assert mark in str(summary.render())
        app.action_open_incident(bj07)
        await settle(app, pilot)
        assert isinstance(app.screen, IncidentScreen)
        notices = str(app.screen.query_one("#incident-notices", Static).render())
        assert "lowered P1 to P4 by Jordan T., not seen by a duty manager" in notices
        await pilot.press("m", *"seen, camera agrees", "enter")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, QueueScreen)
        assert "not seen by a duty manager" not in str(
            app.screen.query_one("#queue-summary", Static).render()
        )


async def test_a_lowered_priority_is_no_mark_on_a_pit_bosss_queue(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    floor.submit_as("pb2", SetPriority(incident_id=bj07, priority=Priority.P4, reason="camera"))
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        summary = str(app.screen.query_one("#queue-summary", Static).render())
        assert "not seen by a duty manager" not in summary


async def test_own_p1_does_not_ring(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    rings = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(80, 24)) as pilot:
        await floor.submit(
            OpenIncident(
                kind=IncidentKind.GAME_UNAVAILABLE,
                priority=Priority.P1,
                channel=Channel.ON_SITE,
                player=Player(reference="VP-1111-2222", tier=Tier.VIP),
                location=Location(pit="2", spot="BJ-05"),
            )
        )
        await pilot.pause()
        await pilot.pause()
        assert rings == []


async def test_a_promise_falling_due_rings_once(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    rings = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.tick()
        assert rings == []  # long-breached promises at start-up do not ring
        bj07 = floor.truth.incidents[40]
        floor.advance(bj07.stabilise_due - BASE_TIME + 1)
        app.tick()
        await pilot.pause()
        assert len(rings) == 1
        assert any("#40" in m and "stabilise overdue" in m for m in _messages(app))
        floor.advance(1)
        app.tick()
        assert len(rings) == 1


async def test_a_promise_of_an_incident_changed_since_start_up_still_rings_once(
    static_floor, make_app
) -> None:
    from domain.commands import AddNote

    floor = static_floor("pb2")
    app = make_app(floor)
    rings = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.tick()
        await floor.submit(AddNote(incident_id=40, text="dealer relieved"))
        await pilot.pause()
        await pilot.pause()
        floor.advance(floor.truth.incidents[40].stabilise_due - BASE_TIME + 1)
        app.tick()
        await pilot.pause()
        assert len(rings) == 1
        assert sum("#40" in m and "stabilise overdue" in m for m in _messages(app)) == 1
        floor.advance(1)
        app.tick()
        assert len(rings) == 1


async def test_a_session_the_server_ends_leaves_nothing_of_the_floor_on_screen(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")  # any floor screen, the ladder here
        await settle(app, pilot)
        why = "your access was withdrawn by an admin"
        floor.set_status(ConnectionStatus(Link.SIGNED_OUT, detail=why))
        await until(pilot, lambda: isinstance(app.screen, LoginScreen))
        assert len(app.screen_stack) == 2  # nothing of the floor under the form
        assert why in str(app.screen.query_one("#login-message", Static).content)


async def test_the_sign_in_form_an_ended_session_leaves_is_never_locked_over(
    static_floor, make_app
) -> None:
    """The lock shows the floor: over the form it would bring the ended session back."""
    idle = [0.0]
    floor = static_floor("pb2")
    app = make_app(floor, auto_lock_seconds=300, idle_clock=lambda: idle[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        floor.set_status(ConnectionStatus(Link.SIGNED_OUT, detail="session expired"))
        await until(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press("ctrl+l")
        idle[0] = 301.0  # the form left overnight: auto-lock is due
        app.tick()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and not app.locked
        assert len(app.screen_stack) == 2


async def test_status_bar_follows_the_link(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.screen.query_one(StatusBar)
        assert "ONLINE" in str(bar.content)
        floor.set_status(
            ConnectionStatus(
                Link.OFFLINE, since=BASE_TIME - 5, pending=3, attempt=3, next_try_at=BASE_TIME + 7
            )
        )
        await pilot.pause()
        assert "OFFLINE since 02:12:55  next try in 0:07" in str(bar.content)
        assert "3 pending" in str(bar.content)
        assert "~" in _table_text(app)  # countdowns marked approximate
        floor.set_status(ConnectionStatus(Link.RECONNECTING, attempt=2, next_try_at=BASE_TIME + 4))
        await pilot.pause()
        assert "RECONNECTING (attempt 2 next try in 0:04)" in str(bar.content)


async def test_status_bar_says_why_it_is_offline_and_counts_skipped_events(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(160, 24)) as pilot:
        bar = app.screen.query_one(StatusBar)
        refused = "live feed refused: HTTP 502 from the server"
        floor.set_status(
            ConnectionStatus(Link.OFFLINE, since=BASE_TIME - 5, detail=refused, bad_events=2)
        )
        await pilot.pause()
        assert f"{refused}; 2 bad events skipped; took a fresh snapshot" in str(bar.content)
        floor.set_status(ConnectionStatus(Link.ONLINE, detail=refused, bad_events=1))
        await pilot.pause()
        text = str(bar.content)
        assert "1 bad event skipped; took a fresh snapshot" in text
        assert refused not in text  # online: an old failure is no news


async def test_palette_offers_the_screens_actions_and_themes(static_floor, make_app) -> None:
    from tui.palette import FloorCommands

    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(IncidentTable)
        # stand on an incident pb2 does not own, so "take" is possible
        selected = table.selected
        assert selected is not None
        floor.submit_as("dm1", Assign(incident_id=selected.id, owner="h1"))
        await pilot.pause()
        await pilot.pause()
        assert table.selected is not None and table.selected.owner == "h1"
        provider = FloorCommands(app.screen)
        names = [hit.text async for hit in provider.discover()]
        assert "Queue: Take" in names and "Everywhere: Lock" in names
        assert "Theme: high-contrast" in names
        hits = [hit async for hit in provider.search("high-contrast")]
        hits[0].command()
        assert app.theme == "high-contrast"
        (take, *_) = [hit async for hit in provider.search("Queue: Take")]
        await take.command()
        await settle(app, pilot)
        assert floor.submitted[-1].type == "take"


async def test_a_missing_screen_is_reported_not_a_crash(static_floor, make_app) -> None:
    from tui import app as app_module

    app = make_app(static_floor("pb2"))
    app_module._SCREENS["nowhere"] = ("not_built_yet", "NowhereScreen", "nowhere board")
    try:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            app.open_screen("nowhere")
            await pilot.pause()
            assert isinstance(app.screen, QueueScreen)
            assert any("nowhere board" in m for m in _messages(app))
    finally:
        del app_module._SCREENS["nowhere"]


def test_help_groups_are_named_in_words_never_by_class_name() -> None:
    from textual.containers import VerticalScroll
    from textual.widgets import Input

    from tui.keys import group_title
    from tui.widgets.key_footer import KeyFooter

    assert group_title(VerticalScroll()) == "Scrolling"
    assert group_title(Input()) == "In a text field"
    assert group_title(KeyFooter()) == "In the key footer"


async def test_the_form_help_names_its_drop_down_lists_in_words(static_floor, make_app) -> None:
    from textual.widgets import Checkbox, Select

    from tui.keys import group_title

    from .test_incident_helpers import screen_text

    assert group_title(Select([])) == "In a drop-down list"
    assert group_title(Checkbox()) == "On a checkbox"
    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # the form opens on its first drop-down list
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        assert "In a drop-down list" in shown
        assert "In the select" not in shown


async def test_an_offline_action_is_worded_as_queued(static_floor, make_app) -> None:
    from api_client.contract import ConnectionStatus, Link
    from domain.commands import AddNote

    from .test_incident_helpers import notices, settle

    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        number = next(iter(floor.state.incidents))
        floor.set_status(ConnectionStatus(Link.OFFLINE, since=floor.now()))
        app.submit(AddNote(incident_id=number, text="called the cage"), "note added")
        await settle(app, pilot)
        assert "queued: note added (sent when the server is back)" in notices(app)
        floor.set_status(ConnectionStatus(Link.ONLINE))
        app.submit(AddNote(incident_id=number, text="cage answered"), "note added")
        await settle(app, pilot)
        assert notices(app)[-1] == "note added"
