"""One shared field-name set per model class for the floor's many stored values.

Pydantic keeps on every instance the set of field names it was given
(`model_fields_set`). An incident read back in full names all 40 of its
fields: a 2 KiB set, plus one per player, location and timeline entry, which
together are over half of what a loaded floor holds in memory. Domain models
are frozen, and pydantic copies that set before adding to it (`model_copy`),
so instances naming every field can all point at one set per class.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from domain.models import Downtime, Incident

_ALL_FIELDS: dict[type[BaseModel], set[str]] = {}


def lean_incident(incident: Incident) -> Incident:
    """The same incident, its field-name sets (and its parts') shared; call as each is made."""
    _share(incident)
    _share(incident.player)
    _share(incident.location)
    for entry in incident.timeline:
        _share(entry)
    for change in incident.changes:
        _share(change)
    if incident.answers is not None:
        _share(incident.answers)
        for ack in incident.answers.acks:
            _share(ack)
    return incident


def lean_downtime(downtime: Downtime) -> Downtime:
    _share(downtime)
    return downtime


def share_field_sets(incidents: Iterable[Incident], downtimes: Iterable[Downtime]) -> None:
    """For a whole state already in memory (a snapshot from the server)."""
    for incident in incidents:
        lean_incident(incident)
    for downtime in downtimes:
        lean_downtime(downtime)


def _share(model: BaseModel) -> None:
    cls = type(model)
    every = _ALL_FIELDS.get(cls)
    if every is None:
        every = _ALL_FIELDS[cls] = set(cls.model_fields)
    names = model.__pydantic_fields_set__
    # a subset of the fields (extra="forbid") of the same size is all of them
    if names is not every and len(names) == len(every):
        object.__setattr__(model, "__pydantic_fields_set__", every)
