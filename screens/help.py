"""Keys help: what the screen underneath answers to, grouped, most specific first."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.keys import KeyGroup


class HelpScreen(ModalScreen[None]):
    HELP_TITLE = "Keys"
    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background 60%; }
    HelpScreen #help-body {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-columns { height: auto; }
    HelpScreen .help-column { width: 1fr; height: auto; }
    HelpScreen .help-group { margin-bottom: 1; height: auto; }
    """
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, groups: Sequence[KeyGroup]) -> None:
        super().__init__()
        self._groups = groups

    def compose(self) -> ComposeResult:
        body = VerticalScroll(id="help-body")
        body.border_title = "Keys"
        body.border_subtitle = "esc close"
        left, right = _split(self._groups)
        with body, Horizontal(id="help-columns"):
            for column in (left, right):
                with Vertical(classes="help-column"):
                    for group in column:
                        yield Static(_group_table(group), classes="help-group")

    def action_close(self) -> None:
        self.dismiss()


def _split(groups: Sequence[KeyGroup]) -> tuple[list[KeyGroup], list[KeyGroup]]:
    """Two columns of about the same height, groups kept whole and in order."""
    sizes = [len(g.rows) + 2 for g in groups]
    best = min(range(len(groups) + 1), key=lambda n: abs(sum(sizes[:n]) - sum(sizes[n:])))
    return list(groups[:best]), list(groups[best:])


def _group_table(group: KeyGroup) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(width=9, no_wrap=True)
    table.add_column(ratio=1)
    table.title = group.title
    table.title_justify = "left"
    table.title_style = "bold underline"
    for row in group.rows:
        keys = Text(row.keys, style="bold" if row.enabled else "dim")
        what = Text(row.description, style="" if row.enabled else "dim")
        if not row.enabled:
            what.append("  (not now)", style="dim italic")
        table.add_row(keys, what)
    return table
