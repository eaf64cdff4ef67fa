"""Snapshots of the new-incident form: empty, refused with its messages, and the field
being filled marked (its row's label reversed, the field tinted and bold)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from domain.models import IncidentKind, PlayerIdKind

SIZES = [(80, 24), (120, 36)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_empty_form(snap_compare, static_floor, make_app, size) -> None:
    assert snap_compare(make_app(static_floor("pb2")), terminal_size=size, press=["n"])


def test_refused_with_messages(snap_compare, static_floor, make_app) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        form = pilot.app.screen
        form.query_one("#new-kind", Select).value = IncidentKind.FAILED_TRANSFER
        form.query_one("#new-id-kind", Select).value = PlayerIdKind.PSEUDONYM
        form.query_one("#new-amount", Input).value = "1500"
        form.query_one("#new-summary", Input).value = "card 4111 1111 1111 1111 refused"
        await pilot.press("ctrl+s")
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(static_floor("h3")), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("field", ["#new-reference", "#new-silent"], ids=["input", "checkbox"])
def test_the_focused_field_is_marked(snap_compare, static_floor, make_app, field) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        form = pilot.app.screen
        form.query_one("#new-reference", Input).value = "VP-1111-2222"
        form.query_one(field).focus()
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    app = make_app(static_floor("pb2"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
