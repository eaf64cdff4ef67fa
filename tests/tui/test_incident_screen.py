"""The incident screen, walked through with a person's keys on the frozen demo floor."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static

from domain import commands as c
from domain.models import IncidentState, Priority
from domain.sla import Urgency
from screens.escalation import EscalationScreen
from screens.incident import KEPT_NAME, IncidentScreen
from tests.tui.conftest import field_focused
from tui.settle import settle as settle_now
from tui.widgets.clock_panel import ClockPanel

from .test_incident_helpers import find_incident, ladder_text, notices, settle, text_of


async def open_incident(app, pilot: Pilot[Any], incident_id: int) -> IncidentScreen:
    app.action_open_incident(incident_id)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, IncidentScreen)
    return screen


async def test_opens_from_the_queue_with_enter(static_floor, make_app) -> None:
    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        assert text_of(app.screen, "#incident-head").startswith(f"#{app.screen.incident_id} ")


async def test_shows_clocks_ladder_and_next_escalation(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_incident(app, pilot, bj07)
        head = text_of(screen, "#incident-head")
        assert "P1" in head and "game/result dispute" in head and "ACKNOWLEDGED" in head
        # opened 02:11, L2 due 10 minutes after T0, not after the last line
        assert text_of(screen, "#incident-next") == (
            "next escalation L2 duty manager at 02:21 (in 8:00) - Dana K., radio ch 3"
        )
        clocks = screen.query_one(ClockPanel)
        assert clocks.reading("stabilise") == ("13:00", Urgency.OK)
        answer = clocks.reading("answer")
        assert answer is not None and answer[0].startswith("met ") and answer[1] is Urgency.MET
        assert "▶ L1 VIP desk / host" in ladder_text(screen)
        assert "VV-****-4411" in text_of(screen, "#incident-facts")
        assert "2231" not in text_of(screen, "#incident-facts")

        # one app tick later the countdowns have moved, nothing rebuilt
        floor.advance(12 * 60)
        app.tick()
        await pilot.pause()
        assert clocks.reading("stabilise") == ("1:00", Urgency.RED)


async def test_note_take_escalate_stabilise_resolve(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_incident(app, pilot, bj07)
        seen = floor.state.incidents[bj07].version

        await pilot.press("m")
        await pilot.press(*"surveillance asked for the tape")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "surveillance asked for the tape" in text_of(screen, "#incident-timeline")

        # the pit boss acknowledged it, so it is theirs already: nothing to take
        assert floor.state.incidents[bj07].owner == "pb2"
        assert "Jordan T." in text_of(screen, "#incident-head")
        await pilot.press("t")
        await settle(app, pilot)
        assert not any(isinstance(cmd, c.Take) for cmd in floor.submitted)
        assert floor.state.incidents[bj07].version == seen

        await pilot.press("x")  # the line, then why
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        await pilot.press("enter")  # no reason yet: the dialog says so and stays
        await settle(app, pilot)
        assert "say why it goes to L2" in text_of(app.screen, "#dialog-hint")
        await pilot.press(*"player asks for the manager", "enter")
        await settle(app, pilot)
        assert floor.state.incidents[bj07].line == 2
        assert "L2" in text_of(screen, "#incident-head")
        assert "▶ L2 duty manager" in ladder_text(screen)
        assert "by hand: player asks for the manager" in text_of(screen, "#incident-timeline")
        await pilot.press("x")
        await settle(app, pilot)
        await pilot.press("2")  # where it is already: refused in words, nothing sent
        await settle(app, pilot)
        hint = text_of(app.screen, "#dialog-hint")
        assert "it is at L2 (duty manager / game tech) already" in hint
        assert "pick a line above it (L3-L4)" in hint
        await pilot.press("escape")
        await settle(app, pilot)
        assert floor.state.incidents[bj07].line == 2

        await pilot.press("b")
        await pilot.press(*"surveillance review started", "enter")
        await settle(app, pilot)
        assert floor.state.incidents[bj07].state is IncidentState.STABILISED
        stabilise = screen.query_one(ClockPanel).reading("stabilise")
        assert stabilise is not None and stabilise[1] is Urgency.MET
        assert "automatic escalation stopped" in ladder_text(screen)

        version = floor.state.incidents[bj07].version
        await pilot.press("r", "enter")
        await settle(app, pilot)
        resolve = floor.submitted[-1]
        assert isinstance(resolve, c.Resolve) and resolve.expected_version == version
        assert floor.state.incidents[bj07].state is IncidentState.RESOLVED
        assert "report due by" in text_of(screen, "#incident-notices")
        assert "resolved #" in " ".join(notices(app))


async def test_duty_manager_acknowledges_a_new_payment_incident(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    failed = find_incident(floor, "VP-5120-3388")  # journey 4: failed transfer, opened at L2
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_incident(app, pilot, failed)
        assert "payments chain" in (screen.query_one("#incident-ladder").border_title or "")
        assert "L2 finance" in ladder_text(screen)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("5")  # on it in 5 min, at one key
        await settle(app, pilot)
        acked = floor.state.incidents[failed]
        assert acked.state is IncidentState.ACKNOWLEDGED
        assert acked.acknowledged_at is not None
        assert acked.eta_due == acked.acknowledged_at + 5 * 60
        assert "ACKNOWLEDGED" in text_of(screen, "#incident-head")


async def test_a_pit_boss_closing_a_late_p1_is_told_who_records_the_recovery(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")  # journey 1: the P1 at BJ-07, pit 2
    floor.advance(3 * 3600)  # past its 2 h resolve promise
    floor.submit_as("pb2", c.Resolve(incident_id=bj07))
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_incident(app, pilot, bj07)
        await pilot.press("c")
        await settle(app, pilot)
        assert not any(isinstance(cmd, c.Close) for cmd in floor.submitted)
        said = " ".join(notices(app))
        assert "recorded first, by a host, duty manager or admin" in said
        assert "record the service recovery first" not in said  # not theirs to do


async def test_close_is_blocked_until_the_service_recovery_is_recorded(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    late = find_incident(floor, "VP-6402-1187")  # journey 4: P1 resolved after 2 hours
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_incident(app, pilot, late)
        assert "service recovery owed: free play (VIP scale)" in text_of(
            screen, "#incident-notices"
        )
        await pilot.press("c")
        await settle(app, pilot)
        assert not any(isinstance(cmd, c.Close) for cmd in floor.submitted)
        assert any("record the service recovery first" in n for n in notices(app))

        await pilot.press("k")
        await pilot.pause()
        field = app.screen.query_one(Input)
        assert field.value.startswith("free play (VIP scale)")  # the proposal, to edit
        field.value = "accepted: 500 free play, priority seat Friday"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "accepted: 500 free play" in text_of(screen, "#incident-notices")

        await pilot.press("c")
        await settle(app, pilot)
        assert floor.state.incidents[late].state is IncidentState.CLOSED


async def test_page_a_contact_from_the_incident_is_logged_on_it(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    failed = find_incident(floor, "VP-5120-3388")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_incident(app, pilot, failed)
        await pilot.press("g")
        await pilot.pause()
        ladder_screen = app.screen
        assert isinstance(ladder_screen, EscalationScreen)
        # the cursor starts on the incident's own line: finance, on the payments chain
        ladder = ladder_screen.query_one("#ladder-payments", OptionList)
        line = ladder.highlighted_option
        assert ladder.has_focus and line is not None and line.id == "payments|2|fin1|phone"
        await pilot.press("g")
        await settle(app, pilot)
        assert app.screen is screen
        assert "paged finance, Lee M., phone x5201" in text_of(screen, "#incident-timeline")
        assert "paged Lee M. (phone)" in notices(app)  # by name, not the roster's ID


async def test_silent_visit_blocks_a_public_page(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    arrival = find_incident(floor, "VV-7310-0925")  # silent visit, meet at the car
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_incident(app, pilot, arrival)
        assert screen.query_one("#incident-silent", Static).display
        assert "SILENT VISIT" in text_of(screen, "#incident-silent")
        await pilot.press("g")
        await pilot.pause()
        ladder = app.screen.query_one("#ladder-main", OptionList)
        ids = [ladder.get_option_at_index(i).id for i in range(ladder.option_count)]
        ladder.highlighted = ids.index("main|3|tgd1|pa")  # the floor PA: a public call
        await pilot.press("g")
        await settle(app, pilot)
        assert not any(isinstance(cmd, c.PageContact) for cmd in floor.submitted)
        assert any("silent visit: no public calls" in n for n in notices(app))
        assert isinstance(app.screen, EscalationScreen)


async def test_a_hosts_forbidden_action_is_explained(static_floor, make_app) -> None:
    floor = static_floor("h1")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_incident(app, pilot, bj07)
        await pilot.press("s")
        await settle(app, pilot)
        assert "a host may not assign; allowed: admin, duty manager, pit boss" in notices(app)
        assert floor.submitted == []


async def test_follows_another_terminals_change(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_incident(app, pilot, bj07)
        floor.submit_as("dm1", c.Assign(incident_id=bj07, owner="h1"))
        await settle(app, pilot)
        assert "Sam P." in text_of(screen, "#incident-head")
        assert "assigned to Sam P." in text_of(screen, "#incident-timeline")


async def test_each_open_shows_the_incident_asked_for(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    failed = find_incident(floor, "VP-5120-3388")
    arrival = find_incident(floor, "VV-7310-0925")
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        first = await open_incident(app, pilot, failed)
        assert "payments chain" in (first.query_one("#incident-ladder").border_title or "")
        assert not first.query_one("#incident-silent", Static).display
        await pilot.press("escape")
        await pilot.pause()

        # changed by another terminal while no incident was open
        floor.submit_as("h1", c.AddNote(incident_id=arrival, text="car is at the side door"))
        await settle(app, pilot)
        second = await open_incident(app, pilot, arrival)
        assert text_of(second, "#incident-head").startswith(f"#{arrival} ")
        assert second.query_one("#incident-silent", Static).display
        assert "main ladder" in (second.query_one("#incident-ladder").border_title or "")
        assert "VV-****-0925" in text_of(second, "#incident-facts")
        assert "car is at the side door" in text_of(second, "#incident-timeline")
        assert "VP-****" not in text_of(second, "#incident-facts")
        await pilot.press("escape")
        await pilot.pause()

        again = await open_incident(app, pilot, failed)
        assert text_of(again, "#incident-head").startswith(f"#{failed} ")
        assert not again.query_one("#incident-silent", Static).display


async def test_reopened_in_the_theme_chosen_meanwhile(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_incident(app, pilot, bj07)
        floor_p1 = screen.query_one("#incident-head").styles.background
        await pilot.press("escape")
        await pilot.pause()

        app.switch_theme("high-contrast")
        await pilot.pause()
        screen = await open_incident(app, pilot, bj07)
        await pilot.pause()
        assert screen.query_one("#incident-head").styles.background != floor_p1


async def test_reopened_at_the_terminal_size_of_now(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_incident(app, pilot, bj07)
        assert screen.has_class("-wide")
        await pilot.press("escape")
        await pilot.pause()

        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        screen = await open_incident(app, pilot, bj07)
        assert screen.has_class("-narrow") and not screen.has_class("-wide")
        columns = screen.query(".incident-column")
        assert columns[0].region.y < columns[1].region.y  # stacked, not side by side


async def test_after_a_switch_of_user_an_open_shows_the_new_users_incident(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")  # pit 2
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(1.2)  # settled: the incident screen made ahead
        await open_incident(app, pilot, bj07)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+l", "f2", *"pb1", "enter", *"1001", "enter")
        await settle(app, pilot)
        await pilot.pause(1.2)  # the app settles after sign-in (tui.settle)
        # nothing of the last user's incident is kept, even off screen
        hidden = app.get_screen(KEPT_NAME)
        assert isinstance(hidden, IncidentScreen) and hidden.incident_id != bj07
        assert "VV-****-4411" not in text_of(hidden, "#incident-facts")

        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, IncidentScreen) and screen.incident_id != bj07
        incident = floor.state.incidents[screen.incident_id]
        assert incident.location.pit == "1"
        assert text_of(screen, "#incident-head").startswith(f"#{incident.id} ")
        assert "VV-****-4411" not in text_of(screen, "#incident-facts")


async def test_signing_in_again_opens_incidents_as_before(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor, staff_id="pb2")  # the sign-in form asks only for the PIN
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(1.2)  # settled: the incident screen made ahead
        await open_incident(app, pilot, bj07)
        await pilot.press("escape")
        await pilot.pause()

        app.session.show_login("your session has expired; sign in again")
        await field_focused(app, pilot)
        await pilot.press(*"1002", "enter")
        await settle(app, pilot)
        await pilot.pause(1.2)  # settled again after this sign-in

        screen = await open_incident(app, pilot, bj07)
        assert text_of(screen, "#incident-head").startswith(f"#{bj07} ")
        assert "VV-****-4411" in text_of(screen, "#incident-facts")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, IncidentScreen)


async def test_clicking_a_key_in_the_footer_presses_it(static_floor, make_app) -> None:
    from screens.modals import NoteModal
    from tui.widgets.key_footer import KeyFooter

    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_incident(app, pilot, bj07)
        footer = screen.query_one(KeyFooter)
        line = footer.render().plain
        assert "m Note" in line
        await pilot.click(KeyFooter, offset=(line.index("m Note") + 2, 0))
        await pilot.pause()
        assert isinstance(app.screen, NoteModal)


async def test_the_footer_fits_the_terminal_and_always_offers_the_keys_list(
    static_floor, make_app
) -> None:
    from rich.cells import cell_len

    from tui.widgets.key_footer import KeyFooter

    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    floor.submit_as("dm1", c.Assign(incident_id=bj07, owner="h1"))  # so pb2 may take it
    for width, everything in ((80, False), (120, True)):
        app = make_app(floor)
        async with app.run_test(size=(width, 24)) as pilot:
            screen = await open_incident(app, pilot, bj07)
            line = screen.query_one(KeyFooter).render().plain
            assert cell_len(line) <= width, line
            assert line.startswith("t Take m Note x Escalate") and line.endswith(" ? Keys"), line
            # what is left out is said, and `?` lists it
            assert ("…" not in line) is everything, line
            assert ("o Outbox" in line) is everything, line


async def test_settling_asked_twice_at_once_leaves_a_working_incident_screen(
    static_floor, make_app
) -> None:
    """A sign-in asks to settle from two places; under load both land together."""
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        settle_now(app)
        settle_now(app)  # before the first screen has mounted
        await pilot.pause(0.3)
        screen = await open_incident(app, pilot, bj07)
        assert screen is app.get_screen(KEPT_NAME)
        assert text_of(screen, "#incident-head").startswith(f"#{bj07} ")


async def test_the_ladder_panel_keeps_every_number_on_one_line(static_floor, make_app) -> None:
    from domain.escalation import on_duty

    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")
    for size in ((80, 24), (120, 36)):
        app = make_app(floor)
        async with app.run_test(size=size) as pilot:
            screen = await open_incident(app, pilot, bj07)
            shown = ladder_text(screen).splitlines()
            state = screen.floor
            incident = state.incidents[bj07]
            ways = [
                f"{contact.method} {contact.value}"
                for line in range(1, 5)
                for entry in on_duty(state.roster, incident.chain, line, app.now, state.policy)
                for contact in entry.contacts
            ]
            assert "phone 0400 100 301" in ways
            for way in ways:
                assert any(way in line for line in shown), (size, way, shown)


async def test_close_is_offered_only_where_it_can_still_happen(static_floor, make_app) -> None:
    from domain.commands import Close, RecordCompensation
    from domain.models import IncidentState
    from domain.sla import compensation_due

    floor = static_floor("dm1")
    owed = next(
        i
        for i in floor.state.incidents.values()
        if i.state is IncidentState.RESOLVED
        and compensation_due(i, floor.state.policy)
        and not i.compensation
    )
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_incident(app, pilot, owed.id)
        # kept so pressing it says what to record first
        assert screen.check_action("close", ())
        floor.submit_as("dm1", RecordCompensation(incident_id=owed.id, text="500 free play"))
        floor.submit_as("dm1", Close(incident_id=owed.id))
        await pilot.pause()
        assert floor.state.incidents[owed.id].state is IncidentState.CLOSED
        assert not screen.check_action("close", ())


async def test_lowering_the_priority_asks_why_and_the_timeline_says_so(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, "VV-2231-4411")  # a P1
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_incident(app, pilot, bj07)
        await pilot.press("p")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#dialog-priority", Select).value = Priority.P4
        await pilot.pause()
        assert "say why" in text_of(dialog, "#dialog-hint")
        dialog.query_one("#dialog-reason", Input).focus()
        await pilot.press("enter")  # no reason: refused here, nothing sent
        await pilot.pause()
        assert app.screen is dialog
        assert "say why it goes down from P1 to P4" in text_of(dialog, "#dialog-hint")
        assert not any(isinstance(cmd, c.SetPriority) for cmd in floor.submitted)
        await pilot.press(*"camera shows no error", "enter")
        await settle(app, pilot)
        assert app.screen is screen
        (sent,) = [cmd for cmd in floor.submitted if isinstance(cmd, c.SetPriority)]
        assert (sent.priority, sent.reason) == (Priority.P4, "camera shows no error")
        assert "priority lowered from P1 to P4: camera shows no error" in text_of(
            screen, "#incident-timeline"
        )


async def test_an_action_done_offline_shows_when_it_was_done_and_when_it_arrived(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_incident(app, pilot, bj07)
        # the host's note, made at 02:11 with no network, reaches the server at 02:13
        floor.submit_late(
            "h1", c.AddNote(incident_id=bj07, text="met the player"), floor.now() - 120
        )
        await settle(app, pilot)
        assert "02:11 (arrived 02:13) Sam P. (host)" in text_of(screen, "#incident-timeline")
        # one that arrived as it was done says its time once
        floor.submit_as("h1", c.AddNote(incident_id=bj07, text="walking over"))
        await settle(app, pilot)
        timeline = text_of(screen, "#incident-timeline")
        assert "02:13 Sam P. (host) @test-terminal  walking over" in timeline


async def test_the_80_column_footer_leads_with_the_recovery_and_report_owed(
    static_floor, make_app
) -> None:
    from tui.widgets.key_footer import KeyFooter

    floor = static_floor("dm1")
    late = find_incident(floor, "VP-6402-1187")  # journey 4: recovery owed, report due
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_incident(app, pilot, late)
        footer = screen.query_one(KeyFooter)
        line = footer.render().plain
        assert line.startswith("k Recovery f Report "), line
        assert len(line) <= 80 and line.endswith(" ? Keys")
        # once recorded, the recovery is no longer what it waits for
        floor.submit_as("dm1", c.RecordCompensation(incident_id=late, text="accepted: 500"))
        await settle(app, pilot)
        line = footer.render().plain
        assert line.startswith("f Report ") and "k Recovery" not in line, line


async def test_the_recovery_dialog_says_its_whole_prompt_at_80_columns(
    static_floor, make_app
) -> None:
    from .test_incident_helpers import screen_text

    floor = static_floor("dm1")
    late = find_incident(floor, "VP-6402-1187")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(app, pilot, late)
        await pilot.press("k")
        await pilot.pause()
        box = app.screen.query_one("#dialog").region
        rows = screen_text(app).splitlines()[box.y : box.bottom]
        inside = " ".join(row[box.x + 1 : box.right - 1] for row in rows)
        prompt = "What was agreed with the player (kept on the incident until it is closed)"
        assert prompt in " ".join(inside.split()), inside


async def test_the_assign_picker_says_who_is_on_duty_now_and_lists_them_first(
    static_floor, make_app
) -> None:
    from screens.modals import AssignModal

    floor = static_floor("dm1")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(app, pilot, bj07)
        await pilot.press("s")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, AssignModal)
        labels = [label for label, _ in picker.staff]
        # the escalation rota at 02:13: Sam P. answers L1, Dana K. L2 (main ladder)
        assert "Sam P. (host), on duty: L1" in labels
        assert "Dana K. (duty manager), on duty: L2" in labels
        assert "Riley C. (host)" in labels  # on no line now
        on_duty = [n for n, label in enumerate(labels) if "on duty" in label]
        assert on_duty == list(range(len(on_duty)))  # they come first
