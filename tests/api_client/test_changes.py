from __future__ import annotations

import asyncio
import threading

from api_client.changes import ChangeHub
from api_client.contract import MAX_EVENTS_HELD, Changes, FloorView


async def test_a_slow_subscriber_gets_one_merged_notice() -> None:
    hub = ChangeHub()
    slow = hub.subscribe()
    for n in range(1000):
        hub.publish(Changes(incidents=frozenset({n % 7}), events=(n,)))
    hub.publish(Changes(status=True))
    merged = await anext(slow)
    assert merged.incidents == frozenset(range(7))
    assert merged.status
    assert merged.events == tuple(range(1000))
    # nothing else is waiting: the thousand notices became one
    assert not slow.has_news


async def test_subscribers_are_independent_and_registered_at_once() -> None:
    hub = ChangeHub()
    a, b = hub.subscribe(), hub.subscribe()
    hub.publish(Changes(roster=True))
    assert (await anext(a)).roster
    hub.publish(Changes(outbox=True))
    hub.flush()  # (otherwise at the end of this turn of the loop)
    first_b = await anext(b)
    assert first_b.roster and first_b.outbox


async def test_too_many_held_events_become_a_reset() -> None:
    hub = ChangeHub()
    sub = hub.subscribe()
    hub.publish(Changes(events=tuple(range(MAX_EVENTS_HELD))))
    hub.publish(Changes(events=(1,)))
    held = await anext(sub)
    assert held.reset and held.events == ()


async def test_close_ends_every_subscription() -> None:
    hub = ChangeHub()
    sub = hub.subscribe()

    async def read_all() -> list[Changes]:
        return [changes async for changes in sub]

    reader = asyncio.create_task(read_all())
    await asyncio.sleep(0)
    hub.publish(Changes(status=True))
    hub.close()
    assert await asyncio.wait_for(reader, 1) == [Changes(status=True)]


async def test_a_burst_in_one_turn_takes_one_view_before_its_notice() -> None:
    views: list[FloorView] = []

    def view(changes: Changes) -> FloorView:
        views.append(FloorView())
        return views[-1]

    hub = ChangeHub(view=view)
    sub = hub.subscribe()
    for n in range(50):
        hub.publish(Changes(incidents=frozenset({n})))
    changes = await anext(sub)
    assert changes.incidents == frozenset(range(50))
    assert len(views) == 1  # one view for the whole burst, taken before the reader woke
    assert hub.view is views[0]


async def test_a_reader_on_another_thread_is_woken() -> None:
    hub = ChangeHub()
    sub = hub.subscribe()
    reader = asyncio.ensure_future(anext(sub))
    await asyncio.sleep(0)  # the reader now waits
    publisher = threading.Thread(target=lambda: hub.publish(Changes(status=True)))
    publisher.start()
    publisher.join()
    assert (await asyncio.wait_for(reader, 30)).status


# --- pacing: a catch-up page waits for a screen to show the last one -------------------


async def test_a_page_waits_until_a_paced_reader_has_shown_the_last_one() -> None:
    hub = ChangeHub()
    sub = hub.subscribe(paced=True)
    hub.publish(Changes(incidents=frozenset({1})))
    page = asyncio.ensure_future(hub.readers_settled(limit=60))
    shown = await anext(sub)  # taken, being shown
    await asyncio.sleep(0.01)
    assert shown.incidents == {1} and not page.done()
    asking = asyncio.ensure_future(anext(sub))  # asking for the next: the last is shown
    await asyncio.wait_for(page, 30)
    asking.cancel()


async def test_a_notice_published_this_turn_is_delivered_before_the_page_waits() -> None:
    hub = ChangeHub()
    sub = hub.subscribe(paced=True)
    page = asyncio.ensure_future(hub.readers_settled(limit=60))  # runs first...
    hub.publish(Changes(incidents=frozenset({7})))  # ...then this notice is due
    await asyncio.sleep(0.01)
    assert not page.done()  # it waits for that notice, not only for what was held
    assert (await anext(sub)).incidents == {7}
    asking = asyncio.ensure_future(anext(sub))
    await asyncio.wait_for(page, 30)
    asking.cancel()


async def test_a_stuck_paced_reader_holds_a_page_up_only_to_the_limit() -> None:
    hub = ChangeHub()
    sub = hub.subscribe(paced=True)
    hub.publish(Changes(status=True))
    await anext(sub)  # and never asks again
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.wait_for(hub.readers_settled(limit=0.05), 30)
    assert loop.time() - started >= 0.05


async def test_a_reader_that_is_not_paced_or_has_left_never_holds_a_page() -> None:
    hub = ChangeHub()
    hub.subscribe()  # unpaced, never reads
    gone = hub.subscribe(paced=True)
    hub.publish(Changes(status=True))
    await anext(gone)
    gone.close()
    await asyncio.wait_for(hub.readers_settled(limit=60), 30)
