import pytest

from domain.models import Channel, Priority, Tier
from domain.policy import Policy, PolicyError, policy_from_toml


def test_operator_overrides_keep_the_other_defaults() -> None:
    policy = policy_from_toml(
        """
        downtime_replace_after = 900
        [escalation]
        l2 = 900
        [stabilise]
        P1 = 600
        [answer.phone]
        vip = 30
        """
    )
    assert policy.downtime_replace_after == 900
    assert policy.escalation.l2 == 900 and policy.escalation.l3 == 1800
    assert policy.stabilise[Priority.P1] == 600 and policy.stabilise[Priority.P2] == 3600
    assert policy.answer_seconds(Channel.PHONE, Tier.VIP) == 30
    assert policy.answer_seconds(Channel.PHONE, Tier.VVIP) == 10


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[escalation\nl2 = 1", "not valid TOML"),
        ("[escalation]\nl2 = 4000", "l2 < l3 < l4"),
        ("amber_share = 'lots'", "amber_share"),
        ("surprise = 1", "surprise"),
    ],
)
def test_a_bad_policy_file_says_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(PolicyError, match=words):
        policy_from_toml(text)


def test_the_card_format_names_the_tier_by_its_longest_prefix() -> None:
    policy = Policy()
    assert policy.tier_for_card("VV-2231-4411") is Tier.VVIP
    assert policy.tier_for_card(" vp-5120-3388") is Tier.VIP
    assert policy.tier_for_card("LC-1234") is None
    own = policy_from_toml('[card_tiers]\n"9" = "vip"\n"99" = "vvip"')
    assert own.tier_for_card("9912") is Tier.VVIP
    assert own.tier_for_card("9012") is Tier.VIP
    assert own.tier_for_card("VV-2231-4411") is None  # the operator's format replaces ours
