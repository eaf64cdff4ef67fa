"""An acknowledgement's "on it in N min": its range, when it lapses, what follows.

The ETA runs until the incident is stabilised or updated (a note). If neither
comes by then it lapses: the owner is re-alerted, and `policy.eta_grace` later
the next line is paged by the backend's scheduler. The same functions word the
refusal on a terminal and at the server.
"""

from __future__ import annotations

from domain.escalation import climbing, lapse_page_due
from domain.models import Incident
from domain.policy import Policy

ETA_MIN_MINUTES = 1
ETA_MAX_MINUTES = 24 * 60
# the ETAs one key gives on the acknowledge dialog (key, minutes)
ETA_KEYS: tuple[tuple[str, int], ...] = (("2", 2), ("5", 5), ("1", 10))


def eta_problem(minutes: int) -> str | None:
    """Why `minutes` is no ETA, in words, or None when it is one."""
    if ETA_MIN_MINUTES <= minutes <= ETA_MAX_MINUTES:
        return None
    return (
        f"an ETA of {minutes} min is out of range: from {ETA_MIN_MINUTES} min"
        f" to 24 h ({ETA_MAX_MINUTES} min)"
    )


def parse_eta(text: str) -> int | str:
    """Minutes typed on a terminal (`12`, `12m`, `2h`), or the reason they are not an ETA."""
    value = text.strip().lower().replace(" ", "")
    scale = 1
    if value.endswith("min"):
        value = value[:-3]
    elif value.endswith("m"):
        value = value[:-1]
    elif value.endswith("h"):
        value, scale = value[:-1], 60
    if not (value.isascii() and value.isdecimal()):  # "²" is a digit int() refuses
        return f"{text.strip() or 'nothing'} is not a number of minutes (1 to {ETA_MAX_MINUTES})"
    minutes = int(value) * scale
    return eta_problem(minutes) or minutes


def eta_words(minutes: int) -> str:
    if minutes % 60 == 0 and minutes >= 60:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def lapse_due(incident: Incident) -> float | None:
    """When the running ETA lapses, or None: none runs, or it no longer can."""
    if incident.eta_due is None or not climbing(incident):
        return None
    return incident.eta_due


def page_due(incident: Incident, policy: Policy) -> float | None:
    """When the next line is paged for a lapsed ETA, or None: nothing to page."""
    return lapse_page_due(incident, policy)
