"""The ASGI app: `create_app(config)` wires storage, the command path, the live hub
and the scheduler, and runs them for the life of the server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from fastapi import FastAPI

from backend import (
    errors,
    floorconfig,
    intake_routes,
    livefeed,
    metrics_routes,
    openapi,
    routes,
    staff_routes,
)
from backend.auth import Authenticator
from backend.bodylimit import BodyLimit
from backend.config import ServerConfig
from backend.context import Backend
from backend.live import LiveHub
from backend.metrics_cache import MetricsCache
from backend.scheduler import EscalationScheduler
from backend.service import FloorService
from backend.storage import Storage
from domain.protocol import CLOSE_RESYNC, MAX_BODY_BYTES

log = logging.getLogger("floorline.backend")


def _say(line: str) -> None:
    print(line, flush=True)


async def start_backend(config: ServerConfig, say: Callable[[str], None] = _say) -> Backend:
    """Open the database, fold the log, load the demo if asked; not yet ticking."""
    storage = await Storage.open(config.db_url)
    hub = LiveHub(queue_frames=config.send_queue_frames, queue_bytes=config.send_queue_bytes)
    service = FloorService(storage, config, hub)
    await service.start(await floorconfig.base_state(storage.engine, config.policy))
    scheduler = EscalationScheduler(service, hub, interval=config.tick_interval)
    if config.demo:
        await _load_demo(service, scheduler, config, say)
    elif not service.state.staff:
        for line in NO_FLOOR:
            say(line.format(db=config.db_url))
    auth = Authenticator(engine=storage.engine, token_ttl=config.token_ttl)

    def staff_changed(staff_id: str, deactivated: bool) -> None:
        # a deactivated member's (or a reset PIN's) tokens are revoked in the database;
        # here their sockets close (any process: it folds the same events) and their
        # checked tokens are forgotten. A role or pit change keeps the token: the feed
        # closes with "resync", so the terminal takes a snapshot in the new scope and
        # reconnects, still signed in
        if deactivated:
            auth.forget_staff(staff_id)
            hub.close_staff(staff_id, "your access changed: sign in again")
        else:
            hub.close_staff(
                staff_id, "your role changed: the floor as you now see it", CLOSE_RESYNC
            )

    service.on_staff_change = staff_changed
    return Backend(
        config=config,
        storage=storage,
        service=service,
        hub=hub,
        auth=auth,
        scheduler=scheduler,
        metrics=MetricsCache(storage),
    )


NO_FLOOR = (
    "this database has no staff yet, so nobody can sign in. Load a floor file first:",
    "  floorline floor import floor.toml --db {db}",
    "(an example: backend/floors/example.toml in the package; or serve --demo for a demo floor)",
)


async def _load_demo(
    service: FloorService,
    scheduler: EscalationScheduler,
    config: ServerConfig,
    say: Callable[[str], None],
) -> None:
    """The demo floor file through the import path, then its night of incidents."""
    from backend.demo import demo_floor
    from backend.demo_loader import describe_staff, play_script
    from backend.floorimport import import_floor

    floor = demo_floor()
    if await floorconfig.is_empty(service.storage.engine):
        await import_floor(
            service,
            floor.floor,
            chosen_pins={member.id: pin for member, pin in floor.staff},
            one_time=False,
            terminal="demo",
            demo=True,
        )
        async with service.bulk():
            await play_script(floor, service, scheduler, config.clock())
    for line in describe_staff(floor):
        say(line)


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
        from backend.pgfanout import PostgresFanout

        # other processes' events (other servers on PostgreSQL; `floorline floor
        # import` on either database): LISTEN where there is one, and a poll
        fanout = PostgresFanout(
            backend.service, interval=config.poll_interval, listen=backend.storage.is_postgres
        )
        await fanout.start()
        warming = asyncio.create_task(
            backend.metrics.warm(backend.service.state.policy, backend.now())
        )
        try:
            yield
        finally:
            warming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await warming
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
    app.include_router(staff_routes.router)
    app.include_router(metrics_routes.router)
    app.include_router(intake_routes.router)
    app.include_router(intake_routes.admin_router)
    app.include_router(livefeed.router)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    openapi.install(app)
    return app


__all__ = ["create_app", "start_backend", "stop_backend"]
