"""The server never emits an event that does not fit its type's payload model.

Every command type a duty manager may send goes through the real backend;
every event it then serves (event page and live feed alike come from the
same log) must parse and check against `domain.events.PAYLOADS`.
"""

from __future__ import annotations

from domain.commands import COMMAND_TYPES
from domain.events import PAYLOADS, Event, payload_of
from tests.backend.helpers import Terminal
from tests.conftest import BackendProcess
from tests.reliability.floor_setup import FloorSetup, envelope


async def test_every_event_the_server_emits_fits_its_payload_model(
    backend: BackendProcess,
) -> None:
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    # a handover dm1 opens is acknowledged by the incoming duty manager
    incoming = await Terminal.sign_in(backend.url, "dm2", backend.pins["dm2"])
    start = (await dm.snapshot())["seq"]
    setup = await FloorSetup.create(dm)
    # the scheduler's own are refused to staff
    system = ("auto_escalate", "lapse_eta", "page_after_lapse")
    sent = [kind for kind in COMMAND_TYPES if kind not in system]
    for kind in sent:
        command = await setup.command_for(kind, pit="1", host="h1")
        sender = incoming if kind == "acknowledge_handover" else dm
        await sender.accepted(envelope(command))
    page = await dm.events(start)
    served = [Event.model_validate(body) for body in page["events"]]
    for event in served:
        assert type(payload_of(event)) is PAYLOADS[event.type], event
    kinds = {e.type for e in served}
    assert len(kinds) >= 15, kinds  # everything but the scheduler's escalation
    await dm.close()
    await incoming.close()
