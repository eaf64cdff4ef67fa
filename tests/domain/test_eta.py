"""The ETA's range and words, whose ETA counts, and what keeps or lapses it."""

from __future__ import annotations

import pytest

from domain import commands as c
from domain.decide import Rejected
from domain.escalation import next_escalation
from domain.eta import eta_problem, lapse_due, page_due, parse_eta
from domain.policy import Policy, policy_from_toml
from tests.domain.floor import T0, Floor


@pytest.mark.parametrize(
    ("typed", "minutes"), [("12", 12), ("12m", 12), ("2h", 120), ("1440", 1440), (" 5 min", 5)]
)
def test_typed_etas_read_as_minutes(typed: str, minutes: int) -> None:
    assert parse_eta(typed) == minutes


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("0", "an ETA of 0 min is out of range: from 1 min to 24 h (1440 min)"),
        ("25h", "an ETA of 1500 min is out of range: from 1 min to 24 h (1440 min)"),
        ("soon", "soon is not a number of minutes (1 to 1440)"),
        ("", "nothing is not a number of minutes (1 to 1440)"),
        ("²", "² is not a number of minutes (1 to 1440)"),  # a digit int() refuses
        ("١٢", "١٢ is not a number of minutes (1 to 1440)"),
    ],
)
def test_what_is_no_eta_is_said_with_the_range(typed: str, words: str) -> None:
    assert parse_eta(typed) == words


def test_the_range_is_one_minute_to_a_day() -> None:
    assert eta_problem(1) is None and eta_problem(1440) is None
    assert eta_problem(0) is not None and eta_problem(1441) is not None


def test_the_grace_comes_from_the_policy_file() -> None:
    assert Policy().eta_grace == 300
    assert policy_from_toml("eta_grace = 45").eta_grace == 45
    with pytest.raises(ValueError, match="eta_grace"):
        policy_from_toml("eta_grace = -1")


def test_only_the_owners_eta_runs_and_a_note_keeps_it() -> None:
    floor = Floor()
    number = floor.open()
    floor.run("pb2", c.Acknowledge(incident_id=number, eta_minutes=5), T0 + 10)
    incident = floor.state.incidents[number]
    assert incident.owner == "pb2" and lapse_due(incident) == T0 + 10 + 300
    with pytest.raises(Rejected, match="already answered"):  # a P1 not paged to them
        floor.run("dm1", c.Acknowledge(incident_id=number, eta_minutes=2), T0 + 20)
    floor.run("pb2", c.AddNote(incident_id=number, text="with the player now"), T0 + 100)
    assert lapse_due(floor.state.incidents[number]) is None


def test_a_lapse_waits_the_grace_then_a_line_up_answers_it() -> None:
    floor = Floor(Policy(eta_grace=60))
    number = floor.open()
    floor.run("pb2", c.Acknowledge(incident_id=number, eta_minutes=2), T0)
    assert floor.run(None, c.LapseEta(incident_id=number, due=T0 + 100), T0 + 130) == []
    floor.run(None, c.LapseEta(incident_id=number, due=T0 + 120), T0 + 120)
    incident = floor.state.incidents[number]
    assert incident.eta_due is None and page_due(incident, floor.state.policy) == T0 + 180
    # a hand escalation pages the next line: the lapse has its answer
    floor.run("pb2", c.Escalate(incident_id=number, line=3, reason="no one came"), T0 + 150)
    incident = floor.state.incidents[number]
    assert page_due(incident, floor.state.policy) is None
    assert floor.run(None, c.PageAfterLapse(incident_id=number, due=T0 + 120), T0 + 180) == []
    assert floor.state.incidents[number].line == 3


def test_a_new_owner_has_promised_nothing_and_a_double_ack_counts_once() -> None:
    floor = Floor()
    number = floor.open()
    floor.run("pb2", c.Acknowledge(incident_id=number, eta_minutes=5), T0 + 10)
    assert floor.run("pb2", c.Acknowledge(incident_id=number), T0 + 12) == []
    assert len(floor.state.incidents[number].acks) == 1
    floor.run("dm1", c.Assign(incident_id=number, owner="h1"), T0 + 60)
    incident = floor.state.incidents[number]
    assert incident.owner == "h1" and incident.eta_due is None
    assert lapse_due(incident) is None


def test_the_next_step_is_the_lapse_page_when_it_comes_before_the_ladders() -> None:
    floor = Floor(Policy(eta_grace=60))
    number = floor.open()
    floor.run("pb2", c.Acknowledge(incident_id=number, eta_minutes=2), T0)
    step = next_escalation(floor.state.incidents[number], floor.state.policy)
    assert step is not None and (step.line, step.at) == (2, T0 + 600)  # the ladder's L2
    floor.run(None, c.LapseEta(incident_id=number, due=T0 + 120), T0 + 120)
    step = next_escalation(floor.state.incidents[number], floor.state.policy)
    assert step is not None and (step.line, step.at) == (2, T0 + 180)  # the grace's end
    floor.run("pb2", c.AddNote(incident_id=number, text="with the player"), T0 + 150)
    step = next_escalation(floor.state.incidents[number], floor.state.policy)
    assert step is not None and step.at == T0 + 600  # updated: back to the ladder
