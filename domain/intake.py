"""What other systems send to the intake API, and the commands it becomes.

A phone system, a chat widget or a slot system posts one of these; each turns
into the same commands a terminal sends (`domain.commands`), decided by the
same `decide` with the service account as actor. A table or machine named by
another system must be on the floor: an unknown one is refused before
anything is made.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from domain import commands as c
from domain.commands import MAX_AMOUNT, ShortText, Text
from domain.models import (
    Asset,
    Channel,
    Frozen,
    IncidentKind,
    Location,
    Player,
    PlayerIdKind,
    Priority,
    Tier,
)
from domain.rejection import RejectCode, Rejected
from domain.state import FloorState

AssetId = Annotated[str, Field(min_length=1, max_length=60)]


class IntakePlayer(Frozen):
    """The player as another system knows them.

    With no tier given, a loyalty card's prefix names it (the policy's
    `card_tiers`): a phone system that matched the caller's number to a VIP
    card puts the call in the VIP queue by sending the card.
    """

    id_kind: PlayerIdKind = PlayerIdKind.LOYALTY
    # blank is no reference: stripped before the length is checked (422, not a bare player)
    reference: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
    ]
    tier: Tier | None = None
    silent_visit: bool = False
    host_id: ShortText | None = None

    def player(self, state: FloorState) -> Player:
        tier = self.tier
        if tier is None and self.id_kind is PlayerIdKind.LOYALTY:
            tier = state.policy.tier_for_card(self.reference)
        return Player(
            id_kind=self.id_kind,
            reference=self.reference.strip(),
            tier=tier or Tier.STANDARD,
            silent_visit=self.silent_visit,
            host_id=self.host_id,
        )


class IntakeIncident(Frozen):
    """Open an incident. `asset_id` (a table or machine on the floor) sets the location."""

    kind: IncidentKind
    channel: Channel
    player: IntakePlayer
    priority: Priority = Priority.P3
    asset_id: AssetId | None = None
    location: Location = Field(default_factory=Location)
    summary: Text = ""
    game: ShortText = ""
    amount: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    tx_ref: ShortText = ""
    wallet: ShortText = ""
    desired_outcome: Text = ""
    attachments: tuple[ShortText, ...] = Field(default=(), max_length=20)

    def command(self, state: FloorState) -> c.OpenIncident:
        location = self.location
        game = self.game
        if self.asset_id is not None:
            asset = floor_asset(state, self.asset_id)
            location = Location(pit=asset.pit, spot=asset.id)
            game = game or asset.game
        return c.OpenIncident(
            kind=self.kind,
            priority=self.priority,
            channel=self.channel,
            player=self.player.player(state),
            location=location,
            summary=self.summary,
            game=game,
            amount=self.amount,
            tx_ref=self.tx_ref,
            wallet=self.wallet,
            desired_outcome=self.desired_outcome,
            attachments=self.attachments,
        )


class IntakeNote(Frozen):
    """A note on an incident this service account opened."""

    text: Annotated[str, Field(min_length=1, max_length=2000)]


class IntakeDowntime(Frozen):
    """A table or machine is down (a fault, lost communication).

    With `player`, someone is playing on it: an incident is opened for them
    as well, at that table or machine, and the downtime names it.
    """

    asset_id: AssetId
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    player: IntakePlayer | None = None
    kind: IncidentKind = IncidentKind.MACHINE_FAULT
    priority: Priority = Priority.P2
    channel: Channel = Channel.BOT
    summary: Text = ""

    def incident(self, state: FloorState) -> c.OpenIncident | None:
        """The incident for the player on it, if one is."""
        if self.player is None:
            return None
        asset = floor_asset(state, self.asset_id)
        return c.OpenIncident(
            kind=self.kind,
            priority=self.priority,
            channel=self.channel,
            player=self.player.player(state),
            location=Location(pit=asset.pit, spot=asset.id),
            summary=self.summary or self.reason,
            game=asset.game,
        )

    def downtime(self, state: FloorState, incident_id: int | None) -> c.StartDowntime:
        asset = floor_asset(state, self.asset_id)
        return c.StartDowntime(asset_id=asset.id, reason=self.reason, incident_id=incident_id)


def floor_asset(state: FloorState, asset_id: str) -> Asset:
    """The table or machine another system names (any case); NOT_FOUND if not on the floor."""
    wanted = asset_id.strip().upper()
    asset = state.assets.get(asset_id.strip()) or next(
        (a for a in state.assets.values() if a.id.upper() == wanted), None
    )
    if asset is None:
        raise Rejected(
            RejectCode.NOT_FOUND, f"no table or machine {asset_id.strip()!r} on the floor"
        )
    return asset


class ServiceAccountInfo(Frozen):
    """A service account as admins see it (never its key)."""

    id: str
    name: str
    key_id: str
    created_at: float
    created_by: str
    revoked_at: float | None = None


class NewServiceAccount(Frozen):
    id: Annotated[str, Field(min_length=1, max_length=32)]
    name: Annotated[str, Field(max_length=120)] = ""


class CreatedServiceAccount(Frozen):
    """The new account and its key: the only time the key is shown."""

    account: ServiceAccountInfo
    key: str


class IntakeAnswer(Frozen):
    """What an intake request made (the same answer again for a replayed key)."""

    incident_id: int | None = None
    downtime_id: int | None = None
    seq: int = 0
    server_time: float = 0.0
