"""Small builders for domain tests: a floor with staff and a way to run commands."""

from __future__ import annotations

from domain import commands as c
from domain.decide import Actor, decide
from domain.events import Event
from domain.models import Location, Player, Priority, Role, Staff, Tier
from domain.policy import Policy
from domain.reducer import apply
from domain.state import FloorState

T0 = 1_795_000_000.0  # a fixed instant: tests never read the wall clock

STAFF = {
    "pb2": Staff(id="pb2", name="Jordan T.", role=Role.PIT_BOSS, pit="2"),
    "pb1": Staff(id="pb1", name="Alex R.", role=Role.PIT_BOSS, pit="1"),
    "h1": Staff(id="h1", name="Sam P.", role=Role.HOST),
    "h2": Staff(id="h2", name="Riley C.", role=Role.HOST),
    "dm1": Staff(id="dm1", name="Dana K.", role=Role.DUTY_MANAGER),
    "admin": Staff(id="admin", name="Floor Admin", role=Role.ADMIN),
}


class Floor:
    """A floor state plus an event counter, driven by commands like the server."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.state = FloorState(policy=policy or Policy(), staff=dict(STAFF))
        self.events: list[Event] = []

    def run(self, actor_id: str | None, command: c.Command, at: float) -> list[Event]:
        actor = Actor(STAFF[actor_id], "T-test") if actor_id else None
        new = decide(self.state, command, actor, at)
        for event in new:
            event = event.model_copy(update={"seq": len(self.events) + 1})
            self.events.append(event)
            self.state = apply(self.state, event)
        return new

    def open(self, actor_id: str = "pb2", at: float = T0, **fields) -> int:
        defaults = dict(
            kind="result_dispute",
            priority=Priority.P1,
            channel="on_site",
            player=Player(reference="VV-2231-4411", tier=Tier.VVIP, host_id="h1"),
            location=Location(pit="2", spot="BJ-07"),
        )
        defaults.update(fields)
        self.run(actor_id, c.OpenIncident(**defaults), at)
        return self.state.next_incident_id - 1
