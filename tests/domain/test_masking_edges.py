"""What the masking must take, and what it must leave: a floor's texts hold many numbers.

A PIN read out in groups is hidden whole (half a PIN is still a PIN) and does not
look like a card afterwards; numbers near the word PIN that are not one (a
machine number, a promo code, a date) stay as typed; masking what was masked
changes nothing (the terminal masks before sending, the server again); names
of things (a roster phone) are never masked as text.
"""

from __future__ import annotations

import pytest

from domain import commands as c
from domain.models import Chain, Contact
from domain.privacy import mask_sensitive, names_card_number
from tests.domain.test_cover import ROSTER, TWO_AM, _entry, floor  # noqa: F401 (a fixture)

PHONE = "+49 1512 3456789"  # a mobile with its country code: 13 digits


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("PIN 1234 5678", "PIN ****"),
        ("player read out PIN 1234-5678", "player read out PIN ****"),
    ],
)
def test_a_pin_in_groups_is_hidden_whole_and_is_no_card(typed: str, kept: str) -> None:
    assert mask_sensitive(typed) == kept
    assert not names_card_number(mask_sensitive(typed))


@pytest.mark.parametrize(
    "text",
    [
        "PIN pad fault at machine number 4411",
        "PIN pad on cage no. 2231 down",
        "PIN reset promo code 5566",
        "password reset of 2026-12-06",
        "PIN 2-3 tries left",
        "PIN reset at 22:45 for table 12",
    ],
)
def test_numbers_near_the_word_that_are_no_pin_stay_as_typed(text: str) -> None:
    assert mask_sensitive(text) == text


def test_two_cards_pasted_together_are_masked_at_once_and_stay_so() -> None:
    once = mask_sensitive("3782 822463 10005 4111 1111 1111 1111")
    assert once == "****-1111"
    assert mask_sensitive(once) == once


def test_a_loyalty_id_as_the_screens_show_it_is_no_card_exposure() -> None:
    assert not names_card_number("VV-****-4411 is at the bar")
    assert names_card_number("the player read out ****-4411")


def test_a_roster_phone_is_a_name_not_text(floor) -> None:  # noqa: F811 (the fixture)
    roster = (
        *ROSTER,
        _entry(
            Chain.MAIN, 2, "dm2", "Chris N.", "00:00", "24:00", Contact(method="phone", value=PHONE)
        ),
    )
    floor.state = floor.state.model_copy(update={"roster": roster})
    command = c.ConfirmContact(staff_id="dm2", method="phone", value=PHONE)
    assert c.mask_command(command) == command
    floor.run("dm1", command, TWO_AM)  # the roster's own number, confirmed
