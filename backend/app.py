"""The ASGI app: `create_app(config)` wires storage, the command path, the live hub
and the scheduler, and runs them for the life of the server."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from fastapi import FastAPI

from backend import errors, floorconfig, livefeed, openapi, routes
from backend.auth import Authenticator
from backend.bodylimit import BodyLimit
from backend.config import ServerConfig
from backend.context import Backend
from backend.live import LiveHub
from backend.scheduler import EscalationScheduler
from backend.service import FloorService
from backend.storage import Storage
from domain.protocol import MAX_BODY_BYTES

log = logging.getLogger("floorline.backend")


def _say(line: str) -> None:
    print(line, flush=True)


async def start_backend(config: ServerConfig, say: Callable[[str], None] = _say) -> Backend:
    """Open the database, fold the log, load the demo if asked; not yet ticking."""
    storage = await Storage.open(config.db_url)
    hub = LiveHub(queue_frames=config.send_queue_frames, queue_bytes=config.send_queue_bytes)
    service = FloorService(storage, config, hub)
    floor = None
    fresh = False
    if config.demo:
        from backend.demo import demo_floor

        floor = demo_floor()
        fresh = await floorconfig.is_empty(storage.engine)
        if fresh:
            await floorconfig.seed(
                storage.engine, floor.staff, floor.assets, floor.roster, demo=True
            )
    await service.start(await floorconfig.base_state(storage.engine, config.policy))
    scheduler = EscalationScheduler(service, hub, interval=config.tick_interval)
    if floor is not None:
        from backend.demo_loader import describe_staff, play_script

        if fresh:
            async with service.bulk():
                await play_script(floor, service, scheduler, config.clock())
        for line in describe_staff(floor):
            say(line)
    auth = Authenticator(engine=storage.engine, token_ttl=config.token_ttl)
    return Backend(
        config=config, storage=storage, service=service, hub=hub, auth=auth, scheduler=scheduler
    )


async def stop_backend(backend: Backend) -> None:
    await backend.scheduler.stop()
    await backend.hub.close_all()
    await backend.storage.close()


def create_app(config: ServerConfig, say: Callable[[str], None] = _say) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        backend = await start_backend(config, say)
        app.state.backend = backend
        backend.scheduler.start()
        fanout = None
        if backend.storage.is_postgres:
            from backend.pgfanout import PostgresFanout

            fanout = PostgresFanout(backend.service, interval=config.poll_interval)
            await fanout.start()
        try:
            yield
        finally:
            if fanout is not None:
                await fanout.stop()
            await stop_backend(backend)

    app = FastAPI(
        title="floorline backend",
        version="0.1.0",
        summary="Incident queue, escalation and downtime board for the casino floor",
        lifespan=lifespan,
    )
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(livefeed.router)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    openapi.install(app)
    return app


__all__ = ["create_app", "start_backend", "stop_backend"]
