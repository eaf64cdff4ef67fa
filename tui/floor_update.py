"""What the app publishes to screens on its `floor_updated` signal."""

from __future__ import annotations

from dataclasses import dataclass

from api_client.contract import Changes, FloorView


@dataclass(frozen=True, slots=True)
class FloorUpdate:
    """The floor as of one notice from the sync client, and what moved to get there."""

    view: FloorView
    changes: Changes
