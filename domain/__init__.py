"""Pure floor rules shared by the backend and every terminal: no I/O, no UI, no network."""

from domain.commands import COMMAND_ADAPTER, Command
from domain.decide import Actor, RejectCode, Rejected, decide
from domain.events import Event, EventType
from domain.models import (
    Asset,
    AssetKind,
    Chain,
    Channel,
    Contact,
    Downtime,
    Incident,
    IncidentKind,
    IncidentState,
    Location,
    Player,
    PlayerIdKind,
    Priority,
    Role,
    RosterEntry,
    Staff,
    Tier,
)
from domain.policy import Policy, PolicyError, policy_from_toml
from domain.reducer import apply, fold
from domain.state import FloorState

__all__ = [
    "COMMAND_ADAPTER",
    "Actor",
    "Asset",
    "AssetKind",
    "Chain",
    "Channel",
    "Command",
    "Contact",
    "Downtime",
    "Event",
    "EventType",
    "FloorState",
    "Incident",
    "IncidentKind",
    "IncidentState",
    "Location",
    "Player",
    "PlayerIdKind",
    "Policy",
    "PolicyError",
    "Priority",
    "RejectCode",
    "Rejected",
    "Role",
    "RosterEntry",
    "Staff",
    "Tier",
    "apply",
    "decide",
    "fold",
    "policy_from_toml",
]
