"""What the queue derives from one version of an incident, worked out once per version.

The sort key, the earliest running promise and the settle moments cost a walk
over the incident's clocks each. Incidents are immutable, so a result stays
good until the incident object is replaced; the sync thread works them out
for the incidents a notice touched before the UI reads them, so a big
catch-up costs the UI loop lookups, not the clocks of thousands of incidents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.models import Incident
from domain.sla import risk_key, running_dues, settle_moments


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    risk: tuple[int, float, int]  # `risk_key`: where the queue places it
    breaches_at: float | None  # its earliest running promise (open incidents only)
    settle: tuple[tuple[float, ...], tuple[float, ...]]  # `settle_moments`


def facts_of(incident: Incident) -> IncidentFacts:
    dues = running_dues(incident)
    return IncidentFacts(risk_key(incident), min(dues) if dues else None, settle_moments(incident))


class FactsMemo:
    """`facts_of` per incident version, kept by incident number.

    Shared by the thread that fills it and the loop that reads it: an entry is
    an immutable pair replaced whole, and a stale or missing one is simply
    worked out again where it is asked for, so a reader never needs a lock.
    """

    def __init__(self) -> None:
        self._seen: dict[int, tuple[Incident, IncidentFacts]] = {}

    def of(self, incident: Incident) -> IncidentFacts:
        seen = self._seen.get(incident.id)
        if seen is not None and seen[0] is incident:
            return seen[1]
        facts = facts_of(incident)
        self._seen[incident.id] = (incident, facts)
        return facts

    def warm(self, incidents: Iterable[Incident]) -> None:
        """Work out (ahead of a reader) what is not known yet for these versions."""
        for incident in incidents:
            self.of(incident)

    def keep_only(self, numbers: Iterable[int]) -> None:
        """Forget incidents no longer on the floor (after a whole new state)."""
        keep = set(numbers)
        # list() copies in one step: the loop may add an entry while this runs
        self._seen = {n: seen for n, seen in list(self._seen.items()) if n in keep}
