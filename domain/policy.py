"""The operator's service-level policy, with the defaults of the premium-support rules.

Every number a screen or the scheduler uses comes from here, never from a
literal in a widget. Operators override any subset in a TOML file; the backend
loads it and sends the result to every terminal with the snapshot.
"""

from __future__ import annotations

import tomllib
from datetime import date
from typing import Annotated

from pydantic import Field, ValidationError, model_validator

from domain.models import Channel, Frozen, IncidentKind, Priority, Tier

MINUTE = 60.0
# a time of day, HH:MM
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
HOUR = 3600.0

# Answer time by channel and tier (seconds). Standard players follow the
# anonymous-casino rules: chat in 60 s, tickets acknowledged within an hour,
# and on the floor the 2-minute table response.
DEFAULT_ANSWER: dict[Channel, dict[Tier, float]] = {
    Channel.PHONE: {Tier.VVIP: 10, Tier.VIP: 20, Tier.STANDARD: 60},
    Channel.CHAT: {Tier.VVIP: 15, Tier.VIP: 30, Tier.STANDARD: 60},
    Channel.MESSENGER: {Tier.VVIP: 15, Tier.VIP: 30, Tier.STANDARD: 60},
    Channel.BOT: {Tier.VVIP: 15, Tier.VIP: 30, Tier.STANDARD: 60},
    Channel.EMAIL: {Tier.VVIP: 10 * MINUTE, Tier.VIP: 15 * MINUTE, Tier.STANDARD: HOUR},
    Channel.ON_SITE: {Tier.VVIP: 2 * MINUTE, Tier.VIP: 5 * MINUTE, Tier.STANDARD: 2 * MINUTE},
}


