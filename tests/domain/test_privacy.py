"""Floor screens mask a card or loyalty number one way, wherever it came from."""

from domain.models import Player
from domain.privacy import mask_card_numbers, mask_loyalty_id


def test_a_bare_loyalty_number_is_masked_as_a_card_number_is() -> None:
    card = mask_card_numbers("card 4111 1111 1111 1111")
    assert card == "card ****-1111"
    for reference in ("123451111", "77001111", "4111111111111111"):
        assert mask_loyalty_id(reference) == "****-1111", reference
        assert Player(reference=reference).display == "****-1111"
    # the operator's own format keeps its shape: the prefix names the tier
    assert mask_loyalty_id("VV-2231-4411") == "VV-****-4411"
    assert mask_loyalty_id("4411") == "4411"  # nothing to hide behind four digits
