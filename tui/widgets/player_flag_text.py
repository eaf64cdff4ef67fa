"""How a player's flags read on screen: one loud line, and one line per flag in full.

The band leads with what the floor must do (offer help, no public calls, ask
risk/AML before paying out) so a glance at 80 columns is enough.
"""

from __future__ import annotations

from domain.models import PlayerFlag
from domain.player_flags import flag_words, has_rg_flag
from domain.state import FloorState
from tui.timefmt import format_datetime


def flags_band(flags: tuple[PlayerFlag, ...], timezone: str) -> str:
    """`RG: self-excluded · cool-off until Fri 12 Dec 18:00 - offer help resources`."""
    words = " · ".join(flag_words(f, lambda t: format_datetime(t, timezone)) for f in flags)
    asks = []
    if has_rg_flag(flags):
        asks.append("offer help resources")
    if any(f.kind.aml for f in flags):
        asks.append("risk/AML before any payout")
    kinds = [f.kind for f in flags]
    what = "PLAYER FLAGS" if not asks else ("RG" if has_rg_flag(flags) else "AML")
    if has_rg_flag(flags) and any(k.aml for k in kinds):
        what = "RG+AML"
    return f"{what}: {words}" + (f" - {'; '.join(asks)}" if asks else "")


def flag_lines(flags: tuple[PlayerFlag, ...], floor: FloorState) -> list[str]:
    """`self-excluded, set by Sam P. Thu 03 Dec 02:11`, one a flag."""
    tz = floor.policy.timezone
    return [
        f"{flag_words(f, lambda t: format_datetime(t, tz))}, set by "
        f"{floor.staff_name(f.set_by)} {format_datetime(f.set_at, tz)}"
        for f in flags
    ]
