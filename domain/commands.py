"""Commands: what staff ask for. Each is validated, then decided into events.

`expected_version` on the exclusive commands (take, assign, resolve, close)
is the incident version the user saw: the first writer wins and the second
gets a conflict, never a silent overwrite.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import ConfigDict, Field, TypeAdapter, model_validator

from domain.models import (
    Chain,
    Channel,
    FlagKind,
    Frozen,
    HelpAnswer,
    IncidentKind,
    Location,
    Player,
    Priority,
)
from domain.privacy import mask_sensitive

Text = Annotated[str, Field(max_length=2000)]
ShortText = Annotated[str, Field(max_length=200)]

MAX_AMOUNT = 1e12  # in the reporting currency: beyond any real claim


class OpenIncident(Frozen):
    type: Literal["open_incident"] = "open_incident"
    kind: IncidentKind
    priority: Priority
    channel: Channel
    player: Player
    location: Location = Field(default_factory=Location)
    summary: Text = ""
    game: ShortText = ""
    amount: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    tx_ref: ShortText = ""
    wallet: ShortText = ""
    desired_outcome: Text = ""
    attachments: tuple[ShortText, ...] = Field(default=(), max_length=20)
    # asked when the player has a responsible-gambling flag: on the new timeline
    # as its own entry, as `RecordHelpOffer` records it later
    help_offer: HelpAnswer | None = None
    help_note: Text = ""


class _OnIncident(Frozen):
    incident_id: int


class Acknowledge(_OnIncident):
    """ "I am answering this", optionally "on it in `eta_minutes` min" (1 min to 24 h,
    checked by `decide` so the refusal says the range in words)."""

    type: Literal["acknowledge"] = "acknowledge"
    note: Text = ""
    eta_minutes: int | None = None


class Take(_OnIncident):
    type: Literal["take"] = "take"
    expected_version: int | None = None


class Assign(_OnIncident):
    type: Literal["assign"] = "assign"
    owner: ShortText
    expected_version: int | None = None


class AddNote(_OnIncident):
    type: Literal["add_note"] = "add_note"
    text: Annotated[str, Field(min_length=1, max_length=2000)]


class SetPriority(_OnIncident):
    type: Literal["set_priority"] = "set_priority"
    priority: Priority
    reason: Text = ""


class Escalate(_OnIncident):
    """By hand, to a chosen line above the current one (None: one line up), with a reason."""

    type: Literal["escalate"] = "escalate"
    line: int | None = Field(default=None, ge=2, le=4)  # None: one line up
    reason: Text = ""


class AutoEscalate(_OnIncident):
    """Issued only by the backend's scheduler when a line's time passes."""

    type: Literal["auto_escalate"] = "auto_escalate"
    line: int = Field(ge=2, le=4)


class LapseEta(_OnIncident):
    """Issued only by the backend's scheduler: the ETA that was due at `due` passed
    with no stabilise and no update (`domain.eta`)."""

    type: Literal["lapse_eta"] = "lapse_eta"
    due: float


class PageAfterLapse(_OnIncident):
    """Issued only by the backend's scheduler: the grace after the ETA that lapsed at
    `due` is over, so the next line is paged."""

    type: Literal["page_after_lapse"] = "page_after_lapse"
    due: float


class Stabilise(_OnIncident):
    type: Literal["stabilise"] = "stabilise"
    note: Text = ""


class Resolve(_OnIncident):
    type: Literal["resolve"] = "resolve"
    note: Text = ""
    expected_version: int | None = None


class Reopen(_OnIncident):
    type: Literal["reopen"] = "reopen"
    reason: Text = ""


class Close(_OnIncident):
    type: Literal["close"] = "close"
    expected_version: int | None = None


class RecordCompensation(_OnIncident):
    type: Literal["record_compensation"] = "record_compensation"
    text: Annotated[str, Field(min_length=1, max_length=2000)]


class RecordInRegister(_OnIncident):
    """The incident is in its regulator's register (`domain.registers`) under `reference`.

    `occurred_at` (POSIX seconds) is when the matter happened, when that was
    before the incident was opened.
    """

    type: Literal["record_in_register"] = "record_in_register"
    reference: Annotated[str, Field(min_length=1, max_length=80)]
    occurred_at: float | None = None


class RecordHelpOffer(_OnIncident):
    """Whether help resources were offered to a player with a responsible-gambling flag."""

    type: Literal["record_help_offer"] = "record_help_offer"
    answer: HelpAnswer
    note: Text = ""


PlayerReference = Annotated[str, Field(min_length=1, max_length=120)]


class SetPlayerFlag(Frozen):
    """Flag a player reference; setting a kind it already has replaces that flag.

    `until` (POSIX seconds) is a cool-off's end, and needed for one; `note`
    says the limit for a time or bankroll limit, and is needed for one.
    """

    type: Literal["set_player_flag"] = "set_player_flag"
    reference: PlayerReference
    flag: FlagKind
    until: float | None = None
    note: Text = ""


class ClearPlayerFlag(Frozen):
    type: Literal["clear_player_flag"] = "clear_player_flag"
    reference: PlayerReference
    flag: FlagKind
    reason: Text = ""


class PageContact(Frozen):
    type: Literal["page_contact"] = "page_contact"
    incident_id: int | None = None
    staff_id: ShortText
    method: ShortText


ReportText = Annotated[str, Field(max_length=8000)]


class FileReport(_OnIncident):
    """The post-incident report: what caused it and what is done so it does not recur.

    A command queued before the report had two parts carries one `text`: it is
    read as the root cause. An empty root cause is refused in words by `decide`.
    """

    type: Literal["file_report"] = "file_report"
    root_cause: ReportText = ""
    measures: ReportText = ""

    @model_validator(mode="before")
    @classmethod
    def _text_is_the_root_cause(cls, data: Any) -> Any:
        if isinstance(data, dict) and "text" in data:
            data = dict(data)
            text = data.pop("text")
            data.setdefault("root_cause", text)
        return data


class StartDowntime(Frozen):
    type: Literal["start_downtime"] = "start_downtime"
    asset_id: ShortText
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    incident_id: int | None = None


class _OnDowntime(Frozen):
    """Addressed by the asset, which has at most one open downtime.

    `downtime_id`, when given, must be that open downtime: a guard against
    acting on a newer downtime than the one on the sender's screen. A terminal
    leaves it out for a downtime it started offline, whose number it cannot know.
    """

    asset_id: ShortText
    downtime_id: int | None = None


class MovePlayer(_OnDowntime):
    type: Literal["move_player"] = "move_player"
    to: Annotated[str, Field(min_length=1, max_length=60)]


class EndDowntime(_OnDowntime):
    type: Literal["end_downtime"] = "end_downtime"


class SetCover(Frozen):
    """`staff_id` answers one line of one chain instead of its scheduled people.

    From `starts_at` (None: from now) until `until` (POSIX seconds, within 24 h).
    A way to reach them may come with it (`contact_method`, `contact_value`):
    needed when they have none on the roster. The latest cover set for a line
    wins while it runs.
    """

    type: Literal["set_cover"] = "set_cover"
    chain: Chain
    line: int = Field(ge=1, le=4)
    staff_id: ShortText
    until: float
    starts_at: float | None = None
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    contact_method: ShortText = ""
    contact_value: ShortText = ""


class EndCover(Frozen):
    """End the cover running on a line now, before its time."""

    type: Literal["end_cover"] = "end_cover"
    chain: Chain
    line: int = Field(ge=1, le=4)
    reason: Text = ""


class ConfirmContact(Frozen):
    """A way to reach someone answered a test page: mark it confirmed now."""

    type: Literal["confirm_contact"] = "confirm_contact"
    staff_id: ShortText
    method: ShortText
    value: ShortText


class OpenHandover(Frozen):
    """The outgoing duty manager hands the floor over at the coming shift boundary."""

    type: Literal["open_handover"] = "open_handover"
    note: Text = ""


class AcknowledgeHandover(Frozen):
    """The incoming duty manager takes the handover of the shift starting `shift_starts`.

    `opened_at`, when given, is the pack the sender read: one opened again
    since is a conflict, not a silent acknowledgement of something unread.
    """

    type: Literal["acknowledge_handover"] = "acknowledge_handover"
    shift_starts: float
    opened_at: float | None = None
    note: Text = ""


Command = Annotated[
    OpenIncident
    | Acknowledge
    | Take
    | Assign
    | AddNote
    | SetPriority
    | Escalate
    | AutoEscalate
    | LapseEta
    | PageAfterLapse
    | Stabilise
    | Resolve
    | Reopen
    | Close
    | RecordCompensation
    | RecordInRegister
    | RecordHelpOffer
    | SetPlayerFlag
    | ClearPlayerFlag
    | PageContact
    | FileReport
    | StartDowntime
    | MovePlayer
    | EndDowntime
    | SetCover
    | EndCover
    | ConfirmContact
    | OpenHandover
    | AcknowledgeHandover,
    Field(discriminator="type"),
]

COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command, config=ConfigDict(defer_build=True))

COMMAND_TYPES: tuple[str, ...] = tuple(
    cls.model_fields["type"].default
    for cls in (
        OpenIncident,
        Acknowledge,
        Take,
        Assign,
        AddNote,
        SetPriority,
        Escalate,
        AutoEscalate,
        LapseEta,
        PageAfterLapse,
        Stabilise,
        Resolve,
        Reopen,
        Close,
        RecordCompensation,
        RecordInRegister,
        RecordHelpOffer,
        SetPlayerFlag,
        ClearPlayerFlag,
        PageContact,
        FileReport,
        StartDowntime,
        MovePlayer,
        EndDowntime,
        SetCover,
        EndCover,
        ConfirmContact,
        OpenHandover,
        AcknowledgeHandover,
    )
)


# any command (bound to their base, as the union would lose which one through model_copy)
_AnyCommand = TypeVar("_AnyCommand", bound=Frozen)


# fields that name something (staff, an asset, a contact, a register entry) rather than say
# something: masked, a roster phone of 13 digits would no longer match its contact
IDENTIFIERS = frozenset(
    {
        "type",
        "asset_id",
        "to",
        "owner",
        "staff_id",
        "method",
        "value",
        "contact_method",
        "contact_value",
        "reference",
        "pit",
    }
)


def mask_command(command: _AnyCommand) -> _AnyCommand:
    """The same command with card-like numbers and PINs masked in every free-text field,
    nested ones (the location's spot) included.

    Terminals store commands (the outbox) before the server sees them, so the
    masking the server does in `decide` must happen here first. The player's
    own reference is an identifier, not free text, and is left alone.
    """
    updates: dict[str, object] = {}
    for name, value in command:
        if name in IDENTIFIERS or isinstance(value, Enum | Player):
            continue
        if isinstance(value, str):
            updates[name] = mask_sensitive(value)
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            updates[name] = tuple(mask_sensitive(v) for v in value)
        elif isinstance(value, Frozen):
            updates[name] = mask_command(value)
    return command.model_copy(update=updates)


def free_text(command: Frozen) -> list[str]:
    """Every free-text value of `command`, nested ones included; not the player's reference."""
    texts: list[str] = []
    for name, value in command:
        if name in IDENTIFIERS or isinstance(value, Enum | Player):
            continue
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, tuple):
            texts.extend(v for v in value if isinstance(v, str))
        elif isinstance(value, Frozen):
            texts.extend(free_text(value))
    return texts
