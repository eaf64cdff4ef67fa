"""Staff administration (admins only): who may sign in, as what, and their PINs.

Every member is listed, the active ones first, then the deactivated ones
(kept, so their names stay in timelines). `a` adds someone, `c` (or enter)
changes the highlighted member's role or pit, `x` deactivates them, `r`
reactivates them, `p` resets their PIN. A new or reset one-time PIN is shown
once, in a dialog the admin dismisses, and kept nowhere after.

These commands are not queued in the outbox: each needs the server's answer
there and then (a PIN, or a refusal). So they are refused up front while the
terminal is offline, sent from this screen's worker one at a time, and the
list changes when the server's events arrive, as on every other terminal.
A refusal is shown in the server's words; a refused add or change opens its
dialog again with what was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import DataTable, Static

from api_client.contract import Changes, Link
from api_client.errors import ClientError, ServerTrouble, ServerUnreachable
from api_client.rest import HttpError
from domain.floor_changes import FLOOR_EVENTS
from domain.models import Role, Staff
from domain.permissions import ROLE_LABELS
from domain.protocol import JournalHead, StaffPin, StaffResult
from domain.staff_admin import admins_only
from domain.state import FloorState
from screens.staff_modals import (
    AddStaffModal,
    ChangeStaffModal,
    PinModal,
    StaffDraft,
    StaffQuestionModal,
)
from tui.floor_screen import FloorScreen
from tui.source import StaffCommands
from tui.timefmt import format_datetime

WIDE = 110  # columns from which the pit's name and the rota are shown

StaffCall = Callable[[StaffCommands], Awaitable[StaffPin | StaffResult]]


@dataclass(frozen=True, slots=True)
class StaffRow:
    member: Staff
    active: bool


@dataclass(frozen=True, slots=True)
class StaffJob:
    """One staff command on its way: what to say while it runs and once it is done."""

    doing: str  # "adding Quinn B. (pb4)"
    call: StaffCall
    done: str  # "Quinn B. (pb4) added as pit boss of pit 1"
    # a refused add or change: its dialog again, with what was typed and the reason
    retry: Callable[[str], None] | None = None
    reset: bool = False  # the PIN answered replaces one (for the PIN dialog's title)


def staff_rows(floor: FloorState) -> list[StaffRow]:
    """Active members by ID, then deactivated ones by ID."""
    active = [StaffRow(m, True) for _, m in sorted(floor.staff.items())]
    gone = [StaffRow(m, False) for _, m in sorted(floor.inactive_staff.items())]
    return active + gone


def pit_label(floor: FloorState, pit_id: str | None, *, named: bool) -> str:
    if not pit_id:
        return "-"
    pit = floor.pits.get(pit_id)
    return f"{pit_id} {pit.name}" if named and pit is not None and pit.name else pit_id


def pit_choices(floor: FloorState) -> list[tuple[str, str]]:
    """(label, pit id) for every pit the floor knows: its pits and any a table names."""
    ids = set(floor.pits) | {a.pit for a in floor.assets.values() if a.pit}
    return [(pit_label(floor, pit_id, named=True), pit_id) for pit_id in sorted(ids)]


def rota_text(floor: FloorState, staff_id: str) -> str:
    """`main L1, payments L1`: the rota lines they answer on, or ""."""
    lines = sorted({(str(e.chain), e.line) for e in floor.roster if e.staff_id == staff_id})
    return ", ".join(f"{chain} L{line}" for chain, line in lines)


def role_words(role: Role, pit: str | None) -> str:
    """`pit boss of pit 2`, `duty manager`."""
    label = ROLE_LABELS[role]
    return f"{label} of pit {pit}" if pit and role is Role.PIT_BOSS else label


def journal_head_text(head: JournalHead, timezone: str) -> str:
    """Two lines: the entry and when it was read, then the whole hash to copy down."""
    read = format_datetime(head.server_time, timezone)
    return (
        f"Journal head at {read}: entry {head.seq:,} (write it down; j reads it again)"
        f"\nsha256 {head.hash}"
    )


def unanswered(exc: ClientError) -> str:
    """A call that got no considered answer: it may or may not have been done."""
    if isinstance(exc, ServerUnreachable | ServerTrouble):
        return (
            f"no answer from the server ({exc.message}): look at the list, then try again"
            " (staff changes are not queued)"
        )
    return exc.message


class StaffScreen(FloorScreen):
    HELP_TITLE = "Staff administration"
    DEFAULT_CSS = """
    StaffScreen #staff-head { height: 1; padding: 0 1; text-style: bold; }
    StaffScreen #staff-note { height: auto; padding: 0 1; color: $warning; }
    StaffScreen #staff-journal { height: auto; padding: 0 1; color: $text-muted; }
    StaffScreen #staff-table { height: 1fr; }
    """
    BINDINGS = [
        Binding("a", "add", "Add", id="staff.add"),
        Binding("c", "change", "Role/pit", id="staff.change"),
        Binding("x", "deactivate", "Deactivate", id="staff.deactivate"),
        Binding("r", "reactivate", "Reactivate", id="staff.reactivate"),
        Binding("p", "reset_pin", "Reset PIN", id="staff.reset_pin"),
        Binding("j", "journal_head", "Journal head", id="staff.journal_head"),
        Binding("escape", "leave", "Back", id="staff.back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, StaffRow] = {}
        self._wide: bool | None = None
        self._busy = ""  # what is waiting for the server's answer
        # a PIN answered while the terminal was locked: shown once it is unlocked
        self._held_pin: tuple[StaffPin, bool] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="staff-head")
        yield Static(id="staff-note")
        yield Static(id="staff-journal")
        table: DataTable[Text] = DataTable(id="staff-table", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.floor_app, "locked", self._lock_changed, init=False)
        self._show_staff()
        self._show_note()
        self.action_journal_head()
        self.query_one(DataTable).focus()

    # --- the list --------------------------------------------------------------

    def on_floor_changed(self, changes: Changes) -> None:
        me = self.source.me
        if me is not None and me.role is not Role.ADMIN and self.is_current:
            self.notify(f"Staff: {admins_only(me.role)}", severity="warning", markup=False)
            self.app.pop_screen()
            return
        # staff, and the pits and rota the wide list names
        if changes.reset or any(e.type in FLOOR_EVENTS for e in changes.events):
            self._show_staff()
        if changes.reset or changes.status:
            self._show_note()

    def on_resize(self) -> None:
        if self._wide is not None and (self.app.size.width >= WIDE) != self._wide:
            self._show_staff()

    def _show_staff(self) -> None:
        floor = self.floor
        table: DataTable[Text] = self.query_one(DataTable)
        keep = self._highlighted_id()
        wide = self.app.size.width >= WIDE
        if wide != self._wide:
            table.clear(columns=True)
            headings = ["ID", "Name", "Role", "Pit", *(["On the rota"] if wide else []), "Status"]
            for heading in headings:
                table.add_column(heading, key=heading)
            self._wide = wide
        else:
            table.clear()
        rows = staff_rows(floor)
        self._rows = {row.member.id: row for row in rows}
        me = self.source.me
        for row in rows:
            table.add_row(*self._cells(row, me, wide), key=row.member.id)
        if keep in self._rows:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        active = len(floor.staff)
        self.query_one("#staff-head", Static).update(
            f"Staff: {active} active, {len(rows) - active} deactivated"
        )
        self.refresh_bindings()

    def _cells(self, row: StaffRow, me: Staff | None, wide: bool) -> list[Text]:
        floor = self.floor
        member = row.member
        style = "" if row.active else "dim"
        name = member.name + (" (you)" if me is not None and me.id == member.id else "")
        cells = [
            member.id,
            name,
            ROLE_LABELS[member.role],
            pit_label(floor, member.pit, named=wide),
        ]
        if wide:
            cells.append(rota_text(floor, member.id) or "-")
        cells.append("active" if row.active else "deactivated")
        # Text, never str: a name is not markup
        return [Text(cell, style=style) for cell in cells]

    def _show_note(self) -> None:
        note = self.query_one("#staff-note", Static)
        link = self.source.status.link
        if self._busy:
            text = f"{self._busy}: waiting for the server's answer"
        elif link is not Link.ONLINE:
            text = (
                f"{link.value.replace('_', ' ').capitalize()}: staff changes need the server"
                " (they are not queued); the list is as last synced"
            )
        else:
            text = ""
        note.display = bool(text)
        note.update(Content(text))  # names in it are not markup

    def _highlighted_id(self) -> str | None:
        # bindings are checked before the table is mounted and while the screen closes
        try:
            table: DataTable[Text] = self.query_one(DataTable)
        except NoMatches:
            return None
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key if key in self._rows else None

    def _highlighted(self) -> StaffRow | None:
        staff_id = self._highlighted_id()
        return self._rows.get(staff_id) if staff_id is not None else None

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_change()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        row = self._highlighted()
        if action == "deactivate":
            return row is not None and row.active
        if action == "reactivate":
            return row is not None and not row.active
        if action in ("change", "reset_pin"):
            return row is not None
        return True

    # --- the commands ------------------------------------------------------------

    def _still_busy(self) -> bool:
        if self._busy:
            text = f"still {self._busy}: wait for the server's answer"
            self.notify(text, severity="warning", markup=False)
        return bool(self._busy)

    def _cannot_send(self) -> bool:
        """Say why a command cannot go now (offline, or one still on its way)."""
        if self._still_busy():
            return True
        link = self.source.status.link
        if link is Link.ONLINE:
            return False
        self.notify(
            f"Staff changes need the server, and this terminal is {link.value.replace('_', ' ')}:"
            " nothing was changed (they are not queued).",
            title="Not done",
            severity="warning",
            markup=False,
        )
        return True

    def action_add(self) -> None:
        if not self._cannot_send():
            self._ask_add()

    def _ask_add(self, draft: StaffDraft | None = None, error: str = "") -> None:
        modal = AddStaffModal(pit_choices(self.floor), draft=draft, error=error)
        self.app.push_screen(modal, self._add_chosen)

    def _add_chosen(self, draft: StaffDraft | None) -> None:
        if draft is None:
            return
        who = f"{draft.name} ({draft.staff_id})"
        self._send(
            StaffJob(
                doing=f"adding {who}",
                call=lambda admin: admin.add(draft.staff_id, draft.name, draft.role, draft.pit),
                done=f"{who} added as {role_words(draft.role, draft.pit)}",
                retry=partial(self._ask_add, draft),
            )
        )

    def action_change(self) -> None:
        row = self._highlighted()
        if row is not None and not self._cannot_send():
            self._ask_change(row.member)

    def _ask_change(self, member: Staff, draft: StaffDraft | None = None, error: str = "") -> None:
        modal = ChangeStaffModal(member, pit_choices(self.floor), draft=draft, error=error)
        self.app.push_screen(modal, partial(self._change_chosen, member))

    def _change_chosen(self, member: Staff, draft: StaffDraft | None) -> None:
        if draft is None:
            return
        pit = draft.pit or ""  # "" takes a pit away
        role_changed = draft.role is not member.role
        self._send(
            StaffJob(
                doing=f"changing {member.name} ({member.id})",
                call=lambda admin: (
                    admin.change_role(member.id, draft.role, pit)
                    if role_changed
                    else admin.change_pit(member.id, pit)
                ),
                done=f"{member.name} ({member.id}) is now {role_words(draft.role, draft.pit)}",
                retry=lambda reason: self._ask_change(member, draft, reason),
            )
        )

    def action_deactivate(self) -> None:
        row = self._highlighted()
        if row is None or not row.active or self._cannot_send():
            return
        member = row.member
        question = (
            f"Deactivate {member.name} ({member.id})? They are signed out everywhere at once"
            " and can no longer sign in; their name stays in timelines."
        )
        rota = rota_text(self.floor, member.id)
        if rota:
            question += f" They are on the rota for {rota}."
        question += self._if_you(member)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._send(
                    StaffJob(
                        doing=f"deactivating {member.name} ({member.id})",
                        call=lambda admin: admin.deactivate(member.id),
                        done=f"{member.name} ({member.id}) deactivated",
                    )
                )

        self.app.push_screen(
            StaffQuestionModal("Deactivate", question, ok_label="Deactivate"), confirmed
        )

    def action_reactivate(self) -> None:
        row = self._highlighted()
        if row is None or row.active or self._cannot_send():
            return
        member = row.member
        self._send(
            StaffJob(
                doing=f"reactivating {member.name} ({member.id})",
                call=lambda admin: admin.reactivate(member.id),
                done=f"{member.name} ({member.id}) may sign in again",
            )
        )

    def action_reset_pin(self) -> None:
        row = self._highlighted()
        if row is None or self._cannot_send():
            return
        member = row.member
        question = (
            f"Give {member.name} ({member.id}) a new one-time PIN? Their PIN stops working"
            " and their terminals are signed out now. The new PIN is shown once."
        ) + self._if_you(member)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._send(
                    StaffJob(
                        doing=f"resetting the PIN of {member.name} ({member.id})",
                        call=lambda admin: admin.reset_pin(member.id),
                        done=f"{member.name} ({member.id}) has a new one-time PIN",
                        reset=True,
                    )
                )

        self.app.push_screen(
            StaffQuestionModal("Reset PIN", question, ok_label="Reset PIN"), confirmed
        )

    def _if_you(self, member: Staff) -> str:
        me = self.source.me
        return " That is you: this terminal signs out." if me and me.id == member.id else ""

    def action_leave(self) -> None:
        # leaving would cancel the call halfway, with the server's answer (a PIN) unread
        if not self._still_busy():
            self.floor_app.action_back()

    def _send(self, job: StaffJob) -> None:
        # busy from now, not from when the worker starts: one command at a time
        self._busy = job.doing
        self._show_note()
        self._run(job)

    @work(group="staff-admin", exit_on_error=False)
    async def _run(self, job: StaffJob) -> None:
        try:
            answer = await job.call(self.client.staff_admin)
        except HttpError as exc:
            self._refused(job, exc.problem.detail)
        except ClientError as exc:
            self._refused(job, unanswered(exc))
        except Exception as exc:  # a failed call must never take the terminal down
            self.log.error(f"staff command failed: {exc!r}")
            self._refused(job, f"failed: {exc}")
        else:
            self.notify(job.done, markup=False)
            if isinstance(answer, StaffPin):
                self._show_pin(answer, reset=job.reset)
        finally:
            self._busy = ""
            self._show_note()

    def _refused(self, job: StaffJob, reason: str) -> None:
        if job.retry is not None and self.is_current:
            job.retry(reason)
        else:
            self.notify(reason, title="Not done", severity="error", timeout=10, markup=False)

    # --- the journal's head ------------------------------------------------------------

    def action_journal_head(self) -> None:
        self._journal("Journal head: reading it from the server")
        self._read_journal_head()

    @work(group="journal-head", exclusive=True, exit_on_error=False)
    async def _read_journal_head(self) -> None:
        try:
            head = await self.client.staff_admin.journal_head()
        except HttpError as exc:
            self._journal(f"Journal head: {exc.problem.detail}")
        except ClientError as exc:
            self._journal(f"Journal head: not read, {exc.message} (j to try again)")
        except Exception as exc:  # a failed read must never take the terminal down
            self.log.error(f"journal head failed: {exc!r}")
            self._journal(f"Journal head: not read ({exc}); j to try again")
        else:
            self._journal(journal_head_text(head, self.floor.policy.timezone))

    def _journal(self, text: str) -> None:
        self.query_one("#staff-journal", Static).update(Content(text))

    # --- the one-time PIN ----------------------------------------------------------

    def _show_pin(self, issued: StaffPin, *, reset: bool) -> None:
        if self.floor_app.locked:  # never on top of the lock screen
            self._held_pin = (issued, reset)
            return
        self.app.push_screen(PinModal(issued, reset=reset))

    def _lock_changed(self, locked: bool) -> None:
        if not locked and self._held_pin is not None:
            (issued, reset), self._held_pin = self._held_pin, None
            self._show_pin(issued, reset=reset)
