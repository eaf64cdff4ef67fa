"""The board's metrics on a small made-up night, every figure worked out by hand.

The log is made by running real commands (`decide` + `apply`), so it is what the
server would have stored. The window is [T0, T0 + 3 h); default policy. Times
below are offsets from T0 in seconds.

A  P1 VIP phone, pit 1, opened 0 by a host.
   ack 15 (answer due 20: kept), stabilise 600 (due 900: kept),
   resolved 3600 (due 7200: kept). Update promises (every 15 min):
   open 0 -> due 900, kept by the ack at 15; -> due 915, kept by the
   stabilise at 600; -> due 1500, the resolve at 3600 is late: broken at 1500.
   Never left L1: first-contact resolution. Ack 15 s, resolve 3600 s.
B  P2 VVIP chat, pit 2, opened 300.
   ack 320 (answer due 315: broken at 315), escalated by hand 400,
   stabilise 3300 (due 3900: kept), resolved 7500 (due 14700), reopened 8000,
   still open at the end: its resolve promise (due 14700) is outside the window.
   Updates (every 30 min): due 2100 kept at 320; due 2120 broken (stabilise
   at 3300); due 5100 broken (resolve at 7500); reopen -> due 9800, still
   running at 10800: broken at 9800. Kept 1, broken 3.
   Escalated and reopened. Ack 20 s, resolve 7200 s.
C  P1 standard on site, pit 1, opened 600 by a pit boss at the table: the
   answer promise is kept as it opens (at 600). Auto-escalated to L2 at 1200.
   Never stabilised: resolved 9600, so stabilise (due 1500) and resolve
   (due 7800) are both broken. Update due 1500, broken (next contact 9600).
   Service recovery recorded 9700: owed (a late P1) and given.
   Ack 0 s, resolve 9000 s.
D  P3 VIP email, pit 2, opened -7200 (before the window), ack -7000; a note
   at 1000 keeps the update due at 7400 (ack -7000 + 4 h): one kept update
   inside; the next (due 15400) is beyond the end.
E  P4 standard phone, pit 2, opened 7200, never answered: answer due 7260
   falls inside, broken.

Downtimes: BJ-01 (pit 1) down 1800, player moved 2100 (in time), up 3000:
20 min. SL-9 (pit 2) down 9000, nothing done: its 10 minutes ran out at 9600,
a miss; 30 min to the end. BAC-1 (pit 2) down -1200, up 600: 10 min inside,
not judged (it began before the window).

Totals: answer A, C kept; B, E broken: 2/4. Stabilise A, B kept; C broken:
2/3. Resolve A kept, C broken: 1/2. Update kept 2 + 1 + 0 + 1 = 4, broken
1 + 3 + 1 = 5: 4/9. All: 9 kept of 18. First resolved inside: A, B, C;
first contact: A (1/3); reopened: B (1/3). Ack samples 0, 15, 20: median
(rank 2) 15, p90 (rank 3) 20. Resolve 3600, 7200, 9000: median 7200, p90
9000. Recovery owed: C, given: 1/1. Downtime 60 min; moved in time 1/2.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain import commands as c
from domain.digest import monthly_digest
from domain.events import Event
from domain.metric_windows import (
    MonthError,
    Window,
    WindowKind,
    day_windows,
    month_window,
    previous_month,
    window_for,
)
from domain.metrics import (
    FORMULAS,
    daily_metrics,
    metrics_refusal,
    metrics_report,
    nearest_rank,
)
from domain.models import Asset, AssetKind, Location, Player, Priority, Role, Tier
from domain.policy import Policy, policy_from_toml
from tests.domain.floor import T0, Floor

END = T0 + 3 * 3600
WINDOW = Window(name="test", label="test night", start=T0, end=END)


def _player(tier: Tier) -> Player:
    # a card number whose format names no tier: the tier is the one given
    return Player(reference="LC-1000-2000", tier=tier, host_id="h1")


def night() -> tuple[Floor, dict[str, int]]:
    floor = Floor()
    floor.state = floor.state.model_copy(
        update={
            "assets": {
                "BJ-01": Asset(id="BJ-01", kind=AssetKind.TABLE, pit="1"),
                "BJ-02": Asset(id="BJ-02", kind=AssetKind.TABLE, pit="1"),
                "SL-9": Asset(id="SL-9", kind=AssetKind.MACHINE, pit="2"),
                "BAC-1": Asset(id="BAC-1", kind=AssetKind.TABLE, pit="2"),
            }
        }
    )
    run = floor.run
    ids: dict[str, int] = {}
    # D first: it opened before the window
    ids["D"] = floor.open(
        "h1", at=T0 - 7200, kind="bonus_question", priority=Priority.P3, channel="email",
        player=_player(Tier.VIP), location=Location(pit="2", spot="online"),
    )  # fmt: skip
    run("h1", c.Acknowledge(incident_id=ids["D"]), T0 - 7000)
    run("dm1", c.StartDowntime(asset_id="BAC-1", reason="shoe jammed"), T0 - 1200)

    ids["A"] = floor.open(
        "h1", at=T0, kind="table_dispute", priority=Priority.P1, channel="phone",
        player=_player(Tier.VIP), location=Location(pit="1", spot="BJ-01"),
    )  # fmt: skip
    run("h1", c.Acknowledge(incident_id=ids["A"]), T0 + 15)
    ids["B"] = floor.open(
        "h1", at=T0 + 300, kind="payment_failure", priority=Priority.P2, channel="chat",
        player=_player(Tier.VVIP), location=Location(pit="2", spot="cage"),
    )  # fmt: skip
    run("h1", c.Acknowledge(incident_id=ids["B"]), T0 + 320)
    run("dm1", c.Escalate(incident_id=ids["B"], reason="the cage needs finance"), T0 + 400)
    run("h1", c.Stabilise(incident_id=ids["A"]), T0 + 600)
    run("dm1", c.EndDowntime(asset_id="BAC-1"), T0 + 600)
    ids["C"] = floor.open(
        "pb1", at=T0 + 600, kind="machine_fault", priority=Priority.P1, channel="on_site",
        player=_player(Tier.STANDARD), location=Location(pit="1", spot="SL-1"),
    )  # fmt: skip
    run("dm1", c.AddNote(incident_id=ids["D"], text="bonus terms sent"), T0 + 1000)
    run(None, c.AutoEscalate(incident_id=ids["C"], line=2), T0 + 1200)
    run("pb1", c.StartDowntime(asset_id="BJ-01", reason="felt torn"), T0 + 1800)
    run("pb1", c.MovePlayer(asset_id="BJ-01", to="BJ-02"), T0 + 2100)
    run("pb1", c.EndDowntime(asset_id="BJ-01"), T0 + 3000)
    run("h1", c.Stabilise(incident_id=ids["B"]), T0 + 3300)
    run("h1", c.Resolve(incident_id=ids["A"]), T0 + 3600)
    ids["E"] = floor.open(
        "h1", at=T0 + 7200, kind="tournament", priority=Priority.P4, channel="phone",
        player=_player(Tier.STANDARD), location=Location(pit="2", spot="desk"),
    )  # fmt: skip
    run("h1", c.Resolve(incident_id=ids["B"]), T0 + 7500)
    run("dm1", c.Reopen(incident_id=ids["B"], reason="refund bounced"), T0 + 8000)
    run("dm1", c.StartDowntime(asset_id="SL-9", reason="no power"), T0 + 9000)
    run("pb1", c.Resolve(incident_id=ids["C"]), T0 + 9600)
    run("dm1", c.RecordCompensation(incident_id=ids["C"], text="bonus credit"), T0 + 9700)
    return floor, ids


@pytest.fixture(scope="module")
def log() -> list[Event]:
    floor, _ = night()
    return floor.events


def figures(report) -> dict[str, tuple[float | None, int, int, bool | None]]:
    return {m.key: (m.value, m.part, m.count, m.met) for m in report.metrics}


def test_every_metric_of_the_night(log: list[Event]) -> None:
    got = figures(metrics_report(log, Policy(), WINDOW))
    assert got == {
        "sla.answer": (2 / 4, 2, 4, False),
        "sla.stabilise": (2 / 3, 2, 3, False),
        "sla.resolve": (1 / 2, 1, 2, False),
        "sla.update": (4 / 9, 4, 9, False),
        "sla.all": (9 / 18, 9, 18, False),
        "fcr": (1 / 3, 1, 3, False),
        "reopen": (1 / 3, 1, 3, False),  # at most 5%: missed
        "ack.median": (15, 0, 3, None),  # no target for the median
        "ack.p90": (20, 0, 3, True),  # within the floor's 2 minutes
        "resolve.median": (7200, 0, 3, None),
        "resolve.p90": (9000, 0, 3, None),  # the seeds set no target
        "recovery": (1.0, 1, 1, True),
        "downtime.minutes": (60.0, 0, 0, None),
        "downtime.moved": (1 / 2, 1, 2, False),
    }


def test_one_tier_counts_only_its_players(log: list[Event]) -> None:
    """VIP: A and D. A keeps answer, stabilise, resolve; updates A 2 kept 1 broken, D 1 kept.
    No downtime was raised with a VIP incident."""
    got = figures(metrics_report(log, Policy(), WINDOW, tier=Tier.VIP))
    assert got["sla.answer"][:3] == (1.0, 1, 1)
    assert got["sla.resolve"][:3] == (1.0, 1, 1)
    assert got["sla.update"][:3] == (3 / 4, 3, 4)
    assert got["fcr"][:3] == (1.0, 1, 1)
    assert got["ack.median"][0] == 15
    assert got["downtime.minutes"][0] == 0
    assert got["downtime.moved"][0] is None  # nothing to judge: neither met nor missed
    assert got["downtime.moved"][3] is None


def test_one_pit_counts_its_incidents_and_downtime(log: list[Event]) -> None:
    """Pit 2: B, D, E; SL-9 (30 min, missed) and BAC-1 (10 min)."""
    got = figures(metrics_report(log, Policy(), WINDOW, pit="2"))
    assert got["sla.answer"][:3] == (0.0, 0, 2)  # B and E both broken
    assert got["sla.stabilise"][:3] == (1.0, 1, 1)
    assert got["reopen"][:3] == (1.0, 1, 1)
    assert got["downtime.minutes"][0] == 40.0
    assert got["downtime.moved"][:3] == (0.0, 0, 1)


def test_a_window_knows_only_what_had_happened_by_its_end(log: list[Event]) -> None:
    """Ending at 7800, before B's reopen and C's resolution: B was resolved at first
    try (but escalated), nothing was reopened yet, C's resolve promise broke at 7800
    exactly, which is the end (outside), and C is not resolved: no recovery owed."""
    early = Window(name="early", label="early", start=T0, end=T0 + 7800)
    got = figures(metrics_report(log, Policy(), early))
    assert got["reopen"][:3] == (0.0, 0, 2)  # A and B resolved, none reopened
    assert got["fcr"][:3] == (1 / 2, 1, 2)
    assert got["sla.resolve"][:3] == (2 / 2, 2, 2)  # A, and B (its resolution stood then)
    assert got["recovery"][:3] == (None, 0, 0)


def test_a_quiet_window_has_nothing_to_judge(log: list[Event]) -> None:
    quiet = Window(name="later", label="later", start=T0 + 40 * 86400, end=T0 + 41 * 86400)
    report = metrics_report(log, Policy(), quiet)
    assert report.events == 0
    assert all(m.met is None for m in report.metrics)
    assert report.metric("downtime.minutes").value == 24 * 60  # SL-9 is still down


def test_targets_come_from_the_policy(log: list[Event]) -> None:
    lenient = policy_from_toml(
        "[targets]\nsla_attainment = 0.5\nreopen_rate = 0.4\nacknowledge_p90 = 10\n"
    )
    assert lenient.targets.recovery_rate == 0.9  # the ones left out keep their defaults
    got = figures(metrics_report(log, lenient, WINDOW))
    assert got["sla.answer"][3] is True  # 50% >= 50%
    assert got["sla.update"][3] is False  # 44% < 50%
    assert got["reopen"][3] is True
    assert got["ack.p90"][3] is False  # 20 s > 10 s


def test_daily_values_follow_the_days(log: list[Event]) -> None:
    """Two 90-minute "days": the first holds A's whole story and B's broken answer."""
    halves = (
        Window(name="1", label="1", start=T0, end=T0 + 5400),
        Window(name="2", label="2", start=T0 + 5400, end=END),
    )
    daily = daily_metrics(log, Policy(), halves)
    # answer: first half A, C kept, B broken; second half E broken
    assert daily.values["sla.answer"] == (2 / 3, 0.0)
    # resolved first: A in the first half; B and C in the second
    assert daily.values["resolve.median"] == (3600, 7200)


@pytest.mark.parametrize(
    ("ordered", "q", "expected"),
    [
        ([], 0.5, None),
        ([7.0], 0.9, 7.0),
        ([1.0, 2.0], 0.5, 1.0),  # rank ceil(1) = 1
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.0),
        ([float(n) for n in range(1, 11)], 0.9, 9.0),  # rank 9 of 10
        ([float(n) for n in range(1, 111)], 0.9, 99.0),  # 0.9 * 110 = 99 exactly
    ],
)
def test_nearest_rank(ordered: list[float], q: float, expected: float | None) -> None:
    assert nearest_rank(ordered, q) == expected


# --- windows -----------------------------------------------------------------------

SYDNEY = ZoneInfo("Australia/Sydney")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=SYDNEY).timestamp()


@pytest.mark.parametrize(
    ("kind", "start"),
    [
        (WindowKind.SHIFT, local(2026, 11, 23, 22, 0)),  # the night shift began at 22:00
        (WindowKind.TODAY, local(2026, 11, 24)),
        (WindowKind.LAST_7_DAYS, local(2026, 11, 18)),  # today and the six days before
        (WindowKind.MONTH, local(2026, 11, 1)),
    ],
)
def test_board_windows_end_now(kind: WindowKind, start: float) -> None:
    now = local(2026, 11, 24, 2, 13)
    window = window_for(kind, now, Policy())
    assert (window.start, window.end) == (start, now)


def test_months_are_local_calendar_months() -> None:
    now = local(2026, 11, 24, 2, 13)
    october = month_window("2026-10", now, Policy())
    assert (october.start, october.end) == (local(2026, 10, 1), local(2026, 11, 1))
    assert october.label == "October 2026"
    this = month_window("2026-11", now, Policy())
    assert this.end == now  # this month: up to now
    before = previous_month(this, Policy())
    assert (before.name, before.start, before.end) == ("2026-10", october.start, october.end)
    january = month_window("2026-01", now, Policy())
    assert previous_month(january, Policy()).name == "2025-12"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-13", "expected YYYY-MM"),
        ("Nov 2026", "expected YYYY-MM"),
        ("2026-1", "expected YYYY-MM"),
        ("2026-12", "has not begun"),
        ("2027-01", "has not begun"),
    ],
)
def test_a_bad_or_future_month_is_refused(text: str, words: str) -> None:
    with pytest.raises(MonthError, match=words):
        month_window(text, local(2026, 11, 24, 2, 13), Policy())


def test_chart_days_run_midnight_to_midnight_with_today_up_to_now() -> None:
    now = local(2026, 11, 24, 2, 13)
    days = day_windows(now, 14, Policy())
    assert len(days) == 14
    assert days[0].start == local(2026, 11, 11)
    assert days[-2].end == days[-1].start == local(2026, 11, 24)
    assert days[-1].end == now
    # across the start of daylight saving (Sydney, 4 Oct 2026) a day has 23 hours
    dst = day_windows(local(2026, 10, 4, 12, 0), 2, Policy())
    assert dst[0].end - dst[0].start == 24 * 3600
    assert local(2026, 10, 5) - dst[1].start == 23 * 3600


# --- the digest and who may see it ---------------------------------------------------


def test_digest_lists_recoveries_and_late_reports() -> None:
    """A and C are P1s resolved at 3600 and 9600: reports due 24 h later. A's is filed
    1 h late; C's never. The month is the one holding T0 (UTC)."""
    floor, ids = night()
    text = "root cause: a misread card; measures: a second dealer check"
    floor.run("pb1", c.FileReport(incident_id=ids["A"], root_cause=text), T0 + 3600 + 86400 + 3600)
    policy = Policy(timezone="UTC")
    now = T0 + 30 * 86400
    month = month_window(datetime.fromtimestamp(T0, ZoneInfo("UTC")).strftime("%Y-%m"), now, policy)
    digest = monthly_digest(floor.events, policy, month)
    assert [(g.incident_id, g.text) for g in digest.recoveries] == [(ids["C"], "bonus credit")]
    assert [(r.incident_id, r.due, r.filed_at) for r in digest.late_reports] == [
        (ids["A"], T0 + 3600 + 86400, T0 + 3600 + 86400 + 3600),
        (ids["C"], T0 + 9600 + 86400, None),
    ]
    assert [r.tier for r in digest.by_tier] == [Tier.STANDARD, Tier.VIP, Tier.VVIP]
    assert digest.previous.events == 0


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.HOST, False), (Role.PIT_BOSS, False), (Role.DUTY_MANAGER, True), (Role.ADMIN, True)],
)
def test_only_managers_see_the_metrics(role: Role, allowed: bool) -> None:
    refusal = metrics_refusal(role)
    assert (refusal is None) is allowed
    if refusal:
        assert "duty managers and admins" in refusal


def test_every_metric_has_its_formula_in_words(log: list[Event]) -> None:
    keys = [m.key for m in metrics_report(log, Policy(), WINDOW).metrics]
    assert sorted(keys) == sorted(FORMULAS)


def test_one_fold_for_many_ends_knows_what_a_fold_per_end_knows(log: list[Event]) -> None:
    """The daily chart folds once for all its days: the same histories as a fold per day,
    also for a story whose events arrive out of time order (an action done offline)."""
    from domain.incident_history import fold_histories, fold_history

    # A's stabilise (seq 9), as if done offline at 12 and sent after its acknowledge
    # at 15: A's story is no longer in time order
    late = [e.model_copy(update={"at": T0 + 12}) if e.seq == 9 else e for e in log]
    moved = next(e for e in late if e.seq == 9)
    assert moved.type == "stabilised" and moved.incident_id is not None
    ends = [T0 + offset for offset in (-3600, 10, 13, 450, 3000, 3600, 9650, 10_800, 99_999)]
    for events in (log, late):
        many = fold_histories(events, Policy(), list(reversed(ends)))
        for end, history in zip(reversed(ends), many, strict=True):
            assert history == fold_history(events, Policy(), end), end
