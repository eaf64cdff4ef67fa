"""The new-incident form: checked as you type, masked before it is stored, sent only when whole."""

from __future__ import annotations

from typing import Any

import pytest
from textual.binding import Binding
from textual.widgets import Input, Select

from domain import commands as c
from domain.models import IncidentKind, PlayerIdKind, Priority, Tier
from screens.help import HelpScreen
from screens.new_incident import NewIncidentScreen
from tui.app import FloorApp
from tui.palette import FloorCommands

from .test_incident_helpers import notices, settle, text_of


async def open_form(app, pilot) -> NewIncidentScreen:
    await pilot.pause()
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(app.screen, NewIncidentScreen)
    return app.screen


async def test_invalid_form_is_not_sent_and_says_why(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        form = await open_form(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, NewIncidentScreen)
        assert floor.submitted == []
        assert "Fix the marked fields; nothing was sent." in notices(app)
        assert text_of(form, "#note-kind") == "choose what happened"
        assert text_of(form, "#note-priority") == "choose a priority"
        assert text_of(form, "#note-reference").startswith("who is it about")

        form.query_one("#new-amount", Input).focus()
        await pilot.press(*"12x")
        await pilot.pause()
        assert text_of(form, "#note-amount") == "a number, like 1500 or 1500.50"
        for typed in ("-5", "nan"):
            form.query_one("#new-amount", Input).value = typed
            await pilot.pause()
            assert text_of(form, "#note-amount") == "an amount of 0 or more, like 1500 or 1500.50"


async def test_a_trigger_kind_shows_it_escalates_at_once(static_floor, make_app) -> None:
    app = make_app(static_floor("dm1"))
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        assert not form.query_one("#new-escalation").display
        form.query_one("#new-kind", Select).value = IncidentKind.FAILED_TRANSFER
        await pilot.pause()
        preview = text_of(form, "#new-escalation")
        assert "escalates at once: opens at L2 (finance)" in preview
        assert "payments chain: L2 finance -> L3 risk / AML -> L4 acquiring bank" in preview

        form.query_one("#new-kind", Select).value = IncidentKind.ACCOUNT_BLOCKED
        await pilot.pause()
        preview = text_of(form, "#new-escalation")
        assert "opens at L2 (duty manager / game tech)" in preview
        assert "payments chain" not in preview


async def test_a_valid_incident_is_sent_masked_and_appears(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#new-kind", Select).value = IncidentKind.RESULT_DISPUTE
        form.query_one("#new-priority", Select).value = Priority.P1
        form.query_one("#new-reference", Input).focus()
        await pilot.press(*"VV-2231-4411")
        form.query_one("#new-spot", Input).value = "BJ-07"
        form.query_one("#new-desired_outcome", Input).value = "review and correct"
        form.query_one("#new-summary", Input).focus()
        await pilot.press(*"paid with 4111 1111 1111 1111")
        await pilot.pause()
        assert text_of(form, "#note-summary") == (
            "looks like a card number: it will be stored masked as paid with ****-1111"
        )
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, NewIncidentScreen)  # back to the queue
        sent = floor.submitted[-1]
        assert isinstance(sent, c.OpenIncident) and sent.summary == "paid with ****-1111"
        opened = max(floor.truth.incidents.values(), key=lambda i: i.id)
        assert (opened.location.pit, opened.location.spot) == ("2", "BJ-07")
        assert opened.priority is Priority.P1 and "4111" not in opened.summary


async def test_a_card_number_in_the_location_is_masked_and_escalates(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#new-kind", Select).value = IncidentKind.BONUS_QUESTION
        form.query_one("#new-priority", Select).value = Priority.P3
        form.query_one("#new-reference", Input).value = "VP-1111-2222"
        form.query_one("#new-spot", Input).focus()
        await pilot.press(*"4111 1111 1111 1111")
        await pilot.pause()
        assert text_of(form, "#note-spot") == (
            "looks like a card number: it will be stored masked as ****-1111"
        )
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        sent = floor.submitted[-1]
        assert isinstance(sent, c.OpenIncident) and sent.location.spot == "****-1111"
        opened = max(floor.truth.incidents.values(), key=lambda i: i.id)
        assert opened.location.spot == "****-1111"
        assert opened.line == 2  # a card number read out is an exposure, wherever it is typed


async def test_a_pit_boss_cannot_open_in_another_pit(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#new-kind", Select).value = IncidentKind.TABLE_DISPUTE
        form.query_one("#new-priority", Select).value = Priority.P3
        form.query_one("#new-reference", Input).value = "VP-1111-2222"
        pit = form.query_one("#new-pit", Input)
        pit.value = "1"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert floor.submitted == []
        assert text_of(form, "#note-pit") == "pit 1 is outside your pit"


# every app-level key, less those that are no screen (the lock, the theme, the palette,
# tested below) and escape (the form's own leave): read from the app, so a screen key
# added to it later is covered here too
APP_SCREEN_KEYS = [
    b.key
    for b in FloorApp.BINDINGS
    if isinstance(b, Binding) and b.key not in ("escape", "ctrl+l", "f10", "ctrl+p")
]


def on_top(app: Any) -> Any:
    """The screen showing now (read afresh: a check of an earlier one does not hold)."""
    return app.screen


async def filled_form(app, pilot) -> NewIncidentScreen:
    form = await open_form(app, pilot)
    form.query_one("#new-kind", Select).value = IncidentKind.TABLE_DISPUTE
    form.query_one("#new-reference", Input).value = "VP-1111-2222"
    await pilot.pause()
    return form


def test_the_form_covers_every_screen_key_of_the_app() -> None:
    assert set(APP_SCREEN_KEYS) >= {"n", "d", "e", "o", "M", "F", "H", "S", "L", "question_mark"}


@pytest.mark.parametrize("field", ["#new-tier", "#new-silent"])
@pytest.mark.parametrize("key", APP_SCREEN_KEYS)
async def test_a_screen_key_inside_the_form_keeps_it_and_its_draft(
    static_floor, make_app, key: str, field: str
) -> None:
    # a duty manager: every screen behind these keys is theirs to open
    app = make_app(static_floor("dm1"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        form = await filled_form(app, pilot)
        form.query_one(field).focus()
        depth = len(app.screen_stack)
        await pilot.press(key)
        await settle(app, pilot)
        if isinstance(app.screen, HelpScreen):  # `?` shows the keys over the form
            await pilot.press("escape")
            await settle(app, pilot)
        else:
            assert "Finish the form first: ctrl+s saves, escape leaves." in notices(app)
        assert app.screen is form and len(app.screen_stack) == depth
        assert form.query_one("#new-reference", Input).value == "VP-1111-2222"


async def test_no_screen_opens_over_the_form_from_its_help_or_the_palette(
    static_floor, make_app
) -> None:
    app = make_app(static_floor("dm1"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        form = await filled_form(app, pilot)
        form.query_one("#new-tier").focus()
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        for key in ("F", "H", "L", "d"):
            await pilot.press(key)
            await settle(app, pilot)
            assert isinstance(app.screen, HelpScreen), key
        await pilot.press("escape")
        await settle(app, pilot)
        assert on_top(app) is form

        # the palette offers the metrics board at each window: it does not open over the form
        (hit, *_) = [hit async for hit in FloorCommands(form).search("metrics board")]
        hit.command()
        await settle(app, pilot)
        assert on_top(app) is form
        assert "Finish the form first: ctrl+s saves, escape leaves." in notices(app)
        # and escape still asks before the form is left
        await pilot.press("escape")
        await settle(app, pilot)
        assert "Leave the form?" in text_of(app.screen, "#dialog-title")


async def test_leaving_a_filled_form_asks_and_keeps_the_draft(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#new-kind", Select).value = IncidentKind.TABLE_DISPUTE
        form.query_one("#new-reference", Input).focus()
        await pilot.press(*"VP-1111-2222")
        await pilot.press("escape")
        await settle(app, pilot)
        assert "Leave the form?" in text_of(app.screen, "#dialog-title")
        await pilot.press("escape")  # no: back to the form, as it was
        await settle(app, pilot)
        assert app.screen is form
        await pilot.press("escape", "enter")  # yes, leave
        await settle(app, pilot)
        assert not isinstance(app.screen, NewIncidentScreen)

        again = await open_form(app, pilot)
        assert again.query_one("#new-reference", Input).value == "VP-1111-2222"
        assert again.query_one("#new-kind", Select).value is IncidentKind.TABLE_DISPUTE
        assert "Your unsaved draft is back" in " ".join(notices(app))
        assert floor.submitted == []


async def test_an_empty_form_leaves_at_once_and_a_sent_one_is_not_kept(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_form(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, NewIncidentScreen)

        form = await open_form(app, pilot)
        form.query_one("#new-kind", Select).value = IncidentKind.TABLE_DISPUTE
        form.query_one("#new-priority", Select).value = Priority.P3
        form.query_one("#new-reference", Input).value = "VP-1111-2222"
        form.query_one("#new-spot", Input).value = "BJ-05"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(floor.submitted[-1], c.OpenIncident)
        fresh = await open_form(app, pilot)
        assert fresh.query_one("#new-reference", Input).value == ""


async def test_the_tier_comes_from_the_card_format(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#new-reference", Input).focus()
        await pilot.press(*"VV-2231-4411")
        await pilot.pause()
        assert form.query_one("#new-tier", Select).value is Tier.VVIP
        assert text_of(form, "#note-reference") == "tier VVIP, from the card"
        form.query_one("#new-reference", Input).value = "vp-5120-3388"
        await pilot.pause()
        assert form.query_one("#new-tier", Select).value is Tier.VIP
        # a pseudonym names no tier, whatever it starts with
        form.query_one("#new-id-kind", Select).value = PlayerIdKind.PSEUDONYM
        form.query_one("#new-reference", Input).value = "VV-nightowl"
        await pilot.pause()
        assert text_of(form, "#note-reference") == ""


async def test_a_field_too_long_is_named_and_said_in_words(static_floor, make_app) -> None:
    app = make_app(static_floor("pb2"))
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#new-kind", Select).value = IncidentKind.TABLE_DISPUTE
        form.query_one("#new-priority", Select).value = Priority.P3
        form.query_one("#new-reference", Input).value = "VP-4410-2290"
        form.query_one("#new-spot", Input).focus()
        await pilot.press(*"table by the window in the high limit room, second row, left side")
        await pilot.pause()
        note = text_of(form, "#note-spot")
        assert note == "location: at most 60 characters (65 typed)"
        assert "String should" not in note
        form.query_one("#new-pit", Input).value = "p" * 41
        await pilot.pause()
        assert text_of(form, "#note-pit") == "pit: at most 40 characters (41 typed)"
