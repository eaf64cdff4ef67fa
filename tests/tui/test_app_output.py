"""Output from inside the running app (a library's print) must never break it."""

from __future__ import annotations

from screens.queue import QueueScreen


async def test_a_flushed_print_while_running_does_not_crash_the_app(static_floor, make_app) -> None:
    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        print("a library says hello", flush=True)
        await pilot.press("down")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert app.is_running
