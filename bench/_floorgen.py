"""A large floor for the client benchmarks, made once per run.

`open_commands(n)` gives `n` varied OpenIncident commands (priorities, tiers,
pits, channels, kinds) from a fixed seed. `post_floor` sends them to a demo
backend in batches, for figures that go through the backend; `floor_state`
folds them straight through `domain.decide`/`apply` for the pure rendering
figures, so 100,000 incidents take seconds rather than an hour of requests.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from _servers import Product, start_product

from api_client.client import FloorClient
from api_client.tokens import MemoryTokenStore
from backend.demo import demo_floor
from domain.commands import OpenIncident
from domain.decide import Actor, decide
from domain.models import Channel, IncidentKind, Location, Player, Priority, Tier
from domain.reducer import apply
from domain.state import FloorState

BATCH = 500  # the protocol's limit per batch
OPENER = "dm1"

PITS = {"1": ("BJ-01", "BJ-03", "RL-01", "SL-2001"), "2": ("BJ-05", "BAC-02"), "3": ("HL-1141",)}
KINDS = (
    IncidentKind.GAME_UNAVAILABLE,
    IncidentKind.RESULT_DISPUTE,
    IncidentKind.PAYMENT_FAILURE,
    IncidentKind.TABLE_DISPUTE,
    IncidentKind.MACHINE_FAULT,
    IncidentKind.LOGIN_PROBLEM,
    IncidentKind.BONUS_QUESTION,
)
# few unacknowledged P1s: they are pinned to the top, where a measured row has to show
PRIORITIES = ((Priority.P1, 0.005), (Priority.P2, 0.2), (Priority.P3, 0.45), (Priority.P4, 0.345))
TIERS = ((Tier.STANDARD, 0.7), (Tier.VIP, 0.22), (Tier.VVIP, 0.08))


def _pick(rng: random.Random, weighted: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def open_command(
    rng: random.Random, reference: str, priority: Priority | None = None
) -> OpenIncident:
    pit = rng.choice(sorted(PITS))
    online = rng.random() < 0.25
    return OpenIncident(
        kind=rng.choice(KINDS),
        priority=priority or _pick(rng, PRIORITIES),
        channel=rng.choice(list(Channel)),
        player=Player(
            reference=reference, tier=_pick(rng, TIERS), silent_visit=rng.random() < 0.03
        ),
        location=Location(pit=None, spot="online")
        if online
        else Location(pit=pit, spot=rng.choice(PITS[pit])),
        summary="generated for a benchmark",
    )


def open_commands(n: int, seed: int = 7) -> list[OpenIncident]:
    rng = random.Random(seed)
    return [open_command(rng, f"PL{number:06d}") for number in range(n)]


def envelope(command: OpenIncident | Any) -> dict[str, Any]:
    return {"command_id": str(uuid.uuid4()), "command": command.model_dump(mode="json")}


def post_floor(url: str, headers: dict[str, str], n: int) -> None:
    """Open `n` incidents on a running backend, `BATCH` commands a request."""
    commands = open_commands(n)
    with httpx.Client(headers=headers, timeout=120) as http:
        for start in range(0, n, BATCH):
            body = {"commands": [envelope(c) for c in commands[start : start + BATCH]]}
            answer = http.post(f"{url}/v1/commands/batch", json=body)
            answer.raise_for_status()


def base_state() -> FloorState:
    demo = demo_floor()
    return FloorState(
        staff={member.id: member for member, _ in demo.staff},
        assets={asset.id: asset for asset in demo.assets},
        roster=demo.roster,
    )


def floor_state(n: int, *, now: float | None = None, templates: int = 400) -> FloorState:
    """`n` open incidents opened over the last two hours, folded without a backend.

    The reducer copies the incident dict per event (fine for a live floor, quadratic
    for a bulk load), so `templates` incidents are decided and applied for real and
    the rest are copies of them under new numbers.
    """
    now = time.time() if now is None else now
    rng = random.Random(11)
    state = base_state()
    actor = Actor(state.staff[OPENER], "bench")
    made = []
    for number, command in enumerate(open_commands(min(n, templates))):
        at = now - rng.uniform(0, 2 * 3600)
        for event in decide(state, command, actor, at, command_id=f"gen-{number}"):
            state = apply(state, event)
        made.append(state.incidents[state.next_incident_id - 1])
    incidents = dict(state.incidents)
    for number in range(len(made) + 1, n + 1):
        template = made[number % len(made)]
        player = template.player.model_copy(update={"reference": f"PL{number - 1:06d}"})
        incidents[number] = template.model_copy(update={"id": number, "player": player})
    return state.model_copy(update={"incidents": incidents, "next_incident_id": n + 1})


async def fill_replica(url: str, data_dir: Path, incidents: int) -> None:
    """Sign in with a real client and let it sync the floor into its replica."""
    client = FloorClient(url, data_dir=data_dir, terminal="bench", token_store=MemoryTokenStore())
    await client.sign_in("dm1", "3001")
    feed = client.changes()
    await client.start()
    async for _ in feed:
        if len(client.state.incidents) >= incidents:
            break
    await client.close()


@contextmanager
def loaded_floor(incidents: int) -> Iterator[tuple[Product, Path]]:
    """A demo backend with `incidents` more incidents, and a folder whose `data`
    holds a terminal's replica already synced from it."""
    product = start_product()
    try:
        post_floor(product.url, product.headers, incidents)
        with tempfile.TemporaryDirectory(prefix="floorline-bench-") as folder:
            asyncio.run(fill_replica(product.url, Path(folder) / "data", incidents))
            yield product, Path(folder)
    finally:
        product.stop()
