"""Player flags where the player appears, the help-resources question, and the player view."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from domain import commands as c
from domain.models import FlagKind, HelpAnswer, IncidentKind, PlayerIdKind, Priority
from screens.incident import IncidentScreen
from screens.new_incident import NewIncidentScreen
from screens.player_care import HelpOfferModal, PlayerScreen, SetFlagModal
from tests.tui.screen_text import screen_lines

from .test_incident_helpers import find_incident, notices, settle, text_of

REF = "VV-2231-4411"  # the demo's VVIP at BJ-07, host h1; pb2's pit
DAY = 86400.0


def flag(floor: Any, kind: FlagKind, **fields: Any) -> None:
    """h1, the player's host, flags them from another terminal."""
    floor.submit_as("h1", c.SetPlayerFlag(reference=REF, flag=kind, **fields))


async def open_incident(app: Any, pilot: Pilot[Any], incident_id: int) -> IncidentScreen:
    app.action_open_incident(incident_id)
    await pilot.pause()
    assert isinstance(app.screen, IncidentScreen)
    return app.screen


async def answer_help(app: Any, pilot: Pilot[Any], answer: HelpAnswer, note: str) -> None:
    modal = app.screen
    assert isinstance(modal, HelpOfferModal)
    modal.query_one("#dialog-help", Select).value = answer
    field = modal.query_one("#dialog-note", Input)
    field.value = note
    # enter in the note, as at the keyboard (a toast may lie over the button for a mouse)
    field.focus()
    await pilot.press("enter")
    await settle(app, pilot)


def on_top(app: Any) -> Any:
    """The screen showing now (read afresh: a check of an earlier one does not hold)."""
    return app.screen


def queue_row(app: Any, number: int) -> str:
    return next(line for line in screen_lines(app) if line.startswith(f"#{number} "))


async def test_a_flag_set_elsewhere_marks_the_queue_row_and_bands_the_incident(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, REF)
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert queue_row(app, bj07).startswith(f"#{bj07}     P1 VVIP VV-****-4411")
        flag(floor, FlagKind.SELF_EXCLUDED)
        await settle(app, pilot)
        assert queue_row(app, bj07).startswith(f"#{bj07}   ! P1 VVIP VV-****-4411")

        screen = await open_incident(app, pilot, bj07)
        band = screen.query_one("#incident-flags", Static)
        assert band.display
        assert text_of(screen, "#incident-flags") == ("RG: self-excluded - offer help resources")
        # an AML check set now shows at once, with what it asks of the floor
        floor.submit_as("dm1", c.SetPlayerFlag(reference=REF, flag=FlagKind.SOURCE_OF_FUNDS))
        await settle(app, pilot)
        assert "source of funds check pending" in text_of(screen, "#incident-flags")
        assert "risk/AML before any payout" in text_of(screen, "#incident-flags")
        # cleared by a duty manager: gone from the screen
        for kind in (FlagKind.SELF_EXCLUDED, FlagKind.SOURCE_OF_FUNDS):
            floor.submit_as("dm1", c.ClearPlayerFlag(reference=REF, flag=kind))
        await settle(app, pilot)
        assert not band.display


async def test_updating_an_rg_flagged_players_incident_asks_whether_help_was_offered(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, REF)
    flag(floor, FlagKind.COOL_OFF, until=floor.now() + 3 * DAY)
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_incident(app, pilot, bj07)
        assert "cool-off until" in text_of(screen, "#incident-flags")
        await pilot.press("m")
        await pilot.press(*"player asked for a break")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpOfferModal)
        # no answer chosen: it says so and stays
        await pilot.click("#dialog-ok")
        await pilot.pause()
        assert isinstance(app.screen, HelpOfferModal)
        await answer_help(app, pilot, HelpAnswer.DECLINED, "gave the helpline card")
        assert on_top(app) is screen
        sent = floor.submitted[-1]
        assert isinstance(sent, c.RecordHelpOffer) and sent.answer is HelpAnswer.DECLINED
        timeline = text_of(screen, "#incident-timeline")
        assert "help resources offered, declined: gave the helpline card" in timeline
        # recorded once: the next update does not ask again
        await pilot.press("m")
        await pilot.press(*"walked to the cage")
        await pilot.press("enter")
        await settle(app, pilot)
        assert on_top(app) is screen


async def test_an_unflagged_players_incident_asks_nothing(static_floor, make_app) -> None:
    floor = static_floor("pb2")
    bj07 = find_incident(floor, REF)
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_incident(app, pilot, bj07)
        assert not screen.query_one("#incident-flags", Static).display
        await pilot.press("m")
        await pilot.press(*"all fine")
        await pilot.press("enter")
        await settle(app, pilot)
        assert on_top(app) is screen


