"""The handover screen on the demo floor: the pack before and after it is opened, the
acknowledgement by the incoming duty manager, the flag on the queue, and the reason
for anyone else. The demo floor's clock is 02:13; the next shift starts 06:00."""

from __future__ import annotations

from textual.pilot import Pilot

from domain import commands as c
from screens.handover import HandoverScreen
from screens.modals import OptionalNoteModal
from screens.queue import QueueScreen

from .conftest import field_focused, settle
from .screen_text import screen_lines
from .test_incident_helpers import notices, text_of

TO_SIX = 3 * 3600 + 47 * 60  # 02:13 to 06:00


def shown(app) -> str:
    return "\n".join(screen_lines(app))


async def handover_shown(app, pilot: Pilot[None]) -> HandoverScreen:
    await pilot.pause()
    await pilot.press("H")
    await pilot.pause()
    assert isinstance(app.screen, HandoverScreen)
    return app.screen


async def test_the_outgoing_duty_manager_hands_over_with_a_note(static_floor, make_app) -> None:
    source = static_floor("dm1")
    open_now = len(source.state.open_incidents())
    app = make_app(source)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await handover_shown(app, pilot)
        head = text_of(screen, "#handover-head")
        assert head.startswith("Shift handover at 06:00 (in 3:47:00)")
        assert "not handed over yet" in head
        pack = text_of(screen, "#handover-pack")
        assert pack.startswith(f"{open_now} open · ")
        assert f"\nOpen incidents by risk ({open_now})\n" in pack
        assert "Lines with nobody on duty next shift (06:00-14:00)" in pack
        for heading in ("Escalations due in the next hour", "Post-incident reports owed", "Down"):
            assert heading in pack
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OptionalNoteModal)
        await field_focused(app, pilot, "dialog-text")
        await pilot.press(*"HL-1142 tech due 06:30", "enter")
        await settle(app, pilot)
        assert source.submitted[-1] == c.OpenHandover(note="HL-1142 tech due 06:30")
        head = text_of(screen, "#handover-head")
        assert "opened by Dana K. at 02:13; waiting for the incoming duty manager (a)" in head
        # the note comes right after the counts, before the lists
        rows = text_of(screen, "#handover-pack").splitlines()
        assert rows[3:5] == ["Note from Dana K.", "  HL-1142 tech due 06:30"]
        # the one who opened it does not acknowledge it
        await pilot.press("a")
        await pilot.pause()
        on_top: object = app.screen  # not narrowed by the dialog's check above
        assert on_top is screen
        assert "handover opened" in notices(app)


async def test_the_incoming_one_is_flagged_then_acknowledges(static_floor, make_app) -> None:
    source = static_floor("dm2")
    source.submit_as("dm1", c.OpenHandover(note="BAC-03 shuffler still out"))
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        flag = "handover at 06:00 not acknowledged (opened by Dana K. 02:13): H to read it"
        assert flag not in shown(app)  # before the shift, nothing to flag
        source.advance(TO_SIX + 15 * 60)  # 06:15
        app.tick()
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert flag in text_of(app.screen, "#queue-summary")

        screen = await handover_shown(app, pilot)
        assert "Not acknowledged 15:00 into the shift" in text_of(screen, "#handover-flag")
        assert "BAC-03 shuffler still out" in text_of(screen, "#handover-pack")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, OptionalNoteModal)
        await field_focused(app, pilot, "dialog-text")
        await pilot.press("enter")
        await settle(app, pilot)
        sent = source.submitted[-1]
        assert isinstance(sent, c.AcknowledgeHandover) and sent.opened_at is not None
        assert "acknowledged by Chris N. at 06:15" in text_of(screen, "#handover-head")
        assert not screen.query_one("#handover-flag").display
        await pilot.press("escape")
        await pilot.pause()
        assert flag not in text_of(app.screen, "#queue-summary")


async def test_a_pit_boss_or_host_is_told_why_not(static_floor, make_app) -> None:
    for staff_id, role in (("pb2", "pit boss"), ("h1", "host")):
        app = make_app(static_floor(staff_id))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("H")
            await pilot.pause()
            assert isinstance(app.screen, QueueScreen)
            assert notices(app)[-1] == (
                "The shift handover is between duty managers (and admins);"
                f" you are signed in as a {role}"
            )
            app.push_screen(HandoverScreen())
            await pilot.pause()
            assert "The shift handover is between duty managers" in shown(app)
