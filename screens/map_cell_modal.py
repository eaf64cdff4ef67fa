"""The incidents open on one table or machine, from the floor map: enter opens one.

Each line says the number, priority, kind, state and owner, and the silent-visit
mark where it applies; never the player, who is on the incident screen with
its own masking. Locked, the dialog is hidden like every other.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from screens.modals import DialogModal

# (incident id, what the line says)
CellIncident = tuple[int, Content]


class MapCellModal(DialogModal):
    """Pick one of a cell's open incidents; returns its id."""

    DEFAULT_CSS = """
    MapCellModal #map-cell-incidents { height: auto; max-height: 12; margin-top: 1; }
    """
    ok_label = "Open"

    def __init__(self, title: str, incidents: Sequence[CellIncident]) -> None:
        super().__init__()
        self.title_text = title
        self.incidents = list(incidents)

    def compose_fields(self) -> ComposeResult:
        yield OptionList(
            *(Option(line, id=str(incident_id)) for incident_id, line in self.incidents),
            id="map-cell-incidents",
        )

    def on_mount(self) -> None:
        super().on_mount()
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#map-cell-incidents")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def answer(self) -> int | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            self.hint("choose an incident", error=True)
            return None
        option = options.get_option_at_index(options.highlighted)
        return int(option.id) if option.id is not None else None
