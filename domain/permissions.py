"""Least privilege: what each role may see and do (enforced by the backend).

A host sees their own players' incidents (and ones they opened or own), a
pit boss their pit, a duty manager or admin the whole floor. Terminals use
the same table only to dim actions the server would refuse anyway.
"""

from __future__ import annotations

from domain.models import STAFF_ROLES, Downtime, Incident, Role, Staff
from domain.policy import Policy

_ALL = frozenset(STAFF_ROLES)
# another system (a phone system, a chat widget, a slot system) through the intake
# API: it may open incidents and downtimes and add notes, and nothing else
_SERVICE = frozenset({Role.SERVICE})
_FLOOR_LEADS = frozenset({Role.PIT_BOSS, Role.DUTY_MANAGER, Role.ADMIN})
_MANAGERS = frozenset({Role.DUTY_MANAGER, Role.ADMIN})

ALLOWED: dict[str, frozenset[Role]] = {
    "open_incident": _ALL | _SERVICE,
    "acknowledge": _ALL,
    "take": _ALL,
    "assign": _FLOOR_LEADS,
    "add_note": _ALL | _SERVICE,
    "set_priority": _FLOOR_LEADS,
    "escalate": _ALL,  # anyone may escalate early; nobody may de-escalate
    "auto_escalate": frozenset(),  # the scheduler only
    "lapse_eta": frozenset(),  # the scheduler only
    "page_after_lapse": frozenset(),  # the scheduler only
    "stabilise": _ALL,
    "resolve": _ALL,
    "reopen": _FLOOR_LEADS,
    "close": _FLOOR_LEADS,
    "record_compensation": frozenset({Role.HOST, Role.DUTY_MANAGER, Role.ADMIN}),
    # a regulator's register is kept by management (compliance, section 10)
    "record_in_register": _MANAGERS,
    "record_help_offer": _ALL,
    # hosts flag their own players (responsible gambling, silent visit); AML
    # checks and every clearing are management's (`domain.player_flags`)
    "set_player_flag": frozenset({Role.HOST, Role.DUTY_MANAGER, Role.ADMIN}),
    "clear_player_flag": _MANAGERS,
    "page_contact": _ALL,
    "file_report": _FLOOR_LEADS,
    "start_downtime": _FLOOR_LEADS | _SERVICE,
    "move_player": _FLOOR_LEADS,
    "end_downtime": _FLOOR_LEADS,
    "set_cover": _MANAGERS,
    "end_cover": _MANAGERS,
    "confirm_contact": _MANAGERS,
    # the shift handover, between duty managers (`domain.handover`)
    "open_handover": _MANAGERS,
    "acknowledge_handover": _MANAGERS,
}

ROLE_LABELS: dict[Role, str] = {
    Role.HOST: "host",
    Role.PIT_BOSS: "pit boss",
    Role.DUTY_MANAGER: "duty manager",
    Role.ADMIN: "admin",
    Role.SERVICE: "service account",
}


def role_may(role: Role, command_type: str) -> bool:
    return role in ALLOWED.get(command_type, frozenset())


def who_may(command_type: str) -> str:
    """The staff roles allowed an action, in words: "a host, duty manager or admin"."""
    allowed = [ROLE_LABELS[r] for r in STAFF_ROLES if r in ALLOWED.get(command_type, frozenset())]
    if not allowed:
        return "the system"
    if len(allowed) == 1:
        return f"a {allowed[0]}"
    return f"a {', '.join(allowed[:-1])} or {allowed[-1]}"


def why_not(role: Role, command_type: str) -> str:
    action = command_type.replace("_", " ")
    if role is Role.SERVICE:
        return (
            f"a service account may not {action}; it may only open incidents and downtimes"
            " and add notes"
        )
    allowed = sorted(
        ROLE_LABELS[r] for r in ALLOWED.get(command_type, frozenset()) if r in STAFF_ROLES
    )
    if not allowed:
        return f"{action} is done by the system only"
    return f"a {ROLE_LABELS[role]} may not {action}; allowed: {', '.join(allowed)}"


def may_own(staff: Staff) -> bool:
    """Whether a staff member may be an incident's owner: whoever may take one."""
    return role_may(staff.role, "take")


def can_see_incident(staff: Staff, incident: Incident, policy: Policy) -> bool:
    if staff.role in _MANAGERS:
        return True
    if staff.id in (incident.owner, incident.opened_by):
        return True
    if staff.role is Role.SERVICE:
        return False  # another system sees only the incidents it opened
    if staff.role is Role.HOST:
        return incident.player.host_id == staff.id
    # pit boss
    return policy.pit_boss_floor_wide or (
        staff.pit is not None and incident.location.pit == staff.pit
    )


def can_see_downtime(staff: Staff, downtime: Downtime, policy: Policy) -> bool:
    """Downtimes carry no personal data: hosts and managers see the whole floor."""
    return can_see_downtime_in(staff, downtime.pit, policy)


def can_see_downtime_in(staff: Staff, pit: str | None, policy: Policy) -> bool:
    """`can_see_downtime` for a downtime in `pit` (None: its pit is not known)."""
    if staff.role is Role.PIT_BOSS and not policy.pit_boss_floor_wide:
        return pit == staff.pit
    return True


def in_pit_scope(staff: Staff, pit: str | None, policy: Policy) -> bool:
    """Whether a pit boss may act on something in `pit` (others are not pit-bound)."""
    if staff.role is not Role.PIT_BOSS or policy.pit_boss_floor_wide:
        return True
    return pit is not None and pit == staff.pit
