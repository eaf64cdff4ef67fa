"""An action done offline keeps the time it was done, within bounds the server checks."""

import pytest

from domain import commands as c
from domain.acted_time import acted_at
from domain.decide import RejectCode, Rejected
from domain.models import Asset, AssetKind
from tests.domain.floor import T0, Floor


def test_the_time_the_user_acted_is_the_time_of_the_action() -> None:
    floor = Floor()
    number = floor.open(at=T0)
    resolve = c.Resolve(incident_id=number)
    # done at T0 + 45 min offline, reaching the server two minutes later
    assert acted_at(floor.state, resolve, T0 + 2700, T0 + 2820) == T0 + 2700
    # no time sent (the scheduler, an older terminal): when it arrived
    assert acted_at(floor.state, resolve, None, T0 + 2820) == T0 + 2820


def test_a_little_clock_error_is_brought_within_bounds() -> None:
    floor = Floor()
    number = floor.open(at=T0)
    note = c.AddNote(incident_id=number, text="x")
    assert acted_at(floor.state, note, T0 + 110, T0 + 100) == T0 + 100  # 10 s ahead
    assert acted_at(floor.state, note, T0 - 10, T0 + 100) == T0  # 10 s before it opened


def test_a_time_ahead_of_the_server_is_refused_with_the_reason() -> None:
    floor = Floor()
    number = floor.open(at=T0)
    with pytest.raises(Rejected) as refused:
        acted_at(floor.state, c.AddNote(incident_id=number, text="x"), T0 + 720, T0 + 600)
    assert refused.value.code is RejectCode.INVALID
    assert "120 s ahead of the server's: check the terminal's clock" in refused.value.message


def test_an_action_older_than_the_outbox_limit_is_refused() -> None:
    floor = Floor()
    number = floor.open(at=T0)
    a_day_later = T0 + 25 * 3600
    with pytest.raises(Rejected) as refused:
        acted_at(floor.state, c.Resolve(incident_id=number), T0 + 60, a_day_later)
    assert "more than 24 h before it reached the server: too old to apply" in (
        refused.value.message
    )


def test_an_action_before_its_incident_or_downtime_began_is_refused() -> None:
    floor = Floor()
    number = floor.open(at=T0 + 3600)
    with pytest.raises(Rejected) as refused:
        acted_at(floor.state, c.Acknowledge(incident_id=number), T0, T0 + 3700)
    assert f"before #{number} began" in refused.value.message
    floor.state = floor.state.model_copy(
        update={"assets": {"BJ-01": Asset(id="BJ-01", kind=AssetKind.TABLE, pit="1")}}
    )
    floor.run("pb1", c.StartDowntime(asset_id="BJ-01", reason="shuffler"), T0 + 3600)
    with pytest.raises(Rejected, match="before BJ-01's downtime began"):
        acted_at(floor.state, c.EndDowntime(asset_id="BJ-01"), T0, T0 + 3700)
    # opening something new has nothing before it
    opened = c.StartDowntime(asset_id="BJ-01", reason="again")
    assert acted_at(floor.state, opened, T0, T0 + 3700) == T0
