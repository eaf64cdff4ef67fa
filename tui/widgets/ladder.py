"""The escalation ladder of one chain: who answers each line now, and what comes next.

Pure text builders (shared with the escalation screen) plus `LadderPanel`,
the incident screen's view of its own chain with the current line marked.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalGroup
from textual.content import Content
from textual.widgets import Static

from domain.escalation import LINE_TITLES, TOP_LINE, next_escalation, on_duty
from domain.models import Chain, Incident, RosterEntry
from domain.state import FloorState
from tui.timefmt import format_clock, format_countdown

GAP_TEXT = "no one on duty"


def contact_text(entry: RosterEntry) -> str:
    """`Dana K., radio ch 3, phone 555-0102`: a name and every way to reach them."""
    ways = [f"{c.method} {c.value}".strip() for c in entry.contacts]
    return ", ".join([entry.name, *ways])


def on_duty_text(entries: list[RosterEntry]) -> str:
    return "; ".join(contact_text(e) for e in entries) if entries else GAP_TEXT


def next_step_text(
    incident: Incident, floor: FloorState, now: float, *, approximate: bool = False
) -> str | None:
    """`L2 duty manager at 02:23 (in 10:00) - Dana K., radio ch 3`, or None at the top."""
    step = next_escalation(incident, floor.policy)
    if step is None:
        return None
    policy = floor.policy
    # who will answer then: the roster as it will be at that moment
    people = on_duty(floor.roster, incident.chain, step.line, step.at, policy)
    title = people[0].title if people else step.title
    when = format_clock(step.at, policy.timezone)
    left = format_countdown(step.at - now, approximate=approximate)
    if people:
        first = people[0]
        way = first.contacts[0] if first.contacts else None
        reach = f"{first.name}, {way.method} {way.value}" if way else first.name
    else:
        reach = GAP_TEXT
    return f"L{step.line} {title} at {when} (in {left}) - {reach}"


class LadderRow(HorizontalGroup):
    """`▶ L2 duty manager / game tech   Dana K., radio ch 3`: wraps under its own column."""

    def __init__(self, line: int) -> None:
        super().__init__(id=f"ladder-l{line}", classes="ladder-row")
        self.line = line

    def compose(self) -> ComposeResult:
        yield Static(classes="ladder-title")
        yield Static(classes="ladder-who")

    def show(self, title: str, people: list[RosterEntry], *, current: bool, passed: bool) -> None:
        self.set_class(current, "-current")
        self.set_class(passed, "-passed")
        self.set_class(not people, "-gap")
        marker = "▶ " if current else "  "
        self.query_one(".ladder-title", Static).update(f"{marker}L{self.line} {title}")
        self.query_one(".ladder-who", Static).update(on_duty_text(people))


class LadderPanel(VerticalGroup):
    """The incident's chain, its current line highlighted, the next automatic step."""

    DEFAULT_CSS = """
    LadderPanel {
        height: auto;
        border: round $foreground 30%;
        border-title-color: $foreground 70%;
        padding: 0 1;
    }
    LadderPanel .ladder-title { width: 37; text-style: bold; }
    LadderPanel .ladder-who { width: 1fr; }
    LadderPanel .ladder-row.-current .ladder-title { text-style: bold reverse; }
    LadderPanel .ladder-row.-passed .ladder-title { text-style: none; color: $foreground 60%; }
    LadderPanel .ladder-row.-gap .ladder-who { color: $error; text-style: bold; }
    LadderPanel #ladder-next { margin-top: 0; }
    """

    def compose(self) -> ComposeResult:
        for line in range(1, TOP_LINE + 1):
            yield LadderRow(line)
        yield Static(id="ladder-next")

    def show(
        self, incident: Incident, floor: FloorState, now: float, *, approximate: bool = False
    ) -> None:
        chain_name = "payments chain" if incident.chain is Chain.PAYMENTS else "main ladder"
        self.border_title = f"escalation: {chain_name}, now L{incident.line}"
        titles = LINE_TITLES[incident.chain]
        # the title column fits this chain's longest title (payments titles are short)
        width = max(len(f"L{n} {t}") for n, t in titles.items()) + 4
        for title in self.query(".ladder-title"):
            title.styles.width = width
        for row in self.query(LadderRow):
            people = on_duty(floor.roster, incident.chain, row.line, now, floor.policy)
            row.show(
                titles[row.line],
                people,
                current=row.line == incident.line,
                passed=row.line < incident.line,
            )
        step = next_step_text(incident, floor, now, approximate=approximate)
        if step is not None:
            tail = Content.assemble(("next ", "dim"), (step, "bold"))
        elif incident.line >= TOP_LINE and incident.state.is_open:
            tail = Content.styled("at the top line: no further automatic step", "dim")
        else:
            tail = Content.styled("automatic escalation stopped (stabilised or resolved)", "dim")
        self.query_one("#ladder-next", Static).update(tail)
