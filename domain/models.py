"""The things on the floor: incidents, players, assets, downtimes, staff, roster.

Every model is a frozen pydantic model: the reducer builds new values instead
of mutating, so a replica and the server fold the same events to equal state.
Times are POSIX seconds (float, UTC); countdowns subtract a corrected "now".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    """Base for every domain value: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    def is_lower_than(self, other: Priority) -> bool:
        """P4 is the lowest priority, P1 the highest."""
        return int(self[1]) > int(other[1])


class Tier(StrEnum):
    STANDARD = "standard"
    VIP = "vip"
    VVIP = "vvip"


class Channel(StrEnum):
    PHONE = "phone"
    CHAT = "chat"
    MESSENGER = "messenger"
    EMAIL = "email"
    ON_SITE = "on_site"
    BOT = "bot"


class IncidentState(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    STABILISED = "stabilised"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self not in (IncidentState.RESOLVED, IncidentState.CLOSED)


class Role(StrEnum):
    HOST = "host"
    PIT_BOSS = "pit_boss"
    DUTY_MANAGER = "duty_manager"
    ADMIN = "admin"
    # another system's service account (the intake API): never a staff member
    SERVICE = "service"


# the roles a staff member may have (a service account is not one)
STAFF_ROLES: tuple[Role, ...] = (Role.HOST, Role.PIT_BOSS, Role.DUTY_MANAGER, Role.ADMIN)


def _staff_role(role: Role) -> Role:
    if role not in STAFF_ROLES:
        raise ValueError(f"{role!s} is not a staff role (expected one of {', '.join(STAFF_ROLES)})")
    return role


StaffRole = Annotated[Role, AfterValidator(_staff_role)]


class Chain(StrEnum):
    """Which escalation ladder an incident climbs."""

    MAIN = "main"
    PAYMENTS = "payments"


class IncidentKind(StrEnum):
    GAME_UNAVAILABLE = "game_unavailable"
    RESULT_DISPUTE = "result_dispute"
    PAYMENT_FAILURE = "payment_failure"
    PAYMENT_DISPUTE = "payment_dispute"
    FAILED_TRANSFER = "failed_transfer"
    ACCOUNT_BLOCKED = "account_blocked"
    CARD_EXPOSURE = "card_exposure"
    LOGIN_PROBLEM = "login_problem"
    SESSION_DISRUPTION = "session_disruption"
    DEPOSIT_NOT_CREDITED = "deposit_not_credited"
    WITHDRAWAL_REFUSED = "withdrawal_refused"
    BONUS_QUESTION = "bonus_question"
    TABLE_DISPUTE = "table_dispute"
    MACHINE_FAULT = "machine_fault"
    RESERVATION = "reservation"
    CREDIT_LINE = "credit_line"
    TOURNAMENT = "tournament"
    TRAVEL = "travel"
    ROOM_OVERBOOKING = "room_overbooking"
    BILLING_ERROR = "billing_error"
    FNB_SPA = "fnb_spa"
    LOUNGE_WAIT = "lounge_wait"
    ARRIVAL = "arrival"
    # compliance (sections 10 and 20): each goes to a regulator's register (policy.registers)
    RESPONSIBLE_GAMBLING = "responsible_gambling"
    SUSPICIOUS_MATTER = "suspicious_matter"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[IncidentKind, str] = {
    IncidentKind.GAME_UNAVAILABLE: "game/result unavailable",
    IncidentKind.RESULT_DISPUTE: "game/result dispute",
    IncidentKind.PAYMENT_FAILURE: "payment failure",
    IncidentKind.PAYMENT_DISPUTE: "payment dispute",
    IncidentKind.FAILED_TRANSFER: "failed transfer",
    IncidentKind.ACCOUNT_BLOCKED: "account blocked",
    IncidentKind.CARD_EXPOSURE: "card/account number exposed",
    IncidentKind.LOGIN_PROBLEM: "2FA/geo/login problem",
    IncidentKind.SESSION_DISRUPTION: "session/rebate disruption",
    IncidentKind.DEPOSIT_NOT_CREDITED: "deposit not credited",
    IncidentKind.WITHDRAWAL_REFUSED: "withdrawal refused",
    IncidentKind.BONUS_QUESTION: "bonus/wagering question",
    IncidentKind.TABLE_DISPUTE: "table dispute",
    IncidentKind.MACHINE_FAULT: "machine fault",
    IncidentKind.RESERVATION: "reservation/private table",
    IncidentKind.CREDIT_LINE: "credit line/marker/front money",
    IncidentKind.TOURNAMENT: "tournament registration",
    IncidentKind.TRAVEL: "travel logistics",
    IncidentKind.ROOM_OVERBOOKING: "room overbooking",
    IncidentKind.BILLING_ERROR: "billing/comp error",
    IncidentKind.FNB_SPA: "F&B/SPA memo",
    IncidentKind.LOUNGE_WAIT: "wait in the VIP lounge",
    IncidentKind.ARRIVAL: "on-site arrival",
    IncidentKind.RESPONSIBLE_GAMBLING: "responsible gambling concern",
    IncidentKind.SUSPICIOUS_MATTER: "suspicious matter (AML)",
    IncidentKind.OTHER: "other",
}

# Section 4 of the premium-support rules: these escalate the moment they open.
TRIGGER_KINDS: frozenset[IncidentKind] = frozenset(
    {
        IncidentKind.ACCOUNT_BLOCKED,
        IncidentKind.PAYMENT_DISPUTE,
        IncidentKind.FAILED_TRANSFER,
        IncidentKind.CARD_EXPOSURE,
    }
)

# Money problems climb the payments chain (finance -> risk/AML -> bank).
PAYMENT_KINDS: frozenset[IncidentKind] = frozenset(
    {
        IncidentKind.PAYMENT_FAILURE,
        IncidentKind.PAYMENT_DISPUTE,
        IncidentKind.FAILED_TRANSFER,
        IncidentKind.DEPOSIT_NOT_CREDITED,
        IncidentKind.WITHDRAWAL_REFUSED,
    }
)


class PlayerIdKind(StrEnum):
    LOYALTY = "loyalty"
    PSEUDONYM = "pseudonym"
    WALLET = "wallet"
    SESSION = "session"


class Player(Frozen):
    """Who the incident is about, with only what the floor needs to know."""

    id_kind: PlayerIdKind = PlayerIdKind.LOYALTY
    reference: str = Field(min_length=1, max_length=120)
    tier: Tier = Tier.STANDARD
    silent_visit: bool = False
    risk_flags: tuple[str, ...] = ()
    host_id: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.id_kind is not PlayerIdKind.LOYALTY

    @property
    def display(self) -> str:
        """The form floor screens show: a masked loyalty ID, or the pseudonym."""
        from domain.privacy import mask_loyalty_id, shorten_reference

        if self.id_kind is PlayerIdKind.LOYALTY:
            return mask_loyalty_id(self.reference)
        return shorten_reference(self.reference)


class FlagKind(StrEnum):
    """What a player's flag says (sections 10 and 20, and the silent visit)."""

    SELF_EXCLUDED = "self_excluded"
    COOL_OFF = "cool_off"  # until a date
    TIME_LIMIT = "time_limit"
    BANKROLL_LIMIT = "bankroll_limit"
    SOURCE_OF_FUNDS = "source_of_funds"  # AML check pending
    SOURCE_OF_WEALTH = "source_of_wealth"  # AML check pending
    SILENT_VISIT = "silent_visit"

    @property
    def label(self) -> str:
        return FLAG_LABELS[self]

    @property
    def responsible_gambling(self) -> bool:
        return self in RG_FLAGS

    @property
    def aml(self) -> bool:
        return self in (FlagKind.SOURCE_OF_FUNDS, FlagKind.SOURCE_OF_WEALTH)


FLAG_LABELS: dict[FlagKind, str] = {
    FlagKind.SELF_EXCLUDED: "self-excluded",
    FlagKind.COOL_OFF: "cool-off",
    FlagKind.TIME_LIMIT: "time limit",
    FlagKind.BANKROLL_LIMIT: "bankroll limit",
    FlagKind.SOURCE_OF_FUNDS: "source of funds check pending",
    FlagKind.SOURCE_OF_WEALTH: "source of wealth check pending",
    FlagKind.SILENT_VISIT: "silent visit",
}

RG_FLAGS: frozenset[FlagKind] = frozenset(
    {FlagKind.SELF_EXCLUDED, FlagKind.COOL_OFF, FlagKind.TIME_LIMIT, FlagKind.BANKROLL_LIMIT}
)


class PlayerFlag(Frozen):
    """One flag on a player reference, with who set it and when."""

    kind: FlagKind
    set_by: str
    set_at: float
    until: float | None = None  # a cool-off's end; the flag lapses by itself then
    note: str = ""  # the limit, or what the check is waiting for

    def active(self, now: float) -> bool:
        return self.until is None or now < self.until


class HelpAnswer(StrEnum):
    """Whether responsible-gambling help resources were offered (section 20)."""

    OFFERED = "offered"
    DECLINED = "declined"  # offered, and the player declined them
    NOT_APPROPRIATE = "not_appropriate"

    @property
    def label(self) -> str:
        return HELP_LABELS[self]


HELP_LABELS: dict[HelpAnswer, str] = {
    HelpAnswer.OFFERED: "help resources offered",
    HelpAnswer.DECLINED: "help resources offered, declined",
    HelpAnswer.NOT_APPROPRIATE: "help resources not appropriate",
}


class Location(Frozen):
    pit: str | None = Field(default=None, max_length=40)
    spot: str = Field(default="", max_length=60)  # table, machine, room, or "online"

    @property
    def display(self) -> str:
        if self.pit and self.spot:
            return f"{self.pit}/{self.spot}"
        return self.spot or self.pit or "-"


class TimelineEntry(Frozen):
    seq: int
    at: float
    actor: str
    terminal: str
    kind: str
    text: str
    # done offline: when it reached the server (left out when it is `at`)
    received_at: float | None = Field(default=None, exclude_if=lambda at: at is None)


class Change(Frozen):
    """One change of owner or state: the step that took an incident to `version`.

    Kept so a stale exclusive command can be told apart from one that only
    follows the sender's own changes, and so a refusal can say who changed
    what, and when, even to someone who no longer sees the incident.
    """

    version: int
    by: str  # staff id, or "system"
    at: float
    owner: str | None  # the owner once the change applied
    text: str  # as the timeline words it: "assigned to Riley C."


class RegisterEntry(Frozen):
    """An incident's place in a regulator's register (`domain.registers`): a countdown
    of its own, apart from the service promises, until it is recorded there."""

    name: str  # the register's key in the policy
    due: float
    recorded_at: float | None = None  # when it was logged in the register
    recorded_by: str = ""
    reference: str = ""  # the register's own reference for the entry
    occurred_at: float | None = None  # when it happened, if before the incident opened


class FiledReport(Frozen):
    """A filed post-incident report: its root cause and measures, who filed it and
    when, and the due time it was filed against (None: filed unasked)."""

    root_cause: str
    measures: str = ""
    by: str = ""
    at: float | None = None  # None: filed before the time was kept with it
    was_due: float | None = None


class Ack(Frozen):
    """One person's acknowledgement of an incident (a P1 is acknowledged by everyone
    paged on its line, `domain.acks`)."""

    staff_id: str
    at: float
    line: int
    eta_due: float | None = None  # "on it in N min": when they said they would be on it


class Answers(Frozen):
    """Who has acknowledged an incident, and the owner's "on it in N min" (`domain.eta`):
    running until a stabilise or an update; once it lapses, `eta_lapsed` keeps when,
    until the next line is paged."""

    acks: tuple[Ack, ...] = ()
    eta_due: float | None = None
    eta_lapsed: float | None = None


class Incident(Frozen):
    id: int  # the server's number; negative while only a local draft exists
    kind: IncidentKind
    priority: Priority
    channel: Channel
    player: Player
    location: Location
    summary: str = ""
    game: str = ""
    amount: float | None = None  # in the policy's reporting currency (USD by default)
    tx_ref: str = ""
    wallet: str = ""
    desired_outcome: str = ""
    attachments: tuple[str, ...] = ()
    state: IncidentState = IncidentState.NEW
    owner: str | None = None
    opened_by: str = ""
    opened_at: float
    # the answer promise kept: at the acknowledgement, or at opening when floor
    # management raised it at the table (they are the manager who came)
    answered_at: float | None = None
    acknowledged_at: float | None = None
    stabilised_at: float | None = None
    resolved_at: float | None = None
    closed_at: float | None = None
    chain: Chain = Chain.MAIN
    line: int = 1
    escalated_at: float | None = None
    # who the incident's current line paged (staff who sign in and see it): on a P1
    # each of them is asked to acknowledge until all have, or it is stabilised
    paged: tuple[str, ...] = ()
    # the acknowledgements and the owner's ETA, once there are any (one field, not
    # three: a loaded floor holds thousands of incidents, each a dict of its fields)
    answers: Answers | None = None
    # deadlines, derived by the reducer from the policy when the incident opens
    # or changes priority, so screens only subtract "now"
    answer_due: float | None = None
    stabilise_due: float | None = None
    resolve_due: float | None = None
    next_update_due: float | None = None
    report_due: float | None = None
    # set as it opens when the policy sends its kind to a regulator's register
    register_entry: RegisterEntry | None = None
    # the post-incident report once filed; an incident stored before reports had
    # their parts holds only the text (`domain.reports.filed_report` reads both).
    # One field: every incident in a terminal's memory carries each field
    report: str | FiledReport = ""
    compensation: str = ""
    reopen_count: int = 0
    # bumped on owner or state changes: exclusive commands carry the version
    # their user saw, and a stale one is a conflict rather than a silent overwrite
    version: int = 1
    updated_at: float = 0.0
    updated_by: str = ""
    last_change: str = ""
    # one entry per version bump, oldest first; empty for incidents stored
    # before it was kept, and then the version alone decides a conflict
    changes: tuple[Change, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()

    @property
    def acks(self) -> tuple[Ack, ...]:
        return self.answers.acks if self.answers else ()

    @property
    def eta_due(self) -> float | None:
        return self.answers.eta_due if self.answers else None

    @property
    def eta_lapsed(self) -> float | None:
        return self.answers.eta_lapsed if self.answers else None

    def answered(self, **changes: object) -> Incident:
        """The same incident with its `Answers` changed (`acks`, `eta_due`, `eta_lapsed`)."""
        answers = (self.answers or Answers()).model_copy(update=changes)
        return self.model_copy(update={"answers": answers})


class AssetKind(StrEnum):
    TABLE = "table"
    MACHINE = "machine"


class Asset(Frozen):
    id: str
    kind: AssetKind
    pit: str
    game: str = ""


class Downtime(Frozen):
    id: int
    asset_id: str
    asset_kind: AssetKind
    pit: str
    reason: str
    started_at: float
    started_by: str
    player_moved_at: float | None = None
    moved_to: str = ""
    ended_at: float | None = None
    incident_id: int | None = None

    @property
    def active(self) -> bool:
        return self.ended_at is None


class Contact(Frozen):
    method: str  # radio, phone, messenger, pager, pa
    value: str
    public: bool = False  # a public call (PA, open radio): never for a silent visit


class Staff(Frozen):
    id: str
    name: str
    role: Role
    pit: str | None = None  # a pit boss's pit


EVERY_DAY: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # Monday is 0, as in `datetime.weekday`


class RosterEntry(Frozen):
    """Who answers for one line of one chain during a shift window on some weekdays.

    A window whose end is not after its start ("22:00-06:00") runs into the
    next day, and belongs to the day it starts on. Entries stored before
    `days` was kept have every day.
    """

    chain: Chain
    line: int = Field(ge=1, le=4)
    staff_id: str
    name: str
    title: str
    contacts: tuple[Contact, ...] = ()
    shift_start: str = "00:00"  # HH:MM local time in the policy's timezone
    shift_end: str = "24:00"
    days: tuple[int, ...] = EVERY_DAY  # weekdays the window starts on


class Pit(Frozen):
    id: str
    name: str = ""
