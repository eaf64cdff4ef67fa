"""The demo floor: three pits, an online desk, staff of every role and a night's incidents.

Built from the shift walk-throughs (journeys): the disputed VVIP hand at BJ-07,
the jammed machine in the high-limit room, the host meeting a car, the failed
withdrawal on the payments chain, the anonymous crypto deposit. The floor itself
(pits, tables, staff, rota) is the floor file `backend/floors/demo.toml`,
with its fixed PINs in `demo_pins.toml`; the incidents are played through
the command path. The rest are generated from a fixed seed, so every fresh
install shows the same floor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from importlib import resources

from domain import commands as c
from domain.floorfile import FloorFile, parse_floor, to_config
from domain.models import (
    Asset,
    AssetKind,
    Channel,
    IncidentKind,
    Location,
    Player,
    PlayerIdKind,
    Priority,
    RosterEntry,
    Staff,
    Tier,
)
from domain.pins import parse_pin_file

MINUTE = 60.0
HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class DemoStep:
    offset: float  # seconds relative to the moment the demo is loaded (negative: past)
    actor_id: str
    command: c.Command


@dataclass(frozen=True, slots=True)
class DemoFloor:
    floor: FloorFile  # what is imported (backend/floors/demo.toml)
    staff: tuple[tuple[Staff, str], ...]  # (member, demo PIN)
    assets: tuple[Asset, ...]
    roster: tuple[RosterEntry, ...]
    script: tuple[DemoStep, ...]


FLOOR_FILE = "demo.toml"
PIN_FILE = "demo_pins.toml"
PIT_OF_BOSS = {"1": "pb1", "2": "pb2", "3": "pb3"}
HOSTS = ("h1", "h2", "h3")
# the order the generated incidents pick tables and machines in (the script
# was first written against it): a different order would make a different night
_GENERATION_ORDER = ("BJ", "BAC", "RL", "HL", "SL")


def demo_files() -> tuple[str, str]:
    """The demo floor file and its pin file, as shipped in the package."""
    floors = resources.files("backend.floors")
    return (floors / FLOOR_FILE).read_text(), (floors / PIN_FILE).read_text()


def _generation_key(asset: Asset) -> tuple[int, str]:
    prefix = asset.id.split("-", 1)[0]
    order = _GENERATION_ORDER.index(prefix) if prefix in _GENERATION_ORDER else 99
    return order, asset.id


def _player(rng: random.Random, tier: Tier | None = None) -> Player:
    tier = tier or rng.choice([Tier.STANDARD, Tier.VIP, Tier.VIP, Tier.VVIP])
    if tier is Tier.STANDARD and rng.random() < 0.5:
        return Player(
            id_kind=PlayerIdKind.PSEUDONYM,
            reference=rng.choice(["luckyfox", "quietriver", "blue_heron", "vantage9"])
            + str(rng.randint(10, 99)),
            tier=tier,
            host_id=rng.choice(HOSTS),
        )
    prefix = {Tier.VVIP: "VV", Tier.VIP: "VP", Tier.STANDARD: "ST"}[tier]
    return Player(
        reference=f"{prefix}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
        tier=tier,
        silent_visit=tier is Tier.VVIP and rng.random() < 0.3,
        host_id=rng.choice(HOSTS),
    )


@dataclass
class _Script:
    steps: list[DemoStep]

    def add(self, offset: float, actor: str, command: c.Command) -> None:
        self.steps.append(DemoStep(offset, actor, command))


# journey incidents: (offset, actor, command); the generated ones follow
def _journeys(rng: random.Random) -> list[tuple[float, str, c.OpenIncident]]:
    vvip = Player(reference="VV-2231-4411", tier=Tier.VVIP, host_id="h1")
    return [
        (
            -2 * MINUTE,
            "pb2",
            c.OpenIncident(
                kind=IncidentKind.RESULT_DISPUTE,
                priority=Priority.P1,
                channel=Channel.ON_SITE,
                player=vvip,
                location=Location(pit="2", spot="BJ-07"),
                game="blackjack",
                summary="player disputes the result of the last hand",
                desired_outcome="review and correct",
            ),
        ),
        (
            -1 * MINUTE,
            "h1",
            c.OpenIncident(
                kind=IncidentKind.ARRIVAL,
                priority=Priority.P2,
                channel=Channel.ON_SITE,
                player=Player(
                    reference="VV-7310-0925", tier=Tier.VVIP, silent_visit=True, host_id="h1"
                ),
                location=Location(spot="car park P2"),
                summary="VVIP car arriving, meet at the car",
                desired_outcome="escort via private lift",
            ),
        ),
        (
            -3 * MINUTE,
            "dm1",
            c.OpenIncident(
                kind=IncidentKind.FAILED_TRANSFER,
                priority=Priority.P1,
                channel=Channel.CHAT,
                player=Player(reference="VP-5120-3388", tier=Tier.VIP, host_id="h2"),
                location=Location(spot="online"),
                amount=12000.0,
                tx_ref="WD-88213",
                summary="withdrawal failed at the gateway",
                desired_outcome="funds received",
            ),
        ),
        (
            -25 * MINUTE,
            "h3",
            c.OpenIncident(
                kind=IncidentKind.DEPOSIT_NOT_CREDITED,
                priority=Priority.P3,
                channel=Channel.CHAT,
                player=Player(
                    id_kind=PlayerIdKind.PSEUDONYM, reference="nightowl_77", host_id="h3"
                ),
                location=Location(spot="online"),
                amount=1500.0,
                tx_ref="0x9f2c1e7ab4d03e55c1f8a9b2e6d7c4f1a0b3e5d7c9f1a2b4c6d8e0f1a3b5c7d9",
                wallet="bc1qnightowl77xk3v9d0m2p8q4r6s",
                summary="crypto deposit not credited",
                desired_outcome="deposit credited; later a USD 1,500 withdrawal",
            ),
        ),
    ]


_KINDS_BY_PLACE = {
    "table": [
        IncidentKind.TABLE_DISPUTE,
        IncidentKind.RESULT_DISPUTE,
        IncidentKind.RESERVATION,
        IncidentKind.CREDIT_LINE,
        IncidentKind.GAME_UNAVAILABLE,
    ],
    "machine": [
        IncidentKind.MACHINE_FAULT,
        IncidentKind.GAME_UNAVAILABLE,
        IncidentKind.SESSION_DISRUPTION,
    ],
    "hotel": [
        IncidentKind.ROOM_OVERBOOKING,
        IncidentKind.TRAVEL,
        IncidentKind.FNB_SPA,
        IncidentKind.LOUNGE_WAIT,
        IncidentKind.BILLING_ERROR,
        IncidentKind.TOURNAMENT,
    ],
    "online": [
        IncidentKind.LOGIN_PROBLEM,
        IncidentKind.BONUS_QUESTION,
        IncidentKind.WITHDRAWAL_REFUSED,
        IncidentKind.PAYMENT_FAILURE,
        IncidentKind.ACCOUNT_BLOCKED,
        IncidentKind.DEPOSIT_NOT_CREDITED,
    ],
}


def _generated(
    rng: random.Random, assets: tuple[Asset, ...]
) -> list[tuple[float, str, c.OpenIncident]]:
    opens = []
    for _ in range(36):
        place = rng.choice(["table", "table", "machine", "hotel", "online"])
        priority = rng.choices(list(Priority), weights=[1, 3, 5, 3])[0]
        offset = -rng.uniform(3 * MINUTE, 30 * HOUR)
        player = _player(rng)
        if place in ("table", "machine"):
            kind_of = AssetKind.TABLE if place == "table" else AssetKind.MACHINE
            asset = rng.choice([a for a in assets if a.kind is kind_of])
            location = Location(pit=asset.pit, spot=asset.id)
            actor, channel, game = PIT_OF_BOSS[asset.pit], Channel.ON_SITE, asset.game
        else:
            spot = "online" if place == "online" else rng.choice(["hotel desk", "VIP lounge"])
            location = Location(spot=spot)
            actor = player.host_id or "dm1"
            channel = rng.choice([Channel.CHAT, Channel.PHONE, Channel.EMAIL, Channel.MESSENGER])
            game = ""
        kind = rng.choice(_KINDS_BY_PLACE[place])
        opens.append(
            (
                offset,
                actor,
                c.OpenIncident(
                    kind=kind,
                    priority=priority,
                    channel=channel,
                    player=player,
                    location=location,
                    game=game,
                    summary=f"{kind.label} reported",
                    desired_outcome="resolved promptly",
                ),
            )
        )
    return opens


def _progress(
    script: _Script, rng: random.Random, number: int, offset: float, actor: str, priority: Priority
) -> None:
    """Move a generated incident along its life, at plausible times after it opened."""
    age = -offset
    stage = rng.random()
    if age > 2 * HOUR:
        # a floor does not leave old incidents unanswered: the older ones have
        # at least a workaround in place
        stage = max(stage, 0.56)
    t = offset + min(age * 0.05, 90)
    if stage < 0.15:
        return  # still new
    script.add(t, actor, c.Acknowledge(incident_id=number, note="on it"))
    if stage < 0.35:
        return
    t += min(age * 0.1, 10 * MINUTE)
    script.add(t, "dm1", c.Assign(incident_id=number, owner=actor))
    if stage < 0.55 and age < HOUR:
        return
    t += min(age * 0.1, 12 * MINUTE)
    script.add(t, "dm1", c.Stabilise(incident_id=number, note="workaround in place"))
    if stage < 0.75 or age < 2 * HOUR:
        return
    t += min(age * 0.3, HOUR)
    script.add(t, "dm1", c.Resolve(incident_id=number, note="resolved with the player"))
    if stage < 0.9 or priority is Priority.P1:
        return
    script.add(t + 5 * MINUTE, "dm1", c.Close(incident_id=number))


def _late_payment() -> tuple[float, str, c.OpenIncident]:
    """Journey 4's shape: a P1 on the payments chain that will be resolved late."""
    return (
        -3 * HOUR - 5 * MINUTE,
        "h2",
        c.OpenIncident(
            kind=IncidentKind.PAYMENT_FAILURE,
            priority=Priority.P1,
            channel=Channel.PHONE,
            player=Player(reference="VP-6402-1187", tier=Tier.VIP, host_id="h2"),
            location=Location(spot="online"),
            amount=4000.0,
            tx_ref="DP-55102",
            summary="deposit charged twice",
            desired_outcome="refund the duplicate",
        ),
    )


