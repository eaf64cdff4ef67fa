"""Read-only views of one incident: its intake fields and its timeline.

Only what the floor may see: the player's masked display form and tier, never
a full loyalty or card number. Silent visits and the KYC threshold are loud.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from domain.acted_time import ARRIVED_LATE_AFTER
from domain.kyc import over_kyc_threshold
from domain.models import Channel, Incident, IncidentKind, Player, Tier, TimelineEntry
from domain.permissions import ROLE_LABELS
from domain.policy import Policy
from domain.state import FloorState
from tui.timefmt import format_clock, format_clock_seconds, format_datetime
from tui.widgets.updates import update_static

TIER_LABELS: dict[Tier, str] = {Tier.STANDARD: "standard", Tier.VIP: "VIP", Tier.VVIP: "VVIP"}
CHANNEL_LABELS: dict[Channel, str] = {
    Channel.PHONE: "phone",
    Channel.CHAT: "chat",
    Channel.MESSENGER: "secure messenger",
    Channel.EMAIL: "email",
    Channel.ON_SITE: "on site",
    Channel.BOT: "bot",
}
SILENT_VISIT_TEXT = "SILENT VISIT: no public calls; contact only through the host or a messenger"


def player_content(player: Player) -> Content:
    """`VV-****-4411  VVIP  SILENT VISIT`, tier and flag styled by the theme."""
    tier_style = {Tier.VVIP: "bold $tier-vvip", Tier.VIP: "bold $tier-vip"}.get(player.tier, "")
    parts: list[Content | tuple[str, str] | str] = [
        player.display,
        "  ",
        (TIER_LABELS[player.tier], tier_style),
    ]
    if player.anonymous:
        parts.append(("  (" + player.id_kind.value + ")", "dim"))
    if player.silent_visit:
        parts.append(("  SILENT VISIT ", "bold reverse $silent-visit"))
    return Content.assemble(*parts)


def money(amount: float, policy: Policy) -> str:
    return f"{policy.currency} {amount:,.2f}".replace(".00", "")


def kyc_warning(
    kind: IncidentKind | None, player: Player, amount: float | None, policy: Policy
) -> str | None:
    """An anonymous player's withdrawal or payout at or over the threshold may need
    documents (`domain.kyc`); below it, nothing asks for them."""
    if not over_kyc_threshold(kind, player, amount, policy):
        return None
    return (
        f"at or over the KYC threshold ({money(policy.kyc_threshold, policy)}): "
        "documents may be required, only over a secure channel"
    )


def facts_content(incident: Incident, floor: FloorState) -> Content:
    """The intake template as label/value rows; empty optional fields are left out."""
    policy = floor.policy
    rows: list[tuple[str, Content | str]] = [
        ("player", player_content(incident.player)),
        ("channel", CHANNEL_LABELS[incident.channel]),
        ("location", incident.location.display),
    ]
    if incident.game:
        rows.append(("game", incident.game))
    if incident.amount is not None:
        amount: Content | str = money(incident.amount, policy)
        warning = kyc_warning(incident.kind, incident.player, incident.amount, policy)
        if warning:
            amount = Content.assemble(amount, "  ", (f"KYC: {warning}", "bold $warning"))
        rows.append(("amount", amount))
    for label, value in (
        ("tx ref", incident.tx_ref),
        ("wallet", incident.wallet),
        ("outcome", incident.desired_outcome),
        ("summary", incident.summary),
    ):
        if value:
            rows.append((label, value))
    if incident.attachments:
        rows.append(("attached", ", ".join(incident.attachments)))
    opened_by = floor.staff_name(incident.opened_by)
    rows.append(
        ("opened", f"{format_datetime(incident.opened_at, policy.timezone)} by {opened_by}")
    )
    return Content("\n").join(
        Content.assemble((f"{label:>9} ", "dim"), value) for label, value in rows
    )


def timeline_content(
    incident: Incident, floor: FloorState, *, newest_first: bool = True
) -> Content:
    """`02:15 Jordan T. (pit boss) @pit2-t1  acknowledged: reviewing the camera`."""
    tz = floor.policy.timezone
    entries = reversed(incident.timeline) if newest_first else iter(incident.timeline)
    lines: list[Content] = []
    for entry in entries:
        member = floor.staff.get(entry.actor)
        if entry.actor == "system":
            who = "the system"
        elif member is not None:
            who = f"{member.name} ({ROLE_LABELS[member.role]})"
        else:
            who = entry.actor
        where = f" @{entry.terminal}" if entry.terminal else ""
        lines.append(
            Content.assemble(
                *_when(entry, tz),
                " ",
                (f"{who}{where}", "dim"),
                "  ",
                entry.text,
            )
        )
    return Content("\n").join(lines) if lines else Content.styled("nothing yet", "dim")


def _when(entry: TimelineEntry, tz: str) -> tuple[tuple[str, str], ...]:
    """`22:45`, and for an action done offline and sent later `22:45 (arrived 22:47)`."""
    done = format_clock(entry.at, tz)
    received = entry.received_at
    if received is None or received - entry.at <= ARRIVED_LATE_AFTER:
        return ((done, "bold"),)
    arrived = format_clock(received, tz)
    if done == arrived:  # within the minute: the seconds tell them apart
        done, arrived = format_clock_seconds(entry.at, tz), format_clock_seconds(received, tz)
    return (done, "bold"), (f" (arrived {arrived})", "$text-muted")


class IncidentFacts(Static):
    DEFAULT_CSS = """
    IncidentFacts {
        height: auto;
        border: round $foreground 30%;
        border-title-color: $foreground 70%;
        padding: 0 1;
    }
    """

    def show(self, incident: Incident, floor: FloorState) -> None:
        self.border_title = "intake"
        update_static(self, facts_content(incident, floor))


class IncidentTimeline(Static):
    DEFAULT_CSS = """
    IncidentTimeline {
        height: auto;
        border: round $foreground 30%;
        border-title-color: $foreground 70%;
        padding: 0 1;
    }
    """

    def show(self, incident: Incident, floor: FloorState) -> None:
        self.border_title = f"timeline ({len(incident.timeline)}), newest first"
        update_static(self, timeline_content(incident, floor))
