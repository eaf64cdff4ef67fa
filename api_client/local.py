"""Everything one signed-in user has on this terminal, with no network involved.

`LocalFloor` joins the replica (confirmed state), the outbox (pending and
refused commands) and the optimistic view over both, and tells subscribers
what moved. The sync loop feeds it events and answers; the UI reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from api_client import heap, storage
from api_client.changes import ChangeHub
from api_client.contract import Changes, Conflict, ConnectionStatus, Link, PendingCommand
from api_client.errors import CannotWithdraw
from api_client.optimistic import (
    OptimisticView,
    rewrite_local_ids,
    touched,
    without_guessed_downtime,
)
from api_client.outbox import WITHDRAWN, LocalId, Outbox
from api_client.replica import Replica
from api_client.summaries import incident_label
from domain.commands import Command, mask_command
from domain.cover import COVER_EVENTS
from domain.decide import Actor, decide
from domain.epochs import is_restore_of, log_of
from domain.events import Event
from domain.models import Staff
from domain.protocol import CommandError, CommandResult
from domain.state import FloorState


@dataclass(frozen=True, slots=True)
class Answer:
    """The server's answer to one sent command (`command` as sent, local ids rewritten)."""

    pending: PendingCommand
    command: Command
    result: CommandResult


class LocalFloor:
    def __init__(
        self,
        folder: Path,
        *,
        server: str,
        staff_id: str,
        terminal: str,
        hub: ChangeHub,
        now: Callable[[], float],
    ) -> None:
        self.staff_id = staff_id
        self._terminal = terminal
        self._hub = hub
        self._now = now
        self.replica = Replica(
            folder / f"{storage.safe_name(staff_id)}.db", server=server, staff_id=staff_id
        )
        self.outbox = Outbox(folder / "outbox.db")
        self.warnings: list[str] = []
        if self.replica.set_aside_as is not None:
            self.warnings.append(
                f"the local copy of the floor was unreadable ({self.replica.set_aside_as.name});"
                " rebuilding it from the server"
            )
        if self.outbox.set_aside_as is not None:
            self.warnings.append(
                f"the outbox file could not be used ({self.outbox.set_aside_why}) and is kept"
                f" as {self.outbox.set_aside_as.name}; commands in it were not sent"
            )
        self._local_ids: dict[int, LocalId] = self.outbox.local_ids()
        self._sent: set[str] = self.outbox.sent()  # handed to the sender, not yet answered
        # accepted by the server, not yet seen on the feed: (seq, command), kept
        # in the view so nothing blinks out between the answer and its events
        self._settling: list[tuple[int, PendingCommand]] = []
        self.pending: tuple[PendingCommand, ...] = tuple(self.outbox.pending(staff_id))
        self.conflicts: tuple[Conflict, ...] = tuple(self.outbox.conflicts(staff_id))
        self.status = ConnectionStatus(Link.OFFLINE, since=now(), pending=len(self.pending))
        self._view = OptimisticView(self._server_id)

    @property
    def confirmed(self) -> FloorState:
        return self.replica.state

    @property
    def state(self) -> FloorState:
        """The optimistic view, folded on demand."""
        return self._view.get(self.confirmed, self._unanswered(), self._actor())

    @property
    def me(self) -> Staff | None:
        return self.replica.me

    def close(self) -> None:
        self.replica.close()
        self.outbox.close()

    # -- from the server ------------------------------------------------------

    def take_snapshot(self, epoch: str, state: FloorState, me: Staff) -> None:
        before = self.replica.epoch
        if before is not None and epoch != before:
            # first the outbox: a crash between the two takes this snapshot again
            self._log_changed(before, epoch)
        self.replica.replace(epoch, state, me)
        self._settle_seen()
        self._hub.publish(Changes(reset=True, roster=True))

    def _log_changed(self, before: str, epoch: str) -> None:
        """Another event log: a restore of ours sends again what its backup had not seen."""
        self._settling.clear()  # answers from the old log: its seqs mean nothing here
        if is_restore_of(epoch, before):
            self.outbox.replay_after_restore(log_of(before))
        else:
            self.outbox.forget_accepted()
        self._local_ids = self.outbox.local_ids()
        before_pending = self.pending
        self.pending = tuple(self.outbox.pending(self.staff_id))
        self._view.invalidate()
        self._outbox_moved([*before_pending, *self.pending])

    async def pace(self, events: int) -> None:
        """Before folding a catch-up page: let the screens show the last one first."""
        if events >= heap.CATCH_UP_PAGE:
            await self._hub.readers_settled()

    def apply_events(self, events: list[Event]) -> None:
        incidents, downtimes = self.replica.apply(events)
        self._settle_seen()
        mine_i, mine_d = touched(self._unanswered(), self.confirmed)
        self._hub.publish(
            Changes(
                incidents=frozenset(incidents | mine_i),
                downtimes=frozenset(downtimes | mine_d),
                # a cover or a confirmed contact changes who the ladders show
                roster=any(e.type in COVER_EVENTS for e in events),
                events=tuple(events),
            )
        )
        heap.settle_after(len(events))

    def set_me(self, me: Staff) -> None:
        if me != self.replica.me:
            self.replica.save_me(me)
            self._hub.publish(Changes(reset=True))

    def set_status(self, status: ConnectionStatus) -> None:
        if status != self.status:
            self.status = status
            self._hub.publish(Changes(status=True))

    # -- the outbox -----------------------------------------------------------

    def queue(self, command: Command, command_id: str, issued_at: float) -> PendingCommand:
        """Decide locally (a `Rejected` propagates, nothing queued), commit, show."""
        actor = self._actor()
        if actor is None:
            raise RuntimeError("no signed-in staff member for this floor")
        # nothing stored on this terminal may hold a full card number
        command = without_guessed_downtime(mask_command(command), self.confirmed)
        # only the verdict matters here: the view folds the command from the outbox
        decide(self.state, command, actor, issued_at, command_id=command_id, new_incident_id=-1)
        queued = self.outbox.add(self.staff_id, command_id, command, issued_at)
        if queued.incident_id is not None and queued.incident_id < 0:
            self._local_ids[queued.incident_id] = LocalId(None, None)
        self.pending = (*self.pending, queued)
        self._outbox_moved([queued])
        return queued

    def next_chunk(self, limit: int) -> list[tuple[PendingCommand, Command]]:
        """The next commands to send, in order, with local incident numbers rewritten.

        Stops before a command whose local incident is created earlier in the
        same chunk: its number is only known once that answer is in. A command
        whose local incident was refused (or lost) becomes a conflict here.
        What it returns is marked sent: it can no longer be withdrawn.
        """
        while True:
            chunk, orphan = self._chunk(limit)
            if orphan is None:
                # handed to the sender: from here the server may have them
                fresh = [p.command_id for p, _ in chunk if p.command_id not in self._sent]
                if fresh:
                    self.outbox.mark_sent(fresh)
                    self._sent.update(fresh)
                return chunk
            pending, ref, why = orphan
            reason = f"incident {incident_label(ref)} was not opened on the server: {why}"
            self.settle([], [(pending, CommandError(code="not_found", message=reason))])

    def settle(
        self, accepted: Sequence[Answer], refused: Sequence[tuple[PendingCommand, CommandError]]
    ) -> None:
        """Take a batch of answers: one transaction, one notice."""
        self.outbox.settle(
            self.staff_id,
            [(a.pending, a.result.incident_id) for a in accepted],
            list(refused),
            epoch=self.replica.epoch,
            seqs={a.pending.command_id: a.result.seq for a in accepted},
            now=self._now(),
        )
        for answer in accepted:
            self._accepted(answer)
        for pending, error in refused:
            if pending.command.type == "open_incident" and pending.incident_id is not None:
                self._local_ids[pending.incident_id] = LocalId(None, error.message)
        if refused:
            self.conflicts = tuple(self.outbox.conflicts(self.staff_id))
        answered = {a.pending.command_id for a in accepted} | {p.command_id for p, _ in refused}
        self._sent -= answered
        before = self.pending
        self.pending = tuple(p for p in self.pending if p.command_id not in answered)
        self._view.invalidate()
        self._outbox_moved(before)

    def not_sent(self, command_ids: Sequence[str]) -> None:
        """A send that made no connection: these are only on this terminal still."""
        self.outbox.unmark_sent(list(command_ids))
        self._sent.difference_update(command_ids)

    def withdraw(self, command_id: str) -> PendingCommand:
        """Take back a queued command the server has not been sent; raises `CannotWithdraw`.

        One already handed to the sender may have reached the server, so it
        waits for its answer. An incident opened offline cannot go while
        commands queued after it are about it: those are withdrawn first.
        """
        pending = next((p for p in self.pending if p.command_id == command_id), None)
        if pending is None:
            raise CannotWithdraw("no longer waiting to be sent: the server has answered it")
        if command_id in self._sent:
            raise CannotWithdraw(
                f"{pending.summary} was sent and waits for the server's answer:"
                " it can no longer be withdrawn"
            )
        created = pending.incident_id if pending.command.type == "open_incident" else None
        followers = [
            p
            for p in self.pending
            if created is not None and p is not pending and p.incident_id == created
        ]
        if followers and created is not None:
            raise CannotWithdraw(
                f"{len(followers)} later command(s) on {incident_label(created)} are queued:"
                " withdraw those first"
            )
        if not self.outbox.withdraw(self.staff_id, command_id):
            raise CannotWithdraw(
                f"{pending.summary} was sent meanwhile: it can no longer be withdrawn"
            )
        if created is not None:
            self._local_ids[created] = LocalId(None, WITHDRAWN)
        self.pending = tuple(p for p in self.pending if p.command_id != command_id)
        self._view.invalidate()
        self._outbox_moved([pending])
        return pending

    def dismiss(self, command_id: str) -> bool:
        gone = self.outbox.dismiss(self.staff_id, command_id)
        if gone:
            self.conflicts = tuple(c for c in self.conflicts if c.command_id != command_id)
            self._outbox_moved([])
        return gone

    # -- internals ------------------------------------------------------------

    def _chunk(
        self, limit: int
    ) -> tuple[list[tuple[PendingCommand, Command]], tuple[PendingCommand, int, str] | None]:
        chunk: list[tuple[PendingCommand, Command]] = []
        created_here: set[int] = set()
        for pending in self.pending:
            ref = getattr(pending.command, "incident_id", None)
            if ref is not None and ref < 0:
                if ref in created_here:
                    break
                known = self._local_ids.get(ref)
                if known is None or known.server_id is None:
                    why = known.refused if known and known.refused else "it was never sent"
                    if not chunk:
                        return [], (pending, ref, why)
                    break  # send what comes before it first, in order
            if pending.command.type == "open_incident" and pending.incident_id is not None:
                created_here.add(pending.incident_id)
            chunk.append((pending, rewrite_local_ids(pending.command, self._server_id)))
            if len(chunk) >= limit:
                break
        return chunk, None

    def _accepted(self, answer: Answer) -> None:
        pending, result = answer.pending, answer.result
        if pending.command.type == "open_incident" and pending.incident_id is not None:
            self._local_ids[pending.incident_id] = LocalId(result.incident_id, None)
        if result.seq > self.confirmed.seq:
            incident_id = pending.incident_id
            if pending.command.type == "open_incident":
                incident_id = result.incident_id or incident_id  # the server's number now
            settled = replace(pending, command=answer.command, incident_id=incident_id)
            self._settling.append((result.seq, settled))

    def _unanswered(self) -> list[PendingCommand]:
        return [p for _, p in self._settling] + list(self.pending)

    def _actor(self) -> Actor | None:
        me = self.replica.me
        return Actor(me, self._terminal) if me is not None else None

    def _outbox_moved(self, affected: Sequence[PendingCommand]) -> None:
        self.status = _with_pending(self.status, len(self.pending))
        incidents, downtimes = touched([*affected, *self._unanswered()], self.confirmed)
        self._hub.publish(
            Changes(
                incidents=frozenset(incidents),
                downtimes=frozenset(downtimes),
                outbox=True,
                status=True,
            )
        )

    def _settle_seen(self) -> None:
        seq = self.confirmed.seq
        if any(s <= seq for s, _ in self._settling):
            self._settling = [(s, p) for s, p in self._settling if s > seq]

    def _server_id(self, local_id: int) -> int | None:
        known = self._local_ids.get(local_id)
        return known.server_id if known else None


def _with_pending(status: ConnectionStatus, pending: int) -> ConnectionStatus:
    return status if status.pending == pending else replace(status, pending=pending)
