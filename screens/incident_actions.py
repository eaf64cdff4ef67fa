"""The incident screen's keys: what may run now, and the command each one sends.

Every action posts a `CommandRequested`; the app queues it and answers. An
action the signed-in role may not take is explained (`why_not`), not ignored;
one the incident's state rules out is hidden from the footer, asked of
`domain.decide` with a dry run so the screen never restates a rule.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding

from domain import commands as c
from domain.cover import who_to_call
from domain.decide import Actor, RejectCode, Rejected, decide
from domain.escalation import TOP_LINE
from domain.events import EventType
from domain.models import Chain, HelpAnswer, Incident, IncidentState, Priority
from domain.permissions import ROLE_LABELS, role_may, why_not
from domain.player_flags import has_rg_flag, incident_flags
from domain.sla import compensation_due
from domain.state import FloorState
from screens.ack_modals import AckModal, EscalateModal, ack_sender
from screens.modals import (
    AssignModal,
    CompensationModal,
    NoteModal,
    OptionalNoteModal,
    PriorityModal,
    ReasonModal,
    ReportModal,
)
from tui.floor_screen import FloorScreen
from tui.messages import CommandRequested

# a harmless command of each kind, to ask `decide` whether the action is possible now
_PROBES: dict[str, Callable[[Incident], c.Command]] = {
    "ack": lambda i: c.Acknowledge(incident_id=i.id),
    "take": lambda i: c.Take(incident_id=i.id, expected_version=i.version),
    "assign": lambda i: c.Assign(incident_id=i.id, owner=i.opened_by, expected_version=i.version),
    "note": lambda i: c.AddNote(incident_id=i.id, text="-"),
    "priority": lambda i: c.SetPriority(
        incident_id=i.id,
        priority=Priority.P2 if i.priority is Priority.P1 else Priority.P1,
        reason="-",
    ),
    "escalate": lambda i: c.Escalate(incident_id=i.id, reason="-"),
    "stabilise": lambda i: c.Stabilise(incident_id=i.id),
    "resolve": lambda i: c.Resolve(incident_id=i.id, expected_version=i.version),
    "reopen": lambda i: c.Reopen(incident_id=i.id),
    "close": lambda i: c.Close(incident_id=i.id, expected_version=i.version),
    "compensation": lambda i: c.RecordCompensation(incident_id=i.id, text="-"),
    "report": lambda i: c.FileReport(incident_id=i.id, root_cause="-"),
}
_COMMAND_TYPE = {
    "ack": "acknowledge",
    "take": "take",
    "assign": "assign",
    "note": "add_note",
    "priority": "set_priority",
    "escalate": "escalate",
    "stabilise": "stabilise",
    "resolve": "resolve",
    "reopen": "reopen",
    "close": "close",
    "compensation": "record_compensation",
    "report": "file_report",
    "page": "page_contact",
    "help_offer": "record_help_offer",
}


def assign_options(floor: FloorState, now: float) -> list[tuple[str, str]]:
    """The staff to assign to, `(label, id)`: who is on an escalation line now first,
    saying which (`Dana K. (duty manager), on duty: L2`), then the others."""
    chains: dict[str, dict[int, set[Chain]]] = {}
    for chain in Chain:
        for line in range(1, TOP_LINE + 1):
            for entry in who_to_call(floor, chain, line, now):
                chains.setdefault(entry.staff_id, {}).setdefault(line, set()).add(chain)
    staff = sorted(floor.staff.values(), key=lambda s: (s.id not in chains, s.role, s.name))
    options = []
    for member in staff:
        pit = f", pit {member.pit}" if member.pit else ""
        label = f"{member.name} ({ROLE_LABELS[member.role]}{pit})"
        if member.id in chains:
            # a line answered on the payments chain alone says so
            lines = [
                f"L{line}" if Chain.MAIN in on else f"L{line} payments"
                for line, on in sorted(chains[member.id].items())
            ]
            label += f", on duty: {', '.join(lines)}"
        options.append((label, member.id))
    return options


class IncidentActionsScreen(FloorScreen):
    """The actions on one incident (`incident_id`); the layout is `IncidentScreen`'s."""

    # the rarer keys stay off the footer (80 columns); `?` lists every one
    BINDINGS = [
        Binding("a", "ack", "Ack", id="incident.ack"),
        Binding("t", "take", "Take", id="incident.take"),
        Binding("s", "assign", "Assign", id="incident.assign", show=False),
        Binding("m", "note", "Note", id="incident.note"),
        Binding("p", "priority", "Priority", id="incident.priority", show=False),
        Binding("x", "escalate", "Escalate", id="incident.escalate"),
        Binding("b", "stabilise", "Stabilise", id="incident.stabilise"),
        Binding("r", "resolve", "Resolve", id="incident.resolve"),
        Binding("R", "reopen", "Reopen", id="incident.reopen", show=False),
        Binding("c", "close", "Close", id="incident.close"),
        Binding("g", "page", "Page", id="incident.page"),
        Binding("k", "compensation", "Recovery", id="incident.compensation", show=False),
        Binding("f", "report", "Report", id="incident.report", show=False),
        Binding("h", "help_offer", "Help offered", id="incident.help_offer", show=False),
        Binding("P", "player", "Player", id="incident.player", show=False),
    ]

    incident_id: int | None

    @property
    def incident(self) -> Incident | None:
        if self.incident_id is None:
            return None
        return self.floor.incidents.get(self.incident_id)

    # --- what may run ----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        probe = _PROBES.get(action)
        incident = self.incident
        if action in ("page", "player"):
            return incident is not None
        if action == "help_offer":
            return incident is not None and has_rg_flag(
                incident_flags(self.floor, incident, self.now)
            )
        if probe is None:
            return True
        me = self.source.me
        if incident is None or me is None:
            return False
        if action == "take" and incident.owner == me.id:
            return False
        try:
            events = decide(self.floor, probe(incident), Actor(me), self.now)
        except Rejected as exc:
            if exc.code is RejectCode.FORBIDDEN:
                return True  # shown: pressing it says who may
            # kept visible so pressing it says what to record first
            owed = compensation_due(incident, self.floor.policy) and not incident.compensation
            return action == "close" and incident.state is IncidentState.RESOLVED and bool(owed)
        return bool(events)

    def needed_actions(self) -> tuple[str, ...]:
        """What this incident waits for from the signed-in user: the footer shows it first."""
        incident, me = self.incident, self.source.me
        if incident is None or me is None:
            return ()
        needed: list[str] = []
        owed = compensation_due(incident, self.floor.policy) and not incident.compensation
        if owed and role_may(me.role, "record_compensation"):
            needed.append("compensation")
        if (
            incident.report_due is not None
            and not incident.report
            and role_may(me.role, "file_report")
        ):
            needed.append("report")
        return tuple(needed)

    def _may(self, action: str) -> Incident | None:
        """The incident, if the signed-in role may do `action`; else say why not."""
        me = self.source.me
        incident = self.incident
        if incident is None or me is None:
            return None
        command_type = _COMMAND_TYPE[action]
        if not role_may(me.role, command_type):
            self.notify(
                why_not(me.role, command_type),
                title="Not allowed",
                severity="warning",
                markup=False,
            )
            return None
        return incident

    def _send(self, command: c.Command, done: str) -> None:
        self.post_message(CommandRequested(command, done=done))
        incident = self.incident
        if (
            incident is not None
            and not isinstance(command, c.RecordHelpOffer)
            and self._help_not_recorded(incident)
        ):
            self._ask_help_offer(incident)

    def _help_not_recorded(self, incident: Incident) -> bool:
        """The player has a responsible-gambling flag and nobody has said whether
        help resources were offered on this incident (nor has it queued)."""
        if not has_rg_flag(incident_flags(self.floor, incident, self.now)):
            return False
        if any(e.kind == EventType.HELP_OFFER_RECORDED for e in incident.timeline):
            return False
        return not any(
            p.command.type == "record_help_offer" and p.incident_id == incident.id
            for p in self.source.pending
        )

    def _ask_help_offer(self, incident: Incident) -> None:
        from screens.player_care import HelpOfferModal

        def record(answer: tuple[HelpAnswer, str] | None) -> None:
            if answer is not None:
                help_answer, note = answer
                self._send(
                    c.RecordHelpOffer(incident_id=incident.id, answer=help_answer, note=note),
                    f"{help_answer.label} on #{incident.id}",
                )

        flags = incident_flags(self.floor, incident, self.now)
        self.app.push_screen(HelpOfferModal(incident.player.display, flags), record)

    # --- actions -------------------------------------------------------------

    def action_ack(self) -> None:
        if incident := self._may("ack"):
            self.app.push_screen(
                AckModal(f"Acknowledge #{incident.id}"), ack_sender(self._send, incident.id)
            )

    def action_take(self) -> None:
        if incident := self._may("take"):
            self._send(
                c.Take(incident_id=incident.id, expected_version=incident.version),
                f"took #{incident.id}",
            )

    def action_assign(self) -> None:
        if not (incident := self._may("assign")):
            return
        version = incident.version  # the version this user saw, not the one at OK
        options = assign_options(self.floor, self.now)

        def assign(owner: str | None) -> None:
            if owner:
                name = self.floor.staff_name(owner)
                self._send(
                    c.Assign(incident_id=incident.id, owner=owner, expected_version=version),
                    f"assigned #{incident.id} to {name}",
                )

        self.app.push_screen(AssignModal(options, current=incident.owner), assign)

    def action_note(self) -> None:
        if not (incident := self._may("note")):
            return

        def note(text: str | None) -> None:
            if text:
                self._send(c.AddNote(incident_id=incident.id, text=text), f"noted #{incident.id}")

        self.app.push_screen(NoteModal(f"Note on #{incident.id}"), note)

    def action_priority(self) -> None:
        if not (incident := self._may("priority")):
            return

        def change(answer: tuple[Priority, str] | None) -> None:
            if answer:
                priority, reason = answer
                self._send(
                    c.SetPriority(incident_id=incident.id, priority=priority, reason=reason),
                    f"#{incident.id} is now {priority}",
                )

        self.app.push_screen(PriorityModal(incident.priority), change)

    def action_escalate(self) -> None:
        if not (incident := self._may("escalate")):
            return
        me = self.source.me

        def refusal(line: int) -> str | None:
            # the rule is domain.decide's: a dry run says whether, and why not
            try:
                if me is not None:
                    probe = c.Escalate(incident_id=incident.id, line=line, reason="-")
                    decide(self.floor, probe, Actor(me), self.now)
            except Rejected as exc:
                return exc.message
            return None

        def escalate(answer: tuple[int, str] | None) -> None:
            if answer is not None:
                line, reason = answer
                self._send(
                    c.Escalate(incident_id=incident.id, line=line, reason=reason),
                    f"escalated #{incident.id} to L{line}",
                )

        title = f"Escalate #{incident.id} by hand"
        modal = EscalateModal(title, incident.chain, incident.line, refusal)
        self.app.push_screen(modal, escalate)

    def action_stabilise(self) -> None:
        if not (incident := self._may("stabilise")):
            return

        def stabilise(note: str | None) -> None:
            if note is not None:
                self._send(
                    c.Stabilise(incident_id=incident.id, note=note), f"stabilised #{incident.id}"
                )

        self.app.push_screen(OptionalNoteModal(f"Stabilise #{incident.id}"), stabilise)

    def action_resolve(self) -> None:
        if not (incident := self._may("resolve")):
            return
        version = incident.version

        def resolve(note: str | None) -> None:
            if note is not None:
                self._send(
                    c.Resolve(incident_id=incident.id, note=note, expected_version=version),
                    f"resolved #{incident.id}",
                )

        self.app.push_screen(OptionalNoteModal(f"Resolve #{incident.id}"), resolve)

    def action_reopen(self) -> None:
        if not (incident := self._may("reopen")):
            return

        def reopen(reason: str | None) -> None:
            if reason is not None:
                self._send(
                    c.Reopen(incident_id=incident.id, reason=reason), f"reopened #{incident.id}"
                )

        self.app.push_screen(ReasonModal(f"Reopen #{incident.id}"), reopen)

    def action_close(self) -> None:
        if not (incident := self._may("close")):
            return
        command = c.Close(incident_id=incident.id, expected_version=incident.version)
        me = self.source.me
        try:
            # a dry run: an owed service recovery blocks closing, say so before queueing
            if me is not None:
                decide(self.floor, command, Actor(me), self.now)
        except Rejected as exc:
            if exc.code is RejectCode.ILLEGAL:
                self.notify(
                    exc.message,
                    title=f"#{incident.id} not closed",
                    severity="warning",
                    markup=False,
                )
                return
        self._send(command, f"closed #{incident.id}")

    def action_compensation(self) -> None:
        if not (incident := self._may("compensation")):
            return
        proposal = incident.compensation or compensation_due(incident, self.floor.policy) or ""

        def record(text: str | None) -> None:
            if text:
                self._send(
                    c.RecordCompensation(incident_id=incident.id, text=text),
                    f"service recovery recorded on #{incident.id}",
                )

        self.app.push_screen(CompensationModal(value=proposal), record)

    def action_report(self) -> None:
        if not (incident := self._may("report")):
            return

        def report(answer: tuple[str, str] | None) -> None:
            if answer:
                cause, measures = answer
                self._send(
                    c.FileReport(incident_id=incident.id, root_cause=cause, measures=measures),
                    f"report filed on #{incident.id}",
                )

        self.app.push_screen(ReportModal(f"Report on #{incident.id}"), report)

    def action_help_offer(self) -> None:
        if incident := self._may("help_offer"):
            self._ask_help_offer(incident)

    def action_player(self) -> None:
        from screens.player_care import PlayerScreen

        if (incident := self.incident) is not None:
            self.app.push_screen(PlayerScreen(incident.id))

    def action_page(self) -> None:
        from screens.escalation import EscalationScreen

        if incident := self._may("page"):
            self.app.push_screen(EscalationScreen(incident_id=incident.id))
