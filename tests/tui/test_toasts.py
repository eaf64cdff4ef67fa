"""A storm of alerts: the newest three, a count of the rest, and nothing else lost."""

from __future__ import annotations

from domain.commands import SetPriority
from domain.models import Priority
from tests.tui.e2e import until
from tests.tui.test_incident_helpers import find_incident
from tests.tui.test_shell import _vvip_dispute_p1
from tui.toasts import ALERT_LIMIT, Toast, ToastLedger, ToastPlan

SECONDS = 15.0


def _up_after(plans: list[ToastPlan], now: float) -> list[str]:
    """What a screen would show after the plans, as Textual applies them."""
    up: list[Toast] = []
    for plan in plans:
        if plan.clear:
            up = list(plan.reshow)
        up += plan.new
    return [t.message for t in up if t.until > now]


def test_sixty_alerts_leave_the_newest_three_and_a_count() -> None:
    ledger = ToastLedger()
    ledger.shown(Toast("acknowledged #4", "", "information", until=100.0))
    plans = [
        ledger.alerts([("New P1", f"#{n}")], now=float(n) / 2, seconds=SECONDS) for n in range(60)
    ]
    up = _up_after(plans, now=30.0)
    assert up == ["acknowledged #4", "#57", "#58", "#59", "and 57 more"]
    # the first three fitted; from the fourth on, each took the oldest down
    assert [p.clear for p in plans[:4]] == [False, False, False, True]


def test_a_new_storm_counts_afresh_once_the_last_is_gone() -> None:
    ledger = ToastLedger()
    ledger.alerts([("New P1", f"#{n}") for n in range(5)], now=0.0, seconds=SECONDS)
    later = ledger.alerts([("SLA breached", "#9 answer overdue")], now=SECONDS + 1, seconds=SECONDS)
    assert not later.clear
    assert [t.message for t in later.new] == ["#9 answer overdue"]


def test_the_count_names_what_it_counts() -> None:
    ledger = ToastLedger()
    plan = ledger.alerts(
        [("New P1", "#1"), ("SLA breached", "#2"), ("New P1", "#3"), ("New P1", "#4")],
        now=0.0,
        seconds=SECONDS,
    )
    assert [(t.title, t.message) for t in plan.new][-1] == ("New P1", "and 1 more")
    plan = ledger.alerts([("ETA lapsed", "#5")], now=1.0, seconds=SECONDS)
    assert (plan.new[-1].title, plan.new[-1].message) == ("More alerts", "and 2 more")


def test_a_clearing_makes_a_waiting_replacement_stale() -> None:
    ledger = ToastLedger()
    for n in range(ALERT_LIMIT):
        ledger.alerts([("New P1", f"#{n}")], now=0.0, seconds=SECONDS)
    plan = ledger.alerts([("New P1", "#9: player named in the reason")], now=1.0, seconds=SECONDS)
    assert plan.clear
    ledger.cleared()  # the terminal locked before the replacement went up
    assert plan.stale(ledger)


async def _until_rung(pilot, app, count: int) -> None:
    await until(pilot, lambda: len([m for m in app.notified if m.title == "New P1"]) >= count)


async def test_p1s_one_after_another_never_bury_the_queue(static_floor, make_app) -> None:
    floor = static_floor("dm1")
    app = make_app(floor)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        app.notify("acknowledged #4")
        spots = [f"BJ-0{n}" for n in range(1, 9)] + ["BAC-01", "BAC-02", "BAC-03", "BAC-04"]
        for number, spot in enumerate(spots, 1):  # one notice each, as a floor sends them
            floor.submit_as("pb2", _vvip_dispute_p1(spot))
            await _until_rung(pilot, app, number)
        more = f"and {len(spots) - ALERT_LIMIT} more"

        def toasts() -> list[str]:
            return [str(t.render()) for t in app.screen.query("Toast")]

        await until(pilot, lambda: any(more in t for t in toasts()))
        shown = toasts()
        assert len(shown) == ALERT_LIMIT + 2  # three P1s, the count, and the other toast
        assert any("acknowledged #4" in t for t in shown)
        assert sum("BAC-0" in t for t in shown) == ALERT_LIMIT  # the newest


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
        app.notify("Signed in as Ann [/night]")  # a name from the floor file, say
        await until(
            pilot, lambda: any("Ann [/night]" in str(t.render()) for t in app.screen.query("Toast"))
        )
        assert app.is_running
