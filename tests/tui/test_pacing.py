"""The app paces catch-up pages: each waits until the screen has shown the last
notice. A sync worker that stops (restarted for a new user, cancelled) must not
leave a reader behind that every later page would wait for."""

from __future__ import annotations

import asyncio

from api_client.contract import Changes
from screens.queue import QueueScreen
from tests.tui.conftest import settle


async def _a_page_goes_through(floor, pilot) -> None:
    """A notice is shown and the next catch-up page may be folded. With a reader
    left behind by a stopped worker, the page would wait the whole minute."""
    floor._hub.publish(Changes(status=True))
    await asyncio.wait_for(floor._hub.readers_settled(limit=60), 30)


async def test_a_page_waits_only_for_the_screen_that_reads(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await _a_page_goes_through(floor, pilot)


async def test_a_restarted_sync_leaves_no_reader_behind(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.start_sync()  # as a sign-in again on the same server does
        await settle(app, pilot)
        await _a_page_goes_through(floor, pilot)


async def test_a_switch_of_user_leaves_no_reader_behind(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l", "f2", *"pb1", "enter", *"1001", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, QueueScreen)
        await _a_page_goes_through(floor, pilot)
