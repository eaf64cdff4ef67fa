"""The incident screen, walked through with a person's keys on the frozen demo floor."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from domain import commands as c
from domain.models import IncidentState
from screens.escalation import EscalationScreen
from screens.incident import IncidentScreen
from tui.widgets.clock_panel import ClockCell

from .test_incident_helpers import find_incident, notices, settle, text_of


async def open_incident(app, pilot: Pilot, incident_id: int) -> IncidentScreen:
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
        stabilise = screen.query_one("#clock-stabilise", ClockCell)
        assert str(stabilise.content) == "13:00" and stabilise.has_class("-ok")
        assert str(screen.query_one("#clock-answer", ClockCell).content).startswith("met ")
        assert screen.query_one("#ladder-l1").has_class("-current")
        assert "VV-****-4411" in text_of(screen, "#incident-facts")
        assert "2231" not in text_of(screen, "#incident-facts")

        # one app tick later the countdowns have moved, nothing rebuilt
        floor.advance(12 * 60)
        app.now = floor.now()
        await pilot.pause()
        assert stabilise.has_class("-red")
        assert str(stabilise.content) == "1:00"


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

        await pilot.press("t")
        await settle(app, pilot)
        take = floor.submitted[-1]
        assert isinstance(take, c.Take) and take.expected_version == seen
        assert floor.state.incidents[bj07].owner == "pb2"
        assert "Jordan T." in text_of(screen, "#incident-head")

        await pilot.press("x")
        await pilot.press("enter")
        await settle(app, pilot)
        assert floor.state.incidents[bj07].line == 2
        assert "L2" in text_of(screen, "#incident-head")
        assert screen.query_one("#ladder-l2").has_class("-current")

        await pilot.press("b")
        await pilot.press(*"surveillance review started", "enter")
        await settle(app, pilot)
        assert floor.state.incidents[bj07].state is IncidentState.STABILISED
        assert screen.query_one("#clock-stabilise", ClockCell).has_class("-met")
        assert "stopped" in text_of(screen, "#ladder-next")

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
        assert "payments chain" in screen.query_one("#incident-ladder").border_title
        assert "L2 finance" in str(screen.query_one("#ladder-l2 .ladder-title", Static).content)
        await pilot.press("a")
        await settle(app, pilot)
        assert floor.state.incidents[failed].state is IncidentState.ACKNOWLEDGED
        assert "ACKNOWLEDGED" in text_of(screen, "#incident-head")


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
        assert ladder.has_focus and ladder.highlighted_option.id == "payments|2|fin1|phone"
        await pilot.press("g")
        await settle(app, pilot)
        assert app.screen is screen
        assert "paged finance, Lee M., phone x5201" in text_of(screen, "#incident-timeline")


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