async def test_the_form_shows_a_typed_players_flags_and_asks_before_sending(
    static_floor, make_app
) -> None:
    floor = static_floor("pb2")
    flag(floor, FlagKind.BANKROLL_LIMIT, note="AUD 5,000 a visit")
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NewIncidentScreen)
        form.query_one("#new-kind", Select).value = IncidentKind.TABLE_DISPUTE
        form.query_one("#new-priority", Select).value = Priority.P3
        form.query_one("#new-reference", Input).focus()
        await pilot.press(*REF)
        form.query_one("#new-spot", Input).value = "BJ-08"
        await pilot.pause()
        assert text_of(form, "#note-reference") == (
            "RG: bankroll limit: AUD 5,000 a visit - offer help resources"
        )
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpOfferModal)
        await pilot.press("escape")  # not answered: nothing sent, the form is still there
        await settle(app, pilot)
        assert on_top(app) is form and not any(
            isinstance(s, c.OpenIncident) for s in floor.submitted
        )
        assert "Nothing was sent: say whether help was offered." in notices(app)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await answer_help(app, pilot, HelpAnswer.OFFERED, "")
        sent = floor.submitted[-1]
        assert isinstance(sent, c.OpenIncident) and sent.help_offer is HelpAnswer.OFFERED
        opened = max(floor.truth.incidents.values(), key=lambda i: i.id)
        assert [e.text for e in opened.timeline] == ["opened", "help resources offered"]


async def test_the_player_view_shows_flags_other_incidents_and_recovery_masked(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    bj07 = find_incident(floor, REF)
    flag(floor, FlagKind.TIME_LIMIT, note="4 h a day")
    floor.submit_as("dm1", c.RecordCompensation(incident_id=bj07, text="dinner for two"))
    # an older incident of the same player, resolved since
    earlier = c.OpenIncident(
        kind=IncidentKind.FNB_SPA,
        priority=Priority.P4,
        channel="on_site",
        player=floor.truth.incidents[bj07].player,
        location={"pit": "2", "spot": "VIP lounge"},
    )
    floor.submit_as("dm1", earlier)
    other = max(floor.truth.incidents)
    floor.submit_as("dm1", c.Resolve(incident_id=other))
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(app, pilot, bj07)
        await pilot.press("P")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, PlayerScreen)
        shown = "\n".join(screen_lines(app))
        assert "VV-****-4411" in shown and "2231" not in shown
        assert "time limit: 4 h a day, set by Sam P." in shown
        assert f"#{other} P4 F&B/SPA memo, resolved" in shown
        assert f"#{bj07} dinner for two" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)


async def test_the_kyc_warning_at_the_threshold_and_not_a_cent_below(
    static_floor, make_app
) -> None:
    floor = static_floor("h3")  # the host of the demo's anonymous nightowl_77
    app = make_app(floor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.query_one("#new-kind", Select).value = IncidentKind.WITHDRAWAL_REFUSED
        form.query_one("#new-priority", Select).value = Priority.P2
        form.query_one("#new-id-kind", Select).value = PlayerIdKind.PSEUDONYM
        form.query_one("#new-reference", Input).value = "nightowl_77"
        form.query_one("#new-spot", Input).value = "online"
        amount = form.query_one("#new-amount", Input)
        amount.value = "999.99"
        await pilot.pause()
        assert not form.query_one("#note-amount", Static).display
        amount.value = "1,000"
        await pilot.pause()
        assert text_of(form, "#note-amount") == (
            "KYC: at or over the KYC threshold (USD 1,000): "
            "documents may be required, only over a secure channel"
        )
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        opened = max(floor.truth.incidents.values(), key=lambda i: i.id)
        assert opened.amount == 1000.0
        screen = await open_incident(app, pilot, opened.id)
        assert "KYC: at or over the KYC threshold" in text_of(screen, "#incident-facts")


async def test_a_host_flags_their_player_from_the_player_view_and_may_not_clear_it(
    static_floor, make_app
) -> None:
    floor = static_floor("h1")
    bj07 = find_incident(floor, REF)
    app = make_app(floor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_incident(app, pilot, bj07)
        await pilot.press("P")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, PlayerScreen)

        async def answer(kind: FlagKind, until: str = "", note: str = "") -> None:
            modal = app.screen
            assert isinstance(modal, SetFlagModal)
            modal.query_one("#dialog-flag", Select).value = kind
            modal.query_one("#dialog-until", Input).value = until
            field = modal.query_one("#dialog-note", Input)
            field.value = note
            field.focus()
            await pilot.press("enter")  # as at the keyboard; a toast may cover the button
            await settle(app, pilot)

        await pilot.press("f")
        await pilot.pause()
        await answer(FlagKind.COOL_OFF, until="2020-01-31", note="four weeks")
        # refused in the dialog, which stays open with what was typed
        dialog = app.screen
        assert isinstance(dialog, SetFlagModal)
        assert "the cool-off date is in the past" in text_of(dialog, "#dialog-hint")
        assert dialog.query_one("#dialog-note", Input).value == "four weeks"
        await answer(FlagKind.SOURCE_OF_WEALTH)
        assert dialog.is_current
        assert "set by risk/AML" in text_of(dialog, "#dialog-hint")
        assert not any(isinstance(s, c.SetPlayerFlag) for s in floor.submitted)

        await answer(FlagKind.SELF_EXCLUDED, note="asked at the cage")
        assert app.screen is view
        assert "self-excluded: asked at the cage, set by Sam P." in "\n".join(screen_lines(app))
        await pilot.press("u")
        await pilot.pause()
        assert app.screen is view
        assert any("a host may not clear player flag" in n for n in notices(app))
