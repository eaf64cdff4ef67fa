"""Toasts show what they are given as written: a name, a reason, the server's words."""

from __future__ import annotations

import ast
from pathlib import Path

from domain.commands import SetPriority
from domain.models import Priority
from tests.tui.e2e import until
from tests.tui.test_incident_helpers import find_incident

ROOT = Path(__file__).resolve().parents[2]


def test_every_toast_of_ours_is_plain_text() -> None:
    # Textual reads a toast as markup unless told not to, and a bracket someone
    # typed ("[/VIP]") then stops the app; none of floorline's toasts uses markup
    loose = []
    for package in ("tui", "screens"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "notify"
                    and not any(
                        k.arg == "markup"
                        and isinstance(k.value, ast.Constant)
                        and k.value.value is False
                        for k in node.keywords
                    )
                ):
                    loose.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert loose == []


async def test_a_typed_reason_is_shown_as_typed_never_read_as_markup(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    bj07 = find_incident(floor, "VV-2231-4411")
    app = make_app(floor)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        reason = "camera [/VIP] shows [b]no error"
        floor.submit_as("pb2", SetPriority(incident_id=bj07, priority=Priority.P4, reason=reason))
        await until(
            pilot, lambda: any(reason in str(t.render()) for t in app.screen.query("Toast"))
        )
        assert app.is_running
