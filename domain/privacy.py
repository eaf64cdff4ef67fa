"""Personal-data rules: floor screens never show a full card or loyalty number."""

from __future__ import annotations

import re

# 13 digits or more, optionally grouped by spaces or dashes: the shape of a card number
# (13-19), or of two pasted one after the other, which are masked as one run
_CARD_LIKE = re.compile(r"(?<![\d])\d(?:[ -]?\d){12,}(?![\d])")


def mask_card_numbers(text: str) -> str:
    """Replace anything that looks like a card number with its last four digits.

    Staff never ask for a card number (an anti-phishing rule), but players
    paste them into chats; the text is masked before it is stored anywhere.
    Any 13-19 digit run is masked without a checksum test: a mistyped card
    number is still a card number.
    """

    def _mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return f"****-{digits[-4:]}"

    return _CARD_LIKE.sub(_mask, text)


def looks_like_card_number(text: str) -> bool:
    return _CARD_LIKE.search(text) is not None


# The words that name a secret a player may read out; support never asks for one.
_SECRET = r"(?:pin(?:[ -]?code)?|passcode|password)(?:'s)?"
# a PIN is 4-12 digits (ISO 9564); right after the word, 3 digits or digits read out
# in groups ("PIN 12 34") are one too
# the groups tried first, so "PIN 1234 5678" is masked whole (counted in `_mask`)
_GROUPED = r"\d{1,4}(?:[ -]\d{1,4}){1,5}(?![\d])|\d{4,12}(?![\d])|\d{3}"
# never part of a date or a time ("reset on 2026-12-06", "at 22:45")
_NOT_A_DATE = r"(?![-/:.]\d)"
# a few plain words within one clause ("the PIN he gave is"), ending in is / was: "PIN
# reset for table 12" or "PIN pad fault at machine number 4411" keep their numbers
_FILLER = r"(?:[a-z']+\s+){0,4}?"
_PIN_LIKE = (
    # "PIN 1234", "pin: 1234", "PIN is 1234", "my pin's 4821", "passcode=887766", "PIN 12 34"
    re.compile(
        rf"\b{_SECRET}\s*(?:is|was|:|=|-|#)?\s*(?P<digits>{_GROUPED}){_NOT_A_DATE}\b",
        re.IGNORECASE,
    ),
    # "PIN number 4821", "PIN code 4821", "a PIN of 4821": the word right after the secret
    re.compile(
        rf"\b{_SECRET}\s+(?:number|no\.?|code|of)\s*[:=]?\s*(?P<digits>\d{{4,12}}){_NOT_A_DATE}\b",
        re.IGNORECASE,
    ),
    # "the PIN he gave is 4821", "PIN he typed was: 4821"
    re.compile(
        rf"\b{_SECRET}\s+{_FILLER}(?:is|was|being)\s*[:=]?\s*(?P<digits>\d{{4,12}}){_NOT_A_DATE}\b",
        re.IGNORECASE,
    ),
    # "4821 is his PIN", "4821 was the PIN he gave", "4821 = PIN"
    re.compile(
        rf"(?<![\d.,])\b(?P<digits>\d{{4,12}})\s*(?:is|was|=|being)\s+"
        rf"(?:(?:his|her|my|their|the|your|our|a)\s+)?(?:[a-z]+\s+)?{_SECRET}\b",
        re.IGNORECASE,
    ),
)
PIN_MASK = "****"
# what `mask_card_numbers` leaves behind: a card number was in the text
# (not a loyalty id as the screens show it, `VV-****-4411`, copied into a note)
_MASKED_CARD = re.compile(r"(?<![\w-])\*{4}-\d{4}\b")


def mask_pins(text: str) -> str:
    """Hide a PIN someone typed into free text: support never asks for one.

    Only digits tied to the word by how a sentence hands over a value are taken,
    so a table number or an amount elsewhere in the text stays as typed.
    """

    def _mask(match: re.Match[str]) -> str:
        start, end = match.span("digits")
        whole = match.group(0)
        if not 3 <= sum(ch.isdigit() for ch in match.group("digits")) <= 12:
            return whole  # "PIN 2-3 tries left": no PIN is that short
        return whole[: start - match.start()] + PIN_MASK + whole[end - match.start() :]

    for pattern in _PIN_LIKE:
        text = pattern.sub(_mask, text)
    return text


def mask_sensitive(text: str) -> str:
    """Everything free text must not keep: card numbers and PINs."""
    return mask_pins(mask_card_numbers(text))


def names_card_number(text: str) -> bool:
    """True when the text holds a card number, masked or not: an exposure (section 4)."""
    return looks_like_card_number(text) or _MASKED_CARD.search(text) is not None


def mask_loyalty_id(reference: str) -> str:
    """`VV-2231-4411` -> `VV-****-4411`; any other keeps its last four as a card
    number does (`****-4411`), so a floor screen masks numbers one way."""
    if looks_like_card_number(reference):
        return mask_card_numbers(reference)
    parts = reference.split("-")
    if len(parts) >= 3:
        return "-".join([parts[0], *("*" * len(p) for p in parts[1:-1]), parts[-1]])
    if len(reference) > 4:
        return f"****-{reference[-4:]}"
    return reference


def shorten_reference(reference: str) -> str:
    """Pseudonyms show as they are; long wallet addresses keep both ends."""
    if len(reference) > 20:
        return f"{reference[:8]}…{reference[-6:]}"
    return reference
