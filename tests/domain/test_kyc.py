"""The KYC threshold: an anonymous player's withdrawal or payout at it may need documents."""

from __future__ import annotations

import pytest

from domain.kyc import over_kyc_threshold
from domain.models import IncidentKind, Player, PlayerIdKind
from domain.policy import Policy

ANON = Player(id_kind=PlayerIdKind.PSEUDONYM, reference="nightowl_77")
CARD = Player(reference="VP-5120-3388")


@pytest.mark.parametrize(
    ("kind", "player", "amount", "over"),
    [
        (IncidentKind.WITHDRAWAL_REFUSED, ANON, 1000.00, True),  # at the threshold
        (IncidentKind.WITHDRAWAL_REFUSED, ANON, 999.99, False),  # one cent below
        (IncidentKind.FAILED_TRANSFER, ANON, 25_000.0, True),
        (IncidentKind.WITHDRAWAL_REFUSED, ANON, None, False),  # no amount given
        (IncidentKind.WITHDRAWAL_REFUSED, CARD, 5000.0, False),  # a known (loyalty) player
        (IncidentKind.DEPOSIT_NOT_CREDITED, ANON, 5000.0, False),  # money in, not out
        (None, ANON, 5000.0, False),  # the form's kind not chosen yet
    ],
)
def test_documents_only_at_or_over_the_threshold_for_money_out(
    kind: IncidentKind | None, player: Player, amount: float | None, over: bool
) -> None:
    assert over_kyc_threshold(kind, player, amount, Policy()) is over


def test_the_threshold_and_kinds_are_the_policys() -> None:
    policy = Policy(kyc_threshold=500.0, kyc_kinds=(IncidentKind.DEPOSIT_NOT_CREDITED,))
    assert over_kyc_threshold(IncidentKind.DEPOSIT_NOT_CREDITED, ANON, 500.0, policy)
    assert not over_kyc_threshold(IncidentKind.WITHDRAWAL_REFUSED, ANON, 5000.0, policy)
