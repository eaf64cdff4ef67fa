"""The floor map's cells kept up to date, and laid out in lines for a width. Pure.

`MapModel` holds one `domain.floor_map.Cell` per asset and re-makes only the
cells a change touched: an incident's asset (before and after the change), a
downtime's asset; the tick re-makes only cells whose downtime reaches its
limit. `MapLayout` places the cells of each pit's banks in rows as wide as
the screen allows (never wrapping), with the pit's heading above them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.cells import cell_len

from domain.floor_map import (
    Cell,
    CellState,
    PitSection,
    make_cell,
    sections,
    spot_key,
)
from domain.models import Downtime, Incident
from domain.state import FloorState

ID_WIDTH_MAX = 12  # longer asset ids are cut with an ellipsis
LABEL_WIDTH_MAX = 16  # longer bank labels too
CELL_EXTRA = 7  # "[P1 BJ-07 ⊘]": brackets, code, two spaces and the mark around the id


@dataclass(frozen=True, slots=True)
class MapLine:
    """One line of the map: a pit's heading, or a row of one bank's cells."""

    pit: str
    label: str = ""  # the bank's label on its first row, else ""
    asset_ids: tuple[str, ...] = ()
    heading: bool = False


class MapLayout:
    """Where each cell goes at one width: lines, and each asset's line and column."""

    def __init__(self, pits: tuple[PitSection, ...], width: int) -> None:
        self.pits = pits
        self.width = width
        ids = [a for pit in pits for a in pit.asset_ids]
        labels = [bank.label for pit in pits for bank in pit.banks]
        self.id_width = min(ID_WIDTH_MAX, max((cell_len(a) for a in ids), default=4))
        self.label_width = min(LABEL_WIDTH_MAX, max((cell_len(b) for b in labels), default=0))
        self.cell_width = self.id_width + CELL_EXTRA
        # the label column, then as many cells as fit (one at least: cut, never wrapped)
        room = width - self.label_width - 1
        self.per_line = max(1, room // self.cell_width)
        self.lines: list[MapLine] = []
        self.order: tuple[str, ...] = tuple(ids)  # reading order, for "next red"
        self.position: dict[str, tuple[int, int]] = {}  # asset id -> (line, column)
        for pit in pits:
            self.lines.append(MapLine(pit.pit, heading=True))
            for bank in pit.banks:
                ids_in_bank = bank.asset_ids
                for start in range(0, len(ids_in_bank), self.per_line):
                    row = ids_in_bank[start : start + self.per_line]
                    for column, asset_id in enumerate(row):
                        self.position[asset_id] = (len(self.lines), column)
                    self.lines.append(
                        MapLine(pit.pit, bank.label if start == 0 else "", tuple(row))
                    )

    def cell_x(self, column: int) -> int:
        return self.label_width + 1 + column * self.cell_width

    def moved(self, asset_id: str | None, *, lines: int = 0, columns: int = 0) -> str | None:
        """The asset `lines` rows down (or up) in the same column, or `columns` on in
        reading order; held at the edges."""
        if not self.order:
            return None
        if asset_id not in self.position:
            return self.order[0]
        if columns:
            index = self.order.index(asset_id) + columns
            return self.order[max(0, min(len(self.order) - 1, index))]
        line, column = self.position[asset_id]
        step = 1 if lines > 0 else -1
        remaining = abs(lines)
        target = line
        probe = line
        while remaining and 0 <= probe + step < len(self.lines):
            probe += step
            if self.lines[probe].asset_ids:
                target = probe
                remaining -= 1
        row = self.lines[target].asset_ids
        return row[min(column, len(row) - 1)]

    def first_line_of(self, asset_id: str) -> int:
        """The line to keep in view with the asset: its pit's heading when it is on
        the pit's first row."""
        line, _ = self.position[asset_id]
        if line > 0 and self.lines[line - 1].heading:
            return line - 1
        return line


class MapModel:
    """Every visible asset's cell, re-made only where a change or the clock reaches."""

    def __init__(self) -> None:
        self.floor = FloorState()
        self.pits: tuple[PitSection, ...] = ()
        self.cells: dict[str, Cell] = {}
        self._at: dict[int, str] = {}  # open incident id -> the asset it is at
        self._here: dict[str, set[int]] = {}  # asset id -> its open incidents
        self._down: dict[str, Downtime] = {}  # asset id -> its open downtime
        self._spots: dict[str, str] = {}  # spot key -> asset id
        self._basis: tuple[object, ...] | None = None

    def rebuild(self, floor: FloorState, now: float, shown: Callable[[str], bool]) -> None:
        """Everything again: a new floor, a new user, or the assets changed."""
        self.floor = floor
        assets = {a.id: a for a in floor.assets.values() if shown(a.pit)}
        self.pits = sections(assets, floor.pits)
        self._spots = {spot_key(a): a for a in assets}
        self._basis = (floor.assets, floor.pits, floor.policy)
        self._at, self._here, self._down = {}, {}, {}
        for incident in floor.incidents.values():
            self._place(incident.id, incident)
        for downtime in floor.downtimes.values():
            if downtime.active and downtime.asset_id in assets:
                self._down[downtime.asset_id] = downtime
        self.cells = {asset_id: self._make(asset_id, now) for asset_id in assets}

    def needs_rebuild(self, floor: FloorState) -> bool:
        basis = (floor.assets, floor.pits, floor.policy)
        # by identity: the reducer makes new ones only when they change
        return self._basis is None or any(
            a is not b for a, b in zip(basis, self._basis, strict=True)
        )

    def update(
        self, floor: FloorState, now: float, incidents: Iterable[int], downtimes: Iterable[int]
    ) -> set[str]:
        """Re-make the cells these incidents and downtimes touch; their asset ids."""
        self.floor = floor
        touched: set[str] = set()
        for incident_id in incidents:
            touched |= self._place(incident_id, floor.incidents.get(incident_id))
        for downtime_id in downtimes:
            for asset_id, held in list(self._down.items()):
                if held.id == downtime_id:  # ended, changed or out of view: let go
                    del self._down[asset_id]
                    touched.add(asset_id)
            downtime = floor.downtimes.get(downtime_id)
            if downtime is not None and downtime.active and downtime.asset_id in self.cells:
                self._down[downtime.asset_id] = downtime
                touched.add(downtime.asset_id)
        for asset_id in touched:
            self.cells[asset_id] = self._make(asset_id, now)
        return touched

    def tick(self, now: float) -> set[str]:
        """Cells whose downtime passed its limit since they were made: re-made."""
        due = {a for a, c in self.cells.items() if c.changes_at is not None and c.changes_at <= now}
        for asset_id in due:
            self.cells[asset_id] = self._make(asset_id, now)
        return due

    def counts(self, pit: PitSection) -> dict[CellState, int]:
        counts = dict.fromkeys(CellState, 0)
        for asset_id in pit.asset_ids:
            counts[self.cells[asset_id].state] += 1
        return counts

    def silent_in(self, pit: PitSection) -> int:
        return sum(1 for a in pit.asset_ids if self.cells[a].silent)

    # --- keeping the indexes ---------------------------------------------------------

    def _place(self, incident_id: int, incident: Incident | None) -> set[str]:
        """File the incident under its asset (or nowhere); the assets it left or joined."""
        touched = set()
        before = self._at.pop(incident_id, None)
        if before is not None:
            self._here[before].discard(incident_id)
            touched.add(before)
        if incident is not None and incident.state.is_open:
            after = self._spots.get(spot_key(incident.location.spot))
            if after is not None:
                self._at[incident_id] = after
                self._here.setdefault(after, set()).add(incident_id)
                touched.add(after)
        return touched

    def _make(self, asset_id: str, now: float) -> Cell:
        floor = self.floor
        here = [floor.incidents[i] for i in self._here.get(asset_id, ()) if i in floor.incidents]
        return make_cell(floor.assets[asset_id], here, self._down.get(asset_id), floor, now)


__all__ = ["MapLayout", "MapLine", "MapModel"]
