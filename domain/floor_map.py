"""The floor map's rule: what state each table or machine is in, worst first.

A cell is one asset. Its state is the worst of what is on it: an open
incident at that spot (by priority), its open downtime (and whether the
replace-or-move limit has passed without the player being moved). Silent-visit
players present (an open incident there names one) are a mark of their own,
beside the state, never a name. Everything is derived from the floor and
`now`; nothing here draws.

Cells are laid out by pit, then by bank: the tables of one game, the machines
of one game, each in natural order of their ids (BJ-2 before BJ-10).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from domain.models import Asset, AssetKind, Downtime, Incident, Pit, Priority
from domain.player_flags import is_silent
from domain.policy import Policy
from domain.state import FloorState


class CellState(IntEnum):
    """A cell's state; a larger value is worse."""

    CLEAR = 0
    P4 = 1
    P3 = 2
    DOWN = 3  # down, the player moved or the limit not reached yet
    P2 = 4
    DOWN_OVERDUE = 5  # down past the replace limit with the player not moved
    P1 = 6

    @property
    def code(self) -> str:
        """Two characters that say the state without colour."""
        return CODES[self]

    @property
    def is_red(self) -> bool:
        """What the map's "next red" key stops at: a P1, or a player left past the limit."""
        return self in (CellState.P1, CellState.DOWN_OVERDUE)


CODES: dict[CellState, str] = {
    CellState.CLEAR: "··",
    CellState.P4: "P4",
    CellState.P3: "P3",
    CellState.DOWN: "DN",
    CellState.P2: "P2",
    CellState.DOWN_OVERDUE: "D!",
    CellState.P1: "P1",
}

_BY_PRIORITY: dict[Priority, CellState] = {
    Priority.P1: CellState.P1,
    Priority.P2: CellState.P2,
    Priority.P3: CellState.P3,
    Priority.P4: CellState.P4,
}

SILENT_MARK = "⊘"  # as in the queue: a silent visit, never the player


@dataclass(frozen=True, slots=True)
class Cell:
    """One asset on the map as of `now`."""

    asset: Asset
    state: CellState
    silent: bool  # a silent-visit player has an open incident here
    incidents: tuple[Incident, ...]  # open, worst first
    downtime: Downtime | None
    # when this cell turns red by itself (a downtime reaching its limit), if it will
    changes_at: float | None = None


def downtime_overdue(downtime: Downtime, now: float, policy: Policy) -> bool:
    """Down past `downtime_replace_after` and the player not moved yet."""
    return (
        downtime.active
        and downtime.player_moved_at is None
        and now - downtime.started_at >= policy.downtime_replace_after
    )


def cell_state(
    incidents: Iterable[Incident], downtime: Downtime | None, now: float, policy: Policy
) -> CellState:
    """The worst of the open incidents and the open downtime on one asset."""
    worst = CellState.CLEAR
    for incident in incidents:
        if incident.state.is_open:
            worst = max(worst, _BY_PRIORITY[incident.priority])
    if downtime is not None and downtime.active:
        down = CellState.DOWN_OVERDUE if downtime_overdue(downtime, now, policy) else CellState.DOWN
        worst = max(worst, down)
    return worst


def make_cell(
    asset: Asset,
    incidents: Iterable[Incident],
    downtime: Downtime | None,
    floor: FloorState,
    now: float,
) -> Cell:
    policy = floor.policy
    open_here = sorted(
        (i for i in incidents if i.state.is_open), key=lambda i: (i.priority, i.opened_at, i.id)
    )
    state = cell_state(open_here, downtime, now, policy)
    changes_at = None
    if (
        downtime is not None
        and downtime.active
        and downtime.player_moved_at is None
        and not downtime_overdue(downtime, now, policy)
    ):
        changes_at = downtime.started_at + policy.downtime_replace_after
    return Cell(
        asset=asset,
        state=state,
        silent=any(is_silent(floor, i, now) for i in open_here),
        incidents=tuple(open_here),
        downtime=downtime if downtime is not None and downtime.active else None,
        changes_at=changes_at,
    )


def spot_key(spot: str) -> str:
    """How an incident's location names an asset: its id, whatever the case typed."""
    return spot.strip().casefold()


def incidents_by_asset(floor: FloorState) -> dict[str, list[Incident]]:
    """Open incidents keyed by the asset they are at (by id); others are left out."""
    ids = {spot_key(a): a for a in floor.assets}
    found: dict[str, list[Incident]] = {}
    for incident in floor.incidents.values():
        if not incident.state.is_open:
            continue
        asset_id = ids.get(spot_key(incident.location.spot))
        if asset_id is not None:
            found.setdefault(asset_id, []).append(incident)
    return found


def floor_cells(floor: FloorState, now: float) -> dict[str, Cell]:
    """Every asset's cell, keyed by asset id."""
    at = incidents_by_asset(floor)
    down = {d.asset_id: d for d in floor.downtimes.values() if d.active}
    return {
        asset_id: make_cell(asset, at.get(asset_id, ()), down.get(asset_id), floor, now)
        for asset_id, asset in floor.assets.items()
    }


# --- layout: pits and banks ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bank:
    """The tables of one game, or the machines of one game, in one pit."""

    label: str  # "blackjack", "slot"
    asset_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PitSection:
    pit: str
    name: str
    banks: tuple[Bank, ...]

    @property
    def asset_ids(self) -> tuple[str, ...]:
        return tuple(a for bank in self.banks for a in bank.asset_ids)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """`BJ-2` before `BJ-10`: digit runs compare as numbers."""
    return tuple(
        (0, int(part)) if part.isdecimal() else (1, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )


def bank_label(asset: Asset) -> str:
    """The game, which says tables from machines on a floor ("blackjack", "slot")."""
    return asset.game.strip() or f"{asset.kind.value}s"


def sections(assets: Mapping[str, Asset], pits: Mapping[str, Pit]) -> tuple[PitSection, ...]:
    """The map's pits in order, each with its banks: tables first, then machines."""
    by_pit: dict[str, dict[tuple[int, str], list[Asset]]] = {}
    for asset in assets.values():
        kind_order = 0 if asset.kind is AssetKind.TABLE else 1
        banks = by_pit.setdefault(asset.pit, {})
        banks.setdefault((kind_order, bank_label(asset)), []).append(asset)
    found = []
    for pit in sorted(by_pit, key=natural_key):
        banks = by_pit[pit]
        found.append(
            PitSection(
                pit=pit,
                name=pits[pit].name if pit in pits else "",
                banks=tuple(
                    Bank(
                        label=label,
                        asset_ids=tuple(
                            a.id for a in sorted(banks[key], key=lambda a: natural_key(a.id))
                        ),
                    )
                    for key in sorted(banks, key=lambda k: (k[0], natural_key(k[1])))
                    for label in (key[1],)
                ),
            )
        )
    return tuple(found)


def pit_counts(cells: Iterable[Cell]) -> dict[CellState, int]:
    """How many cells of a pit are in each state (clear ones included)."""
    counts = dict.fromkeys(CellState, 0)
    for cell in cells:
        counts[cell.state] += 1
    return counts


__all__ = [
    "CODES",
    "SILENT_MARK",
    "Bank",
    "Cell",
    "CellState",
    "PitSection",
    "bank_label",
    "cell_state",
    "downtime_overdue",
    "floor_cells",
    "incidents_by_asset",
    "make_cell",
    "natural_key",
    "pit_counts",
    "sections",
    "spot_key",
]
