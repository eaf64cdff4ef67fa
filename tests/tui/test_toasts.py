"""Toasts: shown as written, and a storm of alerts never buries the queue."""

from __future__ import annotations

import ast
from pathlib import Path

from domain.commands import SetPriority
from domain.models import Priority
from screens.lock import LockScreen
from tests.tui.e2e import until
from tests.tui.test_incident_helpers import find_incident
from tests.tui.test_shell import _toasts, _vvip_dispute_p1
from tui.alerts import Alert
from tui.toasts import ALERT_LIMIT, Toast, ToastLedger

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
                        # False, or passed on from the caller (the toasts' ledger)
                        and not (isinstance(k.value, ast.Constant) and k.value.value is not False)
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


def _alert(message: str, now: float, title: str = "New P1") -> Toast:
    return Toast(message, title, "error", now + SECONDS, alert=True)


class Textual:
    """What Textual shows, given what the ledger's syncs say."""

    def __init__(self) -> None:
        self.up: list[Toast] = []
        self.clears: list[bool] = []

    def apply(self, ledger: ToastLedger, now: float) -> list[str]:
        clear, toasts = ledger.sync(now)
        self.clears.append(clear)
        if clear:
            self.up = []
        self.up = [t for t in self.up if t.until > now] + toasts
        return [t.message for t in self.up]


def test_sixty_alerts_leave_the_newest_three_a_count_and_the_rest() -> None:
    ledger, screen = ToastLedger(), Textual()
    ledger.add(Toast("acknowledged #4", "", "information", until=100.0), now=0.0)
    for n in range(60):
        now = n / 2
        ledger.add(_alert(f"#{n}", now), now)
        screen.apply(ledger, now)
    assert screen.apply(ledger, 30.0) == ["acknowledged #4", "#57", "#58", "#59", "and 57 more"]
    # the first three only went up; from the fourth on, the oldest came down
    assert screen.clears[:4] == [False, False, False, True]


def test_a_new_storm_counts_afresh_once_the_last_is_gone() -> None:
    ledger, screen = ToastLedger(), Textual()
    for n in range(5):
        ledger.add(_alert(f"#{n}", 0.0), 0.0)
    assert screen.apply(ledger, 0.0)[-1] == "and 2 more"
    ledger.add(_alert("#9", SECONDS + 1, "SLA breached"), SECONDS + 1)
    assert screen.apply(ledger, SECONDS + 1) == ["#9"]


def test_the_count_names_what_it_counts() -> None:
    ledger = ToastLedger()
    for title, message in [("New P1", "#1"), ("SLA breached", "#2"), ("New P1", "#3")]:
        ledger.add(_alert(message, 0.0, title), 0.0)
    ledger.add(_alert("#4", 0.0), 0.0)
    assert [(t.title, t.message) for t in ledger.sync(0.0)[1]][-1] == ("New P1", "and 1 more")
    ledger.add(_alert("#5", 1.0, "ETA lapsed"), 1.0)
    assert [(t.title, t.message) for t in ledger.sync(1.0)[1]][-1] == ("More alerts", "and 2 more")


def test_a_clearing_takes_down_what_was_already_given() -> None:
    ledger = ToastLedger()
    ledger.add(_alert("#1: the player named in the reason", 0.0), 0.0)
    clear, given = ledger.sync(0.0)  # given to Textual, maybe not up yet
    assert not clear and [t.message for t in given] == ["#1: the player named in the reason"]
    ledger.cleared()  # the terminal locks
    assert ledger.sync(0.1) == (True, [])  # so it is cleared again once it has landed


async def _until_rung(pilot, app, count: int) -> None:
    def rung() -> int:
        return len([n for n in app.notified if n.title == "New P1"])

    await until(pilot, lambda: rung() >= count)


async def test_p1s_one_after_another_never_bury_the_queue(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        app.notify("acknowledged #4", timeout=600, markup=False)
        spots = [f"BJ-0{n}" for n in range(1, 9)] + ["BAC-01", "BAC-02", "BAC-03", "BAC-04"]
        for number, spot in enumerate(spots, 1):  # one notice each, as a floor sends them
            floor.submit_as("pb2", _vvip_dispute_p1(spot))
            await _until_rung(pilot, app, number)
        more = f"and {len(spots) - ALERT_LIMIT} more"

        def settled() -> bool:
            shown = _toasts(app)
            return (
                len(shown) == ALERT_LIMIT + 2  # three P1s, the count, and the other toast
                and any(more in t for t in shown)
                and any("acknowledged #4" in t for t in shown)
                and sum("BAC-0" in t for t in shown) == ALERT_LIMIT  # the newest
            )

        await until(pilot, settled)


async def test_an_alert_just_before_a_lock_never_reaches_the_lock_screen(
    static_floor, make_app
) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        app._alert([Alert(7, "Priority lowered", "#7 lowered to P4", detail="Bob Smith left")])
        app.action_lock()
        await until(pilot, lambda: isinstance(app.screen, LockScreen))
        app.notify("locked", timeout=600, markup=False)  # a toast after the lock goes up
        await until(pilot, lambda: any("locked" in t for t in _toasts(app)))
        assert not any("Bob Smith" in t or "lowered" in t for t in _toasts(app))
