"""Build, through a duty manager's terminal, the situation each command needs to be legal.

The role tables then ask: with the state right, does the server let this
role do it (2xx), refuse the role (403), or not even show it the incident (404)?
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.backend.helpers import Terminal


def envelope(command: dict[str, Any]) -> dict[str, Any]:
    return {"command_id": uuid.uuid4().hex, "command": command}


class FloorSetup:
    """Opens incidents and downtimes as a privileged terminal, on demand."""

    def __init__(self, lead: Terminal, assets: dict[str, dict[str, Any]]) -> None:
        self.lead = lead
        self.free = {
            pit: sorted(a["id"] for a in assets.values() if a["pit"] == pit) for pit in "123"
        }

    @classmethod
    async def create(cls, lead: Terminal) -> FloorSetup:
        snapshot = await lead.snapshot()
        state = snapshot["state"]
        down = {d["asset_id"] for d in state["downtimes"].values() if d.get("ended_at") is None}
        assets = {k: v for k, v in state["assets"].items() if k not in down}
        return cls(lead, assets)

    async def run(self, command: dict[str, Any]) -> dict[str, Any]:
        return await self.lead.accepted(envelope(command))

    async def incident(
        self,
        pit: str,
        host: str,
        *,
        resolved: bool = False,
        kind: str = "table_dispute",
        reference: str = "",
    ) -> int:
        opened = await self.run(
            {
                "type": "open_incident",
                "kind": kind,
                "priority": "P3",
                "channel": "on_site",
                "player": {"reference": reference or f"LY-{uuid.uuid4().hex[:6]}", "host_id": host},
                "location": {"pit": pit, "spot": "T-1"},
                "summary": "role table",
            }
        )
        number = int(opened["incident_id"])
        if resolved:
            await self.run({"type": "resolve", "incident_id": number})
        return number

    def asset(self, pit: str) -> str:
        return self.free[pit].pop()

    async def downtime(self, pit: str) -> tuple[str, int]:
        """A table newly down in `pit`, and its downtime's number."""
        asset = self.asset(pit)
        started = await self.run(
            {"type": "start_downtime", "asset_id": asset, "reason": "role table"}
        )
        snapshot = await self.lead.snapshot()
        return asset, max(int(k) for k in snapshot["state"]["downtimes"]) if started else 0

    async def command_for(self, kind: str, *, pit: str, host: str) -> dict[str, Any]:
        """A `kind` command that is legal on the floor as it now is, in `pit`, for `host`."""
        if kind == "open_incident":
            return {
                "type": kind,
                "kind": "machine_fault",
                "priority": "P3",
                "channel": "on_site",
                "player": {"reference": "LY-0001", "host_id": host},
                "location": {"pit": pit, "spot": "T-9"},
            }
        if kind == "start_downtime":
            return {"type": kind, "asset_id": self.asset(pit), "reason": "felt torn"}
        if kind in ("move_player", "end_downtime"):
            asset, downtime = await self.downtime(pit)
            # moved to another table of the pit that is up
            extra = {"to": self.free[pit][-1]} if kind == "move_player" else {}
            return {"type": kind, "asset_id": asset, "downtime_id": downtime, **extra}
        if kind in ("set_cover", "end_cover"):
            cover = {
                "type": "set_cover",
                "chain": "main",
                "line": 3,
                "staff_id": "dm2",
                "until": time.time() + 3600,  # the backend runs on the real clock
                "reason": "role table",
            }
            if kind == "set_cover":
                return cover
            await self.run(cover)
            return {"type": kind, "chain": "main", "line": 3}
        if kind == "open_handover":
            return {"type": kind, "note": "role table"}
        if kind == "acknowledge_handover":
            # a fresh pack opened by the lead (dm1): someone else acknowledges it
            await self.run({"type": "open_handover", "note": "role table"})
            state = (await self.lead.snapshot())["state"]
            latest = max(state["handovers"], key=lambda h: h["opened_at"])
            return {"type": kind, "shift_starts": latest["shift_starts"]}
        if kind == "confirm_contact":
            return {"type": kind, "staff_id": "dm1", "method": "radio", "value": "ch 3"}
        if kind in ("set_player_flag", "clear_player_flag"):
            # a player of `host`, known to the floor through an incident
            reference = f"LY-{uuid.uuid4().hex[:6]}"
            await self.incident(pit, host, reference=reference)
            flag = {"type": kind, "reference": reference, "flag": "self_excluded"}
            if kind == "clear_player_flag":
                await self.run({**flag, "type": "set_player_flag"})
            return flag
        resolved = kind in ("reopen", "close", "file_report")
        # a kind the default policy sends to a regulator's register
        incident_kind = "responsible_gambling" if kind == "record_in_register" else "table_dispute"
        incident = await self.incident(pit, host, resolved=resolved, kind=incident_kind)
        extras: dict[str, dict[str, Any]] = {
            "assign": {"owner": "h1"},
            "add_note": {"text": "seen"},
            "set_priority": {"priority": "P2"},
            "auto_escalate": {"line": 2},
            "escalate": {"reason": "player asks for the manager"},
            "acknowledge": {"eta_minutes": 5},
            "lapse_eta": {"due": 0.0},
            "page_after_lapse": {"due": 0.0},
            "record_compensation": {"text": "drinks"},
            "page_contact": {"staff_id": "h1", "method": "phone"},
            "file_report": {"text": "root cause: worn felt"},
            "record_in_register": {"reference": "RG-2026-0007"},
            "record_help_offer": {"answer": "offered", "note": "leaflet given"},
        }
        return {"type": kind, "incident_id": incident, **extras.get(kind, {})}