class EscalationTimes(Frozen):
    """Offsets from T0 (seconds) at which an unstabilised incident reaches each line."""

    l2: float = Field(default=10 * MINUTE, gt=0)
    l3: float = Field(default=30 * MINUTE, gt=0)
    l4: float = Field(default=60 * MINUTE, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> EscalationTimes:
        if not self.l2 < self.l3 < self.l4:
            raise ValueError("escalation offsets must grow: l2 < l3 < l4")
        return self

    def offset(self, line: int) -> float:
        return {1: 0.0, 2: self.l2, 3: self.l3, 4: self.l4}[line]


class Register(Frozen):
    """A regulator's register: which incident kinds go in it, and how soon.

    Due `due_after` seconds after the incident opens, or at the end of the
    `due_business_days`-th business day after the day it opened (in the
    policy's timezone, skipping weekends and holidays); exactly one of them.
    """

    label: str = Field(min_length=1, max_length=80)
    kinds: tuple[IncidentKind, ...] = ()
    due_after: float | None = Field(default=None, gt=0)
    due_business_days: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_deadline(self) -> Register:
        if (self.due_after is None) == (self.due_business_days is None):
            raise ValueError(
                "a register is due after seconds (due_after) or business days"
                " (due_business_days): give exactly one"
            )
        return self


DEFAULT_REGISTERS: dict[str, Register] = {
    # NSW: a gambling incident recorded within 24 hours
    "responsible_gambling": Register(
        label="responsible gambling register",
        kinds=(IncidentKind.RESPONSIBLE_GAMBLING,),
        due_after=24 * 3600.0,
    ),
    # AUSTRAC: a suspicious matter reported within 3 business days
    "suspicious_matter": Register(
        label="suspicious matter report (AML)",
        kinds=(IncidentKind.SUSPICIOUS_MATTER,),
        due_business_days=3,
    ),
}


class MetricTargets(Frozen):
    """What the duty manager's board judges each metric against (seed 000, section 19).

    Shares are 0..1; times are seconds. A metric whose target is None has none.
    """

    sla_attainment: float = Field(default=0.95, ge=0, le=1)  # at least, per promise and overall
    first_contact_resolution: float = Field(default=0.85, ge=0, le=1)  # at least (seeds: 85-90%)
    reopen_rate: float = Field(default=0.05, ge=0, le=1)  # at most
    recovery_rate: float = Field(default=0.90, ge=0, le=1)  # at least
    # at most: the floor's "respond to a table incident within 2 min" (section 12)
    acknowledge_p90: float | None = Field(default=2 * MINUTE, gt=0)
    resolve_p90: float | None = Field(default=None, gt=0)  # the seeds set none
    # at least: a table or machine down past the limit must have its player moved
    moved_within_limit: float = Field(default=1.0, ge=0, le=1)


class Policy(Frozen):
    answer: dict[Channel, dict[Tier, float]] = Field(default_factory=lambda: DEFAULT_ANSWER)
    stabilise: dict[Priority, float | None] = Field(
        default_factory=lambda: {
            Priority.P1: 15 * MINUTE,
            Priority.P2: HOUR,
            Priority.P3: None,
            Priority.P4: None,
        }
    )
    # P4 is counted in business days (see resolve_business_days), not seconds.
    resolve: dict[Priority, float | None] = Field(
        default_factory=lambda: {
            Priority.P1: 2 * HOUR,
            Priority.P2: 4 * HOUR,
            Priority.P3: 24 * HOUR,
            Priority.P4: None,
        }
    )
    resolve_business_days: dict[Priority, int] = Field(default_factory=lambda: {Priority.P4: 3})
    # how often the player is promised an update while the incident is open
    update_every: dict[Priority, float] = Field(
        default_factory=lambda: {
            Priority.P1: 15 * MINUTE,
            Priority.P2: 30 * MINUTE,
            Priority.P3: 4 * HOUR,
            Priority.P4: 24 * HOUR,
        }
    )
    downtime_replace_after: float = Field(default=10 * MINUTE, gt=0)
    escalation: EscalationTimes = EscalationTimes()
    # priorities that climb the ladder by time from T0; the others escalate by time
    # only once their resolve promise has breached (see domain.escalation.climb_anchor)
    escalate_by_time: tuple[Priority, ...] = (Priority.P1, Priority.P2)
    payments_escalation: EscalationTimes = EscalationTimes()
    # seconds after an acknowledgement's ETA lapses (no stabilise, no update) before
    # the next line is paged; the owner is re-alerted at the lapse itself
    eta_grace: float = Field(default=5 * MINUTE, ge=0)
    # a countdown turns amber, then red, when this share of its window is left
    amber_share: float = Field(default=0.30, gt=0, lt=1)
    red_share: float = Field(default=0.10, gt=0, lt=1)
    report_due_after: float = Field(default=24 * HOUR, gt=0)
    report_priorities: tuple[Priority, ...] = (Priority.P1, Priority.P2)
    # a shift handover still unacknowledged this long into its shift is flagged
    # (`domain.handover`)
    handover_ack_within: float = Field(default=15 * 60, gt=0)
    targets: MetricTargets = MetricTargets()
    # an anonymous player's withdrawal or payout at or over this may need documents (seed 001)
    kyc_threshold: float = Field(default=1000.0, ge=0)
    kyc_kinds: tuple[IncidentKind, ...] = (
        IncidentKind.WITHDRAWAL_REFUSED,
        IncidentKind.FAILED_TRANSFER,
        IncidentKind.PAYMENT_FAILURE,
        IncidentKind.PAYMENT_DISPUTE,
    )
    # the operator's loyalty card format: a card starting with one of these names its tier
    card_tiers: dict[str, Tier] = Field(default_factory=lambda: {"VV-": Tier.VVIP, "VP-": Tier.VIP})
    currency: str = "USD"
    timezone: str = "Australia/Sydney"
    # when the floor's shifts begin (HH:MM local): the night view's metrics count from the last
    shift_starts: tuple[ClockTime, ...] = Field(default=("06:00", "14:00", "22:00"), min_length=1)
    holidays: tuple[date, ...] = ()
    # service recovery for a late P1, by tier (section 8)
    p1_late_compensation: dict[Tier, str] = Field(
        default_factory=lambda: {
            Tier.STANDARD: "bonus credit + priority for the next tournament",
            Tier.VIP: "free play (VIP scale) + priority for the next tournament",
            Tier.VVIP: "free play (VVIP scale) + priority for the next tournament",
        }
    )
    # a pit boss may act outside their own pit only when this is set
    pit_boss_floor_wide: bool = False
    # regulators' registers, by name: a second countdown on the kinds they name
    registers: dict[str, Register] = Field(default_factory=lambda: dict(DEFAULT_REGISTERS))
    # an action done offline reaches the server with the time it was done
    # (domain.acted_time): refused when older than this when it arrives...
    outbox_limit: float = Field(default=24 * HOUR, gt=0)
    # ...or ahead of the server's clock (or before its incident opened) by more than this
    clock_tolerance: float = Field(default=30.0, ge=0)

    @model_validator(mode="after")
    def _shares(self) -> Policy:
        if self.red_share >= self.amber_share:
            raise ValueError("red_share must be smaller than amber_share")
        return self

    @model_validator(mode="after")
    def _one_register_per_kind(self) -> Policy:
        seen: dict[IncidentKind, str] = {}
        for name, register in self.registers.items():
            for kind in register.kinds:
                if kind in seen:
                    raise ValueError(f"{kind} is in two registers: {seen[kind]} and {name}")
                seen[kind] = name
        return self

    def register_for(self, kind: IncidentKind) -> str | None:
        """The name of the register incidents of `kind` go to, if any."""
        return next((name for name, r in self.registers.items() if kind in r.kinds), None)

    def answer_seconds(self, channel: Channel, tier: Tier) -> float:
        return self.answer[channel][tier]

    def tier_for_card(self, reference: str) -> Tier | None:
        """The tier a loyalty card's number names (longest matching prefix), if any."""
        card = reference.strip().upper()
        matches = [p for p in self.card_tiers if card.startswith(p.upper())]
        return self.card_tiers[max(matches, key=len)] if matches else None


class PolicyError(ValueError):
    """The operator's policy file is not valid; the message says where."""


def policy_from_toml(text: str) -> Policy:
    """Parse an operator policy file; keys left out keep their defaults.

    Tables nest like the model: `[escalation] l2 = 900`, `[stabilise] P1 = 600`,
    `[answer.phone] vip = 30` (a partial channel table keeps the other tiers).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy file is not valid TOML: {exc}") from exc
    defaults = Policy()
    if "answer" in data and isinstance(data["answer"], dict):
        merged = {str(ch): dict(tiers) for ch, tiers in defaults.answer.items()}
        for channel, tiers in data["answer"].items():
            if not isinstance(tiers, dict):
                raise PolicyError(f"answer.{channel} must be a table of tier = seconds")
            merged.setdefault(channel, {}).update(tiers)
        data["answer"] = merged
    if "registers" in data and isinstance(data["registers"], dict):
        # a register named in the file changes only the keys it gives
        merged_registers = {k: r.model_dump() for k, r in defaults.registers.items()}
        for name, given in data["registers"].items():
            if not isinstance(given, dict):
                raise PolicyError(f"registers.{name} must be a table")
            entry = merged_registers.setdefault(name, {})
            if "due_after" in given or "due_business_days" in given:
                entry.pop("due_after", None)
                entry.pop("due_business_days", None)
            entry.update(given)
        data["registers"] = merged_registers
    for key in ("stabilise", "resolve", "update_every", "p1_late_compensation"):
        if key in data and isinstance(data[key], dict):
            base = {str(k): v for k, v in getattr(defaults, key).items()}
            # TOML has no null: a negative or zero time means "no deadline"
            base.update({k: (None if v in (0, -1) else v) for k, v in data[key].items()})
            data[key] = base
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise PolicyError(f"policy file: {problems}") from exc
