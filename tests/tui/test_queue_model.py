"""Typing in the filter re-filters the rows shown; it must always match a full rebuild."""

from __future__ import annotations

from domain.commands import Acknowledge, FileReport, OpenIncident, RecordCompensation
from domain.models import Channel, IncidentKind, Location, Player, Priority
from domain.sla import owes_follow_up
from tui.queue_model import Filters, QueueModel, View


def _fresh(state, me, filters: Filters) -> list[int]:
    model = QueueModel()
    model.rebuild(state, me, filters)
    return model.ids


def test_typing_on_and_deleting_back_match_a_full_rebuild(static_floor) -> None:
    floor = static_floor("dm1")
    me, state = floor.me, floor.state
    model = QueueModel()
    model.rebuild(state, me, Filters(view=View.FLOOR))
    everything = model.ids
    typed = ("b", "bj", "bj-0", "bj-07", "bj-0", "bj", "", "p1", "p", "")
    for text in typed:
        model.set_text(state, text)
        assert model.ids == _fresh(state, me, Filters(view=View.FLOOR, text=text)), text
    assert model.ids == everything
    model.set_text(state, "BJ-07")
    assert 0 < len(model.ids) < len(everything)


def test_a_change_while_filtering_keeps_the_rows_a_rebuild_would_show(static_floor) -> None:
    # acknowledging an unacknowledged P1 unpins it ("p1") and takes it out of "new"
    for text in ("p1", "new", "online"):
        floor = static_floor("dm1")
        me = floor.me
        filters = Filters(view=View.FLOOR, text=text)
        model = QueueModel()
        model.rebuild(floor.state, me, filters)
        before, ids_before = model.rows(floor.state), model.ids
        target = next(i for i in before if i.priority == "P1" and i.state == "new")
        floor.submit_as("dm1", Acknowledge(incident_id=target.id))
        model.update(floor.state, me, filters, [target.id])
        assert model.ids == _fresh(floor.state, me, filters) != ids_before, text
        # rows handed out earlier are a snapshot: the table may still be painting them
        assert [i.id for i in before] == ids_before
        rows = model.rows(floor.state)
        for at, incident in enumerate(rows):
            assert rows.index_of(incident.id) == at


def test_a_resolved_incident_stays_in_the_default_view_until_nothing_is_owed(
    static_floor,
) -> None:
    floor = static_floor("dm1")
    me = floor.me
    policy = floor.state.policy
    owing = [i for i in floor.state.incidents.values() if owes_follow_up(i, policy)]
    assert owing, "the demo floor has resolved P1/P2s with a report or recovery owed"
    shown = _fresh(floor.state, me, Filters(view=View.FLOOR))
    assert all(i.id in shown for i in owing)
    settled = [
        i
        for i in floor.state.incidents.values()
        if not i.state.is_open and not owes_follow_up(i, policy)
    ]
    assert settled and not any(i.id in shown for i in settled)

    target = next(i for i in owing if i.report_due is not None)
    floor.submit_as(
        "dm1", FileReport(incident_id=target.id, root_cause="root cause: shoe; measures")
    )
    filed = floor.state.incidents[target.id]
    if owes_follow_up(filed, policy):  # a late P1 may still owe its recovery
        floor.submit_as("dm1", RecordCompensation(incident_id=target.id, text="500 free play"))
    assert target.id not in _fresh(floor.state, me, Filters(view=View.FLOOR))


def test_the_queue_and_the_incident_screen_agree_on_the_recovery_the_policy_owes() -> None:
    """An operator whose recovery table names VVIPs only: a late VIP P1 owes none."""
    from domain.commands import Resolve
    from domain.models import Tier
    from domain.policy import Policy
    from domain.sla import compensation_due
    from tests.domain.floor import STAFF, T0, Floor

    own = Policy(p1_late_compensation={Tier.VVIP: "free play (VVIP scale)"})
    for policy, owed in ((own, False), (Policy(), True)):
        floor = Floor(policy)
        number = floor.open(actor_id="dm1", player=Player(reference="VP-5120-3388", tier=Tier.VIP))
        floor.run("dm1", Resolve(incident_id=number), T0 + 3 * 3600)  # an hour late
        floor.run("dm1", FileReport(incident_id=number, root_cause="shoe misread"), T0 + 3 * 3600)
        late = floor.state.incidents[number]
        # what the incident screen and a close go by
        assert (compensation_due(late, policy) is not None) is owed
        shown = _fresh(floor.state, STAFF["dm1"], Filters(view=View.FLOOR))
        assert (number in shown) is owed, policy.p1_late_compensation


def _catch_up(floor) -> set[int]:
    """Another terminal's many changes arriving as one notice (a catch-up): the ids."""
    touched: set[int] = set()
    known = set(floor.state.incidents)
    for n in range(60):
        opened = OpenIncident(
            kind=IncidentKind.MACHINE_FAULT,
            priority=(Priority.P1, Priority.P3)[n % 2],
            channel=Channel.ON_SITE,
            player=Player(reference=f"LY-{n:05d}"),
            location=Location(pit="1", spot=f"SL-{n}"),
        )
        floor.submit_as("dm1", opened)
    touched |= set(floor.state.incidents) - known  # an opening names its incident in its data
    for incident in list(floor.state.incidents.values())[:20]:
        if incident.state == "new":
            ack = Acknowledge(incident_id=incident.id)
            touched |= {e.incident_id for e in floor.submit_as("dm1", ack)}
    return {number for number in touched if number is not None}


def test_a_catch_up_of_many_changes_at_once_shows_what_a_rebuild_would(static_floor) -> None:
    for text in ("", "sl-1", "p1"):
        floor = static_floor("dm1")
        me = floor.me
        filters = Filters(view=View.FLOOR, text=text)
        model = QueueModel()
        model.rebuild(floor.state, me, filters)
        before, ids_before = model.rows(floor.state), model.ids
        touched = _catch_up(floor)
        model.update(floor.state, me, filters, touched)
        assert model.ids == _fresh(floor.state, me, filters) != ids_before, text
        assert [i.id for i in before] == ids_before  # the rows handed out stay as they were
