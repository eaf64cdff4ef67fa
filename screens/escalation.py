"""Who to call now: the main ladder and the payments chain, with gaps highlighted.

`g` (or enter) pages the highlighted contact. Opened from an incident, the
page is logged on that incident and the screen goes back to it; the domain's
own dry run refuses a public call for a silent visit, with its reason.

Duty managers and admins also set a cover on a line (`c`), end one early
(`u`) and mark the highlighted contact confirmed after a test page (`v`).
Every contact says whether it is known to work; lines with nobody on duty
now or within two hours are named above the ladders.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from api_client.contract import Changes
from domain import commands as c
from domain.cover import active_cover, line_name, reach, who_to_call, window_end
from domain.decide import Actor, Rejected, decide
from domain.escalation import LINE_TITLES, TOP_LINE
from domain.events import EventType
from domain.models import Chain, Contact, Incident, RosterEntry
from domain.permissions import ROLE_LABELS, role_may
from domain.state import FloorState
from screens.cover_modal import CoverModal
from screens.modals import ConfirmModal
from tui.floor_screen import FloorScreen
from tui.floor_summary import GapWatch
from tui.messages import CommandRequested, PageRequested
from tui.timefmt import format_clock
from tui.widgets.ladder import GAP, GAP_TEXT, TitledLine, gap_text

CHAIN_TITLES = {Chain.MAIN: "main ladder", Chain.PAYMENTS: "payments chain"}
RECENT_PAGES = 4


@dataclass(frozen=True, slots=True)
class ContactRow:
    chain: Chain
    line: int
    staff_id: str | None  # None: nobody on duty (a gap)
    method: str = ""
    value: str = ""

    @property
    def option_id(self) -> str:
        return f"{self.chain}|{self.line}|{self.staff_id or ''}|{self.method}"


def age_text(seconds: float) -> str:
    """`12 min`, `5 h`, `3 d`."""
    if seconds < 3600:
        return f"{max(0, int(seconds // 60))} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} d"


def reach_notes(
    floor: FloorState, staff_id: str, contact: Contact, now: float
) -> tuple[Content, Content]:
    """`unconfirmed` / `confirmed 9 d ago` (a warning), or `confirmed 3 d ago` (dim),
    and the short forms for a narrow list: `unconf.`, `9 d`."""
    known = reach(floor, staff_id, contact, now)
    if known.confirmed_at is None:
        return Content.styled("unconfirmed", "$warning"), Content.styled("unconf.", "$warning")
    age = age_text(now - known.confirmed_at)
    style = "$warning" if known.stale else "dim"
    return Content.styled(f"confirmed {age} ago", style), Content.styled(age, style)


def ladder_rows(
    chain: Chain,
    on_duty_now: dict[int, list[RosterEntry]],
    floor: FloorState | None = None,
    now: float = 0.0,
) -> list[tuple[ContactRow, TitledLine]]:
    """One row per way to reach each on-duty person; a disabled row for each gap.

    With the floor given, a covering person's name says until when, and every way to
    reach someone says whether it is known to work. Each row lays itself out for
    the list's width: the line titles give way so that a name and a number are
    never broken over two lines."""
    titles = LINE_TITLES[chain]
    title_width = max(len(f"L{n} {t}") for n, t in titles.items())
    blank = Content.styled(" " * title_width, "bold")
    names: dict[tuple[int, str], str] = {}
    for line, entries in on_duty_now.items():
        cover = active_cover(floor, chain, line, now) if floor is not None else None
        for entry in entries:
            name = entry.name
            if cover is not None and cover.staff_id == entry.staff_id and floor is not None:
                name += f" (cover to {format_clock(cover.ends_at, floor.policy.timezone)})"
            names[(line, entry.staff_id)] = name
    name_width = max((len(n) for n in names.values()), default=0)
    parts: list[tuple[ContactRow, Content, Content, tuple[Content, Content] | None]] = []
    for line in range(1, TOP_LINE + 1):
        head = Content.styled(f"L{line} {titles[line]}".ljust(title_width), "bold")
        entries = on_duty_now.get(line, [])
        if not entries:
            gap = Content.styled(GAP_TEXT.upper(), "bold $error")
            parts.append((ContactRow(chain, line, None), head, gap, None))
            continue
        first_of_line = True
        for entry in entries:
            first_of_entry = True
            for contact in entry.contacts:
                name = names[(line, entry.staff_id)]
                how = Content.assemble(
                    (name if first_of_entry else "").ljust(name_width),
                    "  ",
                    f"{contact.method} {contact.value}",
                    (" (public)", "dim") if contact.public else "",
                )
                notes = reach_notes(floor, entry.staff_id, contact, now) if floor else None
                row = ContactRow(chain, line, entry.staff_id, contact.method, contact.value)
                parts.append((row, head if first_of_line else blank, how, notes))
                first_of_line = first_of_entry = False
    rest_cells = max(how.cell_length for _, _, how, _ in parts)
    title_cells = title_width + GAP
    note_cells = (
        max((n[0].cell_length for *_, n in parts if n), default=0),
        max((n[1].cell_length for *_, n in parts if n), default=0),
    )
    return [
        (row, TitledLine(head, how, title_cells, rest_cells, notes, note_cells))
        for row, head, how, notes in parts
    ]


class EscalationScreen(FloorScreen):
    HELP_TITLE = "Escalation ladder"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    DEFAULT_CSS = """
    EscalationScreen #escalation-head { height: auto; padding: 0 1; text-style: bold; }
    EscalationScreen #escalation-head.-silent { background: $silent-visit; color: $text; }
    EscalationScreen #escalation-ladders { height: 1fr; }
    EscalationScreen.-wide #escalation-ladders { layout: horizontal; }
    EscalationScreen .escalation-chain {
        height: auto; max-height: 65%; border: round $foreground 30%;
        border-title-color: $foreground 70%;
    }
    EscalationScreen .escalation-chain:focus { border: round $accent; }
    EscalationScreen.-wide .escalation-chain { width: 1fr; }
    EscalationScreen #escalation-gaps { height: auto; padding: 0 1; color: $warning; }
    EscalationScreen #escalation-gaps { text-style: bold; }
    EscalationScreen #escalation-recent { height: auto; padding: 0 1; color: $foreground 70%; }
    """
    BINDINGS = [
        Binding("g", "page", "Page", id="escalation.page"),
        Binding("c", "cover", "Cover", id="escalation.cover"),
        Binding("u", "end_cover", "End cover", id="escalation.end_cover"),
        Binding("v", "confirm_contact", "Confirmed", id="escalation.confirm"),
    ]

    def __init__(self, incident_id: int | None = None) -> None:
        super().__init__()
        self.incident_id = incident_id
        self._rows: dict[str, ContactRow] = {}
        self._shown: dict[Chain, tuple[str, ...]] = {}
        self._said: dict[Chain, tuple[str, ...]] = {}
        self._gap_watch = GapWatch()

    @property
    def incident(self) -> Incident | None:
        if self.incident_id is None:
            return None
        return self.floor.incidents.get(self.incident_id)

    def compose_body(self) -> ComposeResult:
        yield Static(id="escalation-head")
        yield Static(id="escalation-gaps")
        with Vertical(id="escalation-ladders"):
            for chain in Chain:
                ladder = OptionList(id=f"ladder-{chain}", classes="escalation-chain")
                ladder.border_title = CHAIN_TITLES[chain]
                yield ladder
        yield Static(id="escalation-recent")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_all()
        incident = self.incident
        chain = incident.chain if incident else Chain.MAIN
        ladder = self.query_one(f"#ladder-{chain}", OptionList)
        ladder.focus()
        # start on the incident's current line (or L1): the person to call first
        start = incident.line if incident else 1
        for index, row in enumerate(self._rows_of(chain)):
            if row.line >= start and row.staff_id:
                ladder.highlighted = index
                break

    def _rows_of(self, chain: Chain) -> list[ContactRow]:
        return [self._rows[i] for i in self._shown.get(chain, ())]

    # --- refresh -------------------------------------------------------------

    def on_tick(self, now: float) -> None:
        self._show_ladders(now)  # a shift may have changed hands, or a cover lapsed
        self._show_gaps(now)

    def on_floor_changed(self, changes: Changes) -> None:
        # `outbox`: a cover or confirmation of ours shows at once, before the server's word
        if changes.reset or changes.roster or changes.incidents or changes.outbox:
            self._show_all()

    def _show_all(self) -> None:
        self._show_head()
        self._show_gaps(self.now)
        self._show_ladders(self.now)
        self._show_recent()

    def _show_gaps(self, now: float) -> None:
        gaps = self._gap_watch.gaps(self.floor, now)
        box = self.query_one("#escalation-gaps", Static)
        tz = self.floor.policy.timezone
        box.display = bool(gaps)
        box.update("\n".join(gap_text(g, now, tz) for g in sorted(gaps, key=lambda g: g.starts_at)))

    def _show_head(self) -> None:
        head = self.query_one("#escalation-head", Static)
        clock = format_clock(self.now, self.floor.policy.timezone)
        incident = self.incident
        if incident is None:
            head.update(f"Who to call now ({clock}); g pages the highlighted contact")
            head.set_class(False, "-silent")
            return
        silent = incident.player.silent_visit
        head.set_class(silent, "-silent")
        text = f"Paging for #{incident.id} ({incident.kind.label}), at L{incident.line}"
        if silent:
            text += ": SILENT VISIT, no public calls"
        head.update(text)

    def _show_ladders(self, now: float) -> None:
        floor = self.floor
        for chain in Chain:
            by_line = {
                line: who_to_call(floor, chain, line, now) for line in range(1, TOP_LINE + 1)
            }
            rows = ladder_rows(chain, by_line, floor, now)
            ids = tuple(row.option_id for row, _ in rows)
            said = tuple(str(prompt) for _, prompt in rows)
            if self._said.get(chain) == said and self._shown.get(chain) == ids:
                continue  # same people, same words: keep the cursor where it is
            ladder = self.query_one(f"#ladder-{chain}", OptionList)
            keep = ladder.highlighted_option.id if ladder.highlighted_option else None
            ladder.set_options(
                Option(prompt, id=row.option_id, disabled=row.staff_id is None)
                for row, prompt in rows
            )
            self._shown[chain] = ids
            self._said[chain] = said
            self._rows.update({row.option_id: row for row, _ in rows})
            if keep in ids:
                ladder.highlighted = ids.index(keep)
            gaps = sum(1 for row, _ in rows if row.staff_id is None)
            ladder.border_title = CHAIN_TITLES[chain] + (
                f": {gaps} line(s) with no one on duty" if gaps else ""
            )
            ladder.set_class(bool(gaps), "-gaps")

    def _show_recent(self) -> None:
        """The last pages logged on incidents this terminal sees."""
        floor = self.floor
        entries = sorted(
            (
                (entry, incident.id)
                for incident in floor.incidents.values()
                for entry in incident.timeline
                if entry.kind == EventType.CONTACT_PAGED
            ),
            key=lambda pair: pair[0].at,
            reverse=True,
        )[:RECENT_PAGES]
        tz = floor.policy.timezone
        lines = [
            Content.assemble(
                (format_clock(entry.at, tz), "bold"),
                f" #{incident_id} {entry.text} (by {floor.staff_name(entry.actor)})",
            )
            for entry, incident_id in entries
        ]
        recent = self.query_one("#escalation-recent", Static)
        recent.display = bool(lines)
        recent.update(Content("\n").join([Content.styled("recent pages", "bold"), *lines]))

    # --- paging --------------------------------------------------------------

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self._page(self._rows[event.option.id])

    def _highlighted(self) -> ContactRow | None:
        focused = self.focused
        ladder = focused if isinstance(focused, OptionList) else None
        option = ladder.highlighted_option if ladder else None
        if option is None or option.id is None or option.disabled:
            return None
        return self._rows[option.id]

    def action_page(self) -> None:
        row = self._highlighted()
        if row is None:
            self.notify("highlight someone on duty first", severity="warning", markup=False)
            return
        self._page(row)

    def _page(self, row: ContactRow) -> None:
        me = self.source.me
        if row.staff_id is None or me is None:
            return
        command = c.PageContact(
            incident_id=self.incident_id, staff_id=row.staff_id, method=row.method
        )
        try:
            # a dry run: a public call for a silent visit is refused with its reason
            decide(self.floor, command, Actor(me), self.now)
        except Rejected as exc:
            self.notify(exc.message, title="Not paged", severity="warning", markup=False)
            return
        self.post_message(PageRequested(row.staff_id, row.method, self.incident_id))
        if self.incident_id is not None and self.app.screen is self:
            self.app.pop_screen()  # back to the incident, where the page is logged

    # --- covers and confirmed contacts (duty managers, admins) --------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        command = {
            "cover": "set_cover",
            "end_cover": "end_cover",
            "confirm_contact": "confirm_contact",
        }.get(action)
        if command is None:
            return True
        me = self.source.me
        return me is not None and role_may(me.role, command)

    def _line_here(self) -> tuple[Chain, int]:
        row = self._highlighted()
        if row is not None:
            return row.chain, row.line
        focused = self.focused
        for chain in Chain:
            if focused is not None and focused.id == f"ladder-{chain}":
                return chain, 2
        return Chain.MAIN, 2

    def action_cover(self) -> None:
        me = self.source.me
        if me is None:
            return
        floor = self.floor
        tz = floor.policy.timezone

        def until(choice: tuple[Chain, int]) -> str:
            end = window_end(self.floor, choice[0], choice[1], self.now)
            return format_clock(end, tz) if end is not None else ""

        def check(command: c.SetCover) -> str | None:
            try:
                decide(self.floor, command, Actor(me), self.now)
            except Rejected as exc:
                return exc.message
            return None

        lines = [
            (f"{line_name(chain, line)} ({chain})", (chain, line))
            for chain in Chain
            for line in range(1, TOP_LINE + 1)
        ]
        staff = [
            (f"{m.name} ({m.id}, {ROLE_LABELS[m.role]})", m.id)
            for m in sorted(floor.staff.values(), key=lambda m: m.name)  # active staff only
            if m.id != me.id
        ]
        # "take this line now": the one asking is first and already chosen
        mine = me.id in floor.staff
        if mine:
            staff.insert(0, (f"take it myself: {me.name} ({me.id})", me.id))
        modal = CoverModal(
            lines=lines,
            staff=staff,
            line=self._line_here(),
            until=until,
            now=lambda: self.now,
            timezone=tz,
            check=check,
            chosen=me.id if mine else None,
        )
        self.app.push_screen(modal, self._cover_chosen)

    def _cover_chosen(self, command: c.SetCover | None) -> None:
        if command is None:
            return
        name = self.floor.staff_name(command.staff_id)
        until = format_clock(command.until, self.floor.policy.timezone)
        where = line_name(command.chain, command.line)
        done = f"{name} covers {where} until {until}"
        self.post_message(CommandRequested(command, done=done))

    def action_end_cover(self) -> None:
        chain, line = self._line_here()
        cover = active_cover(self.floor, chain, line, self.now)
        where = line_name(chain, line)
        if cover is None:
            self.notify(f"nobody covers {where} now", severity="warning", markup=False)
            return
        name = self.floor.staff_name(cover.staff_id)
        question = f"End {name}'s cover of {where} now? The roster answers again."

        def ended(reason: str | None) -> None:
            if reason is not None:
                command = c.EndCover(chain=chain, line=line, reason=reason)
                self.post_message(CommandRequested(command, done=f"cover of {where} ended"))

        self.app.push_screen(ConfirmModal("End cover", question), ended)

    def action_confirm_contact(self) -> None:
        row = self._highlighted()
        if row is None or row.staff_id is None:
            self.notify(
                "highlight the contact that answered first", severity="warning", markup=False
            )
            return
        name = self.floor.staff_name(row.staff_id)
        command = c.ConfirmContact(staff_id=row.staff_id, method=row.method, value=row.value)
        done = f"{name}, {row.method} {row.value}: confirmed"
        self.post_message(CommandRequested(command, done=done))
