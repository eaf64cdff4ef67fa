"""Toasts: shown as written, and a storm of alerts never buries the queue."""

from __future__ import annotations

import ast
from pathlib import Path

from domain.commands import SetPriority
from domain.models import Priority
from tests.tui.e2e import until
from tests.tui.test_incident_helpers import find_incident
from tests.tui.test_shell import _toasts, _vvip_dispute_p1
from tui.toasts import ALERT_LIMIT, AlertToasts, Shown

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


SECONDS = 15.0


def test_past_three_alert_toasts_one_says_more_are_ringing_and_the_rest_ring() -> None:
    toasts = AlertToasts()
    shown = [toasts.admit(n / 2, n / 2 + SECONDS) for n in range(20)]  # two a second
    assert shown[:4] == [Shown.TOAST, Shown.TOAST, Shown.TOAST, Shown.MORE]
    assert set(shown[4:]) == {Shown.RUNG}  # all within the first toasts' 15 s


def test_toasts_come_back_once_the_storm_has_gone() -> None:
    toasts = AlertToasts()
    for _ in range(6):
        toasts.admit(0.0, SECONDS)
    assert toasts.admit(SECONDS + 1, 2 * SECONDS + 1) is Shown.TOAST
    toasts.cleared()  # a lock takes every toast down
    assert [toasts.admit(1.0, SECONDS) for _ in range(3)] == [Shown.TOAST] * 3


async def test_p1s_one_after_another_never_bury_the_queue(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    rings = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        app.notify("acknowledged #4", timeout=600, markup=False)
        spots = [f"BJ-0{n}" for n in range(1, 9)] + ["BAC-01", "BAC-02", "BAC-03", "BAC-04"]
        for number, spot in enumerate(spots, 1):  # one notice each, as a floor sends them
            floor.submit_as("pb2", _vvip_dispute_p1(spot))
            await until(pilot, lambda n=number: len(rings) >= n)  # type: ignore[misc]

        def settled() -> bool:
            shown = _toasts(app)
            return (
                len(shown) == ALERT_LIMIT + 2  # three P1s, the "more" toast, and the other
                and sum("New P1" in t for t in shown) == ALERT_LIMIT
                and any("more are ringing" in t for t in shown)
                and any("acknowledged #4" in t for t in shown)
            )

        await until(pilot, settled)
        assert len(rings) == len(spots)  # every one rang
