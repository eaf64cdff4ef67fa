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
