"""The board's kept fold answers what a fresh fold of the log answers, at every step.

A random floor (real commands: reopens, priority changes, escalations, actions
done offline arriving after later ones) is fed to `LiveHistory` a few events
at a time, as new events reach a server. After each batch, every window ending
after the latest event is judged from the kept fold and from the log the way
the server reads it afresh (`backend.metrics_log.read_span`: each incident
active in the window's reach, whole, plus every downtime event), and the two
reports must be equal, field by field, for the whole floor and each tier.
"""

from __future__ import annotations

import random

import pytest

from domain import commands as c
from domain.events import Event
from domain.incident_history import DOWNTIME_EVENTS, lookback
from domain.live_history import LiveHistory
from domain.metric_windows import Window
from domain.metrics import MetricsReport, metrics_report, report_from
from domain.models import Asset, AssetKind, Player, Tier
from domain.policy import Policy
from tests.domain.floor import T0, Floor
from tests.domain.test_metrics_random_history import random_log

HOUR = 3600.0
DAY = 24 * HOUR


def span(log: list[Event], policy: Policy, window: Window) -> list[Event]:
    """What the server reads for a fresh fold of `window` (as `read_span` selects it)."""
    since = window.start - lookback(policy)
    active = {
        e.incident_id for e in log if e.incident_id is not None and since <= e.at < window.end
    }
    return [
        e
        for e in log
        if e.at < window.end and (e.type in DOWNTIME_EVENTS or e.incident_id in active)
    ]


def fresh(log: list[Event], policy: Policy, window: Window, tier: Tier | None) -> MetricsReport:
    return metrics_report(span(log, policy, window), policy, window, tier=tier)


def kept(live: LiveHistory, window: Window, tier: Tier | None) -> MetricsReport | None:
    history = live.history(window.start - lookback(live.policy), window.end)
    if history is None:
        return None
    return report_from(history, live.policy, window, tier=tier, events=live.count_inside(window))


def stories_from(log: list[Event], base: float) -> list[Event]:
    """What the server reads to start a kept fold at `base` (as `read_stories` selects it)."""
    active = {e.incident_id for e in log if e.incident_id is not None and e.at >= base}
    return [e for e in log if e.type in DOWNTIME_EVENTS or e.incident_id in active]


def adopt_missing(live: LiveHistory, log: list[Event]) -> None:
    """Hand over the whole stories of the incidents the fold says it lacks."""
    stories: dict[int, list[Event]] = {}
    for e in log:
        if e.incident_id in live.missing and e.type not in DOWNTIME_EVENTS:
            stories.setdefault(e.incident_id, []).append(e)
    live.adopt(stories)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_fold_answers_as_a_fresh_fold(seed: int) -> None:
    rng = random.Random(seed)
    policy = Policy()
    log = random_log(seed, steps=1000, longest_gap=1700)  # about ten days of a floor
    # the kept fold starts a day in, from the stories active since its base, as a
    # server that starts then; it is judged once its windows reach no further back
    base = T0 + DAY
    started = next(n for n, e in enumerate(log) if e.at >= base + lookback(policy))
    live = LiveHistory(policy, base)
    live.feed(stories_from(log[:started], base))
    fed = started
    judged = 0
    while fed < len(log):
        batch = rng.randint(1, 30)
        live.feed(log[fed : fed + batch])
        fed += batch
        adopt_missing(live, log[:fed])
        so_far = log[:fed]
        end = live.latest_at + rng.uniform(1, 900)
        windows = [
            Window(name="last hours", label="", start=end - 4 * HOUR, end=end),
            Window(name="since the base", label="", start=base + lookback(policy), end=end),
            Window(name="a minute", label="", start=end - 60, end=end),
        ]
        for window in windows:
            if window.start - lookback(policy) < base:
                assert kept(live, window, None) is None  # reaches before the kept stories
                continue
            for tier in (None, Tier.VIP):
                answer = kept(live, window, tier)
                assert answer == fresh(so_far, policy, window, tier), (window.name, fed)
                judged += 1
    assert judged > 50


def test_a_window_ending_at_the_latest_event_is_left_to_the_log() -> None:
    policy = Policy()
    log = random_log(5)
    live = LiveHistory(policy, T0 - lookback(policy))
    live.feed(log)
    at_latest = Window(name="now", label="", start=live.latest_at - HOUR, end=live.latest_at)
    assert kept(live, at_latest, None) is None
    after = at_latest.model_copy(update={"end": live.latest_at + 1})
    assert kept(live, after, None) == fresh(log, policy, after, None)


