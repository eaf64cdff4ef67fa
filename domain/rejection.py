"""A refused command: the code (what kind of no) and the reason, in words a user can act on."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from domain.models import Incident


class RejectCode(StrEnum):
    INVALID = "invalid"  # 422
    FORBIDDEN = "forbidden"  # 403
    NOT_FOUND = "not_found"  # 404
    ILLEGAL = "illegal"  # 409: not possible in the incident's state
    CONFLICT = "conflict"  # 409: someone else changed it first


class Rejected(Exception):
    """A refusal with its reason; a conflict also says who changed what, and when.

    `incident` is the incident as it is now (sent back as `current`), only
    ever one the sender may see. `by`/`at` default to its last change of
    owner or state (a note or an escalation since is no change of its own
    to refuse a command over); a conflict names the change that beat the
    sender instead, which may be older, and may concern an incident the
    sender no longer sees.
    """

    def __init__(
        self,
        code: RejectCode,
        message: str,
        *,
        incident: Incident | None = None,
        by: str | None = None,
        at: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.incident = incident
        last = last_change(incident) if incident is not None and by is None else None
        self.by = by if by is not None else last[0] if last else None
        self.at = at if at is not None else last[1] if last else None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": str(self.code), "message": self.message}
        if self.incident is not None:
            body["current"] = self.incident.model_dump(mode="json")
        if self.by is not None:
            body["by"] = self.by
            body["at"] = self.at
        return body


def last_change(incident: Incident) -> tuple[str, float]:
    """Who made the incident's last change of owner or state, and when."""
    if incident.changes:
        return incident.changes[-1].by, incident.changes[-1].at
    return incident.updated_by, incident.updated_at  # stored before changes were kept
