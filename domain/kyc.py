"""The anonymous players' document threshold (seed 001): when documents may be needed.

Below the policy's KYC threshold an anonymous player is never asked for
documents; money going to them (a withdrawal or a payout) at or above it may
need them, and then only over a secure channel. Which kinds count as money
going out is the policy's (`Policy.kyc_kinds`).
"""

from __future__ import annotations

from domain.models import IncidentKind, Player
from domain.policy import Policy


def over_kyc_threshold(
    kind: IncidentKind | None, player: Player, amount: float | None, policy: Policy
) -> bool:
    """Whether this incident may need the player's documents."""
    return (
        kind in policy.kyc_kinds
        and player.anonymous
        and amount is not None
        and amount >= policy.kyc_threshold
    )