def demo_floor(seed: int = 7) -> DemoFloor:
    floor_text, pin_text = demo_files()
    floor = parse_floor(floor_text, FLOOR_FILE)
    pins, _ = parse_pin_file(pin_text, PIN_FILE)
    config = to_config(floor)
    rng = random.Random(seed)
    assets = tuple(sorted(config.assets, key=_generation_key))
    scripted = [*_journeys(rng), _late_payment()]
    generated = _generated(rng, assets)
    # the server numbers incidents in the order they open
    opens = sorted([*scripted, *generated], key=lambda step: step[0])
    number_of = {id(cmd): n for n, (_, _, cmd) in enumerate(opens, start=1)}
    script = _Script(steps=[])
    for offset, actor, command in opens:
        script.add(offset, actor, command)
        if not any(command is s[2] for s in scripted):
            _progress(script, rng, number_of[id(command)], offset, actor, command.priority)

    # journey 1: acknowledged with a note, not yet stabilised
    bj07 = number_of[id(scripted[0][2])]
    script.add(-1 * MINUTE, "pb2", c.Acknowledge(incident_id=bj07, note="reviewing the camera"))
    # journey 4: resolved past its 2-hour promise; the service recovery is still to record
    late = number_of[id(scripted[-1][2])]
    script.add(-3 * HOUR, "dm1", c.Assign(incident_id=late, owner="h2"))
    script.add(-50 * MINUTE, "dm1", c.Resolve(incident_id=late, note="refund issued"))

    # downtimes (numbered in the order they start): a slot down long, a table
    # whose player was already moved, and journey 2's jammed machine
    for offset, actor, asset_id, reason in (
        (-25 * MINUTE, "pb1", "SL-2004", "screen dead"),
        (-12 * MINUTE, "pb2", "BAC-03", "shuffler fault"),
        (-4 * MINUTE, "pb3", "HL-1142", "bill validator jam"),
    ):
        script.add(offset, actor, c.StartDowntime(asset_id=asset_id, reason=reason))
    script.add(-9 * MINUTE, "pb2", c.MovePlayer(asset_id="BAC-03", to="BAC-04"))

    ordered = sorted(script.steps, key=lambda step: step.offset)
    staff = tuple((member, pins[member.id]) for member, _ in config.staff)
    return DemoFloor(
        floor=floor, staff=staff, assets=assets, roster=config.roster, script=tuple(ordered)
    )
