"""Who to call now: the ladders, gaps highlighted, pages logged."""

from __future__ import annotations

from textual.widgets import OptionList

from domain import commands as c
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
