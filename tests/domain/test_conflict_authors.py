"""A refusal names who made the change it conflicts with, whatever else happened since.

The race: a duty manager resolves from a version they saw; meanwhile the host
resolved it, and others touched the incident without changing its owner or
state (a note, an escalation). In every order of those, the refusal names
the host and the time of their resolve, never whoever touched it last.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import permutations

import pytest

from domain import commands as c
from domain.decide import RejectCode, Rejected
from tests.domain.floor import T0, Floor

Step = Callable[[Floor, int, float], object]


def host_resolves(floor: Floor, number: int, at: float) -> object:
    return floor.run("h1", c.Resolve(incident_id=number, note="refund issued"), at)


def admin_notes(floor: Floor, number: int, at: float) -> object:
    return floor.run("admin", c.AddNote(incident_id=number, text="player called back"), at)


def admin_escalates(floor: Floor, number: int, at: float) -> object:
    return floor.run("admin", c.Escalate(incident_id=number, reason="VVIP"), at)


def system_escalates(floor: Floor, number: int, at: float) -> object:
    line = floor.state.incidents[number].line + 1
    return floor.run(None, c.AutoEscalate(incident_id=number, line=line), at)


OTHERS: dict[str, Step] = {
    "admin notes": admin_notes,
    "admin escalates": admin_escalates,
    "the scheduler escalates": system_escalates,
}


def orders() -> list[tuple[str, ...]]:
    """Every order of the host's resolve among the others' touches, and subsets of them."""
    found: list[tuple[str, ...]] = []
    for others in ([], ["admin notes"], ["admin notes", "admin escalates"], list(OTHERS)):
        for order in permutations(["host resolves", *others]):
            found.append(order)
    return found


def play(order: tuple[str, ...]) -> tuple[Floor, int, int, float]:
    """The floor after `order`; the incident, the version dm1 saw, and when h1 resolved."""
    floor = Floor()
    number = floor.open(actor_id="h1")
    seen = floor.state.incidents[number].version
    resolved_at = 0.0
    for n, name in enumerate(order, start=1):
        at = T0 + 60 * n
        if name == "host resolves":
            host_resolves(floor, number, at)
            resolved_at = at
        elif floor.state.incidents[number].state.is_open or name == "admin notes":
            OTHERS[name](floor, number, at)
    return floor, number, seen, resolved_at


@pytest.mark.parametrize("order", orders(), ids=" then ".join)
@pytest.mark.parametrize("command", ["resolve", "close", "take", "assign"])
def test_a_stale_exclusive_command_names_who_changed_it(
    order: tuple[str, ...], command: str
) -> None:
    floor, number, seen, resolved_at = play(order)
    stale_commands: dict[str, c.Command] = {
        "resolve": c.Resolve(incident_id=number, expected_version=seen),
        "close": c.Close(incident_id=number, expected_version=seen),
        "take": c.Take(incident_id=number, expected_version=seen),
        "assign": c.Assign(incident_id=number, owner="h2", expected_version=seen),
    }
    stale = stale_commands[command]
    with pytest.raises(Rejected) as refused:
        floor.run("dm1", stale, T0 + 3600)
    assert refused.value.code is RejectCode.CONFLICT
    assert refused.value.message == f"#{number} resolved: refund issued by Sam P."
    body = refused.value.as_dict()
    assert (body["by"], body["at"]) == ("h1", resolved_at)
    assert body["current"]["state"] == "resolved"


@pytest.mark.parametrize("order", orders(), ids=" then ".join)
def test_a_resolve_without_a_version_names_who_resolved_it(order: tuple[str, ...]) -> None:
    floor, number, _, resolved_at = play(order)
    with pytest.raises(Rejected) as refused:
        floor.run("dm1", c.Resolve(incident_id=number), T0 + 3600)
    assert refused.value.code is RejectCode.ILLEGAL
    assert refused.value.message == f"cannot resolve #{number}: it is resolved"
    assert (refused.value.by, refused.value.at) == ("h1", resolved_at)


def test_a_reassignment_after_a_stabilise_does_not_take_the_credit_for_it() -> None:
    floor = Floor()
    number = floor.open(actor_id="h1")
    floor.run("h1", c.Stabilise(incident_id=number, note="drinks on the house"), T0 + 60)
    floor.run("dm1", c.Assign(incident_id=number, owner="h2"), T0 + 120)
    floor.run("admin", c.AddNote(incident_id=number, text="checked"), T0 + 180)
    with pytest.raises(Rejected) as refused:
        floor.run("h2", c.Stabilise(incident_id=number), T0 + 240)
    assert refused.value.code is RejectCode.ILLEGAL
    assert (refused.value.by, refused.value.at) == ("h1", T0 + 60)
