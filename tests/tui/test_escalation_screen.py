"""Who to call now: the ladders, gaps highlighted, pages logged."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from domain import commands as c
from domain.cover import who_to_call
from domain.escalation import TOP_LINE
from domain.models import Chain
from screens.escalation import EscalationScreen

from .test_incident_helpers import notices, settle


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
        assert screen.query_one("#ladder-main", OptionList).highlighted_option.id == (
            "main|1|h1|messenger"
        )
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
        shown = [strip.text for strip in screen._compositor.render_strips()]
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
