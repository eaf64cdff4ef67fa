"""A service account (another system on the intake API) next to staff: what it may do."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain import commands as c
from domain.decide import Actor, RejectCode, Rejected, decide
from domain.floorfile import FloorFileError, parse_floor
from domain.intake import IntakeDowntime, IntakeIncident
from domain.models import Asset, AssetKind, Role, Staff
from domain.reducer import apply
from domain.staff_admin import AddStaff, ChangeStaff
from tests.domain.floor import T0, Floor

PHONE = Actor(Staff(id="svc:phone", name="Phone system", role=Role.SERVICE), "intake")


def run_as_service(floor: Floor, command: c.Command) -> None:
    for event in decide(floor.state, command, PHONE, T0 + 10):
        floor.events.append(event.model_copy(update={"seq": len(floor.events) + 1}))
        floor.state = apply(floor.state, floor.events[-1])


@pytest.mark.parametrize(
    "command",
    [
        c.Acknowledge(incident_id=1),
        c.Resolve(incident_id=1),
        c.Escalate(incident_id=1),
        c.SetPriority(incident_id=1, priority="P4", reason="quiet"),
        c.EndDowntime(asset_id="SL-1"),
    ],
)
def test_a_service_account_may_only_open_and_add_notes(command: c.Command) -> None:
    floor = Floor()
    floor.open()
    with pytest.raises(Rejected) as refused:
        decide(floor.state, command, PHONE, T0 + 10)
    assert refused.value.code is RejectCode.FORBIDDEN
    assert "may only open incidents and downtimes and add notes" in refused.value.message


def test_a_service_account_notes_only_what_it_opened() -> None:
    floor = Floor()
    staffs = floor.open()
    call = IntakeIncident.model_validate(
        {"kind": "travel", "channel": "phone", "player": {"reference": "VP-1"}}
    )
    run_as_service(floor, call.command(floor.state))
    mine = floor.state.next_incident_id - 1
    assert floor.state.incidents[mine].player.tier == "vip"  # from the card's prefix
    assert floor.state.incidents[mine].owner is None  # another system never owns one
    run_as_service(floor, c.AddNote(incident_id=mine, text="caller rang again"))
    with pytest.raises(Rejected) as refused:
        decide(floor.state, c.AddNote(incident_id=staffs, text="x"), PHONE, T0 + 20)
    assert refused.value.code is RejectCode.NOT_FOUND


def test_an_unknown_machine_is_refused_before_anything_is_made() -> None:
    floor = Floor()
    floor.state = floor.state.model_copy(
        update={"assets": {"SL-1": Asset(id="SL-1", kind=AssetKind.MACHINE, pit="1")}}
    )
    fault = IntakeDowntime(asset_id="SL-2", reason="fault", player={"reference": "VP-1"})
    with pytest.raises(Rejected) as refused:
        fault.incident(floor.state)
    assert refused.value.code is RejectCode.NOT_FOUND and "'SL-2'" in refused.value.message
    known = IntakeDowntime(asset_id="sl-1", reason="fault", player={"reference": "VP-1"})
    opening = known.incident(floor.state)
    assert opening is not None and opening.location.spot == "SL-1"


def test_no_staff_member_can_hold_the_service_role() -> None:
    with pytest.raises(ValidationError, match="not a staff role"):
        AddStaff(id="x", name="X", role=Role.SERVICE)
    with pytest.raises(ValidationError, match="not a staff role"):
        ChangeStaff(staff_id="x", role=Role.SERVICE)
    with pytest.raises(FloorFileError, match="unknown role 'service'"):
        parse_floor('[[staff]]\nid = "x"\nname = "X"\nrole = "service"\n', "floor.toml")