def test_an_incident_quiet_since_before_the_base_is_read_whole_when_it_comes_back() -> None:
    policy = Policy()
    floor = Floor()
    old = floor.open("pb2", at=T0)
    floor.run("dm1", c.Acknowledge(incident_id=old), T0 + 60)
    floor.run("dm1", c.Resolve(incident_id=old), T0 + 600)
    later = T0 + 8 * DAY
    floor.open("pb2", at=later)
    base = T0 + DAY  # the old incident's whole story is before it
    live = LiveHistory(policy, base)
    live.feed(stories_from(floor.events, base))
    seen = len(floor.events)
    floor.run("dm1", c.Reopen(incident_id=old, reason="the player called back"), later + 60)
    live.feed(floor.events[seen:])
    window = Window(name="today", label="", start=later - HOUR, end=later + HOUR)
    assert live.missing == {old}
    assert kept(live, window, None) is None  # never an answer short of a story
    adopt_missing(live, floor.events)
    answer = kept(live, window, None)
    assert answer == fresh(floor.events, policy, window, None)
    history = live.history(window.start - lookback(policy), window.end)
    assert history is not None and history.incidents[old].reopened


def test_a_downtime_counts_for_a_tier_only_through_an_incident_in_reach() -> None:
    """A machine down for days, raised with a VVIP's incident quiet since: a fresh fold
    of today does not read that incident, so the downtime has no tier there; nor here."""
    policy = Policy()
    floor = Floor()
    floor.state = floor.state.model_copy(
        update={"assets": {"SL-1": Asset(id="SL-1", kind=AssetKind.MACHINE, pit="2")}}
    )
    raised = floor.open("pb2", at=T0)  # a VVIP's, by the floor's default player
    floor.run("pb2", c.StartDowntime(asset_id="SL-1", reason="dead", incident_id=raised), T0 + 5)
    floor.run("dm1", c.Resolve(incident_id=raised), T0 + 600)
    today = T0 + 8 * DAY
    floor.open("pb2", at=today, player=Player(reference="ANON", tier=Tier.STANDARD))
    live = LiveHistory(policy, T0 - lookback(policy))
    live.feed(floor.events)
    window = Window(name="today", label="", start=today - HOUR, end=today + HOUR)
    answer = kept(live, window, Tier.VVIP)
    assert answer == fresh(floor.events, policy, window, Tier.VVIP)
    assert answer is not None and answer.metric("downtime.minutes").value == 0
    whole = kept(live, window, None)
    assert whole is not None and whole.metric("downtime.minutes").value == 120


def test_a_pruned_log_is_forgotten_as_a_fresh_fold_of_what_is_left_forgets_it() -> None:
    policy = Policy()
    log = random_log(8, steps=1000, longest_gap=1700)
    live = LiveHistory(policy, T0 - lookback(policy))
    judged, fed = 0, 0
    for through, upto in ((150, 700), (400, 700), (400, len(log)), (650, len(log))):
        live.feed(log[fed:upto])
        fed = upto
        live.prune(through)
        retained = [e for e in log[:fed] if e.seq > through]
        end = live.latest_at + 60
        for window in (
            Window(name="whole", label="", start=T0, end=end),
            Window(name="last day", label="", start=end - DAY, end=end),
        ):
            answer = kept(live, window, None)
            assert answer == fresh(retained, policy, window, None), (through, window.name)
            judged += 1
    assert judged == 8


def test_a_downtime_whose_start_is_pruned_is_forgotten() -> None:
    policy = Policy()
    floor = Floor()
    floor.state = floor.state.model_copy(
        update={"assets": {"SL-1": Asset(id="SL-1", kind=AssetKind.MACHINE, pit="2")}}
    )
    floor.run("pb2", c.StartDowntime(asset_id="SL-1", reason="dead"), T0)
    started = len(floor.events)
    floor.open("pb2", at=T0 + HOUR)
    live = LiveHistory(policy, T0 - lookback(policy))
    live.feed(floor.events)
    window = Window(name="w", label="", start=T0, end=T0 + 2 * HOUR)
    before = kept(live, window, None)
    assert before is not None and before.metric("downtime.minutes").value == 120
    live.prune(started)
    after = kept(live, window, None)
    retained = floor.events[started:]
    assert after == fresh(retained, policy, window, None)
    assert after is not None and after.metric("downtime.minutes").value == 0
