"""Who to call now: the main ladder and the payments chain, with gaps highlighted.

`g` (or enter) pages the highlighted contact. Opened from an incident, the
page is logged on that incident and the screen goes back to it; the domain's
own dry run refuses a public call for a silent visit, with its reason.
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
from domain.decide import Actor, Rejected, decide
from domain.escalation import LINE_TITLES, TOP_LINE, on_duty
from domain.events import EventType
from domain.models import Chain, Incident, RosterEntry
from tui.floor_screen import FloorScreen
from tui.messages import PageRequested
from tui.timefmt import format_clock
from tui.widgets.ladder import GAP, GAP_TEXT, TitledLine

CHAIN_TITLES = {Chain.MAIN: "main ladder", Chain.PAYMENTS: "payments chain"}
RECENT_PAGES = 4


@dataclass(frozen=True, slots=True)
class ContactRow:
    chain: Chain
    line: int
    staff_id: str | None  # None: nobody on duty (a gap)
    method: str = ""

    @property
    def option_id(self) -> str:
        return f"{self.chain}|{self.line}|{self.staff_id or ''}|{self.method}"


def ladder_rows(
    chain: Chain, on_duty_now: dict[int, list[RosterEntry]]
) -> list[tuple[ContactRow, TitledLine]]:
    """One row per way to reach each on-duty person; a disabled row for each gap.

    Each row lays itself out for the list's width: the line titles give way so that
    a name and a number are never broken over two lines."""
    titles = LINE_TITLES[chain]
    title_width = max(len(f"L{n} {t}") for n, t in titles.items())
    blank = Content.styled(" " * title_width, "bold")
    people = [e for line in on_duty_now.values() for e in line]
    name_width = max((len(e.name) for e in people), default=0)
    parts: list[tuple[ContactRow, Content, Content]] = []
    for line in range(1, TOP_LINE + 1):
        head = Content.styled(f"L{line} {titles[line]}".ljust(title_width), "bold")
        entries = on_duty_now.get(line, [])
        if not entries:
            gap = Content.styled(GAP_TEXT.upper(), "bold $error")
            parts.append((ContactRow(chain, line, None), head, gap))
            continue
        first_of_line = True
        for entry in entries:
            first_of_entry = True
            for contact in entry.contacts:
                how = Content.assemble(
                    (entry.name if first_of_entry else "").ljust(name_width),
                    "  ",
                    f"{contact.method} {contact.value}",
                    (" (public)", "dim") if contact.public else "",
                )
                row = ContactRow(chain, line, entry.staff_id, contact.method)
                parts.append((row, head if first_of_line else blank, how))
                first_of_line = first_of_entry = False
    rest_cells = max(how.cell_length for _, _, how in parts)
    title_cells = title_width + GAP
    return [(row, TitledLine(head, how, title_cells, rest_cells)) for row, head, how in parts]


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
    EscalationScreen #escalation-recent { height: auto; padding: 0 1; color: $foreground 70%; }
    """
    BINDINGS = [
        Binding("g", "page", "Page", id="escalation.page"),
    ]

    def __init__(self, incident_id: int | None = None) -> None:
        super().__init__()
        self.incident_id = incident_id
        self._rows: dict[str, ContactRow] = {}
        self._shown: dict[Chain, tuple[str, ...]] = {}

    @property
    def incident(self) -> Incident | None:
        if self.incident_id is None:
            return None
        return self.floor.incidents.get(self.incident_id)

    def compose_body(self) -> ComposeResult:
        yield Static(id="escalation-head")
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
        self._show_ladders(now)  # a shift may have changed hands

    def on_floor_changed(self, changes: Changes) -> None:
        if changes.reset or changes.roster or changes.incidents:
            self._show_all()

    def _show_all(self) -> None:
        self._show_head()
        self._show_ladders(self.now)
        self._show_recent()

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
                line: on_duty(floor.roster, chain, line, now, floor.policy)
                for line in range(1, TOP_LINE + 1)
            }
            rows = ladder_rows(chain, by_line)
            ids = tuple(row.option_id for row, _ in rows)
            if self._shown.get(chain) == ids:
                continue  # same people on duty: keep the cursor where it is
            ladder = self.query_one(f"#ladder-{chain}", OptionList)
            keep = ladder.highlighted_option.id if ladder.highlighted_option else None
            ladder.set_options(
                Option(prompt, id=row.option_id, disabled=row.staff_id is None)
                for row, prompt in rows
            )
            self._shown[chain] = ids
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

    def action_page(self) -> None:
        focused = self.focused
        ladder = focused if isinstance(focused, OptionList) else None
        option = ladder.highlighted_option if ladder else None
        if option is None or option.id is None or option.disabled:
            self.notify("highlight someone on duty first", severity="warning")
            return
        self._page(self._rows[option.id])

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
            self.notify(exc.message, title="Not paged", severity="warning")
            return
        self.post_message(PageRequested(row.staff_id, row.method, self.incident_id))
        if self.incident_id is not None and self.app.screen is self:
            self.app.pop_screen()  # back to the incident, where the page is logged
