"""Who to call now: the ladders, gaps highlighted, pages logged."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, Select, Static

from domain import commands as c
from domain.cover import who_to_call
from domain.escalation import TOP_LINE
from domain.models import Chain
from screens.escalation import EscalationScreen
from screens.queue import QueueScreen

from .screen_text import screen_lines
from .test_incident_helpers import find_incident, ladder_text, notices, settle
from .test_incident_screen import open_incident


async def open_ladder(app, pilot) -> EscalationScreen:
    await pilot.pause()
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(app.screen, EscalationScreen)
    return app.screen


async def test_a_line_with_no_one_on_duty_is_highlighted(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    roster = tuple(e for e in floor.truth.roster if not (e.chain is Chain.MAIN and e.line == 3))
    floor.truth = floor.truth.model_copy(update={"roster": roster})
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ladder(app, pilot)
        main = screen.query_one("#ladder-main", OptionList)
        assert main.border_title == "main ladder: 1 line(s) with no one on duty"
        gap = main.get_option("main|3||")
        assert gap.disabled and "NO ONE ON DUTY" in str(gap.prompt)
        payments = screen.query_one("#ladder-payments", OptionList)
        assert payments.border_title == "payments chain"


async def test_paging_without_an_incident_is_sent_and_confirmed(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_ladder(app, pilot)
        first = screen.query_one("#ladder-main", OptionList).highlighted_option
        assert first is not None and first.id == "main|1|h1|messenger"
        await pilot.press("down", "down", "g")
        await settle(app, pilot)
        assert floor.submitted[-1] == c.PageContact(staff_id="dm1", method="radio")
        assert "paged Dana K. (radio)" in notices(app)
        assert isinstance(app.screen, EscalationScreen)  # stays for the next call


def _ways_on_duty(floor, now: float) -> list[str]:
    """Every way to reach someone on duty now, as the ladders write it."""
    return [
        f"{contact.method} {contact.value}"
        for chain in Chain
        for line in range(1, TOP_LINE + 1)
        for entry in who_to_call(floor, chain, line, now)
        for contact in entry.contacts
    ]


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
async def test_no_number_is_broken_over_two_lines(static_floor, make_app, size) -> None:
    app = make_app(static_floor("dm1"))
    async with app.run_test(size=size) as pilot:
        screen = await open_ladder(app, pilot)
        shown = screen_lines(app)
        ways = _ways_on_duty(screen.floor, app.now)
        assert "phone 0400 100 301" in ways
        for way in ways:
            assert any(way in line for line in shown), (way, shown)
        # one line per way to reach someone: a long line title is cut instead
        for chain in Chain:
            ladder = screen.query_one(f"#ladder-{chain}", OptionList)
            assert ladder.virtual_size.height == ladder.option_count


def test_the_next_step_breaks_before_the_person_to_call() -> None:
    from textual.content import Content

    from tui.widgets.ladder import wrap_tail

    step = "L3 pit boss / table games director at 02:43 (in 30:00) - Avery M., phone 0400 100 301"
    tail = Content.assemble(("next ", "dim"), (step, "bold"))
    assert [line.plain for line in wrap_tail(tail, 100)] == [f"next {step}"]
    lines = [line.plain for line in wrap_tail(tail, 56)]
    assert lines[-1] == "Avery M., phone 0400 100 301" and lines[-2].endswith(" -")


async def test_a_duty_manager_covers_a_gap_confirms_the_contact_and_ends_the_cover(
    static_floor, make_app
) -> None:
    from textual.widgets import Static

    from screens.cover_modal import CoverModal

    floor = static_floor("dm1")
    # nobody on risk / AML tonight
    roster = tuple(e for e in floor.truth.roster if not (e.chain is Chain.PAYMENTS and e.line == 3))
    floor.truth = floor.truth.model_copy(update={"roster": roster})
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_ladder(app, pilot)
        gaps = screen.query_one("#escalation-gaps", Static)
        assert str(gaps.content) == "L3 payments: nobody on duty now"

        await pilot.press("c")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, CoverModal)
        await pilot.press("enter", *["down"] * 3, "enter")  # staff: Chris N.
        await pilot.press("shift+tab", "enter", *["down"] * 6, "enter")  # L3 risk / AML
        await pilot.press("tab", "tab", *"06:00", "tab", *"AML desk unstaffed", "enter")
        await settle(app, pilot)
        assert app.screen is screen
        sent = floor.submitted[-1]
        assert isinstance(sent, c.SetCover)
        assert (sent.chain, sent.line, sent.staff_id, sent.reason) == (
            Chain.PAYMENTS,
            3,
            "dm2",
            "AML desk unstaffed",
        )
        assert "Chris N. covers L3 risk / AML until 06:00" in notices(app)
        payments = screen.query_one("#ladder-payments", OptionList)
        row = payments.get_option("payments|3|dm2|radio")
        assert "Chris N. (cover to 06:00)" in str(row.prompt)
        assert "unconfirmed" in str(row.prompt)
        assert not gaps.display  # the gap is covered

        # after a test page answered on the radio, mark it confirmed
        await pilot.press("tab")
        assert screen.focused is payments

        def on_the_radio() -> bool:
            option = payments.highlighted_option
            return option is not None and option.id == "payments|3|dm2|radio"

        while not on_the_radio():
            await pilot.press("down")
        await pilot.press("v")
        await settle(app, pilot)
        assert floor.submitted[-1] == c.ConfirmContact(staff_id="dm2", method="radio", value="ch 3")
        row = payments.get_option("payments|3|dm2|radio")
        assert "confirmed 0 min ago" in str(row.prompt)

        # the regular desk is back: end the cover, the gap shows again
        await pilot.press("u")
        await pilot.pause()
        await pilot.press(*"Quinn is back", "enter")
        await settle(app, pilot)
        assert floor.submitted[-1] == c.EndCover(
            chain=Chain.PAYMENTS, line=3, reason="Quinn is back"
        )
        assert "NO ONE ON DUTY" in str(payments.get_option("payments|3||").prompt)
        assert str(gaps.content) == "L3 payments: nobody on duty now"


async def test_cover_keys_are_for_duty_managers_only(static_floor, make_app) -> None:
    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ladder(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        assert app.screen is screen  # no cover dialog for a pit boss
        assert screen.check_action("confirm_contact", ()) is False


async def test_a_gap_ninety_minutes_ahead_shows_on_the_ladders_the_queue_and_the_incident(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")  # 02:13: main L4's shift now ends at 03:43
    roster = tuple(
        e.model_copy(update={"shift_end": "03:43"}) if (e.chain, e.line) == (Chain.MAIN, 4) else e
        for e in floor.truth.roster
    )
    floor.truth = floor.truth.model_copy(update={"roster": roster})
    coming = "L4 main: nobody on duty from 03:43 (in 1:30)"
    app = make_app(floor)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        summary = str(app.screen.query_one("#queue-summary", Static).content)
        assert "nobody on duty: L4 from 03:43 (in 1:30)" in summary, summary

        screen = await open_ladder(app, pilot)
        gaps = screen.query_one("#escalation-gaps", Static)
        assert gaps.display and str(gaps.content) == coming
        # on duty until then: the line itself is not yet a gap
        main = screen.query_one("#ladder-main", OptionList)
        assert main.border_title == "main ladder"
        await pilot.press("escape")
        await pilot.pause()

        incident = await open_incident(app, pilot, find_incident(floor, "VV-2231-4411"))
        assert coming in ladder_text(incident), "\n".join(screen_lines(app))


async def test_a_duty_manager_takes_a_line_themselves_with_one_choice_made_for_them(
    static_floor, make_app
) -> None:
    from screens.cover_modal import CoverModal

    floor = static_floor("dm1")
    roster = tuple(e for e in floor.truth.roster if not (e.chain is Chain.PAYMENTS and e.line == 3))
    floor.truth = floor.truth.model_copy(update={"roster": roster})
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_ladder(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, CoverModal)
        who = modal.query_one("#cover-staff", Select)
        assert who.value == "dm1"
        assert any("take it myself: Dana K. (dm1)" in line for line in screen_lines(app))
        # only the line and why: who is already chosen
        await pilot.press("shift+tab", "enter", *["down"] * 6, "enter")  # L3 risk / AML
        await pilot.press("tab", "tab", *"06:00", "tab", *"AML desk unstaffed", "enter")
        await settle(app, pilot)
        assert app.screen is screen
        sent = floor.submitted[-1]
        assert isinstance(sent, c.SetCover)
        assert (sent.chain, sent.line, sent.staff_id) == (Chain.PAYMENTS, 3, "dm1")
        assert "Dana K. covers L3 risk / AML until 06:00" in notices(app)
